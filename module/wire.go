package module

import (
	"fmt"
	"net/http"
	"strings"
)

// The gateway decides on a request's method, path, query, headers and body,
// then forwards it with its own credentials. Whatever could change the
// request's meaning between the two is refused before any work
// (checkWire), and of the headers only those on the forward allow-list
// reach the upstream (package forward, forwardedHeader): what AWS sees is
// what was decided.

// hopByHopTokens are the Connection header tokens a client may send: the
// connection options close and keep-alive, and the names of the hop-by-hop
// headers of RFC 9110 section 7.6.1 and RFC 9113 section 3.2.1
// (HTTP2-Settings). Naming any other header in Connection asks every proxy
// on the way, this gateway's included, to drop it after the gateway has
// decided on it.
var hopByHopTokens = [...]string{"keep-alive", "close", "upgrade", "te", "trailer", "transfer-encoding",
	"proxy-connection", "proxy-authenticate", "proxy-authorization", "http2-settings"}

// hopByHopToken reports whether t, in any case, is one of hopByHopTokens.
func hopByHopToken(t string) bool {
	for _, h := range hopByHopTokens {
		if len(t) == len(h) && strings.EqualFold(t, h) {
			return true
		}
	}
	return false
}

// endToEndToken returns the first token of a Connection header value
// that is not hop-by-hop, and whether there is one.
func endToEndToken(v string) (string, bool) {
	for v != "" {
		t := v
		if i := strings.IndexByte(v, ','); i >= 0 {
			t, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if t = strings.TrimSpace(t); t != "" && !hopByHopToken(t) {
			return t, true
		}
	}
	return "", false
}

// wireError is a request refused by checkWire.
type wireError struct{ msg string }

func (e *wireError) Error() string { return e.msg }

func wireErrorf(format string, args ...any) *wireError {
	return &wireError{msg: fmt.Sprintf(format, args...)}
}

// checkWire refuses a request whose meaning could differ between the
// gateway's decision and what the upstream would do with it:
//
//   - a Connection header naming anything but hop-by-hop headers and
//     connection options (see hopByHopTokens);
//   - a method-override header (X-HTTP-Method-Override, X-HTTP-Method,
//     X-Method-Override, in any case): the decision is on the request
//     line's method;
//   - a Content-Encoding other than identity: the mapping reads the body's
//     bytes as JSON, so a compressed body would be decided on as something
//     it is not;
//   - more than one Content-Type header;
//   - a query that does not parse strictly (a ';' separator or a broken
//     %-escape): readers disagree on such queries, and Go's reverse proxy
//     would re-encode it after the decision.
//
// Header names are looked up in their canonical form, which is how Go's
// HTTP/1 and HTTP/2 servers store every name, in whatever case it was sent
// (a lookup per name costs less than a walk over all headers). Spellings
// with underscores are dropped by Caddy's server (its
// expected_underscore_headers), and none of these headers is forwarded in
// any case (package forward, forwardedHeader).
//
// Transfer-Encoding needs no check here: Go's server refuses any coding but
// chunked and conflicting Content-Lengths, reads the body as framed, and
// the forward carries its own Content-Length; Expect is answered by Go's
// server and never forwarded.
func checkWire(r *http.Request) error {
	h := r.Header
	if vs, ok := h["Connection"]; ok {
		for _, v := range vs {
			if t, bad := endToEndToken(v); bad {
				return wireErrorf("the Connection header names %q, which is not a hop-by-hop header: the gateway forwards exactly what it authorized", t)
			}
		}
	}
	if vs, ok := h["Content-Encoding"]; ok {
		for _, v := range vs {
			for t := range strings.SplitSeq(v, ",") {
				if t = strings.TrimSpace(t); !strings.EqualFold(t, "identity") {
					return wireErrorf("Content-Encoding %q is not supported: send the body uncompressed", t)
				}
			}
		}
	}
	if len(h["Content-Type"]) > 1 {
		return wireErrorf("more than one Content-Type header")
	}
	for _, k := range methodOverrides {
		if _, ok := h[k]; ok {
			return wireErrorf("the header %s is refused: the method is the request line's", k)
		}
	}
	if q := r.URL.RawQuery; q != "" {
		if err := checkQuery(q); err != nil {
			return err
		}
	}
	return nil
}

// methodOverrides are the method-override header names, canonical.
var methodOverrides = [...]string{"X-Http-Method-Override", "X-Http-Method", "X-Method-Override"}

// checkQuery refuses a raw query that url.ParseQuery would not read as
// sent: a ';' (which Go no longer treats as a separator but other readers
// do) or a '%' not followed by two hex digits.
func checkQuery(q string) error {
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case ';':
			return wireErrorf("the query contains ';': separate parameters with '&'")
		case '%':
			if i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2]) {
				return wireErrorf("the query contains a malformed %%-escape")
			}
			i += 2
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
