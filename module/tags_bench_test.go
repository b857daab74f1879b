package module

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/lookup"
)

// benchDecision measures one authorization decision (context, tags,
// evaluation) of GetApp app-a by the given key, through g.authorize.
func benchDecision(b *testing.B, g *Gateway, keyID, secret string) {
	r := withCaddyVars(getApp(b, keyID, secret, "app-a"))
	id, err := g.current().authn.Authenticate(r, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := apimap.Map(&apimap.Request{Method: r.Method, RawPath: r.URL.EscapedPath(), Header: r.Header, Region: id.Region, Account: g.Account, Service: id.Service})
	if err != nil {
		b.Fatal(err)
	}
	decide := func() {
		rs := &requestState{st: g.current()}
		rs.clientIP = "127.0.0.1"
		if msg := g.authorize(r, rs, id, res); msg != "" {
			b.Fatalf("denied: %s", msg)
		}
	}
	decide() // warms the cache
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		decide()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkDecisionNoResourceTags is the baseline: resource_tags off, a
// policy without tag conditions.
func BenchmarkDecisionNoResourceTags(b *testing.B) {
	up := newTagUpstream(b)
	g, _ := tagGateway(b, up, 0)
	useTags(g, lookup.NoTags{})
	benchDecision(b, g, tagPlainKeyID, tagPlainSecret)
}

// BenchmarkDecisionStoreResourceTags: resource_tags static with app-a's
// tags in the store, the same tag-conditioned policy as the cached case.
func BenchmarkDecisionStoreResourceTags(b *testing.B) {
	up := newTagUpstream(b)
	g, _ := tagGateway(b, up, 0)
	useTags(g, fixedTags{tagAppA: {"tenant": "a"}})
	benchDecision(b, g, tagTenantKeyID, tagTenantSecret)
}

// fixedTags is a static tag source from a map (the store's behaviour).
type fixedTags map[string]map[string]string

func (f fixedTags) ResourceTags(_ context.Context, arn string, _ *authz.Input, _ *int) (map[string]string, lookup.TagStatus) {
	if t, ok := f[arn]; ok {
		return t, lookup.TagsKnown
	}
	return nil, lookup.TagsNone
}

// BenchmarkDecisionCachedResourceTags: resource_tags lookup, the tags of
// app-a cached, a policy with aws:ResourceTag/tenant = ${aws:PrincipalTag/tenant}.
func BenchmarkDecisionCachedResourceTags(b *testing.B) {
	up := newTagUpstream(b)
	g, _ := tagGateway(b, up, 0)
	benchDecision(b, g, tagTenantKeyID, tagTenantSecret)
	if n := up.count("ListTagsForResource"); n != 1 {
		b.Fatalf("%d lookups, want 1", n)
	}
}

// BenchmarkDecisionLookupNotNeeded: resource_tags lookup, but no policy of
// the decision reads aws:ResourceTag (nothing cached, nothing asked).
func BenchmarkDecisionLookupNotNeeded(b *testing.B) {
	up := newTagUpstream(b)
	g, _ := tagGateway(b, up, 0)
	benchDecision(b, g, tagPlainKeyID, tagPlainSecret)
	if n := up.count("ListTagsForResource"); n != 0 {
		b.Fatalf("%d lookups, want 0", n)
	}
}

// TestOneLookupUnderConcurrency: 1,000 concurrent requests for one ARN
// whose tags are not cached make one upstream lookup, and a second wave
// within the TTL makes none.
func TestOneLookupUnderConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 signed requests")
	}
	up := newTagUpstream(t)
	up.delay = 100 * time.Millisecond // the lookup is slow: all requests miss together
	g, src := tagGateway(t, up, 5*time.Second)
	const n = 1000
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")
	}
	// Authenticate once per request up front would skip the handler; the
	// full pipeline runs instead, concurrently.
	wave := func() []int {
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = serve(g, reqs[i].Clone(reqs[i].Context())).Code
			}()
		}
		wg.Wait()
		return codes
	}
	for w := range 2 {
		for i, c := range wave() {
			if c != http.StatusOK {
				t.Fatalf("wave %d request %d: status %d, want 200", w, i, c)
			}
		}
		if got := up.count("ListTagsForResource"); got != 1 {
			t.Fatalf("after wave %d: %d upstream lookups for one ARN, want 1", w, got)
		}
	}
	t.Logf("2 waves of %d requests: %d upstream lookup(s), %d cache hits, %d misses",
		n, up.count("ListTagsForResource"), src.Cache().Hits(), src.Cache().Misses())
}
