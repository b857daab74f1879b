package condition

import (
	"strings"

	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// The String operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase (exact, or case-insensitive), StringLike and StringNotLike
// (case-sensitive, with the '*' and '?' wildcards).

func init() {
	register("StringEquals", "StringNotEquals", true, func(v []Template) (Operator, error) { return newStringEquals(v, false), nil })
	register("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", true, func(v []Template) (Operator, error) { return newStringEquals(v, true), nil })
	register("StringLike", "StringNotLike", true, newStringLike)
}

type stringEquals struct {
	consts []string
	vars   []*Template
	fold   bool
}

func newStringEquals(values []Template, fold bool) *stringEquals {
	c, v := splitConstant(values)
	return &stringEquals{consts: c, vars: v, fold: fold}
}

func (o *stringEquals) eq(a, b string) bool {
	if o.fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func (o *stringEquals) Match(v string, env *Env) Outcome {
	for _, c := range o.consts {
		if o.eq(v, c) {
			return Matched
		}
	}
	out := NoMatch
	for _, t := range o.vars {
		s, ok := t.ResolvePlain(env)
		if !ok {
			out = Unresolved
		} else if o.eq(v, s) {
			return Matched
		}
	}
	return out
}

type stringLike struct {
	patterns []string // encoded glob patterns of constant values
	vars     []*Template
}

func newStringLike(values []Template) (Operator, error) {
	o := &stringLike{}
	for i := range values {
		if values[i].Constant() {
			o.patterns = append(o.patterns, values[i].GlobPattern())
		} else {
			o.vars = append(o.vars, &values[i])
		}
	}
	return o, nil
}

func (o *stringLike) Match(v string, env *Env) Outcome {
	for _, p := range o.patterns {
		if glob.Match(p, v) {
			return Matched
		}
	}
	out := NoMatch
	for _, t := range o.vars {
		p, ok := t.ResolveGlob(env)
		if !ok {
			out = Unresolved
		} else if glob.Match(p, v) {
			return Matched
		}
	}
	return out
}
