package integration

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// Adversarial tests of authentication against the real binary: unsigned
// operation selectors, published and weak session keys, forged long-lived
// tokens, and tokens carried to a gateway of another account or deployment.

// authnSecStore is the test store with the backend user also allowed every
// SMS and Voice action, so that a replayed request is refused by
// authentication alone, never by a policy.
func authnSecStore(t *testing.T) []byte {
	t.Helper()
	s := testStore("SMSAll")
	s["policies"].(obj)["SMSAll"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "AllSMS", "Effect": "Allow", "Action": "sms-voice:*", "Resource": "*"},
	}}
	return storeJSON(t, s)
}

// authnSecRequest is a v2 JSON 1.0 request signed by the SDK signer, with
// after applied once signed: what a replaying attacker does.
type authnSecRequest struct {
	Target   string            // X-Amz-Target at signing time; "" for none
	Header   map[string]string // more headers at signing time
	RawQuery string
	Presign  bool
	After    func(*http.Request)
}

func (q authnSecRequest) send(t *testing.T, g *gatewayProc, cr aws.Credentials) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const body = `{}`
	target := g.URL + "/"
	if q.RawQuery != "" {
		target += "?" + q.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if q.Target != "" {
		req.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2."+q.Target)
	}
	for k, v := range q.Header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	if q.Presign {
		// The signed headers stay headers (the SDK would otherwise move
		// X-Amz-* ones into the query).
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
		u, hdr, err := signer.PresignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), "sms-voice", testRegion, time.Now())
		if err != nil {
			t.Fatalf("presigning: %v", err)
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			if !strings.EqualFold(k, "Host") {
				req.Header[k] = v
			}
		}
	} else if err := v4.NewSigner().SignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), "sms-voice", testRegion, time.Now()); err != nil {
		t.Fatalf("signing: %v", err)
	}
	if q.After != nil {
		q.After(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sending: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestSecurityAuthnUnsignedSelector: a request signed as
// DescribeAccountLimits whose unsigned X-Amz-Target is then changed to
// DeleteTextMessageSpendLimitOverride (or with an unsigned Content-Type or
// X-Amz-* header, or the target moved into the query) is refused before any
// decision, and the upstream sees nothing; the SDK's own requests, which sign
// every such header, pass.
func TestSecurityAuthnUnsignedSelector(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Store = authnSecStore(t) })
	cr := aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}
	const replayed = "PinpointSMSVoiceV2.DeleteTextMessageSpendLimitOverride"
	jsonType := map[string]string{"Content-Type": "application/x-amz-json-1.0"}

	t.Run("SDK request passes", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := smsV2Client(e.g, creds(backendKeyID, backendSecret, ""), newCapture()).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{}); err != nil {
			t.Fatalf("DescribePools: %v", err)
		}
		if rec := e.onlyRecord(t, "sms-voice-v2"); rec.Operation != "DescribePools" {
			t.Errorf("upstream got %q", rec.Operation)
		}
	})
	t.Run("signed target and content type pass", func(t *testing.T) {
		e.reset()
		resp := authnSecRequest{Target: "DescribeAccountLimits", Header: jsonType}.send(t, e.g, cr)
		if resp.Status != 200 {
			t.Fatalf("got %d %s", resp.Status, resp.Body)
		}
		if rec := e.onlyRecord(t, "sms-voice-v2"); rec.Operation != "DescribeAccountLimits" {
			t.Errorf("upstream got %q", rec.Operation)
		}
	})

	refused := map[string]struct {
		req      authnSecRequest
		wantCode string
		wantMsg  string
	}{
		"target set after signing": {req: authnSecRequest{Header: jsonType,
			After: func(r *http.Request) { r.Header.Set("X-Amz-Target", replayed) }},
			wantCode: "InvalidSignatureException", wantMsg: "'x-amz-target' must be a 'SignedHeader'"},
		"target set after signing, lower-case on the wire": {req: authnSecRequest{Header: jsonType,
			After: func(r *http.Request) { r.Header["x-amz-target"] = []string{replayed} }},
			wantCode: "InvalidSignatureException", wantMsg: "'x-amz-target' must be a 'SignedHeader'"},
		"signed target, a second one added": {req: authnSecRequest{Target: "DescribeAccountLimits", Header: jsonType,
			After: func(r *http.Request) { r.Header["x-amz-target"] = []string{replayed} }},
			wantCode: "InvalidSignatureException"},
		"presigned, target set after signing": {req: authnSecRequest{Presign: true,
			After: func(r *http.Request) {
				r.Header.Set("X-Amz-Target", replayed)
				r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			}},
			wantCode: "InvalidSignatureException", wantMsg: "must be a 'SignedHeader'"},
		"content type set after signing": {req: authnSecRequest{Target: "DescribeAccountLimits",
			After: func(r *http.Request) { r.Header.Set("Content-Type", "application/x-amz-json-1.0") }},
			wantCode: "InvalidSignatureException", wantMsg: "'content-type' must be a 'SignedHeader'"},
		"other x-amz header set after signing": {req: authnSecRequest{Target: "DescribeAccountLimits", Header: jsonType,
			After: func(r *http.Request) { r.Header.Set("X-Amz-Unsigned-Extra", "1") }},
			wantCode: "InvalidSignatureException", wantMsg: "'x-amz-unsigned-extra' must be a 'SignedHeader'"},
		"target in the query": {req: authnSecRequest{Target: "DescribeAccountLimits", Header: jsonType,
			RawQuery: "X-Amz-Target=" + replayed},
			wantCode: "ValidationException", wantMsg: "x-amz-target"},
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			e.reset()
			resp := tc.req.send(t, e.g, cr)
			code, msg := errorCodeOf(resp)
			if resp.Status < 400 || code != tc.wantCode || !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("got %d %s %q, want %s containing %q", resp.Status, code, msg, tc.wantCode, tc.wantMsg)
			}
			e.assertNothingUpstream(t)
		})
	}
	assertNoUpstreamFailures(t, e)
}

// authnSecRunFails runs the gateway binary with a Caddyfile whose
// pinpoint_gateway block has the given session_keys line and env, and
// returns its output once it has exited. It fails the test if the gateway
// starts serving instead.
func authnSecRunFails(t *testing.T, sessionKeys string, env ...string) string {
	t.Helper()
	bin := requireBinary(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, storeJSON(t, testStore()), 0o600); err != nil {
		t.Fatal(err)
	}
	port, admin := freePort(t), freePort(t)
	cf := fmt.Sprintf("{\n\tadmin 127.0.0.1:%d\n\tauto_https off\n\tpersist_config off\n}\n\nhttp://127.0.0.1:%d {\n\tpinpoint_gateway {\n"+
		"\t\taccount %s\n\t\tstore %s\n\t\tsession_keys %s\n\t\tupstream_credentials static %s %s\n\t}\n}\n",
		admin, port, testAccount, store, sessionKeys, upstreamAccessKeyID, upstreamSecret)
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"INTEG_ENV_SECRET=" + envUserSecret}, env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	done := false
	defer func() {
		if !done {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for {
		select {
		case err := <-exited:
			done = true
			if err == nil {
				t.Fatalf("gateway exited cleanly, want a provisioning error; output:\n%s", tail(out.String(), 30))
			}
			return out.String()
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			t.Fatalf("gateway started serving with session_keys %s", sessionKeys)
		}
		if ctx.Err() != nil {
			t.Fatalf("gateway neither served nor exited within the deadline; output:\n%s", tail(out.String(), 30))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by ctx's deadline
	}
}

// TestSecurityAuthnPublishedKeyRefused: the gateway does not start with the
// key caddyfile.example once published (literal or from the environment)
// nor with a non-random key, and says why without showing the key.
func TestSecurityAuthnPublishedKeyRefused(t *testing.T) {
	const published = "RVhBTVBMRS1zZXNzaW9uLWtleS1kby1ub3QtdXNlISE="
	zeros := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := map[string]struct {
		keys, want string
		env        []string
	}{
		"published key":              {keys: published, want: "example key published"},
		"published key from the env": {keys: "{env.GATEWAY_SESSION_KEY}", env: []string{"GATEWAY_SESSION_KEY=" + published}, want: "example key published"},
		"all-zero key":               {keys: zeros, want: "not a random key"},
		"env variable unset":         {keys: "{env.GATEWAY_SESSION_KEY}", want: "session key 1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out := authnSecRunFails(t, tc.keys, tc.env...)
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, tail(out, 30))
			}
			if strings.Contains(out, published) {
				t.Errorf("output shows the key")
			}
		})
	}
}

// TestSecurityAuthnEphemeralKeys: session_keys ephemeral issues working
// sessions, warns loudly, and its sessions open on no other instance.
func TestSecurityAuthnEphemeralKeys(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.SessionKeys = []string{"ephemeral"} })
	if !strings.Contains(e.g.Log.String(), "DEVELOPMENT MODE") {
		t.Errorf("no development-mode warning in the log:\n%s", tail(e.g.Log.String(), 30))
	}
	c := newCapture()
	sess := assumeTenantRole(t, e, c, "a")
	scp := creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e.reset()
	if _, err := pinpointClient(e.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Fatalf("GetApp with the ephemeral session: %v", err)
	}
	e.onlyRecord(t, "pinpoint")

	other := newEnv(t, func(cfg *gatewayConfig) { cfg.SessionKeys = []string{"ephemeral"} })
	other.forbid(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)
	_, err := pinpointClient(other.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	apiErrorOf(t, err, "UnrecognizedClientException", 403)
	other.assertNothingUpstream(t)
}

// authnSecClaims are the claims a forger seals (authn/token.go's layout,
// written again here from its description, as an attacker holding the key
// would).
type authnSecClaims struct {
	AccessKeyID, Secret string
	IssuedAt, Expires   time.Time
	Role                bool
	Name, SessionName   string
	Tags                [][2]string
	TransitiveTagKeys   []string
}

func authnSecAppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (c authnSecClaims) marshal() []byte {
	b := []byte{1}
	b = authnSecAppendString(b, c.AccessKeyID)
	b = authnSecAppendString(b, c.Secret)
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	b = binary.AppendVarint(b, c.Expires.Unix())
	var flags byte
	if c.Role {
		flags = 1
	}
	b = append(b, flags)
	b = authnSecAppendString(b, c.Name)
	b = authnSecAppendString(b, c.SessionName)
	b = authnSecAppendString(b, "") // source identity
	b = binary.AppendUvarint(b, uint64(len(c.Tags)))
	for _, tg := range c.Tags {
		b = authnSecAppendString(b, tg[0])
		b = authnSecAppendString(b, tg[1])
	}
	b = binary.AppendUvarint(b, uint64(len(c.TransitiveTagKeys)))
	for _, k := range c.TransitiveTagKeys {
		b = authnSecAppendString(b, k)
	}
	b = authnSecAppendString(b, "")   // session policy
	return binary.AppendUvarint(b, 0) // policy names
}

// authnSecForge seals claims with a base64 session key, bound to the
// partition aws, the account and the deployment ID as authn/token.go binds
// them (version 2).
func authnSecForge(t *testing.T, key string, c authnSecClaims, account, deployment string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	id := sha256.Sum256(append([]byte("pinpointgw session key id\x00"), raw...))
	head := append([]byte{2}, id[:4]...)
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	ad := append(append([]byte(nil), head...), "pinpointgw session issuer\x00"...)
	ad = authnSecAppendString(ad, "aws")
	ad = authnSecAppendString(ad, account)
	ad = authnSecAppendString(ad, deployment)
	out := append(append(append([]byte(nil), head...), nonce...), aead.Seal(nil, nonce, c.marshal(), ad)...)
	return base64.RawURLEncoding.EncodeToString(out)
}

// TestSecurityAuthnForgedLifetime: a token sealed with the right key but
// claiming a year of validity is refused; the same forger's 15-minute token
// is accepted (so the refusal is the lifetime cap, not a bad forgery).
func TestSecurityAuthnForgedLifetime(t *testing.T) {
	e := newEnv(t, nil) // keys A, B: A seals
	c := newCapture()
	now := time.Now().UTC().Truncate(time.Second)
	tests := map[string]struct {
		life time.Duration
		ok   bool
	}{
		"15 minutes": {15 * time.Minute, true},
		"one year":   {365 * 24 * time.Hour, false},
		"13 hours":   {13 * time.Hour, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e.reset()
			id := "ASIA" + strings.ToUpper(hex.EncodeToString([]byte(name + "xxxxxxxx"))[:16])
			cl := authnSecClaims{AccessKeyID: id, Secret: "forgedSecretKey/IntegrationTests/0000000" + fmt.Sprint(len(name)),
				IssuedAt: now, Expires: now.Add(tc.life), Role: true, Name: "tenant-app", SessionName: "forged",
				Tags: [][2]string{{"tenant", "a"}}, TransitiveTagKeys: []string{"tenant"}}
			tok := authnSecForge(t, sessionKeyA, cl, testAccount, "")
			e.forbid(cl.AccessKeyID, cl.Secret, tok)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := pinpointClient(e.g, creds(cl.AccessKeyID, cl.Secret, tok), c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			if tc.ok {
				if err != nil {
					t.Fatalf("GetApp with a %s forged token: %v", name, err)
				}
				e.onlyRecord(t, "pinpoint")
				return
			}
			apiErrorOf(t, err, "UnrecognizedClientException", 403)
			e.assertNothingUpstream(t)
		})
	}
}

// TestSecurityAuthnTokenBoundToIssuer: with the same session keys, a session
// issued by the gateway of account 123456789012 is refused by a gateway of
// account 210987654321 (whose store has a same-named role allowed on its own
// same-named app) and by a gateway of the same account with another
// deployment_id; nothing reaches their upstreams.
func TestSecurityAuthnTokenBoundToIssuer(t *testing.T) {
	e := newEnv(t, nil)
	c := newCapture()
	sess := assumeTenantRole(t, e, c, "a")
	scp := creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)
	const otherAccount = "210987654321"

	tests := map[string]func(*gatewayConfig){
		"another account": func(cfg *gatewayConfig) {
			cfg.Store = bytes.ReplaceAll(storeJSON(t, testStore()), []byte(testAccount), []byte(otherAccount))
			cfg.Extra = "\t\taccount " + otherAccount
		},
		"another deployment": func(cfg *gatewayConfig) { cfg.Extra = "\t\tdeployment_id other-deployment" },
	}
	for name, mod := range tests {
		t.Run(name, func(t *testing.T) {
			other := newEnv(t, mod)
			other.forbid(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := pinpointClient(other.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			apiErrorOf(t, err, "UnrecognizedClientException", 403)
			other.assertNothingUpstream(t)
		})
	}
}
