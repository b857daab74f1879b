package apimap

import "strconv"

// pathWalk is one walk of a member path of the body, for the destinations
// of ds or the references of rs (whichever is set), and what it has found
// so far. walkPath takes and returns it by value so that the found slices,
// backed by arrays on the caller's stack, stay there.
type pathWalk struct {
	ds    *destSpec
	rs    *refSpec
	dests []foundDest
	refs  []foundRef
}

// walkPath follows path from the raw value v: a JSON member name steps into
// that member of an object, "[]" into each element of a list, "{}" into each
// value of a map, and "{key}" (last, destinations only) to each key of a
// map. Null members and elements are skipped. segs is the member path so
// far (for messages and Member). What it reaches goes to the walk's leaf.
func (m *mapper) walkPath(w pathWalk, v []byte, path []string, segs []string) (pathWalk, error) {
	if len(path) == 0 {
		if jsonKind(v) != 's' {
			return w, badRequest("member %s must be a string", joinMember(segs))
		}
		s, err := jsonString(v)
		if err != nil {
			return w, badRequest("member %s: %v", joinMember(segs), err)
		}
		return m.leaf(w, v, s, segs)
	}
	if path[0] == "[]" {
		it, err := newArrayIter(v)
		if err != nil {
			return w, badRequest("member %s must be an array", joinMember(segs))
		}
		i := 0
		for e, ok := it.next(); ok; e, ok = it.next() {
			if jsonKind(e) != 0 {
				if w, err = m.walkPath(w, e, path[1:], append(segs, "["+strconv.Itoa(i)+"]")); err != nil {
					return w, err
				}
			}
			i++
		}
		return w, nil
	}
	if jsonKind(v) != 'o' {
		return w, badRequest("member %s must be an object", joinMember(segs))
	}
	var buf [16]jfield
	o, err := parseObject(v, buf[:0])
	if err != nil {
		return w, err
	}
	if path[0] != "{}" && path[0] != "{key}" {
		child, err := o.get(path[0])
		if err != nil || child == nil {
			return w, err
		}
		return m.walkPath(w, child, path[1:], append(segs, path[0]))
	}
	for _, f := range o.fields {
		elem := append(segs, "["+strconv.Quote(string(f.key))+"]")
		if path[0] == "{key}" {
			if w.dests, err = m.keyDest(w.ds, f, elem, w.dests); err != nil {
				return w, err
			}
			continue
		}
		if jsonKind(f.val) != 0 {
			if w, err = m.walkPath(w, f.val, path[1:], elem); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

// leaf records the string s that the walk w reached at member path segs
// (the raw value at v gives its place in the body): a destination of w.ds
// or a reference of w.rs.
func (m *mapper) leaf(w pathWalk, v []byte, s string, segs []string) (pathWalk, error) {
	var err error
	if w.ds != nil {
		w.dests, err = m.addDest(w.dests, w.ds, fixedOr(w.ds.member, segs), s, v)
		return w, err
	}
	if s == w.rs.unset && s != "" {
		return w, nil
	}
	if len(w.refs) >= maxReferences {
		return w, badRequest("more than %d referenced resources", maxReferences)
	}
	r, err := m.deriveRef(w.rs, s, fixedOr(w.rs.member, segs))
	if err != nil {
		return w, err
	}
	w.refs = append(w.refs, foundRef{off: cap(m.req.Body) - cap(v), ref: r})
	return w, nil
}

// fixedOr returns member, the member path of a path without lists or maps
// (fixed when the tables were compiled), or else the member path segs.
func fixedOr(member string, segs []string) string {
	if member == "" {
		return joinMember(segs)
	}
	return member
}
