package glob

import "testing"

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		p, s string
		fold bool
		want bool
	}{
		"exact":                  {p: "abc", s: "abc", want: true},
		"exact mismatch":         {p: "abc", s: "abd", want: false},
		"star all":               {p: "*", s: "anything:at/all", want: true},
		"star empty":             {p: "*", s: "", want: true},
		"empty pattern":          {p: "", s: "", want: true},
		"empty pattern nonempty": {p: "", s: "a", want: false},
		"prefix star":            {p: "Get*", s: "GetApps", want: true},
		"suffix star":            {p: "*Apps", s: "GetApps", want: true},
		"middle star":            {p: "Get*s", s: "GetApps", want: true},
		"middle star no":         {p: "Get*x", s: "GetApps", want: false},
		"question":               {p: "Get?pps", s: "GetApps", want: true},
		"question too short":     {p: "Get??pps", s: "GetApps", want: false},
		"question needs char":    {p: "a?", s: "a", want: false},
		"backtracking":           {p: "*a*b*c", s: "xxaxxbxxbxxc", want: true},
		"backtracking fail":      {p: "*a*b*c", s: "xxaxxbxxbxx", want: false},
		"case sensitive":         {p: "getapps", s: "GetApps", want: false},
		"fold":                   {p: "getapps", s: "GetApps", fold: true, want: true},
		"fold star":              {p: "mobiletargeting:get*", s: "mobiletargeting:GetApps", fold: true, want: true},
		"escaped star literal":   {p: `a\*b`, s: "a*b", want: true},
		"escaped star no wild":   {p: `a\*b`, s: "axb", want: false},
		"escaped question":       {p: `a\?`, s: "a?", want: true},
		"escaped question no":    {p: `a\?`, s: "ab", want: false},
		"escaped backslash":      {p: `a\\b`, s: `a\b`, want: true},
		"trailing backslash":     {p: `a\`, s: `a\`, want: true},
		"multibyte question":     {p: "h?llo", s: "héllo", want: true},
		"stars collapse":         {p: "a**b", s: "ab", want: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got bool
			if tc.fold {
				got = MatchFold(tc.p, tc.s)
			} else {
				got = Match(tc.p, tc.s)
			}
			if got != tc.want {
				t.Errorf("match(%q, %q, fold=%v) = %v, want %v", tc.p, tc.s, tc.fold, got, tc.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "a*b?c", `back\slash`, "*", "??"} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			q := Quote(s)
			if !Match(q, s) {
				t.Errorf("Match(Quote(%q)=%q, %q) = false, want true", s, q, s)
			}
			if string(AppendQuoted(nil, s)) != q {
				t.Errorf("AppendQuoted(%q) = %q, want %q", s, AppendQuoted(nil, s), q)
			}
			if HasWildcard(s) && Match(q, s+"x") {
				t.Errorf("Match(Quote(%q), %q) = true, want false", s, s+"x")
			}
		})
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	if !Match(Encode(`a\b*`), `a\bcd`) {
		t.Errorf(`Match(Encode("a\\b*"), "a\\bcd") = false, want true`)
	}
}

func BenchmarkMatch(b *testing.B) {
	for b.Loop() {
		MatchFold("mobiletargeting:get*segment*", "mobiletargeting:GetSegmentVersions")
	}
}
