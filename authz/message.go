package authz

// This file is the one home of AWS's access-denied wording: every deny the gateway writes, for
// a policy decision or for a question it cannot decide, is spelled here.

// NotAuthorized returns AWS's access-denied sentence, "User: PRINCIPAL is not authorized to
// perform: ACTION on resource: RESOURCE because BECAUSE". The resource part is left out when
// resource is "", the reason when because is "".
func NotAuthorized(principalARN, action, resource, because string) string {
	msg := "User: " + principalARN + " is not authorized to perform: " + action
	if resource != "" {
		msg += " on resource: " + resource
	}
	if because != "" {
		msg += " because " + because
	}
	return msg
}

// NotAuthorizedUnknown is the deny of an operation the gateway does not recognize; detail says
// what it could not map.
func NotAuthorizedUnknown(principalARN, detail string) string {
	return "User: " + principalARN + " is not authorized to perform this operation: the gateway does not recognize it (" + detail + ")"
}

// NotAuthorizedUnmodeled is the deny message of an operation the gateway
// recognizes but cannot authorize: newer than the service models, with
// resources it cannot locate (detail says which and why).
func NotAuthorizedUnmodeled(principalARN, detail string) string {
	return "User: " + principalARN + " is not authorized to perform this operation: " + detail
}

// DenyMessage returns AWS's wording for a denied request, e.g. "User: ARN is not authorized to
// perform: ACTION on resource: RES because no identity-based policy allows the ACTION action",
// or "... with an explicit deny in an identity-based policy". It returns "" for an Allow.
func DenyMessage(principalARN, action, resource string, r Result) string {
	switch r.Decision {
	case ExplicitDeny:
		return NotAuthorized(principalARN, action, resource, "") + " with an explicit deny in " + explicitWhere(r.DeniedBy)
	case ImplicitDeny:
		return NotAuthorized(principalARN, action, resource, "no "+implicitWhat(r.DeniedBy)+" allows the "+action+" action")
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
