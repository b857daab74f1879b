package condition

import (
	"strings"

	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// The Arn operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike. Each of the six
// colon-separated parts of the ARN is compared separately, case-sensitively, and each may use
// the '*' and '?' wildcards (ArnEquals and ArnLike behave the same, as in IAM). A request value
// that is not an ARN matches nothing.

func init() {
	register("ArnEquals", "ArnNotEquals", newArn)
	register("ArnLike", "ArnNotLike", newArn)
}

// ArnParts splits an ARN into its six parts (the resource part keeps its colons).
func ArnParts(s string) (parts [6]string, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return parts, false
	}
	start := 0
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s[start:], ':')
		if j < 0 {
			return parts, false
		}
		parts[i] = s[start : start+j]
		start += j + 1
	}
	parts[5] = s[start:]
	return parts, true
}

// encodedArnParts splits an encoded glob pattern into ARN parts. An escaped colon cannot
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

// ArnMatch reports whether value matches the encoded glob pattern segment by segment. A pattern
// that is not six parts long is matched against the whole value.
func ArnMatch(pattern, value string) bool {
	pp, ok := encodedArnParts(pattern)
	if !ok {
		return glob.Match(pattern, value)
	}
	vp, ok := ArnParts(value)
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

type arnOp struct {
	patterns []string
	vars     []*Template
}

func newArn(values []Template) (Operator, error) {
	o := &arnOp{}
	for i := range values {
		if values[i].Constant() {
			o.patterns = append(o.patterns, values[i].GlobPattern())
		} else {
			o.vars = append(o.vars, &values[i])
		}
	}
	return o, nil
}

func (o *arnOp) Match(v string, env *Env) (bool, bool) {
	if _, ok := ArnParts(v); !ok {
		return false, false
	}
	for _, p := range o.patterns {
		if ArnMatch(p, v) {
			return true, true
		}
	}
	for _, t := range o.vars {
		if p, ok := t.ResolveGlob(env); ok && ArnMatch(p, v) {
			return true, true
		}
	}
	return false, true
}
