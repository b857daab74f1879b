package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"

	"github.com/pinpointgw/gateway/authz"
)

// field returns a string field of an audit record ("" if absent).
func field(rec map[string]any, name string) string {
	s, _ := rec[name].(string)
	return s
}

// firstAuthorization returns the first authorization's action and resources.
func firstAuthorization(rec map[string]any) (string, []string) {
	auths, _ := rec["authorizations"].([]any)
	if len(auths) == 0 {
		return "", nil
	}
	a, _ := auths[0].(map[string]any)
	var res []string
	rs, _ := a["resources"].([]any)
	for _, r := range rs {
		s, _ := r.(string)
		res = append(res, s)
	}
	action, _ := a["action"].(string)
	return action, res
}

// matchedSids lists the sids of an audit record's matched statements.
func matchedSids(rec map[string]any) []string {
	ms, _ := rec["matched"].([]any)
	var out []string
	for _, m := range ms {
		mm, _ := m.(map[string]any)
		out = append(out, fmt.Sprint(mm["sid"]))
	}
	return out
}

// assertNoSecretsInLog fails if any secret, session token or signature
// appears anywhere in the gateway's whole log.
func assertNoSecretsInLog(t *testing.T, g *gatewayProc, secrets []string) {
	t.Helper()
	log := g.Log.String()
	if len(log) == 0 {
		t.Fatal("empty gateway log")
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(log, s) {
			t.Errorf("the gateway log contains a secret, token or signature (%d characters, starting %q)", len(s), s[:4])
		}
	}
}

// upstreamSignatures returns the signatures of what reached the upstreams.
func (e *env) upstreamSignatures() []string {
	var out []string
	for _, u := range e.up {
		for _, r := range u.Records() {
			if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok {
				out = append(out, sig)
			}
		}
	}
	return out
}

// TestAuditRecords: one audit record per request, allowed, denied, STS and
// unauthenticated alike, with the fields README.md's audit section lists, and no secret, token or
// signature anywhere in the log.
func TestAuditRecords(t *testing.T) {
	e := newEnv(t, nil)
	c := newCapture()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pp := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), c)
	if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
		t.Fatalf("GetApps: %v", err)
	}
	if _, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")}); err == nil {
		t.Fatal("GetSegments allowed, want denied")
	}
	sess := assumeTenantRole(t, e, c, "a")
	sp := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
	if _, err := sp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Fatalf("GetApp as tenant a: %v", err)
	}
	if _, err := pinpointClient(e.g, creds(backendKeyID, "wrong/secret/for/the/backend/user/00000", ""), c).GetApps(ctx, &pinpoint.GetAppsInput{}); err == nil {
		t.Fatal("bad signature accepted")
	}

	t.Run("allowed", func(t *testing.T) {
		rec := e.g.waitAudit(t, "GetApps", func(r map[string]any) bool { return field(r, "operation") == "GetApps" })
		want := map[string]string{
			"access_key_id": backendKeyID, "principal_arn": backendARN, "principal_type": "User",
			"api": "pinpoint", "decision": "Allow", "mode": "enforce", "remote_ip": "127.0.0.1",
		}
		for k, v := range want {
			if got := field(rec, k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		for _, k := range []string{"time", "request_id", "user_agent", "duration"} {
			if rec[k] == nil || rec[k] == "" {
				t.Errorf("field %s missing in %v", k, rec)
			}
		}
		if !strings.Contains(field(rec, "user_agent"), "aws-sdk-go-v2") {
			t.Errorf("user_agent %q", field(rec, "user_agent"))
		}
		if action, res := firstAuthorization(rec); action != "mobiletargeting:GetApps" || len(res) != 1 || !strings.HasPrefix(res[0], "arn:aws:mobiletargeting:us-east-1:123456789012:apps") {
			t.Errorf("authorizations %v", rec["authorizations"])
		}
		if sids := matchedSids(rec); len(sids) != 1 || sids[0] != "PinpointUse" {
			t.Errorf("matched %v, want the PinpointUse statement", rec["matched"])
		}
		if s, _ := rec["upstream_status"].(float64); s != 200 {
			t.Errorf("upstream_status %v, want 200", rec["upstream_status"])
		}
	})
	t.Run("denied", func(t *testing.T) {
		rec := e.g.waitAudit(t, "GetSegments", func(r map[string]any) bool { return field(r, "operation") == "GetSegments" })
		if field(rec, "decision") != "ImplicitDeny" || field(rec, "principal_arn") != backendARN || field(rec, "mode") != "enforce" {
			t.Errorf("record %v", rec)
		}
		if action, _ := firstAuthorization(rec); action != "mobiletargeting:GetSegments" {
			t.Errorf("authorizations %v", rec["authorizations"])
		}
		if !strings.Contains(field(rec, "reason"), "mobiletargeting:GetSegments") {
			t.Errorf("reason %q does not name the action", field(rec, "reason"))
		}
		if _, ok := rec["upstream_status"]; ok {
			t.Errorf("denied request has upstream_status %v", rec["upstream_status"])
		}
	})
	t.Run("role session", func(t *testing.T) {
		rec := e.g.waitAudit(t, "GetApp as tenant a", func(r map[string]any) bool { return field(r, "operation") == "GetApp" })
		want := map[string]string{
			"access_key_id":  sess.AccessKeyID,
			"principal_arn":  "arn:aws:sts::123456789012:assumed-role/tenant-app/tenant-a-worker",
			"role_arn":       tenantRoleARN,
			"principal_type": "AssumedRole",
			"session_name":   "tenant-a-worker",
			"decision":       "Allow",
		}
		for k, v := range want {
			if got := field(rec, k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if tags, _ := rec["session_tags"].(map[string]any); tags["tenant"] != "a" {
			t.Errorf("session_tags %v", rec["session_tags"])
		}
	})
	t.Run("STS", func(t *testing.T) {
		rec := e.g.waitAudit(t, "AssumeRole", func(r map[string]any) bool { return field(r, "operation") == "AssumeRole" })
		if field(rec, "principal_arn") != assumerARN || field(rec, "decision") != "Allow" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("unauthenticated", func(t *testing.T) {
		rec := e.g.waitAudit(t, "the bad signature", func(r map[string]any) bool { return field(r, "decision") == "Unauthenticated" })
		if field(rec, "access_key_id") != backendKeyID || field(rec, "reason") == "" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("one record per request", func(t *testing.T) {
		// GetApps, GetSegments, AssumeRole, GetApp, the bad signature.
		if n := len(e.g.auditRecords(t)); n != 5 {
			t.Errorf("%d audit records, want 5", n)
		}
	})
	t.Run("no secrets in the log", func(t *testing.T) {
		secrets := append([]string{sess.SecretAccessKey, sess.SessionToken}, allSecrets...)
		secrets = append(secrets, c.Signatures()...)
		secrets = append(secrets, e.upstreamSignatures()...)
		if len(c.Signatures()) < 5 {
			t.Fatalf("only %d client signatures captured", len(c.Signatures()))
		}
		assertNoSecretsInLog(t, e.g, secrets)
	})
	assertNoUpstreamFailures(t, e)
}

// TestDryRun: in dry_run mode a request IAM denies is forwarded anyway and
// audited as a would-deny; unauthenticated requests are still refused.
func TestDryRun(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Mode = "dry_run" })
	c := newCapture()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pp := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), c)

	t.Run("would-deny is forwarded, and refused by the least-privilege upstream", func(t *testing.T) {
		// The gateway forwards what its store denies, and AWS, holding the gateway's
		// identity to the policy `gateway upstream-policy` generated from the same store,
		// refuses it: dry_run cannot reach beyond what the store could ever allow.
		e.reset()
		e.up["pinpoint"].ExpectPolicyDenials()
		_, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")})
		apiErrorOf(t, err, "AccessDeniedException", 403)
		if rec := e.onlyRecord(t, "pinpoint"); rec.Operation != "GetSegments" {
			t.Errorf("upstream got %s", rec.Operation)
		}
		if v := e.up["pinpoint"].PolicyViolations(); len(v) != 1 || !strings.Contains(v[0], "mobiletargeting:GetSegments") {
			t.Errorf("upstream policy refusals %q, want the GetSegments", v)
		}
		rec := e.g.waitAudit(t, "GetSegments", func(r map[string]any) bool { return field(r, "operation") == "GetSegments" })
		if field(rec, "decision") != "ImplicitDeny" || field(rec, "mode") != "dry_run" {
			t.Errorf("decision %q mode %q, want ImplicitDeny dry_run", field(rec, "decision"), field(rec, "mode"))
		}
		if !strings.Contains(strings.ToLower(field(rec, "reason")), "would deny") {
			t.Errorf("reason %q does not say would deny", field(rec, "reason"))
		}
		if s, _ := rec["upstream_status"].(float64); s != 403 {
			t.Errorf("upstream_status %v, want 403", rec["upstream_status"])
		}
	})
	t.Run("would-deny is forwarded and answered, under a broader upstream policy", func(t *testing.T) {
		// An upstream identity broader than the store (what the gateway's credentials
		// often are): the request goes through and its answer comes back intact.
		e.reset()
		broad, err := authz.Parse("broad", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:*","Resource":"*"}]}`), authz.IdentityBased)
		if err != nil {
			t.Fatal(err)
		}
		e.up["pinpoint"].SetPolicy([]*authz.Policy{broad})
		out, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")})
		if err != nil {
			t.Fatalf("GetSegments in dry_run: %v", err)
		}
		if len(out.SegmentsResponse.Item) != 1 {
			t.Errorf("decoded %+v", out.SegmentsResponse)
		}
		if rec := e.onlyRecord(t, "pinpoint"); rec.Operation != "GetSegments" {
			t.Errorf("upstream got %s", rec.Operation)
		}
		_, body := c.last()
		if string(body) != cannedResponses["pinpoint GetSegments"].Body {
			t.Errorf("body %q", body)
		}
		rec := e.g.waitAudit(t, "GetSegments 200", func(r map[string]any) bool {
			s, _ := r["upstream_status"].(float64)
			return field(r, "operation") == "GetSegments" && s == 200
		})
		if field(rec, "decision") != "ImplicitDeny" || field(rec, "mode") != "dry_run" {
			t.Errorf("decision %q mode %q, want ImplicitDeny dry_run", field(rec, "decision"), field(rec, "mode"))
		}
	})
	t.Run("allowed is forwarded and audited Allow", func(t *testing.T) {
		e.reset()
		if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
			t.Fatalf("GetApps: %v", err)
		}
		e.onlyRecord(t, "pinpoint")
		rec := e.g.waitAudit(t, "GetApps", func(r map[string]any) bool { return field(r, "operation") == "GetApps" })
		if field(rec, "decision") != "Allow" || field(rec, "mode") != "dry_run" {
			t.Errorf("decision %q mode %q", field(rec, "decision"), field(rec, "mode"))
		}
	})
	t.Run("bad signature still refused", func(t *testing.T) {
		e.reset()
		_, err := pinpointClient(e.g, creds(backendKeyID, "wrong/secret/for/the/backend/user/00000", ""), c).GetApps(ctx, &pinpoint.GetAppsInput{})
		apiErrorOf(t, err, "InvalidSignatureException", 403)
		e.assertNothingUpstream(t)
	})
	assertNoSecretsInLog(t, e.g, append(append(allSecrets, c.Signatures()...), e.upstreamSignatures()...))
	assertNoUpstreamFailures(t, e)
}
