package module

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/audit"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
	"github.com/pinpointgw/gateway/lookup"
)

// Decision tests: what the gateway decides when it does not know, or
// cannot trust, what it would decide on (resource tags that are unknown,
// stale or ambiguous), the condition keys it sets, and the bounds on the
// work and the audit record of one request.
const (
	decideGuardKeyID  = "AKIATESTGUARDED00001"
	decideGuardSecret = "test/guarded/secret/fffffffffffffffffff"
	decideLockKeyID   = "AKIATESTLOCKER000001"
	decideLockSecret  = "test/locker/secret/gggggggggggggggggggg"
	decideRefsKeyID   = "AKIATESTREFS00000001"
	decideRefsSecret  = "test/refs/secret/hhhhhhhhhhhhhhhhhhhhhh"
	decideOrg         = "o-abcdef1234"
	decidePromoARN    = "arn:aws:mobiletargeting:us-east-1:123456789012:templates/promo/EMAIL"
	decideForeignApp  = "arn:aws:mobiletargeting:us-west-2:123456789012:apps/app-b"
)

const decideStore = `{
  "users": [
    {"name": "guarded", "tags": {"tenant": "a"},
     "access_keys": [{"id": "` + decideGuardKeyID + `", "secret": "` + decideGuardSecret + `"}], "policies": ["AllButTenantB"]},
    {"name": "tenant", "tags": {"tenant": "a"},
     "access_keys": [{"id": "` + tagTenantKeyID + `", "secret": "` + tagTenantSecret + `"}], "policies": ["TenantScoped"]},
    {"name": "plain", "access_keys": [{"id": "` + tagPlainKeyID + `", "secret": "` + tagPlainSecret + `"}], "policies": ["Plain"]},
    {"name": "locker", "access_keys": [{"id": "` + decideLockKeyID + `", "secret": "` + decideLockSecret + `"}], "policies": ["NoLockedTemplates"]},
    {"name": "refs", "tags": {"tenant": "a"},
     "access_keys": [{"id": "` + decideRefsKeyID + `", "secret": "` + decideRefsSecret + `"}], "policies": ["Refs"]},
    {"name": "admin", "access_keys": [{"id": "` + adminKeyID + `", "secret": "` + adminSecret + `"}], "policies": ["Admin"]}
  ],
  "policies": {
    "AllButTenantB": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*"},
      {"Sid": "NotTenantB", "Effect": "Deny", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "b"}}}]},
    "TenantScoped": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["mobiletargeting:GetApp", "sms-voice:DescribePools"], "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
      {"Effect": "Allow", "Action": "sms-voice:DescribePhoneNumbers", "Resource": "*"}]},
    "Plain": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "mobiletargeting:GetApp", "Resource": "*"}]},
    "NoLockedTemplates": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "mobiletargeting:*", "Resource": "*"},
      {"Sid": "Locked", "Effect": "Deny", "Action": "mobiletargeting:Update*Template", "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceTag/locked": "true"}}}]},
    "Refs": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["sms-voice:*", "mobiletargeting:*"], "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}},
      {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/tenant-a-*",
       "Condition": {"StringEquals": {"iam:PassedToService": "sms-voice.amazonaws.com"}}},
      {"Sid": "OwnReferencesOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
       "Condition": {"ForAnyValue:StringNotLike": {"gateway:ReferencedArn": [
         "arn:aws:sns:*:123456789012:tenant-a-*", "arn:aws:iam::123456789012:role/tenant-a-*"]}}},
      {"Sid": "InTheOrganization", "Effect": "Deny", "Action": "*", "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "` + decideOrg + `", "aws:ResourceOrgID": "` + decideOrg + `"}}}]},
    "Admin": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*"}]}
  },
  "resource_tags": {
    "arn:aws:mobiletargeting:us-east-1:123456789012:apps/store-a": {"tenant": "a"},
    "arn:aws:mobiletargeting:us-east-1:123456789012:apps/store-untagged": {}
  }
}`

// decideUpstream is a fake Pinpoint / SMS and Voice v2 that knows the tags
// of existing resources only: ListTagsForResource of anything else is 404,
// as in AWS. Creating an email template creates it with the request's
// tags. v2 answers are raw JSON per ARN, so that a test can make the
// upstream send what a map cannot hold (duplicate keys).
type decideUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	tags     map[string]map[string]string
	rawV2    map[string]string // ARN -> the Tags array, raw
	throttle bool
	fail     int // status of every ListTagsForResource when non-zero
	// createStatus, when non-zero, is the status of a create that did
	// create (an upstream failing after acting, or a gateway timeout).
	createStatus int
	calls        map[string]int
}

func newDecideUpstream(t testing.TB) *decideUpstream {
	u := &decideUpstream{
		tags: map[string]map[string]string{
			tagAppA: {"tenant": "a"},
			tagAppB: {"tenant": "b"},
		},
		rawV2: map[string]string{},
		calls: map[string]int{},
	}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *decideUpstream) count(op string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[op]
}

func (u *decideUpstream) set(fn func(u *decideUpstream)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	fn(u)
}

func (u *decideUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	defer u.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "PinpointSMSVoiceV2.")
	path := r.URL.EscapedPath()
	var arn string
	if rest, ok := strings.CutPrefix(path, "/v1/tags/"); ok && r.Method == http.MethodGet {
		arn, _ = url.PathUnescape(rest)
		op = "ListTagsForResource"
	}
	if op == "ListTagsForResource" && arn == "" {
		var in struct{ ResourceArn string }
		_ = json.Unmarshal(body, &in)
		arn = in.ResourceArn
	}
	if op == "" {
		op = r.Method + " " + path
	}
	u.calls[op]++
	if op == "ListTagsForResource" {
		switch {
		case u.throttle:
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"Message":"Rate exceeded"}`)
			return
		case u.fail != 0:
			w.WriteHeader(u.fail)
			io.WriteString(w, `{"Message":"boom"}`)
			return
		}
		if raw, ok := u.rawV2[arn]; ok {
			fmt.Fprintf(w, `{"ResourceArn":%q,"Tags":%s}`, arn, raw)
			return
		}
		tags, ok := u.tags[arn]
		if !ok {
			w.Header().Set("X-Amzn-ErrorType", "NotFoundException")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"Message":"Resource not found"}`)
			return
		}
		if r.Header.Get("X-Amz-Target") != "" {
			var list []map[string]string
			for k, v := range tags {
				list = append(list, map[string]string{"Key": k, "Value": v})
			}
			json.NewEncoder(w).Encode(map[string]any{"ResourceArn": arn, "Tags": list})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"tags": tags})
		return
	}
	if r.Method == http.MethodPost && path == "/v1/templates/promo/email" {
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		_ = json.Unmarshal(body, &in)
		if in.Tags == nil {
			in.Tags = map[string]string{}
		}
		u.tags[decidePromoARN] = in.Tags
		if u.createStatus != 0 {
			w.WriteHeader(u.createStatus)
			io.WriteString(w, `{"Message":"internal error"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"CreateTemplateMessageBody":{"Message":"Created"}}`)
		return
	}
	io.WriteString(w, `{}`)
}

// decideGateway provisions a gateway with decideStore in front of up;
// configure may change the config before provisioning.
func decideGateway(t testing.TB, up *decideUpstream, configure func(*Gateway)) *Gateway {
	t.Helper()
	return lookupGateway(t, decideStore, up.URL, configure)
}

func decideMTRequest(t testing.TB, keyID, secret, method, path, body string) *http.Request {
	var h http.Header
	if body != "" {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return signedRequest(t, method, "http://gw"+path, "mobiletargeting", "us-east-1", keyID, secret, h, []byte(body))
}

func decideV2Request(t testing.TB, keyID, secret, op, body string) *http.Request {
	return signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", keyID, secret,
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2." + op}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(body))
}

// TestUnknownResourceTagsDeny: when a resource's tags are unknown and a
// policy of the decision reads aws:ResourceTag, the request is denied, the
// audit record names the ARN and the error says why. A Deny on
// aws:ResourceTag/tenant = b must not stop applying because the gateway
// could not learn the tags.
func TestUnknownResourceTagsDeny(t *testing.T) {
	tagsOfForeign := "/v1/tags/" + url.PathEscape(decideForeignApp)
	cases := map[string]struct {
		configure func(*Gateway)
		breakIt   func(*decideUpstream)
		keyID     string
		secret    string
		path      string
		want      int
		why       string // in the error message and the audit reason
	}{
		"lookup throttled": {
			breakIt: func(u *decideUpstream) { u.throttle = true },
			keyID:   decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/app-b", want: 403, why: "lookup failed",
		},
		"lookup failed": {
			breakIt: func(u *decideUpstream) { u.fail = http.StatusInternalServerError },
			keyID:   decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/app-b", want: 403, why: "lookup failed",
		},
		"a resource in a region the gateway does not serve": {
			configure: func(g *Gateway) { g.Regions = []string{"us-east-1"} },
			keyID:     decideGuardKeyID, secret: decideGuardSecret, path: tagsOfForeign, want: 403, why: "not looked up",
		},
		"static, not in the store": {
			configure: func(g *Gateway) { g.ResourceTags = nil },
			keyID:     decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/app-b", want: 403, why: "resource_tags",
		},
		"off": {
			configure: func(g *Gateway) { g.ResourceTags = &ResourceTagsConfig{Source: ResourceTagsOff} },
			keyID:     decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/app-a", want: 403, why: "resource_tags off",
		},
		// What stays allowed.
		"static, declared untagged in the store": {
			configure: func(g *Gateway) { g.ResourceTags = nil },
			keyID:     decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/store-untagged", want: 200,
		},
		"static, tenant a in the store": {
			configure: func(g *Gateway) { g.ResourceTags = nil },
			keyID:     decideGuardKeyID, secret: decideGuardSecret, path: "/v1/apps/store-a", want: 200,
		},
		"lookup failed, no policy reads tags": {
			breakIt: func(u *decideUpstream) { u.throttle = true },
			keyID:   tagPlainKeyID, secret: tagPlainSecret, path: "/v1/apps/app-b", want: 200,
		},
		"a policy reads tags, but not for this action": {
			breakIt: func(u *decideUpstream) { u.throttle = true },
			keyID:   decideLockKeyID, secret: decideLockSecret, path: "/v1/apps/app-b", want: 200,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			up := newDecideUpstream(t)
			if tc.breakIt != nil {
				up.set(tc.breakIt)
			}
			g := decideGateway(t, up, tc.configure)
			core, logs := observerCore()
			g.audit = core
			w := serve(g, decideMTRequest(t, tc.keyID, tc.secret, "GET", tc.path, ""))
			if w.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body.String(), tc.want)
			}
			if tc.want != 403 {
				return
			}
			if !strings.Contains(w.Body.String(), "resource tags") || !strings.Contains(w.Body.String(), tc.why) {
				t.Errorf("error %s, want it to say the resource tags are unknown (%q)", w.Body.String(), tc.why)
			}
			recs := auditRecords(logs)
			if len(recs) != 1 {
				t.Fatalf("%d audit records, want 1", len(recs))
			}
			if un := fmt.Sprint(recs[0]["resource_tags_unavailable"]); !strings.HasPrefix(un, "[arn:") {
				t.Errorf("resource_tags_unavailable = %s, want the ARN", un)
			}
			if reason := fmt.Sprint(recs[0]["reason"]); !strings.Contains(reason, tc.why) {
				t.Errorf("reason %q, want it to say %q", reason, tc.why)
			}
		})
	}
}

// TestAmbiguousResourceTags: tag keys that differ only in case make the key
// ambiguous; a decision that reads it denies, every time (never map order).
func TestAmbiguousResourceTags(t *testing.T) {
	up := newDecideUpstream(t)
	up.set(func(u *decideUpstream) {
		u.tags[tagAppA] = map[string]string{"tenant": "a", "TENANT": "b"}
		u.tags[tagAppB] = map[string]string{"tenant": "b", "Tenant": "a"}
		u.rawV2["arn:aws:sms-voice:us-east-1:123456789012:pool/pool-dup"] = `[{"Key":"tenant","Value":"b"},{"Key":"tenant","Value":"a"}]`
		u.rawV2["arn:aws:sms-voice:us-east-1:123456789012:pool/pool-case"] = `[{"Key":"tenant","Value":"b"},{"Key":"TENANT","Value":"a"}]`
	})
	g := decideGateway(t, up, nil)
	cases := map[string]func() *http.Request{
		"tenant a, allow on tenant = a": func() *http.Request {
			return decideMTRequest(t, tagTenantKeyID, tagTenantSecret, "GET", "/v1/apps/app-a", "")
		},
		"guarded, deny on tenant = b": func() *http.Request {
			return decideMTRequest(t, decideGuardKeyID, decideGuardSecret, "GET", "/v1/apps/app-b", "")
		},
		"v2, keys that differ in case": func() *http.Request {
			return decideV2Request(t, tagTenantKeyID, tagTenantSecret, "DescribePools", `{"PoolIds":["pool-case"]}`)
		},
		"v2, the same key twice": func() *http.Request {
			return decideV2Request(t, tagTenantKeyID, tagTenantSecret, "DescribePools", `{"PoolIds":["pool-dup"]}`)
		},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			for i := range 30 {
				if w := serve(g, r()); w.Code != 403 {
					t.Fatalf("request %d: status %d (%s), want 403", i, w.Code, w.Body.String())
				}
			}
		})
	}
}

// TestNotFoundDoesNotOutliveCreate: a probe of a template that does not
// exist yet must not leave "no tags" cached once an admin created it
// through the gateway, whatever the create's dependent actions.
func TestNotFoundDoesNotOutliveCreate(t *testing.T) {
	update := func() *http.Request {
		return decideMTRequest(t, decideLockKeyID, decideLockSecret, "PUT", "/v1/templates/promo/email", `{"Subject":"mine now"}`)
	}
	up := newDecideUpstream(t)
	g := decideGateway(t, up, nil)
	// The attacker probes: the template does not exist (404), so it has no
	// tags and the update is allowed (upstream answers what it answers).
	if w := serve(g, update()); w.Code != 200 {
		t.Fatalf("probe: status %d (%s), want 200", w.Code, w.Body.String())
	}
	// The admin creates it, locked, through the gateway.
	create := decideMTRequest(t, adminKeyID, adminSecret, "POST", "/v1/templates/promo/email", `{"Subject":"x","tags":{"locked":"true"}}`)
	if w := serve(g, create); w.Code != http.StatusCreated {
		t.Fatalf("create: status %d (%s), want 201", w.Code, w.Body.String())
	}
	if w := serve(g, update()); w.Code != 403 {
		t.Fatalf("after the create: status %d (%s), want 403 (the template is locked)", w.Code, w.Body.String())
	}
}

// TestNotFoundDropsOnUncertainCreate: a create whose outcome the gateway
// does not know (a 5xx: the upstream may have acted) drops the entry too;
// one the upstream refused (4xx) changes nothing.
func TestNotFoundDropsOnUncertainCreate(t *testing.T) {
	for _, tc := range []struct {
		status, wantUpdate int
	}{{http.StatusInternalServerError, 403}, {http.StatusServiceUnavailable, 403}} {
		up := newDecideUpstream(t)
		up.set(func(u *decideUpstream) { u.createStatus = tc.status })
		g := decideGateway(t, up, nil)
		update := func() *http.Request {
			return decideMTRequest(t, decideLockKeyID, decideLockSecret, "PUT", "/v1/templates/promo/email", `{"Subject":"mine now"}`)
		}
		if w := serve(g, update()); w.Code != 200 {
			t.Fatalf("probe: status %d, want 200", w.Code)
		}
		create := decideMTRequest(t, adminKeyID, adminSecret, "POST", "/v1/templates/promo/email", `{"Subject":"x","tags":{"locked":"true"}}`)
		if w := serve(g, create); w.Code != tc.status {
			t.Fatalf("create: status %d, want %d", w.Code, tc.status)
		}
		if w := serve(g, update()); w.Code != tc.wantUpdate {
			t.Errorf("create answered %d, then update: status %d, want %d", tc.status, w.Code, tc.wantUpdate)
		}
	}
	for status, want := range map[int]bool{200: true, 201: true, 204: true, 400: false, 403: false, 404: false, 409: false, 500: true, 502: true, 504: true} {
		if got := upstreamMayHaveActed(status); got != want {
			t.Errorf("upstreamMayHaveActed(%d) = %v, want %v", status, got, want)
		}
	}
}

// TestNotFoundCachedBriefly: a 404 is cached for a short while only, so
// that a resource created outside the gateway is seen soon, well within
// the TTL; repeated probes within that while cost one lookup.
func TestNotFoundCachedBriefly(t *testing.T) {
	var mu sync.Mutex
	var offset time.Duration
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(offset) }
	up := newDecideUpstream(t)
	g := decideGateway(t, up, func(g *Gateway) { g.now = clock })
	update := func() *http.Request {
		return decideMTRequest(t, decideLockKeyID, decideLockSecret, "PUT", "/v1/templates/promo/email", `{"Subject":"mine now"}`)
	}
	for range 3 {
		if w := serve(g, update()); w.Code != 200 {
			t.Fatalf("probe: status %d, want 200", w.Code)
		}
	}
	if n := up.count("ListTagsForResource"); n != 1 {
		t.Errorf("%d lookups for 3 probes, want 1", n)
	}
	// Created outside the gateway.
	up.set(func(u *decideUpstream) { u.tags[decidePromoARN] = map[string]string{"locked": "true"} })
	mu.Lock()
	offset = lookup.NotFoundTTL + time.Second
	mu.Unlock()
	if w := serve(g, update()); w.Code != 403 {
		t.Fatalf("after %s: status %d, want 403", lookup.NotFoundTTL, w.Code)
	}
}

// TestTagLookupsPerRequestBounded: one request makes at most lookup.MaxTagLookups
// upstream tag lookups; beyond that its tags are unknown and it is denied.
func TestTagLookupsPerRequestBounded(t *testing.T) {
	up := newDecideUpstream(t)
	g := decideGateway(t, up, nil)
	ids := make([]string, lookup.MaxTagLookups+5)
	for i := range ids {
		ids[i] = fmt.Sprintf("arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-%02d", i)
		up.tags[ids[i]] = map[string]string{"tenant": "a"}
	}
	r := withCaddyVars(decideMTRequest(t, decideGuardKeyID, decideGuardSecret, "GET", "/v1/apps/app-a", ""))
	id, err := g.authn.Authenticate(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := &apimap.Result{API: apimap.APIPinpoint, Operation: "GetApp",
		Permissions: []apimap.Permission{{Action: "mobiletargeting:GetApp", Resources: ids}}}
	rs := new(requestState)
	msg := g.authorize(r, rs, id, res)
	if msg == "" || !strings.Contains(msg, "resource tags") {
		t.Errorf("decision %s (%q), want a deny for unknown resource tags", rs.decision, msg)
	}
	if n := up.count("ListTagsForResource"); n > lookup.MaxTagLookups {
		t.Errorf("%d lookups for one request, want at most %d", n, lookup.MaxTagLookups)
	}
	// Within the bound (and with the cache warm) the same request is fine.
	res.Permissions[0].Resources = ids[:lookup.MaxTagLookups]
	rs2 := new(requestState)
	if msg := g.authorize(r, rs2, id, res); msg != "" {
		t.Errorf("%d resources: %s, want allowed", lookup.MaxTagLookups, msg)
	}
}

// decideAuthorizeRefs authorizes a hand-built result for the refs user.
func decideAuthorizeRefs(t *testing.T, g *Gateway, res *apimap.Result) (string, *requestState) {
	t.Helper()
	r := withCaddyVars(decideV2Request(t, decideRefsKeyID, decideRefsSecret, "DescribePools", `{}`))
	id, err := g.authn.Authenticate(r, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	rs := new(requestState)
	return g.authorize(r, rs, id, res), rs
}

// TestGatewayConditionKeys: gateway:ReferencedArn holds every reference's
// ARN, iam:PassedToService is set on PassRole authorizations,
// aws:ResourceAccount comes from each resource ARN, and aws:PrincipalOrgID
// and aws:ResourceOrgID from org_id.
func TestGatewayConditionKeys(t *testing.T) {
	up := newDecideUpstream(t)
	g := decideGateway(t, up, func(g *Gateway) { g.OrgID = decideOrg })
	const (
		pool     = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1"
		ownTopic = "arn:aws:sns:us-east-1:123456789012:tenant-a-events"
		bTopic   = "arn:aws:sns:us-east-1:123456789012:tenant-b-events"
		ownRole  = "arn:aws:iam::123456789012:role/tenant-a-import"
	)
	ref := func(arn string) apimap.Reference {
		return apimap.Reference{ResourceType: "sns-topic", Member: "EventDestination.SnsDestination.TopicArn", Value: arn, ARN: arn}
	}
	passRole := func(service string) apimap.Permission {
		return apimap.Permission{Action: "iam:PassRole", Resources: []string{ownRole}, PassedToService: service}
	}
	result := func(resource string, refs []apimap.Reference, extra ...apimap.Permission) *apimap.Result {
		return &apimap.Result{API: apimap.APISMSVoiceV2, Operation: "CreateEventDestination", References: refs,
			Permissions: append([]apimap.Permission{{Action: "sms-voice:CreateEventDestination", Resources: []string{resource}}}, extra...)}
	}
	cases := map[string]struct {
		res   *apimap.Result
		allow bool
	}{
		"no references":                 {result(pool, nil), true},
		"own topic":                     {result(pool, []apimap.Reference{ref(ownTopic)}), true},
		"another tenant's topic":        {result(pool, []apimap.Reference{ref(ownTopic), ref(bTopic)}), false},
		"a value that is no ARN":        {result(pool, []apimap.Reference{ref("tenant-b-events")}), false},
		"role passed to sms-voice":      {result(pool, []apimap.Reference{{ResourceType: "iam-role", ARN: ownRole}}, passRole("sms-voice.amazonaws.com")), true},
		"role passed to another servic": {result(pool, []apimap.Reference{{ResourceType: "iam-role", ARN: ownRole}}, passRole("pinpoint.amazonaws.com")), false},
		"resource of another account":   {result("arn:aws:sms-voice:us-east-1:999999999999:pool/pool-1", nil), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg, rs := decideAuthorizeRefs(t, g, tc.res)
			if (msg == "") != tc.allow {
				t.Errorf("decision %s (%s), want allowed = %v", rs.decision, msg, tc.allow)
			}
		})
	}
	// Without org_id the organization keys are absent: the perimeter
	// statement denies.
	g2 := decideGateway(t, up, nil)
	if msg, _ := decideAuthorizeRefs(t, g2, result(pool, nil)); msg == "" {
		t.Error("without org_id: allowed, want denied by the organization statement")
	}
}

// TestAuditReferences: the audit record lists the references (kind,
// member, ARN).
func TestAuditReferences(t *testing.T) {
	g, _ := testGateway(t, nil, nil)
	buf := &bytes.Buffer{}
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(buf), zapcore.InfoLevel))
	rs := new(requestState)
	rs.references = []apimap.Reference{{ResourceType: "sns-topic", Member: "EventDestination.SnsDestination.TopicArn", Value: "x", ARN: "arn:aws:sns:us-east-1:123456789012:t"}}
	g.writeAudit(httptest.NewRequest("GET", "/", nil), rs)
	var rec struct {
		References []map[string]string `json:"references"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kind": "sns-topic", "member": "EventDestination.SnsDestination.TopicArn", "arn": "arn:aws:sns:us-east-1:123456789012:t"}
	if len(rec.References) != 1 || fmt.Sprint(rec.References[0]) != fmt.Sprint(want) {
		t.Errorf("references = %v, want [%v]", rec.References, want)
	}
}

// TestAuditRecordBounded: a pathological request (tens of thousands of
// resources, matches, references and tags, megabyte strings) writes an
// audit record of at most audit.MaxRecord bytes, whose truncated lists say
// how much they left out.
func TestAuditRecordBounded(t *testing.T) {
	// Strings of plain characters, and of characters that JSON escapes to
	// six bytes each (control characters, invalid UTF-8).
	for name, filler := range map[string]string{"plain": "x", "control": "\x01", "invalid UTF-8": "\xff", "quotes": `"`, "mixed": "a\x01é\xff"} {
		t.Run(name, func(t *testing.T) {
			g, _ := testGateway(t, nil, nil)
			buf := &bytes.Buffer{}
			g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(buf), zapcore.InfoLevel))
			long := strings.Repeat(filler, 1<<20/len(filler))
			many := make([]string, 50000)
			for i := range many {
				many[i] = fmt.Sprintf("arn:aws:sms-voice:us-east-1:123456789012:pool/pool-%040d", i) + long[:1000]
			}
			tags := map[string]string{}
			for i := range 1000 {
				tags[fmt.Sprintf("k%d%s", i, long[:300])] = long[:1000]
			}
			rs := new(requestState)
			rs.requestID = "id"
			rs.op = long
			rs.api = "sms-voice-v2"
			rs.reason = long
			rs.decision = "ImplicitDeny"
			rs.identity = &authn.Authenticated{AccessKeyID: "AKIA", Region: long, Principal: &authn.Principal{ARN: long, Type: "User",
				RoleARN: long, SessionName: long, SourceIdentity: long, SessionTags: tags}}
			rs.issued = &authn.Principal{ARN: long, SessionTags: tags}
			for range 100 {
				rs.permissions = append(rs.permissions, apimap.Permission{Action: long, Resources: many, PassedToService: long})
			}
			rs.matched = make([]authz.Match, 50000)
			for i := range rs.matched {
				rs.matched[i] = authz.Match{Policy: long[:2000], Sid: long[:2000]}
			}
			for range 20000 {
				rs.references = append(rs.references, apimap.Reference{ResourceType: long[:1000], Member: long[:1000], Value: long, ARN: long})
			}
			rs.tagsUnavailable = many
			for range 100 {
				rs.parameters = append(rs.parameters, apimap.Parameter{Member: long, Value: long})
			}
			for i := range 100 {
				d := destination.Destination{Destination: apimap.Destination{Form: long[:1000], Member: long, Value: long}}
				if i%2 == 0 {
					d.Err = errors.New(long)
				} else {
					d.Number = destination.Number{E164: long, Country: long, CallingCode: long, Type: long}
				}
				rs.destinations = append(rs.destinations, d)
			}
			// The decision inputs: a context of thousands of long keys, tens
			// of thousands of evaluations, oversized session policies.
			for i := range 2000 {
				rs.cond.Set(fmt.Sprintf("aws:principaltag/k%d%s", i, long[:100]), long[:1000])
			}
			rs.cond.Set("aws:useragent", long)
			rs.cond.SetMulti("gateway:destinationnumber", many)
			rs.unreadable = true
			for i := range 50000 {
				rs.evals = append(rs.evals, audit.Evaluation{Action: long[:300], Resource: many[i%len(many)], TagsUnknown: true,
					Keys: []audit.Key{{Name: "aws:resourcetag/" + long[:200], Value: long[:300]}}, Ambiguous: []string{long[:100]}})
			}
			var stmts []string
			for i := range 400 {
				stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"sms-voice:SendTextMessage","Resource":"*"}`, i))
			}
			big, err := authz.Parse("session policy", []byte(`{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`), authz.Session)
			if err != nil {
				t.Fatal(err)
			}
			rs.identity.Principal.SessionPolicies = []*authz.Policy{big}
			for i := range 20 {
				managed, err := authz.Parse(fmt.Sprintf("managed-%d-%s", i, strings.Repeat("x", 100)), []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), authz.IdentityBased)
				if err != nil {
					t.Fatal(err)
				}
				rs.identity.Principal.SessionPolicies = append(rs.identity.Principal.SessionPolicies, managed)
			}
			rs.quota = quotaOutcome{charged: many, refused: long, err: long}
			rs.fwd.Status = 500
			rs.fwd.RequestID = long
			rs.fwd.Err = errors.New(long)
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("User-Agent", long)
			g.writeAudit(r, rs)
			if n := buf.Len(); n > audit.MaxRecord {
				t.Fatalf("audit record of %d bytes, want at most %d", n, audit.MaxRecord)
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"authorizations_omitted", "matched_omitted", "references_omitted", "resource_tags_unavailable_omitted", "session_tags_omitted", "destinations_omitted", "quotas_omitted", "request_parameters_omitted",
				"context_omitted", "context_omitted_keys", "evaluations_omitted", "session_policy_omitted"} {
				if _, ok := rec[f]; !ok {
					t.Errorf("no %s in the record", f)
				}
			}
			t.Logf("record: %d bytes", buf.Len())
		})
	}
}

// TestAuditRecordBoundedEndToEnd: a denied 2.4 MB request naming 100,000
// pools writes a bounded audit record.
func TestAuditRecordBoundedEndToEnd(t *testing.T) {
	up := newDecideUpstream(t)
	g := decideGateway(t, up, nil)
	buf := &bytes.Buffer{}
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(buf), zapcore.InfoLevel))
	ids := make([]string, 100000)
	for i := range ids {
		ids[i] = fmt.Sprintf("pool-%016d", i)
	}
	body, _ := json.Marshal(map[string]any{"PoolIds": ids})
	w := serve(g, decideV2Request(t, tagPlainKeyID, tagPlainSecret, "DescribePools", string(body)))
	if w.Code < 400 {
		t.Fatalf("status %d, want a refusal", w.Code)
	}
	if n := buf.Len(); n > audit.MaxRecord {
		t.Fatalf("a %d-byte request wrote an audit record of %d bytes, want at most %d", len(body), n, audit.MaxRecord)
	}
	t.Logf("%d-byte request: status %d, record %d bytes", len(body), w.Code, buf.Len())
}

// TestOrgIDValidated: org_id must look like an AWS Organizations ID, in
// the Caddyfile and in JSON.
func TestOrgIDValidated(t *testing.T) {
	for _, bad := range []string{"o-short", "O-ABCDEF12345", "abcdef123456", "o-abcdef1234 x"} {
		d := caddyfile.NewTestDispenser("pinpoint_gateway {\n org_id " + strconv.Quote(bad) + "\n}")
		var g Gateway
		if err := g.UnmarshalCaddyfile(d); err == nil || !strings.Contains(err.Error(), "org_id") {
			t.Errorf("Caddyfile org_id %q: error %v, want one naming org_id", bad, err)
		}
		g = Gateway{Account: testAccount, Store: "x.json", OrgID: bad}
		g.applyDefaults()
		if err := g.validateConfig(); err == nil || !strings.Contains(err.Error(), "org_id") {
			t.Errorf("JSON org_id %q: error %v, want one naming org_id", bad, err)
		}
	}
	g := Gateway{Account: testAccount, Store: "x.json", OrgID: decideOrg}
	g.applyDefaults()
	if err := g.validateConfig(); err != nil {
		t.Errorf("org_id %q: %v", decideOrg, err)
	}
}
