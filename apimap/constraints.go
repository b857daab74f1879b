package apimap

import "fmt"

// The types below are filled by zz_constraints.go (the models' bounds of
// every operation's input, written with zz_generated.go by the go:generate
// line of spec.go) and indexed once at init; validate.go enforces them.

// ckind is the kind of a model shape, as the validator checks it.
type ckind uint8

const (
	ckStruct ckind = iota + 1 // JSON object with model members
	ckList                    // JSON array; min/max: element count
	ckMap                     // JSON object with any keys; min/max: entry count
	ckString                  // JSON string; min/max: length in characters (Unicode code points)
	ckBlob                    // JSON string holding base64; min/max: decoded length in bytes
	ckBool                    // true or false
	ckInt                     // integer or long: a JSON integer; min/max: its value
	ckFloat                   // float or double: a JSON number (or a string such as "NaN"); min/max: its value
	ckTime                    // timestamp: a JSON number (epoch seconds) or string
	ckDoc                     // document: any JSON value, held only to the body's own bounds
)

// cshape is one node of the shape tree. Shapes refer to each other by index
// into constraintShapes.
type cshape struct {
	kind           ckind
	hasMin, hasMax bool
	min, max       int64
	elem           int32     // ckList: element shape; ckMap: value shape
	key            int32     // ckMap: key shape
	members        []cmember // ckStruct: sorted by name length, then name
}

type cmember struct {
	name  string // JSON member name
	shape int32
}

// cparam is a URI label or query-string member with a bound.
type cparam struct {
	query  bool   // a query-string member (else a URI label)
	wire   string // label name or query key
	member string // model member name, for messages
	shape  int32
}

// cop gives one operation's body shape (-1: no JSON body) and its
// constrained labels and query members.
type cop struct {
	api, name string
	body      int32
	params    []cparam
}

// opConstraints finds the constraints of an operation of operationTable.
var opConstraints = map[*opSpec]*cop{}

func init() {
	if err := compileConstraints(); err != nil {
		panic("apimap: compiling the generated constraints: " + err.Error())
	}
}

// compileConstraints binds every operation of operationTable to its entry of
// constraintOps and checks the shape indexes, so that the validator never
// meets an operation without constraints or an index out of range.
func compileConstraints() error {
	byName := make(map[[2]string]*cop, len(constraintOps))
	for i := range constraintOps {
		c := &constraintOps[i]
		byName[[2]string{c.api, c.name}] = c
		if c.body >= int32(len(constraintShapes)) || c.body >= 0 && constraintShapes[c.body].kind != ckStruct {
			return fmt.Errorf("%s %s: body shape %d is not a structure", c.api, c.name, c.body)
		}
		for _, p := range c.params {
			if p.shape < 0 || p.shape >= int32(len(constraintShapes)) {
				return fmt.Errorf("%s %s: parameter %s: shape %d out of range", c.api, c.name, p.wire, p.shape)
			}
		}
	}
	for i := range constraintShapes {
		s := &constraintShapes[i]
		for _, idx := range []int32{s.elem, s.key} {
			if idx < 0 || idx >= int32(len(constraintShapes)) {
				return fmt.Errorf("shape %d: index %d out of range", i, idx)
			}
		}
		for j, m := range s.members {
			if m.shape < 0 || m.shape >= int32(len(constraintShapes)) {
				return fmt.Errorf("shape %d: member %s: index %d out of range", i, m.name, m.shape)
			}
			if prev := s.members[max(j-1, 0)].name; j > 0 && (len(prev) > len(m.name) || len(prev) == len(m.name) && prev >= m.name) {
				return fmt.Errorf("shape %d: members not sorted at %s", i, m.name)
			}
		}
		if s.kind == ckMap && constraintShapes[s.key].kind != ckString {
			return fmt.Errorf("shape %d: map key is not a string", i)
		}
	}
	for i := range operationTable {
		op := &operationTable[i]
		c := byName[[2]string{op.api, op.name}]
		if c == nil {
			return fmt.Errorf("%s %s: no constraints", op.api, op.name)
		}
		opConstraints[op] = c
	}
	return nil
}
