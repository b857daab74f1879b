package module

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// useTags replaces the resource tag source of g, and that of the store
// version in use.
func useTags(g *Gateway, src resourceTagSource) {
	g.tags = src
	st := *g.current()
	st.tags = bindStore(src, st.store)
	g.state.Store(&st)
}

// readerDeniedStore is testStore where ReadOnly no longer grants
// mobiletargeting:Get*.
var readerDeniedStore = strings.Replace(testStore, `["mobiletargeting:Get*", "sms-voice:Describe*"]`, `["sms-voice:Describe*"]`, 1)

// watchedGateway provisions a test gateway without its own watcher, and a
// watcher of its store to poll by hand; the gateway's logs are observed.
func watchedGateway(t *testing.T, up *fakeUpstream, configure func(*Gateway)) (*Gateway, *storeWatcher, *observer.ObservedLogs) {
	t.Helper()
	g, _ := testGateway(t, up, func(g *Gateway) {
		g.StoreWatch = StoreWatchOff
		if configure != nil {
			configure(g)
		}
	})
	core, logs := observer.New(zapcore.DebugLevel)
	g.logger = zap.New(core)
	data, err := os.ReadFile(g.storePath)
	if err != nil {
		t.Fatal(err)
	}
	return g, newStoreWatcher(g.storePath, data, g.reloadStore, g.logger, time.Now), logs
}

// rewrite replaces the content of the store file in place.
func rewrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readerGet(t *testing.T, g *Gateway) int {
	t.Helper()
	return serve(g, signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)).Code
}

func TestStoreWatchSwaps(t *testing.T) {
	g, w, logs := watchedGateway(t, newFakeUpstream(t), nil)
	if code := readerGet(t, g); code != http.StatusOK {
		t.Fatalf("before the change: status %d, want 200", code)
	}
	before := g.current()
	rewrite(t, g.storePath, readerDeniedStore)
	w.poll()
	if code := readerGet(t, g); code != http.StatusForbidden {
		t.Fatalf("after the change: status %d, want 403", code)
	}
	after := g.current()
	if after == before || after.version != storeVersion([]byte(readerDeniedStore)) {
		t.Fatalf("version %q, want %q", after.version, storeVersion([]byte(readerDeniedStore)))
	}
	if n := logs.FilterMessage("store loaded").Len(); n != 1 {
		t.Errorf("%d \"store loaded\" logs, want 1", n)
	}
	// The state a request started with stays whole: the old version's
	// authenticator still answers with the old policies.
	if id, err := before.authn.Authenticate(signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil), nil); err != nil || len(id.Principal.IdentityPolicies) != 1 {
		t.Fatalf("old version's authenticator: %v", err)
	}

	// The same bytes again (touched, or rewritten identically): no reload.
	now := time.Now().Add(time.Minute)
	if err := os.Chtimes(g.storePath, now, now); err != nil {
		t.Fatal(err)
	}
	w.poll()
	if n := logs.FilterMessage("store loaded").Len(); n != 1 || g.current() != after {
		t.Errorf("touching the file reloaded it (%d loads)", n)
	}
}

func TestStoreWatchKeepsRunningOnBadStore(t *testing.T) {
	unknownAction := strings.Replace(testStore, `"mobiletargeting:Get*", `, `"mobiletargeting:Get*", "mobiletargeting:GetAps", `, 1)
	tests := map[string]struct {
		store  string
		strict bool
		want   []string // substrings of the logged error
	}{
		"syntax error": {store: strings.Replace(testStore, `"policies": {`, `"policies": {,`, 1),
			want: []string{"store.json:6:", "invalid character ','"}},
		"unknown field": {store: strings.Replace(testStore, `"resource_tags"`, `"resource_tag"`, 1),
			want: []string{"store.json:14:3:", `unknown field "resource_tag"`}},
		"bad policy": {store: strings.Replace(testStore, `"Effect": "Deny"`, `"Effect": "Refuse"`, 1),
			want: []string{`policy "Full"`, "statement 1", "Effect"}},
		"strict lint warning": {store: unknownAction, strict: true,
			want: []string{"strict_policies", `policy "ReadOnly" statement 0`, `"mobiletargeting:GetAps" matches no known`}},
		"missing file": {want: []string{"no such file"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g, w, logs := watchedGateway(t, newFakeUpstream(t), func(g *Gateway) { g.StrictPolicies = tc.strict })
			running := g.current()
			if tc.store == "" {
				os.Remove(g.storePath)
			} else {
				rewrite(t, g.storePath, tc.store)
			}
			w.poll()
			w.poll() // a second poll of the same file logs nothing more
			if g.current() != running {
				t.Fatal("a bad store replaced the running one")
			}
			if code := readerGet(t, g); code != http.StatusOK {
				t.Errorf("status %d with the running store, want 200", code)
			}
			errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
			if len(errs) != 1 {
				t.Fatalf("%d error logs, want 1: %v", len(errs), errs)
			}
			msg := errs[0].ContextMap()["error"].(string)
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("logged error %q does not contain %q", msg, want)
				}
			}
			if tc.store != "" {
				st := storeStatusOf(t, g.storePath)
				if st.LastLoad != "error" || st.Version != running.version || !strings.Contains(st.LastError, tc.want[0]) {
					t.Errorf("admin status %+v, want the running version and the error", st)
				}
			}
			// The fixed store is then loaded.
			rewrite(t, g.storePath, readerDeniedStore)
			w.poll()
			if g.current().version != storeVersion([]byte(readerDeniedStore)) {
				t.Error("the fixed store was not loaded")
			}
		})
	}
}

// storeStatusOf returns what GET /pinpoint-gateway/stores says of path.
func storeStatusOf(t *testing.T, path string) storeStatusJSON {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := serveStores(rec, httptest.NewRequest("GET", "/pinpoint-gateway/stores", nil)); err != nil {
		t.Fatal(err)
	}
	var all []storeStatusJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Path == path {
			return s
		}
	}
	t.Fatalf("no status of %s in %s", path, rec.Body)
	return storeStatusJSON{}
}

func TestLintAtLoad(t *testing.T) {
	unknownAction := strings.Replace(testStore, `"mobiletargeting:Get*", `, `"mobiletargeting:Get*", "mobiletargeting:GetAps", `, 1)
	t.Run("warned", func(t *testing.T) {
		g, w, logs := watchedGateway(t, nil, nil)
		rewrite(t, g.storePath, unknownAction)
		w.poll()
		warns := logs.FilterMessage("store").All()
		if len(warns) != 1 || !strings.Contains(warns[0].ContextMap()["warning"].(string), `policy "ReadOnly" statement 0 (Sid "Read"): Action: action "mobiletargeting:GetAps" matches no known`) {
			t.Fatalf("warnings logged at reload: %v", warns)
		}
		if g.current().version != storeVersion([]byte(unknownAction)) {
			t.Error("a store with warnings was not used")
		}
	})
	t.Run("strict at start", func(t *testing.T) {
		dir := t.TempDir()
		rewrite(t, dir+"/store.json", unknownAction)
		g := &Gateway{Account: testAccount, Store: dir + "/store.json", StrictPolicies: true, StoreWatch: StoreWatchOff}
		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		defer cancel()
		err := g.Provision(ctx)
		defer g.Cleanup()
		if err == nil || !strings.Contains(err.Error(), "GetAps") {
			t.Fatalf("Provision = %v, want strict_policies to refuse the store", err)
		}
	})
}

func TestStoreWatchConcurrentSwaps(t *testing.T) {
	g, _, _ := watchedGateway(t, newFakeUpstream(t), nil)
	stores := [][]byte{[]byte(readerDeniedStore), []byte(testStore)}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	bad := make(chan int, 100)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code := readerGet(t, g); code != http.StatusOK && code != http.StatusForbidden {
					bad <- code
					return
				}
			}
		})
	}
	for i := range 40 {
		if err := g.reloadStore(stores[i%2]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(bad)
	for code := range bad {
		t.Errorf("status %d during swaps, want 200 or 403", code)
	}
}

func TestStoreWatchStops(t *testing.T) {
	g, _ := testGateway(t, nil, func(g *Gateway) { g.StoreWatch = "10ms" })
	if g.stopWatch == nil {
		t.Fatal("no watcher started")
	}
	rewrite(t, g.storePath, readerDeniedStore)
	want := storeVersion([]byte(readerDeniedStore))
	for deadline := time.Now().Add(5 * time.Second); g.current().version != want; {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not load the changed store within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { g.Cleanup(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Cleanup did not stop the watcher")
	}
}

// TestStoreWatchSameSizeAndTime: a rewrite that keeps the size and the
// modification time (within the file system's time granularity) is still
// seen while the file is recently modified.
func TestStoreWatchSameSizeAndTime(t *testing.T) {
	g, w, _ := watchedGateway(t, nil, nil)
	fi, err := os.Stat(g.storePath)
	if err != nil {
		t.Fatal(err)
	}
	same := strings.Replace(testStore, `{"tenant": "b"}`, `{"tenant": "c"}`, 1)
	if len(same) != len(testStore) || same == testStore {
		t.Fatal("the test store changed: fix the replacement")
	}
	rewrite(t, g.storePath, same)
	if err := os.Chtimes(g.storePath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	w.poll()
	if got, want := g.current().version, storeVersion([]byte(same)); got != want {
		t.Fatalf("version %s after a same-size, same-time rewrite, want %s", got, want)
	}
}
