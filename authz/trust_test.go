package authz

import (
	"errors"
	"strings"
	"testing"
)

const (
	trustRole  = "arn:aws:iam::123456789012:role/app"
	trustUser  = "arn:aws:iam::123456789012:user/bob"
	trustRoot  = "arn:aws:iam::123456789012:root"
	trustOther = "arn:aws:iam::123456789012:user/eve"
)

func trustDoc(stmts string) []byte {
	return []byte(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`)
}

func mustParseTrust(t *testing.T, stmts string) *TrustPolicy {
	t.Helper()
	tp, err := ParseTrust("app trust policy", trustDoc(stmts))
	if err != nil {
		t.Fatalf("ParseTrust: %v", err)
	}
	return tp
}

// TestParseTrust: a trust policy is a resource-based policy without
// Resource or NotResource; the error names the statement and the element.
func TestParseTrust(t *testing.T) {
	t.Parallel()
	tp := mustParseTrust(t, `{"Effect":"Allow","Principal":{"AWS":"`+trustUser+`"},"Action":"sts:AssumeRole"}`)
	if p := tp.Policy(); p.Type() != ResourceBased || p.Name() != "app trust policy" || p.Len() != 1 {
		t.Errorf("Policy() = %s %v %d statements", p.Name(), p.Type(), p.Len())
	}
	tests := map[string]struct {
		stmts string
		want  []string
	}{
		"Resource": {`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"R","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}`,
			[]string{`policy "app trust policy" statement 1 (Sid "R"): Resource: `, "prohibited field", "applies to its role"}},
		"NotResource": {`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}`,
			[]string{"statement 0: NotResource: ", "prohibited field"}},
		"no principal": {`{"Effect":"Allow","Action":"sts:AssumeRole"}`, []string{"statement 0"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tp, err := ParseTrust("app trust policy", trustDoc(tc.stmts))
			if err == nil || tp != nil {
				t.Fatalf("ParseTrust = %v, %v; want an error", tp, err)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v: want a *PolicyError that is ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestTrustPolicyEvaluate: assuming a role needs the trust policy itself to
// allow; an identity allow alone never suffices.
func TestTrustPolicyEvaluate(t *testing.T) {
	t.Parallel()
	identityAllow := mustParse(t, "id", IdentityBased, `{"Version":"2012-10-17","Statement":[{"Sid":"Assume","Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)
	names := func(p string) string {
		return `{"Sid":"Trust","Effect":"Allow","Principal":{"AWS":"` + p + `"},"Action":["sts:AssumeRole","sts:TagSession"]}`
	}
	tests := map[string]struct {
		trust    string
		identity bool
		action   string
		want     Decision
		deniedBy PolicyType // for a deny
		matched  int        // for a deny; an allow lists at least one statement
	}{
		"trust names the caller":                      {names(trustUser), false, "sts:AssumeRole", Allow, 0, 0},
		"trust names the caller, identity allows too": {names(trustUser), true, "sts:AssumeRole", Allow, 0, 0},
		"trust names the account, no identity allow":  {names(trustRoot), false, "sts:AssumeRole", ImplicitDeny, IdentityBased, 0},
		"trust names the account, identity allows":    {names(trustRoot), true, "sts:AssumeRole", Allow, 0, 0},
		// The same-account rule would allow; the trust policy must.
		"trust names someone else, identity allows": {names(trustOther), true, "sts:AssumeRole", ImplicitDeny, ResourceBased, 0},
		"trust does not allow the action":           {names(trustUser), true, "sts:SetSourceIdentity", ImplicitDeny, ResourceBased, 0},
		"trust denies": {names(trustUser) + `,{"Sid":"No","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}`,
			true, "sts:AssumeRole", ExplicitDeny, ResourceBased, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tp := mustParseTrust(t, tc.trust)
			in := &Input{Principal: Principal{ARN: trustUser, Account: "123456789012"}, Action: tc.action, Resource: trustRole}
			if tc.identity {
				in.IdentityPolicies = []*Policy{identityAllow}
			}
			res := tp.Evaluate(in)
			if res.Decision != tc.want {
				t.Fatalf("Evaluate = %v by %v, matched %+v; want %v", res.Decision, res.DeniedBy, res.Matched, tc.want)
			}
			if tc.want == Allow && len(res.Matched) == 0 {
				t.Error("an allow without matched statements")
			}
			if tc.want != Allow && (res.DeniedBy != tc.deniedBy || len(res.Matched) != tc.matched) {
				t.Errorf("denied by %v with %d matched, want by %v with %d", res.DeniedBy, len(res.Matched), tc.deniedBy, tc.matched)
			}
			if in.ResourcePolicy != nil {
				t.Error("Evaluate changed its input")
			}
		})
	}
}
