package iamimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The GetAccountAuthorizationDetails response as JSON (the CLI's and the
// SDKs' member names). Fields the import does not use (CreateDate, IDs,
// InstanceProfileList, RoleLastUsed, counts) are accepted and ignored: the
// API adds members over time.
type details struct {
	UserDetailList  []userDetail          `json:"UserDetailList"`
	GroupDetailList []groupDetail         `json:"GroupDetailList"`
	RoleDetailList  []roleDetail          `json:"RoleDetailList"`
	Policies        []managedPolicyDetail `json:"Policies"`
	IsTruncated     bool                  `json:"IsTruncated"`
}

type userDetail struct {
	Path                    string            `json:"Path"`
	UserName                string            `json:"UserName"`
	Arn                     string            `json:"Arn"`
	UserPolicyList          []policyDetail    `json:"UserPolicyList"`
	GroupList               []string          `json:"GroupList"`
	AttachedManagedPolicies []attachedPolicy  `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *attachedBoundary `json:"PermissionsBoundary"`
	Tags                    []tag             `json:"Tags"`
}

type groupDetail struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	Arn                     string           `json:"Arn"`
	GroupPolicyList         []policyDetail   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
}

type roleDetail struct {
	Path                     string            `json:"Path"`
	RoleName                 string            `json:"RoleName"`
	Arn                      string            `json:"Arn"`
	AssumeRolePolicyDocument document          `json:"AssumeRolePolicyDocument"`
	RolePolicyList           []policyDetail    `json:"RolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy  `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *attachedBoundary `json:"PermissionsBoundary"`
	Tags                     []tag             `json:"Tags"`
	// MaxSessionDuration is not in RoleDetail; it is read from ListRoles
	// output (Options.Roles) and accepted here for inputs that merged it.
	MaxSessionDuration int `json:"MaxSessionDuration"`
}

type managedPolicyDetail struct {
	PolicyName        string          `json:"PolicyName"`
	Arn               string          `json:"Arn"`
	Path              string          `json:"Path"`
	DefaultVersionId  string          `json:"DefaultVersionId"`
	PolicyVersionList []policyVersion `json:"PolicyVersionList"`
}

type policyVersion struct {
	Document         document `json:"Document"`
	VersionId        string   `json:"VersionId"`
	IsDefaultVersion bool     `json:"IsDefaultVersion"`
}

type policyDetail struct {
	PolicyName     string   `json:"PolicyName"`
	PolicyDocument document `json:"PolicyDocument"`
}

type attachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type attachedBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// document is a policy document as the API returns it (a string holding
// the URL-encoded JSON, RFC 3986), as some tools return it (a string
// holding the JSON) or as the AWS CLI prints it (the JSON object itself).
// It holds the JSON text.
type document []byte

// UnmarshalJSON accepts the three forms.
func (d *document) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case string(raw) == "null":
		*d = nil
		return nil
	case len(raw) > 0 && raw[0] == '{':
		*d = append((*d)[:0], raw...)
		return nil
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		text, err := decodeDocumentString(s)
		if err != nil {
			return err
		}
		*d = []byte(text)
		return nil
	}
	return errors.New("policy document: want a JSON object or a string")
}

// decodeDocumentString returns the JSON of a document given as a string:
// as it is when it is already JSON, else percent-decoded (RFC 3986, so "+"
// stays "+"), as GetAccountAuthorizationDetails returns documents:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
func decodeDocumentString(s string) (string, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") {
		return t, nil
	}
	dec, err := url.PathUnescape(t)
	if err != nil {
		return "", fmt.Errorf("policy document: not JSON and not URL-encoded JSON: %w", err)
	}
	dec = strings.TrimSpace(dec)
	if !strings.HasPrefix(dec, "{") {
		return "", errors.New("policy document: the URL-decoded text is not a JSON object")
	}
	return dec, nil
}

// parseDetails decodes a GetAccountAuthorizationDetails document. A
// truncated response (IsTruncated) is refused: its principals may lack
// policies the next page holds.
func parseDetails(data []byte) (*details, error) {
	var d details
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("reading authorization details: %w", err)
	}
	if d.IsTruncated {
		return nil, errors.New("reading authorization details: the response is truncated (IsTruncated); the AWS CLI pages by itself: run it without --max-items")
	}
	if len(d.UserDetailList)+len(d.GroupDetailList)+len(d.RoleDetailList)+len(d.Policies) == 0 {
		return nil, errors.New("reading authorization details: no users, groups, roles or policies (is this get-account-authorization-details output?)")
	}
	return &d, nil
}

// defaultVersion returns the document of the policy's default version.
func (p *managedPolicyDetail) defaultVersion() (document, bool) {
	for _, v := range p.PolicyVersionList {
		if v.IsDefaultVersion {
			return v.Document, len(v.Document) > 0
		}
	}
	for _, v := range p.PolicyVersionList {
		if v.VersionId != "" && v.VersionId == p.DefaultVersionId {
			return v.Document, len(v.Document) > 0
		}
	}
	return nil, false
}

// listRoles is `aws iam list-roles` (or get-role, one Role) output.
type listRoles struct {
	Roles []roleDetail `json:"Roles"`
	Role  *roleDetail  `json:"Role"`
}

// listAccessKeys is `aws iam list-access-keys` output.
type listAccessKeys struct {
	AccessKeyMetadata []struct {
		UserName    string `json:"UserName"`
		AccessKeyId string `json:"AccessKeyId"`
		Status      string `json:"Status"`
	} `json:"AccessKeyMetadata"`
}

// describePolicy is `aws organizations describe-policy` output; Content is
// the policy document as a JSON string:
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html
type describePolicy struct {
	Policy *struct {
		PolicySummary struct {
			Name string `json:"Name"`
			Type string `json:"Type"`
		} `json:"PolicySummary"`
		Content string `json:"Content"`
	} `json:"Policy"`
}
