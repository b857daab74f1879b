package wirecheck

import (
	"fmt"
	"net/url"
	"strings"
)

// Mutations returns adversarial variants of a generated request, each
// meant to make a reader of the forwarded bytes see an operation or a
// resource the gateway did not decide on: percent-encoded labels, an
// encoded slash in a label, a duplicated identifier member, a member that
// differs only in case, two X-Amz-Target headers, Connection naming an
// end-to-end header, method-override headers, a gzip Content-Encoding,
// lists at the model's maximum length and one past it, strings at their
// maximum length and one past it, and unknown members
// holding a role ARN. The variants are signed as they are: the gateway
// sees a correctly signed request each time.
func (ms *Models) Mutations(g Generated) []Generated {
	a := ms.APIs[g.API]
	var out []Generated
	variant := func(name string) Generated {
		v := g
		v.Mutation = name
		v.Header = map[string][]string{}
		for k, vs := range g.Header {
			v.Header[k] = append([]string(nil), vs...)
		}
		return v
	}
	if len(g.labelVal) > 0 {
		v := variant("labels-percent-encoded")
		v.Path = replaceLabels(a, g, func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		})
		out = append(out, v)
		v = variant("label-encoded-slash")
		v.Path = replaceLabels(a, g, func(s string) string { return url.PathEscape(s) + "%2F..%2Ftenant-b" })
		out = append(out, v)
	}
	if g.body != nil && g.body.kind == 'o' && len(g.body.pairs) > 0 {
		i := firstIdentPair(g.body)
		p := g.body.pairs[i]
		other := otherValue(p.val)
		v := variant("duplicate-member")
		v.body = withPairs(g.body, append(append([]pair(nil), g.body.pairs...), pair{p.key, other}))
		v.Body = encode(v.body)
		out = append(out, v)
		v = variant("member-case")
		v.body = withPairs(g.body, append(append([]pair(nil), g.body.pairs...), pair{strings.ToLower(p.key), otherValue(p.val)}))
		v.Body = encode(v.body)
		out = append(out, v)
		v = variant("unknown-members")
		v.body = withPairs(g.body, append(append([]pair(nil), g.body.pairs...),
			pair{"UnknownMember", &node{kind: 'o', pairs: []pair{{"RoleArn", &node{kind: 's', str: "arn:aws:iam::" + OtherAccount + ":role/unknown-member"}}}}},
			pair{"X", &node{kind: 'n', str: "1"}}))
		v.Body = encode(v.body)
		out = append(out, v)
		for _, atLimit := range []func(*API, Generated, int) *Generated{listAtLimit, stringAtLimit} {
			for extra := 0; extra <= 1; extra++ {
				if lv := atLimit(a, g, extra); lv != nil {
					out = append(out, *lv)
				}
			}
		}
	}
	if len(g.Body) > 0 {
		v := variant("gzip")
		v.Header["Content-Encoding"] = []string{"gzip"}
		v.Body = gzipBytes(g.Body)
		out = append(out, v)
	}
	if a.Protocol == "json" {
		v := variant("two-targets")
		second := "DeletePool"
		if g.Operation == second {
			second = "DeleteOptOutList"
		}
		v.Header["X-Amz-Target"] = append(v.Header["X-Amz-Target"], a.TargetPrefix+"."+second)
		out = append(out, v)
		v = variant("connection-target")
		v.Header["Connection"] = []string{"X-Amz-Target"}
		out = append(out, v)
	} else {
		v := variant("method-override")
		over := "DELETE"
		if g.Method == "DELETE" {
			over = "GET"
		}
		v.Header["X-Http-Method-Override"] = []string{over}
		out = append(out, v)
		v = variant("method-override-other")
		v.Header["X-Http-Method"] = []string{over}
		v.Header["X-Method-Override"] = []string{over}
		out = append(out, v)
		v = variant("connection-content-type")
		v.Header["Connection"] = []string{"Content-Type"}
		out = append(out, v)
	}
	return out
}

// replaceLabels rebuilds g's path with every label value passed through enc.
func replaceLabels(a *API, g Generated, enc func(string) string) string {
	o := a.Operations[g.Operation]
	p, _, _ := strings.Cut(o.URI, "?")
	segs := strings.Split(p, "/")
	j := 0
	for i, seg := range segs {
		if isLabel(seg) && j < len(g.labelVal) {
			segs[i] = enc(g.labelVal[j])
			j++
		}
	}
	return strings.Join(segs, "/")
}

// firstIdentPair is the index of the body's first member holding a
// string (an identifier when the generator put one there), else 0.
func firstIdentPair(n *node) int {
	for i, p := range n.pairs {
		if p.val.kind == 's' {
			return i
		}
	}
	for i, p := range n.pairs {
		if p.val.kind == 'a' && len(p.val.elems) > 0 && p.val.elems[0].kind == 's' {
			return i
		}
	}
	return 0
}

// otherValue is a copy of n with every string changed to another tenant's.
func otherValue(n *node) *node {
	c := *n
	switch n.kind {
	case 's':
		c.str = otherString(n.str)
	case 'a':
		c.elems = nil
		for _, e := range n.elems {
			c.elems = append(c.elems, otherValue(e))
		}
	case 'o':
		c.pairs = nil
		for _, p := range n.pairs {
			c.pairs = append(c.pairs, pair{p.key, otherValue(p.val)})
		}
	}
	return &c
}

func otherString(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s + "-other"
	}
	return "other" + s
}

func withPairs(n *node, ps []pair) *node {
	c := *n
	c.pairs = ps
	return &c
}

// listAtLimit fills the body's first top-level list member that has a
// maximum length (at most 100) with max+extra distinct elements.
func listAtLimit(a *API, g Generated, extra int) *Generated {
	return memberAtLimit(a, g, extra, "list", func(s *Shape, val *node) (*node, int) {
		if s.Type != "list" || s.Max == nil || *s.Max > 100 || *s.Max < 1 || val.kind != 'a' || len(val.elems) == 0 {
			return nil, 0
		}
		n := int(*s.Max) + extra
		var elems []*node
		for k := 0; k < n; k++ {
			e := val.elems[0]
			for r := 0; r < k; r++ {
				e = otherValue(e)
			}
			elems = append(elems, e)
		}
		return &node{kind: 'a', elems: elems}, n
	})
}

// stringAtLimit makes the body's first top-level string member that has a
// maximum length exactly that long (extra 0) or longer (extra 1).
func stringAtLimit(a *API, g Generated, extra int) *Generated {
	return memberAtLimit(a, g, extra, "string", func(s *Shape, val *node) (*node, int) {
		if s.Type != "string" || s.Max == nil || *s.Max > 4096 || val.kind != 's' || len(s.Enum) > 0 {
			return nil, 0
		}
		str := val.str
		n := int(*s.Max) + extra
		for len(str) < n {
			str += "z"
		}
		return &node{kind: 's', str: str[:n]}, n
	})
}

// memberAtLimit replaces the value of the body's first top-level member
// for which at, given the member's shape and value, returns a new value
// of length n (nil: not this member). The variant is named
// "<what>-<member>-<n>" and is past the limit when extra > 0.
func memberAtLimit(a *API, g Generated, extra int, what string, at func(s *Shape, val *node) (*node, int)) *Generated {
	in := bodyShape(a, g)
	if in == nil {
		return nil
	}
	for i, p := range g.body.pairs {
		m := in.memberByWire(p.key, true)
		if m == nil {
			continue
		}
		val, n := at(a.Shapes[m.Shape], p.val)
		if val == nil {
			continue
		}
		ps := append([]pair(nil), g.body.pairs...)
		ps[i] = pair{p.key, val}
		v := g
		v.Mutation = fmt.Sprintf("%s-%s-%d", what, p.key, n)
		v.PastLimit = extra > 0
		v.body = withPairs(g.body, ps)
		v.Body = encode(v.body)
		return &v
	}
	return nil
}

// bodyShape is the shape the body of g's operation is read as.
func bodyShape(a *API, g Generated) *Shape {
	in := a.Shapes[a.Operations[g.Operation].Input]
	if in == nil {
		return nil
	}
	if in.Payload != "" {
		return a.Shapes[in.Members[in.Payload].Shape]
	}
	return in
}
