package decide

import (
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

func TestResourceKeys(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		resource, account, org string
		wantAcct, wantOrg      string
	}{
		"no resource":                {"*", "123456789012", "o-abc", "", ""},
		"the organization's account": {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/a", "123456789012", "o-abc", "123456789012", "o-abc"},
		"another account":            {"arn:aws:mobiletargeting:us-east-1:999999999999:apps/a", "123456789012", "o-abc", "999999999999", ""},
		"no organization":            {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/a", "123456789012", "", "123456789012", ""},
		"an ARN without an account":  {"arn:aws:s3:::bucket", "123456789012", "o-abc", "", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			acct, org := ResourceKeys(tc.resource, tc.account, tc.org)
			if acct != tc.wantAcct || org != tc.wantOrg {
				t.Errorf("ResourceKeys(%q) = %q, %q; want %q, %q", tc.resource, acct, org, tc.wantAcct, tc.wantOrg)
			}
		})
	}
}

// TestPair: a pair is denied, naming the key, when an applicable statement
// reads an unknown key; statements of other actions do not count.
func TestPair(t *testing.T) {
	t.Parallel()
	parse := func(doc string) *authz.Policy {
		p, err := authz.Parse("p", []byte(doc), authz.IdentityBased)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	readsTags := parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*"},
{"Effect":"Deny","Action":"mobiletargeting:DeleteApp","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/t":"b"}}},
{"Effect":"Deny","Action":"mobiletargeting:GetApp","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"gateway:DestinationCountry":"US"}}}]}`)
	cases := map[string]struct {
		action      string
		unknown     []string
		want        authz.Decision
		undecidable string
	}{
		"nothing unknown":                     {"mobiletargeting:GetApp", nil, authz.Allow, ""},
		"unknown tags read by another action": {"mobiletargeting:GetApp", UnknownResourceTags, authz.Allow, ""},
		"unknown tags read":                   {"mobiletargeting:DeleteApp", UnknownResourceTags, authz.ImplicitDeny, PrefixResourceTag},
		"unreadable destinations read":        {"mobiletargeting:GetApp", UnknownDestinations, authz.ImplicitDeny, "gateway:destinationcountry"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := &authz.Input{Principal: authz.PrincipalFromARN("arn:aws:iam::123456789012:user/u"), Action: tc.action, Resource: "*",
				Context: authz.NewContext(), IdentityPolicies: []*authz.Policy{readsTags}}
			r, why := Pair(in, tc.unknown)
			if (r.Decision == authz.Allow) != (tc.want == authz.Allow) || why != tc.undecidable {
				t.Errorf("Pair = %v, %q; want %v, %q", r.Decision, why, tc.want, tc.undecidable)
			}
		})
	}
}
