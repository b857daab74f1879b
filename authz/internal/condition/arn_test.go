package condition

import (
	"testing"

	"github.com/pinpointgw/gateway/arn"
)

func TestArnOperators(t *testing.T) {
	t.Parallel()
	k := "aws:PrincipalArn"
	user := "arn:aws:iam::123456789012:user/bob"
	sess := "arn:aws:sts::123456789012:assumed-role/r1/s1"
	runClauses(t, map[string]clauseCase{
		"Equals exact":                {"ArnEquals", k, []string{user}, ctx(k, user), true},
		"Equals wildcard":             {"ArnEquals", k, []string{"arn:aws:iam::*:user/b?b"}, ctx(k, user), true},
		"Like resource wildcard":      {"ArnLike", k, []string{"arn:aws:iam::123456789012:user/*"}, ctx(k, user), true},
		"Like star stays in its part": {"ArnLike", k, []string{"arn:aws:*:123456789012:user/*"}, ctx(k, user), false},
		"Like five parts":             {"ArnLike", k, []string{"arn:aws:iam::*"}, ctx(k, user), false},
		"Like resource part colons":   {"ArnLike", k, []string{"arn:aws:iam::123456789012:user/*"}, ctx(k, "arn:aws:iam::123456789012:user/a:b"), true},
		"Like case-sensitive":         {"ArnLike", k, []string{"arn:aws:iam::123456789012:user/BOB"}, ctx(k, user), false},
		"Like not an ARN":             {"ArnLike", k, []string{"arn:aws:iam::*:user/*"}, ctx(k, "bob"), false},
		"NotLike not an ARN":          {"ArnNotLike", k, []string{"arn:aws:iam::*:user/*"}, ctx(k, "bob"), false},
		"NotEquals other":             {"ArnNotEquals", k, []string{user}, ctx(k, sess), true},
		"NotLike same":                {"ArnNotLike", k, []string{"arn:aws:iam::*:user/*"}, ctx(k, user), false},
		"variable":                    {"ArnLike", k, []string{"arn:aws:iam::123456789012:user/${aws:username}"}, ctx(k, user, "aws:username", "bob"), true},
		"unresolved, head matches":    {"ArnNotEquals", k, []string{"arn:aws:iam::123456789012:user/${aws:username}"}, ctx(k, user), false},
		"unresolved, head differs":    {"ArnNotEquals", k, []string{"arn:aws:iam::123456789012:user/${aws:username}"}, ctx(k, sess), true},
		"missing key negated":         {"ArnNotLike", k, []string{user}, ctx(), true},
	})
}

func TestArnMatch(t *testing.T) {
	t.Parallel()
	res := "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	tests := map[string]struct {
		pattern, value string
		want           bool
	}{
		"star":                {"*", res, true},
		"star vs star":        {"*", "*", true},
		"exact":               {res, res, true},
		"arn vs star request": {"arn:aws:mobiletargeting:*:*:*", "*", false},
		"region wildcard":     {"arn:aws:mobiletargeting:us-*:*:apps/*", res, true},
		"region mismatch":     {"arn:aws:mobiletargeting:eu-*:*:apps/*", res, false},
		"short pattern":       {"arn:aws:mobiletargeting:*", res, true},
		"short no cross":      {"arn:aws:*:apps/abc", res, false},
		"question":            {"arn:aws:mobiletargeting:us-east-?:*:apps/ab?", res, true},
		"case-sensitive":      {"arn:aws:mobiletargeting:*:*:apps/ABC", res, false},
		"resource colons":     {"arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := ArnMatch(tc.pattern, tc.value); got != tc.want {
				t.Errorf("ArnMatch(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
			cp := CompileArnPattern(tc.pattern)
			parts, ok := arn.Split(tc.value)
			if got := cp.Match(tc.value, &parts, ok); got != tc.want {
				t.Errorf("CompileArnPattern(%q).Match(%q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
		})
	}
}
