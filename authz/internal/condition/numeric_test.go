package condition

import "testing"

func TestNumericOperators(t *testing.T) {
	t.Parallel()
	k := "aws:PrincipalTag/level"
	runClauses(t, map[string]clauseCase{
		"Equals":                 {"NumericEquals", k, []string{"5"}, ctx(k, "5"), true},
		"Equals decimal":         {"NumericEquals", k, []string{"5"}, ctx(k, "5.0"), true},
		"Equals differs":         {"NumericEquals", k, []string{"5"}, ctx(k, "6"), false},
		"NotEquals":              {"NumericNotEquals", k, []string{"5"}, ctx(k, "6"), true},
		"NotEquals same":         {"NumericNotEquals", k, []string{"5"}, ctx(k, "5"), false},
		"NotEquals not a number": {"NumericNotEquals", k, []string{"5"}, ctx(k, "abc"), false},
		"Equals not a number":    {"NumericEquals", k, []string{"5"}, ctx(k, "abc"), false},
		"LessThan":               {"NumericLessThan", k, []string{"5"}, ctx(k, "4.5"), true},
		"LessThan equal":         {"NumericLessThan", k, []string{"5"}, ctx(k, "5"), false},
		"LessThanEquals":         {"NumericLessThanEquals", k, []string{"5"}, ctx(k, "5"), true},
		"GreaterThan":            {"NumericGreaterThan", k, []string{"5"}, ctx(k, "10"), true},
		"GreaterThan negative":   {"NumericGreaterThan", k, []string{"-1"}, ctx(k, "-2"), false},
		"GreaterThanEquals":      {"NumericGreaterThanEquals", k, []string{"5"}, ctx(k, "5"), true},
		"values OR":              {"NumericEquals", k, []string{"1", "2"}, ctx(k, "2"), true},
		"NaN is not a number":    {"NumericNotEquals", k, []string{"5"}, ctx(k, "NaN"), false},
		"missing key negated":    {"NumericNotEquals", k, []string{"5"}, ctx(), true},
	})
}
