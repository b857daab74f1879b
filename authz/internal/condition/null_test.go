package condition

import "testing"

func TestNullOperator(t *testing.T) {
	t.Parallel()
	k := "aws:TokenIssueTime"
	runClauses(t, map[string]clauseCase{
		"true absent":         {"Null", k, []string{"true"}, ctx(), true},
		"true present":        {"Null", k, []string{"true"}, ctx(k, "2026-01-01T00:00:00Z"), false},
		"false present":       {"Null", k, []string{"false"}, ctx(k, "x"), true},
		"false present empty": {"Null", k, []string{"false"}, ctx(k, ""), true},
		"false absent":        {"Null", k, []string{"false"}, ctx(), false},
		"empty multi present": {"Null", "aws:TagKeys", []string{"true"}, ctx().with("aws:TagKeys"), false},
		"either":              {"Null", k, []string{"true", "false"}, ctx(), true},
		"case-insensitive":    {"Null", k, []string{"TRUE"}, ctx(), true},
	})
}
