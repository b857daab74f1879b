package authz

import (
	"reflect"
	"testing"
)

func TestGrants(t *testing.T) {
	t.Parallel()
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"mobiletargeting:Get*","Resource":["arn:aws:mobiletargeting:*:123456789012:apps/a","arn:aws:mobiletargeting:*:123456789012:apps/${aws:PrincipalTag/app}/*"]},
		{"Sid":"B","Effect":"Allow","NotAction":"mobiletargeting:Delete*","NotResource":"arn:aws:mobiletargeting:*:123456789012:apps/x"},
		{"Sid":"C","Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"arn:aws:mobiletargeting:${aws:RequestedRegion}:123456789012:apps/a","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
		{"Sid":"D","Effect":"Deny","Action":"mobiletargeting:GetApp","Resource":"*"}]}`
	p, err := Parse("p", []byte(doc), IdentityBased)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		action string
		want   []Grant
	}{
		"patterns, a variable in the resource part widened": {
			action: "mobiletargeting:GetApp",
			want: []Grant{
				{Resources: []string{"arn:aws:mobiletargeting:*:123456789012:apps/a", "arn:aws:mobiletargeting:*:123456789012:apps/*/*"}},
				{AnyResource: true},
				{AnyResource: true, Conditions: []GrantCondition{{Operator: "StringEquals", Key: "aws:PrincipalTag/team", Values: []string{"blue"}}}},
			},
		},
		"NotAction excludes": {action: "mobiletargeting:DeleteApp"},
		"NotAction includes": {action: "sms-voice:SendTextMessage", want: []Grant{{AnyResource: true}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := p.Grants(tc.action); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Grants(%s) = %+v, want %+v", tc.action, got, tc.want)
			}
		})
	}
	if !p.AlwaysDenies("mobiletargeting:getapp") || p.AlwaysDenies("mobiletargeting:GetApps") {
		t.Errorf("AlwaysDenies: want true for GetApp only")
	}
}

func TestAlwaysDenies(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		stmt string
		want bool
	}{
		"star":           {`{"Effect":"Deny","Action":"mobiletargeting:*","Resource":"*"}`, true},
		"one ARN":        {`{"Effect":"Deny","Action":"mobiletargeting:*","Resource":"arn:aws:mobiletargeting:*:*:apps/a"}`, false},
		"NotResource":    {`{"Effect":"Deny","Action":"mobiletargeting:*","NotResource":"arn:aws:mobiletargeting:*:*:apps/a"}`, false},
		"conditional":    {`{"Effect":"Deny","Action":"mobiletargeting:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`, false},
		"other action":   {`{"Effect":"Deny","Action":"sms-voice:*","Resource":"*"}`, false},
		"allow":          {`{"Effect":"Allow","Action":"mobiletargeting:*","Resource":"*"}`, false},
		"NotAction deny": {`{"Effect":"Deny","NotAction":"sms-voice:*","Resource":"*"}`, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p", []byte(`{"Version":"2012-10-17","Statement":[`+tc.stmt+`]}`), IdentityBased)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.AlwaysDenies("mobiletargeting:GetApp"); got != tc.want {
				t.Errorf("AlwaysDenies = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWidenVariables(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in, want string
		ok       bool
	}{
		"resource part":   {"arn:aws:iam::123456789012:role/${aws:PrincipalTag/tenant}-*", "arn:aws:iam::123456789012:role/*-*", true},
		"escapes kept":    {"arn:aws:s3:::b/${*}/${aws:username}", "arn:aws:s3:::b/${*}/*", true},
		"region variable": {"arn:aws:sms-voice:${aws:RequestedRegion}:123456789012:pool/*", "", false},
		"default value":   {"arn:aws:iam::123456789012:role/${aws:PrincipalTag/t, 'none'}", "arn:aws:iam::123456789012:role/*", true},
		"unterminated":    {"arn:aws:iam::123456789012:role/${aws:username", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := widenVariables(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("widenVariables(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
