package apimap

import (
	"fmt"
	"strings"
)

// maxLabels bounds the URI labels of one template (the deepest has four).
const maxLabels = 8

// pathNode is one segment position of the REST URI template trie. Literal
// children are tried before the label child, with backtracking, so that
// /v1/templates/{name}/email and /v1/templates/{name}/{type}/versions coexist.
type pathNode struct {
	lit   map[string]*pathNode
	label *pathNode
	ops   map[string]*opSpec // method -> operation ending here
}

var restRoot = &pathNode{}

// addRoute inserts op's URI template into the trie. It fails on a template
// that another operation already holds for the same method.
func addRoute(op *opSpec) error {
	if !strings.HasPrefix(op.uri, "/") {
		return fmt.Errorf("%s: URI %q does not start with /", op.name, op.uri)
	}
	n := restRoot
	for _, seg := range strings.Split(op.uri[1:], "/") {
		if seg == "" {
			return fmt.Errorf("%s: URI %q has an empty segment", op.name, op.uri)
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			if strings.HasSuffix(name, "+") {
				return fmt.Errorf("%s: greedy label %q is not supported", op.name, seg)
			}
			op.labels = append(op.labels, name)
			if n.label == nil {
				n.label = &pathNode{}
			}
			n = n.label
			continue
		}
		if strings.ContainsAny(seg, "{}") {
			return fmt.Errorf("%s: partial label in %q", op.name, seg)
		}
		if n.lit == nil {
			n.lit = map[string]*pathNode{}
		}
		c := n.lit[seg]
		if c == nil {
			c = &pathNode{}
			n.lit[seg] = c
		}
		n = c
	}
	if len(op.labels) > maxLabels {
		return fmt.Errorf("%s: more than %d labels", op.name, maxLabels)
	}
	if n.ops == nil {
		n.ops = map[string]*opSpec{}
	}
	if other := n.ops[op.method]; other != nil {
		return fmt.Errorf("%s and %s: both %s %s", other.name, op.name, op.method, op.uri)
	}
	n.ops[op.method] = op
	return nil
}

// find matches the rest of a raw path (without its leading '/') and returns
// the operation and the raw label values, which it appends to caps.
// pathOnly reports that the path matched some operation for another method.
func (n *pathNode) find(p, method string, caps []string) (op *opSpec, out []string, pathOnly bool) {
	seg, rest, more := strings.Cut(p, "/")
	if seg == "" {
		return nil, caps, false
	}
	try := func(c *pathNode, isLabel bool) (*opSpec, []string, bool) {
		cc := caps
		if isLabel {
			cc = append(cc, seg)
		}
		if !more {
			if o := c.ops[method]; o != nil {
				return o, cc, false
			}
			return nil, caps, len(c.ops) > 0
		}
		return c.find(rest, method, cc)
	}
	var po bool
	if c := n.lit[seg]; c != nil {
		o, cc, x := try(c, false)
		if o != nil {
			return o, cc, false
		}
		po = x
	}
	if n.label != nil && len(caps) < maxLabels {
		o, cc, x := try(n.label, true)
		if o != nil {
			return o, cc, false
		}
		po = po || x
	}
	return nil, caps, po
}

// checkRawPath rejects what AWS would not route the way the gateway does:
// a path that is not absolute, empty segments, dot segments (also
// percent-encoded ones) and malformed percent-encoding.
func checkRawPath(p string) error {
	if p == "" || p[0] != '/' {
		return badRequest("path %q is not absolute", p)
	}
	if p == "/" {
		return nil
	}
	segStart, special := 1, false // special: the segment has '.' or '%'
	for i := 1; i <= len(p); i++ {
		for i < len(p) && pathByte[p[i]] == pbPlain {
			i++
		}
		if i == len(p) || p[i] == '/' {
			switch seg := p[segStart:i]; {
			case seg == "":
				return badRequest("path has an empty segment (a label that is empty, or a doubled or trailing slash)")
			case special && isDotSegment(seg):
				return badRequest("path has a dot segment")
			}
			segStart, special = i+1, false
			continue
		}
		switch c := p[i]; pathByte[c] {
		case pbPercent:
			if i+2 >= len(p) || unhex(p[i+1]) < 0 || unhex(p[i+2]) < 0 {
				return badRequest("path has a malformed percent-encoding")
			}
			special = true
		case pbDot:
			special = true
		default:
			return badRequest("path has a character that must be encoded (%q)", c)
		}
	}
	return nil
}

// Byte classes of a raw path.
const (
	pbPlain = iota
	pbSlash
	pbPercent
	pbDot
	pbBad // control characters, space, DEL, '#', '?'
)

var pathByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == '/':
			t[c] = pbSlash
		case c == '%':
			t[c] = pbPercent
		case c == '.':
			t[c] = pbDot
		case c < 0x21 || c == 0x7f || c == '#' || c == '?':
			t[c] = pbBad
		}
	}
	return t
}()

func isDotSegment(seg string) bool {
	if len(seg) > 6 {
		return false
	}
	d, err := unescapeSegment(seg)
	return err == nil && (d == "." || d == "..")
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// unescapeSegment percent-decodes one path segment ('+' stays '+'). It
// allocates only when the segment has an escape.
func unescapeSegment(s string) (string, error) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(s) {
			return "", badRequest("malformed percent-encoding in %q", s)
		}
		h, l := unhex(s[i+1]), unhex(s[i+2])
		if h < 0 || l < 0 {
			return "", badRequest("malformed percent-encoding in %q", s)
		}
		b = append(b, byte(h<<4|l))
		i += 2
	}
	return string(b), nil
}
