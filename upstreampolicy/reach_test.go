package upstreampolicy

import (
	"reflect"
	"testing"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

const testAccount = "123456789012"

// parseStore compiles a store document for a test.
func parseStore(t *testing.T, doc string) *authn.Store {
	t.Helper()
	s, err := authn.ParseStore("test.json", []byte(doc), authn.StoreOptions{Account: testAccount})
	if err != nil {
		t.Fatalf("ParseStore: %v", err)
	}
	return s
}

// userStore is a store of one user with the inline policy doc, and the guardrails and
// resource policies given (JSON objects' members, may be empty).
func userStore(t *testing.T, policy, boundary, guardrails, resourcePolicies string) *authn.Store {
	t.Helper()
	user := `{"name":"u","inline_policies":{"p":` + policy + `}`
	policies := `{}`
	if boundary != "" {
		user += `,"permissions_boundary":"b"`
		policies = `{"b":` + boundary + `}`
	}
	user += `}`
	return parseStore(t, `{"users":[`+user+`],"policies":`+policies+`,"guardrails":{`+guardrails+`},"resource_policies":{`+resourcePolicies+`}}`)
}

func TestReach(t *testing.T) {
	t.Parallel()
	const app = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a"
	allow := func(action, resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":` + resource + `}]}`
	}
	tests := map[string]struct {
		policy, boundary, guardrails, resourcePolicies string
		action                                         string
		want                                           []Scope
	}{
		"literal ARN": {
			policy: allow("mobiletargeting:GetApp", `"`+app+`"`), action: "mobiletargeting:GetApp",
			want: []Scope{{Resources: []string{app}}},
		},
		"action not allowed": {
			policy: allow("mobiletargeting:GetApp", `"*"`), action: "mobiletargeting:DeleteApp",
		},
		"wildcard action, star resource": {
			policy: allow("mobiletargeting:Get*", `"*"`), action: "mobiletargeting:getapp",
			want: []Scope{{AnyResource: true}},
		},
		"a variable in the resource part widens to a glob": {
			policy: allow("mobiletargeting:GetApp", `"arn:aws:mobiletargeting:*:123456789012:apps/${aws:PrincipalTag/app}"`), action: "mobiletargeting:GetApp",
			want: []Scope{{Resources: []string{"arn:aws:mobiletargeting:*:123456789012:apps/*"}}},
		},
		"a variable before the resource part is any resource": {
			policy: allow("mobiletargeting:GetApp", `"arn:aws:mobiletargeting:${aws:RequestedRegion}:123456789012:apps/a"`), action: "mobiletargeting:GetApp",
			want: []Scope{{AnyResource: true}},
		},
		"NotResource is any resource": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApp","NotResource":"` + app + `"}]}`, action: "mobiletargeting:GetApp",
			want: []Scope{{AnyResource: true}},
		},
		"NotAction": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"mobiletargeting:Delete*","Resource":"*"}]}`, action: "sms-voice:SendTextMessage",
			want: []Scope{{AnyResource: true}},
		},
		"unconditional deny on every resource": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"mobiletargeting:Delete*","Resource":"*"}]}`, action: "mobiletargeting:DeleteApp",
		},
		"conditional deny keeps the action": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"mobiletargeting:Delete*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, action: "mobiletargeting:DeleteApp",
			want: []Scope{{AnyResource: true}},
		},
		"guardrail allows nothing of it": {
			policy: allow("*", `"*"`), guardrails: `"g":` + allow("sms-voice:*", `"*"`), action: "mobiletargeting:GetApp",
		},
		"guardrail denies it": {
			policy: allow("*", `"*"`), guardrails: `"g":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"mobiletargeting:DeleteApp","Resource":"*"}]}`, action: "mobiletargeting:DeleteApp",
		},
		"guardrail narrows a star": {
			policy: allow("*", `"*"`), guardrails: `"g":` + allow("mobiletargeting:*", `"`+app+`"`), action: "mobiletargeting:GetApp",
			want: []Scope{{Resources: []string{app}}},
		},
		"boundary allows nothing of it": {
			policy: allow("*", `"*"`), boundary: allow("sms-voice:*", `"*"`), action: "mobiletargeting:GetApp",
		},
		"boundary narrows a star": {
			policy: allow("*", `"*"`), boundary: allow("mobiletargeting:GetApp", `"`+app+`"`), action: "mobiletargeting:GetApp",
			want: []Scope{{Resources: []string{app}}},
		},
		"resource policy alone": {
			policy: allow("sms-voice:*", `"*"`), action: "mobiletargeting:GetApp",
			resourcePolicies: `"` + app + `":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/u"},"Action":"mobiletargeting:GetApp"}]}`,
			want:             []Scope{{Resources: []string{app}}},
		},
		"pass role keeps iam:PassedToService": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/r","Condition":{"StringEquals":{"iam:PassedToService":["sms-voice.amazonaws.com","pinpoint.amazonaws.com"]},"Bool":{"aws:SecureTransport":"true"}}}]}`,
			action: "iam:PassRole",
			want: []Scope{{Resources: []string{"arn:aws:iam::123456789012:role/r"},
				Condition: &authz.GrantCondition{Operator: "StringEquals", Key: "iam:PassedToService", Values: []string{"pinpoint.amazonaws.com", "sms-voice.amazonaws.com"}}}},
		},
		"pass role without the condition": {
			policy: allow("iam:PassRole", `["arn:aws:iam::123456789012:role/b","arn:aws:iam::123456789012:role/a"]`), action: "iam:PassRole",
			want: []Scope{{Resources: []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}}},
		},
		"star absorbs patterns": {
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"` + app + `"},{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*"}]}`,
			action: "mobiletargeting:GetApp", want: []Scope{{AnyResource: true}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := userStore(t, tc.policy, tc.boundary, tc.guardrails, tc.resourcePolicies)
			got := Reach(s, tc.action)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Reach(%s) = %+v, want %+v", tc.action, got, tc.want)
			}
		})
	}
}

func TestInRegions(t *testing.T) {
	t.Parallel()
	regions := []string{"us-east-1", "eu-west-1"}
	tests := map[string]struct {
		in     Scope
		want   Scope
		wantOK bool
	}{
		"star region becomes each": {
			in:   Scope{Resources: []string{"arn:aws:mobiletargeting:*:123456789012:apps/a"}},
			want: Scope{Resources: []string{"arn:aws:mobiletargeting:eu-west-1:123456789012:apps/a", "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a"}}, wantOK: true,
		},
		"other region dropped": {
			in:   Scope{Resources: []string{"arn:aws:mobiletargeting:ap-south-1:123456789012:apps/a", "arn:aws:mobiletargeting:us-east-1:123456789012:apps/b"}},
			want: Scope{Resources: []string{"arn:aws:mobiletargeting:us-east-1:123456789012:apps/b"}}, wantOK: true,
		},
		"only other regions": {
			in: Scope{Resources: []string{"arn:aws:mobiletargeting:ap-south-1:123456789012:apps/a"}},
		},
		"global ARN and region glob kept": {
			in:   Scope{Resources: []string{"arn:aws:iam::123456789012:role/r", "arn:aws:sms-voice:us-*:123456789012:pool/*"}},
			want: Scope{Resources: []string{"arn:aws:iam::123456789012:role/r", "arn:aws:sms-voice:us-*:123456789012:pool/*"}}, wantOK: true,
		},
		"any resource": {in: Scope{AnyResource: true}, want: Scope{AnyResource: true}, wantOK: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := inRegions(tc.in, regions)
			if ok != tc.wantOK || (ok && !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("inRegions(%+v) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
