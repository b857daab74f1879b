package sharedstate

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/internal/testenv"
	"github.com/pinpointgw/gateway/quota"
)

// BenchmarkRedisTake takes from one and from three counters of a
// redis-server on loopback, one decision at a time, and reports the median
// and 99th percentile latency of a decision.
func BenchmarkRedisTake(b *testing.B) {
	srv := testenv.StartRedis(b)
	for _, n := range []int{1, 3} {
		b.Run(strconv.Itoa(n)+" charges", func(b *testing.B) {
			r := open(b, srv.URL(), nil)
			charges := make([]quota.Charge, n)
			for i := range charges {
				charges[i] = quota.Charge{Quota: "q" + strconv.Itoa(i), Key: "bench:" + b.Name() + ":" + strconv.Itoa(i),
					Count: 1, Limit: quota.MaxLimit, Window: time.Hour}
			}
			ctx := context.Background()
			lat := make([]time.Duration, 0, 1<<16)
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				out, err := r.Take(ctx, charges)
				lat = append(lat, time.Since(start))
				if err != nil || !out.Admitted {
					b.Fatalf("Take = %+v, %v", out, err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		})
	}
}
