package apimap

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// mapper holds the state of one Map call.
type mapper struct {
	req       *Request
	op        *opSpec
	partition string
	rawLabels []string
	body      object
	res       *Result
	labelBuf  [maxLabels]string
	fieldBuf  [16]jfield
}

// resultBlock lets the common case (one authorization, up to three
// resources, at most one destination) take a single allocation.
type resultBlock struct {
	r      Result
	auth   [1]Permission
	arns   [3]string
	dests  [1]Destination
	params [2]Parameter
}

func (m *mapper) run(blk *resultBlock) (*Result, error) {
	op := m.op
	if err := m.checkLabels(); err != nil {
		return nil, err
	}
	if op.needBody || len(op.members) > 0 && op.target != "" {
		if err := m.parseBody(); err != nil {
			return nil, err
		}
	}
	m.res = &blk.r
	m.res.Parameters = blk.params[:0]
	m.res.API, m.res.Operation, m.res.Lifecycle, m.res.Rule = op.api, op.name, op.lifecycle, RuleModel
	if op.unmodeled {
		m.res.Rule = RuleIAMReference
	}
	if err := m.tags(); err != nil {
		return nil, err
	}
	arns, err := m.resources(blk.arns[:0])
	if err != nil {
		return nil, err
	}
	if len(arns) == 0 {
		arns = append(arns, "*")
	}
	blk.auth[0] = Permission{Action: op.action, Resources: arns}
	m.res.Permissions = blk.auth[:]
	if err := m.dependents(); err != nil {
		return nil, err
	}
	if err := m.references(); err != nil {
		return nil, err
	}
	if err := m.destinations(blk.dests[:0]); err != nil {
		return nil, err
	}
	if len(m.res.Parameters) == 0 {
		m.res.Parameters = nil
	}
	return m.res, nil
}

// checkLabels validates every URI label value (see checkID); a label that
// holds an ARN is checked as an ARN where it is used.
func (m *mapper) checkLabels() error {
	for i, raw := range m.rawLabels {
		if m.isARNLabel(m.op.labels[i]) {
			continue
		}
		v, err := unescapeSegment(raw)
		if err != nil {
			return err
		}
		if err := checkID(v); err != nil {
			return badRequest("URI label %s: %v", m.op.labels[i], err)
		}
		m.rawLabels[i] = v
	}
	return nil
}

func (m *mapper) isARNLabel(name string) bool {
	for _, rs := range m.op.resources {
		if rs.src == srcARN && rs.member == name {
			return true
		}
	}
	return false
}

// label returns the decoded value of URI label name.
func (m *mapper) label(name string) (string, bool) {
	for i, l := range m.op.labels {
		if l == name {
			return m.rawLabels[i], true
		}
	}
	return "", false
}

// param records that the mapping read member's value as an identifier.
func (m *mapper) param(member, value string) {
	m.res.Parameters = append(m.res.Parameters, Parameter{Member: member, Value: value})
}

// idSuffix returns the suffix of arn that equals id (an ARN built from
// one ID ends with it), sparing a copy of id; a copy when it does not.
func idSuffix(arn string, id []byte) string {
	if n := len(arn) - len(id); n >= 0 && arn[n:] == string(id) {
		return arn[n:]
	}
	return string(id)
}

// regionalARN is the ARN of a resource of service in the request's
// partition, region and account: resource (the type's prefix) then name.
func (m *mapper) regionalARN(service, resource, name string) string {
	return "arn:" + m.partition + ":" + service + ":" + m.req.Region + ":" + m.req.Account + ":" + resource + name
}

// parseBody checks the body is a JSON object (an empty body counts as {}),
// and that every top-level member the model defines has the model's JSON
// type, appears once, and is spelled in the model's case.
func (m *mapper) parseBody() error {
	b := m.req.Body
	if len(b) > 0 && skipSpace(b, 0) < len(b) {
		fields, err := scanObject(b, m.fieldBuf[:0])
		if err == errTooDeep {
			if !json.Valid(b) {
				return badRequest("body is not valid JSON")
			}
			fields, err = objectFields(b, m.fieldBuf[:0])
		}
		if err != nil {
			return err
		}
		m.body = object{fields: fields}
	}
	var seen uint64
	for _, f := range m.body.fields {
		for j, mem := range m.op.members {
			if string(f.key) == mem.name {
				if seen&(1<<j) != 0 {
					return badRequest("member %q appears twice", mem.name)
				}
				seen |= 1 << j
				if k := jsonKind(f.val); k != 0 && k != mem.kind {
					return badRequest("member %q has the wrong JSON type", mem.name)
				}
				break
			}
			if len(f.key) == len(mem.name) && strings.EqualFold(string(f.key), mem.name) {
				return badRequest("member %q differs from %q only in case", f.key, mem.name)
			}
		}
	}
	return nil
}

// resources computes the resources of the operation's own action.
func (m *mapper) resources(arns []string) ([]string, error) {
	for i := range m.op.resources {
		rs := &m.op.resources[i]
		var err error
		switch rs.src {
		case srcPath:
			var vals [4]string
			for k, v := range rs.vars {
				switch {
				case v.literal != "":
					vals[k] = v.literal
				default:
					s, ok := m.label(v.label)
					if !ok {
						return nil, badRequest("internal: no label %s", v.label)
					}
					m.param(v.label, s)
					if v.upper {
						s = strings.ToUpper(s)
					}
					vals[k] = s
				}
			}
			arns = append(arns, rs.tmpl.build(m.partition, m.req.Region, m.req.Account, vals[:len(rs.vars)]))
		case srcMembers:
			arns, err = m.fromMembers(arns, rs, &m.body)
		case srcList:
			arns, err = m.fromList(arns, rs)
		case srcARN:
			arns, err = m.fromARN(arns, rs)
		case srcOrigination:
			arns, err = m.fromOrigination(arns, rs)
		}
		if err != nil {
			return nil, err
		}
	}
	return arns, nil
}

// typedARN checks that s is an ARN of the operation's service and of one of types.
func (m *mapper) typedARN(s string, types []string, what string) error {
	t, _, err := parseTypedARN(s)
	if err != nil {
		return badRequest("%s: %v", what, err)
	}
	if t.service != SigningName(m.op.api) {
		return badRequest("%s: ARN of service %s, want %s", what, t.service, SigningName(m.op.api))
	}
	for _, typ := range types {
		if typ == t.typ {
			return nil
		}
	}
	return badRequest("%s: ARN of resource type %s, want one of %v", what, t.typ, types)
}

// fromMembers builds the ARN of rs from members of o (the body or a list
// element). The first variable's member may hold a full ARN instead.
func (m *mapper) fromMembers(arns []string, rs *resSpec, o *object) ([]string, error) {
	if len(rs.vars) == 1 {
		// Fast path: a plain ID without escapes is copied once, into the ARN.
		raw, err := o.get(rs.vars[0].member)
		if err != nil {
			return nil, err
		}
		if raw != nil && jsonKind(raw) == 's' {
			in := raw[1 : len(raw)-1]
			if bytes.IndexByte(in, '\\') < 0 && !bytes.HasPrefix(in, []byte("arn:")) && utf8.Valid(in) {
				if err := checkID(in); err != nil {
					return nil, badRequest("member %s: %v", rs.vars[0].member, err)
				}
				arn := rs.tmpl.buildRaw(m.partition, m.req.Region, m.req.Account, in)
				m.param(rs.vars[0].member, idSuffix(arn, in))
				return append(arns, arn), nil
			}
		}
	}
	first, ok, err := o.getString(rs.vars[0].member)
	if err != nil {
		return nil, err
	}
	if !ok {
		if rs.required {
			return nil, badRequest("member %s is required", rs.vars[0].member)
		}
		for _, v := range rs.vars[1:] {
			if _, ok, err := o.getString(v.member); err != nil {
				return nil, err
			} else if ok && rs.src == srcList {
				return nil, badRequest("member %s without %s", v.member, rs.vars[0].member)
			}
		}
		return arns, nil
	}
	if strings.HasPrefix(first, "arn:") {
		if err := m.typedARN(first, rs.types, rs.vars[0].member); err != nil {
			return nil, err
		}
		m.param(rs.vars[0].member, first)
		return append(arns, first), nil
	}
	var vals [4]string
	for k, v := range rs.vars {
		s := first
		if k > 0 {
			s, ok, err = o.getString(v.member)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, badRequest("member %s is required with %s", v.member, rs.vars[0].member)
			}
		}
		if err := checkID(s); err != nil {
			return nil, badRequest("member %s: %v", v.member, err)
		}
		m.param(v.member, s)
		vals[k] = s
	}
	return append(arns, rs.tmpl.build(m.partition, m.req.Region, m.req.Account, vals[:len(rs.vars)])), nil
}

func (m *mapper) fromList(arns []string, rs *resSpec) ([]string, error) {
	v, err := m.body.get(rs.member)
	if err != nil {
		return nil, err
	}
	if v == nil {
		if rs.required {
			return nil, badRequest("member %s is required", rs.member)
		}
		return arns, nil
	}
	it, err := newArrayIter(v)
	if err != nil {
		return nil, badRequest("member %s must be an array", rs.member)
	}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if rs.elemObj {
			if jsonKind(e) != 'o' {
				return nil, badRequest("member %s: elements must be objects", rs.member)
			}
			o, err := parseObject(e, nil)
			if err != nil {
				return nil, err
			}
			req := *rs
			req.required = true
			if arns, err = m.fromMembers(arns, &req, &o); err != nil {
				return nil, err
			}
			continue
		}
		s, err := jsonString(e)
		if err != nil {
			return nil, badRequest("member %s: elements must be strings", rs.member)
		}
		if strings.HasPrefix(s, "arn:") {
			if err := m.typedARN(s, rs.types, rs.member); err != nil {
				return nil, err
			}
			m.param(rs.member, s)
			arns = append(arns, s)
			continue
		}
		if err := checkID(s); err != nil {
			return nil, badRequest("member %s: %v", rs.member, err)
		}
		m.param(rs.member, s)
		arns = append(arns, rs.tmpl.build(m.partition, m.req.Region, m.req.Account, []string{s}))
	}
	return arns, nil
}

func (m *mapper) fromARN(arns []string, rs *resSpec) ([]string, error) {
	s, ok := m.label(rs.member)
	if ok {
		var err error
		if s, err = unescapeSegment(s); err != nil {
			return nil, err
		}
	} else {
		var err error
		if s, ok, err = m.body.getString(rs.member); err != nil {
			return nil, err
		}
	}
	if !ok || s == "" {
		if rs.required {
			return nil, badRequest("%s is required", rs.member)
		}
		return arns, nil
	}
	if err := m.typedARN(s, rs.types, rs.member); err != nil {
		return nil, err
	}
	m.param(rs.member, s)
	return append(arns, s), nil
}

// dependents appends the authorizations of the dependent actions that the
// request triggers.
func (m *mapper) dependents() error {
	channelSeen, channelMatched := false, false
	for i := range m.op.deps {
		d := &m.op.deps[i]
		switch d.kind {
		case depTags:
			if len(m.res.RequestTags) == 0 {
				continue
			}
			resource := "*"
			if d.tmpl != nil {
				rs := resSpec{src: srcMembers, types: []string{d.typ}, vars: d.vars, tmpl: d.tmpl}
				got, err := m.fromMembers(nil, &rs, &m.body)
				if err != nil {
					return err
				}
				if len(got) == 1 {
					resource = got[0]
				}
			}
			m.addPermission(d.action, []string{resource})
		case depMember:
			rs := resSpec{src: srcMembers, types: []string{d.typ}, vars: d.vars, tmpl: d.tmpl}
			got, err := m.fromMembers(nil, &rs, &m.body)
			if err != nil {
				return err
			}
			if len(got) > 0 {
				m.addPermission(d.action, got)
			}
		case depChannel:
			channelSeen = true
			s, ok, err := m.body.getString(d.member)
			if err != nil {
				return err
			}
			if !ok || s != d.value {
				continue
			}
			channelMatched = true
			primary := m.res.Permissions[0].Resources
			m.addPermission(d.action, append([]string(nil), primary...))
			n := len(m.res.Permissions) - 1
			for _, u := range m.res.Unresolved {
				if u.Permission == 0 {
					u.Permission = n
					m.res.Unresolved = append(m.res.Unresolved, u)
				}
			}
		}
	}
	if channelSeen && !channelMatched {
		return badRequest("VerificationChannel must be TEXT or VOICE")
	}
	return nil
}

// addPermission appends the authorization of action on resources.
func (m *mapper) addPermission(action string, resources []string) {
	m.res.Permissions = append(m.res.Permissions, Permission{Action: action, Resources: resources})
}
