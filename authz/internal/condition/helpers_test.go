package condition

import (
	"strings"
	"testing"
)

// keys is a test request context: single-valued keys, and multi-valued ones.
type keys struct {
	single map[string][]string
	multi  map[string][]string
}

func (k keys) LookupLower(key string) ([]string, bool, bool) {
	for n, v := range k.single {
		if strings.EqualFold(n, key) {
			return v, false, true
		}
	}
	for n, v := range k.multi {
		if strings.EqualFold(n, key) {
			return v, true, true
		}
	}
	return nil, false, false
}

// ctx builds single-valued keys from pairs.
func ctx(kv ...string) keys {
	k := keys{single: map[string][]string{}, multi: map[string][]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k.single[kv[i]] = []string{kv[i+1]}
	}
	return k
}

func (k keys) with(key string, vals ...string) keys {
	k.multi[key] = vals
	return k
}

// clauseCase is one row of an operator table.
type clauseCase struct {
	op     string
	key    string
	values []string
	ctx    keys
	want   bool
}

func runClauses(t *testing.T, tests map[string]clauseCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClause(tc.op, tc.key, tc.values, len(tc.values) > 1, true)
			if err != nil {
				t.Fatalf("NewClause(%q, %q, %q): %v", tc.op, tc.key, tc.values, err)
			}
			env := &Env{Keys: tc.ctx}
			if got := c.Eval(env); got != tc.want {
				t.Errorf("%s %s %q with %+v = %v, want %v", tc.op, tc.key, tc.values, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestNewClauseErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		op, key string
		values  []string
	}{
		"unknown operator":       {"StringEqual", "aws:username", []string{"a"}},
		"unknown qualifier":      {"ForSomeValues:StringEquals", "aws:username", []string{"a"}},
		"lower-case operator":    {"stringequals", "aws:username", []string{"a"}},
		"Null with IfExists":     {"NullIfExists", "aws:username", []string{"true"}},
		"Null with qualifier":    {"ForAnyValue:Null", "aws:username", []string{"true"}},
		"Null bad value":         {"Null", "aws:username", []string{"maybe"}},
		"key without prefix":     {"StringEquals", "username", []string{"a"}},
		"key with space":         {"StringEquals", "aws:user name", []string{"a"}},
		"key with wildcard":      {"StringEquals", "aws:PrincipalTag/*", []string{"a"}},
		"no values":              {"StringEquals", "aws:username", nil},
		"bad number":             {"NumericEquals", "aws:EpochTime", []string{"ten"}},
		"variable in numeric":    {"NumericEquals", "aws:EpochTime", []string{"${aws:EpochTime}"}},
		"bad date":               {"DateEquals", "aws:CurrentTime", []string{"yesterday"}},
		"bad bool":               {"Bool", "aws:SecureTransport", []string{"yes"}},
		"bad base64":             {"BinaryEquals", "aws:PrincipalTag/b", []string{"!!"}},
		"bad cidr":               {"IpAddress", "aws:SourceIp", []string{"10.0.0.0/33"}},
		"bad variable":           {"StringEquals", "aws:username", []string{"${aws:username,'x'}"}},
		"variable without colon": {"StringEquals", "aws:username", []string{"${username}"}},
		"empty variable":         {"StringEquals", "aws:username", []string{"${}"}},
		"quote in default":       {"StringEquals", "aws:username", []string{"${aws:username, 'it''s'}"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if c, err := NewClause(tc.op, tc.key, tc.values, false, true); err == nil {
				t.Errorf("NewClause(%q, %q, %q) = %+v, want an error", tc.op, tc.key, tc.values, c)
			}
		})
	}
}

func TestOperatorsRegistered(t *testing.T) {
	t.Parallel()
	want := []string{
		"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "BinaryEquals", "Bool",
		"DateEquals", "DateGreaterThan", "DateGreaterThanEquals", "DateLessThan", "DateLessThanEquals", "DateNotEquals",
		"IpAddress", "NotIpAddress", "Null",
		"NumericEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericLessThan", "NumericLessThanEquals", "NumericNotEquals",
		"StringEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
	}
	got := strings.Join(Operators(), ",")
	for _, w := range want {
		if !strings.Contains(","+got+",", ","+w+",") {
			t.Errorf("Operators() = %s, missing %s", got, w)
		}
	}
	if len(Operators()) != len(want) {
		t.Errorf("Operators() has %d entries, want %d", len(Operators()), len(want))
	}
}
