package apimap

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// arnTemplate is a compiled Service Authorization Reference ARN format such as
// arn:${Partition}:mobiletargeting:${Region}:${Account}:apps/${AppId}.
type arnTemplate struct {
	service  string
	typ      string
	resource []tmplSeg // the resource part, split at '/'
	vars     []string  // variable names in order
}

type tmplSeg struct {
	lit string
	v   int // index into vars, or -1 for a literal segment
}

const arnHead = "arn:${Partition}:"

func compileTemplate(typ, s string) (*arnTemplate, error) {
	if !strings.HasPrefix(s, arnHead) {
		return nil, fmt.Errorf("arn template %q: want prefix %q", s, arnHead)
	}
	rest := s[len(arnHead):]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return nil, fmt.Errorf("arn template %q: no service", s)
	}
	t := &arnTemplate{service: rest[:i], typ: typ}
	rest = rest[i+1:]
	const mid = "${Region}:${Account}:"
	if !strings.HasPrefix(rest, mid) {
		return nil, fmt.Errorf("arn template %q: want %q after the service", s, mid)
	}
	rest = rest[len(mid):]
	for _, seg := range strings.Split(rest, "/") {
		if strings.HasPrefix(seg, "${") && strings.HasSuffix(seg, "}") {
			name := seg[2 : len(seg)-1]
			if strings.ContainsAny(name, "${}") || name == "" {
				return nil, fmt.Errorf("arn template %q: bad variable %q", s, seg)
			}
			t.resource = append(t.resource, tmplSeg{v: len(t.vars)})
			t.vars = append(t.vars, name)
			continue
		}
		if seg == "" || strings.Contains(seg, "$") {
			return nil, fmt.Errorf("arn template %q: bad segment %q", s, seg)
		}
		t.resource = append(t.resource, tmplSeg{lit: seg, v: -1})
	}
	return t, nil
}

// varIndex returns the index of variable name, or -1.
func (t *arnTemplate) varIndex(name string) int {
	for i, v := range t.vars {
		if v == name {
			return i
		}
	}
	return -1
}

// build formats the ARN with one allocation. vals holds one value per variable.
func (t *arnTemplate) build(partition, region, account string, vals []string) string {
	n := len("arn:") + len(partition) + 1 + len(t.service) + 1 + len(region) + 1 + len(account) + 1
	for i, s := range t.resource {
		if i > 0 {
			n++
		}
		if s.v >= 0 {
			n += len(vals[s.v])
		} else {
			n += len(s.lit)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("arn:")
	b.WriteString(partition)
	b.WriteByte(':')
	b.WriteString(t.service)
	b.WriteByte(':')
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	for i, s := range t.resource {
		if i > 0 {
			b.WriteByte('/')
		}
		if s.v >= 0 {
			b.WriteString(vals[s.v])
		} else {
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// buildRaw formats the ARN of a one-variable template from raw bytes, with
// one allocation: build reads the bytes through a string that shares them
// (it copies them into the ARN and keeps no reference).
func (t *arnTemplate) buildRaw(partition, region, account string, val []byte) string {
	return t.build(partition, region, account, []string{unsafe.String(unsafe.SliceData(val), len(val))})
}

// match reports whether resource (the part after the fifth colon) has the
// template's shape; each variable must be a valid ID. vals, when not nil,
// receives the variable values.
func (t *arnTemplate) match(resource string, vals []string) bool {
	for i, s := range t.resource {
		var seg string
		if i == len(t.resource)-1 {
			seg, resource = resource, ""
			if strings.IndexByte(seg, '/') >= 0 {
				return false
			}
		} else {
			j := strings.IndexByte(resource, '/')
			if j < 0 {
				return false
			}
			seg, resource = resource[:j], resource[j+1:]
		}
		if s.v < 0 {
			if seg != s.lit {
				return false
			}
			continue
		}
		if checkID(seg) != nil {
			return false
		}
		if vals != nil {
			vals[s.v] = seg
		}
	}
	return true
}

// checkID validates an identifier that becomes one segment of an ARN: it must
// be non-empty, not a dot segment, and free of '/', '*', ':', '?' and control
// characters, so that it cannot change the structure of the ARN or act as a
// wildcard in a policy, and free of ';' and '\', which some HTTP servers
// strip (path parameters) or turn into '/', so that the ID the gateway
// authorizes is the one AWS acts on.
func checkID[S ~string | ~[]byte](s S) error {
	if len(s) == 0 {
		return errors.New("empty identifier")
	}
	if len(s) <= 2 && (s[0] == '.' && (len(s) == 1 || s[1] == '.')) {
		return fmt.Errorf("identifier %q is a dot segment", s)
	}
	if len(s) > 1024 {
		return errors.New("identifier longer than 1024 bytes")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("identifier %q has a control character", s)
		case c == '/' || c == '*' || c == ':' || c == '?' || c == ';' || c == '\\':
			return fmt.Errorf("identifier %q has %q", s, c)
		}
	}
	return nil
}

// checkAccount validates a 12-digit AWS account ID.
func checkAccount(s string) error {
	if len(s) != 12 {
		return fmt.Errorf("account %q is not 12 digits", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("account %q is not 12 digits", s)
		}
	}
	return nil
}
