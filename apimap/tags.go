package apimap

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

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
