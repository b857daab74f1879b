// Package upstreampolicy computes the least-privilege IAM identity policy that the
// gateway's own AWS credentials need for a configuration: the actions its store can ever
// allow a caller (forwarded, re-signed, so AWS checks the gateway's identity for them), the
// roles its callers may pass, and the lookups the gateway makes itself (OwnCalls). The
// command `gateway upstream-policy` prints it; the integration suite's fake upstream
// enforces it.
//
// The policy over-approximates what the store allows (conditions are not evaluated, only
// resources narrow it), so AWS never denies what the gateway allowed; what it removes is
// every action and resource no caller can ever reach through the gateway, which bounds
// what a confused-deputy gap could do with the gateway's identity.
package upstreampolicy

import (
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

// Scope is where the store can allow an action: any resource, or the resources matching
// one of its patterns, under an optional condition (only iam:PassRole keeps one: the
// iam:PassedToService clause of the statements that allow it).
type Scope struct {
	// AnyResource: the action can be allowed on any resource ("*").
	AnyResource bool
	// Resources are ARN patterns, sorted and unique; nil when AnyResource.
	Resources []string
	// Condition is the clause kept from the allowing statements; nil when none.
	Condition *authz.GrantCondition
}

// passedToService is the condition key of iam:PassRole that the gateway sets and that an
// upstream statement keeps.
const passedToService = "iam:passedtoservice"

// Reach returns where the store can ever allow action: the union of what the Allow
// statements of its principals' identity policies (narrowed by their permissions
// boundaries) and of its resource-based policies can allow, narrowed by its guardrails
// (SCP semantics: one must allow), each scope at most once. It is empty when no request
// for action can ever be allowed: no statement allows it, or a guardrail, a principal's
// boundary or all its identity policies deny it unconditionally on every resource.
// Session policies are not read: they can only narrow what a role allows.
func Reach(s *authn.Store, action string) []Scope {
	guard, ok := guardrailScope(s.Guardrails(), action)
	if !ok {
		return nil
	}
	var out []Scope
	for _, p := range s.PrincipalARNs() {
		identity, boundary, _ := s.PrincipalPolicies(p)
		out = append(out, principalScopes(identity, boundary, action)...)
	}
	for _, a := range s.ResourcePolicyARNs() {
		rp := s.ResourcePolicy(a)
		if rp.AlwaysDenies(action) || len(rp.Grants(action)) == 0 {
			continue
		}
		out = append(out, Scope{Resources: []string{a}})
	}
	for i := range out {
		out[i] = narrow(out[i], guard)
	}
	return mergeScopes(out)
}

// guardrailScope returns the resources the guardrails leave open for action (AnyResource
// when there are none), false when they never allow it.
func guardrailScope(guardrails []*authz.Policy, action string) (Scope, bool) {
	if len(guardrails) == 0 {
		return Scope{AnyResource: true}, true
	}
	var grants []authz.Grant
	for _, g := range guardrails {
		if g.AlwaysDenies(action) {
			return Scope{}, false
		}
		grants = append(grants, g.Grants(action)...)
	}
	if len(grants) == 0 {
		return Scope{}, false
	}
	return union(grants), true
}

// principalScopes returns where one principal's identity policies can allow action,
// narrowed by its permissions boundary.
func principalScopes(identity []*authz.Policy, boundary *authz.Policy, action string) []Scope {
	bound := Scope{AnyResource: true}
	if boundary != nil {
		bg := boundary.Grants(action)
		if boundary.AlwaysDenies(action) || len(bg) == 0 {
			return nil
		}
		bound = union(bg)
	}
	var out []Scope
	for _, p := range identity {
		if p.AlwaysDenies(action) {
			return nil // it applies to every request of the principal
		}
		for _, g := range p.Grants(action) {
			out = append(out, narrow(scopeOf(g, action), bound))
		}
	}
	return out
}

// scopeOf is the scope of one grant: its resources and, for iam:PassRole, its
// iam:PassedToService clause when that is a plain StringEquals or StringLike.
func scopeOf(g authz.Grant, action string) Scope {
	sc := Scope{AnyResource: g.AnyResource, Resources: sortedUnique(g.Resources)}
	if !strings.EqualFold(action, "iam:PassRole") {
		return sc
	}
	for _, c := range g.Conditions {
		if strings.ToLower(c.Key) == passedToService && (c.Operator == "StringEquals" || c.Operator == "StringLike") {
			c := c
			c.Values = sortedUnique(c.Values)
			sc.Condition = &c
			break
		}
	}
	return sc
}

// union is the scope of several grants together, their conditions dropped.
func union(grants []authz.Grant) Scope {
	var res []string
	for _, g := range grants {
		if g.AnyResource {
			return Scope{AnyResource: true}
		}
		res = append(res, g.Resources...)
	}
	return Scope{Resources: sortedUnique(res)}
}

// narrow returns sc within bound when that is simple to state: a scope on any resource
// takes bound's resources; one with resources of its own keeps them (a superset of the
// intersection, so nothing the store allows is lost).
func narrow(sc, bound Scope) Scope {
	if sc.AnyResource && !bound.AnyResource {
		sc.AnyResource, sc.Resources = false, bound.Resources
	}
	return sc
}

// mergeScopes unites the scopes that share a condition: any resource absorbs the
// patterns; the result is sorted (no condition first).
func mergeScopes(in []Scope) []Scope {
	type acc struct {
		sc   Scope
		keys map[string]bool
	}
	byCond := map[string]*acc{}
	var order []string
	for _, sc := range in {
		k := condKey(sc.Condition)
		a := byCond[k]
		if a == nil {
			a = &acc{sc: Scope{Condition: sc.Condition}, keys: map[string]bool{}}
			byCond[k] = a
			order = append(order, k)
		}
		if a.sc.AnyResource {
			continue
		}
		if sc.AnyResource {
			a.sc.AnyResource, a.sc.Resources = true, nil
			continue
		}
		for _, r := range sc.Resources {
			if !a.keys[r] {
				a.keys[r] = true
				a.sc.Resources = append(a.sc.Resources, r)
			}
		}
	}
	slices.Sort(order)
	out := make([]Scope, 0, len(order))
	for _, k := range order {
		sc := byCond[k].sc
		slices.Sort(sc.Resources)
		out = append(out, sc)
	}
	return out
}

// condKey identifies a condition for grouping ("" for none).
func condKey(c *authz.GrantCondition) string {
	if c == nil {
		return ""
	}
	return c.Operator + "\x00" + strings.ToLower(c.Key) + "\x00" + strings.Join(c.Values, "\x00")
}

func sortedUnique(s []string) []string {
	if s == nil {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
