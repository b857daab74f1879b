package sharedstate

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/internal/testenv"
	"github.com/pinpointgw/gateway/quota"
	"github.com/pinpointgw/gateway/quota/quotatest"
)

// TestRedisMatchesMemory runs the same random decisions (seeded) against the
// Redis script and quota.Memory on one clock: every outcome must agree, so
// the Lua and the Go arithmetic are the same.
func TestRedisMatchesMemory(t *testing.T) {
	srv := testenv.StartRedis(t)
	clock := quotatest.NewClock(quotatest.Base)
	r := open(t, srv.URL(), clock.Now)
	m := quota.NewMemory(clock.Now)
	type counter struct {
		limit  int64
		window time.Duration
	}
	counters := []counter{{3, time.Second}, {5, 10 * time.Second}, {10, time.Minute}, {1, 7 * time.Second}, {20, 3*time.Second + 7*time.Millisecond}}
	rng := rand.New(rand.NewPCG(11, 1))
	ctx := context.Background()
	now := quotatest.Base
	admitted := 0
	const steps = 3000
	for i := range steps {
		// Mostly forward, by up to a second; sometimes back a little.
		step := time.Duration(rng.IntN(1000)) * time.Millisecond
		if rng.IntN(20) == 0 {
			step = -step / 4
		}
		now = now.Add(step)
		clock.Set(now)
		var charges []quota.Charge
		for j, c := range counters {
			if rng.IntN(3) == 0 {
				charges = append(charges, quota.Charge{
					Quota: "q" + strconv.Itoa(j), Key: "diff:" + strconv.Itoa(j),
					Count: 1 + rng.Int64N(c.limit+1), Limit: c.limit, Window: c.window,
				})
			}
		}
		rng.Shuffle(len(charges), func(a, b int) { charges[a], charges[b] = charges[b], charges[a] })
		want, err := m.Take(ctx, charges)
		if err != nil {
			t.Fatalf("step %d: Memory.Take: %v", i, err)
		}
		got, err := r.Take(ctx, charges)
		if err != nil {
			t.Fatalf("step %d: Redis.Take: %v", i, err)
		}
		if got != want {
			t.Fatalf("step %d at Base+%v, charges %+v: Redis %+v, Memory %+v", i, now.Sub(quotatest.Base), charges, got, want)
		}
		if got.Admitted && len(charges) > 0 {
			admitted++
		}
	}
	// The sequence must exercise both answers.
	if admitted < steps/10 || admitted > steps*9/10 {
		t.Errorf("%d of %d decisions admitted; the sequence does not exercise both answers", admitted, steps)
	}
	t.Logf("%d of %d decisions admitted", admitted, steps)
}
