package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The wire tests: what reaches the gateway's socket, as an attacker would
// write it, and what the gateway forwards or spends in answer.

// wireBackend are the credentials of the test store's backend user.
var wireBackend = aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}

// wireRequest is a signed request written byte for byte to a fresh
// connection, so that headers the Go client would rewrite (Connection,
// Transfer-Encoding) reach the gateway as given.
type wireRequest struct {
	rawRequest
	// After are headers set after signing (so not signed), in order.
	After [][2]string
	// QueryAfter, when set, replaces the raw query after signing (the SDK
	// signer re-encodes the query it signs).
	QueryAfter string
	// Trailer, when set, sends the body chunked with these trailers.
	Trailer http.Header
}

// wireSend writes r to the gateway and reads the answer.
func wireSend(t *testing.T, g *gatewayProc, r wireRequest) rawResponse {
	t.Helper()
	target := g.URL + r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	req, err := http.NewRequest(r.Method, target, strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if r.Trailer != nil {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		req.Trailer = r.Trailer
	}
	signRequest(t, req, r.rawRequest)
	for _, kv := range r.After {
		req.Header.Add(kv[0], kv[1])
	}
	if r.QueryAfter != "" {
		req.URL.RawQuery = r.QueryAfter
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(g.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatalf("dialing the gateway: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := req.Write(conn); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// wireDescribePools is an allowed v2 request of the backend user.
func wireDescribePools() wireRequest {
	return wireRequest{rawRequest: rawRequest{
		Method: "POST", Path: "/", Service: "sms-voice", Creds: wireBackend,
		Header: map[string]string{
			"Content-Type": "application/x-amz-json-1.0",
			"X-Amz-Target": "PinpointSMSVoiceV2.DescribePools",
		},
		Body: `{"PoolIds":["` + poolID + `"]}`,
	}}
}

// wireGetApps is an allowed Pinpoint request of the backend user.
func wireGetApps() wireRequest {
	return wireRequest{rawRequest: rawRequest{Method: "GET", Path: "/v1/apps", Service: "mobiletargeting", Creds: wireBackend}}
}

// wireForwardedHeaders are the only request headers the upstream may see:
// the allow-list of module/wire.go, the gateway's own signature headers
// and what Go's client writes itself.
var wireForwardedHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Content-Type": true, "User-Agent": true,
	"X-Amz-Target": true, "Amz-Sdk-Invocation-Id": true, "Amz-Sdk-Request": true,
	"Authorization": true, "X-Amz-Date": true, "X-Amz-Content-Sha256": true, "X-Amz-Security-Token": true,
	"Content-Length": true,
}

// TestWireHeaderGames: a request whose meaning could change between the
// decision and the forward (a Connection header naming an end-to-end header,
// a method override, a content coding) is refused with 400 and nothing
// reaches the upstream; of an allowed request, only the allow-listed headers
// are forwarded.
func TestWireHeaderGames(t *testing.T) {
	e := newEnv(t, nil)

	refused := []struct {
		name string
		req  wireRequest
	}{
		{"Connection names X-Amz-Target", withAfter(wireDescribePools(), "Connection", "X-Amz-Target")},
		{"Connection names Content-Type among standard tokens", withAfter(wireDescribePools(), "Connection", "keep-alive, Content-Type")},
		{"Connection names X-Amz-Date (signed)", withSigned(wireGetApps(), "Connection", "close, x-amz-date")},
		{"Connection names Authorization", withAfter(wireGetApps(), "Connection", "Authorization")},
		{"X-HTTP-Method-Override", withSigned(wireGetApps(), "X-HTTP-Method-Override", "DELETE")},
		{"x-http-method (lower case)", withAfter(wireGetApps(), "x-http-method", "DELETE")},
		{"X-Method-Override", withSigned(wireGetApps(), "X-Method-Override", "PUT")},
		{"Content-Encoding gzip", withSigned(wireDescribePools(), "Content-Encoding", "gzip")},
		{"Content-Encoding identity, gzip", withSigned(wireDescribePools(), "Content-Encoding", "identity, gzip")},
		{"two Content-Type headers", withAfter(wireDescribePools(), "Content-Type", "text/plain")},
		{"query with a semicolon", func() wireRequest {
			r := wireGetApps()
			r.QueryAfter = "page-size=1;token=x"
			return r
		}()},
		{"query with a bad escape", func() wireRequest {
			r := wireGetApps()
			r.QueryAfter = "page-size=%zz"
			return r
		}()},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			resp := wireSend(t, e.g, tc.req)
			if resp.Status != http.StatusBadRequest {
				t.Errorf("status %d, want 400 (body %s)", resp.Status, resp.Body)
			}
			if code, _ := errorCodeOf(resp); code != "BadRequestException" && code != "ValidationException" {
				t.Errorf("error code %q, want BadRequestException or ValidationException (body %s)", code, resp.Body)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Error("no request ID")
			}
			e.assertNothingUpstream(t)
		})
	}

	accepted := []struct {
		name string
		req  wireRequest
		api  string
	}{
		{"standard Connection tokens", withAfter(wireDescribePools(), "Connection", "keep-alive, TE"), "sms-voice-v2"},
		{"Content-Encoding identity", withSigned(wireDescribePools(), "Content-Encoding", "identity"), "sms-voice-v2"},
		{"extra headers are not forwarded", func() wireRequest {
			r := wireGetApps()
			r.Header = map[string]string{
				"X-Amz-Meta-Tenant": "b", "X-Amz-Expected-Bucket-Owner": "999999999999", "X-Custom": "1",
				"Accept": "application/json", "Amz-Sdk-Request": "attempt=1; max=3",
			}
			r.After = [][2]string{{"X-Amzn-Trace-Id", "Root=1-abc"}, {"Cookie", "a=b"}, {"Te", "trailers"},
				{"Via", "1.1 evil"}, {"X-Forwarded-For", "10.0.0.1"}, {"Forwarded", "for=10.0.0.1"}, {"Upgrade", "websocket"},
				// Caddy drops header names with underscores (its server's
				// expected_underscore_headers); the unit test of checkWire
				// refuses this spelling where they arrive.
				{"X_HTTP_Method_Override", "DELETE"}}
			return r
		}(), "pinpoint"},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			resp := wireSend(t, e.g, tc.req)
			if resp.Status != http.StatusOK {
				t.Fatalf("status %d, want 200 (body %s)", resp.Status, resp.Body)
			}
			rec := e.onlyRecord(t, tc.api)
			for k := range rec.Header {
				if !wireForwardedHeaders[k] {
					t.Errorf("upstream received header %s: %q, which is not on the allow-list", k, rec.Header[k])
				}
			}
			if tc.api == "sms-voice-v2" && rec.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.DescribePools" {
				t.Errorf("upstream X-Amz-Target %q, want the one authorized", rec.Header.Get("X-Amz-Target"))
			}
		})
	}
}

// TestWireTrailersNotForwarded: trailers of a chunked request (sent after
// the body, so after any header the gateway could check) never reach the
// upstream.
func TestWireTrailersNotForwarded(t *testing.T) {
	e := newEnv(t, nil)
	var mu sync.Mutex
	var got http.Header
	e.up["sms-voice-v2"].setRespond(func(r *http.Request, body []byte) (string, cannedResponse, bool) {
		mu.Lock()
		got = r.Trailer.Clone()
		mu.Unlock()
		return "", cannedResponse{}, false
	})
	r := wireDescribePools()
	r.Trailer = http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DeletePool"}, "X-Http-Method-Override": {"DELETE"}}
	resp := wireSend(t, e.g, r)
	if resp.Status != http.StatusOK {
		t.Fatalf("status %d, want 200 (body %s)", resp.Status, resp.Body)
	}
	rec := e.onlyRecord(t, "sms-voice-v2")
	mu.Lock()
	defer mu.Unlock()
	if len(got) > 0 {
		t.Errorf("upstream received trailers %v", got)
	}
	if te := rec.Header.Get("Transfer-Encoding"); te != "" || rec.Header.Get("Trailer") != "" {
		t.Errorf("upstream received Transfer-Encoding %q / Trailer %q", te, rec.Header.Get("Trailer"))
	}
}

// withSigned adds a header before signing.
func withSigned(r wireRequest, k, v string) wireRequest {
	h := map[string]string{}
	for hk, hv := range r.Header {
		h[hk] = hv
	}
	h[k] = v
	r.Header = h
	return r
}

// withAfter adds a header after signing.
func withAfter(r wireRequest, k, v string) wireRequest {
	r.After = append(append([][2]string(nil), r.After...), [2]string{k, v})
	return r
}

// wireHalfRequest opens a connection and writes only the head of a request
// that announces a body of contentLength bytes, plus the first sent bytes of
// it, asking for 100-continue so that the gateway's reading of the body is
// visible: the server answers "100 Continue" when the handler starts
// reading. It returns the connection and a reader positioned after the 100
// response.
func wireHalfRequest(t *testing.T, g *gatewayProc, contentLength int, sent string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(g.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatalf("dialing the gateway: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	head := fmt.Sprintf("POST /v1/apps HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", strings.TrimPrefix(g.URL, "http://"), contentLength)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatalf("writing request head: %v", err)
	}
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the interim response: %v", err)
	}
	if !strings.Contains(status, " 100 ") {
		t.Fatalf("interim response %q, want 100 Continue", status)
	}
	for { // the 100 response's (empty) header block
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the interim response: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	if sent != "" {
		if _, err := io.WriteString(conn, sent); err != nil {
			t.Fatalf("writing body bytes: %v", err)
		}
	}
	return conn, br
}

// wireMetric reads one unlabelled series of the admin endpoint's /metrics.
func wireMetric(t *testing.T, g *gatewayProc, name string) float64 {
	t.Helper()
	v := metricValue(t, g, name)
	if v == "" {
		t.Fatalf("no series %s in /metrics", name)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("series %s = %q: %v", name, v, err)
	}
	return f
}

// TestWireIdleBodiesBoundedMemory: connections that announce a body just
// under max_body and send none of it (no authentication can be checked
// before the body is there) must cost the gateway memory in proportion to
// what they sent, not to what they announced. WIRE_IDLE_CONNECTIONS sets
// how many (default 24); the test logs the heap and resident set.
func TestWireIdleBodiesBoundedMemory(t *testing.T) {
	n := 24
	if v := os.Getenv("WIRE_IDLE_CONNECTIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 || n > 5000 {
			t.Fatalf("WIRE_IDLE_CONNECTIONS=%q: want 1..5000", v)
		}
	}
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.MaxBody = "10MiB" })
	const announced = 10<<20 - 1
	heapBefore := wireMetric(t, e.g, "go_memstats_heap_inuse_bytes")
	rssBefore := wireMetric(t, e.g, "process_resident_memory_bytes")

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	sem := make(chan struct{}, 64) // bounded concurrency of the dials
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// (wireHalfRequest's t.Fatalf must not run off the test
			// goroutine.)
			conn, err := net.DialTimeout("tcp", strings.TrimPrefix(e.g.URL, "http://"), 5*time.Second)
			if err != nil {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
			head := fmt.Sprintf("POST /v1/apps HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
				"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", strings.TrimPrefix(e.g.URL, "http://"), announced)
			if _, err := io.WriteString(conn, head); err != nil {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
				return
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err == nil && strings.Contains(line, " 100 ") {
				_, err = io.WriteString(conn, "{") // one byte of the body
			}
			if err != nil || !strings.Contains(line, " 100 ") {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("interim response %q, %v", line, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d connections failed, first: %s", len(failures), n, failures[0])
	}
	// Every handler is now reading its body (it asked for it: 100 Continue).
	heapAfter := wireMetric(t, e.g, "go_memstats_heap_inuse_bytes")
	rssAfter := wireMetric(t, e.g, "process_resident_memory_bytes")
	grew := heapAfter - heapBefore
	t.Logf("%d idle connections announcing %d bytes each: heap in use %.1f -> %.1f MiB, RSS %.1f -> %.1f MiB",
		n, announced, heapBefore/(1<<20), heapAfter/(1<<20), rssBefore/(1<<20), rssAfter/(1<<20))
	// What they sent is a few hundred bytes each; allow 64 KiB a
	// connection for the server's own buffers and the handler's state.
	if limit := float64(n*64<<10 + 8<<20); grew > limit {
		t.Errorf("heap grew by %.1f MiB for %d connections that sent one body byte each, want under %.1f MiB",
			grew/(1<<20), n, limit/(1<<20))
	}
}

// TestWireBodyTimeout: a client that stops sending its body gets 408 once
// body_timeout has passed, and its connection is closed.
func TestWireBodyTimeout(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Extra = "\t\tbody_timeout 1s" })
	conn, br := wireHalfRequest(t, e.g, 100, `{"Name":`)
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer within 15s of a stalled body (body_timeout 1s): %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408 (body %s)", resp.StatusCode, body)
	}
	if code, _ := errorCodeOf(rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}); code != "RequestTimeoutException" {
		t.Errorf("error code %q, want RequestTimeoutException (body %s)", code, body)
	}
	if took > 10*time.Second {
		t.Errorf("answered after %v, want about body_timeout (1s)", took)
	}
	e.assertNothingUpstream(t)
	rec := e.g.waitAudit(t, "the timed-out body", func(r map[string]any) bool {
		return field(r, "request_id") == resp.Header.Get("X-Amzn-Requestid")
	})
	if field(rec, "decision") != "BadRequest" {
		t.Errorf("audit decision %q, want BadRequest", field(rec, "decision"))
	}
	// A well-behaved request on a fresh connection still works: the
	// deadline belongs to the stalled request only.
	if resp := wireSend(t, e.g, wireGetApps()); resp.Status != http.StatusOK {
		t.Errorf("a normal request after the timeout: status %d (body %s)", resp.Status, resp.Body)
	}
}

// TestWireBodyDeadlineDoesNotOutliveTheBody: a body read within
// body_timeout leaves no deadline behind: an upstream slower than
// body_timeout still answers the client, and the keep-alive connection
// serves the next request.
func TestWireBodyDeadlineDoesNotOutliveTheBody(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Extra = "\t\tbody_timeout 1s" })
	e.up["sms-voice-v2"].setRespond(func(r *http.Request, body []byte) (string, cannedResponse, bool) {
		time.Sleep(2 * time.Second) // longer than body_timeout: the upstream's answer time
		return "DescribePools", cannedResponse{Status: 200, Header: map[string]string{"Content-Type": "application/x-amz-json-1.0"}, Body: `{"Pools":[]}`}, true
	})
	cl := &http.Client{Timeout: 30 * time.Second}
	for i := 0; i < 2; i++ { // the second reuses the connection
		r := wireDescribePools().rawRequest
		req, err := http.NewRequest(r.Method, e.g.URL+r.Path, strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range r.Header {
			req.Header.Set(k, v)
		}
		signRequest(t, req, r)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != `{"Pools":[]}` {
			t.Errorf("request %d: status %d body %s, want the upstream's 200", i+1, resp.StatusCode, body)
		}
	}
}

// TestWireMetricLabelsBounded: label values chosen by clients (STS Action
// strings, unknown operations, garbage) never become new metric series.
func TestWireMetricLabelsBounded(t *testing.T) {
	e := newEnv(t, nil)
	c := newQuietCapture()
	// The series the configuration makes (the store's version, the lookup
	// caches, ...) are there before any request; what is bounded here is
	// what requests add.
	before := gatewaySeries(t, e.g)
	for i := 0; i < 50; i++ {
		form := url.Values{"Action": {fmt.Sprintf("Bogus%dAction", i)}, "Version": {"2011-06-15"}}.Encode()
		rawRequest{Method: "POST", Path: "/", Service: "sts", Creds: wireBackend,
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: form}.do(t, e.g, c)
		rawRequest{Method: "POST", Path: "/", Service: "sms-voice", Creds: wireBackend,
			Header: map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": fmt.Sprintf("PinpointSMSVoiceV2.Bogus%d", i)},
			Body:   "{}"}.do(t, e.g, c)
		rawRequest{Method: "GET", Path: fmt.Sprintf("/v1/bogus%d", i), Service: "mobiletargeting", Creds: wireBackend}.do(t, e.g, c)
		rawRequest{Method: "GET", Path: "/v1/apps", Service: fmt.Sprintf("svc%d", i), Creds: wireBackend}.do(t, e.g, c)
	}
	after := gatewaySeries(t, e.g)
	for _, line := range after {
		if strings.Contains(strings.ToLower(line), "bogus") {
			t.Errorf("client-chosen label value in series %s", line)
		}
	}
	// 200 requests in four families of garbage: a handful of new series,
	// not one per distinct string.
	if added := len(after) - len(before); added > 10 {
		t.Errorf("%d pinpoint_gateway series added by 200 garbage requests, want at most 10:\n%s", added, strings.Join(after, "\n"))
	}
}

// gatewaySeries returns the gateway's metric series (the histogram
// buckets of work_seconds excepted) from the admin API's /metrics.
func gatewaySeries(t *testing.T, g *gatewayProc) []string {
	t.Helper()
	resp, err := http.Get(g.AdminURL + "/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var series []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "pinpoint_gateway_") && !strings.HasPrefix(line, "pinpoint_gateway_work_seconds_bucket") {
			series = append(series, line)
		}
	}
	return series
}

// TestWireUpstreamFailuresHideAddresses: a failed forward answers 502 or
// 504 with the request ID and nothing of the upstream's address or the
// network error; the audit record keeps the detail.
func TestWireUpstreamFailuresHideAddresses(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close() // nothing listens there any more
	// A listener that accepts and hangs up at once.
	rude, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rude.Close() })
	go func() {
		for i := 0; i < 1000; i++ { // bounded: the test sends a handful of requests
			c, err := rude.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Endpoints["pinpoint"] = "http://" + dead
		cfg.Endpoints["sms-voice-v2"] = "http://" + rude.Addr().String()
	})
	for _, tc := range []struct {
		name string
		req  wireRequest
		addr string
	}{
		{"connection refused", wireGetApps(), dead},
		{"connection closed", wireDescribePools(), rude.Addr().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := wireSend(t, e.g, tc.req)
			if resp.Status != http.StatusBadGateway {
				t.Fatalf("status %d, want 502 (body %s)", resp.Status, resp.Body)
			}
			id := resp.Header.Get("X-Amzn-Requestid")
			if id == "" || !strings.Contains(string(resp.Body), id) {
				t.Errorf("request ID %q missing from the body %s", id, resp.Body)
			}
			host, port, _ := net.SplitHostPort(tc.addr)
			for _, leak := range []string{host, port, "dial", "tcp", "EOF", "http://"} {
				if strings.Contains(string(resp.Body), leak) {
					t.Errorf("the answer reveals %q: %s", leak, resp.Body)
				}
			}
			rec := e.g.waitAudit(t, "the failed forward", func(r map[string]any) bool { return field(r, "request_id") == id })
			if detail := field(rec, "upstream_error"); detail == "" {
				t.Errorf("audit record %v lacks the upstream error's detail", rec)
			}
		})
	}
}

// TestWireFramingGames: bodies framed ambiguously (request smuggling
// shapes) are refused before the gateway reads them, so nothing is decided
// on one reading and forwarded on another. Go's server does the refusing;
// the test keeps it that way. (Chunked with a Content-Length is read as
// chunked alone, as RFC 9112 section 6.3 allows, Content-Length removed;
// the gateway forwards what it read with its own Content-Length.)
func TestWireFramingGames(t *testing.T) {
	e := newEnv(t, nil)
	host := strings.TrimPrefix(e.g.URL, "http://")
	for name, raw := range map[string]string{
		"gzip, chunked": "POST /v1/apps HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
			"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"identity transfer coding": "POST /v1/apps HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
			"Transfer-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}",
		"two Content-Lengths": "POST /v1/apps HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
			"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}",
		"Content-Length with a sign": "POST /v1/apps HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
			"Content-Length: +2\r\n\r\n{}",
	} {
		t.Run(name, func(t *testing.T) {
			e.reset()
			conn, err := net.DialTimeout("tcp", host, 5*time.Second)
			if err != nil {
				t.Fatalf("dialing: %v", err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
			if _, err := io.WriteString(conn, raw); err != nil {
				t.Fatalf("writing: %v", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotImplemented {
				t.Errorf("status %d, want 400 or 501", resp.StatusCode)
			}
			e.assertNothingUpstream(t)
		})
	}
}
