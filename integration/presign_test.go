package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presignedGet presigns GET path?query for 5 minutes and sends it.
func presignedGet(t *testing.T, g *gatewayProc, path, query string, cr aws.Credentials) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target := g.URL + path + "?X-Amz-Expires=300"
	if query != "" {
		target += "&" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	signed, hdr, err := v4.NewSigner().PresignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), "mobiletargeting", testRegion, time.Now())
	if err != nil {
		t.Fatalf("presigning: %v", err)
	}
	preq, err := http.NewRequestWithContext(ctx, http.MethodGet, signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "Host") {
			preq.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(preq)
	if err != nil {
		t.Fatalf("presigned GET: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// TestPresignedRequests: presigned URLs (long-term keys and session
// credentials) are verified, and none of the presign parameters, the
// token included, reaches the upstream; other query parameters do.
func TestPresignedRequests(t *testing.T) {
	e := newEnv(t, nil)
	c := newCapture()

	t.Run("long-term key", func(t *testing.T) {
		e.reset()
		resp := presignedGet(t, e.g, "/v1/apps", "page-size=5", aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret})
		if resp.Status != 200 || string(resp.Body) != cannedResponses["pinpoint GetApps"].Body {
			t.Fatalf("got %d %q", resp.Status, resp.Body)
		}
		rec := e.onlyRecord(t, "pinpoint")
		if rec.RawQuery != "page-size=5" {
			t.Errorf("upstream query %q, want only page-size=5", rec.RawQuery)
		}
	})
	t.Run("session credentials", func(t *testing.T) {
		sess := assumeTenantRole(t, e, c, "a")
		e.reset()
		resp := presignedGet(t, e.g, "/v1/apps/app-a", "", sess)
		if resp.Status != 200 {
			t.Fatalf("got %d %q", resp.Status, resp.Body)
		}
		if rec := e.onlyRecord(t, "pinpoint"); rec.RawQuery != "" {
			t.Errorf("upstream query %q, want none", rec.RawQuery)
		}
	})
	t.Run("tampered presigned query", func(t *testing.T) {
		e.reset()
		resp := presignedGet(t, e.g, "/v1/apps", "page-size=5", aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: "wrong/secret/for/the/backend/user/00000"})
		if code, _ := errorCodeOf(resp); resp.Status != 403 || code != "InvalidSignatureException" {
			t.Errorf("got %d %s, want 403 InvalidSignatureException", resp.Status, code)
		}
		e.assertNothingUpstream(t)
	})
	assertNoUpstreamFailures(t, e)
}

// TestUpstreamUnreachable: when the upstream cannot be reached, the client
// gets 502 in the API's error shape with the gateway's request ID, and the
// audit record says why.
func TestUpstreamUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Endpoints["pinpoint"] = dead })
	resp := rawRequest{Method: "GET", Path: "/v1/apps", Service: "mobiletargeting",
		Creds: aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}}.do(t, e.g, newCapture())
	if resp.Status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502 (body %q)", resp.Status, resp.Body)
	}
	reqID := resp.Header.Get("X-Amzn-Requestid")
	if reqID == "" || !strings.Contains(string(resp.Body), reqID) {
		t.Errorf("request ID %q missing from header or body %q", reqID, resp.Body)
	}
	rec := e.g.waitAudit(t, "the failed forward", func(r map[string]any) bool { return field(r, "request_id") == reqID })
	if field(rec, "decision") != "Allow" || field(rec, "upstream_error") == "" {
		t.Errorf("audit record %v lacks the upstream error", rec)
	}
}
