package module

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/commands"
	"github.com/pinpointgw/gateway/lookup"
)

// DefaultStoreWatch is how often the store file is checked for changes.
const DefaultStoreWatch = time.Second

// StoreWatchOff is the value of store_watch that turns the watcher off.
const StoreWatchOff = "off"

// storeState is everything built from one version of the store. The
// gateway holds the one in use in an atomic pointer (Gateway.state); a
// request loads it once, at its start, and decides on it alone, so a
// request in flight when the store changes finishes on the old version and
// no request ever mixes two.
type storeState struct {
	store *authn.Store
	authn *authn.Authenticator
	// tags is the resource tag source bound to store (bindStore).
	tags resourceTagSource
	// version is the first 12 hex digits of the SHA-256 of the store's bytes.
	version string
	loaded  time.Time
}

// maxStrictWarnings bounds the warnings quoted in the error of a store
// that strict_policies refuses.
const maxStrictWarnings = 10

// storeVersion names the bytes of a store.
func storeVersion(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// current returns the store state in use.
func (g *Gateway) current() *storeState { return g.state.Load() }

// parseStore compiles and lints the store bytes read from g's store file:
// the lint of `gateway simulate --lint` (commands.StoreLint). Under
// strict_policies a store with any warning is refused.
func (g *Gateway) parseStore(data []byte) (*authn.Store, error) {
	store, err := authn.ParseStore(g.storePath, data, commands.StoreLint(authn.StoreOptions{
		Account:   g.Account,
		Partition: g.partition,
	}))
	if err != nil {
		return nil, err // the file:line:column, or the policy, statement and field
	}
	if w := store.Warnings(); g.StrictPolicies && len(w) > 0 {
		shown := w[:min(len(w), maxStrictWarnings)]
		more := ""
		if len(w) > len(shown) {
			more = fmt.Sprintf("; and %d more", len(w)-len(shown))
		}
		return nil, fmt.Errorf("store %q: strict_policies refuses a store with warnings: %s%s", g.storePath, strings.Join(shown, "; "), more)
	}
	return store, nil
}

// newState builds the state of a compiled store: its authenticator and
// its resource tag source.
func (g *Gateway) newState(store *authn.Store, data []byte) (*storeState, error) {
	a, err := authn.New(authn.Config{
		Store:                store,
		SessionKeys:          g.sessionKeys,
		DeploymentID:         g.DeploymentID,
		OrgID:                g.OrgID,
		ClockSkew:            time.Duration(g.ClockSkew),
		AllowUnsignedPayload: g.AllowUnsignedPayload,
		Now:                  g.now,
	})
	if err != nil {
		return nil, fmt.Errorf("setting up authentication: %w", err)
	}
	return &storeState{store: store, authn: a, tags: bindStore(g.tags, store), version: storeVersion(data), loaded: g.now()}, nil
}

// bindStore returns the tag source src reading store's resource_tags.
// Sources that do not read the store (lookup.NoTags) are returned as they
// are.
func bindStore(src resourceTagSource, store *authn.Store) resourceTagSource {
	switch t := src.(type) {
	case lookup.StoreTags:
		return lookup.StoreTags{Store: store}
	case *lookup.UpstreamTags:
		return t.WithStore(store)
	case resolverTags:
		t.resourceTagSource = bindStore(t.resourceTagSource, store)
		return t
	}
	return src
}

// logWarnings logs the store's lint warnings, each naming the policy, the
// statement and what it is about.
func (g *Gateway) logWarnings(store *authn.Store, version string) {
	for _, w := range store.Warnings() {
		g.logger.Warn("store", zap.String("store", g.storePath), zap.String("version", version), zap.String("warning", w))
	}
}

// reloadStore loads data as the new store and swaps it in; on an error the
// running store stays and the error says why.
func (g *Gateway) reloadStore(data []byte) error {
	store, err := g.parseStore(data)
	if err == nil {
		var st *storeState
		if st, err = g.newState(store, data); err == nil {
			prev := g.state.Swap(st)
			g.logWarnings(store, st.version)
			g.logger.Info("store loaded", zap.String("store", g.storePath), zap.String("version", st.version),
				zap.String("previous_version", prev.version), zap.Int("warnings", len(store.Warnings())))
			g.storeStatus.loaded(st.version, st.loaded)
			g.storeMetrics.Loaded(g.storePath, st.version, st.loaded)
			return nil
		}
	}
	running := g.current().version
	g.logger.Error("store not loaded; the running version stays in use", zap.String("store", g.storePath),
		zap.String("running_version", running), zap.String("refused_version", storeVersion(data)), zap.Error(err))
	g.storeStatus.failed(g.now(), err)
	g.storeMetrics.Failed()
	return err
}

// storeWatcher polls the store file: a stat every interval, and when size,
// modification time or file identity changed (or the file was modified so
// recently that a change within the file system's time granularity could
// hide), a read and a hash; bytes that differ from the last read are
// handed to load. Polling works on every file system and sees editors that
// replace the file by renaming a new one over it.
type storeWatcher struct {
	path   string
	load   func(data []byte) error
	logger *zap.Logger
	now    func() time.Time // the clock of the file system's times

	last    os.FileInfo // nil: not known (start, or the file was missing)
	lastRd  time.Time   // when the file was last read
	hash    [sha256.Size]byte
	statErr string // the last stat or read error logged, to log each once
}

// racyWindow: a file modified within this time of its last read is read
// again at the next poll, whatever its size and time say.
const racyWindow = 2 * time.Second

func newStoreWatcher(path string, data []byte, load func([]byte) error, logger *zap.Logger, now func() time.Time) *storeWatcher {
	w := &storeWatcher{path: path, load: load, logger: logger, now: now, hash: sha256.Sum256(data), lastRd: now()}
	w.last, _ = os.Stat(path)
	return w
}

// run polls every interval until ctx is done.
func (w *storeWatcher) run(ctx context.Context, interval time.Duration, done func()) {
	defer done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.poll()
		}
	}
}

// poll checks the file once and loads it when its bytes changed.
func (w *storeWatcher) poll() {
	fi, err := os.Stat(w.path)
	if err != nil {
		w.fail(err)
		w.last = nil
		return
	}
	if w.last != nil && sameFile(w.last, fi) && !w.racy(fi) {
		return
	}
	w.last = fi
	data, err := authn.ReadStoreFile(w.path)
	if err != nil {
		w.fail(err)
		w.last = nil
		return
	}
	w.statErr = ""
	w.lastRd = w.now()
	sum := sha256.Sum256(data)
	if bytes.Equal(sum[:], w.hash[:]) {
		return
	}
	w.hash = sum
	_ = w.load(data) // load logs and records the outcome
}

// racy reports whether fi was modified so close to the last read that a
// later write could have kept its size and time.
func (w *storeWatcher) racy(fi os.FileInfo) bool {
	return !fi.ModTime().Before(w.lastRd.Add(-racyWindow))
}

// fail logs a stat or read error once (until the file reads again): the
// running store stays.
func (w *storeWatcher) fail(err error) {
	if msg := err.Error(); msg != w.statErr {
		w.statErr = msg
		w.logger.Error("store file unreadable; the running version stays in use", zap.String("store", w.path), zap.Error(err))
	}
}

// sameFile reports whether two stats are of the same, unchanged file.
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// startWatch starts the watcher of g's store file (store_watch), stopped
// when ctx is done or by Cleanup.
func (g *Gateway) startWatch(ctx context.Context, data []byte) {
	if g.storeWatch <= 0 {
		return
	}
	// The file's modification time is the system's: judged by time.Now,
	// not by g.now (a test's clock).
	w := newStoreWatcher(g.storePath, data, g.reloadStore, g.logger, time.Now)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go w.run(ctx, g.storeWatch, wg.Done)
	g.stopWatch = func() { cancel(); wg.Wait() }
}

// parseStoreWatch reads store_watch: a positive duration, or off (0).
func parseStoreWatch(v string) (time.Duration, error) {
	switch v {
	case "":
		return DefaultStoreWatch, nil
	case StoreWatchOff:
		return 0, nil
	}
	d, err := caddy.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("store_watch: want a positive duration such as 1s, or off")
	}
	return d, nil
}

// storeStatus is what the admin API shows of one handler's store.
type storeStatus struct {
	path string

	mu          sync.Mutex
	version     string
	loadedAt    time.Time
	lastAttempt time.Time
	lastErr     string // "": the last load succeeded
}

func (s *storeStatus) loaded(version string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.loadedAt, s.lastAttempt, s.lastErr = version, at, at, ""
}

func (s *storeStatus) failed(at time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastAttempt, s.lastErr = at, err.Error()
}
