package commands

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "simulate",
		Usage: "[--lint] [--store <file> --account <id> [--partition <aws>]]",
		Short: "Evaluates IAM policies for requests (JSON lines on stdin), as the gateway would",
		Long: `
Reads one case a line on stdin, as JSON:
  {"action":"mobiletargeting:GetApp","resource":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc",
   "principal":"arn:aws:iam::123456789012:user/backend",
   "context":{"aws:PrincipalTag/team":"blue","aws:TagKeys":["a","b"]},
   "identity_policies":[...],"resource_policy":{...},"permissions_boundary":{...},
   "session_policy":{...},"guardrails":[...]}
and writes one line for each on stdout:
  {"decision":"Allow","matched":[{"type":"identity","policy":"name","sid":"...","index":0,"effect":"Allow"}]}
with decision Allow, ExplicitDeny or ImplicitDeny, or {"error":"..."}.

Policies are bare policy documents or {"name":"N","policy":{...}}; "Statement" may be
one object; "resource" is an ARN or "*" (actions without a resource type) and
defaults to "*". The context is used exactly as given (arrays are multi-valued
keys), as IAM's SimulateCustomPolicy does: no key is derived from "principal",
which serves Principal matching and the same-account rules only.

--store FILE (with --account, the store's account ID) reads a gateway store: a
principal ARN of the store brings its identity policies (user and groups, or
role) and its permissions boundary; the store's resource policy of the resource
and its guardrails apply to cases that give none. Secrets ("{env.NAME}") that
are not set are not needed to simulate and are replaced by a placeholder.

--lint adds "warnings" to each answer: actions of mobiletargeting or sms-voice
that match no known action, ForAllValues under Allow, set qualifiers on
single-valued keys, negated operators on keys the gateway never provides.
The exit status is 0 when every line was read, even if some answered an error.`,
		Flags: func() *flag.FlagSet {
			fs := flag.NewFlagSet("simulate", flag.ExitOnError)
			fs.Bool("lint", false, "add lint warnings about the policies to each answer")
			fs.String("store", "", "gateway store file whose principals bring their policies")
			fs.String("account", "", "account ID of the store's ARNs (required with --store)")
			fs.String("partition", "aws", "partition of the store's ARNs")
			return fs
		}(),
		Func: cmdSimulate,
	})
}

// simulateFlags are the flags of `gateway simulate`.
type simulateFlags struct {
	Lint      bool
	Store     string
	Account   string
	Partition string
}

func cmdSimulate(fl caddycmd.Flags) (int, error) {
	f := simulateFlags{Lint: fl.Bool("lint"), Store: fl.String("store"), Account: fl.String("account"), Partition: fl.String("partition")}
	if err := runSimulate(os.Stdin, os.Stdout, os.Stderr, f); err != nil {
		return 1, err
	}
	return 0, nil
}

// errStoreAccount is returned when --store is given without --account.
var errStoreAccount = errors.New("--store needs --account (the store's 12-digit account ID)")

// runSimulate runs authz.Simulate with the options the flags ask for; store warnings go to
// diag when linting.
func runSimulate(in io.Reader, out, diag io.Writer, f simulateFlags) error {
	opts := authz.SimulateOptions{Lint: f.Lint, KnownAction: apimap.IsKnownAction, RetiredOnly: retiredOnly}
	if f.Store != "" {
		if f.Account == "" {
			return errStoreAccount
		}
		store, err := authn.LoadStore(f.Store, StoreLint(authn.StoreOptions{
			Account:   f.Account,
			Partition: f.Partition,
			LookupEnv: placeholderEnv,
		}))
		if err != nil {
			return fmt.Errorf("loading store: %w", err)
		}
		if f.Lint {
			for _, w := range store.Warnings() {
				fmt.Fprintf(diag, "warning: %s\n", w)
			}
		}
		opts.PrincipalPolicies = store.PrincipalPolicies
		opts.ResourcePolicy = store.ResourcePolicy
		opts.Guardrails = store.Guardrails
	}
	return authz.Simulate(in, out, opts)
}

// StoreLint returns opts with the store lint of simulate --lint: actions of
// mobiletargeting or sms-voice that match no known action, and Allow
// statements that grant only retired operations, beside authz's checks of
// conditions. The gateway lints every store it loads with it (the module),
// so both report the same warnings.
func StoreLint(opts authn.StoreOptions) authn.StoreOptions {
	opts.KnownAction = apimap.IsKnownAction
	opts.RetiredOnly = retiredOnly
	return opts
}

// retiredOnly reports whether every known action that the action pattern
// matches is of an operation AWS retired (apimap.RetiredAction), and one
// does: a statement that grants only such actions earns a lint warning.
func retiredOnly(pattern string) bool {
	p, err := authz.CompileActionPattern(pattern)
	if err != nil {
		return false
	}
	matched := false
	for _, a := range apimap.KnownActions() {
		if p.Matches(a) {
			if !apimap.RetiredAction(a) {
				return false
			}
			matched = true
		}
	}
	return matched
}

// placeholderEnv resolves "{env.NAME}" secrets for a simulation, which verifies no
// signature: a variable that is not set gets a placeholder instead of failing the load.
func placeholderEnv(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	return "simulate-placeholder-secret-" + name, true
}
