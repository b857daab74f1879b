package apimap

import (
	"bytes"
	"encoding/json"
)

// maxFastDepth is the nesting depth validJSON tracks on the stack; deeper
// documents are handed to encoding/json.
const maxFastDepth = 64

// validJSON reports whether b is one valid JSON value, with exactly the
// verdict of encoding/json.Valid (FuzzJSONValid checks this), but faster and
// without allocating. Like json.Valid it does not check UTF-8; the mapping
// checks the strings it reads.
func validJSON(b []byte) bool {
	i := validValue(b, skipSpace(b, 0))
	if i == tooDeep {
		return json.Valid(b)
	}
	return i >= 0 && skipSpace(b, i) == len(b)
}

// tooDeep is validValue's answer for nesting deeper than maxFastDepth.
const tooDeep = -2

// validValue checks the JSON value starting at b[i] and returns the index
// just after it, -1 when it is invalid, or tooDeep.
func validValue(b []byte, i int) int {
	var stackBuf [maxFastDepth]byte
	stack := stackBuf[:0]
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			i = skipSpace(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				i++
				break
			}
			if len(stack) == maxFastDepth {
				return tooDeep
			}
			stack = append(stack, c)
			if c == '{' {
				if i = objectKey(b, i); i < 0 {
					return -1
				}
			}
			continue
		case c == '"':
			if i = scanJSONString(b, i); i < 0 {
				return -1
			}
		case c == 't':
			if i = literal(b, i, "true"); i < 0 {
				return -1
			}
		case c == 'f':
			if i = literal(b, i, "false"); i < 0 {
				return -1
			}
		case c == 'n':
			if i = literal(b, i, "null"); i < 0 {
				return -1
			}
		default:
			if i = scanJSONNumber(b, i); i < 0 {
				return -1
			}
		}
		// After a value: close containers, or find the next value.
		for {
			if len(stack) == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if top == '{' {
					if i = objectKey(b, i); i < 0 {
						return -1
					}
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return -1
		}
	}
}

// errTooDeep marks a body nested deeper than validValue tracks.
var errTooDeep = badRequest("JSON nested too deeply for the fast path")

// scanObject validates b, which must be one JSON object, and appends its
// members to buf in one pass. It returns errTooDeep (the caller then uses
// json.Valid and objectFields) for deep nesting.
func scanObject(b []byte, buf []jfield) ([]jfield, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		if validJSON(b) {
			return buf, badRequest("body is not a JSON object")
		}
		return buf, badRequest("body is not valid JSON")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return buf, badRequest("body is not valid JSON")
			}
			ks := i
			if i = scanJSONString(b, i); i < 0 {
				return buf, badRequest("body is not valid JSON")
			}
			key := b[ks+1 : i-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				s, err := jsonString(b[ks:i])
				if err != nil {
					return buf, err
				}
				key = []byte(s)
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return buf, badRequest("body is not valid JSON")
			}
			vs := skipSpace(b, i+1)
			switch i = validValue(b, vs); i {
			case tooDeep:
				return buf, errTooDeep
			case -1:
				return buf, badRequest("body is not valid JSON")
			}
			buf = append(buf, jfield{key: key, val: b[vs:i]})
			i = skipSpace(b, i)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return buf, badRequest("body is not valid JSON")
		}
	}
	if skipSpace(b, i) != len(b) {
		return buf, badRequest("body is not valid JSON")
	}
	return buf, nil
}

// objectKey scans `"key" :` at b[i] and returns the index of the value.
func objectKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = scanJSONString(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanJSONString returns the index after the string starting at b[i], or -1.
func scanJSONString(b []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		end := i + j // a candidate closing quote
		for i < end {
			switch c := b[i]; {
			case c < 0x20:
				return -1
			case c == '\\':
				n := escapeLen(b[i:])
				if n < 0 {
					return -1
				}
				i += n
			default:
				i++
			}
		}
		if i == end {
			return end + 1
		}
		// The candidate was escaped (\"): look for the next quote.
	}
}

// escapeLen returns the length of the escape sequence that s starts with, or
// -1 when s does not start with a backslash and a valid escape.
func escapeLen(s []byte) int {
	if len(s) < 2 || s[0] != '\\' {
		return -1
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) < 6 {
			return -1
		}
		for _, h := range s[2:6] {
			if unhex(h) < 0 {
				return -1
			}
		}
		return 6
	}
	return -1
}

// scanJSONNumber returns the index after the number starting at b[i], or -1.
func scanJSONNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		digits()
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return -1
		}
	}
	return i
}
