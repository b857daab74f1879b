package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Adversarial tests of what the gateway decides on when it lacks or cannot
// trust information: resource tags it could not learn (throttled lookups,
// ARNs it never looks up), a cached "not found" that would outlive a
// create, tag keys that differ only in case; and the bound on the audit
// record of a pathological request. All against the real binary.

const (
	decideGuardKeyID  = "AKIAINTEGDECIDEGUARD"
	decideGuardSecret = "decideGuardSecret/IntegrationTests/00001"
	decideLockKeyID   = "AKIAINTEGDECIDELOCK1"
	decideLockSecret  = "decideLockSecret/IntegrationTests/000001"
	decideAdminKeyID  = "AKIAINTEGDECIDEADMIN"
	decideAdminSecret = "decideAdminSecret/IntegrationTests/00001"
	decideTemplateARN = arnPrefix + "templates/promo/EMAIL"
)

// decideWorld is the fake account of these tests: tags of existing
// resources only (ListTagsForResource of anything else is 404, as in AWS),
// a throttle switch, and an email template that can be created.
type decideWorld struct {
	mu       sync.Mutex
	tags     map[string]map[string]string
	throttle bool
	lookups  int
}

func (w *decideWorld) set(fn func(w *decideWorld)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(w)
}

func (w *decideWorld) pinpoint(r *http.Request, body []byte) (string, cannedResponse, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	const ctype = "application/json"
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/tags/"); ok && r.Method == http.MethodGet {
		w.lookups++
		if w.throttle {
			return "ListTagsForResource", cannedResponse{Status: http.StatusTooManyRequests,
				Header: map[string]string{"Content-Type": ctype, "X-Amzn-ErrorType": "TooManyRequestsException"},
				Body:   `{"Message":"Rate exceeded"}`}, true
		}
		arn, _ := url.PathUnescape(rest)
		tags, ok := w.tags[arn]
		if !ok {
			return "ListTagsForResource", cannedResponse{Status: http.StatusNotFound,
				Header: map[string]string{"Content-Type": ctype, "X-Amzn-ErrorType": "NotFoundException"},
				Body:   `{"Message":"Resource not found"}`}, true
		}
		return "ListTagsForResource", jsonAnswer(200, ctype, map[string]any{"tags": tags}), true
	}
	if r.URL.Path == "/v1/templates/promo/email" && r.Method == http.MethodPost {
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		_ = json.Unmarshal(body, &in)
		if in.Tags == nil {
			in.Tags = map[string]string{}
		}
		w.tags[decideTemplateARN] = in.Tags
		return "CreateEmailTemplate", jsonAnswer(201, ctype, map[string]any{"CreateTemplateMessageBody": map[string]string{"Message": "Created"}}), true
	}
	return "", cannedResponse{}, false
}

// decideStore adds the guarded, locker and template admin users to the
// test store, and takes out the store's resource tags (they come from
// the upstream).
func decideStore() obj {
	s := testStore()
	delete(s, "resource_tags")
	s["users"] = append(s["users"].([]obj),
		obj{"name": "guarded", "access_keys": []obj{{"id": decideGuardKeyID, "secret": decideGuardSecret}}, "policies": []string{"AllButTenantB"}},
		obj{"name": "locker", "access_keys": []obj{{"id": decideLockKeyID, "secret": decideLockSecret}}, "policies": []string{"NoLockedTemplates"}},
		obj{"name": "templates", "access_keys": []obj{{"id": decideAdminKeyID, "secret": decideAdminSecret}}, "policies": []string{"Templates"}},
	)
	policies := s["policies"].(obj)
	policies["AllButTenantB"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Effect": "Allow", "Action": []string{"mobiletargeting:*", "sms-voice:*"}, "Resource": "*"},
		{"Sid": "NotTenantB", "Effect": "Deny", "Action": []string{"mobiletargeting:*", "sms-voice:*"}, "Resource": "*",
			"Condition": obj{"StringEquals": obj{"aws:ResourceTag/tenant": "b"}}},
	}}
	policies["NoLockedTemplates"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Effect": "Allow", "Action": "mobiletargeting:*", "Resource": "*"},
		{"Sid": "Locked", "Effect": "Deny", "Action": "mobiletargeting:Update*Template", "Resource": "*",
			"Condition": obj{"StringEquals": obj{"aws:ResourceTag/locked": "true"}}},
	}}
	policies["Templates"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Effect": "Allow", "Action": "mobiletargeting:CreateEmailTemplate", "Resource": "*"},
	}}
	return s
}

func decideGet(t *testing.T, e *env, keyID, secret, path string) rawResponse {
	t.Helper()
	return rawRequest{Method: "GET", Path: path, Service: "mobiletargeting",
		Creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}}.do(t, e.g, newQuietCapture())
}

// TestSecurityDecideUnknownTags: a Deny on aws:ResourceTag/tenant = b keeps
// applying when the tags cannot be learned: the request is denied, with
// the reason in the error and the audit record.
func TestSecurityDecideUnknownTags(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	world := &decideWorld{tags: map[string]map[string]string{
		appAARN:                  {"tenant": "a"},
		appBARN:                  {"tenant": "b"},
		arnPrefix + "apps/app-c": {"tenant": "a", "TENANT": "b"},
	}}
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, decideStore())
		cfg.Extra = "\t\tresource_tags lookup 1h 1000 2s\n\t\tregions us-east-1"
	})
	e.up["pinpoint"].setRespond(world.pinpoint)

	// Throttled: before, the Deny silently stopped applying and app b's
	// data came back.
	world.set(func(w *decideWorld) { w.throttle = true })
	resp := decideGet(t, e, decideGuardKeyID, decideGuardSecret, "/v1/apps/app-b")
	code, msg := errorCodeOf(resp)
	if resp.Status != 403 || code != "AccessDeniedException" || !strings.Contains(msg, "resource tags are unknown") {
		t.Errorf("throttled lookup: %d %s %q, want 403 AccessDeniedException saying the tags are unknown", resp.Status, code, msg)
	} else {
		rec := e.g.waitAudit(t, "the throttled decision", func(r map[string]any) bool {
			return strings.Contains(field(r, "reason"), "the tag lookup failed")
		})
		if got := fmt.Sprint(rec["resource_tags_unavailable"]); got != "["+appBARN+"]" {
			t.Errorf("resource_tags_unavailable = %s, want [%s]", got, appBARN)
		}
	}
	for _, r := range e.up["pinpoint"].Records() {
		if r.Operation != "ListTagsForResource" {
			t.Errorf("forwarded %s %s while the tags were unknown", r.Method, r.Path)
		}
	}

	// Recovered: the tags decide again.
	world.set(func(w *decideWorld) { w.throttle = false })
	if resp := decideGet(t, e, decideGuardKeyID, decideGuardSecret, "/v1/apps/app-b"); resp.Status != 403 {
		t.Errorf("app b after recovery: %d, want 403 (explicit deny)", resp.Status)
	}
	if resp := decideGet(t, e, decideGuardKeyID, decideGuardSecret, "/v1/apps/app-a"); resp.Status != 200 {
		t.Errorf("app a after recovery: %d %s, want 200", resp.Status, resp.Body)
	}

	// An ARN the gateway never looks up (a region it does not serve).
	foreign := "arn:aws:mobiletargeting:us-west-2:123456789012:apps/app-b"
	resp = decideGet(t, e, decideGuardKeyID, decideGuardSecret, "/v1/tags/"+url.PathEscape(foreign))
	if _, msg := errorCodeOf(resp); resp.Status != 403 || !strings.Contains(msg, "not looked up") {
		t.Errorf("tags of %s: %d %q, want 403 saying they are not looked up", foreign, resp.Status, msg)
	}

	// Tag keys that differ only in case: denied every time, never map order.
	for i := range 20 {
		if resp := decideGet(t, e, decideGuardKeyID, decideGuardSecret, "/v1/apps/app-c"); resp.Status != 403 {
			t.Errorf("app c (tenant=a, TENANT=b), request %d: %d, want 403", i, resp.Status)
			break
		}
	}
}

// TestSecurityDecideNotFoundThenCreate: a probe of a template that does not
// exist yet must not leave "no tags" cached once it is created locked
// through the gateway.
func TestSecurityDecideNotFoundThenCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	world := &decideWorld{tags: map[string]map[string]string{}}
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, decideStore())
		cfg.Extra = "\t\tresource_tags lookup 1h 1000 2s"
	})
	e.up["pinpoint"].setRespond(world.pinpoint)
	update := rawRequest{Method: "PUT", Path: "/v1/templates/promo/email", Service: "mobiletargeting",
		Header: map[string]string{"Content-Type": "application/json"}, Body: `{"Subject":"mine now"}`,
		Creds: aws.Credentials{AccessKeyID: decideLockKeyID, SecretAccessKey: decideLockSecret}}
	if resp := update.do(t, e.g, newQuietCapture()); resp.Status != 200 {
		t.Fatalf("probe: %d %s, want 200 (no such template, no tags)", resp.Status, resp.Body)
	}
	create := rawRequest{Method: "POST", Path: "/v1/templates/promo/email", Service: "mobiletargeting",
		Header: map[string]string{"Content-Type": "application/json"}, Body: `{"Subject":"x","tags":{"locked":"true"}}`,
		Creds: aws.Credentials{AccessKeyID: decideAdminKeyID, SecretAccessKey: decideAdminSecret}}
	if resp := create.do(t, e.g, newQuietCapture()); resp.Status != 201 {
		t.Fatalf("create: %d %s, want 201", resp.Status, resp.Body)
	}
	if resp := update.do(t, e.g, newQuietCapture()); resp.Status != 403 {
		t.Fatalf("update after the locked create: %d %s, want 403", resp.Status, resp.Body)
	}
}

// TestSecurityDecideAuditBounded: a refused 2.4 MB request naming 100,000
// pools writes an audit record of at most 64 KiB.
func TestSecurityDecideAuditBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, decideStore())
		cfg.MaxBody = "4MiB"
	})
	ids := make([]string, 100000)
	for i := range ids {
		ids[i] = fmt.Sprintf("pool-%016d", i)
	}
	body, _ := json.Marshal(map[string]any{"PoolIds": ids})
	resp := rawRequest{Method: "POST", Path: "/", Service: "sms-voice", Body: string(body),
		Header: map[string]string{"X-Amz-Target": "PinpointSMSVoiceV2.DescribePools", "Content-Type": "application/x-amz-json-1.0"},
		Creds:  aws.Credentials{AccessKeyID: decideLockKeyID, SecretAccessKey: decideLockSecret}}.do(t, e.g, newQuietCapture())
	if resp.Status < 400 {
		t.Fatalf("status %d, want a refusal", resp.Status)
	}
	const bound = 64 << 10
	longest := 0
	deadline := time.Now().Add(5 * time.Second)
	for longest == 0 && time.Now().Before(deadline) {
		for _, line := range strings.Split(e.g.Log.String(), "\n") {
			// The request's own record: the models' limit on PoolIds refuses
			// it before it is mapped, so the record names its key, not
			// necessarily its operation.
			if strings.Contains(line, auditLogger) && strings.Contains(line, decideLockKeyID) {
				longest = max(longest, len(line))
			}
		}
		if longest == 0 {
			time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline
		}
	}
	if longest == 0 || longest > bound {
		t.Fatalf("longest audit line %d bytes for a %d-byte request, want 1..%d", longest, len(body), bound)
	}
	t.Logf("%d-byte request: status %d, audit record %d bytes", len(body), resp.Status, longest)
}
