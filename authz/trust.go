package authz

import (
	"errors"
	"fmt"

	"github.com/pinpointgw/gateway/arn"
)

// TrustPolicy is a role's trust policy: the resource-based policy of the role that says who may
// assume it (sts:AssumeRole) and pass it session tags (sts:TagSession) or a source identity
// (sts:SetSourceIdentity). Its statements name principals and no resource: the policy applies
// to its role. It is immutable and safe for concurrent use.
type TrustPolicy struct {
	p *Policy
}

// errTrustResource is the error of a trust-policy statement with Resource or NotResource.
var errTrustResource = errors.New("has prohibited field (a trust policy applies to its role)")

// ParseTrust strictly parses a trust policy named name: a resource-based policy (Parse with
// ResourceBased) whose statements have neither Resource nor NotResource, as AWS requires.
// Errors are *PolicyError.
func ParseTrust(name string, doc []byte) (*TrustPolicy, error) {
	p, err := Parse(name, doc, ResourceBased)
	if err != nil {
		return nil, err
	}
	for i, st := range p.stmts {
		if !st.hasResource {
			continue
		}
		field := "Resource"
		if st.notResource {
			field = "NotResource"
		}
		return nil, &PolicyError{Policy: name, Statement: i, Sid: st.sid, Field: field,
			Err: fmt.Errorf("%w: %w", ErrInvalid, errTrustResource)}
	}
	return &TrustPolicy{p: p}, nil
}

// Policy returns the trust policy as the resource-based policy it is (for Lint, or to name it).
func (t *TrustPolicy) Policy() *Policy { return t.p }

// Evaluate decides in — one of the AssumeRole family of actions (sts:AssumeRole,
// sts:TagSession, sts:SetSourceIdentity) on the role in.Resource — with t as the role's
// resource-based policy (in.ResourcePolicy is ignored).
//
// A role is not like other resources. Within one account a resource-based policy is not needed
// when an identity policy allows; to assume a role it always is: the role's trust policy itself
// must allow the caller, by the caller's ARN, its role, its account or "*", and AWS never
// assumes a role on an identity-policy allow alone. So Evaluate allows only when both hold:
//
//   - the whole evaluation allows (identity policies, permissions boundary, session policies,
//     guardrails and the trust policy, with Evaluate's rules: a trust policy that names the
//     account root needs an identity allow too; one naming the caller's ARN suffices);
//   - the trust policy alone allows, and does not deny.
//
// A deny of the whole evaluation is returned as it is; when only the trust policy alone does not
// allow, the result is an implicit deny by the resource-based policy, with no matched statements.
func (t *TrustPolicy) Evaluate(in *Input) Result {
	full := *in
	full.ResourcePolicy = t.p
	res := Evaluate(&full)
	if res.Decision != Allow {
		return res
	}
	if gate := t.allowsAlone(&full); gate.Decision != Allow {
		return gate
	}
	return res
}

// allowEverything is the identity side of allowsAlone's question: it allows everything.
var allowEverything = func() *Policy {
	p, err := Parse("trust gate", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), IdentityBased)
	if err != nil {
		panic("authz: the trust gate policy does not parse: " + err.Error())
	}
	return p
}()

// allowsAlone answers whether the trust policy by itself allows in. Evaluate's same-account
// rule lets an identity allow suffice, so the question is asked as a cross-account one (the
// role's ARN under another account ID, which a trust policy cannot tell apart since it has no
// Resource element) with an identity side that allows everything: the answer is then Allow
// exactly when the trust policy allows and does not deny.
func (t *TrustPolicy) allowsAlone(in *Input) Result {
	g := Input{
		Principal: in.Principal, Action: in.Action, Context: in.Context,
		Resource:         otherAccount(in.Resource),
		IdentityPolicies: []*Policy{allowEverything},
		ResourcePolicy:   t.p,
	}
	res := Evaluate(&g)
	if res.Decision != Allow {
		res.DeniedBy = ResourceBased
		res.Matched = nil
	}
	return res
}

// otherAccount returns the ARN s under an account ID other than its own (its last digit
// changed), s itself when it is not an ARN with an account.
func otherAccount(s string) string {
	parts, ok := arn.Split(s)
	if !ok || parts[4] == "" {
		return s
	}
	acct := parts[4]
	last := byte('0')
	if acct[len(acct)-1] == '0' {
		last = '1'
	}
	return arn.ARN{Partition: parts[1], Service: parts[2], Region: parts[3],
		Account: acct[:len(acct)-1] + string(last), Resource: parts[5]}.String()
}
