package authz

import "testing"

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		got, want string
	}{
		"allow":            {EffectAllow.String(), "Allow"},
		"deny":             {EffectDeny.String(), "Deny"},
		"implicit deny":    {ImplicitDeny.String(), "ImplicitDeny"},
		"decision allow":   {Allow.String(), "Allow"},
		"explicit deny":    {ExplicitDeny.String(), "ExplicitDeny"},
		"identity":         {IdentityBased.String(), "identity"},
		"resource":         {ResourceBased.String(), "resource"},
		"boundary":         {Boundary.String(), "boundary"},
		"session":          {Session.String(), "session"},
		"guardrail":        {Guardrail.String(), "guardrail"},
		"unknown effect":   {Effect(9).String(), "Effect(9)"},
		"unknown decision": {Decision(9).String(), "Decision(9)"},
		"unknown type":     {PolicyType(9).String(), "PolicyType(9)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range []Effect{EffectAllow, EffectDeny} {
		b, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Effect
		if err := back.UnmarshalText(b); err != nil || back != e {
			t.Errorf("Effect %v round-trip = %v, %v", e, back, err)
		}
	}
	for pt := IdentityBased; pt <= Guardrail; pt++ {
		b, _ := pt.MarshalText()
		var back PolicyType
		if err := back.UnmarshalText(b); err != nil || back != pt {
			t.Errorf("PolicyType %v round-trip = %v, %v", pt, back, err)
		}
	}
	var e Effect
	if err := e.UnmarshalText([]byte("allow")); err == nil {
		t.Error(`Effect.UnmarshalText("allow") succeeded, want an error (effects are case-sensitive)`)
	}
	if _, err := Effect(5).MarshalText(); err == nil {
		t.Error("Effect(5).MarshalText succeeded, want an error")
	}
}
