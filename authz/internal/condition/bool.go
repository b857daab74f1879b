package condition

import (
	"fmt"
	"strings"
)

// The Bool operator: the request value "true" or "false" (case-insensitive) equals a policy
// value. Any other request value matches nothing.

func init() {
	register("Bool", "", newBool)
}

type boolOp struct {
	consts []bool
	vars   []*Template
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func newBool(values []Template) (Operator, error) {
	o := &boolOp{}
	for i := range values {
		if !values[i].Constant() {
			o.vars = append(o.vars, &values[i])
			continue
		}
		b, ok := parseBool(values[i].Plain())
		if !ok {
			return nil, fmt.Errorf("%w: %q is not true or false", ErrBadValue, values[i].Plain())
		}
		o.consts = append(o.consts, b)
	}
	return o, nil
}

func (o *boolOp) Match(v string, env *Env) (bool, bool) {
	r, ok := parseBool(v)
	if !ok {
		return false, false
	}
	for _, p := range o.consts {
		if r == p {
			return true, true
		}
	}
	for _, t := range o.vars {
		if s, ok := t.ResolvePlain(env); ok {
			if p, ok := parseBool(s); ok && p == r {
				return true, true
			}
		}
	}
	return false, true
}
