package authz

import (
	"testing"

	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authz/internal/condition"
)

func TestResourcePatterns(t *testing.T) {
	t.Parallel()
	app := "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	ctx := NewContext()
	ctx.Set("aws:username", "abc")
	ctx.Set("aws:PrincipalTag/app", "a*")
	tests := map[string]struct {
		pattern  string
		vars     bool
		resource string
		want     condition.Outcome
	}{
		"star":                   {"*", true, app, condition.Matched},
		"star for star":          {"*", true, "*", condition.Matched},
		"exact":                  {app, true, app, condition.Matched},
		"case-sensitive":         {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/ABC", true, app, condition.NoMatch},
		"wildcards":              {"arn:aws:mobiletargeting:*:123456789012:apps/a*", true, app, condition.Matched},
		"account mismatch":       {"arn:aws:mobiletargeting:*:210987654321:apps/*", true, app, condition.NoMatch},
		"arn pattern vs star":    {"arn:aws:mobiletargeting:*:*:*", true, "*", condition.NoMatch},
		"variable":               {"arn:aws:mobiletargeting:*:*:apps/${aws:username}", true, app, condition.Matched},
		"variable value literal": {"arn:aws:mobiletargeting:*:*:apps/${aws:PrincipalTag/app}", true, app, condition.NoMatch},
		"variable missing":       {"arn:aws:mobiletargeting:*:*:apps/${aws:userid}", true, app, condition.Unresolved},
		"variable default":       {"arn:aws:mobiletargeting:*:*:apps/${aws:userid, 'abc'}", true, app, condition.Matched},
		"2008: variable is text": {"arn:aws:mobiletargeting:*:*:apps/${aws:username}", false, app, condition.NoMatch},
		"short pattern":          {"arn:aws:mobiletargeting:*", true, app, condition.Matched},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rp, err := compileResource(tc.pattern, tc.vars)
			if err != nil {
				t.Fatal(err)
			}
			var rr reqResource
			rr.s = tc.resource
			rr.parts, rr.arn = arn.Split(tc.resource)
			env := &condition.Env{Keys: ctx}
			if got := rp.match(&rr, env); got != tc.want {
				t.Errorf("%q vs %q = %v, want %v", tc.pattern, tc.resource, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"apps/abc", "", "mobiletargeting:*", "${aws:username}"} {
		if _, err := compileResource(bad, true); err == nil {
			t.Errorf("compileResource(%q) succeeded, want an error", bad)
		}
	}
}
