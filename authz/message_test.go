package authz

import "testing"

func TestDenyMessage(t *testing.T) {
	t.Parallel()
	const head = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: mobiletargeting:GetApp on resource: arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	tests := map[string]struct {
		r    Result
		want string
	}{
		"allow":              {Result{Decision: Allow}, ""},
		"no identity":        {Result{Decision: ImplicitDeny, DeniedBy: IdentityBased}, head + " because no identity-based policy allows the mobiletargeting:GetApp action"},
		"no boundary":        {Result{Decision: ImplicitDeny, DeniedBy: Boundary}, head + " because no permissions boundary allows the mobiletargeting:GetApp action"},
		"no session":         {Result{Decision: ImplicitDeny, DeniedBy: Session}, head + " because no session policy allows the mobiletargeting:GetApp action"},
		"no scp":             {Result{Decision: ImplicitDeny, DeniedBy: Guardrail}, head + " because no service control policy allows the mobiletargeting:GetApp action"},
		"no resource policy": {Result{Decision: ImplicitDeny, DeniedBy: ResourceBased}, head + " because no resource-based policy allows the mobiletargeting:GetApp action"},
		"explicit identity":  {Result{Decision: ExplicitDeny, DeniedBy: IdentityBased}, head + " with an explicit deny in an identity-based policy"},
		"explicit resource":  {Result{Decision: ExplicitDeny, DeniedBy: ResourceBased}, head + " with an explicit deny in a resource-based policy"},
		"explicit scp":       {Result{Decision: ExplicitDeny, DeniedBy: Guardrail}, head + " with an explicit deny in a service control policy"},
		"explicit boundary":  {Result{Decision: ExplicitDeny, DeniedBy: Boundary}, head + " with an explicit deny in a permissions boundary"},
		"explicit session":   {Result{Decision: ExplicitDeny, DeniedBy: Session}, head + " with an explicit deny in a session policy"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := DenyMessage("arn:aws:iam::123456789012:user/bob", "mobiletargeting:GetApp", "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc", tc.r)
			if got != tc.want {
				t.Errorf("DenyMessage = %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestNotAuthorized(t *testing.T) {
	t.Parallel()
	const p = "arn:aws:iam::123456789012:user/bob"
	tests := map[string]struct {
		action, resource, because, want string
	}{
		"plain":       {"sts:AssumeRole", "arn:aws:iam::123456789012:role/r", "", "User: " + p + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/r"},
		"no resource": {"mobiletargeting:GetApps", "", "requests for region x are not allowed by this gateway", "User: " + p + " is not authorized to perform: mobiletargeting:GetApps because requests for region x are not allowed by this gateway"},
		"both":        {"sms-voice:SendTextMessage", "phone number +1", "the gateway cannot resolve it to an ARN", "User: " + p + " is not authorized to perform: sms-voice:SendTextMessage on resource: phone number +1 because the gateway cannot resolve it to an ARN"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := NotAuthorized(p, tc.action, tc.resource, tc.because); got != tc.want {
				t.Errorf("NotAuthorized(...) = %q, want %q", got, tc.want)
			}
		})
	}
}
