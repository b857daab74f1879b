package authn

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// parseRawRequest reads a test-suite request file: the request line (whose
// target may hold raw spaces and UTF-8), "Name:value" header lines with folded
// continuation lines, a blank line and the body. RequestURI keeps the target
// exactly as written, the way net/http's server records the request line.
func parseRawRequest(t testing.TB, data string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(data, "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	sp1 := strings.IndexByte(first, ' ')
	sp2 := strings.LastIndexByte(first, ' ')
	if sp1 < 0 || sp2 <= sp1 {
		t.Fatalf("bad request line %q", first)
	}
	method, target := first[:sp1], first[sp1+1:sp2]
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:        method,
		RequestURI:    target,
		URL:           &url.URL{Path: rawPath, RawQuery: rawQuery},
		Header:        http.Header{},
		ContentLength: int64(len(body)),
		Body:          http.NoBody,
	}
	var lastKey string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && lastKey != "" {
			vals := r.Header[lastKey]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		if strings.EqualFold(k, "host") {
			r.Host = strings.TrimSpace(v)
			lastKey = ""
			continue
		}
		lastKey = http.CanonicalHeaderKey(k)
		r.Header[lastKey] = append(r.Header[lastKey], v)
		if lastKey == "Content-Length" {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatalf("bad Content-Length %q", v)
			}
			r.ContentLength = n
		}
	}
	return r, []byte(body)
}

// cloneRequest copies r deeply enough for tampering.
func cloneRequest(r *http.Request) *http.Request {
	c := *r
	c.Header = r.Header.Clone()
	u := *r.URL
	c.URL = &u
	return &c
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
