package module

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/lookup"
)

// TestForwardResigns checks that an allowed call reaches the upstream
// re-signed with the upstream credentials, without any of the client's
// credentials, with the exact body, and that the answer comes back as is.
func TestForwardResigns(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)

	cases := map[string]struct {
		method, target, service string
		header                  http.Header
		body                    string
		wantURI                 string
	}{
		"pinpoint GET with query": {
			method: "GET", target: "http://gw.example/v1/apps?page-size=5&token=abc", service: "mobiletargeting",
			wantURI: "/v1/apps?page-size=5&token=abc",
		},
		"pinpoint escaped ARN path": {
			method: "GET", target: "http://gw.example/v1/tags/" + strings.ReplaceAll(strings.ReplaceAll(otherAppARN, ":", "%3A"), "/", "%2F"),
			service: "mobiletargeting",
		},
		"sms-voice-v2 JSON 1.0": {
			method: "POST", target: "http://gw.example/", service: "sms-voice",
			header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}, "Content-Type": {"application/x-amz-json-1.0"}},
			body:   `{"MaxResults":5}`, wantURI: "/",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(up.received())
			r := signedRequest(t, tc.method, tc.target, tc.service, "us-east-1", adminKeyID, adminSecret, tc.header, []byte(tc.body))
			r.Header.Set("X-Forwarded-For", "10.9.9.9")
			// Off the forward allow-list: dropped. (A Connection header
			// naming it is refused: TestCheckWire.)
			r.Header.Set("Connection", "keep-alive")
			r.Header.Set("X-Secret-Hop", "1")
			w := serve(g, r)
			if w.Code != http.StatusOK || w.Body.String() != upstreamBody {
				t.Fatalf("status %d body %q, want 200 and the upstream's body", w.Code, w.Body.String())
			}
			if w.Header().Get("X-Upstream") != "yes" || w.Header().Get("X-Amzn-Requestid") != "upstream-request-id" {
				t.Errorf("response headers %v lack the upstream's", w.Header())
			}
			got := up.received()
			if len(got) != before+1 {
				t.Fatalf("upstream got %d requests, want 1", len(got)-before)
			}
			rec := got[len(got)-1]
			if errs := up.signatureErrors(); len(errs) > 0 {
				t.Fatalf("upstream signature: %v", errs)
			}
			if string(rec.body) != tc.body {
				t.Errorf("upstream body %q, want %q", rec.body, tc.body)
			}
			if tc.wantURI != "" && rec.uri != tc.wantURI {
				t.Errorf("upstream URI %q, want %q", rec.uri, tc.wantURI)
			}
			if !strings.HasPrefix(tc.target, "http://gw.example"+rec.uri) && tc.wantURI == "" {
				t.Errorf("upstream URI %q is not the client's path of %q", rec.uri, tc.target)
			}
			if rec.host != strings.TrimPrefix(up.URL, "http://") {
				t.Errorf("upstream Host %q, want %q", rec.host, up.URL)
			}
			for k, vs := range rec.header {
				for _, v := range vs {
					if strings.Contains(v, adminKeyID) || strings.Contains(v, adminSecret) {
						t.Errorf("client credential leaked upstream in %s: %q", k, v)
					}
				}
			}
			for _, h := range []string{"X-Forwarded-For", "X-Secret-Hop", "X-Amz-Content-Sha256", "Accept-Encoding"} {
				if v := rec.header.Get(h); v != "" {
					t.Errorf("upstream got %s: %q", h, v)
				}
			}
			if !strings.Contains(rec.header.Get("Authorization"), "/us-east-1/"+tc.service+"/aws4_request") {
				t.Errorf("upstream scope %q, want region us-east-1 and service %s", rec.header.Get("Authorization"), tc.service)
			}
		})
	}
	recs := auditRecords(logs)
	if len(recs) != len(cases) {
		t.Fatalf("%d audit records, want %d", len(recs), len(cases))
	}
	for _, rec := range recs {
		if rec["decision"] != "Allow" || rec["upstream_status"] != int64(200) || rec["principal_arn"] != "arn:aws:iam::123456789012:user/admin" {
			t.Errorf("audit record %v, want Allow, upstream 200, admin", rec)
		}
	}
}

// TestDenials checks the AWS wire format of denials per protocol, and that
// nothing reaches the upstream.
func TestDenials(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)

	cases := map[string]struct {
		r        func() *http.Request
		status   int
		code     string
		msg      string
		decision string
		restJSON bool
		keyID    string
	}{
		"rest-json implicit deny": {
			r: func() *http.Request {
				return signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
			},
			status: 403, code: "AccessDeniedException", restJSON: true, decision: "ImplicitDeny",
			msg: "User: arn:aws:iam::123456789012:user/reader is not authorized to perform: mobiletargeting:DeleteApp on resource: " + testAppARN + " because no identity-based policy allows the mobiletargeting:DeleteApp action",
		},
		"rest-json explicit deny by resource tag": {
			r: func() *http.Request {
				return signedRequest(t, "GET", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, nil)
			},
			status: 403, code: "AccessDeniedException", restJSON: true, decision: "ExplicitDeny",
			msg: "with an explicit deny in an identity-based policy",
		},
		"json 1.0 deny": {
			r: func() *http.Request {
				return signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", readerKeyID, readerSecret,
					http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DeletePool"}, "Content-Type": {"application/x-amz-json-1.0"}},
					[]byte(`{"PoolId":"pool-123"}`))
			},
			status: 403, code: "AccessDeniedException", decision: "ImplicitDeny",
			msg: "is not authorized to perform: sms-voice:DeletePool",
		},
		"unknown operation": {
			r: func() *http.Request {
				return signedRequest(t, "GET", "http://gw/v1/nonsense", "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, nil)
			},
			status: 403, code: "AccessDeniedException", restJSON: true, decision: "ImplicitDeny", msg: "does not recognize",
		},
		"region outside the partition": {
			r: func() *http.Request {
				return signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "cn-north-1", adminKeyID, adminSecret, nil, nil)
			},
			status: 403, code: "AccessDeniedException", restJSON: true, decision: "ImplicitDeny", msg: "region cn-north-1",
		},
		"bad signature": {
			r: func() *http.Request {
				r := signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, "wrong-secret", nil, nil)
				return r
			},
			status: 403, code: "InvalidSignatureException", restJSON: true, decision: "Unauthenticated", keyID: readerKeyID,
		},
		"unknown key": {
			r: func() *http.Request {
				return signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", "AKIAUNKNOWNKEY000001", readerSecret, nil, nil)
			},
			status: 403, code: "UnrecognizedClientException", restJSON: true, decision: "Unauthenticated", keyID: "AKIAUNKNOWNKEY000001",
		},
		"unsigned": {
			r: func() *http.Request {
				return httptest.NewRequest("GET", "http://gw/v1/apps", nil)
			},
			status: 403, restJSON: true, decision: "Unauthenticated",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			logs.TakeAll()
			w := serve(g, tc.r())
			if w.Code != tc.status {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body.String(), tc.status)
			}
			reqID := w.Header().Get("X-Amzn-Requestid")
			if reqID == "" {
				t.Error("no x-amzn-RequestId")
			}
			var body struct{ Type, Message, RequestID string }
			raw := w.Body.Bytes()
			if err := json.Unmarshal([]byte(strings.Replace(string(raw), `"__type"`, `"Type"`, 1)), &body); err != nil {
				t.Fatalf("body %q: %v", raw, err)
			}
			code := body.Type
			if tc.restJSON {
				code = w.Header().Get("X-Amzn-Errortype")
				if body.RequestID != reqID {
					t.Errorf("body RequestID %q, header %q", body.RequestID, reqID)
				}
			}
			if tc.code != "" && code != tc.code {
				t.Errorf("error code %q, want %q", code, tc.code)
			}
			if !strings.Contains(body.Message, tc.msg) {
				t.Errorf("message %q, want it to contain %q", body.Message, tc.msg)
			}
			recs := auditRecords(logs)
			if len(recs) != 1 || recs[0]["decision"] != tc.decision || recs[0]["request_id"] != reqID {
				t.Fatalf("audit %v, want one record with decision %s and request ID %s", recs, tc.decision, reqID)
			}
			if tc.keyID != "" && recs[0]["access_key_id"] != tc.keyID {
				t.Errorf("audit access_key_id %v, want %s", recs[0]["access_key_id"], tc.keyID)
			}
		})
	}
	if n := len(up.received()); n != 0 {
		t.Errorf("upstream got %d requests for denied calls, want 0", n)
	}
}

// TestBodyLimit checks 413 for declared and for streamed oversized bodies.
func TestBodyLimit(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, func(g *Gateway) { g.MaxBody = 64 })
	big := []byte(`{"Name":"` + strings.Repeat("x", 100) + `"}`)

	t.Run("declared length", func(t *testing.T) {
		r := signedRequest(t, "POST", "http://gw/v1/apps", "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, big)
		if w := serve(g, r); w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("X-Amzn-Errortype") != "PayloadTooLargeException" {
			t.Errorf("status %d type %q, want 413 PayloadTooLargeException", w.Code, w.Header().Get("X-Amzn-Errortype"))
		}
	})
	t.Run("chunked", func(t *testing.T) {
		r := signedRequest(t, "POST", "http://gw/v1/apps", "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, big)
		r.ContentLength = -1
		r.Body = io.NopCloser(strings.NewReader(string(big)))
		if w := serve(g, r); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", w.Code)
		}
	})
	if n := len(up.received()); n != 0 {
		t.Errorf("upstream got %d requests, want 0", n)
	}
	for _, rec := range auditRecords(logs) {
		if rec["decision"] != "BadRequest" || rec["access_key_id"] != nil {
			t.Errorf("audit %v, want BadRequest before authentication", rec)
		}
	}
}

// TestDryRun checks that dry_run forwards a denied call and audits it as
// would deny.
func TestDryRun(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, func(g *Gateway) { g.Mode = ModeDryRun })
	r := signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
	w := serve(g, r)
	if w.Code != http.StatusOK || len(up.received()) != 1 {
		t.Fatalf("status %d, upstream got %d, want 200 and 1", w.Code, len(up.received()))
	}
	recs := auditRecords(logs)
	if len(recs) != 1 {
		t.Fatalf("%d audit records", len(recs))
	}
	rec := recs[0]
	if rec["decision"] != "ImplicitDeny" || rec["mode"] != "dry_run" || !strings.HasPrefix(fmt.Sprint(rec["reason"]), "would deny: ") {
		t.Errorf("audit %v, want ImplicitDeny, dry_run, reason would deny", rec)
	}
}

// TestUpstreamFailures checks 502 and 504 answers with the request ID.
func TestUpstreamFailures(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL
		dead.Close()
		g, logs := testGateway(t, nil, func(g *Gateway) { g.Endpoint = map[string]string{"pinpoint": url} })
		r := signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
		w := serve(g, r)
		id := w.Header().Get("X-Amzn-Requestid")
		if w.Code != http.StatusBadGateway || id == "" || !strings.Contains(w.Body.String(), id) {
			t.Errorf("status %d body %s, want 502 naming request ID %s", w.Code, w.Body.String(), id)
		}
		if recs := auditRecords(logs); len(recs) != 1 || recs[0]["upstream_status"] != int64(502) || recs[0]["decision"] != "Allow" {
			t.Errorf("audit %v, want Allow with upstream_status 502", recs)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		up := newFakeUpstream(t)
		up.delay = 500 * time.Millisecond
		g, _ := testGateway(t, up, func(g *Gateway) { g.UpstreamTimeout = caddyDuration(100 * time.Millisecond) })
		r := signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
		w := serve(g, r)
		if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), w.Header().Get("X-Amzn-Requestid")) {
			t.Errorf("status %d body %s, want 504 with the request ID", w.Code, w.Body.String())
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		up := newFakeUpstream(t)
		g, _ := testGateway(t, up, nil)
		g.creds = failingCredentials{}
		r := signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
		w := serve(g, r)
		if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), "no upstream AWS credentials") {
			t.Errorf("status %d body %s, want 502 saying why", w.Code, w.Body.String())
		}
		if len(up.received()) != 0 {
			t.Error("upstream reached without credentials")
		}
	})
}

// TestSTSLocal checks that sts requests are answered by the local STS.
func TestSTSLocal(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	r := signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", readerKeyID, readerSecret,
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body)
	w := serve(g, r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<Arn>arn:aws:iam::123456789012:user/reader</Arn>") {
		t.Fatalf("status %d body %s, want the caller's ARN", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	if recs := auditRecords(logs); len(recs) != 1 || recs[0]["api"] != "sts" || recs[0]["operation"] != "GetCallerIdentity" {
		t.Errorf("audit %v", recs)
	}
	if len(up.received()) != 0 {
		t.Error("STS request forwarded upstream")
	}
}

// TestAuditHasNoSecrets runs allowed, denied and failed calls and checks
// that no secret or signature appears in any audit field.
func TestAuditHasNoSecrets(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	var sigs []string
	for _, r := range []*http.Request{
		signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil),
		signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil),
		signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, "bad", nil, nil),
	} {
		_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
		sigs = append(sigs, sig)
		serve(g, r)
	}
	all, err := json.Marshal(auditRecords(logs))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range append(sigs, readerSecret, upstreamSecret, testSessionKey) {
		if strings.Contains(string(all), secret) {
			t.Errorf("audit log contains secret %q", secret)
		}
	}
	if !strings.Contains(string(all), readerKeyID) {
		t.Error("audit log lacks the access key ID")
	}
}

// TestPresignedForward checks that a presigned client request is forwarded
// without its presign parameters, re-signed in the header.
func TestPresignedForward(t *testing.T) {
	up := newFakeUpstream(t)
	g, _ := testGateway(t, up, nil)
	r := httptest.NewRequest("GET", "http://gw.example/v1/apps?page-size=3&X-Amz-Expires=300", nil)
	uri, hdr, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: readerKeyID, SecretAccessKey: readerSecret}, r,
		authn.EmptyPayloadHash, "mobiletargeting", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pr := httptest.NewRequest("GET", uri, nil)
	for k, v := range hdr {
		pr.Header[k] = v
	}
	w := serve(g, pr)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d body %s", w.Code, w.Body.String())
	}
	got := up.received()
	if len(got) != 1 {
		t.Fatalf("upstream got %d requests", len(got))
	}
	if got[0].uri != "/v1/apps?page-size=3" {
		t.Errorf("upstream URI %q, want the presign parameters removed", got[0].uri)
	}
	if errs := up.signatureErrors(); len(errs) > 0 {
		t.Errorf("upstream signature: %v", errs)
	}
}

// TestMetrics checks the decision counter.
func TestMetrics(t *testing.T) {
	up := newFakeUpstream(t)
	g, _ := testGateway(t, up, nil)
	for range 3 {
		serve(g, signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil))
	}
	serve(g, signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil))
	if n := counterValue(t, g.metrics.Decisions().WithLabelValues("pinpoint", "mobiletargeting:GetApps", "Allow")); n != 3 {
		t.Errorf("Allow GetApps = %v, want 3", n)
	}
	if n := counterValue(t, g.metrics.Decisions().WithLabelValues("pinpoint", "mobiletargeting:DeleteApp", "ImplicitDeny")); n != 1 {
		t.Errorf("ImplicitDeny DeleteApp = %v, want 1", n)
	}
	var m dto.Metric
	if err := g.metrics.Work().WithLabelValues("pinpoint").(prometheus.Histogram).Write(&m); err != nil {
		t.Fatal(err)
	}
	if n := m.GetHistogram().GetSampleCount(); n != 4 {
		t.Errorf("work histogram count = %d, want 4", n)
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// unavailableTags is a resource tag source whose lookups all fail.
type unavailableTags struct{}

func (unavailableTags) ResourceTags(context.Context, string, *authz.Input, *int) (map[string]string, lookup.TagStatus) {
	return nil, lookup.TagsUnavailable
}

// TestResourceTagsUnavailable checks that unavailable resource tags deny a
// decision that a statement reading them can take part in (admin's
// NoTenantB Deny must not stop applying), and are named in the audit
// record.
func TestResourceTagsUnavailable(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	// With the store's tags (tenant b), admin's NoTenantB statement denies.
	if w := serve(g, signedRequest(t, "GET", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, nil)); w.Code != 403 {
		t.Fatalf("with store tags: status %d, want 403", w.Code)
	}
	logs.TakeAll()
	useTags(g, unavailableTags{})
	// Without them the Deny could not apply: the gateway denies.
	if w := serve(g, signedRequest(t, "GET", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, nil)); w.Code != 403 {
		t.Fatalf("tags unavailable: status %d, want 403", w.Code)
	}
	recs := auditRecords(logs)
	if len(recs) != 1 {
		t.Fatalf("%d audit records", len(recs))
	}
	if got := fmt.Sprint(recs[0]["resource_tags_unavailable"]); got != "["+testAppARN+"]" {
		t.Errorf("resource_tags_unavailable = %s, want [%s]", got, testAppARN)
	}
}

// TestDryRunKeepsRegionAllowList checks that dry_run never forwards to a
// region outside the allow-list (the region names the upstream host).
func TestDryRunKeepsRegionAllowList(t *testing.T) {
	up := newFakeUpstream(t)
	g, _ := testGateway(t, up, func(g *Gateway) {
		g.Mode = ModeDryRun
		g.Regions = []string{"us-east-1"}
		g.Endpoint = nil // the default, region-named hosts
	})
	for _, region := range []string{"eu-west-1", "evil.example#", "cn-north-1"} {
		t.Run(region, func(t *testing.T) {
			r := signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", region, adminKeyID, adminSecret, nil, nil)
			if w := serve(g, r); w.Code != http.StatusForbidden && w.Code != http.StatusBadRequest {
				t.Errorf("status %d (%s), want 403", w.Code, w.Body.String())
			}
		})
	}
}

// TestConcurrentRequests runs allowed and denied calls from several
// goroutines through one gateway (for -race and the pooled state): every
// answer must match its own request.
func TestConcurrentRequests(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	const workers, each = 8, 25
	errs := make(chan string, workers*each)
	done := make(chan struct{})
	for i := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range each {
				allow := (i+j)%2 == 0
				var r *http.Request
				if allow {
					r = signedRequest(t, "GET", "http://gw/v1/apps?page-size="+fmt.Sprint(j), "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
				} else {
					r = signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
				}
				w := serve(g, r)
				switch {
				case allow && (w.Code != 200 || w.Body.String() != upstreamBody):
					errs <- fmt.Sprintf("allowed call: %d %s", w.Code, w.Body.String())
				case !allow && (w.Code != 403 || !strings.Contains(w.Body.String(), "mobiletargeting:DeleteApp")):
					errs <- fmt.Sprintf("denied call: %d %s", w.Code, w.Body.String())
				}
			}
		}()
	}
	for range workers {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(up.received()); n != workers*each/2 {
		t.Errorf("upstream got %d requests, want %d", n, workers*each/2)
	}
	if errs := up.signatureErrors(); len(errs) > 0 {
		t.Errorf("upstream signatures: %v", errs[0])
	}
	if n := logs.Len(); n != workers*each {
		t.Errorf("%d audit records, want %d", n, workers*each)
	}
}

// TestUnresolvedOriginationIdentity checks that a v2 call naming a phone
// number (which only an upstream lookup could turn into an ARN) is denied
// under origination_lookup off: fail closed.
func TestUnresolvedOriginationIdentity(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, func(g *Gateway) { g.OriginationLookup = OriginationLookupOff })
	r := signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", adminKeyID, adminSecret,
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.SendTextMessage"}, "Content-Type": {"application/x-amz-json-1.0"}},
		[]byte(`{"DestinationPhoneNumber":"+12065550199","OriginationIdentity":"+12065550100","MessageBody":"hi"}`))
	w := serve(g, r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "cannot resolve") {
		t.Fatalf("status %d body %s, want 403 naming the unresolved identity", w.Code, w.Body.String())
	}
	if len(up.received()) != 0 {
		t.Error("forwarded")
	}
	if recs := auditRecords(logs); len(recs) != 1 || recs[0]["decision"] != "ImplicitDeny" {
		t.Errorf("audit %v", recs)
	}
}

// TestUnsignedPayloadForwardsRealHash: with allow_unsigned_payload, over TLS, a client
// body signed as UNSIGNED-PAYLOAD is forwarded re-signed over its real
// SHA-256 (the fake upstream checks the signature against the body it got);
// without the option the request is refused and nothing is forwarded.
func TestUnsignedPayloadForwardsRealHash(t *testing.T) {
	const body = `{"MaxResults":7}`
	unsigned := func(t *testing.T) *http.Request {
		r := httptest.NewRequest("POST", "http://gw.example/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2.DescribePools")
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		r.Header.Set("X-Amz-Content-Sha256", authn.UnsignedPayload)
		creds := aws.Credentials{AccessKeyID: adminKeyID, SecretAccessKey: adminSecret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, authn.UnsignedPayload, "sms-voice", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("allowed", func(t *testing.T) {
		up := newFakeUpstream(t)
		g, _ := testGateway(t, up, func(g *Gateway) { g.AllowUnsignedPayload = true })
		r := unsigned(t)
		r.TLS = &tls.ConnectionState{HandshakeComplete: true}
		if w := serve(g, r); w.Code != http.StatusOK {
			t.Fatalf("status %d (%s), want 200", w.Code, w.Body.String())
		}
		got := up.received()
		if len(got) != 1 || string(got[0].body) != body {
			t.Fatalf("upstream got %d requests (%v), want the body %q once", len(got), got, body)
		}
		if errs := up.signatureErrors(); len(errs) > 0 {
			t.Fatalf("upstream signature: %v", errs)
		}
	})
	t.Run("refused over plain HTTP", func(t *testing.T) {
		up := newFakeUpstream(t)
		g, _ := testGateway(t, up, func(g *Gateway) { g.AllowUnsignedPayload = true })
		if w := serve(g, unsigned(t)); w.Code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", w.Code)
		}
		if n := len(up.received()); n != 0 {
			t.Fatalf("upstream got %d requests, want none", n)
		}
	})
	t.Run("refused by default", func(t *testing.T) {
		up := newFakeUpstream(t)
		g, _ := testGateway(t, up, nil)
		if w := serve(g, unsigned(t)); w.Code < 400 {
			t.Fatalf("status %d, want an error", w.Code)
		}
		if n := len(up.received()); n != 0 {
			t.Fatalf("upstream got %d requests, want none", n)
		}
	})
}
