package module

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/pinpointgw/gateway/lookup"
	"github.com/pinpointgw/gateway/sharedstate"
)

// invalidators are the process's subscriptions to shared invalidation
// channels, kept across config reloads: a reload with the same
// shared_state redis and upstream keeps its subscription, and with it the
// lookup caches and their trust in the channel.
var invalidators = caddy.NewUsagePool()

type invalidatorState struct{ *sharedstate.Invalidator }

func (s invalidatorState) Destruct() error { return s.Close() }

// provisionInvalidation links this config's lookup caches (resource tags,
// origination identities, verified numbers) to the invalidation channel
// that every instance with the same shared_state redis and upstream
// shares: what one instance drops after a retag, create or delete, all
// drop. While the channel is down the caches trust an answer for
// lookup.UnsyncedTTL at most. Without shared_state redis, or without
// caches (origination_lookup off and resource_tags not lookup), it does
// nothing.
func (g *Gateway) provisionInvalidation(ctx caddy.Context, repl *caddy.Replacer) error {
	s := g.SharedState
	if s == nil || s.Backend != SharedStateRedis {
		return nil
	}
	sync := g.lookupSync()
	if sync == nil {
		return nil
	}
	url := repl.ReplaceKnown(s.URL, "")
	channel := sharedstate.ChannelName(lookupPoolKey(g))
	// The pool key holds the resolved URL, which may hold a password:
	// hashed, like the channel.
	sum := sha256.Sum256([]byte(url + "\x00" + channel + "\x00" + time.Duration(s.Timeout).String()))
	key := "invalidation " + hex.EncodeToString(sum[:])
	logger := g.logger.Named("shared_state")
	v, _, err := invalidators.LoadOrNew(key, func() (caddy.Destructor, error) {
		inv, err := sharedstate.OpenInvalidator(sharedstate.InvalidatorOptions{
			URL: url, Timeout: time.Duration(s.Timeout), Channel: channel, Logger: logger,
		})
		if err != nil {
			return nil, err
		}
		return invalidatorState{inv}, nil
	})
	if err != nil {
		return fmt.Errorf("shared_state redis: %w", err) // never the URL: it may hold a password
	}
	inv := v.(invalidatorState).Invalidator
	link := sync.Attach(inv, inv.Publish)
	if err := inv.AddListener(link, ctx.GetMetricsRegistry(), logger); err != nil {
		link.Detach()
		_, _ = invalidators.Delete(key)
		return fmt.Errorf("shared_state redis: registering metrics: %w", err)
	}
	g.closeInvalidation = func() {
		inv.RemoveListener(link)
		link.Detach()
		_, _ = invalidators.Delete(key)
	}
	return nil
}

// lookupSync returns the link of this config's lookup caches to the other
// instances, nil when it has no caches.
func (g *Gateway) lookupSync() *lookup.Sync {
	if t, ok := g.tags.(*lookup.UpstreamTags); ok {
		return t.Sync()
	}
	if r, ok := g.resolver.(*lookup.Resolver); ok {
		return r.Sync()
	}
	return nil
}

// cleanupInvalidation unlinks the caches from the channel and releases
// this config's use of the subscription.
func (g *Gateway) cleanupInvalidation() {
	if g.closeInvalidation != nil {
		g.closeInvalidation()
		g.closeInvalidation = nil
	}
}

// changeNotifier tells the tag source about a forwarded call whose
// upstream may have acted (tagChangeObserver) before the client can see
// the answer: at the first final status written. So the invalidation,
// which shared_state redis publishes to the other instances, is made
// before the client can send its next request, to this instance or
// another.
type changeNotifier struct {
	http.ResponseWriter
	obs   tagChangeObserver // nil: the tag source does not cache
	rs    *requestState
	fired bool
}

// notifyChanges wraps w so that the tag source, when it caches, is told
// about the forwarded call of rs when its status is written. The wrapper
// lives in rs: no allocation per request.
func (g *Gateway) notifyChanges(w http.ResponseWriter, rs *requestState) *changeNotifier {
	obs, _ := g.tags.(tagChangeObserver)
	rs.notifier = changeNotifier{ResponseWriter: w, obs: obs, rs: rs}
	return &rs.notifier
}

// WriteHeader tells of the change, then writes the status; 1xx answers
// are interim and tell nothing.
func (c *changeNotifier) WriteHeader(code int) {
	if code >= 200 {
		c.fire(code)
	}
	c.ResponseWriter.WriteHeader(code)
}

// Write tells of the change (status 200 unless written before), then writes.
func (c *changeNotifier) Write(b []byte) (int, error) {
	c.fire(http.StatusOK)
	return c.ResponseWriter.Write(b)
}

// fire tells of the change once.
func (c *changeNotifier) fire(status int) {
	if c.fired {
		return
	}
	c.fired = true
	if c.obs != nil && upstreamMayHaveActed(status) {
		rs := c.rs
		c.obs.Changed(rs.api, rs.op, rs.permissions, status >= 200 && status < 300)
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *changeNotifier) Unwrap() http.ResponseWriter { return c.ResponseWriter }
