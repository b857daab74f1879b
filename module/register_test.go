package module

import (
	"testing"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
)

// TestRegistersCompanions: a Caddy built with this package alone (xcaddy
// build --with github.com/pinpointgw/gateway/module) has the gateway's log
// writer and encoder, and its subcommands.
func TestRegistersCompanions(t *testing.T) {
	for _, id := range []string{"http.handlers.pinpoint_gateway", "caddy.logging.writers.buffered", "caddy.logging.encoders.cloudtrail"} {
		if _, err := caddy.GetModule(id); err != nil {
			t.Errorf("module %s: %v", id, err)
		}
	}
	for _, name := range []string{"map", "simulate"} {
		if _, ok := caddycmd.Commands()[name]; !ok {
			t.Errorf("subcommand %q is not registered", name)
		}
	}
}
