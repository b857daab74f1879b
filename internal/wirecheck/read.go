package wirecheck

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Request is what an upstream received.
type Request struct {
	Method   string
	RawPath  string // escaped, as received
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Class says how an identifier must be accounted for in the audit record.
type Class int

const (
	// Resource: the operation's own resource (a URI label, an SMS and Voice
	// v2 identifier member, an origination identity, ResourceArn). Its value
	// must appear in an authorization's ARN.
	Resource Class = iota + 1
	// Reference: a resource AWS uses on the caller's behalf (an ARN or S3
	// location in the body, a template or recommender the request names).
	// Its value must appear in an authorization's ARN or in a reference.
	Reference
	// Role: an IAM role ARN AWS will assume. It must be the resource of an
	// iam:PassRole authorization.
	Role
	// Qualifier: a label that selects a version or a run of a resource
	// and is part of no IAM resource type; nothing to account for.
	Qualifier
)

func (c Class) String() string {
	switch c {
	case Resource:
		return "resource"
	case Reference:
		return "reference"
	case Role:
		return "role"
	case Qualifier:
		return "qualifier"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Ident is one identifier a request carries.
type Ident struct {
	Member string // "{label}" for a URI label, else the dotted member path ("EventDestination.SnsDestination.TopicArn")
	Value  string // decoded
	Class  Class
	// Scope, when set, is the URI label member of the request whose
	// resource encloses this one (a Pinpoint segment ID in the body of a
	// request on /v1/apps/{application-id}/...): AWS resolves it inside
	// that resource, which the label already accounts for.
	Scope string
	// Own is set on an identifier of the operation's own resource: a URI
	// label, or a member named after the operation's noun (the
	// ConfigurationSetName of CreateConfigurationSet). Where IAM has no
	// resource type for the action, or the resource does not exist yet,
	// the action is authorized on "*", which accounts for it.
	Own bool
}

// Reading is one interpretation of a received request.
type Reading struct {
	API       string
	Operation string
	Action    string // signing name ":" operation
	Idents    []Ident
	Notes     []string // what the reader could not read (an undecodable body)
}

// methodOverrideHeaders are headers some frameworks read as the request's
// real method.
var methodOverrideHeaders = []string{"X-Http-Method-Override", "X-Http-Method", "X-Method-Override"}

// qualifierLabels are label members that select a version or a run of a
// resource; the service authorization reference has no resource type with
// such a component.
var qualifierLabels = map[string]bool{"Version": true, "RunId": true}

// maxInflated bounds a gzip body's decoded size.
const maxInflated = 64 << 20

// Read returns every plausible reading of req: one per X-Amz-Target value
// and per method (the request's, and any a method-override header names).
// An error means no reading names an operation of the three models.
func (ms *Models) Read(req Request) ([]Reading, error) {
	body, bodyNote := decodeBody(req)
	var out []Reading
	if targets := targetValues(req.Header); len(targets) > 0 {
		v2 := ms.APIs["sms-voice-v2"]
		for _, t := range targets {
			name, ok := strings.CutPrefix(t, v2.TargetPrefix+".")
			op := v2.Operations[name]
			if !ok || op == nil || req.Method != http.MethodPost {
				continue
			}
			rd := Reading{API: v2.Name, Operation: op.Name, Action: v2.SigningName + ":" + op.Name}
			if bodyNote != "" {
				rd.Notes = append(rd.Notes, bodyNote)
			}
			rd.Idents, rd.Notes = v2.readBody(op, nil, body, rd.Notes)
			out = append(out, rd)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("X-Amz-Target %q names no operation", targets)
		}
		return out, nil
	}
	methods := []string{req.Method}
	for _, h := range methodOverrideHeaders {
		for _, v := range req.Header.Values(h) {
			methods = append(methods, strings.ToUpper(strings.TrimSpace(v)))
		}
	}
	for _, method := range methods {
		for _, an := range []string{"pinpoint", "sms-voice"} {
			a := ms.APIs[an]
			op, labels := a.match(method, req.RawPath, req.RawQuery)
			if op == nil {
				continue
			}
			rd := Reading{API: a.Name, Operation: op.Name, Action: a.SigningName + ":" + op.Name}
			if bodyNote != "" {
				rd.Notes = append(rd.Notes, bodyNote)
			}
			in := a.Shapes[op.Input]
			present := map[string]bool{}
			for _, l := range labels {
				present[l.member] = true
				class := Resource
				if qualifierLabels[l.member] {
					class = Qualifier
				}
				rd.Idents = append(rd.Idents, Ident{Member: "{" + l.wire + "}", Value: l.value, Class: class, Own: true})
			}
			if in != nil {
				rd.Idents = append(rd.Idents, a.readQuery(in, req.RawQuery)...)
				rd.Idents = append(rd.Idents, a.readHeaders(in, req.Header)...)
			}
			var bodyIdents []Ident
			bodyIdents, rd.Notes = a.readBody(op, present, body, rd.Notes)
			rd.Idents = append(rd.Idents, bodyIdents...)
			out = append(out, rd)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %s names no operation", req.Method, req.RawPath)
	}
	return out, nil
}

// targetValues lists every X-Amz-Target value, a comma-joined one split.
func targetValues(h http.Header) []string {
	var out []string
	for _, v := range h.Values("X-Amz-Target") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// decodeBody undoes a gzip Content-Encoding; the note says why a body
// could not be decoded (AWS would reject such a request).
func decodeBody(req Request) ([]byte, string) {
	enc := strings.ToLower(strings.TrimSpace(req.Header.Get("Content-Encoding")))
	if enc == "" || enc == "identity" || len(req.Body) == 0 {
		return req.Body, ""
	}
	if enc != "gzip" {
		return nil, "unknown Content-Encoding " + enc
	}
	zr, err := gzip.NewReader(bytes.NewReader(req.Body))
	if err != nil {
		return nil, "gzip body: " + err.Error()
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxInflated))
	if err != nil {
		return nil, "gzip body: " + err.Error()
	}
	return b, ""
}

type labelValue struct {
	member, wire, value string
}

// match finds the operation whose method and URI template match, the one
// with the most literal segments when several do, and its label values.
func (a *API) match(method, rawPath, rawQuery string) (*Operation, []labelValue) {
	p := strings.Trim(rawPath, "/")
	var segs []string
	if p != "" {
		segs = strings.Split(p, "/")
	}
	q, _ := url.ParseQuery(rawQuery)
	var best *Operation
	var bestLabels []labelValue
	bestLit := -1
	names := a.OperationNames()
	for _, n := range names {
		op := a.Operations[n]
		if op.Method != method || len(op.segs) != len(segs) {
			continue
		}
		lit := 0
		var labels []labelValue
		ok := true
		for i, ts := range op.segs {
			if isLabel(ts) {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				labels = append(labels, labelValue{wire: labelName(ts), value: v})
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
			lit++
		}
		for k, v := range op.query {
			if !q.Has(k) || v != "" && q.Get(k) != v {
				ok = false
			}
		}
		if !ok || lit <= bestLit {
			continue
		}
		in := a.Shapes[op.Input]
		for i := range labels {
			if in != nil {
				for _, mn := range in.Order {
					if m := in.Members[mn]; m.Location == "uri" && m.wireName() == labels[i].wire {
						labels[i].member = mn
					}
				}
			}
		}
		best, bestLabels, bestLit = op, labels, lit
	}
	return best, bestLabels
}

// readQuery classifies the operation's query string members.
func (a *API) readQuery(in *Shape, rawQuery string) []Ident {
	q, _ := url.ParseQuery(rawQuery)
	var out []Ident
	for _, mn := range in.Order {
		m := in.Members[mn]
		if m.Location != "querystring" {
			continue
		}
		for _, v := range q[m.wireName()] {
			if c := a.classify(mn, "", a.Shapes[m.Shape], v); c != 0 {
				out = append(out, Ident{Member: "?" + m.wireName(), Value: v, Class: c})
			}
		}
	}
	return out
}

// readHeaders classifies the operation's header members.
func (a *API) readHeaders(in *Shape, h http.Header) []Ident {
	var out []Ident
	for _, mn := range in.Order {
		m := in.Members[mn]
		if m.Location != "header" {
			continue
		}
		for _, v := range h.Values(m.wireName()) {
			if c := a.classify(mn, "", a.Shapes[m.Shape], v); c != 0 {
				out = append(out, Ident{Member: m.wireName() + ":", Value: v, Class: c})
			}
		}
	}
	return out
}

// readBody reads the JSON body against the operation's input (its payload
// member's shape when it has one), keeping every identifier at any depth.
func (a *API) readBody(op *Operation, present map[string]bool, body []byte, notes []string) ([]Ident, []string) {
	in := a.Shapes[op.Input]
	if in == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil, notes
	}
	shape := in
	if in.Payload != "" {
		pm := in.Members[in.Payload]
		shape = a.Shapes[pm.Shape]
		if shape == nil || shape.Type != "structure" {
			return nil, notes
		}
	} else if !hasBodyMembers(in) {
		return nil, notes // AWS reads no body for this operation
	}
	root, err := parseJSON(body)
	if err != nil {
		return nil, append(notes, "body is not JSON: "+err.Error())
	}
	w := walker{a: a, op: op.Name, present: present}
	w.walk(shape, root, "", "", 0)
	return w.out, notes
}

func hasBodyMembers(s *Shape) bool {
	for _, m := range s.Members {
		if m.Location == "" {
			return true
		}
	}
	return false
}

type walker struct {
	a       *API
	op      string
	present map[string]bool
	out     []Ident
}

// walk reads n as shape s. name is the nearest member name, parent the
// enclosing structure's shape name.
func (w *walker) walk(s *Shape, n *node, path, parent string, depth int) {
	if s == nil || n == nil || depth > maxDepth {
		return
	}
	switch s.Type {
	case "structure":
		if n.kind != 'o' {
			return
		}
		for _, p := range n.pairs {
			m := s.memberByWire(p.key, true)
			if m == nil {
				continue // AWS ignores members its model does not have
			}
			sub := m.Name
			if path != "" {
				sub = path + "." + m.Name
			}
			w.member(m.Name, s.Name, w.a.Shapes[m.Shape], p.val, sub, depth)
		}
	}
}

// member reads the value of a member (or list element or map value) named name.
func (w *walker) member(name, parent string, s *Shape, n *node, path string, depth int) {
	if s == nil || n == nil {
		return
	}
	switch s.Type {
	case "structure":
		w.walk(s, n, path, parent, depth+1)
	case "list":
		if n.kind != 'a' || s.Member == nil {
			return
		}
		for _, e := range n.elems {
			w.member(name, parent, w.a.Shapes[s.Member.Shape], e, path, depth+1)
		}
	case "map":
		if n.kind != 'o' || s.Value == nil {
			return
		}
		for _, p := range n.pairs {
			w.member(name, parent, w.a.Shapes[s.Value.Shape], p.val, path+"."+p.key, depth+1)
		}
	case "string":
		if n.kind != 's' || n.str == "" {
			return
		}
		if c := w.a.classify(name, parent, s, n.str); c != 0 {
			id := Ident{Member: path, Value: n.str, Class: c, Own: ownMember(w.op, name)}
			if c == Resource && !id.Own && name != "ResourceArn" && name != "OriginationIdentity" {
				if !strings.Contains(s.Name, "OrArn") {
					// A plain name (SetDefaultSenderId's SenderId) names
					// a resource only when the operation creates it.
					return
				}
				// An identifier of another resource than the operation's
				// own, which IAM may or may not authorize: a reference.
				id.Class = Reference
			}
			if c == Reference {
				id.Scope = w.scope(name, parent)
			}
			w.out = append(w.out, id)
		}
	}
}

// scope returns the label member of the request that encloses a body
// identifier named like a label (a child resource of the request's own).
func (w *walker) scope(name, parent string) string {
	ln := w.a.labelFor(name, parent)
	if ln == "" {
		return ""
	}
	var ps []string
	for p := range w.a.parents[ln] {
		if w.present[p] {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	if len(ps) == 0 {
		return ""
	}
	return "{" + ps[0] + "}"
}

// labelFor returns the label member name a body member name stands for:
// itself, its singular, or parent+name ("Template" . "Name").
func (a *API) labelFor(name, parent string) string {
	for _, n := range []string{name, strings.TrimSuffix(name, "s"), parent + name} {
		if a.labelNames[n] {
			return n
		}
	}
	return ""
}

// classify returns the class of a string value of a member named name
// (of shape s, in a structure of shape parent), or 0 when it identifies
// nothing. The rules are derived from the model's names and shapes.
func (a *API) classify(name, parent string, s *Shape, value string) Class {
	if s != nil && len(s.Enum) > 0 {
		return 0
	}
	if isRoleARN(value) {
		return Role
	}
	sn := ""
	if s != nil {
		sn = s.Name
	}
	switch {
	case name == "OriginationIdentity" && strings.HasPrefix(sn, "__"):
		return Reference // a phone number of another API (Pinpoint's SendOTPMessage)
	case name == "ResourceArn", name == "OriginationIdentity", strings.Contains(sn, "OrArn"):
		return Resource
	}
	single := strings.TrimSuffix(name, "s")
	for _, suf := range []string{"Id", "Name"} {
		if stem, ok := strings.CutSuffix(single, suf); ok && stem != "" && a.stems[stem] {
			return Resource
		}
	}
	if a.labelFor(name, parent) != "" {
		return Reference
	}
	if strings.HasPrefix(value, "arn:") || strings.HasPrefix(value, "s3://") || strings.HasSuffix(single, "BucketName") {
		return Reference
	}
	return 0
}

// isRoleARN reports whether v is an IAM role ARN.
func isRoleARN(v string) bool {
	parts := strings.SplitN(v, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/")
}

// ownMember reports whether a member named name names the operation's own
// resource: the operation's noun (its name less the leading verb) is the
// member's name less "Id" or "Name", or that in the plural
// (CreateConfigurationSet's ConfigurationSetName, RequestSenderId's
// SenderId, DescribePools' PoolIds).
func ownMember(op, name string) bool {
	noun := op
	for i := 1; i < len(op); i++ {
		if 'A' <= op[i] && op[i] <= 'Z' {
			noun = op[i:]
			break
		}
	}
	single := strings.TrimSuffix(name, "s")
	for _, suf := range []string{"Id", "Name"} {
		stem, ok := strings.CutSuffix(single, suf)
		if !ok || stem == "" {
			continue
		}
		for _, n := range []string{stem, stem + "s", stem + suf, stem + suf + "s"} {
			if noun == n {
				return true
			}
		}
	}
	return false
}
