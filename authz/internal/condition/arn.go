package condition

import (
	"strings"

	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// The Arn operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike. Each of the six
// colon-separated parts of the ARN is compared separately, case-sensitively, and each may use
// the '*' and '?' wildcards (ArnEquals and ArnLike behave the same, as in IAM). A request value
// that is not an ARN matches nothing.

func init() {
	register("ArnEquals", "ArnNotEquals", true, newArn)
	register("ArnLike", "ArnNotLike", true, newArn)
}

// encodedArnParts splits an encoded glob pattern into ARN parts; unlike arn.Split it does not
// require the "arn" prefix, which a pattern may write with wildcards. An escaped colon cannot
// occur (colons are never escaped), so splitting at colons is safe.
func encodedArnParts(p string) (parts [6]string, ok bool) {
	start := 0
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(p[start:], ':')
		if j < 0 {
			return parts, false
		}
		parts[i] = p[start : start+j]
		start += j + 1
	}
	parts[5] = p[start:]
	return parts, true
}

// ArnMatch matches a Resource element's encoded glob pattern against a resource: part by part
// when the pattern has six parts; a pattern with fewer parts (such as "arn:aws:sms-voice:*")
// matches when its last part matches the rest of the value; "*" matches everything.
func ArnMatch(pattern, value string) bool {
	ps, vs := pattern, value
	for n := 0; ; n++ {
		pi := strings.IndexByte(ps, ':')
		if pi < 0 || n == 5 { // the last part of the pattern absorbs the rest of the value
			return glob.Match(ps, vs)
		}
		vi := strings.IndexByte(vs, ':')
		if vi < 0 || !glob.Match(ps[:pi], vs[:vi]) {
			return false
		}
		ps, vs = ps[pi+1:], vs[vi+1:]
	}
}

type arnOp struct {
	patterns []string
	vars     []*Template
	// varHeads holds, for each variable template, the encoded glob patterns of its first five
	// parts when those are constant (hasHead): a value whose first parts differ does not match
	// whether or not the variable in the resource part has a value.
	varHeads [][5]string
	hasHead  []bool
}

func newArn(values []Template) (Operator, error) {
	o := &arnOp{}
	for i := range values {
		if values[i].Constant() {
			o.patterns = append(o.patterns, values[i].GlobPattern())
		} else {
			o.vars = append(o.vars, &values[i])
			var head [5]string
			raw := values[i].Raw()
			parts, ok := encodedArnParts(raw)
			if ok && !strings.Contains(raw[:len(raw)-len(parts[5])], "${") {
				for k := range head {
					head[k] = glob.Encode(parts[k])
				}
			} else {
				ok = false
			}
			o.varHeads = append(o.varHeads, head)
			o.hasHead = append(o.hasHead, ok)
		}
	}
	return o, nil
}

func (o *arnOp) Match(v string, env *Env) Outcome {
	if _, ok := arn.Split(v); !ok {
		return Invalid
	}
	for _, p := range o.patterns {
		if arnMatchStrict(p, v) {
			return Matched
		}
	}
	out := NoMatch
	for i, t := range o.vars {
		p, ok := t.ResolveGlob(env)
		switch {
		case ok && arnMatchStrict(p, v):
			return Matched
		case !ok && !(o.hasHead[i] && !headMatch(&o.varHeads[i], v)):
			out = Unresolved
		}
	}
	return out
}

// headMatch reports whether the first five parts of the ARN v match head.
func headMatch(head *[5]string, v string) bool {
	vp, ok := arn.Split(v)
	if !ok {
		return false
	}
	for k := range head {
		if !glob.Match(head[k], vp[k]) {
			return false
		}
	}
	return true
}

// arnMatchStrict matches part by part; a pattern that is not six parts long matches nothing.
func arnMatchStrict(pattern, value string) bool {
	pp, ok := encodedArnParts(pattern)
	if !ok {
		return false
	}
	vp, ok := arn.Split(value)
	if !ok {
		return false
	}
	for i := range pp {
		if !glob.Match(pp[i], vp[i]) {
			return false
		}
	}
	return true
}

// segMode is how one compiled ARN part matches.
type segMode uint8

const (
	segGlob  segMode = iota // wildcards: glob.Match
	segExact                // no wildcards: string equality
	segAny                  // "*": anything
)

type arnSeg struct {
	s    string
	mode segMode
}

func compileSeg(s string) arnSeg {
	switch {
	case s == "*":
		return arnSeg{mode: segAny}
	case !strings.ContainsAny(s, `*?\`):
		return arnSeg{s: s, mode: segExact}
	}
	return arnSeg{s: s, mode: segGlob}
}

func (g *arnSeg) match(v string) bool {
	switch g.mode {
	case segAny:
		return true
	case segExact:
		return g.s == v
	}
	return glob.Match(g.s, v)
}

// ArnPattern is a compiled constant Resource pattern (an encoded glob): six parts compiled
// separately, or a pattern matched with ArnMatch.
type ArnPattern struct {
	pattern string
	six     bool
	all     bool
	parts   [6]arnSeg
}

// CompileArnPattern compiles an encoded glob pattern for repeated matching.
func CompileArnPattern(pattern string) ArnPattern {
	p := ArnPattern{pattern: pattern, all: pattern == "*"}
	if parts, ok := encodedArnParts(pattern); ok {
		p.six = true
		for i := range parts {
			p.parts[i] = compileSeg(parts[i])
		}
	}
	return p
}

// Match reports whether value matches, like ArnMatch(pattern, value). parts and isArn are
// arn.Split(value), computed once per request by the caller.
func (p *ArnPattern) Match(value string, parts *[6]string, isArn bool) bool {
	switch {
	case p.all:
		return true
	case !p.six:
		return ArnMatch(p.pattern, value)
	case !isArn:
		return false
	}
	for i := range p.parts {
		if !p.parts[i].match(parts[i]) {
			return false
		}
	}
	return true
}
