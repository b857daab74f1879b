package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCapString(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in   string
		n    int
		want string
	}{
		"short":                  {"arn:aws:x", 256, "arn:aws:x"},
		"exactly n plain":        {strings.Repeat("a", 10), 10, strings.Repeat("a", 10)},
		"plain cut":              {strings.Repeat("a", 12), 10, strings.Repeat("a", 10) + "…(+2 bytes)"},
		"control costs 6":        {"ab\x01cdefgh", 10, "ab\x01cd…(+4 bytes)"},
		"quote costs 2":          {`"""""""`, 10, `"""""…(+2 bytes)`},
		"invalid UTF-8 costs 6":  {"\xff\xffabcdefgh", 12, "\xff\xff…(+8 bytes)"},
		"never splits a rune":    {"aaaaaaaaaé", 10, "aaaaaaaaa…(+2 bytes)"},
		"multi-byte rune counts": {"éééééé", 12, "éééééé"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := capString(tc.in, tc.n); got != tc.want {
				t.Errorf("capString(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

// FuzzCapString: a capped string is s itself or a prefix of s that ends on
// a character boundary, followed by the note of what was left out, and its
// JSON encoding stays within the budget (plus the note).
func FuzzCapString(f *testing.F) {
	for _, s := range []string{"", "arn:aws:x", strings.Repeat("é\x01\xff\"", 100)} {
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 4096 {
			return
		}
		got := capString(s, n)
		if got == s {
			return
		}
		prefix, _, ok := strings.Cut(got, "…(+")
		if !ok || !strings.HasPrefix(s, prefix) {
			t.Fatalf("capString(%q, %d) = %q: not a prefix of s and a note", s, n, got)
		}
		if rest := s[len(prefix):]; rest != "" && !utf8.RuneStart(rest[0]) && utf8.ValidString(s) {
			t.Fatalf("capString(%q, %d) = %q splits a character", s, n, got)
		}
		// The audit encoder (zap's JSON) escapes as encoding/json does
		// without its HTML escaping.
		var enc bytes.Buffer
		je := json.NewEncoder(&enc)
		je.SetEscapeHTML(false)
		_ = je.Encode(prefix)
		if size := enc.Len() - 3; size > n { // quotes and newline
			t.Fatalf("capString(%q, %d): the kept part encodes to %d bytes", s, n, size)
		}
	})
}
