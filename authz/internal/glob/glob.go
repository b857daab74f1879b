// Package glob matches IAM wildcard patterns: '*' matches any run of characters (including none)
// and '?' matches exactly one character. A backslash in an encoded pattern makes the next byte
// literal, which is how policy-variable escapes (${*}, ${?}, ${$}) and substituted values reach
// the matcher without turning into wildcards.
//
// Matching is iterative with single-star backtracking: O(len(pattern)*len(s)) worst case, linear
// for the patterns found in policies, and it never allocates.
package glob

import "strings"

// HasWildcard reports whether the plain (unencoded) pattern p contains '*' or '?'.
func HasWildcard(p string) bool {
	return strings.ContainsAny(p, "*?")
}

// Quote encodes s so that Match treats every byte of it literally.
func Quote(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '*' || c == '?' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// AppendQuoted appends the encoding of s (see Quote) to dst.
func AppendQuoted(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '*' || c == '?' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return dst
}

// Encode turns a plain policy pattern (where '*' and '?' are wildcards and a backslash is an
// ordinary character) into the encoded form that Match expects.
func Encode(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	return strings.ReplaceAll(p, `\`, `\\`)
}

// Match reports whether s matches the encoded pattern p, case-sensitively.
func Match(p, s string) bool { return match(p, s, false) }

// MatchFold reports whether s matches the encoded pattern p with ASCII case folding
// (IAM action names are ASCII).
func MatchFold(p, s string) bool { return match(p, s, true) }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func match(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0 // position after the last '*' in p, and the s position it was tried at
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch c {
			case '*':
				pi++
				starP, starS = pi, si
				continue
			case '?':
				// '?' matches one byte; IAM values are overwhelmingly ASCII. For a multi-byte
				// UTF-8 character, consume the whole character.
				pi++
				si += runeLen(s, si)
				continue
			case '\\':
				if pi+1 < len(p) {
					if p[pi+1] == s[si] {
						pi += 2
						si++
						continue
					}
				} else if s[si] == '\\' { // a trailing lone backslash is literal
					pi++
					si++
					continue
				}
			default:
				if c == s[si] || (fold && lower(c) == lower(s[si])) {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Backtrack: let the last '*' absorb one more character.
		starS += runeLen(s, starS)
		si = starS
		pi = starP
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// runeLen returns the length of the UTF-8 sequence starting at s[i] (1 for invalid bytes).
func runeLen(s string, i int) int {
	c := s[i]
	n := 1
	switch {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	if i+n > len(s) {
		return 1
	}
	for k := 1; k < n; k++ {
		if s[i+k]&0xC0 != 0x80 {
			return 1
		}
	}
	return n
}
