package module

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// lookupCaches holds the lookup caches of resource_tags lookup across
// config reloads: a reload with the same upstream and cache settings keeps
// the warm caches, and the expiring LRU's sweeper goroutine (which the
// library never stops) is started once per distinct setting, not once per
// reload. The last user's Cleanup empties the caches.
var lookupCaches = caddy.NewUsagePool()

// sharedCaches are the caches of one upstream and cache setting.
type sharedCaches struct {
	tags    *lookupCache[map[string]string]
	phones  *lookupCache[map[string]string]
	senders *lookupCache[[]string]
}

// Destruct empties the caches when no config uses them any more.
func (s *sharedCaches) Destruct() error {
	s.tags.purge()
	s.phones.purge()
	s.senders.purge()
	return nil
}

// lookupPoolKey names what the cached answers depend on: the account, the
// upstream endpoints and credentials (as configured, placeholders
// unresolved: no secret is resolved into the key), and the cache settings.
func (g *Gateway) lookupPoolKey(ttl time.Duration, size int, timeout time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "account=%s region=%s ttl=%s size=%d timeout=%s", g.Account, g.Region, ttl, size, timeout)
	apis := make([]string, 0, len(g.Endpoint))
	for api := range g.Endpoint {
		apis = append(apis, api)
	}
	sort.Strings(apis)
	for _, api := range apis {
		fmt.Fprintf(&b, " endpoint.%s=%s", api, g.Endpoint[api])
	}
	if uc := g.UpstreamCredentials; uc != nil {
		fmt.Fprintf(&b, " credentials=%s/%s/%s", uc.Source, uc.AccessKeyID, uc.Profile)
	}
	return b.String()
}

// acquireCaches returns the shared caches for key, creating them on first
// use; release with lookupCaches.Delete(key).
func (g *Gateway) acquireCaches(key string, ttl time.Duration, size int, timeout time.Duration) (*sharedCaches, error) {
	v, _, err := lookupCaches.LoadOrNew(key, func() (caddy.Destructor, error) {
		tags := newLookupCache[map[string]string](size, ttl, timeout, g.now, cacheObserver{})
		// listTags answers a resource the upstream does not know with nil.
		tags.ttlOf = func(t map[string]string) time.Duration {
			if t == nil {
				return notFoundTTL
			}
			return ttl
		}
		return &sharedCaches{
			tags:    tags,
			phones:  newLookupCache[map[string]string](64, ttl, timeout, g.now, cacheObserver{}),
			senders: newLookupCache[[]string](size, ttl, timeout, g.now, cacheObserver{}),
		}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*sharedCaches), nil
}
