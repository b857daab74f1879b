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
	if p == nil || !anyHasPrefix(p.reads, lp) {
		return false
	}
	if action == "" {
		return true
	}
	for _, st := range p.stmts {
		if anyHasPrefix(st.reads, lp) && st.matchAction(action) {
			return true
		}
	}
	return false
}

func anyHasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// AnyReferencesKeyPrefix reports whether one of the policies that in
// evaluates (identity, resource-based, boundary, session, guardrails)
// references a key with prefix (see Policy.ReferencesKeyPrefix).
func AnyReferencesKeyPrefix(in *Input, prefix string) bool {
	var pb [128]byte
	return anyReferences(in, bytesString(appendLower(pb[:0], prefix)), "")
}

// Both compare prefix and action ASCII-case-insensitively: pass any other
// letters of prefix lower-cased (condition keys are stored lower-cased).

// AnyApplicableReferencesKeyPrefix is AnyReferencesKeyPrefix limited to the
// statements that could apply to in.Action (their Action or NotAction
// element matches it): the statements that can take part in the decision.
// The gateway denies when such a statement reads a key whose value it
// cannot know (resource tags it could not learn).
func AnyApplicableReferencesKeyPrefix(in *Input, prefix string) bool {
	var pb, ab [128]byte // lower-cased copies, on the stack for the usual lengths
	lp := bytesString(appendLower(pb[:0], prefix))
	if in.Action == "" {
		return anyReferences(in, lp, "")
	}
	return anyReferences(in, lp, bytesString(appendLower(ab[:0], in.Action)))
}

func anyReferences(in *Input, lp, action string) bool {
	if in.ResourcePolicy.referencesKeyPrefix(lp, action) || in.Boundary.referencesKeyPrefix(lp, action) {
		return true
	}
	for _, set := range [...][]*Policy{in.IdentityPolicies, in.SessionPolicies, in.Guardrails} {
		for _, p := range set {
			if p.referencesKeyPrefix(lp, action) {
				return true
			}
		}
	}
	return false
}
