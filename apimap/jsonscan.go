package apimap

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// A minimal reader for the JSON bodies the mapping needs. The whole body is
// first checked with json.Valid; the functions below then walk the raw bytes
// of valid JSON, without building a tree, and return sub-slices.

// jfield is one member of a JSON object: the decoded key and the raw value.
type jfield struct {
	key []byte
	val []byte
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the valid JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// objectFields appends the members of the valid JSON object b to buf.
// Keys with escapes are decoded.
func objectFields(b []byte, buf []jfield) ([]jfield, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return buf, badRequest("body is not a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return buf, nil
	}
	for i < len(b) {
		end := skipString(b, i)
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			s, err := jsonString(b[i:end])
			if err != nil {
				return buf, err
			}
			key = []byte(s)
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // ':'
		vend := skipValue(b, i)
		buf = append(buf, jfield{key: key, val: b[i:vend]})
		i = skipSpace(b, vend)
		if i >= len(b) || b[i] == '}' {
			break
		}
		i = skipSpace(b, i+1) // ','
	}
	return buf, nil
}

// arrayIter walks the elements of a valid JSON array without a callback
// (so that nothing escapes to the heap).
type arrayIter struct {
	b []byte
	i int
}

// newArrayIter starts at the array b; it fails when b is not an array.
func newArrayIter(b []byte) (arrayIter, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return arrayIter{}, badRequest("not a JSON array")
	}
	return arrayIter{b: b, i: skipSpace(b, i+1)}, nil
}

// next returns the next element, or false at the end.
func (it *arrayIter) next() ([]byte, bool) {
	if it.i >= len(it.b) || it.b[it.i] == ']' {
		return nil, false
	}
	end := skipValue(it.b, it.i)
	elem := it.b[it.i:end]
	it.i = skipSpace(it.b, end)
	if it.i < len(it.b) && it.b[it.i] == ',' {
		it.i = skipSpace(it.b, it.i+1)
	}
	return elem, true
}

// jsonKind returns the kind of a raw valid JSON value: 's', 'n', 'b', 'l',
// 'o', or 0 for null.
func jsonKind(v []byte) byte {
	switch v[0] {
	case '"':
		return 's'
	case '{':
		return 'o'
	case '[':
		return 'l'
	case 't', 'f':
		return 'b'
	case 'n':
		return 0
	}
	return 'n'
}

// jsonString decodes a raw JSON string value. It rejects invalid UTF-8 rather
// than replacing it, so what is authorized is what AWS will read.
func jsonString(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' {
		return "", badRequest("want a JSON string")
	}
	in := v[1 : len(v)-1]
	if !utf8.Valid(in) {
		return "", badRequest("JSON string is not valid UTF-8")
	}
	if bytes.IndexByte(in, '\\') < 0 {
		return string(in), nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", badRequest("malformed JSON string")
	}
	// json.Unmarshal turns a lone surrogate escape into U+FFFD; AWS may not.
	replaced := strings.ContainsRune(s, utf8.RuneError) &&
		!bytes.ContainsRune(in, utf8.RuneError) && !bytes.Contains(bytes.ToLower(in), []byte(`\ufffd`))
	if replaced {
		return "", badRequest("JSON string has an invalid escape")
	}
	return s, nil
}

// object is a parsed JSON object with the checks the mapping relies on.
type object struct {
	fields []jfield
}

// get returns the raw value of member name, or nil when it is absent or null.
// Duplicate members, and members that differ from name only in case, are
// errors: AWS's reading of them cannot be known, so the gateway does not guess.
func (o *object) get(name string) ([]byte, error) {
	var found []byte
	seen := false
	for _, f := range o.fields {
		if string(f.key) == name {
			if seen {
				return nil, badRequest("member %q appears twice", name)
			}
			seen = true
			found = f.val
			continue
		}
		if len(f.key) == len(name) && bytes.EqualFold(f.key, []byte(name)) {
			return nil, badRequest("member %q differs from %q only in case", f.key, name)
		}
	}
	if found != nil && jsonKind(found) == 0 {
		return nil, nil
	}
	return found, nil
}

// getString returns a string member ("" and false when absent or null).
func (o *object) getString(name string) (string, bool, error) {
	v, err := o.get(name)
	if err != nil || v == nil {
		return "", false, err
	}
	if jsonKind(v) != 's' {
		return "", false, badRequest("member %q must be a string", name)
	}
	s, err := jsonString(v)
	return s, err == nil, err
}

func parseObject(b []byte, buf []jfield) (object, error) {
	f, err := objectFields(b, buf)
	return object{fields: f}, err
}
