package quota

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// settable is a test clock.
type settable struct{ t time.Time }

func (c *settable) now() time.Time { return c.t }

var base = time.UnixMilli(1_800_000_000_000)

func take(t *testing.T, m *Memory, charges ...Charge) Outcome {
	t.Helper()
	out, err := m.Take(context.Background(), charges)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return out
}

func TestMemoryRemovesExpiredCounters(t *testing.T) {
	t.Parallel()
	clock := &settable{t: base}
	m := NewMemory(clock.now)
	for i := range 10 {
		take(t, m, Charge{Quota: "q", Key: "m" + strconv.Itoa(i), Count: 1, Limit: 5, Window: time.Minute})
		take(t, m, Charge{Quota: "h", Key: "h" + strconv.Itoa(i), Count: 1, Limit: 5, Window: time.Hour})
	}
	clock.t = base.Add(30 * time.Second)
	take(t, m, Charge{Quota: "q", Key: "m0", Count: 1, Limit: 5, Window: time.Minute}) // m0 now lives until 91 s
	tests := []struct {
		at   time.Duration
		want int
	}{
		{60999 * time.Millisecond, 20},
		{61 * time.Second, 11}, // m1..m9 gone; m0 and the hour counters stay
		{91 * time.Second, 10},
		{61 * time.Minute, 0},
	}
	for _, tc := range tests {
		clock.t = base.Add(tc.at)
		// A Take on an unrelated window removes what expired.
		if _, err := m.Take(context.Background(), []Charge{{Quota: "x", Key: "x", Count: 2, Limit: 1, Window: time.Second}}); err != nil {
			t.Fatal(err)
		}
		if got := m.Len(); got != tc.want {
			t.Errorf("at %v: Len() = %d, want %d", tc.at, got, tc.want)
		}
	}
	if len(m.lists) != 0 {
		t.Errorf("%d expiry lists left, want 0", len(m.lists))
	}
}

func TestMemoryFull(t *testing.T) {
	t.Parallel()
	clock := &settable{t: base}
	m := NewMemory(clock.now)
	m.max = 3
	take(t, m, Charge{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Minute})
	take(t, m, Charge{Quota: "q", Key: "b", Count: 1, Limit: 5, Window: time.Hour})

	_, err := m.Take(context.Background(), []Charge{
		{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Minute},
		{Quota: "q", Key: "c", Count: 1, Limit: 5, Window: time.Minute},
		{Quota: "q", Key: "d", Count: 1, Limit: 5, Window: time.Minute},
	})
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Take needing 2 new counters of 1 free: error %v, want ErrFull", err)
	}
	// Nothing was counted: a still has one destination.
	if out := take(t, m, Charge{Quota: "q", Key: "a", Count: 4, Limit: 5, Window: time.Minute}); !out.Admitted {
		t.Fatalf("a after the failed Take: %+v, want admitted (nothing counted)", out)
	}
	take(t, m, Charge{Quota: "q", Key: "c", Count: 1, Limit: 5, Window: time.Minute})
	if _, err := m.Take(context.Background(), []Charge{{Quota: "q", Key: "d", Count: 1, Limit: 5, Window: time.Minute}}); !errors.Is(err, ErrFull) {
		t.Fatalf("Take when full: error %v, want ErrFull", err)
	}
	// A refusal needs no new counter, so it is answered even when full.
	if out := take(t, m, Charge{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Minute}); out.Admitted {
		t.Fatalf("a over its limit when full: %+v, want refused", out)
	}
	// Once the minute counters expire, there is room again.
	clock.t = base.Add(61 * time.Second)
	take(t, m, Charge{Quota: "q", Key: "d", Count: 1, Limit: 5, Window: time.Minute})
	if got := m.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2 (b and d)", got)
	}
}

func TestMemoryKeyWithAnotherWindow(t *testing.T) {
	t.Parallel()
	m := NewMemory((&settable{t: base}).now)
	take(t, m, Charge{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Minute})
	_, err := m.Take(context.Background(), []Charge{{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Hour}})
	if !errors.Is(err, ErrInvalidCharge) {
		t.Fatalf("Take on a key with another window: error %v, want ErrInvalidCharge", err)
	}
}

func TestMemoryDoneContext(t *testing.T) {
	t.Parallel()
	m := NewMemory(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Take(ctx, []Charge{{Quota: "q", Key: "a", Count: 1, Limit: 5, Window: time.Minute}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take with a cancelled context: error %v, want context.Canceled", err)
	}
}

func TestCounter(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		add     []int64 // buckets incremented by 1, in this order
		cur     int64
		wantSum int64
		wantLen int
	}{
		"empty":                        {nil, 100, 0, 0},
		"all live":                     {[]int64{40, 41, 100}, 100, 3, 3},
		"oldest live bucket is cur-60": {[]int64{39, 40, 100}, 100, 2, 2},
		"same bucket twice":            {[]int64{100, 100}, 100, 2, 1},
		"clock went back":              {[]int64{100, 90, 95}, 100, 3, 3},
		"newer than cur counts":        {[]int64{101}, 100, 1, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var c counter
			for _, b := range tc.add {
				c = c.add(b, 1)
			}
			for i := 1; i < len(c); i++ {
				if c[i-1].b >= c[i].b {
					t.Fatalf("buckets out of order: %v", c)
				}
			}
			c, sum := c.live(tc.cur)
			if sum != tc.wantSum || len(c) != tc.wantLen {
				t.Errorf("live(%d) = %v (sum %d), want %d buckets summing %d", tc.cur, c, sum, tc.wantLen, tc.wantSum)
			}
		})
	}
}

func TestFloorDiv(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, want int64 }{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 1000, -1}}
	for _, tc := range tests {
		if got := floorDiv(tc.a, tc.b); got != tc.want {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestGranularity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w    time.Duration
		want int64
	}{{time.Second, 17}, {time.Minute, 1000}, {time.Hour, 60000}, {10 * time.Second, 167}, {time.Millisecond, 1}, {0, 1}, {MaxWindow, 44640000}}
	for _, tc := range tests {
		if got := granularity(tc.w); got != tc.want {
			t.Errorf("granularity(%v) = %d, want %d", tc.w, got, tc.want)
		}
	}
}
