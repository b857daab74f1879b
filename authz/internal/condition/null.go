package condition

import (
	"fmt"
	"strings"
)

// The Null operator: "true" holds when the key is absent from the request context, "false"
// when it is present (even as an empty multi-valued key). It takes no set qualifier and no IfExists.

func init() {
	registry["Null"] = spec{ctor: newNull, null: true}
}

type nullOp struct{ want []bool } // true: key must be absent

func newNull(values []Template) (Operator, error) {
	o := &nullOp{}
	for i := range values {
		b, ok := parseBool(values[i].Plain())
		if !values[i].Constant() || !ok {
			return nil, fmt.Errorf("%w: Null takes true or false, not %q", ErrBadValue, values[i].Raw())
		}
		o.want = append(o.want, b)
	}
	return o, nil
}

// Match is called with "true" when the key is absent and "false" when it is present.
func (o *nullOp) Match(v string, _ *Env) Outcome {
	absent := strings.EqualFold(v, "true")
	for _, w := range o.want {
		if w == absent {
			return Matched
		}
	}
	return NoMatch
}
