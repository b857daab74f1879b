package authn

import "sort"

// PrincipalARNs returns the ARNs of the store's users and roles, sorted. With
// PrincipalPolicies they are every identity whose policies can allow a request (a role's
// sessions have the role's policies, which session policies can only narrow).
func (s *Store) PrincipalARNs() []string {
	out := make([]string, 0, len(s.users)+len(s.roles))
	for _, u := range s.users {
		out = append(out, u.arn)
	}
	for _, r := range s.roles {
		out = append(out, r.arn)
	}
	sort.Strings(out)
	return out
}

// ResourcePolicyARNs returns the ARNs that have a resource-based policy (ResourcePolicy),
// sorted.
func (s *Store) ResourcePolicyARNs() []string {
	out := make([]string, 0, len(s.resourcePolicies))
	for a := range s.resourcePolicies {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
