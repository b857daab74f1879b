package authz

// DenyMessage returns AWS's wording for a denied request, e.g. "User: ARN is not authorized to
// perform: ACTION on resource: RES because no identity-based policy allows the ACTION action",
// or "... with an explicit deny in an identity-based policy". It returns "" for an Allow.
func DenyMessage(principalARN, action, resource string, r Result) string {
	head := "User: " + principalARN + " is not authorized to perform: " + action + " on resource: " + resource
	switch r.Decision {
	case ExplicitDeny:
		return head + " with an explicit deny in " + explicitWhere(r.DeniedBy)
	case ImplicitDeny:
		return head + " because no " + implicitWhat(r.DeniedBy) + " allows the " + action + " action"
	}
	return ""
}

func explicitWhere(t PolicyType) string {
	switch t {
	case ResourceBased:
		return "a resource-based policy"
	case Boundary:
		return "a permissions boundary"
	case Session:
		return "a session policy"
	case Guardrail:
		return "a service control policy"
	}
	return "an identity-based policy"
}

func implicitWhat(t PolicyType) string {
	switch t {
	case ResourceBased:
		return "resource-based policy"
	case Boundary:
		return "permissions boundary"
	case Session:
		return "session policy"
	case Guardrail:
		return "service control policy"
	}
	return "identity-based policy"
}
