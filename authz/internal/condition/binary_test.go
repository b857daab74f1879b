package condition

import "testing"

func TestBinaryOperator(t *testing.T) {
	t.Parallel()
	k := "aws:PrincipalTag/blob"
	runClauses(t, map[string]clauseCase{
		"equal":          {"BinaryEquals", k, []string{"QUJD"}, ctx(k, "QUJD"), true},
		"different":      {"BinaryEquals", k, []string{"QUJD"}, ctx(k, "QUJE"), false},
		"not base64":     {"BinaryEquals", k, []string{"QUJD"}, ctx(k, "!!"), false},
		"one of several": {"BinaryEquals", k, []string{"QUJE", "QUJD"}, ctx(k, "QUJD"), true},
		"missing":        {"BinaryEquals", k, []string{"QUJD"}, ctx(), false},
	})
}
