package condition

import (
	"fmt"
	"strconv"
)

// The Numeric operators: NumericEquals, NumericNotEquals, NumericLessThan,
// NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals. Values are integers or
// decimals; a request value that is not a number matches nothing.

func init() {
	register("NumericEquals", "NumericNotEquals", false, numeric(func(r, p float64) bool { return r == p }))
	register("NumericLessThan", "", false, numeric(func(r, p float64) bool { return r < p }))
	register("NumericLessThanEquals", "", false, numeric(func(r, p float64) bool { return r <= p }))
	register("NumericGreaterThan", "", false, numeric(func(r, p float64) bool { return r > p }))
	register("NumericGreaterThanEquals", "", false, numeric(func(r, p float64) bool { return r >= p }))
}

type numericOp struct {
	consts []float64
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
			f, ok := parseNumber(values[i].Plain())
			if !ok {
				return nil, fmt.Errorf("%w: %q is not a number", ErrBadValue, values[i].Plain())
			}
			o.consts = append(o.consts, f)
		}
		return o, nil
	}
}

func (o *numericOp) Match(v string, _ *Env) Outcome {
	r, ok := parseNumber(v)
	if !ok {
		return Invalid
	}
	for _, p := range o.consts {
		if o.cmp(r, p) {
			return Matched
		}
	}
	return NoMatch
}
