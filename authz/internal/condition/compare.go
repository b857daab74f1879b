package condition

import "fmt"

// compareOp is an operator over parsed values (numbers, dates): the policy's
// values are parsed once when the policy loads, and a request value matches
// when cmp holds between it and any of them. A request value that does not
// parse is Invalid, so it matches neither the operator nor its negation.
type compareOp[T any] struct {
	consts []T
	parse  func(string) (T, bool)
	cmp    func(request, policy T) bool
}

// comparing returns the constructor of a compareOp; what names the kind of
// value in errors ("a number").
func comparing[T any](what string, parse func(string) (T, bool), cmp func(r, p T) bool) Constructor {
	return func(values []Template) (Operator, error) {
		o := &compareOp[T]{parse: parse, cmp: cmp}
		for i := range values {
			v, ok := parse(values[i].Plain())
			if !ok {
				return nil, fmt.Errorf("%w: %q is not %s", ErrBadValue, values[i].Plain(), what)
			}
			o.consts = append(o.consts, v)
		}
		return o, nil
	}
}

func (o *compareOp[T]) Match(v string, _ *Env) Outcome {
	r, ok := o.parse(v)
	if !ok {
		return Invalid
	}
	for _, p := range o.consts {
		if o.cmp(r, p) {
			return Matched
		}
	}
	return NoMatch
}
