package authz

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// actionPattern is one value of an Action or NotAction element: "*", or "prefix:Name" where
// the name may use '*' and '?'. Actions match case-insensitively.
type actionPattern struct {
	raw   string
	lower string // lower-cased, glob-encoded
	wild  bool
}

func compileAction(s string) (actionPattern, error) {
	if s == "*" {
		return actionPattern{raw: s, lower: "*", wild: true}, nil
	}
	prefix, name, ok := strings.Cut(s, ":")
	if !ok || prefix == "" || name == "" {
		return actionPattern{}, fmt.Errorf("%w: action %q is not \"*\" or service:action", ErrInvalid, s)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !(isAlnum(c) || c == '-') {
			return actionPattern{}, fmt.Errorf("%w: action %q has an invalid service prefix", ErrInvalid, s)
		}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(isAlnum(c) || c == '*' || c == '?' || c == '-' || c == '_' || c == '.') {
			return actionPattern{}, fmt.Errorf("%w: action %q has an invalid character %q", ErrInvalid, s, c)
		}
	}
	l := strings.ToLower(s)
	return actionPattern{raw: s, lower: l, wild: glob.HasWildcard(l)}, nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// matchesLower reports whether an action, already lower-cased, matches the pattern (actions
// match case-insensitively).
func (a *actionPattern) matchesLower(lower string) bool {
	if !a.wild {
		return a.lower == lower
	}
	return glob.Match(a.lower, lower)
}

// ActionPattern is an IAM action pattern compiled as a policy's Action
// element compiles it: "*", or "prefix:Name" where the name may use '*' and
// '?'. Other configuration that names actions (the gateway's quotas) uses
// it, so that an action pattern means the same everywhere.
type ActionPattern struct{ p actionPattern }

// CompileActionPattern checks and compiles s; the error wraps ErrInvalid.
func CompileActionPattern(s string) (ActionPattern, error) {
	p, err := compileAction(s)
	return ActionPattern{p}, err
}

// String returns the pattern as written.
func (a ActionPattern) String() string { return a.p.raw }

// Matches reports whether action matches the pattern, ignoring ASCII case.
func (a *ActionPattern) Matches(action string) bool {
	var b [128]byte // a lower-cased copy on the stack for the usual lengths
	return a.p.matchesLower(bytesString(appendLower(b[:0], action)))
}

// bytesString views b as a string without copying; b must not change while it is in use.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// appendLower appends the ASCII-lower-cased s to dst.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
