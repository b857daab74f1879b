package module

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// sharedGateway provisions a tag-lookup gateway with shared_state redis at
// redisURL. Two of them in one process stand for two instances when
// lookupTimeout differs (their caches differ) and so does redisTimeout
// (their subscriptions differ).
func sharedGateway(t *testing.T, up *tagUpstream, redisURL string, lookupTimeout, redisTimeout time.Duration) *Gateway {
	t.Helper()
	return lookupGateway(t, tagStore, up.URL, func(g *Gateway) {
		g.ResourceTags.Timeout = caddyDuration(lookupTimeout)
		g.SharedState = &SharedState{Backend: SharedStateRedis, URL: redisURL, Timeout: caddyDuration(redisTimeout)}
	})
}

// waitSynced polls until g's caches trust the channel (or, with false,
// until they know it is down), for at most 10 s.
func waitSynced(t *testing.T, g *Gateway, synced bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for g.lookupSync().Unsynced() == synced {
		if time.Now().After(deadline) {
			t.Fatalf("caches synced = %v after 10s, want %v", !synced, synced)
		}
		time.Sleep(5 * time.Millisecond) // poll interval, bounded by the deadline
	}
}

func retagApp(t *testing.T, g *Gateway, arn, tenant string) {
	t.Helper()
	r := signedRequest(t, "POST", "http://gw/v1/tags/"+url.PathEscape(arn), "mobiletargeting", "us-east-1", adminKeyID, adminSecret,
		http.Header{"Content-Type": {"application/json"}}, []byte(`{"tags":{"tenant":"`+tenant+`"}}`))
	if w := serve(g, r); w.Code != http.StatusNoContent {
		t.Fatalf("TagResource: status %d (%s), want 204", w.Code, w.Body.String())
	}
}

// waitStatus polls g with GetApp app-a of tenant a until it answers want,
// for at most 2 s, and returns how many requests that took.
func waitStatus(t *testing.T, g *Gateway, want int) int {
	t.Helper()
	start := time.Now()
	for n := 1; ; n++ {
		w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a"))
		if w.Code == want {
			return n
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("GetApp app-a: status %d for 2s, want %d", w.Code, want)
		}
		time.Sleep(time.Millisecond) // poll interval, bounded by the deadline
	}
}

// TestSharedInvalidation: two instances with shared_state redis and warm
// tag caches (TTL 1h); a retag through A reaches B's cache; while Redis is
// away both distrust their caches, and a retag made meanwhile is honoured
// by B's next decision; after Redis is back both trust their caches again.
func TestSharedInvalidation(t *testing.T) {
	srv := testenv.StartRedis(t)
	up := newTagUpstream(t)
	a := sharedGateway(t, up, srv.URL(), time.Second, 250*time.Millisecond)
	b := sharedGateway(t, up, srv.URL(), 2*time.Second, 300*time.Millisecond)
	if a.lookupSync() == b.lookupSync() {
		t.Fatal("the two instances share their caches")
	}
	waitSynced(t, a, true)
	waitSynced(t, b, true)

	if w := serve(b, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("B before the retag: status %d, want 200", w.Code)
	}
	retagApp(t, a, tagAppA, "b")
	t.Logf("B denied at its request %d after A's retag", waitStatus(t, b, http.StatusForbidden))
	lookups := up.count("ListTagsForResource")
	if w := serve(b, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 403 {
		t.Fatalf("B again: status %d, want 403", w.Code)
	}
	if n := up.count("ListTagsForResource") - lookups; n != 0 {
		t.Errorf("%d lookups for a decision B had cached, want 0", n)
	}

	t.Run("Redis lost", func(t *testing.T) {
		srv.Stop()
		waitSynced(t, a, false)
		waitSynced(t, b, false)
		retagApp(t, a, tagAppA, "a") // not published: kept
		if w := serve(b, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
			t.Fatalf("B during the loss, after the retag back: status %d, want 200 (its cache was emptied)", w.Code)
		}
	})
	t.Run("Redis back", func(t *testing.T) {
		srv.Start()
		waitSynced(t, a, true)
		waitSynced(t, b, true)
		if w := serve(b, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
			t.Fatalf("B after the recovery: status %d, want 200", w.Code)
		}
		retagApp(t, a, tagAppA, "b")
		waitStatus(t, b, http.StatusForbidden)
	})
}

// TestSharedInvalidationWiring: shared_state redis links the lookup caches
// (those of origination_lookup too) and Cleanup unlinks them; without it,
// or without caches, nothing is linked.
func TestSharedInvalidationWiring(t *testing.T) {
	srv := testenv.StartRedis(t)
	up := newTagUpstream(t)
	cases := map[string]struct {
		configure func(*Gateway)
		linked    bool
	}{
		"resource_tags lookup": {func(g *Gateway) {}, true},
		"origination_lookup alone": {func(g *Gateway) {
			g.ResourceTags = nil
		}, true},
		"no caches": {func(g *Gateway) {
			g.ResourceTags = nil
			g.OriginationLookup = OriginationLookupOff
		}, false},
		"shared_state memory": {func(g *Gateway) {
			g.SharedState = &SharedState{Backend: SharedStateMemory}
		}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := lookupGateway(t, tagStore, up.URL, func(g *Gateway) {
				g.ResourceTags.Timeout = caddyDuration(3 * time.Second) // caches of this test's own
				g.SharedState = &SharedState{Backend: SharedStateRedis, URL: srv.URL()}
				tc.configure(g)
			})
			if linked := g.closeInvalidation != nil; linked != tc.linked {
				t.Fatalf("linked = %v, want %v", linked, tc.linked)
			}
			if !tc.linked {
				return
			}
			waitSynced(t, g, true)
			sync := g.lookupSync()
			srv.Stop()
			defer srv.Start()
			waitSynced(t, g, false)
			g.Cleanup()
			if sync.Unsynced() {
				t.Error("after Cleanup the caches still follow the channel")
			}
		})
	}
}

// TestSharedInvalidationReload: a config reload with the same shared_state
// keeps the subscription and the warm caches.
func TestSharedInvalidationReload(t *testing.T) {
	srv := testenv.StartRedis(t)
	up := newTagUpstream(t)
	old := sharedGateway(t, up, srv.URL(), 4*time.Second, 0)
	waitSynced(t, old, true)
	if w := serve(old, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("status %d, want 200", w.Code)
	}
	reloaded := sharedGateway(t, up, srv.URL(), 4*time.Second, 0)
	old.Cleanup() // the old config goes away after the new one is provisioned
	if reloaded.lookupSync().Unsynced() {
		t.Error("the reload distrusts the caches")
	}
	if w := serve(reloaded, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("after the reload: status %d, want 200", w.Code)
	}
	if n := up.count("ListTagsForResource"); n != 1 {
		t.Errorf("%d lookups across the reload, want 1 (warm cache)", n)
	}
}
