package quota

import (
	"hash/maphash"
	"sync/atomic"
)

// keyCacheSlots is the size of a keyCache: a power of two.
const keyCacheSlots = 1024

// keyCache remembers the storage keys of recent values of a quota whose Per
// key is request-wide (a principal, a tenant): those values repeat from
// request to request, and the cache spares their hashing and the key's
// allocation. Direct-mapped, lock-free, at most keyCacheSlots entries; a
// collision replaces the entry. Values of per-destination keys (numbers)
// repeat less and are not cached.
type keyCache struct {
	seed  maphash.Seed
	slots [keyCacheSlots]atomic.Pointer[keyEntry]
}

type keyEntry struct {
	value, key string
}

func newKeyCache() *keyCache { return &keyCache{seed: maphash.MakeSeed()} }

// get returns the key of v, computing it with key on a miss.
func (c *keyCache) get(v string, key func(string) string) string {
	slot := &c.slots[maphash.String(c.seed, v)&(keyCacheSlots-1)]
	if e := slot.Load(); e != nil && e.value == v {
		return e.key
	}
	k := key(v)
	slot.Store(&keyEntry{value: v, key: k})
	return k
}
