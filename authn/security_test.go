package authn

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pinpointgw/gateway/awserr"
)

// v2Request returns an SMS and Voice v2 JSON 1.0 request: POST / with the
// target and content type of target. extra headers are set before signing.
func v2Request(t testing.TB, target string, extra map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		r.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2."+target)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	return r
}

func signV2(t testing.TB, r *http.Request, creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, sha256Hex([]byte("{}")), "sms-voice", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return r
}

func presignV2(t testing.TB, r *http.Request, creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "300")
	r.URL.RawQuery = q.Encode()
	s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
	u, hdr, err := s.PresignHTTP(context.Background(), creds, r, sha256Hex([]byte("{}")), "sms-voice", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	p, err := http.NewRequest(http.MethodPost, u, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "Host") {
			p.Header[k] = v
		}
	}
	return p
}

// refusedTarget is a target that a test adds to a request after signing:
// the request must not reach it.
const refusedTarget = "PinpointSMSVoiceV2.DeleteTextMessageSpendLimitOverride"

// setAfterSigning sets header name of the signed request r to value.
func setAfterSigning(r *http.Request, name, value string) *http.Request {
	r.Header.Set(name, value)
	return r
}

// accepted is the want of checkAuthenticate for a request that is accepted.
const accepted ErrorKind = -1

// acceptedOr returns accepted if ok, else refusal.
func acceptedOr(ok bool, refusal ErrorKind) ErrorKind {
	if ok {
		return accepted
	}
	return refusal
}

// checkAuthenticate fails t unless Authenticate's answer id, err is an
// identity (want accepted) or a refusal of kind want without one.
func checkAuthenticate(t *testing.T, id *Authenticated, err error, want ErrorKind) {
	t.Helper()
	if want == accepted {
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		return
	}
	if k, ok := kindOf(err); !ok || k != want || id != nil {
		t.Fatalf("Authenticate = %v, %v; want kind %v", id, err, want)
	}
}

// TestUnsignedHeadersRefused: every header the mapping reads (X-Amz-Target,
// Content-Type) and every other X-Amz-* header present must be signed, in
// the header form and in presigned URLs; otherwise the request is refused
// before any credential lookup, whatever the rest of the signature says.
func TestUnsignedHeadersRefused(t *testing.T) {
	t.Parallel()
	long := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	_, temp := assume(t, a, testKeyID, roleForm())

	tests := map[string]struct {
		req  func() *http.Request
		want ErrorKind
	}{
		"all signed": {want: accepted, req: func() *http.Request {
			return signV2(t, v2Request(t, "DescribeAccountLimits", nil), long, t0)
		}},
		"all signed, x-amz-user-agent too (JS SDK v3)": {want: accepted, req: func() *http.Request {
			return signV2(t, v2Request(t, "DescribeAccountLimits", map[string]string{"X-Amz-User-Agent": "aws-sdk-js/3.0"}), long, t0)
		}},
		"session token added after signing (SigV4 suite post-sts-header-after)": {want: accepted, req: func() *http.Request {
			c := temp
			c.SessionToken = ""
			r := signV2(t, v2Request(t, "DescribeAccountLimits", nil), c, t0)
			r.Header.Set("X-Amz-Security-Token", temp.SessionToken)
			return r
		}},
		"target added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			return setAfterSigning(signV2(t, v2Request(t, "", nil), long, t0), "X-Amz-Target", refusedTarget)
		}},
		"target added after signing, lower-case name": {want: SignatureDoesNotMatch, req: func() *http.Request {
			r := signV2(t, v2Request(t, "", nil), long, t0)
			r.Header["x-amz-target"] = []string{refusedTarget}
			return r
		}},
		"target signed, a second spelling added": {want: SignatureDoesNotMatch, req: func() *http.Request {
			r := signV2(t, v2Request(t, "DescribeAccountLimits", nil), long, t0)
			r.Header["x-amz-target"] = []string{refusedTarget}
			return r
		}},
		"content-type added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			r := v2Request(t, "DescribeAccountLimits", nil)
			r.Header.Del("Content-Type")
			signV2(t, r, long, t0)
			r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return r
		}},
		"other x-amz header added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			return setAfterSigning(signV2(t, v2Request(t, "DescribeAccountLimits", nil), long, t0), "X-Amz-Whatever", "1")
		}},
		"temporary credentials, target added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			return setAfterSigning(signV2(t, v2Request(t, "", nil), temp, t0), "X-Amz-Target", refusedTarget)
		}},
		"presigned with target and content type": {want: accepted, req: func() *http.Request {
			return presignV2(t, v2Request(t, "DescribeAccountLimits", nil), long, t0)
		}},
		"presigned, target added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			r := v2Request(t, "", nil)
			r.Header.Del("Content-Type")
			p := presignV2(t, r, long, t0)
			p.Header.Set("X-Amz-Target", refusedTarget)
			return p
		}},
		"presigned, content-type added after signing": {want: SignatureDoesNotMatch, req: func() *http.Request {
			r := v2Request(t, "", nil)
			r.Header.Del("Content-Type")
			p := presignV2(t, r, long, t0)
			p.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return p
		}},
		"target as a query parameter": {want: BadRequest, req: func() *http.Request {
			r := v2Request(t, "DescribeAccountLimits", nil)
			r.URL.RawQuery = "X-Amz-Target=PinpointSMSVoiceV2.DeleteTextMessageSpendLimitOverride"
			return signV2(t, r, long, t0)
		}},
		"lower-case presign parameter name": {want: BadRequest, req: func() *http.Request {
			r := v2Request(t, "DescribeAccountLimits", nil)
			r.URL.RawQuery = "x-amz-signature=00"
			return signV2(t, r, long, t0)
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id, err := a.Authenticate(tc.req(), []byte("{}"))
			checkAuthenticate(t, id, err, tc.want)
		})
	}
}

// TestUnsignedHeaderMessage: the refusal names the header and answers AWS's
// InvalidSignatureException (403), as AWS does for an unsigned Host.
func TestUnsignedHeaderMessage(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, nil)
	r := signV2(t, v2Request(t, "", nil), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, t0)
	r.Header.Set("X-Amz-Target", refusedTarget)
	_, err := a.Authenticate(r, []byte("{}"))
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("Authenticate = %v, want *Error", err)
	}
	if e.Code(awserr.JSON) != "InvalidSignatureException" || e.Status() != http.StatusForbidden || !strings.Contains(e.Message, "'x-amz-target'") {
		t.Fatalf("error %s %d %q", e.Code(awserr.JSON), e.Status(), e.Message)
	}
}

// TestSessionKeysRefuseKnownAndWeak: the key published in caddyfile.example
// and keys that are not random (one byte value, few distinct bytes) are
// refused.
func TestSessionKeysRefuseKnownAndWeak(t *testing.T) {
	t.Parallel()
	enc := base64.StdEncoding.EncodeToString
	tests := map[string]string{
		"published example key":         "RVhBTVBMRS1zZXNzaW9uLWtleS1kby1ub3QtdXNlISE=",
		"published example key, urlraw": base64.RawURLEncoding.EncodeToString([]byte("EXAMPLE-session-key-do-not-use!!")),
		"all zero":                      enc(make([]byte, 32)),
		"all 0x41":                      enc(bytes.Repeat([]byte{0x41}, 32)),
		"two byte values":               enc(bytes.Repeat([]byte{1, 2}, 16)),
		"seven byte values":             enc(bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 1}, 4)),
	}
	for name, k := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sk, err := ParseSessionKeys([]string{k})
			if err == nil || sk != nil {
				t.Fatalf("ParseSessionKeys(%s) = %v, %v; want an error", name, sk, err)
			}
			if strings.Contains(err.Error(), k) {
				t.Errorf("error %q shows the key", err)
			}
		})
	}
	// As second (opening-only) key too.
	if _, err := ParseSessionKeys([]string{enc(bytes.Repeat([]byte{9, 8, 7, 6, 5, 4, 3, 2}, 4)), tests["published example key"]}); err == nil {
		t.Error("the published key was accepted as a second key")
	}
}

// TestEphemeralSessionKeys: a random key per call, never equal.
func TestEphemeralSessionKeys(t *testing.T) {
	t.Parallel()
	a, err := EphemeralSessionKeys()
	if err != nil {
		t.Fatal(err)
	}
	b, err := EphemeralSessionKeys()
	if err != nil {
		t.Fatal(err)
	}
	if a.keys[0].id == b.keys[0].id {
		t.Fatal("two ephemeral keys are equal")
	}
}

// sealWith seals claims under keys bound as a binds them: a key holder
// forging a token.
func sealWith(t testing.TB, a *Authenticator, c *sessionClaims) string {
	t.Helper()
	var err error
	if c.AccessKeyID, c.Secret, err = newTemporaryCredentials(); err != nil {
		t.Fatal(err)
	}
	tok, err := a.cfg.SessionKeys.seal(c, a.binding)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOpenedTokenLifetimeCapped: a token is refused when it opens to a
// validity longer than the STS can issue for its kind (36 h for
// GetSessionToken, 12 h for a role, 1 h chained) or to an issue time in the
// future, even though it is sealed with the right key and not yet expired.
func TestOpenedTokenLifetimeCapped(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t0}
	a := testAuthenticator(t, clock, testKeys(t, 1))
	tests := map[string]struct {
		c  sessionClaims
		ok bool
	}{
		"role 15m":                {sessionClaims{IssuedAt: t0, Expires: t0.Add(15 * time.Minute), Role: true, Name: "tenant-app", SessionName: "s"}, true},
		"role 12h":                {sessionClaims{IssuedAt: t0, Expires: t0.Add(12 * time.Hour), Role: true, Name: "tenant-app", SessionName: "s"}, true},
		"role 1 year":             {sessionClaims{IssuedAt: t0, Expires: t0.Add(365 * 24 * time.Hour), Role: true, Name: "tenant-app", SessionName: "s"}, false},
		"role 12h+1s":             {sessionClaims{IssuedAt: t0, Expires: t0.Add(12*time.Hour + time.Second), Role: true, Name: "tenant-app", SessionName: "s"}, false},
		"chained 1h":              {sessionClaims{IssuedAt: t0, Expires: t0.Add(time.Hour), Role: true, Chained: true, Name: "chained", SessionName: "s"}, true},
		"chained 2h":              {sessionClaims{IssuedAt: t0, Expires: t0.Add(2 * time.Hour), Role: true, Chained: true, Name: "chained", SessionName: "s"}, false},
		"user 36h":                {sessionClaims{IssuedAt: t0, Expires: t0.Add(36 * time.Hour), Name: "backend"}, true},
		"user 1 year":             {sessionClaims{IssuedAt: t0, Expires: t0.Add(365 * 24 * time.Hour), Name: "backend"}, false},
		"issued in the future":    {sessionClaims{IssuedAt: t0.Add(time.Hour), Expires: t0.Add(2 * time.Hour), Role: true, Name: "tenant-app", SessionName: "s"}, false},
		"expires before issued":   {sessionClaims{IssuedAt: t0, Expires: t0.Add(-time.Second), Role: true, Name: "tenant-app", SessionName: "s"}, false},
		"issued long ago, 1 year": {sessionClaims{IssuedAt: t0.Add(-300 * 24 * time.Hour), Expires: t0.Add(65 * 24 * time.Hour), Name: "backend"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := tc.c
			tok := sealWith(t, a, &c)
			cr := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret, SessionToken: tok}
			id, err := a.Authenticate(signedGetApps(t, cr, t0, false), nil)
			checkAuthenticate(t, id, err, acceptedOr(tc.ok, InvalidToken))
		})
	}
}

// TestTokenBoundToIssuer: a token sealed by a gateway of another account,
// partition or deployment, with the same session keys, does not open.
func TestTokenBoundToIssuer(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t0}
	keys := testKeys(t, 1)
	store := func(account, partition string) *Store {
		js := strings.ReplaceAll(testStoreJSON, testAccount, account)
		js = strings.ReplaceAll(js, "arn:aws:", "arn:"+partition+":")
		s, err := ParseStore("test.json", []byte(js), StoreOptions{Account: account, Partition: partition, LookupEnv: testEnv})
		if err != nil {
			t.Fatalf("ParseStore: %v", err)
		}
		return s
	}
	gateway := func(account, partition, deployment string) *Authenticator {
		a, err := New(Config{Store: store(account, partition), SessionKeys: keys, DeploymentID: deployment, Now: clock.Now})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return a
	}
	issuer := gateway(testAccount, "aws", "")
	_, temp := assume(t, issuer, testKeyID, roleForm())
	if _, err := issuer.Authenticate(signedGetApps(t, temp, t0, false), nil); err != nil {
		t.Fatalf("the issuer refuses its own token: %v", err)
	}
	tests := map[string]struct {
		a  *Authenticator
		ok bool
	}{
		"same account, partition and deployment": {gateway(testAccount, "aws", ""), true},
		"another account":                        {gateway("210987654321", "aws", ""), false},
		"another partition":                      {gateway(testAccount, "aws-cn", ""), false},
		"another deployment":                     {gateway(testAccount, "aws", "staging"), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id, err := tc.a.Authenticate(signedGetApps(t, temp, t0, false), nil)
			checkAuthenticate(t, id, err, acceptedOr(tc.ok, InvalidToken))
		})
	}
	// And the other way: a deployment's token does not open on the default one.
	staging := gateway(testAccount, "aws", "staging")
	_, st := assume(t, staging, testKeyID, roleForm())
	if _, err := issuer.Authenticate(signedGetApps(t, st, t0, false), nil); err == nil {
		t.Error("a token of deployment staging opened on the default deployment")
	}
}

// TestDeploymentIDValidated: the deployment ID is printable and bounded.
func TestDeploymentIDValidated(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"bad\x00id", "with space", strings.Repeat("x", 129)} {
		if _, err := New(Config{Store: testStore(t), DeploymentID: id}); err == nil {
			t.Errorf("New with deployment ID %q succeeded", id)
		}
	}
}

// TestAssumeRoleTagKeysCollideCaseInsensitively: STS refuses session tags
// whose keys differ only in case, as AWS does (InvalidParameterValue), and
// issues nothing.
func TestAssumeRoleTagKeysCollideCaseInsensitively(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	for name, keys := range map[string][2]string{
		"tenant/TENANT": {"tenant", "TENANT"},
		"Team/tEAM":     {"Team", "tEAM"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp, _ := assume(t, a, testKeyID, roleForm(
				"Tags.member.1.Key", keys[0], "Tags.member.1.Value", "a",
				"Tags.member.2.Key", keys[1], "Tags.member.2.Value", "b"))
			checkSTS(t, resp, http.StatusBadRequest, "InvalidParameterValue", resp.Decision)
			if resp.Session != nil || !strings.Contains(string(resp.Body), "case insensitive") {
				t.Fatalf("AssumeRole with %v: %s", keys, resp.Body)
			}
		})
	}
}

// BenchmarkCheckSignedHeaders: the per-request cost of the signed-headers
// rule on an SDK-signed SMS and Voice v2 request (no allocation).
func BenchmarkCheckSignedHeaders(b *testing.B) {
	r := signV2(b, v2Request(b, "DescribeAccountLimits", map[string]string{"X-Amz-User-Agent": "aws-sdk-js/3.0", "User-Agent": "x", "Amz-Sdk-Invocation-Id": "1"}), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, t0)
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		b.Fatal(err)
	}
	pairs, _ := parseQuery("page-size=10&next-token=abc")
	b.ReportAllocs()
	for b.Loop() {
		if err := checkSignedHeaders(r.Header, auth.SignedHeaders); err != nil {
			b.Fatal(err)
		}
		if err := checkQueryNames(pairs); err != nil {
			b.Fatal(err)
		}
	}
}
