package quota

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/destination"
)

func BenchmarkMemoryTake(b *testing.B) {
	bench := func(b *testing.B, charges []Charge) {
		m := NewMemory(time.Now)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			out, err := m.Take(ctx, charges)
			if err != nil || !out.Admitted {
				b.Fatalf("Take = %+v, %v", out, err)
			}
		}
	}
	b.Run("one charge", func(b *testing.B) {
		bench(b, []Charge{{Quota: "a", Key: KeyPrefix + "a:3600000:0123456789abcdef0123456789abcdef", Count: 1, Limit: MaxLimit, Window: time.Hour}})
	})
	b.Run("three charges", func(b *testing.B) {
		bench(b, []Charge{
			{Quota: "a", Key: KeyPrefix + "a:3600000:0123456789abcdef0123456789abcdef", Count: 1, Limit: MaxLimit, Window: time.Hour},
			{Quota: "b", Key: KeyPrefix + "b:86400000:0123456789abcdef0123456789abcdef", Count: 1, Limit: MaxLimit, Window: 24 * time.Hour},
			{Quota: "c", Key: KeyPrefix + "c:60000:0123456789abcdef0123456789abcdef", Count: 1, Limit: MaxLimit, Window: time.Minute},
		})
	})
	b.Run("refused", func(b *testing.B) {
		m := NewMemory(time.Now)
		ctx := context.Background()
		charges := []Charge{{Quota: "a", Key: "k", Count: 1, Limit: 1, Window: time.Hour}}
		m.Take(ctx, charges)
		b.ReportAllocs()
		for b.Loop() {
			if out, err := m.Take(ctx, charges); err != nil || out.Admitted {
				b.Fatalf("Take = %+v, %v", out, err)
			}
		}
	})
}

// BenchmarkMemoryNewKeys takes from a new counter each time (a quota per
// destination number sending to new numbers) and reports the heap each
// counter holds.
func BenchmarkMemoryNewKeys(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = KeyPrefix + "per-number:86400000:" + strconv.FormatInt(int64(i)+1<<60, 16) + "0123456789abcdef"
	}
	ctx := context.Background()
	var perKey float64
	b.ReportAllocs()
	for b.Loop() {
		m := NewMemory(time.Now)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, k := range keys {
			if _, err := m.Take(ctx, []Charge{{Quota: "per-number", Key: k, Count: 1, Limit: 5, Window: 24 * time.Hour}}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perKey, "heap-B/key")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
}

// BenchmarkCharges computes the charges of a send to one number governed by
// three quotas (per principal, per tenant, per number), and to ten numbers.
func BenchmarkCharges(b *testing.B) {
	s, err := Compile([]Config{
		{Name: "per-principal", Actions: []string{"sms-voice:SendTextMessage", "sms-voice:SendMediaMessage"}, Limit: 1000, Window: time.Hour},
		{Name: "per-tenant", Actions: []string{"sms-voice:Send*", "mobiletargeting:SendMessages"}, Per: "aws:PrincipalTag/tenant", Limit: 10000, Window: 24 * time.Hour},
		{Name: "per-number", Actions: []string{"sms-voice:SendTextMessage"}, Per: destination.KeyNumber, Limit: 5, Window: 24 * time.Hour},
	})
	if err != nil {
		b.Fatal(err)
	}
	arn := []string{"arn:aws:iam::123456789012:user/alice"}
	tenant := []string{"acme"}
	values := func(k string) []string {
		if k == "aws:PrincipalArn" {
			return arn
		}
		return tenant
	}
	actions := []string{"sms-voice:SendTextMessage"}
	one := []destination.Destination{number("+447700900001", "GB", "44")}
	var ten []destination.Destination
	for i := range 10 {
		ten = append(ten, number("+4477009000"+strconv.Itoa(10+i), "GB", "44"))
	}
	for name, dests := range map[string][]destination.Destination{"one number": one, "ten numbers": ten} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Charges(actions, values, dests); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("one number, then Memory.Take", func(b *testing.B) {
		m := NewMemory(time.Now)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			charges, err := s.Charges(actions, values, one)
			if err != nil {
				b.Fatal(err)
			}
			for i := range charges {
				charges[i].Limit = MaxLimit // stay on the allow path
			}
			if out, err := m.Take(ctx, charges); err != nil || !out.Admitted {
				b.Fatalf("Take = %+v, %v", out, err)
			}
		}
	})
}
