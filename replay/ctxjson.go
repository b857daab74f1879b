package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/authz"
)

// The context objects are most of a record's bytes: they are read here,
// in one pass over the bytes encoding/json already checked, rather than
// by encoding/json's reflection (a third of the time per record with it).

// ctxMap decodes a context object: a string value is single-valued, an
// array of strings multi-valued. Key names are lower-cased.
type ctxMap struct {
	vals  map[string][]string
	multi map[string]bool
}

var errCtxValue = errors.New("want a string or an array of strings")

// decode reads the context object b (already validated JSON, or empty),
// interning its strings in in.
func (m *ctxMap) decode(b []byte, in *interner) error {
	if len(b) == 0 {
		return nil
	}
	p := ctxParser{b: b}
	if !p.consume('{') {
		if p.literal("null") {
			return nil
		}
		return errors.New("context: want an object")
	}
	m.vals = make(map[string][]string, 24)
	if p.consume('}') {
		return nil
	}
	for {
		key, err := p.str()
		if err != nil {
			return fmt.Errorf("context: %w", err)
		}
		key = in.intern(strings.ToLower(key))
		if !p.consume(':') {
			return fmt.Errorf("context key %q: want a colon", key)
		}
		switch {
		case p.consume('['):
			list := []string{}
			if !p.consume(']') {
				for {
					v, err := p.str()
					if err != nil {
						return fmt.Errorf("context key %q: %w", key, errCtxValue)
					}
					list = append(list, in.intern(v))
					if p.consume(']') {
						break
					}
					if !p.consume(',') {
						return fmt.Errorf("context key %q: %w", key, errCtxValue)
					}
				}
			}
			m.vals[key] = list
			if m.multi == nil {
				m.multi = map[string]bool{}
			}
			m.multi[key] = true
		default:
			v, err := p.str()
			if err != nil {
				return fmt.Errorf("context key %q: %w", key, errCtxValue)
			}
			m.vals[key] = []string{in.intern(v)}
		}
		if p.consume('}') {
			return nil
		}
		if !p.consume(',') {
			return fmt.Errorf("context key %q: want a comma", key)
		}
	}
}

// ctxParser reads JSON that encoding/json has already validated.
type ctxParser struct {
	b []byte
	i int
}

func (p *ctxParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// consume skips white space and c, reporting whether c was there.
func (p *ctxParser) consume(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *ctxParser) literal(s string) bool {
	p.ws()
	if strings.HasPrefix(string(p.b[p.i:]), s) {
		p.i += len(s)
		return true
	}
	return false
}

// str reads a JSON string; one with escapes is decoded by encoding/json.
func (p *ctxParser) str() (string, error) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", errCtxValue
	}
	start, escaped := p.i, false
	for p.i++; p.i < len(p.b); p.i++ {
		switch p.b[p.i] {
		case '\\':
			escaped = true
			p.i++
		case '"':
			p.i++
			raw := p.b[start:p.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", err
			}
			return s, nil
		}
	}
	return "", errors.New("unterminated string")
}

// interner holds the strings that recur from record to record of one
// Read (key names, principals, regions, "false"), so that the records a
// caller keeps do not hold one copy each; it stops growing at maxInterned
// entries.
type interner struct {
	strings  map[string]string
	policies map[string]parsedPolicy // session policies by document
}

type parsedPolicy struct {
	p   *authz.Policy
	err error
}

// maxPolicies bounds the session policies an interner keeps parsed.
const maxPolicies = 256

// sessionPolicy parses a recorded session policy document, once per
// distinct document (sessions use the same few).
func (in *interner) sessionPolicy(doc []byte) (*authz.Policy, error) {
	if pp, ok := in.policies[string(doc)]; ok {
		return pp.p, pp.err
	}
	p, err := authz.Parse("session policy", doc, authz.Session)
	if in.policies == nil || len(in.policies) >= maxPolicies {
		in.policies = map[string]parsedPolicy{}
	}
	in.policies[string(doc)] = parsedPolicy{p, err}
	return p, err
}

const (
	maxInterned     = 1 << 14
	maxInternedSize = 256
)

func (in *interner) intern(s string) string {
	if len(s) > maxInternedSize {
		return s
	}
	if v, ok := in.strings[s]; ok {
		return v
	}
	if in.strings == nil {
		in.strings = map[string]string{}
	}
	if len(in.strings) < maxInterned {
		in.strings[s] = s
	}
	return s
}
