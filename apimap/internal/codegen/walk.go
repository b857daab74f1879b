package codegen

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// memberAt is one member of a request body shape, at any depth, that
// walkShape visits.
type memberAt struct {
	shName string   // the structure it is a member of
	name   string   // its name in the structure
	member member   // the member itself
	parent []string // the JSON path of the structure
	path   []string // the member's own JSON path (parent and its wire name)
	elPath []string // path followed through the member's lists ("[]") and maps ("{}")
	elName string   // the shape there: the member's own shape when it is neither
}

// walkShape visits the members of the request body shape body (named
// bodyName) at any depth, each structure's members in sorted order, and
// each member before the members of the structure it leads to. With
// skipLocated, the body's own members bound to the URI, query or headers are
// skipped. It refuses recursive shapes and nesting deeper than 16. The paths
// that visit gets are its own to keep or append to.
func (m *model) walkShape(bodyName string, body *shape, skipLocated bool, visit func(memberAt) error) error {
	w := &shapeWalk{m: m, skipLocated: skipLocated, visit: visit, stack: map[string]bool{bodyName: true}}
	return w.walk(body, bodyName, nil, true)
}

// shapeWalk is one walk of walkShape.
type shapeWalk struct {
	m           *model
	skipLocated bool
	visit       func(memberAt) error
	stack       map[string]bool // the structures being walked, to refuse recursion
}

// walk visits the members of sh (named shName) at the JSON path path; top
// says sh is the body itself.
func (w *shapeWalk) walk(sh *shape, shName string, path []string, top bool) error {
	if len(path) > 16 {
		return fmt.Errorf("member %s: nesting deeper than 16", strings.Join(path, "."))
	}
	for _, k := range slices.Sorted(maps.Keys(sh.Members)) {
		v := sh.Members[k]
		if top && w.skipLocated && v.Location != "" {
			continue
		}
		p := append(append([]string(nil), path...), v.wireName(k))
		elPath, elName := w.m.element(slices.Clip(p), v.Shape)
		at := memberAt{shName: shName, name: k, member: v, parent: path, path: slices.Clip(p), elPath: slices.Clip(elPath), elName: elName}
		if err := w.visit(at); err != nil {
			return err
		}
		if el := w.m.Shapes[elName]; el.Type == "structure" {
			if w.stack[elName] {
				return fmt.Errorf("member %s: recursive shape %s", strings.Join(elPath, "."), elName)
			}
			w.stack[elName] = true
			if err := w.walk(&el, elName, elPath, false); err != nil {
				return err
			}
			delete(w.stack, elName)
		}
	}
	return nil
}

// element follows the lists and maps of shape name to their element: it
// returns p with "[]" for each list and "{}" for each map crossed, and the
// element's shape name.
func (m *model) element(p []string, name string) ([]string, string) {
	el := m.Shapes[name]
	for el.Type == "list" || el.Type == "map" {
		if el.Type == "list" {
			p = append(p, "[]")
			name = el.Member.Shape
		} else {
			p = append(p, "{}")
			name = el.Value.Shape
		}
		el = m.Shapes[name]
	}
	return p, name
}
