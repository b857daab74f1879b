package authz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrInvalid is wrapped by every policy syntax or validation error.
var ErrInvalid = errors.New("invalid policy")

// PolicyError says where a policy failed to parse: the policy name, the statement index
// (0-based; -1 for the document itself), its Sid, and the element.
type PolicyError struct {
	Policy    string
	Statement int
	Sid       string
	Field     string
	Err       error
}

// Error formats as: policy "Name" statement 2 (Sid "X"): Condition: unknown operator "StringEqual".
func (e *PolicyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %q", e.Policy)
	if e.Statement >= 0 {
		fmt.Fprintf(&b, " statement %d", e.Statement)
		if e.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", e.Sid)
		}
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *PolicyError) Unwrap() error { return e.Err }

// Is makes every PolicyError match ErrInvalid.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalid }

// Policy versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed and compiled policy document. It is immutable and safe for concurrent use.
type Policy struct {
	name       string
	kind       PolicyType
	version    string
	hasVersion bool
	id         string
	hasID      bool
	stmtArray  bool
	stmts      []*statement

	// The action index: statements whose actions are all exact names are listed under each
	// lower-cased action; the others (wildcards, NotAction) are in wild. Both in statement order.
	exact map[string][]int32
	wild  []int32
	// bloom is a 1024-bit Bloom filter (two bits an action) of the keys of exact, so that a
	// decision skips the map lookup of most policies that do not name the action.
	bloom [16]uint64
	// reads are the lower-cased condition keys and policy variables any statement reads
	// (see ReferencesKeyPrefix), each once.
	reads []string
}

// actionHash hashes a lower-cased action name (FNV-1a).
func actionHash(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func bloomBits(h uint32) (uint32, uint32) { return h & 1023, (h >> 10) & 1023 }

func (p *Policy) bloomAdd(h uint32) {
	a, b := bloomBits(h)
	p.bloom[a>>6] |= 1 << (a & 63)
	p.bloom[b>>6] |= 1 << (b & 63)
}

// mayName reports whether the policy may have an exactly-named statement for the action hash.
func (p *Policy) mayName(h uint32) bool {
	a, b := bloomBits(h)
	return p.bloom[a>>6]&(1<<(a&63)) != 0 && p.bloom[b>>6]&(1<<(b&63)) != 0
}

// Name returns the policy's name.
func (p *Policy) Name() string { return p.name }

// Type returns the policy type the policy was parsed as.
func (p *Policy) Type() PolicyType { return p.kind }

// Len returns the number of statements.
func (p *Policy) Len() int { return len(p.stmts) }

var policyFields = map[string]bool{"Version": true, "Id": true, "Statement": true}

// Parse strictly parses and compiles one policy document. kind decides kind-specific rules:
// identity, boundary, session and guardrail statements need Resource or NotResource and may not
// name a principal; resource-based statements need Principal or NotPrincipal. Errors are
// *PolicyError.
func Parse(name string, doc []byte, kind PolicyType) (*Policy, error) {
	perr := func(stmt int, sid, field string, err error) error {
		return &PolicyError{Policy: name, Statement: stmt, Sid: sid, Field: field, Err: err}
	}
	if kind < IdentityBased || kind > Guardrail {
		return nil, perr(-1, "", "", fmt.Errorf("%w: unknown policy type %d", ErrInvalid, int(kind)))
	}
	m, err := decodeObject(doc)
	if err != nil {
		return nil, perr(-1, "", "", err)
	}
	for k := range m {
		if !policyFields[k] {
			return nil, perr(-1, "", k, fmt.Errorf("%w: unknown element %q", ErrInvalid, k))
		}
	}
	p := &Policy{name: name, kind: kind, exact: map[string][]int32{}}
	if r, ok := m["Version"]; ok {
		if err := json.Unmarshal(r, &p.version); err != nil {
			return nil, perr(-1, "", "Version", fmt.Errorf("%w: expected a string", ErrInvalid))
		}
		if p.version != Version2012 && p.version != Version2008 {
			return nil, perr(-1, "", "Version", fmt.Errorf("%w: %q is not %s or %s", ErrInvalid, p.version, Version2012, Version2008))
		}
		p.hasVersion = true
	}
	if r, ok := m["Id"]; ok {
		if err := json.Unmarshal(r, &p.id); err != nil {
			return nil, perr(-1, "", "Id", fmt.Errorf("%w: expected a string", ErrInvalid))
		}
		p.hasID = true
	}
	sr, ok := m["Statement"]
	if !ok {
		return nil, perr(-1, "", "Statement", fmt.Errorf("%w: missing", ErrInvalid))
	}
	var raws []json.RawMessage
	sr = bytes.TrimSpace(sr)
	switch {
	case len(sr) > 0 && sr[0] == '[':
		if err := json.Unmarshal(sr, &raws); err != nil {
			return nil, perr(-1, "", "Statement", fmt.Errorf("%w: %v", ErrInvalid, err))
		}
		p.stmtArray = true
	case len(sr) > 0 && sr[0] == '{':
		raws = []json.RawMessage{sr}
	default:
		return nil, perr(-1, "", "Statement", fmt.Errorf("%w: expected an object or an array of objects", ErrInvalid))
	}
	vars := p.version == Version2012
	sids := map[string]int{}
	for i, raw := range raws {
		st, err := parseStatement(raw, kind, vars)
		if err != nil {
			sid := sidOf(raw)
			var fe *fieldError
			if errors.As(err, &fe) {
				return nil, perr(i, sid, fe.field, fe.err)
			}
			return nil, perr(i, sid, "", err)
		}
		if st.sid != "" {
			if j, dup := sids[st.sid]; dup {
				return nil, perr(i, st.sid, "Sid", fmt.Errorf("%w: duplicate Sid (also statement %d)", ErrInvalid, j))
			}
			sids[st.sid] = i
		}
		p.stmts = append(p.stmts, st)
		for _, k := range st.reads {
			if !slices.Contains(p.reads, k) {
				p.reads = append(p.reads, k)
			}
		}
		idx := int32(i)
		if st.wild {
			p.wild = append(p.wild, idx)
			continue
		}
		seen := map[string]bool{}
		for _, a := range st.actions {
			if !seen[a.lower] {
				seen[a.lower] = true
				p.exact[a.lower] = append(p.exact[a.lower], idx)
				p.bloomAdd(actionHash([]byte(a.lower)))
			}
		}
	}
	return p, nil
}

// sidOf extracts a statement's Sid for error messages, if it has one.
func sidOf(raw json.RawMessage) string {
	var s struct {
		Sid any `json:"Sid"`
	}
	_ = json.Unmarshal(raw, &s)
	sid, _ := s.Sid.(string)
	return sid
}

type jsonPolicy struct {
	Version   string  `json:"Version,omitempty"`
	ID        *string `json:"Id,omitempty"`
	Statement any     `json:"Statement"`
}

// MarshalJSON encodes the policy in a normalized form that parses back to the same policy:
// elements keep their string-or-array form, condition operators and keys are sorted.
func (p *Policy) MarshalJSON() ([]byte, error) {
	jp := jsonPolicy{}
	if p.hasVersion {
		jp.Version = p.version
	}
	if p.hasID {
		jp.ID = &p.id
	}
	stmts := make([]*jsonStatement, len(p.stmts))
	for i, st := range p.stmts {
		stmts[i] = st.encode()
	}
	if p.stmtArray {
		jp.Statement = stmts
	} else if len(stmts) == 1 {
		jp.Statement = stmts[0]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jp); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
