package lookup

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
)

// testCaches acquires a set of caches of their own (the test's name in the
// key) on clock, with a TTL of an hour.
func testCaches(t *testing.T, clock *fakeClock) *sharedCaches {
	t.Helper()
	key := "invalidate test " + t.Name()
	c, err := acquireCaches(key, time.Hour, 100, time.Second, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = lookupCaches.Delete(key) })
	return c
}

// cacheTags caches tags for arn through a lookup, as a decision would.
func cacheTags(t *testing.T, c *sharedCaches, arn string) {
	t.Helper()
	_, err := c.tags.get(context.Background(), arn, func(context.Context) (map[string]string, error) {
		return map[string]string{"tenant": "a"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func cached(c *sharedCaches, arn string) bool {
	_, ok := c.tags.peek(arn)
	return ok
}

// publications records what a link publishes.
type publications struct {
	mu  sync.Mutex
	got []Invalidation
}

func (p *publications) publish(inv Invalidation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, inv)
}

func (p *publications) all() []Invalidation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

// TestLinkStates: answers cached while the channel is up live for the
// TTL; a loss drops them, and while it lasts answers live UnsyncedTTL at
// most; the recovery drops what was cached during the loss; after Detach
// the caches are a single instance's again.
func TestLinkStates(t *testing.T) {
	clock := newFakeClock()
	c := testCaches(t, clock)
	cacheTags(t, c, tagAppA)
	link := c.sync.Attach("channel 1", nil)
	if cached(c, tagAppA) {
		t.Fatal("an answer cached before Attach survived it")
	}

	t.Run("attached but not subscribed yet: short TTL", func(t *testing.T) {
		cacheTags(t, c, tagAppA)
		clock.advance(UnsyncedTTL + time.Millisecond)
		if cached(c, tagAppA) {
			t.Errorf("an answer cached before the first subscription lived over %s", UnsyncedTTL)
		}
	})
	t.Run("up: full TTL", func(t *testing.T) {
		link.SetUp(true)
		cacheTags(t, c, tagAppA)
		clock.advance(30 * time.Minute)
		if !cached(c, tagAppA) {
			t.Error("an answer cached while up expired before the TTL")
		}
	})
	t.Run("loss drops what was cached before it", func(t *testing.T) {
		link.SetUp(false)
		if cached(c, tagAppA) {
			t.Error("an answer cached before the loss is still used")
		}
		if !c.sync.Unsynced() {
			t.Error("Unsynced() = false during a loss")
		}
	})
	t.Run("during the loss: short TTL", func(t *testing.T) {
		cacheTags(t, c, tagAppB)
		clock.advance(UnsyncedTTL - time.Millisecond)
		if !cached(c, tagAppB) {
			t.Error("an answer cached during the loss expired before UnsyncedTTL")
		}
		clock.advance(2 * time.Millisecond)
		if cached(c, tagAppB) {
			t.Errorf("an answer cached during the loss lived over %s", UnsyncedTTL)
		}
	})
	t.Run("recovery drops what was cached during the loss", func(t *testing.T) {
		cacheTags(t, c, tagAppB)
		link.SetUp(true)
		if cached(c, tagAppB) {
			t.Error("an answer cached during the loss survived the recovery")
		}
		if c.sync.Unsynced() {
			t.Error("Unsynced() = true after the recovery")
		}
	})
	t.Run("a replaced link changes nothing", func(t *testing.T) {
		newer := c.sync.Attach("channel 2", nil)
		newer.SetUp(true)
		cacheTags(t, c, tagAppA)
		link.SetUp(false)
		link.Detach()
		if !cached(c, tagAppA) || c.sync.Unsynced() {
			t.Error("the old link's loss or Detach reached the caches of the new one")
		}
		link = newer
	})
	t.Run("a reload's link of the same channel keeps the caches", func(t *testing.T) {
		cacheTags(t, c, tagAppB)
		reloaded := c.sync.Attach("channel 2", nil)
		if !cached(c, tagAppB) || c.sync.Unsynced() {
			t.Error("a link of the same channel emptied the caches or distrusted them")
		}
		link.Detach() // the old config's Cleanup
		if !cached(c, tagAppB) {
			t.Error("the replaced link's Detach emptied the caches")
		}
		reloaded.SetUp(true) // told the state on joining the channel
		if !cached(c, tagAppB) {
			t.Error("being told the state the caches are in emptied them")
		}
		link = reloaded
	})
	t.Run("detached: a single instance's caches", func(t *testing.T) {
		link.SetUp(false)
		link.Detach()
		cacheTags(t, c, tagAppA)
		clock.advance(30 * time.Minute)
		if !cached(c, tagAppA) || c.sync.Unsynced() {
			t.Error("after Detach the caches still follow the channel")
		}
	})
}

// TestLinkReceived: another instance's invalidation drops what it names,
// and only that; applying it twice is harmless.
func TestLinkReceived(t *testing.T) {
	clock := newFakeClock()
	c := testCaches(t, clock)
	link := c.sync.Attach("channel", nil)
	link.SetUp(true)
	cases := map[string]struct {
		inv  Invalidation
		gone []string
		kept []string
	}{
		"one ARN":   {Invalidation{Tags: []string{tagAppA}}, []string{tagAppA}, []string{tagAppB}},
		"all tags":  {Invalidation{AllTags: true}, []string{tagAppA, tagAppB}, nil},
		"other ARN": {Invalidation{Tags: []string{tagAppA + "/campaigns/c"}}, nil, []string{tagAppA, tagAppB}},
		"numbers":   {Invalidation{PhoneNumbers: true}, nil, []string{tagAppA, tagAppB}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cacheTags(t, c, tagAppA)
			cacheTags(t, c, tagAppB)
			link.Received(tc.inv)
			link.Received(tc.inv)
			for _, a := range tc.gone {
				if cached(c, a) {
					t.Errorf("%s still cached", a)
				}
			}
			for _, a := range tc.kept {
				if !cached(c, a) {
					t.Errorf("%s dropped", a)
				}
			}
		})
	}
}

// TestChangedPublishes: what a call drops locally is published, once per
// call, and nothing without a link.
func TestChangedPublishes(t *testing.T) {
	clock := newFakeClock()
	c := testCaches(t, clock)
	res := &Resolver{phones: c.phones, senders: c.senders, verified: c.verified, sync: c.sync}
	src := &UpstreamTags{cache: c.tags, resolver: res}
	tag := []apimap.Permission{{Action: "mobiletargeting:TagResource", Resources: []string{tagAppA, tagAppA + "/campaigns/c1"}}}

	src.Changed("pinpoint", "TagResource", tag, true) // no link: nothing to publish to

	var p publications
	link := c.sync.Attach("channel", p.publish)
	link.SetUp(true)
	src.Changed("pinpoint", "TagResource", tag, true)
	src.Changed("pinpoint", "GetApp", []apimap.Permission{{Action: "mobiletargeting:GetApp", Resources: []string{tagAppA}}}, true)
	src.Changed("sms-voice-v2", "RequestPhoneNumber", []apimap.Permission{{Action: "sms-voice:RequestPhoneNumber", Resources: []string{rsPoolABC}}}, true)
	res.Changed("sms-voice-v2", "ReleaseSenderId", nil, true)
	res.Changed("sms-voice-v2", "ReleaseSenderId", nil, false)

	want := []Invalidation{
		{Tags: []string{tagAppA, tagAppA + "/campaigns/c1"}},
		{Tags: []string{rsPoolABC}, PhoneNumbers: true},
		{SenderIDs: true},
	}
	got := p.all()
	if len(got) != len(want) {
		t.Fatalf("published %+v, want %+v", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i].Tags, want[i].Tags) || got[i].AllTags != want[i].AllTags ||
			got[i].PhoneNumbers != want[i].PhoneNumbers || got[i].SenderIDs != want[i].SenderIDs ||
			got[i].VerifiedNumbers != want[i].VerifiedNumbers {
			t.Errorf("publication %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
