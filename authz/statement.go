package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/pinpointgw/gateway/authz/internal/condition"
)

// strList is an element that AWS accepts as a string or an array of strings; array records
// which form was written, so that encoding round-trips.
type strList struct {
	vals  []string
	array bool
}

func (l strList) encode() any {
	if l.array {
		return l.vals
	}
	return l.vals[0]
}

// statement is one compiled policy statement.
type statement struct {
	sid    string
	hasSid bool
	effect Effect

	principal    *principalSet // nil when the statement has neither Principal nor NotPrincipal
	notPrincipal bool

	actions    []actionPattern
	actionList strList
	notAction  bool
	wild       bool // some action pattern has a wildcard, or NotAction: cannot be indexed

	resources   []resourcePattern
	resList     strList
	notResource bool
	hasResource bool

	cond *condition.Block

	// reads are the lower-cased condition keys and policy variables the statement reads: its
	// Condition keys, and the variables of its condition values and Resource/NotResource
	// patterns (computed once by parseStatement).
	reads []string
}

var statementFields = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true,
	"NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
}

// fieldError is an error about one element of a statement.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func ferr(field string, err error) error { return &fieldError{field: field, err: err} }

// decodeObject decodes a JSON object into its members, in order, rejecting duplicates.
func decodeObject(raw []byte) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: expected a JSON object", ErrInvalid)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%w: duplicate element %q", ErrInvalid, k)
		}
		m[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrInvalid)
	}
	return m, nil
}

// decodeStrings decodes a string or a non-empty array of strings.
func decodeStrings(raw json.RawMessage) (strList, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var vals []string
		if err := json.Unmarshal(raw, &vals); err != nil {
			return strList{}, fmt.Errorf("%w: expected a string or an array of strings", ErrInvalid)
		}
		if len(vals) == 0 {
			return strList{}, fmt.Errorf("%w: empty array", ErrInvalid)
		}
		return strList{vals: vals, array: true}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return strList{}, fmt.Errorf("%w: expected a string or an array of strings", ErrInvalid)
	}
	return strList{vals: []string{s}}, nil
}

// decodeCondValues decodes condition values: strings, booleans or numbers, alone or in an array.
func decodeCondValues(raw json.RawMessage) ([]string, bool, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	scalar := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			return nil, false, fmt.Errorf("%w: empty array of values", ErrInvalid)
		}
		out := make([]string, len(arr))
		for i, x := range arr {
			s, ok := scalar(x)
			if !ok {
				return nil, false, fmt.Errorf("%w: condition values must be strings, numbers or booleans", ErrInvalid)
			}
			out[i] = s
		}
		return out, true, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false, fmt.Errorf("%w: condition values must be strings, numbers or booleans", ErrInvalid)
	}
	return []string{s}, false, nil
}

func parseStatement(raw json.RawMessage, kind PolicyType, vars bool) (*statement, error) {
	m, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !statementFields[k] {
			return nil, ferr(k, fmt.Errorf("%w: unknown element %q", ErrInvalid, k))
		}
	}
	st := &statement{}
	if r, ok := m["Sid"]; ok {
		if err := json.Unmarshal(r, &st.sid); err != nil {
			return nil, ferr("Sid", fmt.Errorf("%w: expected a string", ErrInvalid))
		}
		st.hasSid = true
	}
	r, ok := m["Effect"]
	if !ok {
		return nil, ferr("Effect", fmt.Errorf("%w: missing", ErrInvalid))
	}
	var eff string
	if err := json.Unmarshal(r, &eff); err != nil {
		return nil, ferr("Effect", fmt.Errorf("%w: expected a string", ErrInvalid))
	}
	if st.effect, err = parseEffect(eff); err != nil {
		return nil, ferr("Effect", err)
	}

	// Principal / NotPrincipal.
	pr, hasP := m["Principal"]
	npr, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		return nil, ferr("NotPrincipal", fmt.Errorf("%w: both Principal and NotPrincipal", ErrInvalid))
	case (hasP || hasNP) && kind != ResourceBased:
		f := "Principal"
		if hasNP {
			f = "NotPrincipal"
		}
		return nil, ferr(f, fmt.Errorf("%w: a %s policy cannot name a principal", ErrInvalid, kind))
	case !hasP && !hasNP && kind == ResourceBased:
		return nil, ferr("Principal", fmt.Errorf("%w: a resource-based policy statement needs Principal or NotPrincipal", ErrInvalid))
	case hasP:
		if st.principal, err = parsePrincipal(pr); err != nil {
			return nil, ferr("Principal", err)
		}
	case hasNP:
		if st.principal, err = parsePrincipal(npr); err != nil {
			return nil, ferr("NotPrincipal", err)
		}
		st.notPrincipal = true
	}

	// Action / NotAction.
	ar, hasA := m["Action"]
	nar, hasNA := m["NotAction"]
	field := "Action"
	switch {
	case hasA && hasNA:
		return nil, ferr("NotAction", fmt.Errorf("%w: both Action and NotAction", ErrInvalid))
	case !hasA && !hasNA:
		return nil, ferr("Action", fmt.Errorf("%w: missing Action or NotAction", ErrInvalid))
	case hasNA:
		ar, field, st.notAction, st.wild = nar, "NotAction", true, true
	}
	if st.actionList, err = decodeStrings(ar); err != nil {
		return nil, ferr(field, err)
	}
	for _, a := range st.actionList.vals {
		ap, err := compileAction(a)
		if err != nil {
			return nil, ferr(field, err)
		}
		st.wild = st.wild || ap.wild
		st.actions = append(st.actions, ap)
	}

	// Resource / NotResource.
	rr, hasR := m["Resource"]
	nrr, hasNR := m["NotResource"]
	field = "Resource"
	switch {
	case hasR && hasNR:
		return nil, ferr("NotResource", fmt.Errorf("%w: both Resource and NotResource", ErrInvalid))
	case !hasR && !hasNR:
		if kind != ResourceBased {
			return nil, ferr("Resource", fmt.Errorf("%w: a %s policy statement needs Resource or NotResource", ErrInvalid, kind))
		}
	case hasNR:
		rr, field, st.notResource = nrr, "NotResource", true
		fallthrough
	default:
		st.hasResource = true
		if st.resList, err = decodeStrings(rr); err != nil {
			return nil, ferr(field, err)
		}
		for _, s := range st.resList.vals {
			rp, err := compileResource(s, vars)
			if err != nil {
				return nil, ferr(field, err)
			}
			st.resources = append(st.resources, rp)
		}
	}

	if cr, ok := m["Condition"]; ok {
		if st.cond, err = parseCondition(cr, vars); err != nil {
			return nil, ferr("Condition", err)
		}
	}
	st.reads = st.keysRead()
	return st, nil
}

// keysRead lists the lower-cased keys and variables the statement reads, each once.
func (st *statement) keysRead() []string {
	var out []string
	add := func(k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for i := range st.resources {
		for _, v := range st.resources[i].t.Variables() {
			add(v)
		}
	}
	if st.cond != nil {
		for _, c := range st.cond.Clauses {
			add(c.LowerKey())
			for j := range c.Values {
				for _, v := range c.Values[j].Variables() {
					add(v)
				}
			}
		}
	}
	return out
}

func parsePrincipal(raw json.RawMessage) (*principalSet, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if s != "*" {
			return nil, fmt.Errorf("%w: a principal string must be \"*\"; use {\"AWS\": %q}", ErrInvalid, s)
		}
		return newPrincipalSet(true, nil)
	}
	m, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	elems := make(map[string]strList, len(m))
	for k, v := range m {
		l, err := decodeStrings(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		elems[k] = l
	}
	return newPrincipalSet(false, elems)
}

func parseCondition(raw json.RawMessage, vars bool) (*condition.Block, error) {
	ops, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	b := &condition.Block{}
	for op, body := range ops {
		keys, err := decodeObject(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%w: %s has no keys", ErrInvalid, op)
		}
		for key, vraw := range keys {
			vals, array, err := decodeCondValues(vraw)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", op, key, err)
			}
			c, err := condition.NewClause(op, key, vals, array, vars)
			if err != nil {
				return nil, err
			}
			b.Clauses = append(b.Clauses, c)
		}
	}
	b.Sort()
	return b, nil
}

// matchAction checks the Action/NotAction element against a lower-cased action (only needed
// for unindexed statements).
func (st *statement) matchAction(lower string) bool {
	hit := false
	for i := range st.actions {
		if st.actions[i].matchesLower(lower) {
			hit = true
			break
		}
	}
	return hit != st.notAction
}

func (st *statement) matchResource(resource *reqResource, env *condition.Env) bool {
	if !st.hasResource {
		return true
	}
	for i := range st.resources {
		switch st.resources[i].match(resource, env) {
		case condition.Matched:
			return !st.notResource
		case condition.Unresolved:
			if st.notResource { // a pattern with an unresolved variable excludes nothing for sure
				return false
			}
		}
	}
	return st.notResource
}

// matchPrincipal returns how the statement names p; statements without a principal element
// (identity-side policies) match with grantDirect.
func (st *statement) matchPrincipal(p *Principal) grant {
	if st.principal == nil {
		return grantDirect
	}
	g := st.principal.match(p)
	if st.notPrincipal {
		if g == grantNone {
			return grantEveryone
		}
		return grantNone
	}
	return g
}

// encode returns the statement's JSON form.
func (st *statement) encode() *jsonStatement {
	js := &jsonStatement{Effect: st.effect.String()}
	if st.hasSid {
		js.Sid = &st.sid
	}
	if st.principal != nil {
		if st.notPrincipal {
			js.NotPrincipal = st.principal.encode()
		} else {
			js.Principal = st.principal.encode()
		}
	}
	if st.notAction {
		js.NotAction = st.actionList.encode()
	} else {
		js.Action = st.actionList.encode()
	}
	if st.hasResource {
		if st.notResource {
			js.NotResource = st.resList.encode()
		} else {
			js.Resource = st.resList.encode()
		}
	}
	if st.cond != nil {
		c := map[string]map[string]any{}
		for _, cl := range st.cond.Clauses {
			if c[cl.Operator] == nil {
				c[cl.Operator] = map[string]any{}
			}
			vals := make([]string, len(cl.Values))
			for i := range cl.Values {
				vals[i] = cl.Values[i].Raw()
			}
			if cl.Array {
				c[cl.Operator][cl.Key] = vals
			} else {
				c[cl.Operator][cl.Key] = vals[0]
			}
		}
		js.Condition = c
	}
	return js
}

type jsonStatement struct {
	Sid          *string                   `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}
