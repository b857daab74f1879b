// Package sharedstate holds the state that the instances of a gateway share
// through Redis (or Valkey, which speaks the same protocol): for now the
// counters of the quotas (package quota) and the invalidations of the lookup
// caches (package lookup), sent over a pub/sub channel (invalidate.go).
//
// Redis runs the quota arithmetic itself, in one server-side script per
// decision (take.lua), so a decision is atomic across instances. Time comes
// from the gateway's clock (Options.Now), passed to the script, so every
// instance and the in-memory store count on the same clock. One Redis node:
// the keys of a decision must live on one server (no cluster).
package sharedstate

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/pinpointgw/gateway/quota"
)

// DefaultTimeout bounds dialing, each read and write, and a whole Take.
const DefaultTimeout = 250 * time.Millisecond

// Options configures Open.
type Options struct {
	// URL is the server's redis:// (or rediss://, TLS) URL, with an optional
	// user, password and database number.
	URL string
	// Timeout bounds dialing, each read and write, and a whole Take.
	// Default: 250ms (DefaultTimeout).
	Timeout time.Duration
	// Now is the gateway's clock. Default: time.Now.
	Now func() time.Time
}

// Redis is a client of the shared state's Redis server, safe for concurrent
// use. It is a quota.Store.
type Redis struct {
	client  *redis.Client
	timeout time.Duration
	now     func() time.Time
}

//go:embed take.lua
var takeSource string

// takeScript is the quota decision; go-redis runs it with EVALSHA and, when
// the server does not have it (a restart), EVAL.
var takeScript = redis.NewScript(takeSource)

// ErrURL is returned by Open for a URL it cannot use. The URL itself is not
// repeated in errors: it may hold a password.
var ErrURL = errors.New("sharedstate: invalid Redis URL (want redis://[user:password@]host[:port][/db] or rediss://...)")

// Open returns a client of the server at opts.URL. It does not connect: the
// server need not be up, and a client reconnects by itself after the server
// comes back.
func Open(opts Options) (*Redis, error) {
	client, timeout, err := newClient(opts.URL, opts.Timeout)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Redis{client: client, timeout: timeout, now: now}, nil
}

// newClient returns a client of the server at rawURL whose dialing, reads
// and writes are bounded by timeout (DefaultTimeout when not positive),
// and that timeout. It does not connect.
func newClient(rawURL string, timeout time.Duration) (*redis.Client, time.Duration, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, 0, ErrURL
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, 0, ErrURL
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	o.DialTimeout = timeout
	o.ReadTimeout = timeout
	o.WriteTimeout = timeout
	o.PoolTimeout = timeout
	o.ContextTimeoutEnabled = true
	// No retries: a decision that may have run is not run again (it would
	// count twice), and the caller denies on the error anyway.
	o.MaxRetries = -1
	o.DialerRetries = 1
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(o), timeout, nil
}

// Take decides on charges as package quota describes, in one script run on
// the server: all are admitted and counted, or none is. It returns an error
// for invalid charges (quota.CheckCharges) and when the server does not
// answer within the timeout; the caller then denies (fail closed).
func (r *Redis) Take(ctx context.Context, charges []quota.Charge) (quota.Outcome, error) {
	if err := quota.CheckCharges(charges); err != nil {
		return quota.Outcome{}, err
	}
	if len(charges) == 0 {
		return quota.Outcome{Admitted: true}, nil
	}
	keys := make([]string, len(charges))
	args := make([]any, 1+3*len(charges))
	args[0] = r.now().UnixMilli()
	for i := range charges {
		c := &charges[i]
		keys[i] = c.Key
		args[1+3*i] = c.Count
		args[2+3*i] = c.Limit
		args[3+3*i] = c.Window.Milliseconds()
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	res, err := takeScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return quota.Outcome{}, fmt.Errorf("sharedstate: quota decision: %w", err)
	}
	switch {
	case len(res) == 1 && res[0] == 1:
		return quota.Outcome{Admitted: true}, nil
	case len(res) == 3 && res[0] == 0 && res[1] >= 1 && res[1] <= int64(len(charges)) && res[2] > 0:
		return quota.Outcome{Refused: charges[res[1]-1].Quota, RetryAfter: time.Duration(res[2]) * time.Millisecond}, nil
	}
	return quota.Outcome{}, fmt.Errorf("sharedstate: quota decision: unexpected answer %v", res)
}

// Close closes the client's connections.
func (r *Redis) Close() error { return r.client.Close() }

var _ quota.Store = (*Redis)(nil)
