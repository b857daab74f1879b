package module

import (
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/pinpointgw/gateway/forward"
)

// FuzzUnmarshalCaddyfile: no panic on any input; an accepted block yields
// only known modes and sources.
func FuzzUnmarshalCaddyfile(f *testing.F) {
	f.Add("pinpoint_gateway {\n account 123456789012\n store s.json\n mode dry_run\n}")
	f.Add("pinpoint_gateway {\n upstream_credentials static a b c\n resource_tags lookup 5m 10\n}")
	f.Add("pinpoint_gateway {\n endpoint pinpoint https://x.{region}.{dns_suffix}\n regions us-east-1 eu-west-1\n}")
	f.Add("pinpoint_gateway {\n max_body 1KiB\n clock_skew 1m\n upstream_timeout 2s\n allow_unsigned_payload\n}")
	f.Add("pinpoint_gateway {\n quota q {\n  actions sms-voice:Send*\n  per gateway:DestinationNumber\n  limit 5 24h\n }\n shared_state redis redis://h:1/0 {\n  timeout 1s\n }\n}")
	f.Fuzz(func(t *testing.T, input string) {
		var g Gateway
		if err := g.UnmarshalCaddyfile(caddyfile.NewTestDispenser(input)); err != nil {
			return
		}
		if g.Mode != "" && g.Mode != ModeEnforce && g.Mode != ModeDryRun {
			t.Fatalf("accepted mode %q", g.Mode)
		}
		if uc := g.UpstreamCredentials; uc != nil && uc.Source != "" && uc.Source != CredentialsStatic && uc.Source != CredentialsProfile {
			t.Fatalf("accepted credentials source %q", uc.Source)
		}
		if rt := g.ResourceTags; rt != nil && rt.Source != ResourceTagsLookup && rt.Source != ResourceTagsOff {
			t.Fatalf("accepted resource_tags source %q", rt.Source)
		}
		for api, u := range g.Endpoint {
			if _, ok := forward.DefaultEndpoints[api]; !ok {
				t.Fatalf("accepted endpoint API %q", api)
			}
			if err := forward.CheckEndpointTemplate(u); err != nil {
				t.Fatalf("accepted endpoint %q: %v", u, err)
			}
		}
		for _, q := range g.Quotas {
			if q.Name == "" || len(q.Actions) == 0 || q.Limit < 1 || q.Window <= 0 {
				t.Fatalf("accepted an incomplete quota: %+v", q)
			}
		}
		if s := g.SharedState; s != nil && (s.Backend != SharedStateRedis || s.URL == "" || s.Timeout < 0) {
			t.Fatalf("accepted shared_state %+v", s)
		}
		if g.MaxBody < 0 || g.ClockSkew < 0 || g.UpstreamTimeout < 0 {
			t.Fatalf("accepted negative size or duration: %+v", g)
		}
	})
}
