package module

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	_ "github.com/caddyserver/caddy/v2/modules/logging"
)

var update = flag.Bool("update", false, "rewrite the expected JSON of testdata/*.caddyfiletest")

// TestCaddyfileAdapt adapts each testdata/*.caddyfiletest (a Caddyfile, a
// line of ten dashes, the expected JSON) and compares the JSON.
func TestCaddyfileAdapt(t *testing.T) {
	files, err := filepath.Glob("testdata/*.caddyfiletest")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, want, ok := strings.Cut(string(data), "\n----------\n")
			if !ok {
				t.Fatalf("%s: no ---------- separator", file)
			}
			adapted, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(input+"\n"), nil)
			if err != nil {
				t.Fatalf("adapting: %v", err)
			}
			for _, w := range warnings {
				t.Errorf("warning: %s:%d: %s", file, w.Line, w.Message)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, adapted, "", "\t"); err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(file, []byte(input+"\n----------\n"+got.String()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if strings.TrimSpace(got.String()) != strings.TrimSpace(want) {
				t.Errorf("adapted JSON differs (run with -update to accept)\ngot:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
}

// TestUnmarshalCaddyfileErrors checks that bad options fail with a message
// naming the problem.
func TestUnmarshalCaddyfileErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		input string
		want  string
	}{
		"argument on directive":     {"pinpoint_gateway foo {\n}", "wrong argument count"},
		"unknown option":            {"pinpoint_gateway {\n bogus 1\n}", `unrecognized pinpoint_gateway option "bogus"`},
		"account without value":     {"pinpoint_gateway {\n account\n}", "wrong argument count"},
		"bad mode":                  {"pinpoint_gateway {\n mode audit\n}", `mode: "audit" is not enforce or dry_run`},
		"bad max_body":              {"pinpoint_gateway {\n max_body lots\n}", "max_body"},
		"zero max_body":             {"pinpoint_gateway {\n max_body 0\n}", "out of range"},
		"bad clock_skew":            {"pinpoint_gateway {\n clock_skew soon\n}", "clock_skew"},
		"negative timeout":          {"pinpoint_gateway {\n upstream_timeout -1s\n}", "must be positive"},
		"static without secret":     {"pinpoint_gateway {\n upstream_credentials static AKID\n}", "static takes"},
		"profile without name":      {"pinpoint_gateway {\n upstream_credentials profile\n}", "profile takes one"},
		"unknown credentials":       {"pinpoint_gateway {\n upstream_credentials vault\n}", `"vault" is not default`},
		"unknown API endpoint":      {"pinpoint_gateway {\n endpoint sns https://x\n}", `unknown API "sns"`},
		"endpoint bad scheme":       {"pinpoint_gateway {\n endpoint pinpoint ftp://x\n}", "scheme must be http or https"},
		"endpoint twice":            {"pinpoint_gateway {\n endpoint pinpoint https://a\n endpoint pinpoint https://b\n}", "given twice"},
		"resource_tags bad source":  {"pinpoint_gateway {\n resource_tags live\n}", `"live" is not static`},
		"resource_tags bad ttl":     {"pinpoint_gateway {\n resource_tags lookup never\n}", "bad TTL"},
		"resource_tags bad size":    {"pinpoint_gateway {\n resource_tags lookup 5m -3\n}", "bad cache size"},
		"resource_tags bad timeout": {"pinpoint_gateway {\n resource_tags lookup 5m 10 soon\n}", "bad timeout"},
		"resource_tags extra arg":   {"pinpoint_gateway {\n resource_tags lookup 5m 10 2s 1\n}", "at most"},
		"unsigned with argument":    {"pinpoint_gateway {\n allow_unsigned_payload yes\n}", "wrong argument count"},
		"session_keys empty":        {"pinpoint_gateway {\n session_keys\n}", "wrong argument count"},
		"bad store_watch":           {"pinpoint_gateway {\n store_watch sometimes\n}", "store_watch: want a positive duration"},
		"zero store_watch":          {"pinpoint_gateway {\n store_watch 0s\n}", "store_watch: want a positive duration"},
		"strict with argument":      {"pinpoint_gateway {\n strict_policies yes\n}", "wrong argument count"},
		"bad retired_operations":    {"pinpoint_gateway {\n retired_operations drop\n}", `retired_operations: "drop" is not forward or deny`},
		"quota without name":        {"pinpoint_gateway {\n quota {\n limit 1 1h\n }\n}", "quota needs a name"},
		"quota two names":           {"pinpoint_gateway {\n quota a b {\n limit 1 1h\n }\n}", "wrong argument count"},
		"quota without actions":     {"pinpoint_gateway {\n quota q {\n limit 1 1h\n }\n}", "needs actions and a limit"},
		"quota without limit":       {"pinpoint_gateway {\n quota q {\n actions sms-voice:SendTextMessage\n }\n}", "needs actions and a limit"},
		"quota bad limit":           {"pinpoint_gateway {\n quota q {\n limit many 1h\n }\n}", `limit "many" is not a positive number`},
		"quota zero limit":          {"pinpoint_gateway {\n quota q {\n limit 0 1h\n }\n}", "not a positive number"},
		"quota limit no window":     {"pinpoint_gateway {\n quota q {\n limit 10\n }\n}", "limit takes a number of destinations and a window"},
		"quota bad window":          {"pinpoint_gateway {\n quota q {\n limit 10 forever\n }\n}", `bad window "forever"`},
		"quota per twice":           {"pinpoint_gateway {\n quota q {\n per a b\n }\n}", "wrong argument count"},
		"quota unknown option":      {"pinpoint_gateway {\n quota q {\n burst 5\n }\n}", `unrecognized option "burst"`},
		"shared_state empty":        {"pinpoint_gateway {\n shared_state\n}", "wrong argument count"},
		"shared_state unknown":      {"pinpoint_gateway {\n shared_state etcd\n}", `"etcd" is not memory or redis`},
		"shared_state redis no url": {"pinpoint_gateway {\n shared_state redis\n}", "needs the server's URL"},
		"shared_state memory arg":   {"pinpoint_gateway {\n shared_state memory x\n}", "takes no arguments"},
		"shared_state memory block": {"pinpoint_gateway {\n shared_state memory {\n timeout 1s\n }\n}", `unrecognized option "timeout"`},
		"shared_state bad timeout":  {"pinpoint_gateway {\n shared_state redis redis://x {\n timeout soon\n }\n}", `bad timeout "soon"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var g Gateway
			err := g.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.input))
			if err == nil {
				t.Fatalf("UnmarshalCaddyfile(%q) = nil error, want one containing %q", tc.input, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("UnmarshalCaddyfile(%q) = %q, want it to contain %q", tc.input, err, tc.want)
			}
		})
	}
}
