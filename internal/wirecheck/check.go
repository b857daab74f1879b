package wirecheck

import (
	"fmt"
	"strconv"
	"strings"
)

// Audit is what an audit record says was decided for a request.
type Audit struct {
	Authorizations []Authorization
	References     []Ref
	// What a bounded record says it left out: authorizations_omitted,
	// references_omitted, and the sum of the authorizations'
	// resources_omitted.
	OmittedAuthorizations, OmittedReferences, OmittedResources int
}

// Authorization is one action on resources.
type Authorization struct {
	Action    string
	Resources []string
}

// Ref is one entry of the record's references field.
type Ref struct {
	Kind, Member, Value, ARN string
}

// AuditFromRecord reads the authorizations and references of an audit
// record decoded into maps (from the JSON log, or from zap's observer).
func AuditFromRecord(rec map[string]any) Audit {
	var a Audit
	for _, x := range asSlice(rec["authorizations"]) {
		m, _ := x.(map[string]any)
		az := Authorization{}
		az.Action, _ = m["action"].(string)
		for _, r := range asSlice(m["resources"]) {
			if s, ok := r.(string); ok {
				az.Resources = append(az.Resources, s)
			}
		}
		a.OmittedResources += asInt(m["resources_omitted"])
		a.Authorizations = append(a.Authorizations, az)
	}
	a.OmittedAuthorizations = asInt(rec["authorizations_omitted"])
	a.OmittedReferences = asInt(rec["references_omitted"])
	for _, x := range asSlice(rec["references"]) {
		m, _ := x.(map[string]any)
		var r Ref
		r.Kind, _ = m["kind"].(string)
		r.Member, _ = m["member"].(string)
		r.Value, _ = m["value"].(string)
		r.ARN, _ = m["arn"].(string)
		a.References = append(a.References, r)
	}
	return a
}

func asInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

func asSlice(v any) []any {
	switch s := v.(type) {
	case []any:
		return s
	case []map[string]any:
		out := make([]any, len(s))
		for i := range s {
			out[i] = s[i]
		}
		return out
	}
	return nil
}

// Violation is one thing a forwarded request acts on that its audit record
// does not account for.
type Violation struct {
	API, Operation string
	Member, Value  string
	Problem        string
}

func (v Violation) String() string {
	if v.Member == "" {
		return fmt.Sprintf("%s %s: %s", v.API, v.Operation, v.Problem)
	}
	return fmt.Sprintf("%s %s %s=%q: %s", v.API, v.Operation, v.Member, v.Value, v.Problem)
}

// Check holds one reading of a forwarded request against its audit record:
// the operation's action must be authorized; every resource identifier must
// appear (as a whole ARN component) within an authorized ARN; a reference
// within an authorized ARN or the record's references; a role ARN must be
// the resource of an iam:PassRole authorization.
//
// A bounded record keeps the first entries of its lists and counts the
// others (<name>_omitted), and cuts long strings ("…(+N bytes)"): a cut
// ARN accounts for a value that continues what it kept, and identifiers
// not found are excused up to the number of entries the record says it
// left out (all of them when it left out whole authorizations).
func Check(rd Reading, a Audit) []Violation {
	var out []Violation
	excuse := a.OmittedReferences + a.OmittedResources
	add := func(id Ident, problem string) {
		if a.OmittedAuthorizations > 0 || excuse > 0 {
			excuse--
			return
		}
		out = append(out, Violation{API: rd.API, Operation: rd.Operation, Member: id.Member, Value: id.Value, Problem: problem})
	}
	found := false
	for _, az := range a.Authorizations {
		if strings.EqualFold(az.Action, rd.Action) {
			found = true
		}
	}
	if !found {
		out = append(out, Violation{API: rd.API, Operation: rd.Operation, Problem: "action " + rd.Action + " not among the authorizations " + actions(a)})
	}
	for _, id := range rd.Idents {
		switch id.Class {
		case Qualifier:
			continue
		case Role:
			if !passRole(a, id.Value) {
				add(id, "role ARN without an iam:PassRole authorization on it")
			}
		case Resource:
			if !inAuthorizations(a, id.Value) && !(id.Own && onStar(a, rd.Action)) {
				add(id, "resource in no authorized ARN")
			}
		case Reference:
			if id.Scope != "" {
				continue // enclosed by the label named, which is checked itself
			}
			if !inAuthorizations(a, id.Value) && !inReferences(a, id.Value) && !(id.Own && onStar(a, rd.Action)) {
				add(id, "referenced resource neither authorized nor in the record's references")
			}
		}
	}
	return out
}

// onStar reports whether action is authorized on "*".
func onStar(a Audit, action string) bool {
	for _, az := range a.Authorizations {
		if strings.EqualFold(az.Action, action) {
			for _, r := range az.Resources {
				if r == "*" {
					return true
				}
			}
		}
	}
	return false
}

func actions(a Audit) string {
	var s []string
	for _, az := range a.Authorizations {
		s = append(s, az.Action)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func passRole(a Audit, role string) bool {
	for _, az := range a.Authorizations {
		if !strings.EqualFold(az.Action, "iam:PassRole") {
			continue
		}
		for _, r := range az.Resources {
			if r == role || cutContains(r, role) {
				return true
			}
		}
	}
	return false
}

func inAuthorizations(a Audit, v string) bool {
	for _, az := range a.Authorizations {
		for _, r := range az.Resources {
			if containsComponent(r, v) {
				return true
			}
		}
	}
	return false
}

func inReferences(a Audit, v string) bool {
	want := []string{v}
	if rest, ok := strings.CutPrefix(v, "s3://"); ok {
		want = append(want, "arn:aws:s3:::"+rest)
	}
	for _, r := range a.References {
		for _, w := range want {
			if r.Value == w || containsComponent(r.ARN, w) {
				return true
			}
		}
	}
	return false
}

// cutMark ends a string the audit record cut: "…(+N bytes)".
const cutMark = "…(+"

// cutContains reports whether arn, cut by the audit record, kept a
// prefix of v that starts at a component boundary and runs to the cut,
// and the bytes cut off can hold the rest of v.
func cutContains(arn, v string) bool {
	i := strings.LastIndex(arn, cutMark)
	if i < 0 {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(arn[i+len(cutMark):], " bytes)"))
	if err != nil {
		return false
	}
	kept := arn[:i]
	for j := 0; j < len(kept); j++ {
		if j > 0 && kept[j-1] != ':' && kept[j-1] != '/' {
			continue
		}
		if tail := kept[j:]; strings.HasPrefix(v, tail) && len(tail)+n >= len(v) {
			return true
		}
	}
	return false
}

// containsComponent reports whether v occurs in arn as whole components:
// bounded by the start or end of arn or by one of ':' '/' (or, in an ARN
// the audit record cut, as cutContains says).
func containsComponent(arn, v string) bool {
	if v == "" {
		return false
	}
	if cutContains(arn, v) {
		return true
	}
	for i := 0; i+len(v) <= len(arn); {
		j := strings.Index(arn[i:], v)
		if j < 0 {
			return false
		}
		s, e := i+j, i+j+len(v)
		if (s == 0 || arn[s-1] == ':' || arn[s-1] == '/') && (e == len(arn) || arn[e] == ':' || arn[e] == '/') {
			return true
		}
		i = s + 1
	}
	return false
}
