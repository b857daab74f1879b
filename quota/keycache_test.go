package quota

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/destination"
)

func TestKeyCache(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{{Name: "p", Actions: []string{"*"}, Limit: 1, Window: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	q := &s.quotas[0]
	if q.keys == nil {
		t.Fatal("a quota per principal has no key cache")
	}
	computed := 0
	key := func(v string) string { computed++; return q.key(v) }
	// More values than slots: collisions replace entries, answers stay right.
	for round := range 2 {
		for i := range 2 * keyCacheSlots {
			v := "arn:aws:iam::123456789012:user/u" + strconv.Itoa(i)
			if got, want := q.keys.get(v, key), q.key(v); got != want {
				t.Fatalf("round %d: get(%q) = %q, want %q", round, v, got, want)
			}
		}
	}
	computed = 0
	for range 3 {
		q.keys.get("arn:aws:iam::123456789012:user/alice", key)
	}
	if computed != 1 {
		t.Errorf("three gets of one value computed the key %d times, want 1", computed)
	}
}

// TestChargesConcurrent runs Charges from several goroutines (the key cache
// is shared); run it with -race.
func TestChargesConcurrent(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{{Name: "p", Actions: []string{"*"}, Limit: 1, Window: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	want := s.quotas[0].key("v3")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := "v" + strconv.Itoa((g+i)%7)
				got, err := s.Charges([]string{sendText}, func(string) []string { return []string{v} }, []destination.Destination{gb1})
				if err != nil || len(got) != 1 {
					t.Errorf("Charges = %v, %v", got, err)
					return
				}
				if v == "v3" && got[0].Key != want {
					t.Errorf("key of v3 = %q, want %q", got[0].Key, want)
				}
			}
		}()
	}
	wg.Wait()
}
