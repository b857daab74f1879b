package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/smithy-go"
)

// storePath is the store file the running config reads (the harness
// writes store-N.json for the Nth config).
func (g *gatewayProc) storePath() string {
	return filepath.Join(g.dir, fmt.Sprintf("store-%d.json", g.storeSeq))
}

// rewriteStore replaces the content of the running config's store file in
// place, as an operator's editor or a deployment tool does.
func (g *gatewayProc) rewriteStore(t *testing.T, data []byte) {
	t.Helper()
	if err := os.WriteFile(g.storePath(), data, 0o600); err != nil {
		t.Fatalf("rewriting the store: %v", err)
	}
}

// waitLog polls the gateway's log until a line contains every one of
// want, within the deadline; it returns the line.
func (g *gatewayProc) waitLog(t *testing.T, within time.Duration, want ...string) (string, bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, line := range strings.Split(g.Log.String(), "\n") {
			all := true
			for _, w := range want {
				all = all && strings.Contains(line, w)
			}
			if all {
				return line, true
			}
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// storeVersionOf is the gateway's name of a store's bytes.
func storeVersionOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// watchedStore is version v of the test store, in which the backend user
// may call GetApps or not; its bytes differ for every v. Its policies have
// no lint warning (strict_policies accepts it).
func watchedStore(t *testing.T, v int, allowGetApps bool) obj {
	s := testStore()
	delete(s["policies"].(obj), "SegmentsToo") // unattached: a warning
	users := s["users"].([]obj)
	users[0]["tags"] = obj{"team": "blue", "version": fmt.Sprint(v)}
	if !allowGetApps {
		users[0]["policies"] = append(users[0]["policies"].([]string), "NoGetApps")
		s["policies"].(obj)["NoGetApps"] = obj{"Version": "2012-10-17", "Statement": []obj{
			{"Sid": "NoGetApps", "Effect": "Deny", "Action": "mobiletargeting:GetApps", "Resource": "*"}}}
	}
	return s
}

// badStore returns a broken variant of s (kind 0..3) and what the error
// logged for it must contain: a syntax error and an unknown field with
// their file:line:column, a bad policy with its policy, statement and
// field, a lint warning (refused by strict_policies) with its policy and
// statement.
func badStore(t *testing.T, s obj, kind int, path string) ([]byte, []string) {
	switch kind {
	case 0:
		good := storeJSON(t, s)
		return append([]byte("{,"), good[1:]...), []string{filepath.Base(path) + ":1:2: ", "invalid character ','"}
	case 1:
		s["polices"] = obj{}
		data := storeJSON(t, s)
		line, col := lineCol(data, bytes.Index(data, []byte(`"polices"`)))
		return data, []string{fmt.Sprintf("%s:%d:%d: ", filepath.Base(path), line, col), `unknown field \"polices\"`}
	case 2:
		s["policies"].(obj)["Broken"] = obj{"Version": "2012-10-17", "Statement": []obj{
			{"Sid": "Typo", "Effect": "Permit", "Action": "mobiletargeting:GetApp", "Resource": "*"}}}
		return storeJSON(t, s), []string{`policy \"Broken\"`, "statement 0", "Effect"}
	default:
		st := s["policies"].(obj)["PinpointOps"].(obj)["Statement"].([]obj)
		st[0]["Action"] = append(st[0]["Action"].([]string), "mobiletargeting:GetAps")
		return storeJSON(t, s), []string{"strict_policies", `policy \"PinpointOps\" statement 0`, `mobiletargeting:GetAps\" matches no known`}
	}
}

// lineCol is the 1-based line and column of byte offset off of data.
func lineCol(data []byte, off int) (int, int) {
	before := data[:off]
	return 1 + bytes.Count(before, []byte("\n")), off - bytes.LastIndexByte(before, '\n')
}

// outcome is one GetApps call of a worker.
type outcome struct {
	start, end time.Time
	allowed    bool
}

// TestStoreEditUnderLoad: the store file is edited every 2 s during 30 s of
// requests from 8 workers, one version in four broken (a syntax error, an
// unknown field, a bad policy, a lint warning under strict_policies), with
// the watcher at its default interval. No request fails: every answer is
// the decision of a good version (allowed or AccessDenied, never a 5xx or a
// connection error); each good version is seen within 2 s of its write;
// each bad one is refused with where it is broken in the log, and changes
// nothing.
func TestStoreEditUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	const (
		workers   = 8
		runFor    = 30 * time.Second
		interval  = 2 * time.Second
		seeWithin = 2 * time.Second
	)
	e := newEnv(t, func(c *gatewayConfig) {
		c.Store = storeJSON(t, watchedStore(t, 0, true))
		c.Extra = "\t\tstrict_policies"
	})
	ctx, cancel := context.WithTimeout(context.Background(), runFor+30*time.Second)
	defer cancel()

	var mu sync.Mutex
	var outcomes []outcome
	var failures []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			pp := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), newQuietCapture())
			var mine []outcome
			var bad []string
			defer func() {
				mu.Lock()
				outcomes = append(outcomes, mine...)
				failures = append(failures, bad...)
				mu.Unlock()
			}()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				_, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{})
				o := outcome{start: start, end: time.Now(), allowed: err == nil}
				var ae smithy.APIError
				if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException") {
					if len(bad) < 5 {
						bad = append(bad, fmt.Sprintf("worker %d request %d: %v", w, i, err))
					}
					continue
				}
				mine = append(mine, o)
			}
		})
	}

	// The edits: good versions alternate allowing and denying GetApps, so
	// that each one's effect is visible; every fourth edit is broken.
	type goodVersion struct {
		written time.Time
		allowed bool
		version string
	}
	goods := []goodVersion{{written: time.Now().Add(-time.Hour), allowed: true, version: storeVersionOf(e.cfg.Store)}}
	type badVersion struct {
		kind int
		want []string
	}
	var bads []badVersion
	allowed := true
	deadline := time.Now().Add(runFor)
	for v := 1; time.Now().Add(interval).Before(deadline); v++ {
		time.Sleep(interval) // the edit cadence under test, not a readiness wait
		// Edits 2, 6, 10, 14 are broken: one in four, each kind once in 30 s.
		if v%4 == 2 {
			kind := (v / 4) % 4
			data, want := badStore(t, watchedStore(t, v, allowed), kind, e.g.storePath())
			e.g.rewriteStore(t, data)
			bads = append(bads, badVersion{kind: kind, want: append(want, "store not loaded", storeVersionOf(data))})
			continue
		}
		allowed = !allowed
		data := storeJSON(t, watchedStore(t, v, allowed))
		goods = append(goods, goodVersion{written: time.Now(), allowed: allowed, version: storeVersionOf(data)})
		e.g.rewriteStore(t, data)
	}
	time.Sleep(interval) // let the last version be seen under load
	close(stop)
	wg.Wait()

	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].end.Before(outcomes[j].end) })
	t.Logf("%d answers, %d failures, %d good versions, %d bad ones", len(outcomes), len(failures), len(goods)-1, len(bads))
	if len(failures) > 0 {
		t.Errorf("requests failed: %v", failures)
	}
	if len(outcomes) < 200 || len(goods) < 10 || len(bads) < 4 {
		t.Fatalf("too little exercised: %d answers, %d good versions, %d bad", len(outcomes), len(goods)-1, len(bads))
	}

	// Each good version: seen within seeWithin of its write (the first
	// answer with its decision that started after the write), and from
	// then until the next good write every answer that started after it
	// was seen has its decision (the bad versions between changed nothing).
	var worst time.Duration
	for k := 1; k < len(goods); k++ {
		g := goods[k]
		next := deadline.Add(time.Hour)
		if k+1 < len(goods) {
			next = goods[k+1].written
		}
		var seen time.Time
		for _, o := range outcomes {
			if o.start.After(g.written) && o.allowed == g.allowed {
				seen = o.end
				break
			}
		}
		if seen.IsZero() {
			t.Errorf("version %d (%s, GetApps allowed %v) never seen", k, g.version, g.allowed)
			continue
		}
		lat := seen.Sub(g.written)
		worst = max(worst, lat)
		if lat > seeWithin {
			t.Errorf("version %d (%s) first seen %v after its write, want within %v", k, g.version, lat, seeWithin)
		}
		for _, o := range outcomes {
			if o.start.After(seen) && o.end.Before(next) && o.allowed != g.allowed {
				t.Errorf("version %d (%s): an answer started %v after it was seen decided as another version", k, g.version, o.start.Sub(seen))
				break
			}
		}
	}
	t.Logf("slowest good version seen %v after its write", worst)

	// Each bad version was refused, saying where.
	for _, b := range bads {
		if line, ok := e.g.waitLog(t, 5*time.Second, b.want...); !ok {
			t.Errorf("bad version of kind %d: no log line with %q", b.kind, b.want)
		} else {
			t.Logf("bad version of kind %d refused: %.300s", b.kind, line)
		}
	}

	// The admin API shows the version in use and the last load result.
	last := goods[len(goods)-1]
	st := adminStores(t, e.g)
	if len(st) != 1 || st[0]["version"] != last.version || st[0]["path"] != e.g.storePath() {
		t.Errorf("GET /pinpoint-gateway/stores = %v, want version %s of %s", st, last.version, e.g.storePath())
	}
	metrics := adminGet(t, e.g, "/metrics")
	for _, want := range []string{
		fmt.Sprintf(`pinpoint_gateway_store_info{store=%q,version=%q} 1`, e.g.storePath(), last.version),
		`pinpoint_gateway_store_loads_total{result="error"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if n := strings.Count(metrics, "pinpoint_gateway_store_info{"); n != 1 {
		t.Errorf("/metrics has %d store_info series, want 1", n)
	}
}

// TestStoreReloadForce: with the watcher off, `gateway reload` of an
// unchanged Caddyfile keeps the old store (Caddy sees no config change),
// and `gateway reload --force` loads the changed store file.
func TestStoreReloadForce(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	e := newEnv(t, func(c *gatewayConfig) {
		c.Store = storeJSON(t, watchedStore(t, 0, true))
		c.Extra = "\t\tstore_watch off"
	})
	pp := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), newCapture())
	ctx := context.Background()
	if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
		t.Fatalf("GetApps before the change: %v", err)
	}
	denied := storeJSON(t, watchedStore(t, 1, false))
	e.g.rewriteStore(t, denied)
	reload := func(args ...string) {
		t.Helper()
		cmd := exec.Command(requireBinary(t), append([]string{"reload", "--config", filepath.Join(e.g.dir, "Caddyfile"),
			"--adapter", "caddyfile", "--address", strings.TrimPrefix(e.g.AdminURL, "http://")}, args...)...)
		cmd.Dir = e.g.dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.g.dir}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gateway reload %v: %v\n%s", args, err, out)
		}
	}
	reload()
	if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
		t.Errorf("GetApps after reload without --force: %v (the watcher is off: the old store should stay)", err)
	}
	reload("--force")
	if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err == nil {
		t.Errorf("GetApps allowed after reload --force of a store that denies it")
	}
	if st := adminStores(t, e.g); len(st) != 1 || st[0]["version"] != storeVersionOf(denied) {
		t.Errorf("GET /pinpoint-gateway/stores = %v, want version %s", st, storeVersionOf(denied))
	}
}

// adminGet returns the body of a GET of the admin API.
func adminGet(t *testing.T, g *gatewayProc, path string) string {
	t.Helper()
	resp, err := http.Get(g.AdminURL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}

// adminStores returns the answer of GET /pinpoint-gateway/stores.
func adminStores(t *testing.T, g *gatewayProc) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(adminGet(t, g, "/pinpoint-gateway/stores")), &out); err != nil {
		t.Fatalf("decoding /pinpoint-gateway/stores: %v", err)
	}
	return out
}
