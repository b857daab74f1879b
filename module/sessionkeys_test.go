package module

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// publishedExampleKey is the session key caddyfile.example once fell back to.
const publishedExampleKey = "RVhBTVBMRS1zZXNzaW9uLWtleS1kby1ub3QtdXNlISE="

// TestSessionKeysProvision: a published or non-random key is refused at
// Provision with an error that says why; ephemeral stands alone; keys from
// {env.*} and {file.*} placeholders are read at Provision.
func TestSessionKeysProvision(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "session.key")
	if err := os.WriteFile(keyFile, []byte(testSessionKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PINPOINT_GW_TEST_PUBLISHED", publishedExampleKey)
	t.Setenv("PINPOINT_GW_TEST_KEY", testSessionKey)
	zeros := base64.StdEncoding.EncodeToString(make([]byte, 32))

	cases := map[string]struct {
		keys    []string
		wantErr []string // nil: provisions with temporary credentials enabled
	}{
		"published example key":         {[]string{publishedExampleKey}, []string{"session key 1", "example key published"}},
		"published key from the env":    {[]string{"{env.PINPOINT_GW_TEST_PUBLISHED}"}, []string{"session key 1", "example key published"}},
		"published key as second":       {[]string{testSessionKey, publishedExampleKey}, []string{"session key 2", "example key published"}},
		"all zero key":                  {[]string{zeros}, []string{"not a random key"}},
		"ephemeral with another key":    {[]string{SessionKeysEphemeral, testSessionKey}, []string{"ephemeral", "alone"}},
		"ephemeral":                     {[]string{SessionKeysEphemeral}, nil},
		"key from the env":              {[]string{"{env.PINPOINT_GW_TEST_KEY}"}, nil},
		"key from a file":               {[]string{"{file." + keyFile + "}"}, nil},
		"key from a file that is empty": {[]string{"{file." + filepath.Join(dir, "absent.key") + "}"}, []string{"session key 1", "empty"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
			defer cancel()
			g := Gateway{Account: testAccount, Store: store, SessionKeys: tc.keys}
			err := g.Provision(ctx)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Provision: %v", err)
				}
				defer g.Cleanup()
				if g.sessionKeys == nil {
					t.Fatal("no session keys provisioned")
				}
				return
			}
			if err == nil {
				g.Cleanup()
				t.Fatalf("Provision succeeded, want an error containing %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Provision error %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), publishedExampleKey) || strings.Contains(err.Error(), testSessionKey) {
				t.Errorf("Provision error %q shows a key", err)
			}
		})
	}
}

// TestEphemeralKeyPerProcess: every gateway of the process with session_keys
// ephemeral shares one random key, so a config reload keeps sessions.
func TestEphemeralKeyPerProcess(t *testing.T) {
	a, _ := testGateway(t, nil, func(g *Gateway) { g.SessionKeys = []string{SessionKeysEphemeral} })
	b, _ := testGateway(t, nil, func(g *Gateway) { g.SessionKeys = []string{SessionKeysEphemeral} })
	if a.sessionKeys == nil || a.sessionKeys != b.sessionKeys {
		t.Fatalf("ephemeral keys %p and %p, want one per process", a.sessionKeys, b.sessionKeys)
	}
}

// TestExampleConfigKeepsKeysOutOfJSON: caddyfile.example adapts to JSON
// (what Caddy autosaves and serves at /config) that holds no session key,
// whatever the environment, and its gateway issues temporary credentials on
// a fresh machine (AssumeRole of examples/README.md) with the explicit
// development mode.
func TestExampleConfigKeepsKeysOutOfJSON(t *testing.T) {
	t.Setenv("GATEWAY_SESSION_KEY", testSessionKey)
	data, err := os.ReadFile("../caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt(data, map[string]any{"filename": "caddyfile.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{testSessionKey, publishedExampleKey} {
		if strings.Contains(string(adapted), secret) {
			t.Errorf("the adapted caddyfile.example holds the session key %q", secret)
		}
	}

	os.Unsetenv("GATEWAY_SESSION_KEY")
	gs := adaptedGateways(t, "../caddyfile.example")
	if len(gs) != 1 {
		t.Fatalf("%d gateways", len(gs))
	}
	g := gs[0]
	g.Store = filepath.Join("..", g.Store)
	if len(g.SessionKeys) != 1 || g.SessionKeys[0] != SessionKeysEphemeral {
		t.Fatalf("caddyfile.example session_keys %q, want the explicit development mode %q", g.SessionKeys, SessionKeysEphemeral)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	defer g.Cleanup()
	const backend, backendSecret = "AKIAEXAMPLEBACKEND01", "EXAMPLE/backend/secret/do-not-use-000001"
	form := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftenant-app" +
		"&RoleSessionName=demo&Tags.member.1.Key=tenant&Tags.member.1.Value=a"
	w := serve(g, signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", backend, backendSecret,
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form)))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<SessionToken>") {
		t.Fatalf("AssumeRole on caddyfile.example: %d %s", w.Code, w.Body.String())
	}
}

// TestCaddyfileSessionOptions: session_keys ephemeral and deployment_id.
func TestCaddyfileSessionOptions(t *testing.T) {
	var g Gateway
	in := "pinpoint_gateway {\n session_keys ephemeral\n deployment_id prod-eu/1\n}"
	if err := g.UnmarshalCaddyfile(caddyfile.NewTestDispenser(in)); err != nil {
		t.Fatalf("UnmarshalCaddyfile: %v", err)
	}
	if len(g.SessionKeys) != 1 || g.SessionKeys[0] != SessionKeysEphemeral || g.DeploymentID != "prod-eu/1" {
		t.Fatalf("got session_keys %q deployment_id %q", g.SessionKeys, g.DeploymentID)
	}
	for input, want := range map[string]string{
		"pinpoint_gateway {\n deployment_id\n}":                     "wrong argument count",
		"pinpoint_gateway {\n deployment_id a b\n}":                 "wrong argument count",
		"pinpoint_gateway {\n deployment_id a\n deployment_id b\n}": "given twice",
	} {
		var g Gateway
		err := g.UnmarshalCaddyfile(caddyfile.NewTestDispenser(input))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("UnmarshalCaddyfile(%q) = %v, want an error containing %q", input, err, want)
		}
	}
}

// TestDeploymentIDProvision: a bad deployment ID stops provisioning.
func TestDeploymentIDProvision(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	g := Gateway{Account: testAccount, Store: store, SessionKeys: []string{testSessionKey}, DeploymentID: "has space"}
	if err := g.Provision(ctx); err == nil || !strings.Contains(err.Error(), "deployment") {
		t.Fatalf("Provision = %v, want a deployment ID error", err)
	}
}
