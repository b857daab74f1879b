package module

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/awscall"
)

// Test principals of testStore. The secrets are test values.
const (
	testAccount    = "123456789012"
	readerKeyID    = "AKIATESTREADER000001"
	readerSecret   = "test/reader/secret/aaaaaaaaaaaaaaaaaaaaa"
	adminKeyID     = "AKIATESTADMIN0000001"
	adminSecret    = "test/admin/secret/bbbbbbbbbbbbbbbbbbbbbb"
	upstreamKeyID  = "AKIAUPSTREAMTEST0001"
	upstreamSecret = "upstream/secret/cccccccccccccccccccccccc"
	testSessionKey = "dGVzdC1zZXNzaW9uLWtleS0zMi1ieXRlcy0tLS0tLS0=" // base64 of 32 test bytes
	testApp        = "0123456789abcdef0123456789abcdef"
	testAppARN     = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/" + testApp
	otherAppARN    = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/fedcba9876543210fedcba9876543210"
)

const testStore = `{
  "users": [
    {"name": "reader", "access_keys": [{"id": "` + readerKeyID + `", "secret": "` + readerSecret + `"}], "policies": ["ReadOnly"]},
    {"name": "admin", "access_keys": [{"id": "` + adminKeyID + `", "secret": "` + adminSecret + `"}], "policies": ["Full"]}
  ],
  "policies": {
    "ReadOnly": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": ["mobiletargeting:Get*", "sms-voice:Describe*"], "Resource": "*"}]},
    "Full": {"Version": "2012-10-17", "Statement": [
      {"Sid": "All", "Effect": "Allow", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*"},
      {"Sid": "NoTenantB", "Effect": "Deny", "Action": "mobiletargeting:*", "Resource": "*",
       "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "b"}}}]}
  },
  "resource_tags": {"` + testAppARN + `": {"tenant": "b"}, "` + otherAppARN + `": {}}
}`

// fakeUpstream is an httptest server standing in for AWS. It records what
// it received and checks the gateway's signature by re-signing the
// request's signed headers with the upstream credentials.
type fakeUpstream struct {
	*httptest.Server
	t     testing.TB
	delay time.Duration

	mu   sync.Mutex
	got  []receivedRequest
	errs []string
}

type receivedRequest struct {
	method, host, uri string
	header            http.Header
	body              []byte
}

const upstreamBody = `{"ApplicationsResponse":{"Item":[{"Id":"x","Name":"from-upstream"}]}}`

func newFakeUpstream(t testing.TB) *fakeUpstream {
	f := &fakeUpstream{t: t}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.got = append(f.got, receivedRequest{method: r.Method, host: r.Host, uri: r.RequestURI, header: r.Header.Clone(), body: body})
	if msg := verifyUpstreamSignature(r, body); msg != "" {
		f.errs = append(f.errs, msg)
	}
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	w.Header().Set("X-Amzn-Requestid", "upstream-request-id")
	w.Header().Set("X-Upstream", "yes")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, upstreamBody)
}

func (f *fakeUpstream) received() []receivedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]receivedRequest(nil), f.got...)
}

func (f *fakeUpstream) signatureErrors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// verifyUpstreamSignature recomputes the SigV4 signature of r with the
// upstream credentials over the headers it claims to have signed, and
// compares. It returns "" when the signature holds.
func verifyUpstreamSignature(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+upstreamKeyID+"/") {
		return "not signed with the upstream key: " + auth
	}
	_, sh, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return "no SignedHeaders"
	}
	sh, _, _ = strings.Cut(sh, ",")
	scope := strings.Split(strings.TrimPrefix(strings.SplitN(auth, ",", 2)[0], "AWS4-HMAC-SHA256 Credential="), "/")
	if len(scope) != 5 {
		return "bad scope in " + auth
	}
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "bad X-Amz-Date: " + err.Error()
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	check, _ := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	check.Host = r.Host
	check.ContentLength = r.ContentLength
	for _, h := range strings.Split(sh, ";") {
		if h == "host" || h == "content-length" || h == "x-amz-date" {
			continue
		}
		check.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: upstreamKeyID, SecretAccessKey: upstreamSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, check, hex.EncodeToString(sum[:]), scope[3], scope[2], signingTime); err != nil {
		return "re-signing: " + err.Error()
	}
	if want := check.Header.Get("Authorization"); want != auth {
		return "signature mismatch:\n got " + auth + "\nwant " + want
	}
	return ""
}

// testGateway provisions a Gateway against testStore and the fake upstream.
// configure may change the config before provisioning.
func testGateway(t testing.TB, up *fakeUpstream, configure func(*Gateway)) (*Gateway, *observer.ObservedLogs) {
	t.Helper()
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &Gateway{
		Account:     testAccount,
		Store:       store,
		SessionKeys: []string{testSessionKey},
		UpstreamCredentials: &UpstreamCredentials{
			Source: CredentialsStatic, AccessKeyID: upstreamKeyID, SecretAccessKey: upstreamSecret,
		},
	}
	if up != nil {
		g.Endpoint = map[string]string{"pinpoint": up.URL, "sms-voice": up.URL, "sms-voice-v2": up.URL}
	}
	if configure != nil {
		configure(g)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	t.Cleanup(func() { g.Cleanup() })
	core, logs := observer.New(zapcore.InfoLevel)
	g.audit = zap.New(core).Named("audit")
	return g, logs
}

// signedRequest builds a request to the gateway signed by a client key.
func signedRequest(t testing.TB, method, target, service, region, keyID, secret string, header http.Header, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// serve runs the gateway on r, with the request variables Caddy's server
// provides, and returns the response.
func serve(g *Gateway, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	_ = g.ServeHTTP(w, withCaddyVars(r), nil)
	return w
}

// withCaddyVars gives r the variables map Caddy's server puts in every
// request's context, with the client IP.
func withCaddyVars(r *http.Request) *http.Request {
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	vars := map[string]any{caddyhttp.ClientIPVarKey: host}
	return r.WithContext(context.WithValue(r.Context(), caddyhttp.VarsCtxKey, vars))
}

// auditRecords returns the audit records as maps of their fields.
func auditRecords(logs *observer.ObservedLogs) []map[string]any {
	var out []map[string]any
	for _, e := range logs.All() {
		out = append(out, e.ContextMap())
	}
	return out
}

type failingCredentials struct{}

func (failingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, &awscall.CredentialsUnavailableError{Source: "the test", Err: io.ErrUnexpectedEOF}
}

func caddyDuration(d time.Duration) caddy.Duration { return caddy.Duration(d) }

// signedRequestToken signs a bodiless us-east-1 request with temporary
// credentials.
func signedRequestToken(t testing.TB, method, target, service, keyID, secret, token string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, authn.EmptyPayloadHash, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}
