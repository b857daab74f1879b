package commands_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	_ "github.com/caddyserver/caddy/v2/modules/logging" // the example's log blocks (format json), as in cmd/gateway

	"github.com/pinpointgw/gateway/commands"
	_ "github.com/pinpointgw/gateway/module" // the pinpoint_gateway Caddyfile directive
)

// TestMultitenantREADMEPolicy: the upstream policy that examples/multitenant/README.md
// shows is what `gateway upstream-policy --config examples/multitenant/Caddyfile` prints.
func TestMultitenantREADMEPolicy(t *testing.T) {
	t.Chdir("..") // the example's store path is relative to the repository root
	var out, diag bytes.Buffer
	if err := commands.RunUpstreamPolicy(&out, &diag, "examples/multitenant/Caddyfile", ""); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("examples/multitenant/README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- upstream-policy begin -->\n```json\n", "```\n<!-- upstream-policy end -->"
	_, rest, ok := strings.Cut(string(readme), begin)
	shown, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("examples/multitenant/README.md has no block between %q and %q", begin, end)
	}
	if shown != out.String() {
		t.Errorf("examples/multitenant/README.md shows an upstream policy that is not the generated one; replace it with:\n%s", out.String())
	}
}
