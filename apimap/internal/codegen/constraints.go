package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"maps"
	"slices"
	"sort"
)

// GenerateConstraints reads the botocore models in dataDir and returns the
// formatted Go source of apimap's zz_constraints.go: for every operation of
// the three APIs, the shape tree of its JSON body and its constrained URI
// labels and query-string members, each shape with its kind and its min/max
// (string length in characters, blob length in bytes, list and map sizes,
// integer values). Shapes are numbered in the order the walk first meets
// them and refer to each other by index, so a recursive shape needs no
// special case.
//
// It fails when a model is missing, when an operation's count is short, when
// a shape has a type the validator has no rule for, or when a bound is not an
// integer.
func GenerateConstraints(dataDir string) ([]byte, error) {
	g := &cgen{index: map[string]int{}}
	var apis []string
	for api := range modelPath {
		apis = append(apis, api)
	}
	sort.Strings(apis)
	for _, api := range apis {
		m := &model{}
		if err := readJSON(dataDir, modelPath[api], m); err != nil {
			return nil, err
		}
		var names []string
		for name := range m.Operations {
			names = append(names, name)
		}
		sort.Strings(names)
		if len(names) < wantOps[api] {
			return nil, fmt.Errorf("%s: %d operations in the model, want %d", api, len(names), wantOps[api])
		}
		for _, name := range names {
			op, err := g.operation(api, m, name)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", api, name, err)
			}
			g.ops = append(g.ops, op)
		}
	}
	return g.write()
}

// cgenShape is one node of the generated shape table.
type cgenShape struct {
	name     string // model shape name (a comment in the output)
	kind     string // ckStruct, ckList, ...
	min, max *int64
	elem     int // list member or map value
	key      int // map key
	members  []cgenMember
}

type cgenMember struct {
	name  string // JSON name
	shape int
}

type cgenParam struct {
	loc    string // "label" or "query"
	wire   string // label name or query key
	member string // model member name (for messages)
	shape  int
}

type cgenOp struct {
	api, name string
	body      int // -1: no JSON body
	params    []cgenParam
}

type cgen struct {
	shapes []cgenShape
	index  map[string]int // api + "/" + shape name (or a synthetic key) -> index
	ops    []cgenOp
}

var shapeKinds = map[string]string{
	"structure": "ckStruct", "list": "ckList", "map": "ckMap",
	"string": "ckString", "blob": "ckBlob", "boolean": "ckBool",
	"integer": "ckInt", "long": "ckInt", "float": "ckFloat", "double": "ckFloat",
	"timestamp": "ckTime",
}

func (g *cgen) operation(api string, m *model, name string) (cgenOp, error) {
	op := cgenOp{api: api, name: name, body: -1}
	in := m.Operations[name].Input
	if in == nil {
		return op, nil
	}
	s, ok := m.Shapes[in.Shape]
	if !ok {
		return op, fmt.Errorf("input shape %q is not defined", in.Shape)
	}
	var err error
	switch {
	case s.Payload != "":
		ps := m.Shapes[s.Members[s.Payload].Shape]
		if ps.Type == "structure" {
			if op.body, err = g.shape(api, m, s.Members[s.Payload].Shape); err != nil {
				return op, err
			}
		}
	default:
		// The body is the input's members that are not bound to the URI,
		// the query string or a header.
		body := shape{Type: "structure", Members: map[string]member{}}
		located := false
		for k, v := range s.Members {
			if v.Location == "" {
				body.Members[k] = v
			} else {
				located = true
			}
		}
		switch {
		case api != apiSMSVoiceV2 && len(body.Members) == 0:
			// A REST operation without body members: AWS reads no body.
		case !located:
			op.body, err = g.shape(api, m, in.Shape)
		default:
			op.body, err = g.synthetic(api, m, in.Shape+"$body", body)
		}
		if err != nil {
			return op, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Members)) {
		v := s.Members[k]
		var loc string
		switch v.Location {
		case "uri":
			loc = "label"
		case "querystring":
			loc = "query"
		default:
			continue
		}
		idx, err := g.shape(api, m, v.Shape)
		if err != nil {
			return op, err
		}
		if !g.constrained(idx, map[int]bool{}) {
			continue
		}
		wire := v.LocationName
		if wire == "" {
			wire = k
		}
		op.params = append(op.params, cgenParam{loc: loc, wire: wire, member: k, shape: idx})
	}
	return op, nil
}

// constrained reports whether shape i or a shape under it has a bound.
func (g *cgen) constrained(i int, seen map[int]bool) bool {
	if seen[i] {
		return false
	}
	seen[i] = true
	s := g.shapes[i]
	if s.min != nil || s.max != nil {
		return true
	}
	switch s.kind {
	case "ckList":
		return g.constrained(s.elem, seen)
	case "ckMap":
		return g.constrained(s.key, seen) || g.constrained(s.elem, seen)
	case "ckStruct":
		for _, mem := range s.members {
			if g.constrained(mem.shape, seen) {
				return true
			}
		}
	}
	return false
}

func (g *cgen) shape(api string, m *model, name string) (int, error) {
	s, ok := m.Shapes[name]
	if !ok {
		return 0, fmt.Errorf("shape %q is not defined", name)
	}
	return g.synthetic(api, m, name, s)
}

// synthetic adds shape s under the key name (once) and returns its index.
func (g *cgen) synthetic(api string, m *model, name string, s shape) (int, error) {
	key := api + "/" + name
	if i, ok := g.index[key]; ok {
		return i, nil
	}
	kind, ok := shapeKinds[s.Type]
	if s.Document {
		kind = "ckDoc" // any JSON value: only the body's own bounds apply
	}
	if !ok {
		return 0, fmt.Errorf("shape %s: type %q has no validation rule", name, s.Type)
	}
	i := len(g.shapes)
	g.index[key] = i
	g.shapes = append(g.shapes, cgenShape{name: name, kind: kind})
	var err error
	ns := cgenShape{name: name, kind: kind}
	if kind != "ckStruct" && kind != "ckDoc" { // a structure's min/max (none in the models) would mean nothing
		if ns.min, err = bound(s.Min); err != nil {
			return 0, fmt.Errorf("shape %s: min: %w", name, err)
		}
		if ns.max, err = bound(s.Max); err != nil {
			return 0, fmt.Errorf("shape %s: max: %w", name, err)
		}
	}
	switch kind {
	case "ckList":
		if s.Member == nil {
			return 0, fmt.Errorf("list shape %s has no member", name)
		}
		if ns.elem, err = g.shape(api, m, s.Member.Shape); err != nil {
			return 0, err
		}
	case "ckMap":
		if s.Key == nil || s.Value == nil {
			return 0, fmt.Errorf("map shape %s has no key or value", name)
		}
		if ns.key, err = g.shape(api, m, s.Key.Shape); err != nil {
			return 0, err
		}
		if ns.elem, err = g.shape(api, m, s.Value.Shape); err != nil {
			return 0, err
		}
		if g.shapes[ns.key].kind != "ckString" {
			return 0, fmt.Errorf("map shape %s: key is not a string", name)
		}
	case "ckStruct":
		for _, k := range slices.Sorted(maps.Keys(s.Members)) {
			v := s.Members[k]
			idx, err := g.shape(api, m, v.Shape)
			if err != nil {
				return 0, err
			}
			ns.members = append(ns.members, cgenMember{name: v.wireName(k), shape: idx})
		}
		// Sorted by length, then name: the validator compares only the
		// names of a key's length.
		sort.Slice(ns.members, func(a, b int) bool {
			x, y := ns.members[a].name, ns.members[b].name
			return len(x) < len(y) || len(x) == len(y) && x < y
		})
		for j := 1; j < len(ns.members); j++ {
			if ns.members[j].name == ns.members[j-1].name {
				return 0, fmt.Errorf("structure %s: member %q twice", name, ns.members[j].name)
			}
		}
	}
	g.shapes[i] = ns
	return i, nil
}

func bound(n *json.Number) (*int64, error) {
	if n == nil {
		return nil, nil
	}
	v, err := n.Int64()
	if err != nil {
		return nil, fmt.Errorf("%s is not an integer", n)
	}
	return &v, nil
}

func (g *cgen) write() ([]byte, error) {
	if len(g.ops) == 0 || len(g.shapes) == 0 {
		return nil, fmt.Errorf("no operations")
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./internal/gen; DO NOT EDIT.\n")
	b.WriteString("// Source: ../shared/data/service-models/botocore (the three service-2.json models).\n\n")
	b.WriteString("package apimap\n\n")
	b.WriteString("// constraintShapes is the shape tree of every operation's input, with the models' bounds.\n")
	b.WriteString("var constraintShapes = [...]cshape{\n")
	for i, s := range g.shapes {
		fmt.Fprintf(&b, "// %s\n%d: {kind: %s", s.name, i, s.kind)
		if s.min != nil {
			fmt.Fprintf(&b, ", hasMin: true, min: %d", *s.min)
		}
		if s.max != nil {
			fmt.Fprintf(&b, ", hasMax: true, max: %d", *s.max)
		}
		switch s.kind {
		case "ckList":
			fmt.Fprintf(&b, ", elem: %d", s.elem)
		case "ckMap":
			fmt.Fprintf(&b, ", key: %d, elem: %d", s.key, s.elem)
		case "ckStruct":
			if len(s.members) > 0 {
				b.WriteString(", members: []cmember{")
				for j, mem := range s.members {
					if j > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "{%q, %d}", mem.name, mem.shape)
				}
				b.WriteString("}")
			}
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")
	b.WriteString("// constraintOps gives each operation's body shape (-1: none) and its constrained URI labels and query members.\n")
	b.WriteString("var constraintOps = []cop{\n")
	for _, op := range g.ops {
		fmt.Fprintf(&b, "{api: %q, name: %q, body: %d", op.api, op.name, op.body)
		if len(op.params) > 0 {
			b.WriteString(", params: []cparam{")
			for j, p := range op.params {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "{query: %t, wire: %q, member: %q, shape: %d}", p.loc == "query", p.wire, p.member, p.shape)
			}
			b.WriteString("}")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated code: %w", err)
	}
	return src, nil
}
