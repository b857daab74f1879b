package condition

import (
	"strconv"
	"time"
)

// The Date operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
// DateGreaterThan, DateGreaterThanEquals. Values are ISO 8601 dates or date-times
// (2026-01-02, 2026-01-02T15:04:05Z, with fractions or offsets) or epoch seconds.

func init() {
	register("DateEquals", "DateNotEquals", false, dateOp(func(r, p time.Time) bool { return r.Equal(p) }))
	register("DateLessThan", "", false, dateOp(func(r, p time.Time) bool { return r.Before(p) }))
	register("DateLessThanEquals", "", false, dateOp(func(r, p time.Time) bool { return !r.After(p) }))
	register("DateGreaterThan", "", false, dateOp(func(r, p time.Time) bool { return r.After(p) }))
	register("DateGreaterThanEquals", "", false, dateOp(func(r, p time.Time) bool { return !r.Before(p) }))
}

// dateLayouts are the W3C profile of ISO 8601 that IAM accepts; without a zone, UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01",
	"2006",
}

// ParseDate parses an IAM date value.
func ParseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if allDigits(s) || (s[0] == '-' && allDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func dateOp(cmp func(r, p time.Time) bool) Constructor {
	return comparing("a date", ParseDate, cmp)
}
