package lookup

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pinpointgw/gateway/sharedstate"
)

// UnsyncedTTL is how long an answer is cached while the caches are linked
// to a shared invalidation channel that is down (not yet subscribed,
// connection lost, resubscription pending): another instance's change
// cannot reach this one then, so an answer is trusted for this long at most,
// and the answers cached before the loss are dropped (Link.SetUp).
const UnsyncedTTL = 2 * time.Second

// Invalidation is a change to the lookup caches that every instance of a
// deployment applies: what one instance drops after a call that may have
// created, retagged or deleted resources (UpstreamTags.Changed,
// Resolver.Changed) is sent to the others. Its one definition is
// sharedstate's, which carries it between instances (sharedstate imports
// no Caddy, so the type lives there and not here). Applying one only ever
// drops cached answers, never adds any: a forged or repeated invalidation
// costs lookups, not decisions.
type Invalidation = sharedstate.Invalidation

// Sync is the link between one set of lookup caches (those of one PoolKey
// and cache settings, shared across config reloads) and the invalidation
// channel the instances share. Without a link (no shared state) the caches
// behave as in a single instance. The gateway attaches the channel of
// shared_state redis (module/invalidation.go); at most one link is current,
// the last attached.
type Sync struct {
	caches *sharedCaches

	mu   sync.Mutex
	link *Link // nil: no shared channel
	// unsynced is set while the current link's channel is down: answers
	// are then cached for UnsyncedTTL at most.
	unsynced atomic.Bool
}

// Link is one attachment of a Sync to a shared channel: the channel tells
// it what other instances invalidated (Received) and whether it is
// subscribed (SetUp); the caches' own invalidations go out through publish.
type Link struct {
	sync    *Sync
	channel any
	publish func(Invalidation)
}

// newSync makes the sync of a new set of caches and caps the TTL of their
// answers while a linked channel is down. It runs before the caches are
// used (their TTL hooks are set once).
func newSync(c *sharedCaches) *Sync {
	s := &Sync{caches: c}
	capTTL(s, c.tags)
	capTTL(s, c.phones)
	capTTL(s, c.senders)
	capTTL(s, c.verified)
	return s
}

// capTTL wraps the cache's TTL hook: the TTL it gave (the cache's TTL
// without one), at most UnsyncedTTL while s is unsynced.
func capTTL[V any](s *Sync, c *Cache[V]) {
	base, ttl := c.ttlOf, c.ttl
	c.ttlOf = func(v V) time.Duration {
		d := ttl
		if base != nil {
			d = base(v)
		}
		if s.unsynced.Load() {
			d = min(d, UnsyncedTTL)
		}
		return d
	}
}

// Sync returns the link of the tag source's caches (shared with its
// resolver) to the instances' invalidation channel.
func (s *UpstreamTags) Sync() *Sync {
	if s.resolver == nil {
		return nil
	}
	return s.resolver.sync
}

// Sync returns the link of the resolver's caches to the instances'
// invalidation channel.
func (r *Resolver) Sync() *Sync { return r.sync }

// Attach links the caches to a shared channel, replacing the current link:
// publish sends the caches' own invalidations to the other instances (it
// must return within a bounded time); channel identifies the channel (a
// comparable value). When the current link is of another channel, or
// there is none, the caches are emptied, since nothing told them of the
// changes before, and count as unsynced until the new link's SetUp(true).
// A link of the same channel (a config reload) takes over its state and
// the caches. Detach the link when the channel is given up.
func (s *Sync) Attach(channel any, publish func(Invalidation)) *Link {
	l := &Link{sync: s, channel: channel, publish: publish}
	s.mu.Lock()
	same := s.link != nil && s.link.channel == channel
	s.link = l
	if !same {
		s.unsynced.Store(true)
	}
	s.mu.Unlock()
	if !same {
		s.caches.purgeAll()
	}
	return l
}

// Detach unlinks l. When l is the current link, the caches behave as a
// single instance's again (full TTL, nothing published); they are emptied,
// since l's channel stops telling them of other instances' changes.
func (l *Link) Detach() {
	s := l.sync
	s.mu.Lock()
	current := s.link == l
	if current {
		s.link = nil
		s.unsynced.Store(false)
	}
	s.mu.Unlock()
	if current {
		s.caches.purgeAll()
	}
}

// SetUp tells the caches that the channel of l is subscribed (up) or not
// (down). A change either way empties them: answers cached before a loss
// may miss the invalidations sent during it, and those cached during it
// were cached without the channel. While it is down, answers are cached
// for UnsyncedTTL at most. A link that is no longer current changes
// nothing, nor does the state the caches are in already.
func (l *Link) SetUp(up bool) {
	s := l.sync
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link != l || up != s.unsynced.Load() {
		return
	}
	if up {
		// Purge first: a lookup that finishes between the two steps is
		// cached with the short TTL, never with the full one unseen.
		s.caches.purgeAll()
		s.unsynced.Store(false)
		return
	}
	s.unsynced.Store(true)
	s.caches.purgeAll()
}

// Received applies an invalidation another instance sent. It drops
// entries only, so it is applied whatever the link's state, and applying
// it twice changes nothing more.
func (l *Link) Received(inv Invalidation) { l.sync.caches.apply(inv) }

// Unsynced reports whether the caches are linked to a channel that is down.
func (s *Sync) Unsynced() bool { return s.unsynced.Load() }

// publish sends inv to the other instances, when a channel is linked.
func (s *Sync) publish(inv Invalidation) {
	if s == nil || inv.Empty() {
		return
	}
	s.mu.Lock()
	l := s.link
	s.mu.Unlock()
	if l != nil && l.publish != nil {
		l.publish(inv)
	}
}

// apply drops what inv names.
func (c *sharedCaches) apply(inv Invalidation) {
	if inv.AllTags {
		c.tags.purge()
	} else {
		for _, arn := range inv.Tags {
			c.tags.invalidate(arn)
		}
	}
	if inv.PhoneNumbers {
		c.phones.purge()
	}
	if inv.SenderIDs {
		c.senders.purge()
	}
	if inv.VerifiedNumbers {
		c.verified.purge()
	}
}

// purgeAll empties every cache of the set.
func (c *sharedCaches) purgeAll() {
	c.apply(Invalidation{AllTags: true, PhoneNumbers: true, SenderIDs: true, VerifiedNumbers: true})
}
