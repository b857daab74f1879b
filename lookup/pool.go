package lookup

import (
	"time"

	"github.com/caddyserver/caddy/v2"
)

// lookupCaches holds the lookup caches (resource tags of resource_tags
// lookup, and the resolver's, which every config with origination_lookup
// on has) across config reloads: a reload with the same upstream and cache settings keeps
// the warm caches, and the expiring LRU's sweeper goroutine (which the
// library never stops) is started once per distinct setting, not once per
// reload. The last user's Close (the gateway's Cleanup) empties the caches.
var lookupCaches = caddy.NewUsagePool()

// sharedCaches are the caches of one upstream and cache setting.
type sharedCaches struct {
	tags     *Cache[map[string]string]
	phones   *Cache[map[string]string]
	senders  *Cache[[]string]
	verified *Cache[string]
	// sync links them to the instances' invalidation channel (invalidate.go).
	sync *Sync
}

// Destruct empties the caches when no config uses them any more.
func (s *sharedCaches) Destruct() error {
	s.tags.purge()
	s.phones.purge()
	s.senders.purge()
	s.verified.purge()
	return nil
}

// acquireCaches returns the shared caches for key, creating them on first
// use; release with lookupCaches.Delete(key).
func acquireCaches(key string, ttl time.Duration, size int, timeout time.Duration, now func() time.Time) (*sharedCaches, error) {
	v, _, err := lookupCaches.LoadOrNew(key, func() (caddy.Destructor, error) {
		tags := newCache[map[string]string](size, ttl, timeout, now, cacheObserver{})
		// ListTags answers a resource the upstream does not know with nil.
		tags.ttlOf = func(t map[string]string) time.Duration {
			if t == nil {
				return NotFoundTTL
			}
			return ttl
		}
		// DescribeSenderIds answers a sender ID the account does not have
		// with no ARN: kept briefly, as a tag "not found" is, since that
		// answer lets the ID reading of a value such as pool-x decide
		// alone (Resolver.Resolve).
		senders := newCache[[]string](size, ttl, timeout, now, cacheObserver{})
		senders.ttlOf = func(arns []string) time.Duration {
			if len(arns) == 0 {
				return NotFoundTTL
			}
			return ttl
		}
		caches := &sharedCaches{
			tags:     tags,
			phones:   newCache[map[string]string](64, ttl, timeout, now, cacheObserver{}),
			senders:  senders,
			verified: newCache[string](size, ttl, timeout, now, cacheObserver{}),
		}
		caches.sync = newSync(caches)
		return caches, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*sharedCaches), nil
}
