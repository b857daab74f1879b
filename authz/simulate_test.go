package authz

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSimulate(t *testing.T) {
	t.Parallel()
	idPolicy := `{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow","Action":"mobiletargeting:Get*","Resource":"arn:aws:mobiletargeting:*:*:apps/${aws:PrincipalTag/app}",` +
		`"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}}`
	tests := map[string]struct {
		in   string
		opts SimulateOptions
		want string // one JSON line
	}{
		"allow": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"` + tUser + `","context":{"aws:PrincipalTag/app":"abc","aws:TagKeys":["a"]},"identity_policies":[` + idPolicy + `]}`,
			want: `{"decision":"Allow","matched":[{"type":"identity","policy":"identity_policies[0]","sid":"Read","index":0,"effect":"Allow"}]}`,
		},
		"named policy, implicit deny": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"` + tUser + `","context":{"aws:PrincipalTag/app":"other"},"identity_policies":[{"name":"ReadOwn","policy":` + idPolicy + `}]}`,
			want: `{"decision":"ImplicitDeny","matched":[]}`,
		},
		"multi-valued context is a set": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"` + tUser + `","context":{"aws:PrincipalTag/app":"abc","aws:TagKeys":["a","c"]},"identity_policies":[` + idPolicy + `]}`,
			want: `{"decision":"ImplicitDeny","matched":[]}`,
		},
		"resource star, guardrail deny": {
			in:   `{"action":"sms-voice:ListConfigurationSets","resource":"*","principal":"` + tSess + `","identity_policies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],"guardrails":[{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoSMS","Effect":"Deny","Action":"sms-voice:*","Resource":"*"}]}]}`,
			want: `{"decision":"ExplicitDeny","matched":[{"type":"guardrail","policy":"guardrails[0]","sid":"NoSMS","index":1,"effect":"Deny"}]}`,
		},
		"resource policy and session": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"` + tSess + `","resource_policy":` + rpAllow(`{"AWS":"`+tRole+`"}`) + `,"session_policy":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],"permissions_boundary":{"Statement":{"Effect":"Allow","Action":"mobiletargeting:*","Resource":"*"}}}`,
			want: `{"decision":"Allow","matched":[{"type":"resource","policy":"resource_policy","sid":"RP","index":0,"effect":"Allow"},{"type":"boundary","policy":"permissions_boundary","sid":"","index":0,"effect":"Allow"},{"type":"session","policy":"session_policy","sid":"","index":0,"effect":"Allow"}]}`,
		},
		"lint": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"*","principal":"` + tUser + `","identity_policies":[{"Statement":{"Effect":"Allow","Action":"mobiletargeting:GetAppz","Resource":"*"}}]}`,
			opts: SimulateOptions{Lint: true, KnownAction: func(string) bool { return false }},
			want: `{"decision":"ImplicitDeny","matched":[],"warnings":["policy \"identity_policies[0]\" statement 0: Action: action \"mobiletargeting:GetAppz\" matches no known mobiletargeting action"]}`,
		},
		"store policies": {
			in: `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"` + tUser + `"}`,
			opts: SimulateOptions{PrincipalPolicies: func(arn string) ([]*Policy, *Policy, bool) {
				p, _ := Parse("FromStore", []byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`), IdentityBased)
				return []*Policy{p}, nil, arn == tUser
			}},
			want: `{"decision":"Allow","matched":[{"type":"identity","policy":"FromStore","sid":"","index":0,"effect":"Allow"}]}`,
		},
		"store unknown principal": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + tApp + `","principal":"arn:aws:iam::123456789012:user/nobody"}`,
			opts: SimulateOptions{PrincipalPolicies: func(string) ([]*Policy, *Policy, bool) { return nil, nil, false }},
			want: `{"error":"line 1: principal \"arn:aws:iam::123456789012:user/nobody\" is not in the store"}`,
		},
		"bad policy":    {in: `{"action":"a:b","identity_policies":[{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}]}`, want: `{"error":"line 1: policy \"identity_policies[0]\" statement 0: Effect: invalid policy: \"Maybe\" is not Allow or Deny"}`},
		"unknown field": {in: `{"action":"a:b","principle":"x"}`, want: `{"error":"line 1: decoding case: json: unknown field \"principle\""}`},
		"no action":     {in: `{"resource":"*"}`, want: `{"error":"line 1: missing action"}`},
		"bad context":   {in: `{"action":"a:b","context":{"k:v":{"x":1}}}`, want: `{"error":"line 1: context key \"k:v\": invalid policy: condition values must be strings, numbers or booleans"}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := Simulate(strings.NewReader(tc.in+"\n"), &out, tc.opts); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(out.String()); got != tc.want {
				t.Errorf("Simulate =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestSimulateStream(t *testing.T) {
	t.Parallel()
	in := "\n" + `{"action":"a:b"}` + "\n\n" + `not json` + "\n" + `{"action":"a:b"}`
	var out bytes.Buffer
	if err := Simulate(strings.NewReader(in), &out, SimulateOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d answers, want 3: %q", len(lines), lines)
	}
	var a simAnswer
	if err := json.Unmarshal([]byte(lines[1]), &a); err != nil || !strings.HasPrefix(a.Error, "line 4:") {
		t.Errorf("answer 2 = %s, want an error naming line 4", lines[1])
	}
	if err := Simulate(strings.NewReader(in), failWriter{}, SimulateOptions{}); err == nil {
		t.Error("Simulate with a failing writer returned nil")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
