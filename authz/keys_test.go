package authz

import "testing"

func TestReferencesKeyPrefix(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		doc    string
		prefix string
		want   bool
	}{
		"condition key": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
			"Condition":{"StringEquals":{"aws:ResourceTag/tenant":"a"}}}]}`, "aws:ResourceTag/", true},
		"condition key other case": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
			"Condition":{"StringEquals":{"AWS:RESOURCETAG/tenant":"a"}}}]}`, "aws:resourcetag/", true},
		"variable in a condition value": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
			"Condition":{"StringEquals":{"aws:PrincipalTag/tenant":"${aws:ResourceTag/tenant}"}}}]}`, "aws:ResourceTag/", true},
		"variable in a resource": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",
			"Resource":"arn:aws:mobiletargeting:*:*:apps/${aws:ResourceTag/app}"}]}`, "aws:ResourceTag/", true},
		"other keys only": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
			"Condition":{"StringEquals":{"aws:RequestTag/tenant":"${aws:PrincipalTag/tenant}"}}}]}`, "aws:ResourceTag/", false},
		"no condition": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "aws:ResourceTag/", false},
		"old version has no variables": {`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
			"Condition":{"StringEquals":{"aws:PrincipalTag/t":"${aws:ResourceTag/t}"}}}]}`, "aws:ResourceTag/", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(name, []byte(tc.doc), IdentityBased)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.ReferencesKeyPrefix(tc.prefix); got != tc.want {
				t.Errorf("ReferencesKeyPrefix(%q) = %v, want %v", tc.prefix, got, tc.want)
			}
		})
	}
}

func TestAnyReferencesKeyPrefix(t *testing.T) {
	t.Parallel()
	plain, err := Parse("plain", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), IdentityBased)
	if err != nil {
		t.Fatal(err)
	}
	tagged, err := Parse("tagged", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"StringNotEquals":{"aws:ResourceTag/tenant":"a"}}}]}`), Guardrail)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		in   *Input
		want bool
	}{
		"none":             {&Input{}, false},
		"identity plain":   {&Input{IdentityPolicies: []*Policy{plain}}, false},
		"guardrail tagged": {&Input{IdentityPolicies: []*Policy{plain}, Guardrails: []*Policy{tagged}}, true},
		"session tagged":   {&Input{SessionPolicies: []*Policy{tagged}}, true},
		"boundary tagged":  {&Input{Boundary: tagged}, true},
		"identity tagged":  {&Input{IdentityPolicies: []*Policy{plain, tagged}}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := AnyReferencesKeyPrefix(tc.in, "aws:ResourceTag/"); got != tc.want {
				t.Errorf("AnyReferencesKeyPrefix = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAnyApplicableReferencesKeyPrefix(t *testing.T) {
	t.Parallel()
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"mobiletargeting:Update*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/locked":"true"}}},
		{"Effect":"Deny","NotAction":"sms-voice:*","Resource":"arn:aws:mobiletargeting:*:*:apps/${aws:ResourceTag/app}"}]}`
	p, err := Parse("p", []byte(doc), IdentityBased)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{
		"mobiletargeting:UpdateEmailTemplate": true,  // the Deny on locked
		"MobileTargeting:updateapp":           true,  // actions compare case-insensitively
		"mobiletargeting:GetApp":              true,  // NotAction sms-voice:*, variable in Resource
		"sms-voice:SendTextMessage":           false, // neither applies
	}
	for action, want := range cases {
		in := &Input{Action: action, IdentityPolicies: []*Policy{p}}
		if got := AnyApplicableReferencesKeyPrefix(in, "aws:ResourceTag/"); got != want {
			t.Errorf("AnyApplicableReferencesKeyPrefix(%s) = %v, want %v", action, got, want)
		}
	}
}
