package authz

import (
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/authz/internal/condition"
)

// resourcePattern is one value of a Resource or NotResource element: "*" or an ARN glob,
// matched case-sensitively part by part; it may contain policy variables.
type resourcePattern struct {
	t        condition.Template
	compiled condition.ArnPattern // for constant patterns
}

// reqResource is the request's resource, split into ARN parts once per evaluation.
type reqResource struct {
	s     string
	parts [6]string
	arn   bool
}

func compileResource(s string, vars bool) (resourcePattern, error) {
	if s != "*" && !strings.HasPrefix(s, "arn:") {
		return resourcePattern{}, fmt.Errorf("%w: resource %q is not \"*\" or an ARN", ErrInvalid, s)
	}
	t, err := condition.Compile(s, vars)
	if err != nil {
		return resourcePattern{}, err
	}
	rp := resourcePattern{t: t}
	if t.Constant() {
		rp.compiled = condition.CompileArnPattern(t.GlobPattern())
	}
	return rp, nil
}

func (r *resourcePattern) match(res *reqResource, env *condition.Env) condition.Outcome {
	if r.t.Constant() {
		if r.compiled.Match(res.s, &res.parts, res.arn) {
			return condition.Matched
		}
		return condition.NoMatch
	}
	p, ok := r.t.ResolveGlob(env)
	switch {
	case !ok:
		return condition.Unresolved
	case condition.ArnMatch(p, res.s):
		return condition.Matched
	}
	return condition.NoMatch
}
