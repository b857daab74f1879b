package authz

import "strings"

// ReferencesKeyPrefix reports whether a statement of p could read a
// condition key whose name starts with prefix (compared case-insensitively):
// as the key of a Condition clause, or as a policy variable in a condition
// value or a Resource/NotResource pattern. A caller uses it to skip work for
// keys no policy reads, e.g. looking up aws:ResourceTag/… values upstream.
// A nil policy references nothing.
func (p *Policy) ReferencesKeyPrefix(prefix string) bool {
	if p == nil {
		return false
	}
	lp := strings.ToLower(prefix)
	for _, st := range p.stmts {
		for i := range st.resources {
			for _, v := range st.resources[i].t.Variables() {
				if strings.HasPrefix(v, lp) {
					return true
				}
			}
		}
		if st.cond == nil {
			continue
		}
		for _, c := range st.cond.Clauses {
			if strings.HasPrefix(c.LowerKey(), lp) {
				return true
			}
			for j := range c.Values {
				for _, v := range c.Values[j].Variables() {
					if strings.HasPrefix(v, lp) {
						return true
					}
				}
			}
		}
	}
	return false
}

// AnyReferencesKeyPrefix reports whether one of the policies that in
// evaluates (identity, resource-based, boundary, session, guardrails)
// references a key with prefix (see Policy.ReferencesKeyPrefix).
func AnyReferencesKeyPrefix(in *Input, prefix string) bool {
	if in.ResourcePolicy.ReferencesKeyPrefix(prefix) || in.Boundary.ReferencesKeyPrefix(prefix) {
		return true
	}
	for _, set := range [...][]*Policy{in.Identity, in.Session, in.Guardrails} {
		for _, p := range set {
			if p.ReferencesKeyPrefix(prefix) {
				return true
			}
		}
	}
	return false
}
