package forward

import (
	"net/url"
	"strings"
	"testing"
)

// TestPresignedQueryStripped checks that a presigned client request
// reaches the upstream without its presign parameters.
func TestPresignedQueryStripped(t *testing.T) {
	t.Parallel()
	raw := "page-size=5&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2Fx&x-amz-signature=abc&X-Amz-Date=1&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok&token=a%2Bb"
	if got, want := stripPresignParams(raw), "page-size=5&token=a%2Bb"; got != want {
		t.Errorf("stripPresignParams(%q) = %q, want %q", raw, got, want)
	}
	if got := stripPresignParams("a=1&b=2"); got != "a=1&b=2" {
		t.Errorf("stripPresignParams changed a query without presign parameters: %q", got)
	}
}

// FuzzStripPresignParams: no panic; the result holds no presign parameter;
// every other parameter of the input is kept, verbatim and in order.
func FuzzStripPresignParams(f *testing.F) {
	f.Add("page-size=5&X-Amz-Signature=abc&token=a%2Bb")
	f.Add("X-Amz-Credential=AKIA%2F20260101%2Fus-east-1%2Fmobiletargeting%2Faws4_request&x-amz-date=1")
	f.Add("a&&b=&X-Amz-Security-Token")
	f.Add("%zz=1&X-Amz-Expires=60")
	f.Fuzz(func(t *testing.T, raw string) {
		out := stripPresignParams(raw)
		if !strings.Contains(strings.ToLower(raw), "x-amz-") {
			if out != raw {
				t.Fatalf("stripPresignParams(%q) = %q, changed a query without presign parameters", raw, out)
			}
			return
		}
		// The output's parts are the input's non-presign parts, in order.
		in := strings.Split(raw, "&")
		i := 0
		if out != "" {
			for _, part := range strings.Split(out, "&") {
				key, _, _ := strings.Cut(part, "=")
				if k, err := url.QueryUnescape(key); err == nil && isPresignParam(k) {
					t.Fatalf("stripPresignParams(%q) = %q still holds %q", raw, out, k)
				}
				for i < len(in) && in[i] != part {
					i++
				}
				if i == len(in) {
					t.Fatalf("stripPresignParams(%q) = %q: part %q is not from the input, in order", raw, out, part)
				}
				i++
			}
		}
		// Nothing but presign parameters was dropped.
		n := 0
		for _, part := range in {
			key, _, _ := strings.Cut(part, "=")
			if k, err := url.QueryUnescape(key); err != nil || !isPresignParam(k) {
				n++
			}
		}
		if got := len(strings.Split(out, "&")); out != "" && got != n || out == "" && n > 1 {
			t.Fatalf("stripPresignParams(%q) = %q keeps %d parts, want %d", raw, out, got, n)
		}
	})
}
