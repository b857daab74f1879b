package apimap

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
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

// mapperPool recycles the scratch state (label and field buffers), so that
// Map allocates only its result.
var mapperPool = sync.Pool{New: func() any { return new(mapper) }}

// release drops the references the scratch state holds (to the request and
// its body) and returns it to the pool.
func (m *mapper) release() {
	clear(m.labelBuf[:len(m.rawLabels)])
	if n := len(m.body.fields); n <= len(m.fieldBuf) {
		clear(m.fieldBuf[:n])
	}
	m.req, m.op, m.partition, m.rawLabels, m.body, m.res = nil, nil, "", nil, object{}, nil
	mapperPool.Put(m)
}

// resultBlock lets the common case (one authorization, up to three
// resources) take a single allocation.
type resultBlock struct {
	r    Result
	auth [1]Authorization
	arns [3]string
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
	m.res.API, m.res.Operation = op.api, op.name
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
	blk.auth[0] = Authorization{Action: op.action, Resources: arns}
	m.res.Authorizations = blk.auth[:]
	if err := m.dependents(); err != nil {
		return nil, err
	}
	if err := m.references(); err != nil {
		return nil, err
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

// tags reads the request's tags (RequestTags) and tag keys (TagKeys: the
// keys of the tags, or those an untag removes). Operations without tags pay
// nothing.
func (m *mapper) tags() error {
	if op := m.op; op.tagsMember == "" && op.tagKeysMember == "" && op.tagKeysQuery == "" {
		return nil
	}
	tags, err := m.requestTags()
	if err != nil {
		return err
	}
	var keys []string
	for k := range tags {
		keys = append(keys, k)
	}
	if keys, err = m.removedTagKeys(keys); err != nil {
		return err
	}
	sort.Strings(keys)
	if err := checkKeyCase(keys); err != nil {
		return err
	}
	if len(keys) > 0 {
		m.res.TagKeys = keys
	}
	m.res.RequestTags = tags
	return nil
}

// requestTags reads the operation's tags member: a JSON object of string
// values (Pinpoint) or a list of {Key, Value} objects (SMS and Voice v2). It
// returns nil when the operation or the request has none.
func (m *mapper) requestTags() (map[string]string, error) {
	op := m.op
	if op.tagsMember == "" {
		return nil, nil
	}
	v, err := m.body.get(op.tagsMember)
	if err != nil || v == nil {
		return nil, err
	}
	if op.tagsList {
		return tagsFromList(op.tagsMember, v)
	}
	return tagsFromObject(op.tagsMember, v)
}

// tagsFromObject reads the tags of member, whose raw value v must be a JSON
// object of strings.
func tagsFromObject(member string, v []byte) (map[string]string, error) {
	if jsonKind(v) != 'o' {
		return nil, badRequest("member %q must be an object", member)
	}
	var buf [16]jfield
	fields, err := objectFields(v, buf[:0])
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	for _, f := range fields {
		if jsonKind(f.val) != 's' {
			return nil, badRequest("tag %q: value must be a string", f.key)
		}
		if !utf8.Valid(f.key) {
			return nil, badRequest("tag key is not valid UTF-8")
		}
		val, err := jsonString(f.val)
		if err != nil {
			return nil, err
		}
		if tags, err = addTag(tags, string(f.key), val); err != nil {
			return nil, err
		}
	}
	return tags, nil
}

// tagsFromList reads the tags of member, whose raw value v must be a JSON
// array of objects with a string Key and Value.
func tagsFromList(member string, v []byte) (map[string]string, error) {
	it, err := newArrayIter(v)
	if err != nil {
		return nil, badRequest("member %q must be an array", member)
	}
	var tags map[string]string
	for e, ok := it.next(); ok; e, ok = it.next() {
		if jsonKind(e) != 'o' {
			return nil, badRequest("member %q: element must be an object", member)
		}
		o, err := parseObject(e, nil)
		if err != nil {
			return nil, err
		}
		k, okK, err := o.getString("Key")
		if err != nil {
			return nil, err
		}
		val, okV, err := o.getString("Value")
		if err != nil {
			return nil, err
		}
		if !okK || !okV {
			return nil, badRequest("member %q: element needs Key and Value", member)
		}
		if tags, err = addTag(tags, k, val); err != nil {
			return nil, err
		}
	}
	return tags, nil
}

// addTag adds tag k=v to tags (made on first use); a key may appear once.
func addTag(tags map[string]string, k, v string) (map[string]string, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	if _, dup := tags[k]; dup {
		return nil, badRequest("tag key %q appears twice", k)
	}
	tags[k] = v
	return tags, nil
}

// removedTagKeys appends to keys the tag keys an untag operation removes,
// from its body member (SMS and Voice v2) or query parameter (Pinpoint).
func (m *mapper) removedTagKeys(keys []string) ([]string, error) {
	op := m.op
	switch {
	case op.tagKeysMember != "":
		v, err := m.body.get(op.tagKeysMember)
		if err != nil || v == nil {
			return keys, err
		}
		it, err := newArrayIter(v)
		if err != nil {
			return nil, badRequest("member %q must be an array", op.tagKeysMember)
		}
		for e, ok := it.next(); ok; e, ok = it.next() {
			s, err := jsonString(e)
			if err != nil {
				return nil, badRequest("member %q: %v", op.tagKeysMember, err)
			}
			keys = append(keys, s)
		}
	case op.tagKeysQuery != "":
		vals, err := queryValues(m.req.RawQuery, op.tagKeysQuery)
		if err != nil {
			return nil, err
		}
		keys = append(keys, vals...)
	}
	return keys, nil
}

// checkKeyCase rejects tag keys that differ only in case: which of them a
// policy's aws:RequestTag or aws:TagKeys condition would see, and what AWS
// stores, cannot be known (STS rejects such tag sets too). keys is sorted;
// exact duplicates (possible only in the keys an untag removes) are left alone.
func checkKeyCase(keys []string) error {
	if len(keys) < 2 {
		return nil
	}
	seen := make(map[string]string, len(keys))
	for _, k := range keys {
		l := strings.ToLower(k)
		if prev, ok := seen[l]; ok && prev != k {
			return badRequest("tag keys %q and %q differ only in case", prev, k)
		}
		seen[l] = k
	}
	return nil
}

// queryValues returns the values of key in the raw query, strictly decoded.
func queryValues(raw, key string) ([]string, error) {
	var out []string
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, badRequest("malformed query parameter name")
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, badRequest("malformed query parameter %q", dk)
		}
		if dk == key {
			if !utf8.ValidString(dv) {
				return nil, badRequest("query parameter %q is not valid UTF-8", dk)
			}
			out = append(out, dv)
		}
	}
	return out, nil
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
				return append(arns, rs.tmpl.buildRaw(m.partition, m.req.Region, m.req.Account, in)), nil
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
			arns = append(arns, s)
			continue
		}
		if err := checkID(s); err != nil {
			return nil, badRequest("member %s: %v", rs.member, err)
		}
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
	return append(arns, s), nil
}

// Origination identity forms (see the package documentation).
func (m *mapper) fromOrigination(arns []string, rs *resSpec) ([]string, error) {
	// Fast path: a pool-, phone- or rcs- ID without escapes is copied once,
	// into the ARN.
	raw, err := m.body.get(rs.member)
	if err != nil {
		return nil, err
	}
	if raw != nil && jsonKind(raw) == 's' {
		in := raw[1 : len(raw)-1]
		if t := idPrefixTemplate(in); t != nil && bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			if err := checkID(in); err != nil {
				return nil, badRequest("member %s: %v", rs.member, err)
			}
			return append(arns, t.buildRaw(m.partition, m.req.Region, m.req.Account, in)), nil
		}
	}
	s, ok, err := m.body.getString(rs.member)
	if err != nil {
		return nil, err
	}
	if !ok {
		if rs.required {
			return nil, badRequest("member %s is required", rs.member)
		}
		return arns, nil
	}
	form, err := originationForm(s)
	if err != nil {
		return nil, badRequest("member %s: %v", rs.member, err)
	}
	svc := SigningName(m.op.api)
	switch form {
	case "arn":
		if err := m.typedARN(s, originationTypeList, rs.member); err != nil {
			return nil, err
		}
		return append(arns, s), nil
	case "Pool", "PhoneNumber", "RcsAgent":
		return append(arns, idPrefixTemplate([]byte(s)).build(m.partition, m.req.Region, m.req.Account, []string{s})), nil
	case "phone-number":
		m.res.Unresolved = append(m.res.Unresolved, Unresolved{Resource: len(arns), Kind: "phone-number", Value: s})
		return append(arns, m.regionalARN(svc, "phone-number/", s)), nil
	}
	// A bare sender ID: with an IsoCountryCode in the request it is complete.
	if iso, ok, err := m.body.getString("IsoCountryCode"); err != nil {
		return nil, err
	} else if ok && m.hasMember("IsoCountryCode") {
		if !isISOCountry(iso) {
			return nil, badRequest("IsoCountryCode %q is not two capital letters", iso)
		}
		return append(arns, m.regionalARN(svc, "sender-id/", s+"/"+iso)), nil
	}
	m.res.Unresolved = append(m.res.Unresolved, Unresolved{Resource: len(arns), Kind: "sender-id", Value: s})
	return append(arns, m.regionalARN(svc, "sender-id/", s)), nil
}

var originationTypeList = []string{"PhoneNumber", "Pool", "SenderId", "RcsAgent"}

// Templates of the origination identity types typed by an ID prefix; set by
// compileTables.
var poolTemplate, phoneTemplate, rcsTemplate *arnTemplate

// idPrefixTemplate returns the template of the resource type that an ID with
// this prefix names (pool-, phone-, rcs-), or nil.
func idPrefixTemplate(id []byte) *arnTemplate {
	switch {
	case bytes.HasPrefix(id, []byte("pool-")):
		return poolTemplate
	case bytes.HasPrefix(id, []byte("phone-")):
		return phoneTemplate
	case bytes.HasPrefix(id, []byte("rcs-")):
		return rcsTemplate
	}
	return nil
}

func (m *mapper) hasMember(name string) bool {
	for _, mem := range m.op.members {
		if mem.name == name {
			return true
		}
	}
	return false
}

func isISOCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// originationForm types an origination identity by its form: "arn" for a
// full ARN; "Pool", "PhoneNumber", "RcsAgent" for the IDs with the prefixes
// pool-, phone-, rcs-; "phone-number" for a phone number (E.164, with or
// without '+'); "sender-id" for a bare sender ID (1 to 11 letters, digits,
// '_' or '-').
func originationForm(s string) (string, error) {
	switch {
	case strings.HasPrefix(s, "arn:"):
		return "arn", nil
	case strings.HasPrefix(s, "pool-"):
		return "Pool", checkID(s)
	case strings.HasPrefix(s, "phone-"):
		return "PhoneNumber", checkID(s)
	case strings.HasPrefix(s, "rcs-"):
		return "RcsAgent", checkID(s)
	}
	digits := strings.TrimPrefix(s, "+")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		if len(digits) < 2 || len(digits) > 19 || digits[0] == '0' {
			if s[0] == '+' {
				return "", badRequest("phone number %q is not E.164", s)
			}
		} else {
			return "phone-number", nil
		}
	}
	if len(s) > 11 {
		return "", badRequest("origination identity %q is no ID, ARN, phone number or sender ID", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "", badRequest("origination identity %q is no ID, ARN, phone number or sender ID", s)
		}
	}
	return "sender-id", nil
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
			m.addAuthorization(d.action, []string{resource})
		case depMember:
			rs := resSpec{src: srcMembers, types: []string{d.typ}, vars: d.vars, tmpl: d.tmpl}
			got, err := m.fromMembers(nil, &rs, &m.body)
			if err != nil {
				return err
			}
			if len(got) > 0 {
				m.addAuthorization(d.action, got)
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
			primary := m.res.Authorizations[0].Resources
			m.addAuthorization(d.action, append([]string(nil), primary...))
			n := len(m.res.Authorizations) - 1
			for _, u := range m.res.Unresolved {
				if u.Authorization == 0 {
					u.Authorization = n
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

// addAuthorization appends the authorization of action on resources.
func (m *mapper) addAuthorization(action string, resources []string) {
	m.res.Authorizations = append(m.res.Authorizations, Authorization{Action: action, Resources: resources})
}
