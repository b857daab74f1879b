package policygen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pinpointgw/gateway/authz"
)

// Document is a generated identity policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement of a generated policy.
type Statement struct {
	// Sid is derived from the content: the first action's name and a hash of the statement.
	Sid string
	// Action is sorted.
	Action []string
	// Resource is sorted; literal characters are escaped (escapeARN).
	Resource []string
	// Condition maps condition keys (aws:ResourceTag/k, aws:RequestTag/k, the tag key as the
	// record carries it, lower-cased) to the value a StringEquals condition requires; nil when
	// none.
	Condition map[string]string
}

// MarshalJSON writes the statement as IAM does: a single action or resource as a string.
func (s Statement) MarshalJSON() ([]byte, error) {
	one := func(v []string) any {
		if len(v) == 1 {
			return v[0]
		}
		return v
	}
	out := struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Action    any                          `json:"Action"`
		Resource  any                          `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition,omitempty"`
	}{Sid: s.Sid, Effect: "Allow", Action: one(s.Action), Resource: one(s.Resource)}
	if len(s.Condition) > 0 {
		out.Condition = map[string]map[string]string{"StringEquals": s.Condition}
	}
	return marshal(out, "")
}

// JSON returns the document indented, as `gateway policy generate` prints it.
func (d *Document) JSON() ([]byte, error) {
	return marshal(d, "  ")
}

// marshal encodes v without HTML escaping, indented when indent is not empty.
func marshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// generated is one generated policy with what the proof needs to take a wildcard back.
type generated struct {
	doc    *Document
	policy *authz.Policy
	// patterns are each action's Resource entries.
	patterns map[string][]pattern
	// exact holds each action's allowed resources (the collector's sets).
	exact map[string]map[string]struct{}
	// wildcards counts Resource entries with a generated wildcard (not the mapping's own).
	wildcards int
}

// build writes the policy of the collected calls, collapsing IDs past threshold except at the
// sites in keep, and compiles it.
func (c *collector) build(keep map[string]bool) (*generated, error) {
	if c.sum.Pairs == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNothingAllowed, c.opts.Select)
	}
	g := &generated{patterns: map[string][]pattern{}, exact: map[string]map[string]struct{}{}}
	type group struct {
		actions   []string
		resources []string
		cond      map[string]string
	}
	groups := map[string]*group{}
	for _, a := range c.sortedActions() {
		ac := c.actions[a]
		if len(ac.resources) == 0 {
			continue
		}
		res := make([]string, 0, len(ac.resources))
		for r := range ac.resources {
			res = append(res, r)
		}
		sort.Strings(res)
		pats := collapse(a, res, c.opts.Collapse, keep)
		g.patterns[a] = pats
		g.exact[a] = ac.resources
		texts := make([]string, len(pats))
		for i, p := range pats {
			texts[i] = p.text
			if len(p.sites) > 0 {
				g.wildcards++
			}
		}
		cond := conditionsOf(ac.conds)
		key := groupKey(texts, cond)
		if gr, ok := groups[key]; ok {
			gr.actions = append(gr.actions, a)
			continue
		}
		groups[key] = &group{actions: []string{a}, resources: texts, cond: cond}
	}
	doc := &Document{Version: authz.Version2012}
	for _, gr := range groups {
		doc.Statement = append(doc.Statement, Statement{Action: gr.actions, Resource: gr.resources, Condition: gr.cond})
	}
	sort.Slice(doc.Statement, func(i, j int) bool { return doc.Statement[i].Action[0] < doc.Statement[j].Action[0] })
	setSids(doc.Statement)
	b, err := doc.JSON()
	if err != nil {
		return nil, fmt.Errorf("encoding the generated policy: %w", err)
	}
	p, err := authz.Parse("generated", b, authz.IdentityBased)
	if err != nil {
		return nil, fmt.Errorf("the generated policy does not parse (a bug): %w", err)
	}
	g.doc, g.policy = doc, p
	return g, nil
}

// conditionsOf turns an action's conditions (lower-cased keys) into policy condition keys
// and escaped values; nil when there is none.
func conditionsOf(conds map[string]string) map[string]string {
	if len(conds) == 0 {
		return nil
	}
	out := make(map[string]string, len(conds))
	for k, v := range conds {
		switch {
		case strings.HasPrefix(k, resourceTagPrefix):
			out["aws:ResourceTag/"+k[len(resourceTagPrefix):]] = escapeValue(v)
		case strings.HasPrefix(k, requestTagPrefix):
			out["aws:RequestTag/"+k[len(requestTagPrefix):]] = escapeValue(v)
		}
	}
	return out
}

// groupKey identifies a statement's resources and conditions: actions with equal keys share a
// statement.
func groupKey(resources []string, cond map[string]string) string {
	var b strings.Builder
	for _, r := range resources {
		b.WriteString(r)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	keys := make([]string, 0, len(cond))
	for k := range cond {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(cond[k])
		b.WriteByte(0)
	}
	return b.String()
}

// setSids names each statement from its content: the first action without its colon, then
// the first 8 hex digits of the SHA-256 of the statement's actions, resources and conditions.
// IAM allows only ASCII letters and digits in a Sid
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
func setSids(stmts []Statement) {
	seen := map[string]int{}
	for i := range stmts {
		s := &stmts[i]
		h := sha256.New()
		for _, a := range s.Action {
			h.Write([]byte(a))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
		h.Write([]byte(groupKey(s.Resource, s.Condition)))
		sid := alnum(s.Action[0]) + hex.EncodeToString(h.Sum(nil)[:4])
		if n := seen[sid]; n > 0 { // a 32-bit collision between two statements: keep Sids unique
			seen[sid]++
			sid = fmt.Sprintf("%s%d", sid, n)
		} else {
			seen[sid] = 1
		}
		s.Sid = sid
	}
}

// alnum keeps the ASCII letters and digits of s, upper-casing its first letter.
func alnum(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' && b.Len() == 0:
			b.WriteByte(c - 'a' + 'A')
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}
