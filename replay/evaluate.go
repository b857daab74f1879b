package replay

import (
	"slices"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/decide"
)

// Policies are the policies a replayed request is decided under.
type Policies struct {
	Identity   []*authz.Policy
	Boundary   *authz.Policy
	Session    []*authz.Policy
	Guardrails []*authz.Policy
	// ResourcePolicy returns the resource-based policy of an ARN, nil for
	// none; a nil ResourcePolicy means no resource has one.
	ResourcePolicy func(arn string) *authz.Policy
}

// Outcome is a replayed decision.
type Outcome struct {
	Decision authz.Decision
	// Matched are the statements that decided, accumulated over the pairs
	// evaluated as the gateway's audit record accumulates them.
	Matched []authz.Match
	// Pair is the index in Record.Pairs of the first pair not allowed, -1
	// when every pair is allowed.
	Pair int
	// Undecidable, for a deny, is the unknown key prefix a statement
	// applicable to the pair reads (see decide.Undecidable): the gateway
	// denies a pair it cannot decide. "" otherwise.
	Undecidable string
	// Unrecorded says the deny is Undecidable only because the record
	// lacks the pair's resource tags (the gateway did not need them when
	// it recorded the request, could not obtain them, or did not reach the
	// pair): the gateway, which would look them up, might decide
	// otherwise. Callers report such an outcome as not replayable.
	Unrecorded bool
}

// Evaluate decides the record's pairs under p with the recorded context,
// as the gateway does: every pair must be allowed; each is evaluated with
// the request-wide context plus its own per-resource keys, and denied when
// a statement that can apply to it reads a key whose value the gateway
// did not know (decide.Pair, the gateway's own rule). Pairs the gateway did
// not reach get their account keys (decide.ResourceKeys) and are treated
// as having unknown resource tags.
func Evaluate(r *Record, p Policies) Outcome {
	c := authz.NewContext()
	for k, v := range r.Context {
		setKey(c, k, v, r.ContextMulti[k])
	}
	principal := authz.PrincipalFromARN(r.PrincipalARN)
	if r.RoleARN != "" {
		principal.RoleARN = r.RoleARN
	}
	in := &authz.Input{
		Principal:        principal,
		Context:          c,
		IdentityPolicies: p.Identity,
		Boundary:         p.Boundary,
		SessionPolicies:  p.Session,
		Guardrails:       p.Guardrails,
	}
	orgID := first(r.Context["aws:principalorgid"])
	out := Outcome{Decision: authz.Allow, Pair: -1}
	var unknown []string
	for i := range r.Pairs {
		pair := &r.Pairs[i]
		in.Action, in.Resource, in.ResourcePolicy = pair.Action, pair.Resource, nil
		if pair.Resource != "*" && p.ResourcePolicy != nil {
			in.ResourcePolicy = p.ResourcePolicy(pair.Resource)
		}
		unknown = append(unknown[:0], r.ContextUnknown...)
		var set []string
		unknown = append(unknown, pair.Unknown...)
		if pair.Evaluated {
			for k, v := range pair.Keys {
				setKey(c, k, v, pair.Multi[k])
				set = append(set, k)
			}
		} else {
			acct, org := decide.ResourceKeys(pair.Resource, principal.Account, orgID)
			if acct != "" {
				c.SetLower(decide.KeyResourceAccount, acct)
				set = append(set, decide.KeyResourceAccount)
			}
			if org != "" {
				c.SetLower(decide.KeyResourceOrgID, org)
				set = append(set, decide.KeyResourceOrgID)
			}
			if pair.PassedToService != "" {
				c.SetLower(decide.KeyPassedToService, pair.PassedToService)
				set = append(set, decide.KeyPassedToService)
			}
		}
		res, undecidable := decide.Pair(in, unknown)
		for _, k := range set {
			c.DeleteLower(k)
		}
		out.Matched = append(out.Matched, res.Matched...)
		if res.Decision != authz.Allow {
			out.Decision, out.Pair, out.Undecidable = res.Decision, i, undecidable
			out.Unrecorded = undecidable == decide.PrefixResourceTag
			return out
		}
	}
	if len(r.Pairs) == 0 {
		out.Decision = authz.ImplicitDeny // nothing to allow: the operation maps to no action
	}
	return out
}

func setKey(c *authz.Context, k string, v []string, multi bool) {
	switch {
	case multi:
		c.SetMulti(k, v)
	case len(v) > 0:
		c.SetLower(k, v[0])
	}
}

// ForStore returns the policies a store gives the record's principal
// (identity policies of the user or role, boundary, resource policies,
// guardrails + extra guardrails), the recorded session policies; ok false
// when the store does not know the principal, or no longer has a managed
// policy the session was given (then the gateway refuses the session's
// credentials, and the new decision is an implicit deny, reported as
// such). Principal tags and resource tags are not taken from the store:
// the record's context holds them as they were.
func ForStore(s *authn.Store, r *Record, extraGuardrails []*authz.Policy) (p Policies, ok bool) {
	identity, boundary, ok := s.PrincipalPolicies(r.PrincipalARN)
	if !ok {
		return Policies{}, false
	}
	p = Policies{Identity: identity, Boundary: boundary, ResourcePolicy: s.ResourcePolicy}
	if r.inlineSession != nil {
		p.Session = append(p.Session, r.inlineSession)
	}
	for _, n := range r.SessionPolicyNames {
		mp, found := s.ManagedPolicy(n)
		if !found {
			return Policies{}, false
		}
		p.Session = append(p.Session, mp)
	}
	p.Guardrails = s.Guardrails()
	if len(extraGuardrails) > 0 {
		p.Guardrails = append(slices.Clip(p.Guardrails), extraGuardrails...)
	}
	return p, true
}
