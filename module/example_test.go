package module

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/modules/logging"
)

// TestExampleConfig adapts ../caddyfile.example and provisions its
// pinpoint_gateway handler with ../examples/store.json, as
// `gateway run --config caddyfile.example` does from the repository root.
func TestExampleConfig(t *testing.T) {
	// As on a fresh machine: nothing set (the example uses the development
	// mode, session_keys ephemeral).
	t.Setenv("GATEWAY_SESSION_KEY", "restored after the test")
	os.Unsetenv("GATEWAY_SESSION_KEY")
	handlers := adaptedGateways(t, "../caddyfile.example")
	for _, g := range handlers {
		g.Store = filepath.Join("..", g.Store)
		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		defer cancel()
		if err := g.Provision(ctx); err != nil {
			t.Fatalf("Provision of the example: %v", err)
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("Validate of the example: %v", err)
		}
		for _, w := range g.current().store.Warnings() {
			t.Errorf("examples/store.json: %s", w)
		}
	}
	found := len(handlers)
	if found != 1 {
		t.Fatalf("caddyfile.example has %d pinpoint_gateway handlers, want 1", found)
	}
}

// TestExampleStoreScenarios runs what examples/README.md promises against
// examples/store.json.
func TestExampleStoreScenarios(t *testing.T) {
	up := newFakeUpstream(t)
	g, _ := testGateway(t, up, func(g *Gateway) { g.Store = "../examples/store.json" })
	const (
		reader, readerSecret   = "AKIAEXAMPLEREADER001", "EXAMPLE/reader/secret/do-not-use-0000001"
		admin, adminSecret     = "AKIAEXAMPLEADMIN0001", "EXAMPLE/admin/secret/do-not-use-00000001"
		backend, backendSecret = "AKIAEXAMPLEBACKEND01", "EXAMPLE/backend/secret/do-not-use-000001"
		appA, appB             = "a0000000000000000000000000000001", "b0000000000000000000000000000002"
	)
	v2 := http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}, "Content-Type": {"application/x-amz-json-1.0"}}

	// Temporary credentials of role tenant-app with tenant=a, from the local STS.
	form := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftenant-app" +
		"&RoleSessionName=demo&Tags.member.1.Key=tenant&Tags.member.1.Value=a"
	w := serve(g, signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", backend, backendSecret,
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form)))
	if w.Code != 200 {
		t.Fatalf("AssumeRole: %d %s", w.Code, w.Body.String())
	}
	var creds struct {
		Result struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		} `xml:"AssumeRoleResult"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &creds); err != nil {
		t.Fatal(err)
	}
	c := creds.Result.Credentials
	tenantA := func(method, path string) *http.Request {
		r := signedRequestToken(t, method, "http://gw"+path, "mobiletargeting", c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
		return r
	}

	cases := map[string]struct {
		r    *http.Request
		want int
	}{
		"reader lists apps":              {signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", reader, readerSecret, nil, nil), 200},
		"reader describes v2 pools":      {signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", reader, readerSecret, v2, []byte(`{}`)), 200},
		"reader cannot create an app":    {signedRequest(t, "POST", "http://gw/v1/apps", "mobiletargeting", "us-east-1", reader, readerSecret, nil, []byte(`{"Name":"x"}`)), 403},
		"admin creates an app":           {signedRequest(t, "POST", "http://gw/v1/apps", "mobiletargeting", "us-east-1", admin, adminSecret, nil, []byte(`{"Name":"x"}`)), 200},
		"guardrail stops admin deleting": {signedRequest(t, "DELETE", "http://gw/v1/apps/"+appA, "mobiletargeting", "us-east-1", admin, adminSecret, nil, nil), 403},
		"backend itself reads nothing":   {signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", backend, backendSecret, nil, nil), 403},
		"tenant a reads its app":         {tenantA("GET", "/v1/apps/"+appA), 200},
		"tenant a cannot read b's app":   {tenantA("GET", "/v1/apps/"+appB), 403},
		"tenant a cannot delete its app": {tenantA("DELETE", "/v1/apps/"+appA), 403},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if w := serve(g, tc.r); w.Code != tc.want {
				t.Errorf("status %d (%s), want %d", w.Code, w.Body.String(), tc.want)
			}
		})
	}
}

// adaptedGateways adapts the Caddyfile at path, failing the test on an
// error or a warning, and returns its pinpoint_gateway handlers as
// configured (not provisioned).
// exampleGateway adapts the example Caddyfile at path, which must have
// exactly one pinpoint_gateway handler, lets check look at its config,
// points it at the upstream upstreamURL with the test's upstream
// credentials, provisions it (Cleanup at the test's end) and fails the test
// on any warning about the example's store.
func exampleGateway(t *testing.T, path, upstreamURL string, check func(*Gateway)) *Gateway {
	t.Helper()
	gs := adaptedGateways(t, path)
	if len(gs) != 1 {
		t.Fatalf("%s: %d pinpoint_gateway handlers, want exactly one", path, len(gs))
	}
	g := gs[0]
	check(g)
	g.Store = filepath.Join("..", g.Store)
	g.Endpoint = map[string]string{"pinpoint": upstreamURL, "sms-voice": upstreamURL, "sms-voice-v2": upstreamURL}
	g.UpstreamCredentials = &UpstreamCredentials{Source: CredentialsStatic, AccessKeyID: upstreamKeyID, SecretAccessKey: upstreamSecret}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision of %s: %v", path, err)
	}
	t.Cleanup(func() { g.Cleanup() })
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, w := range g.current().store.Warnings() {
		t.Errorf("%s: %s", g.Store, w)
	}
	return g
}

func adaptedGateways(t *testing.T, path string) []*Gateway {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	adapted, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(data, map[string]any{"filename": filepath.Base(path)})
	if err != nil {
		t.Fatalf("adapting %s: %v", path, err)
	}
	for _, w := range warnings {
		t.Errorf("%s:%d: %s", path, w.Line, w.Message)
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []json.RawMessage `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	var gs []*Gateway
	for _, srv := range cfg.Apps.HTTP.Servers {
		for _, route := range srv.Routes {
			for _, h := range route.Handle {
				var probe struct{ Handler string }
				if err := json.Unmarshal(h, &probe); err != nil {
					t.Fatal(err)
				}
				if probe.Handler != "pinpoint_gateway" {
					continue
				}
				g := new(Gateway)
				if err := json.Unmarshal(h, g); err != nil {
					t.Fatal(err)
				}
				gs = append(gs, g)
			}
		}
	}
	return gs
}
