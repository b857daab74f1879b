package authz

import (
	"sort"
	"strings"
)

// Context holds a request's condition keys. Key names are case-insensitive; values are strings
// that each operator parses for itself. A Context is not safe for concurrent mutation; it may
// be read by several evaluations at once.
//
// A Context can be reused for request after request with Reset: setting a key that a previous
// request set reuses its storage, so that in the steady state Set does not allocate.
type Context struct {
	m    map[string]*ctxEntry
	list []*ctxEntry // the entries of m, for Reset (iterating a map costs more)
}

type ctxEntry struct {
	lower   string // the key in m
	key     string // as last set
	one     [1]string
	vals    []string // one[:] for a single value
	multi   bool
	present bool // not deleted or reset since set
	used    bool // set since the last Reset
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{m: make(map[string]*ctxEntry)} }

// Set sets a single-valued key.
func (c *Context) Set(key, value string) {
	e := c.entry(key)
	e.one[0] = value
	e.vals, e.multi = e.one[:], false
}

// SetLower is Set for a key already in lower case: it skips the conversion (a caller that sets
// many keys per request, from lower-cased constants, spares the scan).
func (c *Context) SetLower(key, value string) {
	e := c.entryLower(key, key)
	e.one[0] = value
	e.vals, e.multi = e.one[:], false
}

// SetMulti sets a multi-valued key (aws:TagKeys and the like). The slice is copied.
func (c *Context) SetMulti(key string, values []string) {
	e := c.entry(key)
	if len(e.vals) > 0 && &e.vals[0] == &e.one[0] {
		e.vals = nil // the single-value storage holds one value only
	}
	e.vals, e.multi = append(e.vals[:0], values...), true
}

// entry returns key's entry, present, reusing the storage of an earlier setting.
func (c *Context) entry(key string) *ctxEntry {
	return c.entryLower(strings.ToLower(key), key)
}

// entryLower is entry for the lower-cased key lower, set as key.
func (c *Context) entryLower(lower, key string) *ctxEntry {
	if c.m == nil {
		c.m = make(map[string]*ctxEntry)
	}
	e := c.m[lower]
	if e == nil {
		e = &ctxEntry{lower: lower}
		c.m[lower] = e
		c.list = append(c.list, e)
	}
	e.key, e.present, e.used = key, true, true
	return e
}

// Reset removes every key, keeping the storage of the keys set since the previous Reset for
// the next use; keys not set since then are dropped, so that a Context reused for requests
// with ever new keys does not grow without bound. Values returned by Lookup before a Reset
// must not be used after the key is set again.
func (c *Context) Reset() {
	if c == nil {
		return
	}
	kept := c.list[:0]
	for _, e := range c.list {
		if !e.used {
			delete(c.m, e.lower)
			continue
		}
		e.present, e.used = false, false
		e.one[0] = "" // do not hold on to the request's strings
		clear(e.vals)
		kept = append(kept, e)
	}
	clear(c.list[len(kept):])
	c.list = kept
}

// Lookup returns a key's values, whether it is multi-valued, and whether it is present.
func (c *Context) Lookup(key string) (values []string, multi bool, ok bool) {
	return c.LookupLower(strings.ToLower(key))
}

// LookupLower is Lookup for an already lower-cased key; it never allocates.
func (c *Context) LookupLower(key string) (values []string, multi bool, ok bool) {
	if c == nil {
		return nil, false, false
	}
	e := c.m[key]
	if e == nil || !e.present {
		return nil, false, false
	}
	return e.vals, e.multi, true
}

// Delete removes a key. Its storage is kept for a later Set of the same key until the next
// Reset.
func (c *Context) Delete(key string) {
	if c == nil {
		return
	}
	if e := c.m[strings.ToLower(key)]; e != nil {
		e.present = false
	}
}

// DeleteLower is Delete for a key already in lower case.
func (c *Context) DeleteLower(key string) {
	if c == nil {
		return
	}
	if e := c.m[key]; e != nil {
		e.present = false
	}
}

// Clone returns a deep copy.
func (c *Context) Clone() *Context {
	n := NewContext()
	if c == nil {
		return n
	}
	for k, e := range c.m {
		if !e.present {
			continue
		}
		ne := &ctxEntry{lower: k, key: e.key, multi: e.multi, present: true, used: true}
		if e.multi {
			ne.vals = append([]string(nil), e.vals...)
		} else {
			ne.one = e.one
			ne.vals = ne.one[:]
		}
		n.m[k] = ne
		n.list = append(n.list, ne)
	}
	return n
}

// Keys returns the key names as they were set, sorted.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.m))
	for _, e := range c.m {
		if e.present {
			out = append(out, e.key)
		}
	}
	sort.Strings(out)
	return out
}
