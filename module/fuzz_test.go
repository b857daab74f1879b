package module

import (
	"net/url"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// FuzzStripPresignParams: no panic; the result holds no presign parameter;
// every other parameter of the input is kept, verbatim and in order.
func FuzzStripPresignParams(f *testing.F) {
	f.Add("page-size=5&X-Amz-Signature=abc&token=a%2Bb")
	f.Add("X-Amz-Credential=AKIA%2F20260101%2Fus-east-1%2Fmobiletargeting%2Faws4_request&x-amz-date=1")
	f.Add("a&&b=&X-Amz-Security-Token")
	f.Add("%zz=1&X-Amz-Expires=60")
	f.Fuzz(func(t *testing.T, raw string) {
		out := stripPresignParams(raw)
		if !strings.Contains(strings.ToLower(raw), "x-amz-") {
			if out != raw {
				t.Fatalf("stripPresignParams(%q) = %q, changed a query without presign parameters", raw, out)
			}
			return
		}
		// The output's parts are the input's non-presign parts, in order.
		in := strings.Split(raw, "&")
		i := 0
		if out != "" {
			for _, part := range strings.Split(out, "&") {
				key, _, _ := strings.Cut(part, "=")
				if k, err := url.QueryUnescape(key); err == nil && isPresignParam(k) {
					t.Fatalf("stripPresignParams(%q) = %q still holds %q", raw, out, k)
				}
				for i < len(in) && in[i] != part {
					i++
				}
				if i == len(in) {
					t.Fatalf("stripPresignParams(%q) = %q: part %q is not from the input, in order", raw, out, part)
				}
				i++
			}
		}
		// Nothing but presign parameters was dropped.
		n := 0
		for _, part := range in {
			key, _, _ := strings.Cut(part, "=")
			if k, err := url.QueryUnescape(key); err != nil || !isPresignParam(k) {
				n++
			}
		}
		if got := len(strings.Split(out, "&")); out != "" && got != n || out == "" && n > 1 {
			t.Fatalf("stripPresignParams(%q) = %q keeps %d parts, want %d", raw, out, got, n)
		}
	})
}

// FuzzUnmarshalCaddyfile: no panic on any input; an accepted block yields
// only known modes and sources.
func FuzzUnmarshalCaddyfile(f *testing.F) {
	f.Add("pinpoint_gateway {\n account 123456789012\n store s.json\n mode dry_run\n}")
	f.Add("pinpoint_gateway {\n upstream_credentials static a b c\n resource_tags lookup 5m 10\n}")
	f.Add("pinpoint_gateway {\n endpoint pinpoint https://x.{region}.{dns_suffix}\n regions us-east-1 eu-west-1\n}")
	f.Add("pinpoint_gateway {\n max_body 1KiB\n clock_skew 1m\n upstream_timeout 2s\n allow_unsigned_payload\n}")
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
			if _, ok := defaultEndpoints[api]; !ok {
				t.Fatalf("accepted endpoint API %q", api)
			}
			if _, err := parseEndpointTemplate(u); err != nil {
				t.Fatalf("accepted endpoint %q: %v", u, err)
			}
		}
		if g.MaxBody < 0 || g.ClockSkew < 0 || g.UpstreamTimeout < 0 {
			t.Fatalf("accepted negative size or duration: %+v", g)
		}
	})
}
