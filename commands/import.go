package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	"github.com/pinpointgw/gateway/iamimport"
)

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// importFlags are the flags of `gateway import`.
type importFlags struct {
	Account        string
	Partition      string
	Principals     listFlag
	SCPs, RCPs     listFlag
	GuardrailLevel string
	Roles          listFlag
	AccessKeys     listFlag
	Out            string
	Report         string
	AllowPartial   bool
}

// importArgs receives the command line's flags (a subcommand runs once per
// process).
var importArgs importFlags

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "import",
		Usage: "--account <id> [--principal user/NAME|role/NAME]... [--scp [LEVEL=]FILE]... [--rcp [LEVEL=]FILE]... [--guardrail-level LEVEL] [--roles FILE]... [--access-keys FILE]... [--out store.json] [--report report.json|-] [--allow-partial] DETAILS.json|-",
		Short: "Writes a gateway store from `aws iam get-account-authorization-details` output",
		Long: `
Reads the JSON of 'aws iam get-account-authorization-details' (DETAILS.json, or
- for stdin; policy documents URL-encoded as the API returns them or as objects
as the CLI prints them) and writes a gateway store: users (without access keys)
with their groups, inline and attached managed policies (default versions),
permissions boundaries and tags; groups; roles with their trust policies, tags,
boundaries and maximum session duration; the managed policies they use, named
flat (the report lists renamed ones).

--principal keeps only the users and roles named (globs allowed), repeatable.
--scp and --rcp take 'aws organizations describe-policy' output (or a bare
policy document), repeatable, each optionally prefixed with the level it is
attached to (root, an OU ID, account: default account). --guardrail-level picks
the one SCP level whose conditional Allow statements are carried when several
have them. --roles takes 'aws iam list-roles' output for MaxSessionDuration;
--access-keys 'aws iam list-access-keys' output for the keys to provision.

The store goes to --out (written atomically, after it was checked to load) or
stdout; the report goes to stderr as text, or as JSON to --report (- for
stdout). Exit status 1 when something the filter selected could not be carried
exactly: then no store is written unless --allow-partial.`,
		Flags: func() *flag.FlagSet {
			fs := flag.NewFlagSet("import", flag.ExitOnError)
			fs.StringVar(&importArgs.Account, "account", "", "the gateway's account ID (12 digits, required)")
			fs.StringVar(&importArgs.Partition, "partition", "aws", "partition of the ARNs")
			fs.Var(&importArgs.Principals, "principal", "keep only this user/NAME or role/NAME (glob), repeatable")
			fs.Var(&importArgs.SCPs, "scp", "[LEVEL=]FILE of describe-policy output of an SCP, repeatable")
			fs.Var(&importArgs.RCPs, "rcp", "[LEVEL=]FILE of describe-policy output of an RCP, repeatable")
			fs.StringVar(&importArgs.GuardrailLevel, "guardrail-level", "", "the SCP level whose conditional Allow statements are carried")
			fs.Var(&importArgs.Roles, "roles", "FILE of list-roles output (MaxSessionDuration), repeatable")
			fs.Var(&importArgs.AccessKeys, "access-keys", "FILE of list-access-keys output, repeatable")
			fs.StringVar(&importArgs.Out, "out", "", "store file to write (default stdout)")
			fs.StringVar(&importArgs.Report, "report", "", "JSON report file, - for stdout (default: text on stderr)")
			fs.BoolVar(&importArgs.AllowPartial, "allow-partial", false, "write the store even when not everything could be carried exactly")
			return fs
		}(),
		Func: cmdImport,
	})
}

func cmdImport(fl caddycmd.Flags) (int, error) {
	return runImport(fl.Args(), importArgs, os.Stdin, os.Stdout, os.Stderr)
}

// errNotExact is returned (exit status 1) when the import was not exact.
var errNotExact = errors.New("not everything could be carried exactly (see the report); --allow-partial writes the store anyway")

// runImport runs `gateway import` with its positional arguments and flags.
func runImport(args []string, f importFlags, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(args) != 1 {
		return 1, errors.New("import: want one DETAILS.json argument (- for stdin)")
	}
	if f.Account == "" {
		return 1, errors.New("import: --account is required")
	}
	details, err := readInput(args[0], stdin)
	if err != nil {
		return 1, err
	}
	opts := iamimport.Options{Account: f.Account, Partition: f.Partition, Principals: f.Principals, GuardrailLevel: f.GuardrailLevel}
	if opts.SCPs, err = readOrgPolicies(f.SCPs); err != nil {
		return 1, err
	}
	if opts.RCPs, err = readOrgPolicies(f.RCPs); err != nil {
		return 1, err
	}
	for _, p := range f.Roles {
		data, err := readInput(p, nil)
		if err != nil {
			return 1, err
		}
		opts.Roles = append(opts.Roles, data)
	}
	for _, p := range f.AccessKeys {
		data, err := readInput(p, nil)
		if err != nil {
			return 1, err
		}
		opts.AccessKeys = append(opts.AccessKeys, data)
	}
	res, err := iamimport.Import(details, opts)
	if err != nil {
		return 1, fmt.Errorf("import: %w", err)
	}
	if err := writeReport(res.Report, f.Report, stdout, stderr); err != nil {
		return 1, err
	}
	if !res.Report.Exact && !f.AllowPartial {
		return 1, errNotExact
	}
	if f.Out == "" {
		if f.Report == "-" {
			return 1, errors.New("import: --report - needs --out (both would go to stdout)")
		}
		if _, err := stdout.Write(res.Store); err != nil {
			return 1, fmt.Errorf("import: writing the store: %w", err)
		}
		return 0, nil
	}
	if err := writeAtomic(f.Out, res.Store); err != nil {
		return 1, err
	}
	return 0, nil
}

// maxImportInput bounds an input file (an account's authorization details
// are a few MiB; IAM's quotas bound them).
const maxImportInput = 256 << 20

// readInput reads a file, or stdin for "-", bounded.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" && stdin != nil {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImportInput+1))
	if err != nil {
		return nil, fmt.Errorf("import: reading %s: %w", name, err)
	}
	if len(data) > maxImportInput {
		return nil, fmt.Errorf("import: %s is larger than %d MiB", name, maxImportInput>>20)
	}
	return data, nil
}

// readOrgPolicies reads [LEVEL=]FILE arguments.
func readOrgPolicies(specs []string) ([]iamimport.OrgPolicy, error) {
	var out []iamimport.OrgPolicy
	for _, s := range specs {
		level, file, ok := strings.Cut(s, "=")
		if !ok {
			level, file = "", s
		}
		data, err := readInput(file, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, iamimport.OrgPolicy{Level: level, Source: file, Data: data})
	}
	return out, nil
}

// writeReport writes the report as text on stderr, or as JSON to dest
// ("-": stdout).
func writeReport(r *iamimport.Report, dest string, stdout, stderr io.Writer) error {
	if dest == "" {
		return r.WriteText(stderr)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("import: encoding the report: %w", err)
	}
	data = append(data, '\n')
	if dest == "-" {
		_, err = stdout.Write(data)
		return err
	}
	return writeAtomic(dest, data)
}

// writeAtomic writes data to a temporary file beside name, syncs it and
// renames it over name, so readers (a gateway watching its store) never see
// half a file.
func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		tmp.Close()
		return fmt.Errorf("import: writing %s: %w", name, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("import: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("import: writing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("import: writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}
