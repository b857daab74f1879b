package module

// Registering this module (xcaddy build --with
// github.com/pinpointgw/gateway/module, or cmd/gateway) registers its
// companions too: the log writer caddy.logging.writers.buffered, which
// caddyfile.example uses for the audit log, the log encoder
// caddy.logging.encoders.cloudtrail (format cloudtrail: the audit records
// as CloudTrail events), and the subcommands map and simulate.
import (
	_ "github.com/pinpointgw/gateway/bufferedlog"
	_ "github.com/pinpointgw/gateway/cloudtrail"
	_ "github.com/pinpointgw/gateway/commands"
)
