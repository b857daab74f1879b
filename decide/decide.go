// Package decide holds the gateway's rules for deciding one (action,
// resource) pair beyond the policy language itself: the per-resource
// condition keys it sets, and the keys whose values it could not learn.
// The pipeline (module) and `gateway replay` (replay) both decide pairs
// with it, so that a replayed decision is the gateway's decision.
//
// A pair is undecidable when a statement that can apply to its action
// reads a key whose value the gateway does not know (resource tags it
// could not obtain, tag keys that differ only in case, destinations
// without a readable phone number): the gateway then denies it, deciding
// nothing on information it lacks.
package decide

import (
	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/reqcontext"
)

// The per-resource condition keys, lower-cased: the pipeline sets them for
// each pair it evaluates (and removes them afterwards).
const (
	KeyResourceAccount = "aws:resourceaccount"
	KeyResourceOrgID   = "aws:resourceorgid"
	KeyPassedToService = "iam:passedtoservice"
	// PrefixResourceTag is the prefix of the aws:ResourceTag/KEY keys.
	PrefixResourceTag = reqcontext.ResourceTagPrefix
)

// Unknown key prefixes: what a pair cannot be decided on.
var (
	// UnknownResourceTags is the unknown prefix of a resource whose tags
	// the gateway could not obtain.
	UnknownResourceTags = []string{PrefixResourceTag}
	// UnknownDestinations are the unknown prefixes of a request with a
	// destination that has no readable phone number: the per-destination
	// keys gateway:DestinationNumber (and …NumberType), …Country and
	// …CallingCode. gateway:DestinationCount is always known.
	UnknownDestinations = []string{"gateway:destinationnumber", "gateway:destinationcountry", "gateway:destinationcallingcode"}
)

// ResourceKeys returns the values of the account keys of resource:
// aws:ResourceAccount (the ARN's account field; "" for "*" or an ARN
// without one) and aws:ResourceOrgID (orgID, when the resource is in
// account, the organization's account the gateway knows; "" otherwise).
// An empty value leaves its key unset.
func ResourceKeys(resource, account, orgID string) (resourceAccount, resourceOrgID string) {
	if resource == "*" {
		return "", ""
	}
	acct := arn.Account(resource)
	if acct != "" && orgID != "" && acct == account {
		return acct, orgID
	}
	return acct, ""
}

// Undecidable returns the first of the unknown key prefixes (lower-cased)
// that a statement which can apply to in's action reads, with ok true:
// then in cannot be decided and is denied. ok is false when none is read.
func Undecidable(in *authz.Input, unknown []string) (prefix string, ok bool) {
	for _, p := range unknown {
		if authz.AnyApplicableReferencesKeyPrefix(in, p) {
			return p, true
		}
	}
	return "", false
}

// Pair decides in: an implicit deny when it is undecidable for the
// unknown key prefixes (undecidable then names the prefix read), else
// authz.Evaluate's result.
func Pair(in *authz.Input, unknown []string) (r authz.Result, undecidable string) {
	if p, ok := Undecidable(in, unknown); ok {
		return authz.Result{Decision: authz.ImplicitDeny}, p
	}
	return authz.Evaluate(in), ""
}
