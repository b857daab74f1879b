package commands

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	"github.com/pinpointgw/gateway/upstreampolicy"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "upstream-policy",
		Usage: "--config <file> [--adapter <name>]",
		Short: "Prints the least-privilege IAM policy of the gateway's own AWS credentials",
		Long: `
Loads the configuration (a Caddyfile or JSON, adapted as "caddy run" adapts it),
reads the store of every pinpoint_gateway handler, and prints the IAM identity
policy that the gateway's upstream credentials need, as JSON on stdout:

  - every Pinpoint and SMS and Voice action that some Allow statement of the
    store can grant (identity policies within their permissions boundaries,
    resource policies, within the guardrails), on the resources those
    statements name when they all name ARNs without policy variables, else "*";
  - iam:PassRole on the roles the store lets callers pass, with their
    iam:PassedToService condition;
  - the gateway's own lookups: ListTagsForResource under resource_tags lookup;
    DescribePhoneNumbers, DescribeSenderIds and DescribeVerifiedDestinationNumbers
    unless origination_lookup is off;
  - with a regions allow-list, ARNs of those regions only and aws:RequestedRegion.

Conditions of the store's statements are not evaluated (only resources narrow
the policy), so AWS never refuses what the gateway allows. When the policy is
over IAM's 6,144-character limit of a managed policy, it is split into several
documents, printed as a JSON array (attach each as its own managed policy), and
stderr says so. Secrets of the store ({env.NAME}) are not needed.

  gateway upstream-policy --config Caddyfile > policy.json
  aws iam create-policy --policy-name pinpoint-gateway --policy-document file://policy.json`,
		Flags: func() *flag.FlagSet {
			fs := flag.NewFlagSet("upstream-policy", flag.ExitOnError)
			fs.String("config", "", "configuration file (required)")
			fs.String("adapter", "", "name of the config adapter (default: by the file name, as caddy run)")
			return fs
		}(),
		Func: cmdUpstreamPolicy,
	})
}

// errNoConfig is returned when --config is missing.
var errNoConfig = errors.New("--config is required (the gateway's Caddyfile or JSON config)")

func cmdUpstreamPolicy(fl caddycmd.Flags) (int, error) {
	if err := runUpstreamPolicy(os.Stdout, os.Stderr, fl.String("config"), fl.String("adapter")); err != nil {
		return 1, err
	}
	return 0, nil
}

// runUpstreamPolicy loads and adapts the config file with Caddy's own code and writes its
// upstream policy to out; a note about splitting goes to diag.
func runUpstreamPolicy(out, diag io.Writer, configFile, adapter string) error {
	if configFile == "" {
		return errNoConfig
	}
	cfg, _, _, err := caddycmd.LoadConfig(configFile, adapter)
	if err != nil {
		return fmt.Errorf("loading %s: %w", configFile, err)
	}
	docs, err := upstreamPolicy(cfg)
	if err != nil {
		return err
	}
	data, err := upstreampolicy.Marshal(docs)
	if err != nil {
		return err
	}
	if len(docs) > 1 {
		fmt.Fprintf(diag, "the policy is over IAM's %d-character limit of a managed policy: printed as %d documents (a JSON array); create and attach each\n", upstreampolicy.MaxManagedPolicySize, len(docs))
	}
	_, err = out.Write(data)
	return err
}

// upstreamPolicy is the upstream policy of a JSON config.
func upstreamPolicy(cfg []byte) ([]upstreampolicy.Document, error) {
	repl := caddy.NewReplacer()
	gws, err := upstreampolicy.FromConfig(cfg, upstreampolicy.ConfigOptions{
		Replace:   func(s string) string { return repl.ReplaceKnown(s, "") },
		LookupEnv: placeholderEnv,
	})
	if err != nil {
		return nil, err
	}
	return upstreampolicy.Generate(gws)
}
