package condition

import "testing"

// Semantics shared by all operators: missing keys, IfExists, qualifiers, multi-valued keys,
// AND/OR.
func TestClauseSemantics(t *testing.T) {
	t.Parallel()
	runClauses(t, map[string]clauseCase{
		"values OR":                           {"StringEquals", "aws:PrincipalTag/team", []string{"red", "blue"}, ctx("aws:PrincipalTag/team", "blue"), true},
		"key case-insensitive":                {"StringEquals", "AWS:principaltag/TEAM", []string{"blue"}, ctx("aws:PrincipalTag/team", "blue"), true},
		"missing key positive":                {"StringEquals", "aws:PrincipalTag/team", []string{"blue"}, ctx(), false},
		"missing key negated":                 {"StringNotEquals", "aws:PrincipalTag/team", []string{"blue"}, ctx(), true},
		"missing key IfExists":                {"StringEqualsIfExists", "aws:PrincipalTag/team", []string{"blue"}, ctx(), true},
		"present key IfExists mismatch":       {"StringEqualsIfExists", "aws:PrincipalTag/team", []string{"blue"}, ctx("aws:PrincipalTag/team", "red"), false},
		"missing key ForAllValues":            {"ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}, ctx(), true},
		"missing key ForAnyValue":             {"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}, ctx(), false},
		"missing key ForAnyValue IfExists":    {"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", []string{"a"}, ctx(), false},
		"ForAllValues subset":                 {"ForAllValues:StringEquals", "aws:TagKeys", []string{"a", "b", "c"}, ctx().with("aws:TagKeys", "a", "b"), true},
		"ForAllValues not subset":             {"ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys", "a", "b"), false},
		"ForAllValues empty set":              {"ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys"), true},
		"ForAnyValue overlap":                 {"ForAnyValue:StringEquals", "aws:TagKeys", []string{"b", "z"}, ctx().with("aws:TagKeys", "a", "b"), true},
		"ForAnyValue no overlap":              {"ForAnyValue:StringEquals", "aws:TagKeys", []string{"z"}, ctx().with("aws:TagKeys", "a", "b"), false},
		"ForAnyValue empty set":               {"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys"), false},
		"ForAnyValue negated":                 {"ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys", "a", "b"), true},
		"ForAllValues negated":                {"ForAllValues:StringNotEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys", "a", "b"), false},
		"ForAllValues negated none":           {"ForAllValues:StringNotEquals", "aws:TagKeys", []string{"z"}, ctx().with("aws:TagKeys", "a", "b"), true},
		"single value as a set":               {"ForAnyValue:StringEquals", "aws:PrincipalTag/team", []string{"blue"}, ctx("aws:PrincipalTag/team", "blue"), true},
		"multi-valued without qualifier":      {"StringEquals", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys", "a"), false},
		"multi-valued negated w/o qualifier":  {"StringNotEquals", "aws:TagKeys", []string{"z"}, ctx().with("aws:TagKeys", "a"), false},
		"multi-valued IfExists w/o qualifier": {"StringEqualsIfExists", "aws:TagKeys", []string{"a"}, ctx().with("aws:TagKeys", "a"), false},
		"unresolved variable positive":        {"StringEquals", "aws:PrincipalTag/team", []string{"${aws:username}"}, ctx("aws:PrincipalTag/team", "a"), false},
		"unresolved variable negated":         {"StringNotEquals", "aws:PrincipalTag/team", []string{"${aws:username}", "b"}, ctx("aws:PrincipalTag/team", "a"), false},
		"unresolved variable, other matches":  {"StringEquals", "aws:PrincipalTag/team", []string{"${aws:username}", "a"}, ctx("aws:PrincipalTag/team", "a"), true},
		"variable from multi-valued key":      {"StringEquals", "aws:PrincipalTag/team", []string{"${aws:TagKeys}"}, ctx("aws:PrincipalTag/team", "a").with("aws:TagKeys", "a"), false},
		"variable default used":               {"StringEquals", "aws:PrincipalTag/team", []string{"${aws:PrincipalTag/x, 'none'}"}, ctx("aws:PrincipalTag/team", "none"), true},
		"variable default not used":           {"StringEquals", "aws:PrincipalTag/team", []string{"${aws:PrincipalTag/x, 'none'}"}, ctx("aws:PrincipalTag/team", "none", "aws:PrincipalTag/x", "y"), false},
		"variable key case-insensitive":       {"StringEquals", "aws:PrincipalTag/team", []string{"${AWS:UserName}"}, ctx("aws:PrincipalTag/team", "bob", "aws:username", "bob"), true},
	})
}

func TestBlock(t *testing.T) {
	t.Parallel()
	a, _ := NewClause("StringEquals", "aws:username", []string{"bob"}, false, true)
	b, _ := NewClause("Bool", "aws:SecureTransport", []string{"true"}, false, true)
	blk := &Block{Clauses: []*Clause{b, a}}
	blk.Sort()
	if blk.Clauses[0] != b {
		t.Errorf("Sort: first clause %s, want Bool", blk.Clauses[0].Operator)
	}
	tests := map[string]struct {
		k    keys
		want bool
	}{
		"both hold":   {ctx("aws:username", "bob", "aws:SecureTransport", "true"), true},
		"one fails":   {ctx("aws:username", "bob", "aws:SecureTransport", "false"), false},
		"both absent": {ctx(), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := blk.Eval(&Env{Keys: tc.k}); got != tc.want {
				t.Errorf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
	var nilBlock *Block
	if !nilBlock.Eval(&Env{}) {
		t.Error("nil Block.Eval = false, want true")
	}
}
