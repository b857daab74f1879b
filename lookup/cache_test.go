package lookup

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is an injected clock the tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingFetch answers key+"#"+n, n counting the calls per key.
type countingFetch struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *countingFetch) fetch(key string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.calls == nil {
			f.calls = map[string]int{}
		}
		f.calls[key]++
		return fmt.Sprintf("%s#%d", key, f.calls[key]), nil
	}
}

func TestLookupCache(t *testing.T) {
	t.Parallel()
	type step struct {
		advance    time.Duration
		invalidate string
		purge      bool
		get        string
		want       string
	}
	cases := map[string]struct {
		size  int
		steps []step
	}{
		"second get is a hit": {size: 10, steps: []step{
			{get: "a", want: "a#1"}, {get: "a", want: "a#1"},
		}},
		"fresh just before the TTL": {size: 10, steps: []step{
			{get: "a", want: "a#1"}, {advance: time.Minute - time.Nanosecond, get: "a", want: "a#1"},
		}},
		"expired at the TTL": {size: 10, steps: []step{
			{get: "a", want: "a#1"}, {advance: time.Minute, get: "a", want: "a#2"}, {get: "a", want: "a#2"},
		}},
		"least recently used is evicted": {size: 2, steps: []step{
			{get: "a", want: "a#1"}, {get: "b", want: "b#1"}, {get: "a", want: "a#1"},
			{get: "c", want: "c#1"}, // evicts b, the least recently used
			{get: "a", want: "a#1"}, {get: "b", want: "b#2"},
		}},
		"invalidate drops one key": {size: 10, steps: []step{
			{get: "a", want: "a#1"}, {get: "b", want: "b#1"},
			{invalidate: "a", get: "a", want: "a#2"}, {get: "b", want: "b#1"},
		}},
		"purge drops every key": {size: 10, steps: []step{
			{get: "a", want: "a#1"}, {get: "b", want: "b#1"},
			{purge: true, get: "a", want: "a#2"}, {get: "b", want: "b#2"},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			c := newCache[string](tc.size, time.Minute, time.Second, clock.now, cacheObserver{})
			var f countingFetch
			for i, s := range tc.steps {
				clock.advance(s.advance)
				if s.invalidate != "" {
					c.invalidate(s.invalidate)
				}
				if s.purge {
					c.purge()
				}
				got, err := c.get(context.Background(), s.get, f.fetch(s.get))
				if err != nil {
					t.Fatalf("step %d: get(%q): %v", i, s.get, err)
				}
				if got != s.want {
					t.Errorf("step %d: get(%q) = %q, want %q", i, s.get, got, s.want)
				}
			}
		})
	}
}

// TestLookupCacheSingleflight: 1,000 concurrent misses of one key make one
// lookup, and all get its answer.
func TestLookupCacheSingleflight(t *testing.T) {
	t.Parallel()
	c := newCache[string](10, time.Minute, 5*time.Second, nil, cacheObserver{})
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(context.Context) (string, error) {
		calls.Add(1)
		<-release
		return "tags", nil
	}
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	started := make(chan struct{}, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			v, err := c.get(context.Background(), "arn", fetch)
			if err == nil && v != "tags" {
				err = fmt.Errorf("got %q", v)
			}
			errs <- err
		}()
	}
	for range n {
		<-started
	}
	// Let the goroutines reach the singleflight group before answering.
	deadline := time.Now().Add(5 * time.Second)
	for c.misses.Load() < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("%d concurrent misses made %d lookups, want 1", n, got)
	}
	if got := c.lookups.Load(); got != 1 {
		t.Errorf("lookups counter = %d, want 1", got)
	}
}

// TestLookupCacheTimeout: a lookup that outlives the timeout fails with
// errLookupTimeout, is counted, and is not cached.
func TestLookupCacheTimeout(t *testing.T) {
	t.Parallel()
	var reasons []string
	var mu sync.Mutex
	c := newCache[string](10, time.Minute, 20*time.Millisecond, nil, cacheObserver{
		failure: func(r string) { mu.Lock(); reasons = append(reasons, r); mu.Unlock() },
	})
	slow := func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}
	start := time.Now()
	_, err := c.get(context.Background(), "arn", slow)
	if !errors.Is(err, errLookupTimeout) {
		t.Fatalf("get = %v, want errLookupTimeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the timed-out lookup took %v", d)
	}
	if c.failures.Load() != 1 || len(reasons) != 1 || reasons[0] != "timeout" {
		t.Errorf("failures = %d, reasons %v; want 1 timeout", c.failures.Load(), reasons)
	}
	v, err := c.get(context.Background(), "arn", func(context.Context) (string, error) { return "now", nil })
	if err != nil || v != "now" {
		t.Errorf("after a failure get = %q, %v; want a new lookup", v, err)
	}
}

// TestLookupCacheErrorNotCached: failures are not cached.
func TestLookupCacheErrorNotCached(t *testing.T) {
	t.Parallel()
	c := newCache[string](10, time.Minute, time.Second, nil, cacheObserver{})
	boom := errors.New("boom")
	if _, err := c.get(context.Background(), "k", func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("get = %v, want boom", err)
	}
	if _, ok := c.peek("k"); ok {
		t.Error("a failed lookup was cached")
	}
}

// TestLookupCacheInvalidateDuringLookup: a lookup in flight when its key is
// invalidated answers its callers but does not cache, and a caller after the
// invalidation starts a fresh lookup rather than joining the old one.
func TestLookupCacheInvalidateDuringLookup(t *testing.T) {
	t.Parallel()
	c := newCache[string](10, time.Minute, 5*time.Second, nil, cacheObserver{})
	inFetch := make(chan struct{})
	release := make(chan struct{})
	old := func(context.Context) (string, error) {
		close(inFetch)
		<-release
		return "old", nil
	}
	done := make(chan string)
	go func() {
		v, _ := c.get(context.Background(), "arn", old)
		done <- v
	}()
	<-inFetch
	c.invalidate("arn")
	v, err := c.get(context.Background(), "arn", func(context.Context) (string, error) { return "new", nil })
	if err != nil || v != "new" {
		t.Fatalf("get after invalidate = %q, %v; want a fresh lookup answering new", v, err)
	}
	close(release)
	if v := <-done; v != "old" {
		t.Errorf("the caller before the invalidation got %q, want old", v)
	}
	if v, ok := c.peek("arn"); !ok || v != "new" {
		t.Errorf("cached %q (%v), want new: the stale lookup must not overwrite it", v, ok)
	}
}

// TestLookupCacheCallerCancel: a caller whose context ends stops waiting;
// the shared lookup goes on for the others.
func TestLookupCacheCallerCancel(t *testing.T) {
	t.Parallel()
	c := newCache[string](10, time.Minute, 5*time.Second, nil, cacheObserver{})
	release := make(chan struct{})
	inFetch := make(chan struct{})
	fetch := func(ctx context.Context) (string, error) {
		close(inFetch)
		select {
		case <-release:
			return "v", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := c.get(ctx, "k", fetch)
		errc <- err
	}()
	<-inFetch
	other := make(chan string)
	go func() {
		v, _ := c.get(context.Background(), "k", fetch)
		other <- v
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled caller got %v, want context.Canceled", err)
	}
	close(release)
	if v := <-other; v != "v" {
		t.Errorf("the other caller got %q, want v (the lookup must survive one caller's cancellation)", v)
	}
}
