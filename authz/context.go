package authz

import (
	"hash/maphash"
	"sort"
	"strings"
)

// Context holds a request's condition keys. Key names are case-insensitive; values are strings
// that each operator parses for itself. A Context is not safe for concurrent mutation; it may
// be read by several evaluations at once.
//
// A key deleted and set again (the per-resource keys of a request with several resources)
// reuses its storage, so that doing so does not allocate. A Context must not be copied once
// used (its index points into itself): pass a *Context, or Clone it.
type Context struct {
	// index finds an entry by its lower-cased key: open addressing with linear probing, a
	// power-of-two length, at most half full. A Context is built anew for each request, so
	// building it must be cheap: the first entries and index slots live in the Context itself
	// (one allocation for a typical request), where a map would allocate and rehash as it grows.
	index   []*ctxEntry
	n       int        // entries in index
	spare   []ctxEntry // storage for new entries
	entries [ctxEntries]ctxEntry
	slots   [ctxSlots]*ctxEntry
}

// ctxEntries is how many entries a Context holds before it allocates more, enough for the
// global keys of a request with a few principal and request tags; ctxSlots is the length of
// its first index, a power of two at least twice that.
const (
	ctxEntries = 16
	ctxSlots   = 32
)

type ctxEntry struct {
	lower   string // the key, lower-cased
	key     string // as last set
	one     [1]string
	vals    []string // one[:] for a single value
	multi   bool
	present bool // not deleted since set
}

// ctxSeed seeds the hash of the index, so that key names chosen by a client (request tags)
// cannot be chosen to collide.
var ctxSeed = maphash.MakeSeed()

// NewContext returns an empty context. The zero Context is empty too.
func NewContext() *Context { return new(Context) }

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
	if 2*(c.n+1) > len(c.index) {
		c.grow()
	}
	i := c.slot(lower)
	e := c.index[i]
	if e == nil {
		if len(c.spare) == 0 {
			c.spare = make([]ctxEntry, ctxEntries)
		}
		e, c.spare = &c.spare[0], c.spare[1:]
		e.lower = lower
		c.index[i] = e
		c.n++
	}
	e.key, e.present = key, true
	return e
}

// slot returns the index slot of lower: its entry's, or the empty slot where it belongs.
func (c *Context) slot(lower string) int {
	mask := len(c.index) - 1
	i := int(maphash.String(ctxSeed, lower)) & mask
	for c.index[i] != nil && c.index[i].lower != lower {
		i = (i + 1) & mask
	}
	return i
}

// grow makes room for one more entry: the first use takes the storage inside c; later, the
// index doubles.
func (c *Context) grow() {
	if c.index == nil {
		c.index, c.spare = c.slots[:], c.entries[:]
		return
	}
	old := c.index
	c.index = make([]*ctxEntry, 2*len(old))
	for _, e := range old {
		if e != nil {
			c.index[c.slot(e.lower)] = e
		}
	}
}

// lookup returns lower's entry, nil if it was never set.
func (c *Context) lookup(lower string) *ctxEntry {
	if c == nil || c.n == 0 {
		return nil
	}
	return c.index[c.slot(lower)]
}

// Lookup returns a key's values, whether it is multi-valued, and whether it is present.
func (c *Context) Lookup(key string) (values []string, multi bool, ok bool) {
	return c.LookupLower(strings.ToLower(key))
}

// LookupLower is Lookup for an already lower-cased key; it never allocates.
func (c *Context) LookupLower(key string) (values []string, multi bool, ok bool) {
	e := c.lookup(key)
	if e == nil || !e.present {
		return nil, false, false
	}
	return e.vals, e.multi, true
}

// Delete removes a key. Its storage is kept for a later Set of the same key.
func (c *Context) Delete(key string) {
	c.DeleteLower(strings.ToLower(key))
}

// DeleteLower is Delete for a key already in lower case.
func (c *Context) DeleteLower(key string) {
	if e := c.lookup(key); e != nil {
		e.present = false
	}
}

// Clone returns a deep copy.
func (c *Context) Clone() *Context {
	n := NewContext()
	if c == nil {
		return n
	}
	for _, e := range c.index {
		if e == nil || !e.present {
			continue
		}
		if e.multi {
			n.SetMulti(e.key, e.vals)
		} else {
			n.Set(e.key, e.one[0])
		}
	}
	return n
}

// Keys returns the key names as they were set, sorted.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, c.n)
	for _, e := range c.index {
		if e != nil && e.present {
			out = append(out, e.key)
		}
	}
	sort.Strings(out)
	return out
}
