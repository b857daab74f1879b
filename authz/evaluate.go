package authz

import (
	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authz/internal/condition"
)

// Input is one authorization question: may Principal perform Action on Resource, given these
// policies and this request context? A request with several resources is allowed only if every
// one of them is: ask once per resource.
type Input struct {
	Principal        Principal
	Action           string    // "mobiletargeting:GetApps"
	Resource         string    // ARN, or "*" for actions without a resource type
	Context          *Context  // nil = no condition keys
	IdentityPolicies []*Policy // user's (+ groups') or role's identity policies
	ResourcePolicy   *Policy   // resource-based policy of Resource; nil if none
	Boundary         *Policy   // nil = no permissions boundary
	SessionPolicies  []*Policy // nil/empty = no session policy
	Guardrails       []*Policy // nil/empty = none; if any, one must allow (SCP semantics)
}

// Match names one statement that decided.
type Match struct {
	Type   PolicyType `json:"type"`
	Policy string     `json:"policy"`
	Sid    string     `json:"sid"`
	Index  int        `json:"index"`
	Effect Effect     `json:"effect"`
}

// Result is a decision with its reasons. It belongs to the caller: no later evaluation
// touches it.
type Result struct {
	Decision Decision
	// DeniedBy says, for a deny, which policy type denied explicitly or failed to allow (for
	// AWS's message wording). Meaningless for Allow.
	DeniedBy PolicyType
	// Matched lists the statements that decided: every matching Deny statement for an explicit
	// deny; the Allow statements that granted access for an allow; nothing for an implicit deny.
	Matched []Match
}

// Evaluate decides in. It follows AWS's policy evaluation logic:
//
//  1. an explicit Deny in any policy denies;
//  2. if guardrails are configured, one of them must allow;
//  3. within the resource's account, a resource-based policy that names the caller's user or
//     role-session ARN allows by itself; one that names everyone ("*", NotPrincipal) allows
//     when the session policy (if any) allows too; one that names the caller's role allows
//     when the permissions boundary and session policy (if any) allow too;
//  4. otherwise the identity policies must allow, and so must the permissions boundary and the
//     session policy when present; across accounts the resource-based policy must allow as well.
func Evaluate(in *Input) Result {
	if in == nil || in.Action == "" || in.Resource == "" { // malformed questions deny
		return Result{Decision: ImplicitDeny, DeniedBy: IdentityBased}
	}
	var e evaluation
	e.start(in)
	e.collect()
	return e.decide()
}

// evaluation is the state of one Evaluate call: the question, prepared for matching, and
// what the matching statements said, per policy type.
type evaluation struct {
	in     *Input
	action []byte // in.Action, lower-cased
	hash   uint32 // actionHash(action)
	res    reqResource
	env    condition.Env
	// sameAccount: the resource is in the caller's account, or either account is unknown.
	sameAccount bool

	matches   []stmtMatch // every matching statement, in evaluation order
	types     [Guardrail + 1]typeState
	firstDeny PolicyType            // the type of the first matching Deny statement; -1 if none
	granted   [grantDirect + 1]bool // resource-based Allow statements, by how they named the caller

	// Initial storage of action, env's scratch and matches, enough for most questions.
	actionBuf  [64]byte
	scratchBuf [128]byte
	matchBuf   [4]stmtMatch
}

// typeState is what the statements of one policy type said.
type typeState struct {
	present bool // a policy of the type is in the question
	allow   bool // an Allow statement matched
}

// stmtMatch is a matching statement and how it named the caller (grantDirect unless it is
// resource-based).
type stmtMatch struct {
	Match
	grant grant
}

// start prepares in for matching: the action lower-cased and hashed once, the resource split
// into its ARN parts once.
func (e *evaluation) start(in *Input) {
	e.in = in
	e.action = appendLower(e.actionBuf[:0], in.Action)
	e.hash = actionHash(e.action)
	e.res.s = in.Resource
	e.res.parts, e.res.arn = arn.Split(in.Resource)
	e.env.UseScratch(e.scratchBuf[:])
	e.matches = e.matchBuf[:0]
	if in.Context != nil {
		e.env.Keys = in.Context
	}
	resAcct := ""
	if e.res.arn {
		resAcct = e.res.parts[4]
	}
	e.sameAccount = resAcct == "" || in.Principal.Account == "" || resAcct == in.Principal.Account
	e.firstDeny = -1
}

// collect finds the matching statements of every policy, in the order of Matched: guardrails,
// resource-based, identity, boundary, session.
func (e *evaluation) collect() {
	for _, p := range e.in.Guardrails {
		e.collectPolicy(p, Guardrail)
	}
	e.collectPolicy(e.in.ResourcePolicy, ResourceBased)
	for _, p := range e.in.IdentityPolicies {
		e.collectPolicy(p, IdentityBased)
	}
	e.collectPolicy(e.in.Boundary, Boundary)
	for _, p := range e.in.SessionPolicies {
		e.collectPolicy(p, Session)
	}
}

// collectPolicy records the statements of p, a policy of type t, that apply to the request.
// Through the action index it visits only the statements that name the action exactly and
// those with wildcards or NotAction, in statement order.
func (e *evaluation) collectPolicy(p *Policy, t PolicyType) {
	if p == nil {
		return
	}
	e.types[t].present = true
	var ex []int32
	if p.mayName(e.hash) {
		ex = p.exact[string(e.action)]
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
		if checkAction && !s.matchAction(bytesString(e.action)) {
			continue
		}
		if g, ok := e.applies(s, t); ok {
			e.record(p, s, t, i, g)
		}
	}
}

// applies reports whether s, a statement of a type-t policy that names the action, applies to
// the request: its principal (resource-based policies), resource and condition; g says how it
// named the caller.
func (e *evaluation) applies(s *statement, t PolicyType) (g grant, ok bool) {
	g = grantDirect
	if t == ResourceBased {
		g = s.matchPrincipal(&e.in.Principal)
		// AWS: "The NotPrincipal element with a Deny effect will always deny any IAM
		// principal that has a permissions boundary policy attached, regardless of the
		// values specified in the NotPrincipal element."
		if g == grantNone && s.notPrincipal && s.effect == EffectDeny && e.in.Boundary != nil {
			g = grantEveryone
		}
		if g == grantNone {
			return grantNone, false
		}
	}
	return g, s.matchResource(&e.res, &e.env) && s.cond.Eval(&e.env)
}

// record notes that s, statement i of p, a type-t policy, applies.
func (e *evaluation) record(p *Policy, s *statement, t PolicyType, i int32, g grant) {
	if s.effect == EffectDeny {
		if e.firstDeny < 0 {
			e.firstDeny = t
		}
	} else {
		e.types[t].allow = true
		if t == ResourceBased {
			e.granted[g] = true
		}
	}
	e.matches = append(e.matches, stmtMatch{
		Match: Match{Type: t, Policy: p.name, Sid: s.sid, Index: int(i), Effect: s.effect},
		grant: g,
	})
}

// decide applies the evaluation logic to the matching statements.
func (e *evaluation) decide() Result {
	if e.firstDeny >= 0 {
		return e.result(ExplicitDeny, e.firstDeny, byExplicitDeny)
	}
	if e.types[Guardrail].present && !e.types[Guardrail].allow {
		return Result{Decision: ImplicitDeny, DeniedBy: Guardrail}
	}
	if b := e.allowedBy(); b != byNothing {
		return e.result(Allow, IdentityBased, b)
	}
	return Result{Decision: ImplicitDeny, DeniedBy: e.deniedBy()}
}

// basis says what decided a request, and so which matching statements its Result lists.
type basis int

const (
	byNothing basis = iota
	// A Deny statement (every matching Deny statement is listed).
	byExplicitDeny
	// A same-account resource-based statement naming the caller's user or role-session ARN.
	byDirectGrant
	// A same-account resource-based statement naming everyone, with the session policy.
	byEveryoneGrant
	// A same-account resource-based statement naming the caller's role, with the boundary and
	// the session policy.
	byRoleGrant
	// The identity policies, with the boundary and the session policy (same account).
	byIdentity
	// The identity policies, the boundary, the session policy and the resource-based policy
	// (across accounts).
	byIdentityAndResource
)

// lists reports whether a decision on basis b lists m: for an explicit deny the Deny
// statements; for an allow the guardrails' statements and those of the policies that allowed.
func (b basis) lists(m *stmtMatch) bool {
	switch b {
	case byExplicitDeny:
		return m.Effect == EffectDeny
	case byDirectGrant:
		return m.Type == Guardrail || (m.Type == ResourceBased && m.grant == grantDirect)
	case byEveryoneGrant, byRoleGrant:
		return m.Type == Guardrail || m.Type == Session || (m.Type == Boundary && b == byRoleGrant) ||
			(m.Type == ResourceBased && (m.grant == grantEveryone || m.grant == grantRole))
	case byIdentity:
		return m.Type != ResourceBased
	case byIdentityAndResource:
		return true
	}
	return false
}

// result returns the decision with the matching statements b lists.
func (e *evaluation) result(d Decision, deniedBy PolicyType, b basis) Result {
	r := Result{Decision: d, DeniedBy: deniedBy}
	n := 0
	for i := range e.matches {
		if b.lists(&e.matches[i]) {
			n++
		}
	}
	if n == 0 {
		return r
	}
	r.Matched = make([]Match, 0, n)
	for i := range e.matches {
		if b.lists(&e.matches[i]) {
			r.Matched = append(r.Matched, e.matches[i].Match)
		}
	}
	return r
}

// allowedBy decides whether the request, which no statement denies explicitly and no
// guardrail leaves unallowed, is allowed: by a same-account resource-based grant that stands
// on its own, else by the identity-side policies (and, across accounts, the resource-based
// policy).
func (e *evaluation) allowedBy() basis {
	identityOK := e.types[IdentityBased].allow && e.allows(Boundary) && e.allows(Session)
	if !e.sameAccount {
		if identityOK && e.types[ResourceBased].allow {
			return byIdentityAndResource
		}
		return byNothing
	}
	// Which resource-based grants stand on their own (AWS, "Policy evaluation logic" and
	// "Session policies"): a statement naming the user or role-session ARN is limited by
	// nothing but explicit denies and guardrails; one naming everyone is limited by a session
	// policy; one naming the role by the boundary and the session policy; one naming the
	// account delegates to identity policies.
	switch {
	case e.granted[grantDirect]:
		return byDirectGrant
	case e.granted[grantEveryone] && e.allows(Session):
		return byEveryoneGrant
	case e.granted[grantRole] && e.allows(Boundary) && e.allows(Session):
		return byRoleGrant
	case identityOK:
		return byIdentity
	}
	return byNothing
}

// allows reports whether the optional policy type t (boundary, session) is absent or allows.
func (e *evaluation) allows(t PolicyType) bool {
	return !e.types[t].present || e.types[t].allow
}

// deniedBy names the policy type that failed to allow, for AWS's message wording: a
// resource-based grant to the role or to everyone that was cut off by the boundary or the
// session policy names those; otherwise the identity policies, then the boundary and the
// session policy.
func (e *evaluation) deniedBy() PolicyType {
	identity := e.types[IdentityBased].allow
	rpLimited := e.sameAccount && (e.granted[grantRole] || e.granted[grantEveryone])
	switch {
	case !identity && !rpLimited:
		return IdentityBased
	case !e.allows(Boundary) && (identity || e.granted[grantRole]):
		return Boundary
	case !e.allows(Session):
		return Session
	case !identity:
		return IdentityBased
	}
	return ResourceBased
}
