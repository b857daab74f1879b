package lookup

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"
)

// Cache caches the answers of an upstream lookup by key: an expiring
// LRU (at most size keys, each for ttl), concurrent misses of one key share
// one lookup (singleflight), and each lookup is bounded by timeout. Failed
// lookups are not cached. Expiry is judged by the injected clock now; the
// LRU's own TTL (wall clock) only bounds how long expired entries occupy
// memory.
//
// Invalidate drops a key at once. A lookup that was already running when a
// key was invalidated still answers its waiting callers (their requests
// began before the change), but its answer is not cached, and callers that
// come after the invalidation start a fresh lookup.
type Cache[V any] struct {
	lru     *expirable.LRU[string, cacheEntry[V]]
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time
	group   singleflight.Group
	// ttlOf, when set, may shorten the TTL of one answer (a "not found"
	// is kept briefly); it is set once, before the cache is used.
	ttlOf func(V) time.Duration

	// epoch counts invalidations, so that a lookup that began before one
	// does not cache its (possibly stale) answer. It is one counter for all
	// keys: invalidations (retags) are rare, and it needs no memory per key.
	mu    sync.Mutex
	epoch uint64

	hits, misses, lookups, failures atomic.Uint64
	// observer is replaceable: a cache shared across config reloads
	// reports to the metrics of the latest config.
	observer atomic.Pointer[cacheObserver]
}

// cacheObserver is told about cache events (metrics); nil fields are skipped.
type cacheObserver struct {
	hit, miss, lookup func()
	failure           func(reason string)
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

// errLookupTimeout is the error of a lookup that did not finish in time.
var errLookupTimeout = errors.New("lookup timed out")

// newCache returns a cache of size keys kept for ttl, whose lookups
// time out after timeout. now is the clock (time.Now if nil).
func newCache[V any](size int, ttl, timeout time.Duration, now func() time.Time, obs cacheObserver) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	c := &Cache[V]{
		// The LRU's wall-clock TTL is a little longer than ours, so that
		// our clock decides, and expired entries still leave memory.
		lru:     expirable.NewLRU[string, cacheEntry[V]](size, nil, ttl+time.Second),
		ttl:     ttl,
		timeout: timeout,
		now:     now,
	}
	c.setObserver(obs)
	return c
}

// setObserver makes obs the receiver of the cache's events.
func (c *Cache[V]) setObserver(obs cacheObserver) { c.observer.Store(&obs) }

func (c *Cache[V]) observe() *cacheObserver { return c.observer.Load() }

// peek returns the cached value of key if it is fresh, without a lookup.
func (c *Cache[V]) peek(key string) (V, bool) {
	if e, ok := c.lru.Get(key); ok {
		if c.now().Before(e.expires) {
			c.hits.Add(1)
			if o := c.observe(); o.hit != nil {
				o.hit()
			}
			return e.v, true
		}
		c.lru.Remove(key)
	}
	var zero V
	return zero, false
}

// get returns the cached value of key, or looks it up with fetch (one
// lookup for all concurrent callers of key), caching a successful answer.
// fetch gets a context of its own that ends after the cache's timeout;
// each caller stops waiting when its own ctx ends.
func (c *Cache[V]) get(ctx context.Context, key string, fetch func(context.Context) (V, error)) (V, error) {
	if v, ok := c.peek(key); ok {
		return v, nil
	}
	c.misses.Add(1)
	if o := c.observe(); o.miss != nil {
		o.miss()
	}
	ch := c.group.DoChan(key, func() (any, error) {
		// A caller that missed just as another lookup of key finished
		// finds its answer here instead of asking again.
		if e, ok := c.lru.Peek(key); ok && c.now().Before(e.expires) {
			return e.v, nil
		}
		c.mu.Lock()
		epoch := c.epoch
		c.mu.Unlock()
		c.lookups.Add(1)
		if o := c.observe(); o.lookup != nil {
			o.lookup()
		}
		// A fresh context: the lookup serves every waiting caller, so no
		// caller's cancellation ends it, and it carries none of a request's
		// values (under Caddy the request's variables, which the forwarding
		// code of that request may be writing meanwhile).
		lctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		v, err := fetch(lctx)
		if err != nil {
			if lctx.Err() == context.DeadlineExceeded {
				err = fmt.Errorf("%w after %s: %w", errLookupTimeout, c.timeout, err)
			}
			c.fail(err)
			return v, err
		}
		ttl := c.ttl
		if c.ttlOf != nil {
			ttl = min(ttl, c.ttlOf(v))
		}
		c.mu.Lock()
		if c.epoch == epoch {
			c.lru.Add(key, cacheEntry[V]{v: v, expires: c.now().Add(ttl)})
		}
		c.mu.Unlock()
		return v, nil
	})
	var zero V
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil
	case <-ctx.Done():
		return zero, fmt.Errorf("waiting for the lookup: %w", ctx.Err())
	}
}

func (c *Cache[V]) fail(err error) {
	c.failures.Add(1)
	if o := c.observe(); o.failure != nil {
		reason := "error"
		if errors.Is(err, errLookupTimeout) {
			reason = "timeout"
		}
		o.failure(reason)
	}
}

// set caches v for key now (e.g. tags the gateway just saw being set).
func (c *Cache[V]) set(key string, v V) {
	c.mu.Lock()
	c.epoch++
	c.lru.Add(key, cacheEntry[V]{v: v, expires: c.now().Add(c.ttl)})
	c.mu.Unlock()
	c.group.Forget(key)
}

// invalidate drops key: the next get looks it up afresh, and a lookup in
// flight does not cache its answer.
func (c *Cache[V]) invalidate(key string) {
	c.mu.Lock()
	c.epoch++
	c.lru.Remove(key)
	c.mu.Unlock()
	c.group.Forget(key)
}

// Len is the number of cached keys (fresh or not yet evicted).
func (c *Cache[V]) Len() int { return c.lru.Len() }

// Hits, Misses and Failures count the answers from the cache, the
// answers it did not have, and the lookups that failed.
func (c *Cache[V]) Hits() uint64     { return c.hits.Load() }
func (c *Cache[V]) Misses() uint64   { return c.misses.Load() }
func (c *Cache[V]) Failures() uint64 { return c.failures.Load() }

// purge drops every key, as invalidate does for one.
func (c *Cache[V]) purge() {
	c.mu.Lock()
	c.epoch++
	c.lru.Purge()
	c.mu.Unlock()
}
