package authz

import (
	"sort"
	"strings"
)

// Context holds a request's condition keys. Key names are case-insensitive; values are strings
// that each operator parses for itself. A Context is not safe for concurrent mutation; it may
// be read by several evaluations at once.
type Context struct {
	m map[string]ctxEntry
}

type ctxEntry struct {
	key   string // as first set
	vals  []string
	multi bool
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{m: make(map[string]ctxEntry)} }

// Set sets a single-valued key.
func (c *Context) Set(key, value string) {
	c.set(key, []string{value}, false)
}

// SetMulti sets a multi-valued key (aws:TagKeys and the like). The slice is copied.
func (c *Context) SetMulti(key string, values []string) {
	c.set(key, append([]string(nil), values...), true)
}

func (c *Context) set(key string, vals []string, multi bool) {
	if c.m == nil {
		c.m = make(map[string]ctxEntry)
	}
	c.m[strings.ToLower(key)] = ctxEntry{key: key, vals: vals, multi: multi}
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
	e, ok := c.m[key]
	return e.vals, e.multi, ok
}

// Delete removes a key.
func (c *Context) Delete(key string) {
	if c != nil {
		delete(c.m, strings.ToLower(key))
	}
}

// Clone returns a deep copy.
func (c *Context) Clone() *Context {
	n := NewContext()
	if c == nil {
		return n
	}
	for k, e := range c.m {
		n.m[k] = ctxEntry{key: e.key, vals: append([]string(nil), e.vals...), multi: e.multi}
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
		out = append(out, e.key)
	}
	sort.Strings(out)
	return out
}
