package condition

import (
	"testing"
	"time"
)

func TestDateOperators(t *testing.T) {
	t.Parallel()
	k := "aws:CurrentTime"
	now := "2026-11-27T12:00:00Z"
	runClauses(t, map[string]clauseCase{
		"Equals":                  {"DateEquals", k, []string{now}, ctx(k, now), true},
		"Equals fraction":         {"DateEquals", k, []string{"2026-11-27T12:00:00.000Z"}, ctx(k, now), true},
		"Equals offset":           {"DateEquals", k, []string{"2026-11-27T13:00:00+01:00"}, ctx(k, now), true},
		"Equals date only":        {"DateEquals", k, []string{"2026-11-27"}, ctx(k, "2026-11-27T00:00:00Z"), true},
		"Equals epoch seconds":    {"DateEquals", k, []string{"1577836800"}, ctx(k, "2020-01-01T00:00:00Z"), true},
		"NotEquals":               {"DateNotEquals", k, []string{"2026-01-01"}, ctx(k, now), true},
		"NotEquals not a date":    {"DateNotEquals", k, []string{"2026-01-01"}, ctx(k, "soon"), false},
		"LessThan":                {"DateLessThan", k, []string{"2027-01-01T00:00:00Z"}, ctx(k, now), true},
		"LessThan equal":          {"DateLessThan", k, []string{now}, ctx(k, now), false},
		"LessThanEquals":          {"DateLessThanEquals", k, []string{now}, ctx(k, now), true},
		"GreaterThan":             {"DateGreaterThan", k, []string{"2026-01-01"}, ctx(k, now), true},
		"GreaterThanEquals":       {"DateGreaterThanEquals", k, []string{"2027-01-01"}, ctx(k, now), false},
		"request epoch":           {"DateGreaterThan", "aws:EpochTime", []string{"2019-12-31T23:59:59Z"}, ctx("aws:EpochTime", "1577836800"), true},
		"minutes without seconds": {"DateEquals", k, []string{"2026-11-27T12:00"}, ctx(k, now), true},
	})
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want time.Time
		ok   bool
	}{
		"rfc3339":   {"2026-11-27T12:00:00Z", time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), true},
		"epoch":     {"0", time.Unix(0, 0), true},
		"date":      {"2026-11-27", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), true},
		"garbage":   {"2026-13-45", time.Time{}, false},
		"empty":     {"", time.Time{}, false},
		"epoch neg": {"-1", time.Unix(-1, 0), true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseDate(tc.in)
			if ok != tc.ok || (ok && !got.Equal(tc.want)) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
