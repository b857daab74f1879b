package condition

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// The BinaryEquals operator: policy and request values are base64; the decoded bytes are
// compared. A request value that is not base64 matches nothing.

func init() {
	register("BinaryEquals", "", false, newBinary)
}

type binaryOp struct {
	consts [][]byte
}

func newBinary(values []Template) (Operator, error) {
	o := &binaryOp{}
	for i := range values {
		b, err := base64.StdEncoding.DecodeString(values[i].Plain())
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not base64", ErrBadValue, values[i].Plain())
		}
		o.consts = append(o.consts, b)
	}
	return o, nil
}

func (o *binaryOp) Match(v string, _ *Env) Outcome {
	r, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return Invalid
	}
	for _, p := range o.consts {
		if bytes.Equal(r, p) {
			return Matched
		}
	}
	return NoMatch
}
