package condition

import (
	"fmt"
	"strings"
)

// The Bool operator: the request value "true" or "false" (case-insensitive) equals a policy
// value. Any other request value matches nothing.

func init() {
	register("Bool", "", false, newBool)
}

type boolOp struct {
	consts []bool
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
		b, ok := parseBool(values[i].Plain())
		if !ok {
			return nil, fmt.Errorf("%w: %q is not true or false", ErrBadValue, values[i].Plain())
		}
		o.consts = append(o.consts, b)
	}
	return o, nil
}

func (o *boolOp) Match(v string, _ *Env) Outcome {
	r, ok := parseBool(v)
	if !ok {
		return Invalid
	}
	for _, p := range o.consts {
		if r == p {
			return Matched
		}
	}
	return NoMatch
}
