package condition

import "testing"

func TestBoolOperator(t *testing.T) {
	t.Parallel()
	k := "aws:SecureTransport"
	runClauses(t, map[string]clauseCase{
		"true":                   {"Bool", k, []string{"true"}, ctx(k, "true"), true},
		"case-insensitive":       {"Bool", k, []string{"True"}, ctx(k, "TRUE"), true},
		"false":                  {"Bool", k, []string{"false"}, ctx(k, "false"), true},
		"mismatch":               {"Bool", k, []string{"true"}, ctx(k, "false"), false},
		"not a bool":             {"Bool", k, []string{"true"}, ctx(k, "yes"), false},
		"missing":                {"Bool", k, []string{"false"}, ctx(), false},
		"missing IfExists":       {"BoolIfExists", k, []string{"false"}, ctx(), true},
		"IfExists present false": {"BoolIfExists", k, []string{"true"}, ctx(k, "false"), false},
	})
}
