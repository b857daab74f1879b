package condition

import (
	"fmt"
	"strconv"
)

// The Numeric operators: NumericEquals, NumericNotEquals, NumericLessThan,
// NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals. Values are integers or
// decimals; a request value that is not a number matches nothing.

func init() {
	register("NumericEquals", "NumericNotEquals", numeric(func(r, p float64) bool { return r == p }))
	register("NumericLessThan", "", numeric(func(r, p float64) bool { return r < p }))
	register("NumericLessThanEquals", "", numeric(func(r, p float64) bool { return r <= p }))
	register("NumericGreaterThan", "", numeric(func(r, p float64) bool { return r > p }))
	register("NumericGreaterThanEquals", "", numeric(func(r, p float64) bool { return r >= p }))
}

type numericOp struct {
	consts []float64
	vars   []*Template
	cmp    func(request, policy float64) bool
}

// parseNumber parses an IAM numeric value.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f { // reject NaN
		return 0, false
	}
	return f, true
}

func numeric(cmp func(r, p float64) bool) Constructor {
	return func(values []Template) (Operator, error) {
		o := &numericOp{cmp: cmp}
		for i := range values {
			if !values[i].Constant() {
				o.vars = append(o.vars, &values[i])
				continue
			}
			f, ok := parseNumber(values[i].Plain())
			if !ok {
				return nil, fmt.Errorf("%w: %q is not a number", ErrBadValue, values[i].Plain())
			}
			o.consts = append(o.consts, f)
		}
		return o, nil
	}
}

func (o *numericOp) Match(v string, env *Env) (bool, bool) {
	r, ok := parseNumber(v)
	if !ok {
		return false, false
	}
	for _, p := range o.consts {
		if o.cmp(r, p) {
			return true, true
		}
	}
	for _, t := range o.vars {
		if s, ok := t.ResolvePlain(env); ok {
			if p, ok := parseNumber(s); ok && o.cmp(r, p) {
				return true, true
			}
		}
	}
	return false, true
}
