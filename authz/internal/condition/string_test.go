package condition

import "testing"

func TestStringOperators(t *testing.T) {
	t.Parallel()
	k := "aws:PrincipalTag/team"
	runClauses(t, map[string]clauseCase{
		"Equals":                      {"StringEquals", k, []string{"blue"}, ctx(k, "blue"), true},
		"Equals case-sensitive":       {"StringEquals", k, []string{"Blue"}, ctx(k, "blue"), false},
		"Equals no wildcards":         {"StringEquals", k, []string{"b*"}, ctx(k, "blue"), false},
		"Equals literal star":         {"StringEquals", k, []string{"b*"}, ctx(k, "b*"), true},
		"Equals empty":                {"StringEquals", k, []string{""}, ctx(k, ""), true},
		"NotEquals":                   {"StringNotEquals", k, []string{"red"}, ctx(k, "blue"), true},
		"NotEquals same":              {"StringNotEquals", k, []string{"red", "blue"}, ctx(k, "blue"), false},
		"EqualsIgnoreCase":            {"StringEqualsIgnoreCase", k, []string{"BLUE"}, ctx(k, "blue"), true},
		"NotEqualsIgnoreCase":         {"StringNotEqualsIgnoreCase", k, []string{"BLUE"}, ctx(k, "blue"), false},
		"NotEqualsIgnoreCase differs": {"StringNotEqualsIgnoreCase", k, []string{"RED"}, ctx(k, "blue"), true},
		"Like star":                   {"StringLike", k, []string{"b*"}, ctx(k, "blue"), true},
		"Like question":               {"StringLike", k, []string{"b?ue"}, ctx(k, "blue"), true},
		"Like case-sensitive":         {"StringLike", k, []string{"B*"}, ctx(k, "blue"), false},
		"Like escape star":            {"StringLike", k, []string{"b${*}"}, ctx(k, "b*"), true},
		"Like escape star literal":    {"StringLike", k, []string{"b${*}"}, ctx(k, "blue"), false},
		"Like escape question":        {"StringLike", k, []string{"b${?}"}, ctx(k, "bx"), false},
		"Like escape dollar":          {"StringLike", k, []string{"a${$}"}, ctx(k, "a$"), true},
		"Like variable literal value": {"StringLike", k, []string{"${aws:username}"}, ctx(k, "bob", "aws:username", "b*"), false},
		"Like variable then star":     {"StringLike", k, []string{"${aws:username}*"}, ctx(k, "bobby", "aws:username", "bob"), true},
		"NotLike":                     {"StringNotLike", k, []string{"r*"}, ctx(k, "blue"), true},
		"NotLike matching":            {"StringNotLike", k, []string{"b*"}, ctx(k, "blue"), false},
		"Equals escape in Equals":     {"StringEquals", k, []string{"a${*}"}, ctx(k, "a*"), true},
		"Equals unterminated ${":      {"StringEquals", k, []string{"${x"}, ctx(k, "${x"), true},
	})
}
