package quota

import (
	"errors"
	"strings"
)

// compileAction checks an IAM action pattern ("*", or "service:Name" where
// the name may hold the wildcards '*' and '?') and returns it lower-cased.
// The rules are those of the gateway's policies (package authz).
func compileAction(s string) (string, error) {
	if s == "*" {
		return s, nil
	}
	prefix, name, ok := strings.Cut(s, ":")
	if !ok || prefix == "" || name == "" {
		return "", errors.New(`must be "*" or service:action`)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !(isAlnum(c) || c == '-') {
			return "", errors.New("invalid service prefix")
		}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(isAlnum(c) || c == '*' || c == '?' || c == '-' || c == '_' || c == '.') {
			return "", errors.New("invalid character in the action name")
		}
	}
	return strings.ToLower(s), nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// matchAction reports whether the action s matches the lower-cased pattern p,
// ignoring ASCII case: '*' matches any run of characters, '?' one character.
// Iterative with single-star backtracking, no allocation.
func matchAction(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				pi++
				starP, starS = pi, si
				continue
			case c == '?' || c == lower(s[si]):
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si, pi = starS, starP
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
