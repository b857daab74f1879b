package authz

import (
	"encoding/json"
	"reflect"
	"testing"
)

const (
	tAcct  = "123456789012"
	tApp   = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	tUser  = "arn:aws:iam::123456789012:user/bob"
	tSess  = "arn:aws:sts::123456789012:assumed-role/app/s1"
	tRole  = "arn:aws:iam::123456789012:role/app"
	tOther = "arn:aws:mobiletargeting:us-east-1:210987654321:apps/abc"
)

func mustParse(t *testing.T, name string, kind PolicyType, doc string) *Policy {
	t.Helper()
	p, err := Parse(name, []byte(doc), kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

// stmtDoc wraps statements (JSON) in a 2012-10-17 policy.
func stmtDoc(stmts string) string { return `{"Version":"2012-10-17","Statement":[` + stmts + `]}` }

func rpAllow(principal string) string {
	return stmtDoc(`{"Sid":"RP","Effect":"Allow","Principal":` + principal + `,"Action":"mobiletargeting:GetApp","Resource":"` + tApp + `"}`)
}

const (
	allowAll   = `{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`
	allowOther = `{"Sid":"Other","Effect":"Allow","Action":"mobiletargeting:DeleteApp","Resource":"*"}`
	denyAll    = `{"Sid":"No","Effect":"Deny","Action":"*","Resource":"*"}`
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	type pols struct {
		identity, resource, boundary, session, guardrail string
	}
	tests := map[string]struct {
		principal string
		resource  string
		p         pols
		want      Decision
		deniedBy  PolicyType
		matched   []Match
	}{
		"no policies": {tUser, tApp, pols{}, ImplicitDeny, IdentityBased, nil},
		"identity allow": {tUser, tApp, pols{identity: allowAll}, Allow, 0,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "All", Index: 0, Effect: EffectAllow}}},
		"identity other action": {tUser, tApp, pols{identity: allowOther}, ImplicitDeny, IdentityBased, nil},
		"explicit deny wins": {tUser, tApp, pols{identity: allowAll + "," + denyAll}, ExplicitDeny, IdentityBased,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "No", Index: 1, Effect: EffectDeny}}},
		"deny in boundary": {tUser, tApp, pols{identity: allowAll, boundary: allowAll + "," + denyAll}, ExplicitDeny, Boundary,
			[]Match{{Type: Boundary, Policy: "boundary", Sid: "No", Index: 1, Effect: EffectDeny}}},
		"deny in guardrail":    {tUser, tApp, pols{identity: allowAll, guardrail: denyAll}, ExplicitDeny, Guardrail, []Match{{Type: Guardrail, Policy: "guardrail", Sid: "No", Effect: EffectDeny}}},
		"guardrail must allow": {tUser, tApp, pols{identity: allowAll, guardrail: allowOther}, ImplicitDeny, Guardrail, nil},
		"guardrail allows": {tUser, tApp, pols{identity: allowAll, guardrail: allowAll}, Allow, 0,
			[]Match{{Type: Guardrail, Policy: "guardrail", Sid: "All", Effect: EffectAllow}, {Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}}},
		// The deny's statements, not the allows before it, are what the audit names.
		"guardrail allows, identity denies": {tUser, tApp, pols{identity: allowAll + "," + denyAll, guardrail: allowAll}, ExplicitDeny, IdentityBased,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "No", Index: 1, Effect: EffectDeny}}},
		"guardrail allows, resource policy denies": {tUser, tApp, pols{identity: allowAll, guardrail: allowAll, resource: stmtDoc(`{"Sid":"RPNo","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`)}, ExplicitDeny, ResourceBased,
			[]Match{{Type: ResourceBased, Policy: "resource", Sid: "RPNo", Effect: EffectDeny}}},
		"guardrail and identity deny": {tUser, tApp, pols{identity: allowAll + "," + denyAll, guardrail: allowAll + "," + denyAll}, ExplicitDeny, Guardrail,
			[]Match{{Type: Guardrail, Policy: "guardrail", Sid: "No", Index: 1, Effect: EffectDeny}, {Type: IdentityBased, Policy: "identity", Sid: "No", Index: 1, Effect: EffectDeny}}},
		"boundary must allow":           {tUser, tApp, pols{identity: allowAll, boundary: allowOther}, ImplicitDeny, Boundary, nil},
		"boundary alone grants nothing": {tUser, tApp, pols{boundary: allowAll}, ImplicitDeny, IdentityBased, nil},
		"session must allow":            {tSess, tApp, pols{identity: allowAll, session: allowOther}, ImplicitDeny, Session, nil},
		"session alone grants nothing":  {tSess, tApp, pols{session: allowAll}, ImplicitDeny, IdentityBased, nil},
		"identity+boundary+session": {tSess, tApp, pols{identity: allowAll, boundary: allowAll, session: allowAll}, Allow, 0,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}, {Type: Boundary, Policy: "boundary", Sid: "All", Effect: EffectAllow}, {Type: Session, Policy: "session", Sid: "All", Effect: EffectAllow}}},
		"rp names user": {tUser, tApp, pols{resource: rpAllow(`{"AWS":"` + tUser + `"}`)}, Allow, 0,
			[]Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names user, boundary silent":    {tUser, tApp, pols{resource: rpAllow(`{"AWS":"` + tUser + `"}`), boundary: allowOther}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names session":                  {tSess, tApp, pols{resource: rpAllow(`{"AWS":"` + tSess + `"}`)}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names session, session silent":  {tSess, tApp, pols{resource: rpAllow(`{"AWS":"` + tSess + `"}`), session: allowOther}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names role":                     {tSess, tApp, pols{resource: rpAllow(`{"AWS":"` + tRole + `"}`)}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names role, boundary silent":    {tSess, tApp, pols{resource: rpAllow(`{"AWS":"` + tRole + `"}`), boundary: allowOther}, ImplicitDeny, Boundary, nil},
		"rp names role, session silent":     {tSess, tApp, pols{resource: rpAllow(`{"AWS":"` + tRole + `"}`), session: allowOther}, ImplicitDeny, Session, nil},
		"rp names everyone":                 {tSess, tApp, pols{resource: rpAllow(`"*"`)}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Sid: "RP", Effect: EffectAllow}}},
		"rp names everyone, session silent": {tSess, tApp, pols{resource: rpAllow(`"*"`), session: allowOther}, ImplicitDeny, Session, nil},
		"rp names account":                  {tUser, tApp, pols{resource: rpAllow(`{"AWS":"` + tAcct + `"}`)}, ImplicitDeny, IdentityBased, nil},
		"rp names account, identity allows": {tUser, tApp, pols{resource: rpAllow(`{"AWS":"` + tAcct + `"}`), identity: allowAll}, Allow, 0,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}}},
		"rp names another user":      {tUser, tApp, pols{resource: rpAllow(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`)}, ImplicitDeny, IdentityBased, nil},
		"rp deny":                    {tUser, tApp, pols{identity: allowAll, resource: stmtDoc(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`)}, ExplicitDeny, ResourceBased, []Match{{Type: ResourceBased, Policy: "resource", Effect: EffectDeny}}},
		"rp allow, guardrail silent": {tUser, tApp, pols{resource: rpAllow(`{"AWS":"` + tUser + `"}`), guardrail: allowOther}, ImplicitDeny, Guardrail, nil},
		"NotPrincipal deny excludes role sessions": {tSess, tApp, pols{identity: allowAll, resource: stmtDoc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + tRole + `"},"Action":"*","Resource":"*"}`)}, Allow, 0,
			[]Match{{Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}}},
		"NotPrincipal deny with a boundary always denies": {tSess, tApp, pols{identity: allowAll, boundary: allowAll, resource: stmtDoc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + tRole + `"},"Action":"*","Resource":"*"}`)}, ExplicitDeny, ResourceBased,
			[]Match{{Type: ResourceBased, Policy: "resource", Effect: EffectDeny}}},
		"cross-account needs both":        {tUser, tOther, pols{identity: allowAll}, ImplicitDeny, ResourceBased, nil},
		"cross-account rp only":           {tUser, tOther, pols{resource: stmtDoc(`{"Effect":"Allow","Principal":{"AWS":"` + tUser + `"},"Action":"*","Resource":"*"}`)}, ImplicitDeny, IdentityBased, nil},
		"cross-account both":              {tUser, tOther, pols{identity: allowAll, resource: stmtDoc(`{"Effect":"Allow","Principal":{"AWS":"` + tUser + `"},"Action":"*","Resource":"*"}`)}, Allow, 0, []Match{{Type: ResourceBased, Policy: "resource", Effect: EffectAllow}, {Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}}},
		"star resource":                   {tUser, "*", pols{identity: allowAll}, Allow, 0, []Match{{Type: IdentityBased, Policy: "identity", Sid: "All", Effect: EffectAllow}}},
		"arn pattern vs star resource":    {tUser, "*", pols{identity: `{"Effect":"Allow","Action":"*","Resource":"arn:aws:mobiletargeting:*:*:*"}`}, ImplicitDeny, IdentityBased, nil},
		"NotAction":                       {tUser, tApp, pols{identity: `{"Effect":"Allow","NotAction":"mobiletargeting:Delete*","Resource":"*"}`}, Allow, 0, []Match{{Type: IdentityBased, Policy: "identity", Effect: EffectAllow}}},
		"NotAction excludes":              {tUser, tApp, pols{identity: `{"Effect":"Allow","NotAction":"mobiletargeting:Get*","Resource":"*"}`}, ImplicitDeny, IdentityBased, nil},
		"NotResource":                     {tUser, tApp, pols{identity: `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:mobiletargeting:*:*:apps/x*"}`}, Allow, 0, []Match{{Type: IdentityBased, Policy: "identity", Effect: EffectAllow}}},
		"NotResource excludes":            {tUser, tApp, pols{identity: `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:mobiletargeting:*:*:apps/a*"}`}, ImplicitDeny, IdentityBased, nil},
		"NotResource unresolved variable": {tUser, tApp, pols{identity: `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:mobiletargeting:*:*:apps/${aws:userid}"}`}, ImplicitDeny, IdentityBased, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := &Input{Principal: PrincipalFromARN(tc.principal), Action: "mobiletargeting:GetApp", Resource: tc.resource, Context: NewContext()}
			if tc.p.identity != "" {
				in.IdentityPolicies = []*Policy{mustParse(t, "identity", IdentityBased, stmtDoc(tc.p.identity))}
			}
			if tc.p.resource != "" {
				in.ResourcePolicy = mustParse(t, "resource", ResourceBased, tc.p.resource)
			}
			if tc.p.boundary != "" {
				in.Boundary = mustParse(t, "boundary", Boundary, stmtDoc(tc.p.boundary))
			}
			if tc.p.session != "" {
				in.SessionPolicies = []*Policy{mustParse(t, "session", Session, stmtDoc(tc.p.session))}
			}
			if tc.p.guardrail != "" {
				in.Guardrails = []*Policy{mustParse(t, "guardrail", Guardrail, stmtDoc(tc.p.guardrail))}
			}
			r := Evaluate(in)
			if r.Decision != tc.want {
				t.Fatalf("Decision = %v, want %v (matched %+v)", r.Decision, tc.want, r.Matched)
			}
			if r.Decision != Allow && r.DeniedBy != tc.deniedBy {
				t.Errorf("DeniedBy = %v, want %v", r.DeniedBy, tc.deniedBy)
			}
			if len(r.Matched) == 0 {
				r.Matched = nil
			}
			if !reflect.DeepEqual(r.Matched, tc.matched) {
				got, _ := json.Marshal(r.Matched)
				want, _ := json.Marshal(tc.matched)
				t.Errorf("Matched = %s\nwant      %s", got, want)
			}
		})
	}
}

func TestEvaluateEdgeCases(t *testing.T) {
	t.Parallel()
	if r := Evaluate(nil); r.Decision != ImplicitDeny {
		t.Errorf("Evaluate(nil) = %v, want ImplicitDeny", r.Decision)
	}
	p := mustParse(t, "p", IdentityBased, stmtDoc(allowAll))
	if r := Evaluate(&Input{IdentityPolicies: []*Policy{p}, Resource: tApp}); r.Decision != ImplicitDeny {
		t.Errorf("empty action = %v, want ImplicitDeny", r.Decision)
	}
	if r := Evaluate(&Input{IdentityPolicies: []*Policy{p}, Action: "mobiletargeting:GetApp"}); r.Decision != ImplicitDeny {
		t.Errorf("empty resource = %v, want ImplicitDeny", r.Decision)
	}
	// A nil context behaves as an empty one; nil policies in lists are skipped.
	in := &Input{Principal: PrincipalFromARN(tUser), Action: "mobiletargeting:GetApp", Resource: tApp, IdentityPolicies: []*Policy{nil, p}}
	if r := Evaluate(in); r.Decision != Allow {
		t.Errorf("nil context = %v, want Allow", r.Decision)
	}
}

// TestEvaluateResultIsOwned: a Result belongs to its caller; a later evaluation does not
// change its Matched.
func TestEvaluateResultIsOwned(t *testing.T) {
	p := mustParse(t, "p", IdentityBased, stmtDoc(allowAll+`,{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"`+tApp+`","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`))
	ctx := NewContext()
	ctx.Set("aws:ResourceTag/team", "blue")
	ctx.Set("aws:PrincipalTag/team", "blue")
	in := &Input{Principal: PrincipalFromARN(tUser), Action: "mobiletargeting:GetApp", Resource: tApp, Context: ctx, IdentityPolicies: []*Policy{p}}
	res := Evaluate(in)
	if res.Decision != Allow || len(res.Matched) != 2 {
		t.Fatalf("Evaluate = %v %+v, want Allow with 2 matches", res.Decision, res.Matched)
	}
	want := append([]Match(nil), res.Matched...)
	other := mustParse(t, "other", IdentityBased, stmtDoc(`{"Sid":"X","Effect":"Allow","Action":"*","Resource":"*"}`))
	for range 3 {
		Evaluate(&Input{Principal: PrincipalFromARN(tUser), Action: "mobiletargeting:GetApp", Resource: tApp, IdentityPolicies: []*Policy{other, other}})
	}
	if !reflect.DeepEqual(res.Matched, want) {
		t.Errorf("Matched after later evaluations = %+v, want %+v", res.Matched, want)
	}
	if n := testing.AllocsPerRun(100, func() { Evaluate(in) }); n > 3 {
		t.Errorf("Evaluate allocates %v times, want at most 3", n)
	}
}
