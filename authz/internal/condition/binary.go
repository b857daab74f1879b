package condition

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// The BinaryEquals operator: policy and request values are base64; the decoded bytes are
// compared. A request value that is not base64 matches nothing.

func init() {
	register("BinaryEquals", "", newBinary)
}

type binaryOp struct {
	consts [][]byte
	vars   []*Template
}

func newBinary(values []Template) (Operator, error) {
	o := &binaryOp{}
	for i := range values {
		if !values[i].Constant() {
			o.vars = append(o.vars, &values[i])
			continue
		}
		b, err := base64.StdEncoding.DecodeString(values[i].Plain())
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not base64", ErrBadValue, values[i].Plain())
		}
		o.consts = append(o.consts, b)
	}
	return o, nil
}

func (o *binaryOp) Match(v string, env *Env) (bool, bool) {
	r, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false, false
	}
	for _, p := range o.consts {
		if bytes.Equal(r, p) {
			return true, true
		}
	}
	for _, t := range o.vars {
		if s, ok := t.ResolvePlain(env); ok {
			if p, err := base64.StdEncoding.DecodeString(s); err == nil && bytes.Equal(r, p) {
				return true, true
			}
		}
	}
	return false, true
}
