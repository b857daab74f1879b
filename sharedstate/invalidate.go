package sharedstate

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/metrics"
)

// Bounds of the invalidation messages. A message over them is dropped by
// its receivers (and counted); a sender splits larger invalidations.
const (
	// MaxMessageARNs is the most ARNs one message names.
	MaxMessageARNs = 64
	// MaxMessageBytes is the largest message accepted.
	MaxMessageBytes = 64 << 10
	// maxARNBytes is the longest ARN a message may name.
	maxARNBytes = 2048
	// maxPendingARNs bounds the invalidations a sender keeps while it
	// cannot publish; past it, it sends "drop every cached tag" instead.
	maxPendingARNs = 1024
)

// DefaultHeartbeat is how often an idle subscription is checked with a
// PING: a connection that answers neither a message nor the PING within
// two heartbeats is taken as lost.
const DefaultHeartbeat = time.Second

// Backoff between attempts to subscribe again after a loss.
const (
	minResubscribeWait = 50 * time.Millisecond
	maxResubscribeWait = 2 * time.Second
)

// channelPrefix starts the name of every invalidation channel.
const channelPrefix = "pinpoint-gateway:invalidate:"

// ChannelName is the pub/sub channel of the lookup caches whose answers
// depend on key (lookup's PoolKey: account, endpoints, credentials as
// configured). The key is hashed: it may name URLs and access key IDs,
// which have no business on a shared server.
func ChannelName(key string) string {
	sum := sha256.Sum256([]byte("pinpoint-gateway lookup invalidation\x00" + key))
	return channelPrefix + hex.EncodeToString(sum[:16])
}

// InvalidatorOptions configures OpenInvalidator.
type InvalidatorOptions struct {
	// URL is the server's redis:// or rediss:// URL, as for Open.
	URL string
	// Timeout bounds dialing, each read and write, and a publication.
	// Default: 250ms (DefaultTimeout).
	Timeout time.Duration
	// Channel is the channel's name (ChannelName). Required.
	Channel string
	// Heartbeat is the interval of the subscription's liveness check.
	// Default: 1s (DefaultHeartbeat).
	Heartbeat time.Duration
	// Logger receives the channel's losses and recoveries. Default: none.
	Logger *zap.Logger
}

// Invalidation is what one message asks every other instance to drop
// from its lookup caches (lookup.Invalidation is this type: its home is
// here because sharedstate imports no Caddy, which package lookup does).
type Invalidation struct {
	// Tags are the taggable ARNs whose cached tags are dropped.
	Tags []string
	// AllTags drops every cached tag set.
	AllTags bool
	// PhoneNumbers, SenderIDs and VerifiedNumbers empty the resolver's
	// caches of those names.
	PhoneNumbers, SenderIDs, VerifiedNumbers bool
}

// Empty reports whether inv drops nothing.
func (inv Invalidation) Empty() bool {
	return len(inv.Tags) == 0 && !inv.AllTags && !inv.PhoneNumbers && !inv.SenderIDs && !inv.VerifiedNumbers
}

// Listener is told what the channel brings (the module's adapter of
// lookup.Link).
type Listener interface {
	// Received applies another instance's invalidation.
	Received(Invalidation)
	// SetUp says whether the channel is subscribed; every change means
	// that invalidations may have been missed.
	SetUp(up bool)
}

// Invalidator carries the invalidations of the lookup caches between the
// instances that share a Redis server: one subscription to one channel,
// kept alive (PING every heartbeat, resubscription with backoff after a
// loss), whose state its listeners follow; and the publication of this
// instance's own invalidations, which every instance but the sender
// applies (a message names its sender by a random ID) and acknowledges on
// a second channel: Publish returns when every other subscriber applied
// it, or after the timeout, so that a client that saw the answer of a
// retag through one instance finds it applied by all.
//
// While the channel is down, the invalidations this instance makes are
// kept (bounded) and published when it is back.
type Invalidator struct {
	client    *redis.Client
	channel   string
	id        string // this process's sender ID
	timeout   time.Duration
	heartbeat time.Duration
	cancel    context.CancelFunc
	done      chan struct{}

	seq atomic.Uint64 // numbers this instance's messages

	mu        sync.Mutex
	up        bool
	listeners map[Listener]struct{}
	waiters   map[uint64]chan struct{} // acknowledgements awaited, by message number
	pubsub    *redis.PubSub            // the current subscription, closed by Close
	pending   Invalidation
	logger    *zap.Logger
	metrics   *invalidationMetrics
}

// OpenInvalidator starts the subscription to opts.Channel (in the
// background: the server need not be up) and returns the invalidator.
// Close stops it.
func OpenInvalidator(opts InvalidatorOptions) (*Invalidator, error) {
	if !strings.HasPrefix(opts.Channel, channelPrefix) {
		return nil, errors.New("sharedstate: invalidation channel not named by ChannelName")
	}
	client, timeout, err := newClient(opts.URL, opts.Timeout)
	if err != nil {
		return nil, err
	}
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	hb := opts.Heartbeat
	if hb <= 0 {
		hb = DefaultHeartbeat
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	v := &Invalidator{
		client:    client,
		channel:   opts.Channel,
		id:        hex.EncodeToString(idb[:]),
		timeout:   timeout,
		heartbeat: hb,
		cancel:    cancel,
		done:      make(chan struct{}),
		listeners: map[Listener]struct{}{},
		waiters:   map[uint64]chan struct{}{},
		logger:    logger,
		metrics:   newInvalidationMetrics(),
	}
	go v.run(ctx)
	return v, nil
}

// Label is the short name of the channel in metrics (a prefix of its hash).
func (v *Invalidator) Label() string { return strings.TrimPrefix(v.channel, channelPrefix)[:12] }

// Up reports whether the channel is subscribed now.
func (v *Invalidator) Up() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.up
}

// AddListener makes l follow the channel and tells it the channel's state
// now. reg (nil: none) and logger (nil: unchanged) become the
// invalidator's metrics registry and logger: those of the latest config.
func (v *Invalidator) AddListener(l Listener, reg prometheus.Registerer, logger *zap.Logger) error {
	m, err := registerInvalidationMetrics(reg)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.listeners[l] = struct{}{}
	if m != nil {
		v.metrics = m
	}
	if logger != nil {
		v.logger = logger
	}
	v.metrics.setUp(v.Label(), v.up)
	l.SetUp(v.up)
	return nil
}

// RemoveListener stops telling l.
func (v *Invalidator) RemoveListener(l Listener) {
	v.mu.Lock()
	delete(v.listeners, l)
	v.mu.Unlock()
}

// Close stops the subscription and closes the connections.
func (v *Invalidator) Close() error {
	v.cancel()
	v.mu.Lock()
	if v.pubsub != nil {
		_ = v.pubsub.Close() // ends a read in progress
	}
	v.mu.Unlock()
	<-v.done
	v.mu.Lock()
	v.metrics.deleteChannel(v.Label())
	v.mu.Unlock()
	return v.client.Close()
}

// Publish sends inv to the other instances, in messages of at most
// MaxMessageARNs ARNs, waiting at most the timeout. When the channel is
// down or the server does not take it, inv is kept and sent when the
// channel is back (the pending ARNs are bounded; past the bound, every
// instance drops all its cached tags instead).
func (v *Invalidator) Publish(inv Invalidation) {
	if inv.Empty() {
		return
	}
	if !v.Up() {
		v.keep(inv)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), v.timeout)
	defer cancel()
	if err := v.publish(ctx, inv, true); err != nil {
		v.keep(inv) // applying it twice changes nothing
		v.log().Warn("shared cache invalidation not sent; kept until the channel answers",
			zap.Int("arns", len(inv.Tags)), zap.Error(err))
	}
}

// publish sends inv's messages and, with wait, waits within ctx for
// every other subscriber's acknowledgement of each; it stops at the first
// failure to send. A missing acknowledgement is counted, not an error: the message
// was sent, and a subscriber that did not answer in time applies it late
// or resyncs.
func (v *Invalidator) publish(ctx context.Context, inv Invalidation, wait bool) error {
	for _, m := range encodeInvalidation(v.id, inv) {
		id := v.seq.Add(1)
		m.ID = id
		msg, _ := json.Marshal(m) // strings and ints only: cannot fail
		acks := make(chan struct{}, maxAwaitedAcks)
		v.mu.Lock()
		v.waiters[id] = acks
		v.mu.Unlock()
		n, err := v.client.Publish(ctx, v.channel, msg).Result()
		if err == nil {
			v.count(eventSent)
			// n counts the subscriptions that got it, this one included.
			if wait && !v.awaitAcks(ctx, acks, int(min(n-1, maxAwaitedAcks))) {
				v.count(eventUnacknowledged)
			}
		}
		v.mu.Lock()
		delete(v.waiters, id)
		v.mu.Unlock()
		if err != nil {
			v.count(eventSendFailed)
			return err
		}
	}
	return nil
}

// maxAwaitedAcks bounds the acknowledgements one message waits for (the
// instances of a deployment).
const maxAwaitedAcks = 256

// awaitAcks waits for n acknowledgements on acks until ctx ends.
func (v *Invalidator) awaitAcks(ctx context.Context, acks <-chan struct{}, n int) bool {
	for range n {
		select {
		case <-acks:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// ack acknowledges a message of another instance, applied.
func (v *Invalidator) ack(ctx context.Context, src string, id uint64) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	_ = v.client.Publish(ctx, v.ackChannel(), src+" "+strconv.FormatUint(id, 10)).Err() // best effort: the sender stops waiting at its timeout
}

// acked records an acknowledgement of one of this instance's messages.
func (v *Invalidator) acked(payload string) {
	src, n, ok := strings.Cut(payload, " ")
	if !ok || src != v.id || len(n) > 20 {
		return // another sender's, or garbled
	}
	id, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return
	}
	v.mu.Lock()
	acks := v.waiters[id]
	v.mu.Unlock()
	if acks != nil {
		select {
		case acks <- struct{}{}:
		default:
		}
	}
}

// ackChannel is the channel of the acknowledgements.
func (v *Invalidator) ackChannel() string { return v.channel + ":ack" }

// keep adds inv to what is published when the channel is back.
func (v *Invalidator) keep(inv Invalidation) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p := &v.pending
	p.PhoneNumbers = p.PhoneNumbers || inv.PhoneNumbers
	p.SenderIDs = p.SenderIDs || inv.SenderIDs
	p.VerifiedNumbers = p.VerifiedNumbers || inv.VerifiedNumbers
	p.AllTags = p.AllTags || inv.AllTags
	if !p.AllTags && len(p.Tags)+len(inv.Tags) > maxPendingARNs {
		p.AllTags = true
	}
	if p.AllTags {
		p.Tags = nil
		return
	}
	p.Tags = append(p.Tags, inv.Tags...)
}

// flush publishes what was kept, if anything. It runs on the goroutine
// that reads the acknowledgements, so it does not wait for them (the
// instances that missed the kept invalidations resync anyway when they
// come back, and those that did not take them now).
func (v *Invalidator) flush(ctx context.Context) {
	v.mu.Lock()
	inv := v.pending
	v.pending = Invalidation{}
	v.mu.Unlock()
	if inv.Empty() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	if err := v.publish(ctx, inv, false); err != nil {
		v.keep(inv)
	}
}

// run keeps the subscription up until ctx ends.
func (v *Invalidator) run(ctx context.Context) {
	defer close(v.done)
	wait := minResubscribeWait
	for ctx.Err() == nil {
		wasUp, err := v.session(ctx)
		if ctx.Err() != nil {
			break
		}
		v.setUp(false, err)
		if wasUp {
			wait = minResubscribeWait
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, maxResubscribeWait)
	}
	v.setUp(false, nil)
}

// session subscribes once and serves the subscription until it fails; it
// reports whether it was up at all and why it ended.
func (v *Invalidator) session(ctx context.Context) (wasUp bool, err error) {
	ps := v.client.Subscribe(ctx) // no channel yet: no I/O
	v.mu.Lock()
	v.pubsub = ps
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		v.pubsub = nil
		v.mu.Unlock()
		_ = ps.Close()
	}()
	if err := ps.Subscribe(ctx, v.channel, v.ackChannel()); err != nil {
		return false, err
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, v.heartbeat)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged {
				// Quiet for a heartbeat: ask. Nothing within the next
				// one either means the connection is gone.
				if err := ps.Ping(ctx); err != nil {
					return wasUp, err
				}
				pinged = true
				continue
			}
			return wasUp, err
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Count == 2 { // both channels
				wasUp = true
				v.setUp(true, nil)
			}
		case *redis.Message:
			if m.Channel == v.channel {
				v.receive(ctx, []byte(m.Payload))
			} else {
				v.acked(m.Payload)
			}
		}
		if wasUp {
			v.flush(ctx)
		}
	}
}

// setUp records the channel's state and tells the listeners of a change.
func (v *Invalidator) setUp(up bool, why error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.up == up {
		return
	}
	v.up = up
	v.metrics.setUp(v.Label(), up)
	if up {
		v.metrics.resyncs.Inc()
		v.logger.Info("shared cache invalidation channel subscribed; lookup caches emptied and trusted again",
			zap.String("channel", v.Label()))
	} else {
		fields := []zap.Field{zap.String("channel", v.Label())}
		if why != nil {
			fields = append(fields, zap.Error(why))
		}
		v.logger.Warn("shared cache invalidation channel down; lookup caches emptied, answers cached for 2s at most until it is back", fields...)
	}
	for l := range v.listeners {
		l.SetUp(up)
	}
}

// receive applies one message of the channel and acknowledges it.
func (v *Invalidator) receive(ctx context.Context, payload []byte) {
	inv, m, ev := decodeInvalidation(payload)
	if ev == eventReceived && m.Src == v.id {
		ev = eventOwn // applied already, when it was made
	}
	v.count(ev)
	if ev != eventReceived {
		return
	}
	v.mu.Lock()
	for l := range v.listeners {
		l.Received(inv)
	}
	v.mu.Unlock()
	v.ack(ctx, m.Src, m.ID)
}

func (v *Invalidator) log() *zap.Logger {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.logger
}

func (v *Invalidator) count(event string) {
	v.mu.Lock()
	m := v.metrics
	v.mu.Unlock()
	m.messages.WithLabelValues(event).Inc()
}

// wireMessage is the JSON of one message on the channel.
type wireMessage struct {
	// V is the format's version, 1.
	V int `json:"v"`
	// Src is the sender's random ID.
	Src string `json:"src"`
	// ID numbers the sender's messages (from 1), for acknowledgements.
	ID uint64 `json:"id"`
	// Tags are the taggable ARNs whose cached tags are dropped.
	Tags []string `json:"tags,omitempty"`
	// Purge names the caches emptied whole.
	Purge []string `json:"purge,omitempty"`
}

// Names of the caches in a message's purge (the lookup metrics' labels).
const (
	purgeTags     = "resource_tags"
	purgePhones   = "phone_numbers"
	purgeSenders  = "sender_ids"
	purgeVerified = "verified_numbers"
)

// encodeInvalidation returns the messages of inv, unnumbered: the caches
// to purge in the first, the ARNs in chunks of MaxMessageARNs.
func encodeInvalidation(src string, inv Invalidation) []wireMessage {
	var purge []string
	for _, p := range []struct {
		on   bool
		name string
	}{{inv.AllTags, purgeTags}, {inv.PhoneNumbers, purgePhones}, {inv.SenderIDs, purgeSenders}, {inv.VerifiedNumbers, purgeVerified}} {
		if p.on {
			purge = append(purge, p.name)
		}
	}
	tags := inv.Tags
	if inv.AllTags {
		tags = nil
	}
	var out []wireMessage
	for first := true; first || len(tags) > 0; first = false {
		m := wireMessage{V: 1, Src: src}
		if first {
			m.Purge = purge
		}
		n := min(len(tags), MaxMessageARNs)
		m.Tags, tags = tags[:n], tags[n:]
		if len(m.Tags) == 0 && len(m.Purge) == 0 {
			continue
		}
		out = append(out, m)
	}
	return out
}

// decodeInvalidation reads one message; the event says whether it is
// usable (eventReceived) or why it was dropped.
func decodeInvalidation(payload []byte) (Invalidation, wireMessage, string) {
	var inv Invalidation
	var m wireMessage
	if len(payload) > MaxMessageBytes {
		return inv, m, eventDroppedOversized
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || dec.More() || m.V != 1 || m.ID == 0 ||
		m.Src == "" || len(m.Src) > 64 || strings.ContainsRune(m.Src, ' ') {
		return inv, wireMessage{}, eventDroppedGarbled
	}
	if len(m.Tags) > MaxMessageARNs || len(m.Purge) > 4 {
		return inv, wireMessage{}, eventDroppedOversized
	}
	for _, a := range m.Tags {
		if len(a) > maxARNBytes || !strings.HasPrefix(a, "arn:") {
			return inv, wireMessage{}, eventDroppedGarbled
		}
	}
	for _, p := range m.Purge {
		switch p {
		case purgeTags:
			inv.AllTags = true
		case purgePhones:
			inv.PhoneNumbers = true
		case purgeSenders:
			inv.SenderIDs = true
		case purgeVerified:
			inv.VerifiedNumbers = true
		default:
			return Invalidation{}, wireMessage{}, eventDroppedGarbled
		}
	}
	inv.Tags = m.Tags
	if inv.Empty() {
		return inv, wireMessage{}, eventDroppedGarbled
	}
	return inv, m, eventReceived
}

// Events of the messages counter.
const (
	eventSent             = "sent"
	eventSendFailed       = "send_failed"
	eventUnacknowledged   = "unacknowledged"
	eventReceived         = "received"
	eventOwn              = "own"
	eventDroppedOversized = "dropped_oversized"
	eventDroppedGarbled   = "dropped_garbled"
)

// invalidationMetrics are the channel's collectors.
type invalidationMetrics struct {
	up       *prometheus.GaugeVec
	messages *prometheus.CounterVec
	resyncs  prometheus.Counter
}

func newInvalidationMetrics() *invalidationMetrics {
	return &invalidationMetrics{
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metrics.Namespace, Name: "shared_invalidation_up",
			Help: "1 while the shared cache invalidation channel is subscribed, 0 while it is down (cached lookups are then trusted for 2s at most), by channel (a prefix of its hash).",
		}, []string{"channel"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "shared_invalidation_messages_total",
			Help: "Cache invalidation messages, by event: sent, send_failed (kept and sent again when the channel answers), unacknowledged (sent, but not every other instance said within the timeout that it applied it), received (applied), own (this instance's, ignored), dropped_oversized, dropped_garbled.",
		}, []string{"event"}),
		resyncs: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "shared_invalidation_resyncs_total",
			Help: "Subscriptions of the shared cache invalidation channel (the first and each one after a loss), each of which emptied the lookup caches.",
		}),
	}
}

// registerInvalidationMetrics registers the collectors in reg, or reuses
// those registered there already; nil without a registry.
func registerInvalidationMetrics(reg prometheus.Registerer) (*invalidationMetrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := newInvalidationMetrics()
	var err error
	if m.up, err = metrics.RegisterOrReuse(reg, m.up); err != nil {
		return nil, err
	}
	if m.messages, err = metrics.RegisterOrReuse(reg, m.messages); err != nil {
		return nil, err
	}
	if m.resyncs, err = metrics.RegisterOrReuse(reg, m.resyncs); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *invalidationMetrics) setUp(channel string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.WithLabelValues(channel).Set(v)
}

func (m *invalidationMetrics) deleteChannel(channel string) {
	m.up.DeleteLabelValues(channel)
}
