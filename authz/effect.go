package authz

import "fmt"

// Effect is a statement's Effect element.
type Effect int

// Statement effects.
const (
	EffectAllow Effect = iota
	EffectDeny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case EffectAllow:
		return "Allow"
	case EffectDeny:
		return "Deny"
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// MarshalText encodes the effect as "Allow" or "Deny".
func (e Effect) MarshalText() ([]byte, error) {
	if e != EffectAllow && e != EffectDeny {
		return nil, fmt.Errorf("invalid effect %d", int(e))
	}
	return []byte(e.String()), nil
}

// parseEffect parses the Effect element, which is case-sensitive.
func parseEffect(s string) (Effect, error) {
	switch s {
	case "Allow":
		return EffectAllow, nil
	case "Deny":
		return EffectDeny, nil
	}
	return 0, fmt.Errorf("%w: %q is not Allow or Deny", ErrInvalid, s)
}

// Decision is the outcome of an evaluation.
type Decision int

// Decisions. The zero value denies.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// MarshalText encodes the decision as its String form.
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// PolicyType is the role a policy plays in an evaluation.
type PolicyType int

// Policy types.
const (
	IdentityBased PolicyType = iota
	ResourceBased
	Boundary
	Session
	Guardrail
)

// String returns "identity", "resource", "boundary", "session" or "guardrail".
func (t PolicyType) String() string {
	switch t {
	case IdentityBased:
		return "identity"
	case ResourceBased:
		return "resource"
	case Boundary:
		return "boundary"
	case Session:
		return "session"
	case Guardrail:
		return "guardrail"
	}
	return fmt.Sprintf("PolicyType(%d)", int(t))
}

// MarshalText encodes the type as its String form.
func (t PolicyType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText decodes "Allow" or "Deny".
func (e *Effect) UnmarshalText(b []byte) error {
	v, err := parseEffect(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// UnmarshalText decodes a type's String form.
func (t *PolicyType) UnmarshalText(b []byte) error {
	for v := IdentityBased; v <= Guardrail; v++ {
		if v.String() == string(b) {
			*t = v
			return nil
		}
	}
	return fmt.Errorf("unknown policy type %q", b)
}
