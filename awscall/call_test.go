package awscall

import (
	"net/url"
	"testing"
)

// FuzzEscapeLabel: EscapeLabel's output holds only unreserved characters
// and %XX escapes, and unescapes to its input.
func FuzzEscapeLabel(f *testing.F) {
	f.Add("arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc")
	f.Add("a b/c%d~e")
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeLabel(s)
		for i := 0; i < len(e); i++ {
			c := e[i]
			unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
			if !unreserved && c != '%' {
				t.Fatalf("EscapeLabel(%q) = %q has %q", s, e, c)
			}
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != s {
			t.Fatalf("PathUnescape(EscapeLabel(%q)) = %q, %v", s, back, err)
		}
	})
}
