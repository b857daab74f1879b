package module

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/forward"
	"github.com/pinpointgw/gateway/lookup"
)

// Tag lookup tests: a gateway with resource_tags lookup in front of
// tagUpstream, which holds the resources' tags (the store tags nothing).
const (
	tagTenantKeyID  = "AKIATESTTENANTA00001"
	tagTenantSecret = "test/tenant/secret/ddddddddddddddddddddd"
	tagPlainKeyID   = "AKIATESTPLAIN0000001"
	tagPlainSecret  = "test/plain/secret/eeeeeeeeeeeeeeeeeeeeee"
	tagAppA         = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a"
	tagAppB         = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-b"
	tagPhoneA       = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-aaaa"
	tagPhoneB       = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-bbbb"
	tagSenderA      = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/ACME/US"
)

const tagStore = `{
  "users": [
    {"name": "tenant", "tags": {"tenant": "a"},
     "access_keys": [{"id": "` + tagTenantKeyID + `", "secret": "` + tagTenantSecret + `"}], "policies": ["TenantScoped"]},
    {"name": "plain", "access_keys": [{"id": "` + tagPlainKeyID + `", "secret": "` + tagPlainSecret + `"}], "policies": ["Plain"]},
    {"name": "admin", "access_keys": [{"id": "` + adminKeyID + `", "secret": "` + adminSecret + `"}], "policies": ["Admin"]}
  ],
  "policies": {
    "TenantScoped": {"Version": "2012-10-17", "Statement": [
      {"Sid": "OwnApps", "Effect": "Allow", "Action": ["mobiletargeting:GetApp", "mobiletargeting:GetCampaign"],
       "Resource": "arn:aws:mobiletargeting:us-east-1:123456789012:apps/*",
       "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
      {"Sid": "OwnNumbers", "Effect": "Allow", "Action": ["sms-voice:SendTextMessage", "sms-voice:CreatePool"], "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
      {"Sid": "TagOnCreateForOwnTenant", "Effect": "Allow", "Action": "sms-voice:TagResource", "Resource": "*",
       "Condition": {"StringEquals": {"aws:RequestTag/tenant": "${aws:PrincipalTag/tenant}"}}}]},
    "Plain": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "mobiletargeting:GetApp", "Resource": "*"}]},
    "Admin": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*"}]}
  }
}`

// tagUpstream is a fake Pinpoint / SMS and Voice v2 that keeps tags,
// phone numbers and sender IDs, and counts the calls per operation.
type tagUpstream struct {
	*httptest.Server
	mu      sync.Mutex
	tags    map[string]map[string]string
	phones  map[string]string // number -> ARN
	senders map[string]string // sender ARN -> sender ID
	fail    bool
	delay   time.Duration
	calls   map[string]int
	sigErrs []string
}

func newTagUpstream(t testing.TB) *tagUpstream {
	u := &tagUpstream{
		tags: map[string]map[string]string{
			tagAppA:    {"tenant": "a"},
			tagAppB:    {"tenant": "b"},
			tagPhoneA:  {"tenant": "a"},
			tagPhoneB:  {"tenant": "b"},
			tagSenderA: {"tenant": "a"},
			// Campaigns carry their own tags (the reference gives the
			// campaigns resource type its own aws:ResourceTag).
			tagAppA + "/campaigns/c1": {"tenant": "a"},
			tagAppB + "/campaigns/c1": {"tenant": "b"},
		},
		phones:  map[string]string{"+12065550100": tagPhoneA, "+12065550199": tagPhoneB},
		senders: map[string]string{tagSenderA: "ACME"},
		calls:   map[string]int{},
	}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *tagUpstream) count(op string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[op]
}

func (u *tagUpstream) set(fn func(u *tagUpstream)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	fn(u)
}

func (u *tagUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	defer u.mu.Unlock()
	if msg := verifyUpstreamSignature(r, body); msg != "" {
		u.sigErrs = append(u.sigErrs, msg)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "PinpointSMSVoiceV2.")
	var arn string
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/tags/"); ok {
		arn, _ = url.PathUnescape(rest)
		op = map[string]string{"GET": "ListTagsForResource", "POST": "TagResource", "DELETE": "UntagResource"}[r.Method]
	}
	if op == "" {
		op = r.Method + " " + r.URL.Path
	}
	u.calls[op]++
	fail, delay := u.fail, u.delay
	if delay > 0 {
		u.mu.Unlock()
		time.Sleep(delay)
		u.mu.Lock()
	}
	if fail && (op == "ListTagsForResource" || strings.HasPrefix(op, "Describe")) {
		w.Header().Set("X-Amzn-ErrorType", "InternalServerErrorException")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"Message":"boom"}`)
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	out := map[string]any{}
	switch op {
	case "ListTagsForResource":
		if arn == "" {
			arn, _ = in["ResourceArn"].(string)
			var list []map[string]string
			for k, v := range u.tags[arn] {
				list = append(list, map[string]string{"Key": k, "Value": v})
			}
			out["ResourceArn"], out["Tags"] = arn, list
		} else {
			out["tags"] = u.tags[arn]
		}
	case "TagResource":
		if u.tags[arn] == nil {
			u.tags[arn] = map[string]string{}
		}
		for k, v := range in["tags"].(map[string]any) {
			u.tags[arn][k] = v.(string)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case "DescribePhoneNumbers":
		var list []map[string]string
		for n, a := range u.phones {
			list = append(list, map[string]string{"PhoneNumber": n, "PhoneNumberArn": a})
		}
		out["PhoneNumbers"] = list
	case "DescribeSenderIds":
		want := in["Filters"].([]any)[0].(map[string]any)["Values"].([]any)[0].(string)
		var list []map[string]string
		for a, id := range u.senders {
			if id == want {
				list = append(list, map[string]string{"SenderId": id, "SenderIdArn": a})
			}
		}
		out["SenderIds"] = list
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// lookupGateway provisions a gateway with the store JSON storeJSON and
// resource_tags lookup (TTL 1h, 100 entries, timeout 1s) in front of the
// upstream at upstreamURL; configure may change the config before
// provisioning.
func lookupGateway(t testing.TB, storeJSON, upstreamURL string, configure func(*Gateway)) *Gateway {
	t.Helper()
	store := filepath.Join(t.TempDir(), "lookup-store.json")
	if err := os.WriteFile(store, []byte(storeJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	g, _ := testGateway(t, nil, func(g *Gateway) {
		g.Store = store
		g.Endpoint = map[string]string{"pinpoint": upstreamURL, "sms-voice": upstreamURL, "sms-voice-v2": upstreamURL}
		g.ResourceTags = &ResourceTagsConfig{Source: ResourceTagsLookup, TTL: caddyDuration(time.Hour), Size: 100, Timeout: caddyDuration(time.Second)}
		if configure != nil {
			configure(g)
		}
	})
	return g
}

// tagGateway provisions a gateway with tagStore and resource_tags lookup
// in front of up.
func tagGateway(t testing.TB, up *tagUpstream, timeout time.Duration) (*Gateway, *lookup.UpstreamTags) {
	t.Helper()
	g := lookupGateway(t, tagStore, up.URL, func(g *Gateway) { g.ResourceTags.Timeout = caddyDuration(timeout) })
	src, ok := g.tags.(*lookup.UpstreamTags)
	if !ok {
		t.Fatalf("tag source %T, want *lookup.UpstreamTags", g.tags)
	}
	return g, src
}

func getApp(t testing.TB, keyID, secret, app string) *http.Request {
	return signedRequest(t, "GET", "http://gw/v1/apps/"+app, "mobiletargeting", "us-east-1", keyID, secret, nil, nil)
}

func sendText(t testing.TB, origination string) *http.Request {
	body := fmt.Sprintf(`{"DestinationPhoneNumber":"+14255550123","OriginationIdentity":%q,"MessageBody":"hi"}`, origination)
	return signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", tagTenantKeyID, tagTenantSecret,
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.SendTextMessage"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(body))
}

// TestLookupTagsDecide: upstream tags decide, one lookup per ARN per TTL.
func TestLookupTagsDecide(t *testing.T) {
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	cases := map[string]struct {
		r    func() *http.Request
		want int
	}{
		"own app":            {func() *http.Request { return getApp(t, tagTenantKeyID, tagTenantSecret, "app-a") }, 200},
		"other tenant's app": {func() *http.Request { return getApp(t, tagTenantKeyID, tagTenantSecret, "app-b") }, 403},
		"own app's campaign": {func() *http.Request {
			return signedRequest(t, "GET", "http://gw/v1/apps/app-a/campaigns/c1", "mobiletargeting", "us-east-1", tagTenantKeyID, tagTenantSecret, nil, nil)
		}, 200},
		"other tenant's campaign": {func() *http.Request {
			return signedRequest(t, "GET", "http://gw/v1/apps/app-b/campaigns/c1", "mobiletargeting", "us-east-1", tagTenantKeyID, tagTenantSecret, nil, nil)
		}, 403},
		"untagged app":             {func() *http.Request { return getApp(t, tagTenantKeyID, tagTenantSecret, "app-z") }, 403},
		"own number by E.164":      {func() *http.Request { return sendText(t, "+12065550100") }, 200},
		"own number without plus":  {func() *http.Request { return sendText(t, "12065550100") }, 200},
		"own number by ID":         {func() *http.Request { return sendText(t, "phone-aaaa") }, 200},
		"other tenant's number":    {func() *http.Request { return sendText(t, "+12065550199") }, 403},
		"other tenant's number ID": {func() *http.Request { return sendText(t, "phone-bbbb") }, 403},
		"unknown number":           {func() *http.Request { return sendText(t, "+12065550000") }, 403},
		"own sender ID":            {func() *http.Request { return sendText(t, "ACME") }, 200},
		"unknown sender ID":        {func() *http.Request { return sendText(t, "NOSUCH") }, 403},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for i := range 3 { // the second and third decisions come from the cache
				if w := serve(g, tc.r()); w.Code != tc.want {
					t.Fatalf("request %d: status %d (%s), want %d", i, w.Code, w.Body.String(), tc.want)
				}
			}
		})
	}
	// One ListTagsForResource per ARN: app-a, app-b, app-z, campaign c1 of
	// a and of b, phone-aaaa, phone-bbbb, sender ID ACME/US = 8.
	if got := up.count("ListTagsForResource"); got != 8 {
		t.Errorf("ListTagsForResource calls = %d, want 8 (one per ARN)", got)
	}
	if got := up.count("DescribePhoneNumbers"); got != 1 {
		t.Errorf("DescribePhoneNumbers calls = %d, want 1 (one index per region per TTL)", got)
	}
	// ACME, NOSUCH, and the sender-ID readings of phone-aaaa and phone-bbbb
	// (IDs short enough to be sender IDs too; the account has none such).
	if got := up.count("DescribeSenderIds"); got != 4 {
		t.Errorf("DescribeSenderIds calls = %d, want 4 (ACME, NOSUCH, phone-aaaa, phone-bbbb)", got)
	}
	if len(up.sigErrs) > 0 {
		t.Errorf("upstream signature errors: %v", up.sigErrs)
	}
}

// TestLookupSkippedWithoutResourceTagPolicies: a decision whose policies
// never read aws:ResourceTag makes no lookup.
func TestLookupSkippedWithoutResourceTagPolicies(t *testing.T) {
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	if w := serve(g, getApp(t, tagPlainKeyID, tagPlainSecret, "app-b")); w.Code != 200 {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if got := up.count("ListTagsForResource"); got != 0 {
		t.Errorf("ListTagsForResource calls = %d, want 0", got)
	}
}

// TestLookupFailureFailsClosed: a failed or slow lookup leaves the keys
// absent, so the tag-conditioned allow denies, and the audit says why.
func TestLookupFailureFailsClosed(t *testing.T) {
	cases := map[string]func(u *tagUpstream){
		"upstream error": func(u *tagUpstream) { u.fail = true },
		"upstream slow":  func(u *tagUpstream) { u.delay = 300 * time.Millisecond },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			up := newTagUpstream(t)
			up.set(breakIt)
			g, src := tagGateway(t, up, 50*time.Millisecond)
			core, logs := observerCore()
			g.audit = core
			start := time.Now()
			if w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 403 {
				t.Fatalf("status %d, want 403", w.Code)
			}
			if d := time.Since(start); d > 250*time.Millisecond {
				t.Errorf("the decision took %v; the lookup timeout is 50ms", d)
			}
			recs := auditRecords(logs)
			if len(recs) != 1 || fmt.Sprint(recs[0]["resource_tags_unavailable"]) != "["+tagAppA+"]" {
				t.Errorf("audit records %v, want resource_tags_unavailable [%s]", recs, tagAppA)
			}
			if src.Cache().Failures() != 1 {
				t.Errorf("failures = %d, want 1", src.Cache().Failures())
			}
			// Resolution fails closed too.
			if w := serve(g, sendText(t, "+12065550100")); w.Code != 403 {
				t.Errorf("SendTextMessage by number: status %d, want 403", w.Code)
			}
			// Once the upstream recovers, the next decision asks again.
			up.set(func(u *tagUpstream) { u.fail, u.delay = false, 0 })
			if w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
				t.Errorf("after recovery: status %d, want 200", w.Code)
			}
		})
	}
}

// TestRetagThroughGatewayInvalidates: after a TagResource through the
// gateway, the next decision uses the new tags, well within the TTL.
func TestRetagThroughGatewayInvalidates(t *testing.T) {
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	if w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("before: status %d, want 200", w.Code)
	}
	retag := signedRequest(t, "POST", "http://gw/v1/tags/"+url.PathEscape(tagAppA), "mobiletargeting", "us-east-1", adminKeyID, adminSecret,
		http.Header{"Content-Type": {"application/json"}}, []byte(`{"tags":{"tenant":"b"}}`))
	if w := serve(g, retag); w.Code != http.StatusNoContent {
		t.Fatalf("TagResource: status %d (%s), want 204", w.Code, w.Body.String())
	}
	if w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 403 {
		t.Fatalf("after the retag: status %d, want 403", w.Code)
	}
	if got := up.count("ListTagsForResource"); got != 2 {
		t.Errorf("ListTagsForResource calls = %d, want 2 (before and after the retag)", got)
	}
}

// TestResolvedIdentityInAudit: the audit record names the resolved ARN,
// and an unresolvable identity is denied with a reason saying so.
func TestResolvedIdentityInAudit(t *testing.T) {
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	core, logs := observerCore()
	g.audit = core
	serve(g, sendText(t, "+12065550100"))
	serve(g, sendText(t, "+12065550000"))
	recs := auditRecords(logs)
	if len(recs) != 2 {
		t.Fatalf("%d audit records, want 2", len(recs))
	}
	if got := fmt.Sprint(recs[0]["authorizations"]); !strings.Contains(got, tagPhoneA) {
		t.Errorf("authorizations %s do not name %s", got, tagPhoneA)
	}
	if got := fmt.Sprint(recs[1]["reason"]); !strings.Contains(got, "could not be resolved") || !strings.Contains(got, "DescribePhoneNumbers lists no +12065550000") {
		t.Errorf("reason %q does not say the identity could not be resolved", got)
	}
}

// observerCore is an audit logger whose records the test reads.
func observerCore() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.InfoLevel)
	return zap.New(core).Named("audit"), logs
}

// TestListTagsRejects: answers the gateway cannot use, and ARNs it must not
// ask about, are errors (so the decision fails closed).
func TestListTagsRejects(t *testing.T) {
	var body string
	var status int
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	g, _ := testGateway(t, nil, func(g *Gateway) {
		g.Endpoint = map[string]string{"pinpoint": srv.URL, "sms-voice": srv.URL, "sms-voice-v2": srv.URL}
		g.Regions = []string{"us-east-1", "us-west-2"}
		g.ResourceTags = &ResourceTagsConfig{Source: ResourceTagsLookup}
	})
	src := g.tags.(*lookup.UpstreamTags)
	cases := map[string]struct {
		arn, body string
		status    int
		wantCall  bool
		wantErr   string
	}{
		"denied upstream":        {tagAppA, `{"Message":"no"}`, 403, true, "403 AccessDeniedException"},
		"malformed JSON":         {tagAppA, `{"tags":`, 200, true, "malformed answer"},
		"throttled":              {tagAppA, `{"Message":"slow down"}`, 429, true, "429"},
		"tags not a map":         {tagAppA, `{"tags":["a"]}`, 200, true, "malformed answer"},
		"v2 tag without a value": {tagPhoneA, `{"Tags":[{"Key":"tenant"}]}`, 200, true, "without Key or Value"},
		"another account":        {"arn:aws:mobiletargeting:us-east-1:999999999999:apps/x", `{}`, 200, false, "account 999999999999"},
		"a region not allowed":   {"arn:aws:mobiletargeting:eu-west-1:123456789012:apps/x", `{}`, 200, false, "region eu-west-1"},
		"another partition":      {"arn:aws-cn:mobiletargeting:cn-north-1:123456789012:apps/x", `{}`, 200, false, "partition aws-cn"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			body, status, calls = tc.body, tc.status, 0
			mu.Unlock()
			tags, err := src.ListTags(context.Background(), tc.arn)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("listTags(%s) = %v, %v; want an error with %q", tc.arn, tags, err, tc.wantErr)
			}
			mu.Lock()
			defer mu.Unlock()
			if (calls > 0) != tc.wantCall {
				t.Errorf("upstream calls %d, want a call: %v", calls, tc.wantCall)
			}
		})
	}
}

// TestListTagsAnswers: the two answer shapes decode to the same tags.
func TestListTagsAnswers(t *testing.T) {
	up := newTagUpstream(t)
	_, src := tagGateway(t, up, 0)
	up.set(func(u *tagUpstream) { u.tags[tagAppA] = map[string]string{"tenant": "a", "Team": "Blue"} })
	for _, arn := range []string{tagAppA, tagPhoneA} {
		got, err := src.ListTags(context.Background(), arn)
		if err != nil {
			t.Fatalf("listTags(%s): %v", arn, err)
		}
		want := up.tags[arn]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("listTags(%s) = %v, want %v", arn, got, want)
		}
	}
	if len(up.sigErrs) > 0 {
		t.Errorf("signature errors: %v", up.sigErrs)
	}
}

// TestCreateWithTagsDependentAuthorization: a v2 create with tags needs
// sms-voice:TagResource too, evaluated with the request's tags, while the
// create itself is decided on the origination identity's (upstream) tags.
func TestCreateWithTagsDependentAuthorization(t *testing.T) {
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	createPool := func(origination, tenant string) *http.Request {
		body := fmt.Sprintf(`{"OriginationIdentity":%q,"IsoCountryCode":"US","MessageType":"TRANSACTIONAL","Tags":[{"Key":"tenant","Value":%q}]}`, origination, tenant)
		return signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", tagTenantKeyID, tagTenantSecret,
			http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.CreatePool"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(body))
	}
	cases := map[string]struct {
		origination, tenant string
		want                int
	}{
		"own number, own tenant tag":      {"phone-aaaa", "a", 200},
		"own number by E.164, own tenant": {"+12065550100", "a", 200},
		"own number, other tenant's tag":  {"phone-aaaa", "b", 403},
		"other tenant's number, own tag":  {"phone-bbbb", "a", 403},
		"other tenant's number by E.164":  {"+12065550199", "a", 403},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if w := serve(g, createPool(tc.origination, tc.tenant)); w.Code != tc.want {
				t.Errorf("status %d (%s), want %d", w.Code, w.Body.String(), tc.want)
			}
		})
	}
}

// TestListTagsNotFound: a resource the upstream does not know has no tags,
// and that answer is cached for notFoundTTL (one call for repeated made-up
// IDs).
func TestListTagsNotFound(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("X-Amzn-ErrorType", "NotFoundException")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Message":"Resource not found"}`)
	}))
	t.Cleanup(srv.Close)
	up := newTagUpstream(t)
	g, _ := tagGateway(t, up, 0)
	g.Endpoint["pinpoint"] = srv.URL
	endpoints, err := forward.NewEndpoints(map[string]string{"pinpoint": srv.URL, "sms-voice": up.URL, "sms-voice-v2": up.URL}, "aws")
	if err != nil {
		t.Fatal(err)
	}
	g.endpoints, g.calls.Endpoints = endpoints, endpoints
	for range 3 {
		if w := serve(g, getApp(t, tagTenantKeyID, tagTenantSecret, "no-such-app")); w.Code != 403 {
			t.Fatalf("status %d, want 403", w.Code)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d upstream calls, want 1", n)
	}
}

// TestLookupCachesOutliveReload: a second instance with the same settings
// (a config reload) shares the warm caches; when the last one is cleaned
// up, they are emptied.
func TestLookupCachesOutliveReload(t *testing.T) {
	up := newTagUpstream(t)
	oldG, oldSrc := tagGateway(t, up, 0)
	if w := serve(oldG, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("status %d, want 200", w.Code)
	}
	newG, newSrc := tagGateway(t, up, 0)
	if newSrc.Cache() != oldSrc.Cache() {
		t.Fatal("the reloaded instance has its own cache, want the shared one")
	}
	oldG.Cleanup() // the old config goes away after the new one is provisioned
	if w := serve(newG, getApp(t, tagTenantKeyID, tagTenantSecret, "app-a")); w.Code != 200 {
		t.Fatalf("after the reload: status %d, want 200", w.Code)
	}
	if n := up.count("ListTagsForResource"); n != 1 {
		t.Errorf("%d lookups across the reload, want 1 (warm cache)", n)
	}
	newG.Cleanup()
	if n := newSrc.Cache().Len(); n != 0 {
		t.Errorf("%d entries after the last Cleanup, want 0", n)
	}
	_, otherSrc := tagGateway(t, up, 3*time.Second) // another timeout: another cache
	if otherSrc.Cache() == oldSrc.Cache() {
		t.Error("different settings share a cache")
	}
}

// TestLookupIgnoresRequestForwardingState: a lookup started by a request
// whose Caddy variables hold forwarding state (its own forward, in
// dry_run, may run while the shared lookup is in flight) signs with its
// own state, not the request's.
func TestLookupIgnoresRequestForwardingState(t *testing.T) {
	up := newTagUpstream(t)
	_, src := tagGateway(t, up, 0)
	vars := map[string]any{"pinpoint_gateway.forward": &forward.Exchange{SigningName: "bogus", Region: "eu-west-1", PayloadHash: authn.EmptyPayloadHash}}
	ctx := context.WithValue(context.Background(), caddyhttp.VarsCtxKey, vars)
	tags, status := src.ResourceTags(ctx, tagAppA, nil, nil)
	if status != lookup.TagsKnown || tags["tenant"] != "a" {
		t.Fatalf("ResourceTags = %v, %v; want tenant a, known (signature errors: %v)", tags, status, up.sigErrs)
	}
}
