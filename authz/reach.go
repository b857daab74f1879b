package authz

import "strings"

// Grant is what one Allow statement of a policy can allow for an action, whatever the
// request: it over-approximates, since the statement's conditions are reported, never
// evaluated. The gateway's upstream policy (package upstreampolicy) is built from grants.
type Grant struct {
	// AnyResource is true when the statement can apply to any resource: a Resource of "*",
	// a NotResource element, a Resource pattern with a policy variable before its resource
	// part, or no Resource element (a resource-based statement, which applies to its
	// policy's resource).
	AnyResource bool
	// Resources are the statement's Resource patterns as written ("${*}" escapes kept),
	// except that a policy variable in the resource part (after the fifth colon) is
	// replaced by "*", which matches whatever the variable resolves to; nil when
	// AnyResource.
	Resources []string
	// Conditions are the statement's condition clauses, as written.
	Conditions []GrantCondition
}

// GrantCondition is one condition clause of a statement: an operator applied to a key.
type GrantCondition struct {
	Operator string   // as written, e.g. "StringEquals" or "ForAnyValue:StringLike"
	Key      string   // as written
	Values   []string // as written
}

// Grants returns what each Allow statement of p whose Action (or NotAction) element
// matches action can allow, in statement order; nil when none can.
func (p *Policy) Grants(action string) []Grant {
	if p == nil {
		return nil
	}
	lower := string(appendLower(nil, action))
	var out []Grant
	for _, st := range p.stmts {
		if st.effect != EffectAllow || !st.matchAction(lower) {
			continue
		}
		out = append(out, st.grant())
	}
	return out
}

// grant describes what the statement can allow.
func (st *statement) grant() Grant {
	var g Grant
	if !st.hasResource || st.notResource {
		g.AnyResource = true
	} else {
		for i := range st.resources {
			t := &st.resources[i].t
			r, ok := t.Raw(), true
			if !t.Constant() {
				r, ok = widenVariables(r)
			}
			if !ok || r == "*" {
				g.AnyResource, g.Resources = true, nil
				break
			}
			g.Resources = append(g.Resources, r)
		}
	}
	if st.cond != nil {
		for _, c := range st.cond.Clauses {
			gc := GrantCondition{Operator: c.Operator, Key: c.Key}
			for i := range c.Values {
				gc.Values = append(gc.Values, c.Values[i].Raw())
			}
			g.Conditions = append(g.Conditions, gc)
		}
	}
	return g
}

// AlwaysDenies reports whether p has a Deny statement without conditions whose Action (or
// NotAction) element matches action and that applies to every resource (Resource "*", no
// NotResource): then no request for action is ever allowed where p applies.
func (p *Policy) AlwaysDenies(action string) bool {
	if p == nil {
		return false
	}
	lower := string(appendLower(nil, action))
	for _, st := range p.stmts {
		if st.effect != EffectDeny || st.cond != nil || st.principal != nil || !st.matchAction(lower) {
			continue
		}
		if !st.hasResource {
			return true
		}
		if st.notResource {
			continue
		}
		for i := range st.resources {
			if t := &st.resources[i].t; t.Constant() && t.Raw() == "*" {
				return true
			}
		}
	}
	return false
}

// widenVariables replaces each policy variable of an ARN pattern by "*", keeping the
// escapes ${*}, ${?} and ${$}; false when a variable is before the resource part (there a
// value with a colon would shift the ARN's parts).
func widenVariables(pattern string) (string, bool) {
	var b strings.Builder
	colons := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == ':' {
			colons++
		}
		if c != '$' || i+1 >= len(pattern) || pattern[i+1] != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(pattern[i:], '}')
		if end < 0 {
			return "", false
		}
		name := pattern[i+2 : i+end]
		if name == "*" || name == "?" || name == "$" {
			b.WriteString(pattern[i : i+end+1])
		} else {
			if colons < 5 {
				return "", false
			}
			b.WriteByte('*')
		}
		i += end
	}
	return b.String(), true
}
