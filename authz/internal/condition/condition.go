// Package condition implements the IAM Condition element: the operator families (one file
// each), the ForAnyValue:/ForAllValues: set qualifiers, the IfExists suffix and policy
// variables. An Operator is an interface; a registry maps operator names to constructors, and
// constructors validate their arguments, so an unknown operator or a malformed value fails when
// the policy is loaded, never open at request time.
package condition

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors wrapped by Compile.
var (
	ErrUnknownOperator = errors.New("unknown operator")
	ErrBadKey          = errors.New("invalid condition key")
	ErrBadValue        = errors.New("invalid condition value")
)

// Outcome is the result of comparing one request value with an operator's policy values.
type Outcome int

// Outcomes. Only Matched satisfies a positive operator and only NoMatch satisfies its negation:
// a request value that does not parse (Invalid) satisfies neither, and neither does a
// comparison in which a policy variable had no value (Unresolved), since AWS treats that value
// as null, which nothing equals or differs from.
const (
	NoMatch Outcome = iota
	Matched
	Unresolved
	Invalid
)

// Operator is a compiled positive condition operator with its policy values.
type Operator interface {
	// Match compares the request value v with the operator's policy values: Matched if one
	// matches; otherwise Invalid if v does not parse, Unresolved if a policy value's variable
	// had no value, else NoMatch.
	Match(v string, env *Env) Outcome
}

// Constructor builds an Operator from its policy values, validating them.
type Constructor func(values []Template) (Operator, error)

type spec struct {
	ctor    Constructor
	negated bool
	null    bool
	vars    bool // values may contain policy variables (String and Arn operators only)
}

var registry = map[string]spec{}

// register adds a positive operator and, if neg is not empty, its negation. vars says whether
// the operator's values may hold policy variables: AWS substitutes them only in the String and
// Arn operators; elsewhere "${...}" is literal text (which then fails to parse as a value).
func register(name, neg string, vars bool, ctor Constructor) {
	registry[name] = spec{ctor: ctor, vars: vars}
	if neg != "" {
		registry[neg] = spec{ctor: ctor, negated: true, vars: vars}
	}
}

// Operators returns the registered base operator names, sorted.
func Operators() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Qualifier is a set operator prefix.
type Qualifier int

// Set qualifiers.
const (
	NoQualifier Qualifier = iota
	ForAnyValue
	ForAllValues
)

// Clause is one operator applied to one key with its values: {"StringEquals": {"k": [v...]}}.
type Clause struct {
	Operator  string // full operator name as written, e.g. "ForAnyValue:StringLikeIfExists"
	Base      string // base operator name, e.g. "StringLike" / "StringNotLike"
	Key       string // key as written
	Values    []Template
	Array     bool // values were written as a JSON array
	Qualifier Qualifier
	IfExists  bool
	Negated   bool

	lkey string
	null bool
	op   Operator
}

// ParseOperator splits a full operator name into qualifier, base name and IfExists.
func ParseOperator(name string) (q Qualifier, base string, ifExists bool, err error) {
	base = name
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		q, base = ForAnyValue, strings.TrimPrefix(base, "ForAnyValue:")
	case strings.HasPrefix(base, "ForAllValues:"):
		q, base = ForAllValues, strings.TrimPrefix(base, "ForAllValues:")
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, ifExists = b, true
	}
	sp, ok := registry[base]
	if !ok {
		return 0, "", false, fmt.Errorf("%w %q", ErrUnknownOperator, name)
	}
	if sp.null && (ifExists || q != NoQualifier) {
		return 0, "", false, fmt.Errorf("%w %q: Null takes no qualifier or IfExists", ErrUnknownOperator, name)
	}
	return q, base, ifExists, nil
}

// NewClause compiles one clause. policyVars says whether the policy's version supports policy
// variables.
func NewClause(operator, key string, raw []string, array, policyVars bool) (*Clause, error) {
	q, base, ifExists, err := ParseOperator(operator)
	if err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, fmt.Errorf("%w %q", ErrBadKey, key)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: %s %q has no values", ErrBadValue, operator, key)
	}
	sp := registry[base]
	values := make([]Template, len(raw))
	for i, r := range raw {
		if values[i], err = Compile(r, policyVars && sp.vars); err != nil {
			return nil, fmt.Errorf("%s %q: %w", operator, key, err)
		}
	}
	op, err := sp.ctor(values)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", operator, key, err)
	}
	return &Clause{
		Operator: operator, Base: base, Key: key, Values: values, Array: array,
		Qualifier: q, IfExists: ifExists, Negated: sp.negated,
		lkey: strings.ToLower(key), null: sp.null, op: op,
	}, nil
}

// LowerKey returns the clause's lower-cased key.
func (c *Clause) LowerKey() string { return c.lkey }

// Eval evaluates the clause against the request context.
//
// Semantics (IAM condition reference, and the simulator this package is tested against):
// several values of one key are ORed. A missing key makes ForAllValues true and ForAnyValue
// false; otherwise IfExists makes the clause true, and without it positive operators are false
// and negated operators true. ForAnyValue needs one request value to satisfy the operator,
// ForAllValues every one. Without a set qualifier a multi-valued key satisfies nothing. A
// request value that does not parse satisfies neither an operator nor its negation.
func (c *Clause) Eval(env *Env) bool {
	var vals []string
	var multi, ok bool
	if env.Keys != nil {
		vals, multi, ok = env.Keys.LookupLower(c.lkey)
	}
	if c.null {
		return c.op.Match(boolString(!ok), env) == Matched
	}
	if !ok {
		switch {
		case c.Qualifier == ForAllValues:
			return true
		case c.Qualifier == ForAnyValue:
			return false
		case c.IfExists:
			return true
		}
		return c.Negated
	}
	switch c.Qualifier {
	case ForAnyValue:
		for _, v := range vals {
			if c.one(v, env) {
				return true
			}
		}
		return false
	case ForAllValues:
		for _, v := range vals {
			if !c.one(v, env) {
				return false
			}
		}
		return true
	}
	if multi || len(vals) != 1 {
		return false
	}
	return c.one(vals[0], env)
}

func (c *Clause) one(v string, env *Env) bool {
	o := c.op.Match(v, env)
	if c.Negated {
		return o == NoMatch
	}
	return o == Matched
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Block is a compiled Condition element: every clause must hold.
type Block struct {
	Clauses []*Clause // sorted by operator, then key
}

// Eval reports whether every clause holds (an empty block holds).
func (b *Block) Eval(env *Env) bool {
	if b == nil {
		return true
	}
	for _, c := range b.Clauses {
		if !c.Eval(env) {
			return false
		}
	}
	return true
}

// Sort orders the clauses by operator, then key, for a deterministic encoding.
func (b *Block) Sort() {
	sort.SliceStable(b.Clauses, func(i, j int) bool {
		if b.Clauses[i].Operator != b.Clauses[j].Operator {
			return b.Clauses[i].Operator < b.Clauses[j].Operator
		}
		return b.Clauses[i].Key < b.Clauses[j].Key
	})
}

// constants returns the plain constant values of the templates (nil entries are variable).
func splitConstant(values []Template) (consts []string, vars []*Template) {
	for i := range values {
		if values[i].Constant() {
			consts = append(consts, values[i].Plain())
		} else {
			vars = append(vars, &values[i])
		}
	}
	return consts, vars
}
