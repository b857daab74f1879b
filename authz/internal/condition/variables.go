package condition

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// ErrVariable is wrapped by errors about malformed policy variables.
var ErrVariable = errors.New("invalid policy variable")

// Template is a policy value that may contain policy variables (${aws:username},
// ${aws:PrincipalTag/team, 'none'}) and the escapes ${*}, ${?} and ${$}. A Template compiled
// without variable support (policy Version 2008-10-17 or absent) is constant literal text.
type Template struct {
	raw   string
	parts []part // nil when the template is constant
	plain string // constant value, escapes resolved
	glob  string // constant value encoded for glob matching
}

type part struct {
	lit    string // literal text (escapes are literal parts with quoted set)
	quoted bool   // the literal came from an escape: never a wildcard
	key    string // lower-cased condition key of a variable; "" for a literal
	def    string
	hasDef bool
}

// Keys is the request context as seen by conditions: key names are lower-cased by the caller.
type Keys interface {
	LookupLower(key string) (values []string, multi bool, ok bool)
}

// Env carries the request context and a scratch buffer for resolving templates without
// allocating. An Env must not be shared between goroutines.
type Env struct {
	Keys Keys
	buf  []byte
}

// UseScratch makes env resolve templates into buf's storage (growing it as needed), for a
// caller that holds a buffer already.
func (env *Env) UseScratch(buf []byte) { env.buf = buf[:0] }

// Raw returns the template's source text.
func (t *Template) Raw() string { return t.raw }

// Constant reports whether the template contains no variables.
func (t *Template) Constant() bool { return t.parts == nil }

// Plain returns the constant value of a constant template.
func (t *Template) Plain() string { return t.plain }

// GlobPattern returns the encoded glob pattern of a constant template.
func (t *Template) GlobPattern() string { return t.glob }

// Variables returns the lower-cased condition keys the template refers to.
func (t *Template) Variables() []string {
	var out []string
	for _, p := range t.parts {
		if p.key != "" {
			out = append(out, p.key)
		}
	}
	return out
}

// Compile parses s. With vars false, s is literal text.
func Compile(s string, vars bool) (Template, error) {
	t := Template{raw: s}
	if !vars || !strings.Contains(s, "${") {
		t.plain = s
		t.glob = glob.Encode(s)
		return t, nil
	}
	var parts []part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	hasVar := false
	for i := 0; i < len(s); {
		if !strings.HasPrefix(s[i:], "${") {
			lit.WriteByte(s[i])
			i++
			continue
		}
		end := closingBrace(s, i+2)
		if end < 0 { // no closing brace: the rest is literal text
			lit.WriteString(s[i:])
			break
		}
		body := s[i+2 : end]
		i = end + 1
		switch body {
		case "*", "?", "$":
			flush()
			parts = append(parts, part{lit: body, quoted: true})
			continue
		}
		p, err := parseVariable(body)
		if err != nil {
			return Template{}, fmt.Errorf("%q: %w", s, err)
		}
		flush()
		parts = append(parts, p)
		hasVar = true
	}
	flush()
	if !hasVar { // only escapes: precompute
		var pb, gb []byte
		for _, p := range parts {
			pb = append(pb, p.lit...)
			if p.quoted {
				gb = glob.AppendQuoted(gb, p.lit)
			} else {
				gb = append(gb, glob.Encode(p.lit)...)
			}
		}
		t.plain, t.glob = string(pb), string(gb)
		return t, nil
	}
	t.parts = parts
	return t, nil
}

// closingBrace finds the '}' closing a variable whose body starts at i, skipping quoted
// default values (” is an escaped quote inside them).
func closingBrace(s string, i int) int {
	inQuote := false
	for ; i < len(s); i++ {
		switch s[i] {
		case '\'':
			inQuote = !inQuote
		case '}':
			if !inQuote {
				return i
			}
		}
	}
	return -1
}

// parseVariable parses the body of ${...}: a key, or a key, a comma, a space and a default
// value in single quotes (${aws:PrincipalTag/team, 'none'}). Anything else is an error: AWS
// documents no other form, so none is guessed at.
func parseVariable(body string) (part, error) {
	key, def, hasDef := strings.Cut(body, ", '")
	if !validKey(key) {
		return part{}, fmt.Errorf("%w: ${%s}: bad key %q", ErrVariable, body, key)
	}
	p := part{key: strings.ToLower(key)}
	if !hasDef {
		return p, nil
	}
	if !strings.HasSuffix(def, "'") || strings.Count(def, "'") != 1 {
		return part{}, fmt.Errorf("%w: ${%s}: the default value must be one single-quoted string without quotes", ErrVariable, body)
	}
	p.def, p.hasDef = strings.TrimSuffix(def, "'"), true
	return p, nil
}

// validKey reports whether k has the form prefix:name with no spaces or wildcards.
func validKey(k string) bool {
	prefix, name, ok := strings.Cut(k, ":")
	if !ok || prefix == "" || name == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c <= ' ', c == '*', c == '?', c == '$', c == '{', c == '}', c == ',', c == '\'', c == 0x7f:
			return false
		}
	}
	return true
}

// ValidKey reports whether k is a well-formed condition key (prefix:name).
func ValidKey(k string) bool { return validKey(k) }

// lookupVar resolves one variable: single-valued keys only; otherwise the default, if any.
func lookupVar(p *part, k Keys) (string, bool) {
	if k != nil {
		if vals, multi, ok := k.LookupLower(p.key); ok && !multi && len(vals) == 1 {
			return vals[0], true
		}
	}
	if p.hasDef {
		return p.def, true
	}
	return "", false
}

// ResolvePlain returns the template's value with variables substituted. ok is false when a
// variable has no value and no default: such a value matches nothing. The returned string may
// alias env's scratch buffer and is valid only until the next Resolve call on env.
func (t *Template) ResolvePlain(env *Env) (string, bool) {
	if t.parts == nil {
		return t.plain, true
	}
	b := env.buf[:0]
	for i := range t.parts {
		p := &t.parts[i]
		if p.key == "" {
			b = append(b, p.lit...)
			continue
		}
		v, ok := lookupVar(p, env.Keys)
		if !ok {
			env.buf = b
			return "", false
		}
		b = append(b, v...)
	}
	env.buf = b
	return bytesString(b), true
}

// ResolveGlob is like ResolvePlain but returns an encoded glob pattern: wildcards in the policy
// text stay wildcards, while escapes and substituted values are literal.
func (t *Template) ResolveGlob(env *Env) (string, bool) {
	if t.parts == nil {
		return t.glob, true
	}
	b := env.buf[:0]
	for i := range t.parts {
		p := &t.parts[i]
		switch {
		case p.key == "" && p.quoted:
			b = glob.AppendQuoted(b, p.lit)
		case p.key == "":
			b = appendEncoded(b, p.lit)
		default:
			v, ok := lookupVar(p, env.Keys)
			if !ok {
				env.buf = b
				return "", false
			}
			b = glob.AppendQuoted(b, v)
		}
	}
	env.buf = b
	return bytesString(b), true
}

func appendEncoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return dst
}

// bytesString views b as a string without copying. Callers never modify b while the string
// is in use (the scratch buffer is only rewritten by the next resolution).
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
