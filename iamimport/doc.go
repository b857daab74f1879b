// Package iamimport turns an AWS account's IAM configuration into a gateway
// store (README "The store"): it reads the JSON of `aws iam
// get-account-authorization-details` (the API's GetAccountAuthorizationDetails
// response, policy documents URL-encoded as the API returns them or decoded
// into objects as the CLI prints them), optionally service and resource
// control policies (`aws organizations describe-policy` output), and writes a
// store with a report of what was carried, transformed, inert at the gateway
// and not carried exactly.
//
// The rule is the gateway's: what cannot be carried exactly is reported,
// never silently dropped, and when dropping would widen access (a policy with
// a Deny, a permissions boundary) the principal is left out instead. The
// store is checked with authn.ParseStore before it is returned.
//
// API references (the shapes read here):
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
// (and its types UserDetail, GroupDetail, RoleDetail, ManagedPolicyDetail,
// PolicyVersion, PolicyDetail, AttachedPolicy, AttachedPermissionsBoundary),
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
// (MaxSessionDuration, which RoleDetail lacks),
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html and
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html.
package iamimport
