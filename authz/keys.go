package authz

import "strings"

// ReferencesKeyPrefix reports whether a statement of p could read a
// condition key whose name starts with prefix (compared case-insensitively):
// as the key of a Condition clause, or as a policy variable in a condition
// value or a Resource/NotResource pattern. A caller uses it to skip work for
// keys no policy reads, e.g. looking up aws:ResourceTag/… values upstream.
// A nil policy references nothing.
func (p *Policy) ReferencesKeyPrefix(prefix string) bool {
	return p.referencesKeyPrefix(strings.ToLower(prefix), "")
}

// referencesKeyPrefix is ReferencesKeyPrefix for a lower-cased prefix,
// limited to the statements whose Action/NotAction element matches the
// lower-cased action, unless action is "".
func (p *Policy) referencesKeyPrefix(lp, action string) bool {
	if p == nil {
		return false
	}
	for _, st := range p.stmts {
		if action != "" && !st.matchAction(action) {
			continue
		}
		if st.readsKeyPrefix(lp) {
			return true
		}
	}
	return false
}

// readsKeyPrefix reports whether the statement could read a key starting
// with the lower-cased prefix lp.
func (st *statement) readsKeyPrefix(lp string) bool {
	for i := range st.resources {
		for _, v := range st.resources[i].t.Variables() {
			if strings.HasPrefix(v, lp) {
				return true
			}
		}
	}
	if st.cond == nil {
		return false
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
	return false
}

// AnyReferencesKeyPrefix reports whether one of the policies that in
// evaluates (identity, resource-based, boundary, session, guardrails)
// references a key with prefix (see Policy.ReferencesKeyPrefix).
func AnyReferencesKeyPrefix(in *Input, prefix string) bool {
	return anyReferences(in, strings.ToLower(prefix), "")
}

// AnyApplicableReferencesKeyPrefix is AnyReferencesKeyPrefix limited to the
// statements that could apply to in.Action (their Action or NotAction
// element matches it): the statements that can take part in the decision.
// The gateway denies when such a statement reads a key whose value it
// cannot know (resource tags it could not learn).
func AnyApplicableReferencesKeyPrefix(in *Input, prefix string) bool {
	return anyReferences(in, strings.ToLower(prefix), strings.ToLower(in.Action))
}

func anyReferences(in *Input, lp, action string) bool {
	if in.ResourcePolicy.referencesKeyPrefix(lp, action) || in.Boundary.referencesKeyPrefix(lp, action) {
		return true
	}
	for _, set := range [...][]*Policy{in.Identity, in.Session, in.Guardrails} {
		for _, p := range set {
			if p.referencesKeyPrefix(lp, action) {
				return true
			}
		}
	}
	return false
}
