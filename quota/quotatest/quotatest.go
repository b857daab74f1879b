// Package quotatest holds the tests every quota.Store must pass: the window
// arithmetic of package quota as a table of decisions on an injected clock,
// and a concurrency test. The in-memory store (quota.Memory) and the Redis
// store (package sharedstate) run the same table.
package quotatest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/quota"
)

// Base is the time the cases start at: Unix ms 1 800 000 000 000, a multiple
// of the bucket widths of a minute (1 s) and of an hour (60 s), 3 ms past the
// start of a bucket of a one-second window (17 ms).
var Base = time.UnixMilli(1_800_000_000_000)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set sets the clock's time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// NewStore makes the store under test for one case, on the given clock. A
// store shared between cases is fine: every case uses its own keys.
type NewStore func(t *testing.T, now func() time.Time) quota.Store

// take is one decision of a case: at Base+at, the charges (their keys are
// labels the harness makes unique to the case) and the expected outcome or
// error.
type take struct {
	at      time.Duration
	charges []quota.Charge
	want    quota.Outcome
	wantErr error
}

func ch(q, key string, count, limit int64, w time.Duration) quota.Charge {
	return quota.Charge{Quota: q, Key: key, Count: count, Limit: limit, Window: w}
}

func ok() quota.Outcome { return quota.Outcome{Admitted: true} }

func refused(q string, after time.Duration) quota.Outcome {
	return quota.Outcome{Refused: q, RetryAfter: after}
}

const (
	ms  = time.Millisecond
	sec = time.Second
	min = time.Minute
)

// cases is the table of the window arithmetic (W = 1 min, g = 1 s unless the
// name says otherwise).
var cases = map[string][]take{
	"admit up to the limit, refuse the next": {
		{0, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{0, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{0, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{0, []quota.Charge{ch("q", "a", 1, 3, min)}, refused("q", 61*sec), nil},
	},
	"a count equal to the limit is admitted": {
		{0, []quota.Charge{ch("q", "a", 3, 3, min)}, ok(), nil},
		{500 * ms, []quota.Charge{ch("q", "a", 1, 3, min)}, refused("q", 60500*ms), nil},
	},
	"a count over the limit is refused for the window and not counted": {
		{0, []quota.Charge{ch("q", "a", 3, 2, min)}, refused("q", min), nil},
		{0, []quota.Charge{ch("q", "a", 2, 2, min)}, ok(), nil},
	},
	"counts straddle bucket boundaries": {
		{0, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{30500 * ms, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{59999 * ms, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		{60 * sec, []quota.Charge{ch("q", "a", 1, 3, min)}, refused("q", sec), nil},
		{60999 * ms, []quota.Charge{ch("q", "a", 1, 3, min)}, refused("q", ms), nil},
		{61 * sec, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
		// live: buckets 30, 59 and 61; bucket 30 stops counting at 91 s
		{61500 * ms, []quota.Charge{ch("q", "a", 1, 3, min)}, refused("q", 29500*ms), nil},
		{91 * sec, []quota.Charge{ch("q", "a", 1, 3, min)}, ok(), nil},
	},
	"a destination is held for W plus up to g": {
		{0, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
		{60999 * ms, []quota.Charge{ch("q", "a", 1, 1, min)}, refused("q", ms), nil},
		{61 * sec, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
	},
	"a destination at the end of a bucket is held just over W": {
		{999 * ms, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
		{60998 * ms, []quota.Charge{ch("q", "a", 1, 1, min)}, refused("q", 2*ms), nil},
		{61 * sec, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
	},
	"RetryAfter waits for as many old buckets as needed": {
		{0, []quota.Charge{ch("q", "a", 2, 5, min)}, ok(), nil},
		{10 * sec, []quota.Charge{ch("q", "a", 2, 5, min)}, ok(), nil},
		{20 * sec, []quota.Charge{ch("q", "a", 1, 5, min)}, ok(), nil},
		// 5 + 3 > 5; without bucket 0: 3 + 3 > 5; without bucket 10 too: 1 + 3 <= 5, at 71 s
		{30 * sec, []quota.Charge{ch("q", "a", 3, 5, min)}, refused("q", 41*sec), nil},
		{70999 * ms, []quota.Charge{ch("q", "a", 3, 5, min)}, refused("q", ms), nil},
		{71 * sec, []quota.Charge{ch("q", "a", 3, 5, min)}, ok(), nil},
	},
	"one refusing charge: none is counted": {
		{0, []quota.Charge{ch("qa", "a", 1, 1, min)}, ok(), nil},
		{sec, []quota.Charge{ch("qb", "b", 1, 1, min), ch("qa", "a", 1, 1, min)}, refused("qa", 60*sec), nil},
		{2 * sec, []quota.Charge{ch("qb", "b", 1, 1, min)}, ok(), nil},
	},
	"the first refusing quota is named and RetryAfter is the longest": {
		{0, []quota.Charge{ch("qa", "a", 1, 1, min)}, ok(), nil},
		{30 * sec, []quota.Charge{ch("qb", "b", 1, 1, min)}, ok(), nil},
		{40 * sec, []quota.Charge{ch("qa", "a", 1, 1, min), ch("qb", "b", 1, 1, min)}, refused("qa", 51*sec), nil},
		{40 * sec, []quota.Charge{ch("qb", "b", 1, 1, min), ch("qa", "a", 1, 1, min)}, refused("qb", 51*sec), nil},
		{40 * sec, []quota.Charge{ch("qc", "c", 1, 1, min), ch("qa", "a", 1, 1, min)}, refused("qa", 21*sec), nil},
		// c was not counted by the refusal above
		{41 * sec, []quota.Charge{ch("qc", "c", 1, 1, min)}, ok(), nil},
	},
	"several charges admitted together are all counted": {
		{0, []quota.Charge{ch("qa", "a", 2, 2, min), ch("qb", "b", 2, 5, time.Hour)}, ok(), nil},
		{sec, []quota.Charge{ch("qb", "b", 3, 5, time.Hour)}, ok(), nil},
		{2 * sec, []quota.Charge{ch("qb", "b", 1, 5, time.Hour)}, refused("qb", 61*min-2*sec), nil},
		{2 * sec, []quota.Charge{ch("qa", "a", 1, 2, min)}, refused("qa", 59*sec), nil},
	},
	"a window of one hour (g = 1 min)": {
		{0, []quota.Charge{ch("q", "a", 1, 2, time.Hour)}, ok(), nil},
		{30 * min, []quota.Charge{ch("q", "a", 1, 2, time.Hour)}, ok(), nil},
		{59 * min, []quota.Charge{ch("q", "a", 1, 2, time.Hour)}, refused("q", 2*min), nil},
		{61 * min, []quota.Charge{ch("q", "a", 1, 2, time.Hour)}, ok(), nil},
		{61 * min, []quota.Charge{ch("q", "a", 1, 2, time.Hour)}, refused("q", 30*min), nil},
	},
	"a window of one second (g rounded up to 17 ms) holds at least W": {
		// Base is 3 ms into bucket k = 105882352941; it stops counting at (k+61)*17 ms = Base+1034 ms.
		{0, []quota.Charge{ch("q", "a", 1, 1, sec)}, ok(), nil},
		{999 * ms, []quota.Charge{ch("q", "a", 1, 1, sec)}, refused("q", 35*ms), nil},
		{1033 * ms, []quota.Charge{ch("q", "a", 1, 1, sec)}, refused("q", ms), nil},
		{1034 * ms, []quota.Charge{ch("q", "a", 1, 1, sec)}, ok(), nil},
	},
	"a clock that goes back still counts the newer buckets": {
		{10 * sec, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
		{5 * sec, []quota.Charge{ch("q", "a", 1, 1, min)}, refused("q", 66*sec), nil},
		{71 * sec, []quota.Charge{ch("q", "a", 1, 1, min)}, ok(), nil},
	},
	"no charges are admitted": {
		{0, nil, ok(), nil},
	},
	"a count of zero is an error": {
		{0, []quota.Charge{ch("q", "a", 0, 1, min)}, quota.Outcome{}, quota.ErrInvalidCharge},
	},
	"a window under a second is an error": {
		{0, []quota.Charge{ch("q", "a", 1, 1, 999*ms)}, quota.Outcome{}, quota.ErrInvalidCharge},
	},
	"two charges on one key are an error, and nothing is counted": {
		{0, []quota.Charge{ch("q", "a", 1, 2, min), ch("q", "a", 2, 2, min)}, quota.Outcome{}, quota.ErrInvalidCharge},
		{0, []quota.Charge{ch("q", "a", 2, 2, min)}, ok(), nil},
	},
}

// TestArithmetic runs the table of the window arithmetic against stores made
// by newStore. Each case's keys are its labels prefixed with the test's name.
func TestArithmetic(t *testing.T, newStore NewStore) {
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			clock := NewClock(Base)
			s := newStore(t, clock.Now)
			for i, st := range steps {
				clock.Set(Base.Add(st.at))
				charges := make([]quota.Charge, len(st.charges))
				for j, c := range st.charges {
					c.Key = "test:" + t.Name() + ":" + c.Key
					charges[j] = c
				}
				got, err := s.Take(context.Background(), charges)
				if st.wantErr != nil {
					if !errors.Is(err, st.wantErr) {
						t.Fatalf("step %d (at %v): Take error = %v, want %v", i, st.at, err, st.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d (at %v): Take: %v", i, st.at, err)
				}
				if got != st.want {
					t.Fatalf("step %d (at %v): Take = %+v, want %+v", i, st.at, got, st.want)
				}
			}
		})
	}
}

// TestConcurrent has many goroutines take one destination each from one
// counter at once: exactly the limit must be admitted.
func TestConcurrent(t *testing.T, s quota.Store) {
	const (
		goroutines = 64
		perG       = 4
		limit      = 37
	)
	key := "test:" + t.Name() + ":a"
	var admitted, refusedN atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range perG {
				out, err := s.Take(context.Background(), []quota.Charge{ch("q", key, 1, limit, time.Hour)})
				if err != nil {
					errs <- err
					return
				}
				if out.Admitted {
					admitted.Add(1)
				} else {
					refusedN.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Take: %v", err)
	}
	if admitted.Load() != limit || refusedN.Load() != goroutines*perG-limit {
		t.Errorf("admitted %d, refused %d; want %d and %d", admitted.Load(), refusedN.Load(), limit, goroutines*perG-limit)
	}
}
