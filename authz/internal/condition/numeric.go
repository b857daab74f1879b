package condition

import "strconv"

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
	return comparing("a number", parseNumber, cmp)
}
