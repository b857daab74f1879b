package authn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"
)

// MaxStoreSize bounds the store file the gateway reads (16 MiB): a store
// is users, policies and tags, far below it; a larger file is refused
// rather than read into memory.
const MaxStoreSize = 16 << 20

// ReadStoreFile reads the store file at path, at most MaxStoreSize bytes.
func ReadStoreFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxStoreSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxStoreSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxStoreSize)
	}
	return data, nil
}

// PositionError is an error of the store document at a place in its text:
// a JSON syntax error, a value of the wrong type, an unknown or duplicate
// field. Line and Column count from 1; Column counts characters.
type PositionError struct {
	Line, Column int
	Err          error
}

func (e *PositionError) Error() string {
	return fmt.Sprintf("%d:%d: %v", e.Line, e.Column, e.Err)
}

func (e *PositionError) Unwrap() error { return e.Err }

// position returns the line and column of byte offset off of data.
func position(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[lineStart:])
}

func posErr(data []byte, off int64, err error) *PositionError {
	line, col := position(data, off)
	return &PositionError{Line: line, Column: col, Err: err}
}

// checkSyntax reports the first JSON syntax error of data, or data after
// the top-level value, at its position.
func checkSyntax(data []byte) error {
	err := json.Unmarshal(data, new(json.RawMessage))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read when the error was found, the
		// offending one included; at the end of the input, none offends.
		off := se.Offset - 1
		if strings.Contains(se.Error(), "unexpected end") {
			off = int64(len(data))
		}
		return posErr(data, off, errors.New(strings.TrimPrefix(se.Error(), "json: ")))
	}
	return err
}

// checkShape walks the (syntactically valid) document against the type of
// storeJSON, so that an unknown field, a duplicate key or a value of the
// wrong type is reported where it is: encoding/json's own errors carry no
// position for unknown fields. Field names match as encoding/json matches
// them (case-insensitively); the values of json.RawMessage fields (the
// policies, parsed by authz) are not looked into.
func checkShape(data []byte) error {
	w := &shapeWalker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	return w.value(reflect.TypeFor[Document](), "")
}

type shapeWalker struct {
	data []byte
	dec  *json.Decoder
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// start is the offset of the next token: after the decoder's offset, past
// white space, commas and colons.
func (w *shapeWalker) start() int64 {
	off := w.dec.InputOffset()
	for off < int64(len(w.data)) {
		switch w.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (w *shapeWalker) errAt(off int64, where, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	return posErr(w.data, off, errors.New(msg))
}

// jsonKind names a JSON token's kind for messages.
func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// value checks the next value against t; where names it in messages
// (users[2].access_keys).
func (w *shapeWalker) value(t reflect.Type, where string) error {
	off := w.start()
	tok, err := w.dec.Token()
	if err != nil {
		return w.errAt(off, where, "%v", err)
	}
	if tok == nil { // null decodes to the zero value
		return nil
	}
	if t == rawMessageType {
		return w.skip(tok)
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return w.errAt(off, where, "want a string, got %s", jsonKind(tok))
		}
		return nil
	case reflect.Slice:
		if tok != json.Delim('[') {
			return w.errAt(off, where, "want an array, got %s", jsonKind(tok))
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
		_, err := w.dec.Token()
		return err
	case reflect.Map, reflect.Struct:
		if tok != json.Delim('{') {
			return w.errAt(off, where, "want an object, got %s", jsonKind(tok))
		}
		return w.object(t, where)
	}
	return w.errAt(off, where, "unexpected type %s", t) // not reached: storeJSON has no other kinds
}

// object checks the members of an object of type t (a map or a struct),
// its opening brace read.
func (w *shapeWalker) object(t reflect.Type, where string) error {
	seen := map[string]bool{}
	for w.dec.More() {
		off := w.start()
		tok, err := w.dec.Token()
		if err != nil {
			return w.errAt(off, where, "%v", err)
		}
		key, _ := tok.(string)
		elem, name := t.Elem, key
		if t.Kind() == reflect.Struct {
			f, ok := jsonField(t, key)
			if !ok {
				return w.errAt(off, where, "unknown field %q", key)
			}
			name, _, _ = strings.Cut(f.Tag.Get("json"), ",")
			elem = func() reflect.Type { return f.Type }
		}
		if seen[name] {
			return w.errAt(off, where, "duplicate key %q (the last would replace the others)", key)
		}
		seen[name] = true
		sub := name
		if where != "" {
			sub = where + "." + name
		}
		if err := w.value(elem(), sub); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

// jsonField finds the field of struct t that encoding/json decodes key
// into: the exact tag name, else one equal under case folding.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var folded reflect.StructField
	found := false
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			folded, found = f, true
		}
	}
	return folded, found
}

// skip consumes the rest of a value whose first token is tok.
func (w *shapeWalker) skip(tok json.Token) error {
	if d, ok := tok.(json.Delim); !ok || (d != '{' && d != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}
