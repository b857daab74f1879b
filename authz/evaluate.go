package authz

import "github.com/pinpointgw/gateway/authz/internal/condition"

// Input is one authorization question: may Principal perform Action on Resource, given these
// policies and this request context? A request with several resources is allowed only if every
// one of them is: ask once per resource.
type Input struct {
	Principal      Principal
	Action         string    // "mobiletargeting:GetApps"
	Resource       string    // ARN, or "*" for actions without a resource type
	Context        *Context  // nil = no condition keys
	Identity       []*Policy // user's (+ groups') or role's identity policies
	ResourcePolicy *Policy   // resource-based policy of Resource; nil if none
	Boundary       *Policy   // nil = no permissions boundary
	Session        []*Policy // nil/empty = no session policy
	Guardrails     []*Policy // nil/empty = none; if any, one must allow (SCP semantics)
}

// Match names one statement that decided.
type Match struct {
	Type   PolicyType `json:"type"`
	Policy string     `json:"policy"`
	Sid    string     `json:"sid"`
	Index  int        `json:"index"`
	Effect Effect     `json:"effect"`
}

// Result is a decision with its reasons.
type Result struct {
	Decision Decision
	// DeniedBy says, for a deny, which policy type denied explicitly or failed to allow (for
	// AWS's message wording). Meaningless for Allow.
	DeniedBy PolicyType
	// Matched lists the statements that decided: every matching Deny statement for an explicit
	// deny; the Allow statements that granted access for an allow; nothing for an implicit deny.
	Matched []Match

	grants []grant // grant kind of each Matched entry (resource-based statements)
	env    condition.Env
	lower  []byte
	res    reqResource
}

// Evaluate decides in.
func Evaluate(in *Input) Result {
	var r Result
	EvaluateTo(in, &r)
	return r
}

// evaluation flags, per policy type.
type typeState struct {
	present bool
	allow   bool
	deny    bool
}

// EvaluateTo decides in into res, reusing res.Matched's storage: in the steady state it does not
// allocate. It follows AWS's policy evaluation logic:
//
//  1. an explicit Deny in any policy denies;
//  2. if guardrails are configured, one of them must allow;
//  3. within the resource's account, a resource-based policy that names the caller's user or
//     role-session ARN allows by itself; one that names everyone ("*", NotPrincipal) allows
//     when the session policy (if any) allows too; one that names the caller's role allows
//     when the permissions boundary and session policy (if any) allow too;
//  4. otherwise the identity policies must allow, and so must the permissions boundary and the
//     session policy when present; across accounts the resource-based policy must allow as well.
func EvaluateTo(in *Input, res *Result) {
	res.Decision, res.DeniedBy = ImplicitDeny, Identity
	res.Matched, res.grants = res.Matched[:0], res.grants[:0]
	if in == nil || in.Action == "" || in.Resource == "" { // malformed questions deny
		return
	}
	res.lower = appendLower(res.lower[:0], in.Action)
	hash := actionHash(res.lower)
	lowerAction := bytesString(res.lower) // res.lower is not modified until the next evaluation
	res.res.s = in.Resource
	res.res.parts, res.res.arn = condition.ArnParts(in.Resource)
	if in.Context != nil {
		res.env.Keys = in.Context
	} else {
		res.env.Keys = nil
	}
	var st [Guardrail + 1]typeState
	var firstDeny PolicyType = -1
	var granted [grantDirect + 1]bool // resource-based Allow statements, by how they named the caller

	eval := func(p *Policy, t PolicyType) {
		if p == nil {
			return
		}
		st[t].present = true
		var ex []int32
		if p.mayName(hash) {
			ex = p.exact[string(res.lower)]
		}
		w := p.wild
		for len(ex) > 0 || len(w) > 0 {
			var i int32
			checkAction := false
			if len(w) == 0 || (len(ex) > 0 && ex[0] < w[0]) {
				i, ex = ex[0], ex[1:]
			} else {
				i, w = w[0], w[1:]
				checkAction = true
			}
			s := p.stmts[i]
			if checkAction && !s.matchAction(lowerAction) {
				continue
			}
			g := grantDirect
			if t == ResourceBased {
				g = s.matchPrincipal(&in.Principal)
				// AWS: "The NotPrincipal element with a Deny effect will always deny any IAM
				// principal that has a permissions boundary policy attached, regardless of the
				// values specified in the NotPrincipal element."
				if g == grantNone && s.notPrincipal && s.effect == EffectDeny && in.Boundary != nil {
					g = grantEveryone
				}
				if g == grantNone {
					continue
				}
			}
			if !s.matchResource(&res.res, &res.env) || !s.cond.Eval(&res.env) {
				continue
			}
			if s.effect == EffectDeny {
				st[t].deny = true
				if firstDeny < 0 {
					firstDeny = t
				}
			} else {
				st[t].allow = true
				if t == ResourceBased {
					granted[g] = true
				}
			}
			res.Matched = append(res.Matched, Match{Type: t, Policy: p.name, Sid: s.sid, Index: int(i), Effect: s.effect})
			res.grants = append(res.grants, g)
		}
	}
	// Evaluation order (also the order of Matched): guardrails, resource-based, identity,
	// boundary, session.
	for _, p := range in.Guardrails {
		eval(p, Guardrail)
	}
	eval(in.ResourcePolicy, ResourceBased)
	for _, p := range in.Identity {
		eval(p, Identity)
	}
	eval(in.Boundary, Boundary)
	for _, p := range in.Session {
		eval(p, Session)
	}

	if firstDeny >= 0 {
		res.Decision, res.DeniedBy = ExplicitDeny, firstDeny
		res.keep(func(m *Match, _ grant) bool { return m.Effect == EffectDeny })
		return
	}
	if st[Guardrail].present && !st[Guardrail].allow {
		res.DeniedBy = Guardrail
		res.Matched, res.grants = res.Matched[:0], res.grants[:0]
		return
	}
	boundaryOK := !st[Boundary].present || st[Boundary].allow
	sessionOK := !st[Session].present || st[Session].allow
	identityOK := st[Identity].allow && boundaryOK && sessionOK

	resAcct := ""
	if res.res.arn {
		resAcct = res.res.parts[4]
	}
	sameAccount := resAcct == "" || in.Principal.Account == "" || resAcct == in.Principal.Account
	if sameAccount {
		// Which resource-based grants stand on their own (AWS, "Policy evaluation logic" and
		// "Session policies"): a statement naming the user or role-session ARN is limited by
		// nothing but explicit denies and guardrails; one naming everyone is limited by a
		// session policy; one naming the role by the boundary and the session policy; one naming
		// the account delegates to identity policies.
		var direct grant
		switch {
		case granted[grantDirect]:
			direct = grantDirect
		case granted[grantEveryone] && sessionOK:
			direct = grantEveryone
		case granted[grantRole] && boundaryOK && sessionOK:
			direct = grantRole
		}
		switch {
		case direct == grantDirect:
			res.Decision = Allow
			res.keep(func(m *Match, g grant) bool {
				return m.Type == Guardrail || (m.Type == ResourceBased && g == grantDirect)
			})
			return
		case direct != grantNone:
			res.Decision = Allow
			res.keep(func(m *Match, g grant) bool {
				return m.Type == Guardrail || m.Type == Session || (m.Type == Boundary && direct == grantRole) ||
					(m.Type == ResourceBased && (g == grantEveryone || g == grantRole))
			})
			return
		case identityOK:
			res.Decision = Allow
			res.keep(func(m *Match, _ grant) bool { return m.Type != ResourceBased })
			return
		}
	} else if identityOK && st[ResourceBased].allow {
		res.Decision = Allow
		res.keep(func(*Match, grant) bool { return true })
		return
	}
	// Name the policy type that failed to allow, for AWS's message wording: a resource-based
	// grant to the role or to everyone that was cut off by the boundary or the session policy
	// names those; otherwise the identity policies, then the boundary and the session policy.
	rpLimited := sameAccount && (granted[grantRole] || granted[grantEveryone])
	switch {
	case !st[Identity].allow && !rpLimited:
		res.DeniedBy = Identity
	case !boundaryOK && (st[Identity].allow || granted[grantRole]):
		res.DeniedBy = Boundary
	case !sessionOK:
		res.DeniedBy = Session
	case !st[Identity].allow:
		res.DeniedBy = Identity
	default:
		res.DeniedBy = ResourceBased
	}
	res.Matched, res.grants = res.Matched[:0], res.grants[:0]
}

// keep filters Matched in place.
func (res *Result) keep(pred func(m *Match, g grant) bool) {
	n := 0
	for i := range res.Matched {
		if pred(&res.Matched[i], res.grants[i]) {
			res.Matched[n] = res.Matched[i]
			res.grants[n] = res.grants[i]
			n++
		}
	}
	res.Matched, res.grants = res.Matched[:n], res.grants[:n]
}
