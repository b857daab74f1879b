package sharedstate

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pinpointgw/gateway/internal/testenv"
	"github.com/pinpointgw/gateway/quota"
	"github.com/pinpointgw/gateway/quota/quotatest"
)

func open(t testing.TB, url string, now func() time.Time) *Redis {
	t.Helper()
	r, err := Open(Options{URL: url, Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRedisArithmetic(t *testing.T) {
	srv := testenv.StartRedis(t)
	quotatest.TestArithmetic(t, func(t *testing.T, now func() time.Time) quota.Store {
		return open(t, srv.URL(), now)
	})
}

func TestRedisConcurrent(t *testing.T) {
	srv := testenv.StartRedis(t)
	quotatest.TestConcurrent(t, open(t, srv.URL(), nil))
}

// TestRedisExpiry checks that a counter's key expires when its newest bucket
// stops counting, and that buckets that stopped counting are deleted.
func TestRedisExpiry(t *testing.T) {
	srv := testenv.StartRedis(t)
	clock := quotatest.NewClock(quotatest.Base)
	r := open(t, srv.URL(), clock.Now)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	take := func(key string, w time.Duration) {
		t.Helper()
		out, err := r.Take(ctx, []quota.Charge{{Quota: "q", Key: key, Count: 1, Limit: 10, Window: w}})
		if err != nil || !out.Admitted {
			t.Fatalf("Take(%s) = %+v, %v; want admitted", key, out, err)
		}
	}

	take("k:hour", time.Hour) // expires 61 min from Base (Base is the start of a bucket)
	if ttl := admin.PTTL(ctx, "k:hour").Val(); ttl <= 60*time.Minute || ttl > 61*time.Minute {
		t.Errorf("PTTL of a counter of one hour = %v, want in (60m, 61m]", ttl)
	}

	take("k:min", time.Minute)
	clock.Set(quotatest.Base.Add(30 * time.Second))
	take("k:min", time.Minute)
	clock.Set(quotatest.Base.Add(62 * time.Second)) // bucket 0 stopped counting at 61 s
	take("k:min", time.Minute)
	if n := admin.HLen(ctx, "k:min").Val(); n != 2 {
		t.Errorf("HLEN after bucket 0 stopped counting = %d, want 2", n)
	}
	if ttl := admin.PTTL(ctx, "k:min").Val(); ttl <= 60*time.Second || ttl > 61*time.Second {
		t.Errorf("PTTL = %v, want in (60s, 61s] (the newest bucket, 62, stops counting at 123 s)", ttl)
	}

	clock.Set(quotatest.Base)
	take("k:sec", time.Second) // stops counting at Base+1034 ms
	deadline := time.Now().Add(5 * time.Second)
	for admin.Exists(ctx, "k:sec").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatalf("k:sec still exists 5 s later (PTTL %v)", admin.PTTL(ctx, "k:sec").Val())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisKeysOnlyOfTheCharges checks that a decision touches no other key.
func TestRedisKeysOnlyOfTheCharges(t *testing.T) {
	srv := testenv.StartRedis(t)
	r := open(t, srv.URL(), quotatest.NewClock(quotatest.Base).Now)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	if _, err := r.Take(ctx, []quota.Charge{
		{Quota: "a", Key: "k:a", Count: 1, Limit: 1, Window: time.Minute},
		{Quota: "b", Key: "k:b", Count: 1, Limit: 1, Window: time.Minute},
	}); err != nil {
		t.Fatal(err)
	}
	keys := admin.Keys(ctx, "*").Val()
	if len(keys) != 2 {
		t.Errorf("keys after one decision: %v, want k:a and k:b", keys)
	}
}

// TestRedisDown checks that Take fails within about the timeout when the
// server is down, and works again, without reopening, once it is back.
func TestRedisDown(t *testing.T) {
	srv := testenv.StartRedis(t)
	r, err := Open(Options{URL: srv.URL(), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx := context.Background()
	charges := []quota.Charge{{Quota: "q", Key: "k:down", Count: 1, Limit: 100, Window: time.Minute}}
	if _, err := r.Take(ctx, charges); err != nil {
		t.Fatalf("Take with the server up: %v", err)
	}

	srv.Stop()
	for i := range 3 {
		start := time.Now()
		_, err := r.Take(ctx, charges)
		if err == nil {
			t.Fatalf("Take %d with the server down: no error", i)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Take %d with the server down took %v, want about the timeout (200ms)", i, d)
		}
	}

	srv.Start()
	if out, err := r.Take(ctx, charges); err != nil || !out.Admitted {
		t.Fatalf("Take after the server came back = %+v, %v; want admitted", out, err)
	}
}

// TestRedisUnresponsive checks that a server that accepts connections but
// never answers makes Take fail within about the timeout, not hang.
func TestRedisUnresponsive(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c // held open, never answered
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	r, err := Open(Options{URL: "redis://" + l.Addr().String(), Timeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	start := time.Now()
	_, err = r.Take(context.Background(), []quota.Charge{{Quota: "q", Key: "k", Count: 1, Limit: 1, Window: time.Minute}})
	if err == nil {
		t.Fatal("Take against a silent server: no error")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Take against a silent server took %v, want about the timeout (150ms)", d)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		url     string
		wantErr bool
	}{
		"redis":              {"redis://127.0.0.1:6379/0", false},
		"rediss with a user": {"rediss://u:secret@cache.example:6380/2", false},
		"no port":            {"redis://localhost", false},
		"unix socket":        {"unix:///tmp/redis.sock", true},
		"http":               {"http://127.0.0.1:6379", true},
		"empty":              {"", true},
		"no host":            {"redis:///0", true},
		"bad database":       {"redis://u:secret@127.0.0.1:6379/x", true},
		"unparsable":         {"redis://u:secret@[::1", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(Options{URL: tc.url})
			if (err != nil) != tc.wantErr {
				t.Fatalf("Open(%q) error = %v, want error %v", tc.url, err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "secret") {
					t.Errorf("Open(%q) error = %v, want ErrURL without the password", tc.url, err)
				}
				return
			}
			if r.timeout != DefaultTimeout {
				t.Errorf("timeout = %v, want %v", r.timeout, DefaultTimeout)
			}
			r.Close()
		})
	}
}

// TestScriptRefusesTwoChargesOnOneKey calls the script directly (Take checks
// this before): two charges on one key would be checked separately and both
// counted, so the script refuses them itself.
func TestScriptRefusesTwoChargesOnOneKey(t *testing.T) {
	srv := testenv.StartRedis(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	err := takeScript.Run(ctx, admin, []string{"k:dup", "k:dup"}, quotatest.Base.UnixMilli(), 1, 1, 60000, 1, 1, 60000).Err()
	if err == nil || !strings.Contains(err.Error(), "two charges on one key") {
		t.Fatalf("script with one key twice: error %v, want \"two charges on one key\"", err)
	}
	if n := admin.Exists(ctx, "k:dup").Val(); n != 0 {
		t.Errorf("the refused script created the key")
	}
}
