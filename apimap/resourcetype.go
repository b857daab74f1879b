package apimap

import (
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/arn"
)

// resourceTemplates maps an IAM prefix to its compiled resource types;
// typeTemplates maps "prefix/type" to one.
var (
	resourceTemplates = map[string][]*arnTemplate{}
	typeTemplates     = map[string]*arnTemplate{}
)

// ResourceType checks that s is a well-formed ARN of one of the resource types
// of the mobiletargeting or sms-voice prefix (a known partition whose region
// pattern matches the region, a 12-digit account, and a resource part of the
// type's shape) and returns the prefix and the type name.
func ResourceType(s string) (service, typ string, err error) {
	t, _, err := parseTypedARN(s)
	if err != nil {
		return "", "", err
	}
	return t.service, t.typ, nil
}

// parseTypedARN parses s and finds the resource type it is an ARN of.
func parseTypedARN(s string) (*arnTemplate, arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return nil, arn.ARN{}, err
	}
	p, ok := Partition(a.Region)
	if !ok || p != a.Partition {
		return nil, arn.ARN{}, fmt.Errorf("arn %q: region %q is not in partition %q", s, a.Region, a.Partition)
	}
	if err := checkAccount(a.Account); err != nil {
		return nil, arn.ARN{}, fmt.Errorf("arn %q: %w", s, err)
	}
	tmpls, ok := resourceTemplates[a.Service]
	if !ok {
		return nil, arn.ARN{}, fmt.Errorf("arn %q: service %q is not mobiletargeting or sms-voice", s, a.Service)
	}
	for _, t := range tmpls {
		if t.match(a.Resource, nil) {
			return t, a, nil
		}
	}
	return nil, arn.ARN{}, fmt.Errorf("arn %q: resource %q is of no known %s resource type", s, a.Resource, a.Service)
}

// parseRoleARN checks that s is an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME).
func parseRoleARN(s string) error {
	a, err := arn.Parse(s)
	if err != nil {
		return err
	}
	known := false
	for _, p := range partitionTable {
		known = known || p.id == a.Partition
	}
	switch {
	case !known:
		return fmt.Errorf("role arn %q: unknown partition", s)
	case a.Service != "iam" || a.Region != "":
		return fmt.Errorf("role arn %q: not an IAM ARN", s)
	case checkAccount(a.Account) != nil:
		return fmt.Errorf("role arn %q: account is not 12 digits", s)
	case !strings.HasPrefix(a.Resource, "role/") || len(a.Resource) == len("role/") || strings.Contains(a.Resource, "*"):
		return fmt.Errorf("role arn %q: not a role", s)
	}
	return nil
}

// taggableTypes are the resource types whose tags policies can test with
// aws:ResourceTag (the types the tagging actions accept).
var taggableTypes = map[string]map[string]bool{}

// TaggableOwner returns the ARN of the taggable resource whose tags apply to
// s for aws:ResourceTag, and true, when s is a well-formed ARN of a type
// that the tagging actions accept (Pinpoint app, campaign, journey, segment,
// template; the SMS and Voice v2 types). Other types (a Pinpoint channel, an
// sms-voice message) have no aws:ResourceTag key in the Service Authorization
// Reference, so it returns false for them.
func TaggableOwner(s string) (string, bool) {
	t, _, err := parseTypedARN(s)
	if err != nil || !taggableTypes[t.service][t.typ] {
		return "", false
	}
	return s, true
}
