package apimap

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds of every JSON body, whatever its model: the models nest at most 12
// levels deep, and a body within max_body could otherwise hold millions of
// values.
const (
	maxBodyDepth  = 32      // nesting of objects and arrays
	maxBodyValues = 100_000 // JSON values (objects, arrays and scalars) in one body
)

// validateRequest enforces the model's constraints of op on req before
// anything is mapped: list and map sizes, string lengths in characters, blob
// lengths in bytes and integer values, in the JSON body at any depth and in
// the URI labels (rawLabels, still escaped) and query-string members. The JSON
// body is also checked against the model's types (an object for a structure
// or map, an array for a list, and so on; null stands for an absent value),
// and bounded in depth and size. Members the model does not know are only
// bounded; a member that differs from a model member only in case is
// rejected. Enum values and patterns are not checked. A violation is a
// BadRequest error naming the member path and the limit, in AWS's words.
func validateRequest(op *opSpec, req *Request, rawLabels []string) error {
	c := opConstraints[op]
	if c == nil {
		return badRequest("%s has no constraint table", op.name)
	}
	return validateOp(constraintShapes[:], c, op.labels, req, rawLabels)
}

// validateOp checks req against c, whose shape indexes refer to shapes;
// labelNames are the operation's URI label names in path order.
func validateOp(shapes []cshape, c *cop, labelNames []string, req *Request, rawLabels []string) error {
	if len(c.params) > 0 {
		if err := validateParams(shapes, c, labelNames, req, rawLabels); err != nil {
			return err
		}
	}
	if c.body >= 0 && skipSpace(req.Body, 0) < len(req.Body) {
		return validateBody(shapes, req.Body, c.body)
	}
	return nil
}

// violation returns the error for the value at path (built lazily: only an
// error pays for it).
func violation(path, constraint string) *Error {
	return badRequest("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", path, constraint)
}

func lengthViolation(path string, s *cshape, n int64) *Error {
	if s.hasMin && n < s.min {
		return violation(path, "Member must have length greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	return violation(path, "Member must have length less than or equal to "+strconv.FormatInt(s.max, 10))
}

func valueViolation(path string, s *cshape, below bool) *Error {
	if below {
		return violation(path, "Member must have value greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	return violation(path, "Member must have value less than or equal to "+strconv.FormatInt(s.max, 10))
}

func inLength(s *cshape, n int64) bool {
	return (!s.hasMin || n >= s.min) && (!s.hasMax || n <= s.max)
}

var kindNames = [...]string{ckStruct: "a JSON object", ckList: "a JSON array", ckMap: "a JSON object",
	ckString: "a JSON string", ckBlob: "a base64 JSON string", ckBool: "a JSON boolean", ckInt: "a JSON integer",
	ckFloat: "a JSON number", ckTime: "a JSON number or string"}

func typeViolation(path string, s *cshape) *Error {
	return violation(path, "Member must be "+kindNames[s.kind])
}

// vframe is one open object or array of the body (small: the stack is
// zeroed on every call).
type vframe struct {
	shape          int32 // -1: not in the model (only bounded)
	n              int32 // members or elements begun so far
	member         int32 // a structure's current member (index in members), or -1
	keyOff, keyEnd int32 // the current raw key in the body (maps and unknown members)
	obj            bool  // an object (else an array)
	isMap          bool  // a map (its elements are named by key)
}

// errBodyInvalid is the answer for a body that is not valid JSON.
var errBodyInvalid = badRequest("body is not valid JSON")

// validateBody checks b, which must be one JSON object of shape root, in a
// single pass that also checks it is valid JSON. It allocates only to report
// an error (or to decode a member name written with escapes).
func validateBody(shapes []cshape, b []byte, root int32) error {
	if len(b) > 1<<30 {
		return badRequest("body is larger than 1 GiB")
	}
	var stack [maxBodyDepth]vframe
	depth, values := 0, 0
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		if validJSON(b) {
			return badRequest("body is not a JSON object")
		}
		return errBodyInvalid
	}
	s := root
	for {
		// A value of shape s (-1: unknown) starts at b[i].
		if i >= len(b) {
			return errBodyInvalid
		}
		if values++; values > maxBodyValues {
			return badRequest("body has more than %d JSON values", maxBodyValues)
		}
		var sh *cshape
		if s >= 0 {
			if sh = &shapes[s]; sh.kind == ckDoc {
				sh, s = nil, -1
			}
		}
		start := i
		switch c := b[i]; {
		case c == '{' || c == '[':
			if sh != nil && (c == '{') != (sh.kind == ckStruct || sh.kind == ckMap) || sh != nil && (c == '[') != (sh.kind == ckList) {
				return typeViolation(bodyPath(shapes, b, stack[:depth]), sh)
			}
			if depth == maxBodyDepth {
				return badRequest("body is nested more than %d levels deep", maxBodyDepth)
			}
			stack[depth] = vframe{shape: s, member: -1, obj: c == '{', isMap: sh != nil && sh.kind == ckMap}
			depth++
			i = skipSpace(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				i++
				depth--
				if sh != nil && sh.kind != ckStruct && !inLength(sh, 0) {
					return lengthViolation(bodyPath(shapes, b, stack[:depth]), sh, 0)
				}
				break
			}
			var err error
			if s, i, err = beginElement(shapes, b, i, stack[:depth]); err != nil {
				return err
			}
			continue
		case c == '"':
			var chars int
			var nonASCII bool
			if i, chars, nonASCII, _ = scanString(b, i); i < 0 {
				return errBodyInvalid
			}
			// The common case, an ASCII string within its bounds, needs no call.
			if sh != nil && (sh.kind != ckString || (sh.hasMin || sh.hasMax) && (nonASCII || !inLength(sh, int64(chars)))) {
				if err := checkJSONString(shapes, b, stack[:depth], sh, b[start+1:i-1], chars, nonASCII); err != nil {
					return err
				}
			}
		case c == 't' || c == 'f':
			lit := "false"
			if c == 't' {
				lit = "true"
			}
			if i = literal(b, i, lit); i < 0 {
				return errBodyInvalid
			}
			if sh != nil && sh.kind != ckBool {
				return typeViolation(bodyPath(shapes, b, stack[:depth]), sh)
			}
		case c == 'n':
			if i = literal(b, i, "null"); i < 0 {
				return errBodyInvalid
			}
		default:
			if i = scanJSONNumber(b, i); i < 0 {
				return errBodyInvalid
			}
			if sh != nil {
				if err := checkJSONNumber(shapes, b, stack[:depth], sh, b[start:i]); err != nil {
					return err
				}
			}
		}
		// After the value: close the containers that end there, and begin
		// the next element.
		var err error
		if s, i, depth, err = afterValue(shapes, b, i, &stack, depth); err != nil || depth == 0 {
			return err
		}
	}
}

// afterValue reads what follows a value that ends just before b[i], at the
// given depth of stack: it closes the containers that end there (checking
// their sizes), then begins the next element. It returns that element's
// shape, the index of its value and the new depth; depth 0 means the body
// has ended (and nothing but space follows it).
func afterValue(shapes []cshape, b []byte, i int, stack *[maxBodyDepth]vframe, depth int) (int32, int, int, error) {
	for {
		if depth == 0 {
			if skipSpace(b, i) != len(b) {
				return 0, 0, 0, errBodyInvalid
			}
			return 0, 0, 0, nil
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, 0, 0, errBodyInvalid
		}
		top := &stack[depth-1]
		if b[i] == ',' {
			s, i, err := beginElement(shapes, b, skipSpace(b, i+1), stack[:depth])
			return s, i, depth, err
		}
		if top.obj && b[i] == '}' || !top.obj && b[i] == ']' {
			i++
			depth--
			if top.shape >= 0 {
				if tsh := &shapes[top.shape]; tsh.kind != ckStruct && !inLength(tsh, int64(top.n)) {
					return 0, 0, 0, lengthViolation(bodyPath(shapes, b, stack[:depth]), tsh, int64(top.n))
				}
			}
			continue
		}
		return 0, 0, 0, errBodyInvalid
	}
}

// beginElement starts the next element of the innermost open container
// (stack's last frame) at b[i]: for an object it reads the member name and
// the colon. It returns the element's shape and the index of its value.
func beginElement(shapes []cshape, b []byte, i int, stack []vframe) (int32, int, error) {
	top := &stack[len(stack)-1]
	top.n++
	var sh *cshape
	if top.shape >= 0 {
		sh = &shapes[top.shape]
		if sh.kind != ckStruct && sh.hasMax && int64(top.n) > sh.max {
			return 0, 0, lengthViolation(bodyPath(shapes, b, stack[:len(stack)-1]), sh, int64(top.n))
		}
	}
	if !top.obj {
		if sh == nil {
			return -1, i, nil
		}
		return sh.elem, i, nil
	}
	if i >= len(b) || b[i] != '"' {
		return 0, 0, errBodyInvalid
	}
	ks := i
	if sh != nil && sh.kind == ckStruct {
		// The common case: the name of a model member, which has no escape,
		// control byte or quote, so its closing quote is the first one.
		if n := bytes.IndexByte(b[i+1:], '"'); n >= 0 {
			if j := findMember(sh.members, b[i+1:i+1+n]); j >= 0 {
				if i = skipSpace(b, i+n+2); i >= len(b) || b[i] != ':' {
					return 0, 0, errBodyInvalid
				}
				top.member = int32(j)
				return sh.members[j].shape, skipSpace(b, i+1), nil
			}
		}
	}
	i, chars, nonASCII, escaped := scanString(b, i)
	if i < 0 {
		return 0, 0, errBodyInvalid
	}
	key := b[ks+1 : i-1]
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, 0, errBodyInvalid
	}
	i = skipSpace(b, i+1)
	top.member, top.keyOff, top.keyEnd = -1, int32(ks+1), int32(ks+1+len(key))
	if sh == nil {
		return -1, i, nil
	}
	if sh.kind == ckMap {
		if ksh := &shapes[sh.key]; ksh.hasMin || ksh.hasMax {
			if nonASCII && !utf8.Valid(key) {
				return 0, 0, violation(bodyPath(shapes, b, stack)+" (key)", "Member must be valid UTF-8")
			}
			if !inLength(ksh, int64(chars)) {
				return 0, 0, lengthViolation(bodyPath(shapes, b, stack)+" (key)", ksh, int64(chars))
			}
		}
		return sh.elem, i, nil
	}
	if escaped {
		s, err := jsonString(b[ks : ks+len(key)+2])
		if err != nil {
			return 0, 0, err
		}
		key = []byte(s)
	}
	if j := findMember(sh.members, key); j >= 0 {
		top.member = int32(j)
		return sh.members[j].shape, i, nil
	}
	for _, m := range sh.members {
		if len(m.name) == len(key) && strings.EqualFold(m.name, string(key)) {
			return 0, 0, badRequest("member %q differs from %q only in case", truncate(key), m.name)
		}
	}
	return -1, i, nil
}

// findMember finds key in members, which are sorted by length and then by
// name: a binary search on the length finds the names of the key's length,
// and only those are compared byte by byte.
func findMember(members []cmember, key []byte) int {
	j, hi := 0, len(members)
	for j < hi {
		if mid := int(uint(j+hi) >> 1); len(members[mid].name) < len(key) {
			j = mid + 1
		} else {
			hi = mid
		}
	}
	for ; j < len(members) && len(members[j].name) == len(key); j++ {
		if members[j].name == string(key) {
			return j
		}
	}
	return -1
}

// checkJSONString checks the raw content of a JSON string (between the
// quotes; chars characters, nonASCII when it has bytes beyond ASCII)
// against sh.
func checkJSONString(shapes []cshape, b []byte, stack []vframe, sh *cshape, in []byte, chars int, nonASCII bool) error {
	switch sh.kind {
	case ckString:
		if !sh.hasMin && !sh.hasMax {
			return nil
		}
		if nonASCII && !utf8.Valid(in) {
			return violation(bodyPath(shapes, b, stack), "Member must be valid UTF-8")
		}
		if !inLength(sh, int64(chars)) {
			return lengthViolation(bodyPath(shapes, b, stack), sh, int64(chars))
		}
	case ckBlob:
		if !sh.hasMin && !sh.hasMax {
			return nil
		}
		n, ok := base64Len(in)
		if !ok {
			return violation(bodyPath(shapes, b, stack), "Member must be base64 (standard alphabet, padded)")
		}
		if !inLength(sh, int64(n)) {
			return lengthViolation(bodyPath(shapes, b, stack), sh, int64(n))
		}
	case ckTime:
	case ckFloat:
		if sh.hasMin || sh.hasMax {
			// "NaN" and the infinities satisfy no bound.
			return violation(bodyPath(shapes, b, stack), "Member must be a JSON number")
		}
	default:
		return typeViolation(bodyPath(shapes, b, stack), sh)
	}
	return nil
}

// checkJSONNumber checks a JSON number (valid syntax) against sh.
func checkJSONNumber(shapes []cshape, b []byte, stack []vframe, sh *cshape, num []byte) error {
	switch sh.kind {
	case ckInt:
		if bytes.IndexAny(num, ".eE") >= 0 {
			return typeViolation(bodyPath(shapes, b, stack), sh)
		}
		if !sh.hasMin && !sh.hasMax {
			return nil
		}
		if below, ok := intInRange(sh, num); !ok {
			return valueViolation(bodyPath(shapes, b, stack), sh, below)
		}
	case ckFloat:
		if !sh.hasMin && !sh.hasMax {
			return nil
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil { // out of float64's range: beyond any bound
			return valueViolation(bodyPath(shapes, b, stack), sh, num[0] == '-')
		}
		if sh.hasMin && f < float64(sh.min) {
			return valueViolation(bodyPath(shapes, b, stack), sh, true)
		}
		if sh.hasMax && f > float64(sh.max) {
			return valueViolation(bodyPath(shapes, b, stack), sh, false)
		}
	case ckTime:
	default:
		return typeViolation(bodyPath(shapes, b, stack), sh)
	}
	return nil
}

// intInRange reports whether the decimal integer num is within sh's bounds,
// and if not, whether it is below the minimum.
func intInRange(sh *cshape, num []byte) (below, ok bool) {
	neg := num[0] == '-'
	digits := num
	if neg {
		digits = num[1:]
	}
	if len(digits) > 18 { // beyond every int64 bound (JSON has no leading zeros)
		return neg, false
	}
	var v int64
	for _, d := range digits {
		v = v*10 + int64(d-'0')
	}
	if neg {
		v = -v
	}
	if sh.hasMin && v < sh.min {
		return true, false
	}
	if sh.hasMax && v > sh.max {
		return false, false
	}
	return false, true
}

// Byte classes of JSON string content, for scanString.
const (
	sPlain   = iota // printable ASCII other than '"' and '\\'
	sQuote          // '"'
	sEscape         // '\\'
	sControl        // below 0x20: invalid in JSON
	sCont           // a UTF-8 continuation byte (10xxxxxx)
	sLead           // any other byte beyond ASCII
)

var stringClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c < 0x20:
			t[c] = sControl
		case c == '"':
			t[c] = sQuote
		case c == '\\':
			t[c] = sEscape
		case c >= 0x80 && c < 0xC0:
			t[c] = sCont
		case c >= 0x80:
			t[c] = sLead
		}
	}
	return t
}()

// scanString scans the JSON string starting at b[i] (a '"') in one pass and
// returns the index just after it (-1 when it is not a valid JSON string),
// its length in characters as AWS counts them (Unicode code points: an
// escape is one, an escaped surrogate pair is one), whether it has bytes
// beyond ASCII (the count is then exact only if they are valid UTF-8, which
// the caller checks where the count matters) and whether it has escapes.
func scanString(b []byte, i int) (end, chars int, nonASCII, escaped bool) {
	const ones = 0x0101010101010101
	for i++; ; {
		// Eight bytes at a time while none is '"', '\\' or a control byte
		// ((x-1) &^ x has its top bit set where byte x is 0). Characters
		// are the bytes that are not UTF-8 continuation bytes (10xxxxxx).
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			q, e := w^(ones*'"'), w^(ones*'\\')
			high := w & (ones * 0x80)
			if m := ((w-ones*0x20)&^w | (q-ones)&^q | (e-ones)&^e) & (ones * 0x80); m != 0 {
				// The lowest flagged byte is a real one (a borrow only
				// flags bytes above it): take the bytes before it.
				k := bits.TrailingZeros64(m) >> 3
				i += k
				chars += k
				if high &= uint64(1)<<(8*k) - 1; high != 0 {
					chars -= bits.OnesCount64(high &^ (w << 1))
					nonASCII = true
				}
				break
			}
			i += 8
			chars += 8
			if high != 0 {
				chars -= bits.OnesCount64(high &^ (w << 1))
				nonASCII = true
			}
		}
		if i >= len(b) {
			return -1, 0, false, false
		}
		switch stringClass[b[i]] {
		case sPlain:
			i++
			chars++
		case sQuote:
			return i + 1, chars, nonASCII, escaped
		case sEscape:
			n := escapeLen(b[i:])
			if n < 0 {
				return -1, 0, false, false
			}
			if n == 6 {
				if r := unhex4(b[i+2 : i+6]); r >= 0xD800 && r < 0xDC00 && escapeLen(b[i+6:]) == 6 && b[i+7] == 'u' {
					if lo := unhex4(b[i+8 : i+12]); lo >= 0xDC00 && lo < 0xE000 {
						n = 12
					}
				}
			}
			i += n
			chars++
			escaped = true
		case sControl:
			return -1, 0, false, false
		case sCont:
			i++
			nonASCII = true
		default:
			i++
			chars++
			nonASCII = true
		}
	}
}

// unhex4 decodes four hex digits (already checked by escapeLen).
func unhex4(h []byte) int {
	v := 0
	for _, c := range h {
		v = v<<4 | unhex(c)
	}
	return v
}

// base64Len returns the decoded length of padded standard base64, or false
// when in is not that.
func base64Len(in []byte) (int, bool) {
	if len(in)%4 != 0 {
		return 0, false
	}
	pad := 0
	for j, c := range in {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			if pad > 0 {
				return 0, false
			}
		case c == '=' && j >= len(in)-2:
			pad++
		default:
			return 0, false
		}
	}
	return len(in)/4*3 - pad, true
}

// bodyPath names the value being read in the innermost open container of
// stack: member names joined with '.', list indexes and map keys in brackets,
// as in Filters[0].Values or Tags["k"].
func bodyPath(shapes []cshape, b []byte, stack []vframe) string {
	var sb strings.Builder
	for k := range stack {
		f := &stack[k]
		switch {
		case !f.obj:
			sb.WriteString("[" + strconv.Itoa(int(f.n)-1) + "]")
		case f.isMap:
			sb.WriteString("[" + strconv.Quote(truncate(b[f.keyOff:f.keyEnd])) + "]")
		default:
			if sb.Len() > 0 {
				sb.WriteByte('.')
			}
			if f.member >= 0 {
				sb.WriteString(shapes[f.shape].members[f.member].name)
			} else {
				sb.WriteString(truncate(b[f.keyOff:f.keyEnd]))
			}
		}
	}
	if sb.Len() == 0 {
		return "body"
	}
	return sb.String()
}

// truncate shortens a client-chosen name quoted in a message.
func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// validateParams checks the constrained URI labels and query-string members
// of c.
func validateParams(shapes []cshape, c *cop, labelNames []string, req *Request, rawLabels []string) error {
	for _, p := range c.params {
		sh := &shapes[p.shape]
		if !p.query {
			for j, name := range labelNames {
				if name != p.wire || j >= len(rawLabels) {
					continue
				}
				v, err := unescapeSegment(rawLabels[j])
				if err != nil {
					return err
				}
				if err := checkScalar(sh, p.member, v); err != nil {
					return err
				}
			}
			continue
		}
		var n int64
		for q := req.RawQuery; q != ""; {
			var part string
			part, q, _ = strings.Cut(q, "&")
			k, v, _ := strings.Cut(part, "=")
			key, err := url.QueryUnescape(k)
			if err != nil || key != p.wire {
				continue
			}
			if v, err = url.QueryUnescape(v); err != nil {
				return badRequest("query member %s: malformed percent-encoding", p.member)
			}
			n++
			elem, path := sh, p.member
			if sh.kind == ckList {
				elem, path = &shapes[sh.elem], p.member+"["+strconv.FormatInt(n-1, 10)+"]"
				if sh.hasMax && n > sh.max {
					return lengthViolation(p.member, sh, n)
				}
			}
			if err := checkScalar(elem, path, v); err != nil {
				return err
			}
		}
		if sh.kind == ckList && n > 0 && !inLength(sh, n) {
			return lengthViolation(p.member, sh, n)
		}
	}
	return nil
}

// checkScalar checks a decoded label or query value against sh.
func checkScalar(sh *cshape, path, v string) error {
	switch sh.kind {
	case ckString:
		if !utf8.ValidString(v) {
			return violation(path, "Member must be valid UTF-8")
		}
		if n := int64(utf8.RuneCountInString(v)); !inLength(sh, n) {
			return lengthViolation(path, sh, n)
		}
	case ckInt:
		if scanJSONNumber([]byte(v), 0) != len(v) || strings.ContainsAny(v, ".eE") {
			return typeViolation(path, sh)
		}
		if below, ok := intInRange(sh, []byte(v)); !ok {
			return valueViolation(path, sh, below)
		}
	case ckFloat:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return typeViolation(path, sh)
		}
		if sh.hasMin && f < float64(sh.min) {
			return valueViolation(path, sh, true)
		}
		if sh.hasMax && f > float64(sh.max) {
			return valueViolation(path, sh, false)
		}
	case ckBlob:
		n, ok := base64Len([]byte(v))
		if !ok {
			return violation(path, "Member must be base64 (standard alphabet, padded)")
		}
		if !inLength(sh, int64(n)) {
			return lengthViolation(path, sh, int64(n))
		}
	}
	return nil
}
