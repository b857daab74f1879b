package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/spf13/cobra"

	"github.com/pinpointgw/gateway/policygen"
	"github.com/pinpointgw/gateway/replay"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "policy",
		Usage: "generate (--principal <arn> | --role <arn> | --session-tag <key=value>) [--conditions] [--collapse <n>] [--max-pairs <n>] <log>...",
		Short: "Generates least-privilege identity policies from the audit log",
		Long: `
policy generate reads audit logs and writes, on stdout, the smallest identity
policy that allows exactly the calls the policies allowed for a principal
(--principal ARN), every session of a role (--role ARN) or every session that
carries a session tag (--session-tag key=value). It then replays the same logs
under that policy alone and prints what it found on stderr; the policy is
written, and the exit status is 0, only when every recorded Allow of the
selection replays as Allow and every recorded deny as a deny.`,
		CobraFunc: func(cmd *cobra.Command) {
			gen := &cobra.Command{
				Use:   "generate (--principal <arn> | --role <arn> | --session-tag <key=value>) [--conditions] [--collapse <n>] [--max-pairs <n>] <log>...",
				Short: "Generates the least-privilege policy of a principal, a role or tagged sessions, proved by replaying the log",
				Long: `
Reads audit logs (files, gzip or not, or "-" for stdin, which is copied to a
temporary file first because the proof reads the logs again) and writes on
stdout the identity policy that allows exactly the allowed calls of the
selection:

  - real ARNs, one statement per set of actions with the same resources
    (sorted, each Sid derived from the statement's content);
  - an ID becomes "*" only when more than --collapse distinct IDs share the
    rest of the ARN (default 10; 0 never): never across accounts, regions or
    resource types, never for roles passed with iam:PassRole;
  - actions without a resource type get "Resource": "*";
  - with --conditions, aws:ResourceTag/K and aws:RequestTag/K StringEquals
    conditions that held with the same value on every allowed call.

Then the proof: every selected record is replayed under the generated policy
alone (no boundary, guardrail, session or resource policy: the claim is about
the generated policy). A wildcard that lets a recorded deny through is taken
back and the proof runs again (at most 8 passes). A recorded deny on the action
and resource of an allowed call, decided by something the generator does not
write (a condition, a boundary, a guardrail, a session policy), cannot be told
apart: its request IDs are printed and nothing is written on stdout.

Records without a policy decision, or that lack a decision input, are counted
and neither generated from nor replayed. A plain log is read in 64 MiB pieces,
both cores at a time; a line that does not contain the selected principal or
role ARN (or a session tag value of plain characters) is not decoded. At most --max-pairs distinct (action,
resource) pairs are kept (default 100000, near 100 MB at most); past that the
command fails rather than truncate.

Exit status: 0 proved (policy on stdout); 1 not proved; 2 usage or input error.`,
				Args: cobra.ArbitraryArgs,
				RunE: caddycmd.WrapCommandFuncForCobra(cmdPolicyGenerate),
			}
			f := gen.Flags()
			f.String("principal", "", "principal ARN (a user, or one role session) whose calls to generate from")
			f.String("role", "", "role ARN: generate from every session of the role")
			f.String("session-tag", "", "key=value: generate from every session carrying this session tag")
			f.Bool("conditions", false, "add aws:ResourceTag and aws:RequestTag conditions that held on every allowed call")
			f.Int("collapse", policygen.DefaultCollapse, "collapse more than this many distinct IDs under one parent into a wildcard; 0 never")
			f.Int("max-pairs", policygen.DefaultMaxPairs, "the most distinct (action, resource) pairs kept; past it, an error")
			cmd.AddCommand(gen)
		},
	})
}

// policyGenerateFlags are the flags and arguments of `gateway policy generate`.
type policyGenerateFlags struct {
	Principal, Role, SessionTag string
	Conditions                  bool
	Collapse, MaxPairs          int
	Logs                        []string
}

// errUsage marks errors that exit with status 2.
var errUsage = errors.New("usage")

func cmdPolicyGenerate(fl caddycmd.Flags) (int, error) {
	f := policyGenerateFlags{
		Principal: fl.String("principal"), Role: fl.String("role"), SessionTag: fl.String("session-tag"),
		Conditions: fl.Bool("conditions"), Collapse: fl.Int("collapse"), MaxPairs: fl.Int("max-pairs"),
		Logs: fl.Args(),
	}
	err := runPolicyGenerate(os.Stdin, os.Stdout, os.Stderr, f)
	switch {
	case err == nil:
		return 0, nil
	case errors.Is(err, policygen.ErrNotProved):
		return 1, err
	default:
		return 2, err
	}
}

// runPolicyGenerate generates and proves the policy of f's selection from f.Logs ("-": in,
// copied to a temporary file), writing the policy on out when proved and the summary on diag.
func runPolicyGenerate(in io.Reader, out, diag io.Writer, f policyGenerateFlags) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	logs := f.Logs
	if i := stdinIndex(logs); i >= 0 {
		tmp, cleanup, err := spoolStdin(in)
		if err != nil {
			return err
		}
		defer cleanup()
		logs = append([]string(nil), logs...)
		logs[i] = tmp
	}
	var parts []policygen.Part
	for _, path := range logs {
		p, err := logParts(path, partSize, opts.Select.Needle())
		if err != nil {
			return err
		}
		parts = append(parts, p...)
	}
	res, err := policygen.Generate(parts, opts)
	if res != nil {
		writeSummary(diag, f, opts, res)
	}
	if err != nil {
		return err
	}
	b, err := res.Policy.JSON()
	if err != nil {
		return err
	}
	if n := nonSpace(b); n > iamManagedPolicyMax {
		fmt.Fprintf(diag, "note: the policy has %d non-whitespace characters; an IAM managed policy holds at most %d (a lower --collapse makes it shorter; or split it)\n", n, iamManagedPolicyMax)
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}

// iamManagedPolicyMax is IAM's size limit of a managed policy, in non-whitespace characters
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). The gateway's
// store has no such limit; the note helps who takes the policy to AWS.
const iamManagedPolicyMax = 6144

func nonSpace(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// options checks the flags and turns them into policygen.Options.
func (f *policyGenerateFlags) options() (policygen.Options, error) {
	sel := policygen.Selector{Principal: f.Principal, Role: f.Role}
	if f.SessionTag != "" {
		t, err := policygen.ParseSessionTag(f.SessionTag)
		if err != nil {
			return policygen.Options{}, fmt.Errorf("%w: --session-tag: %v", errUsage, err)
		}
		sel.TagKey, sel.TagValue = t.TagKey, t.TagValue
	}
	if err := sel.Validate(); err != nil {
		return policygen.Options{}, fmt.Errorf("%w: %v (--principal, --role or --session-tag)", errUsage, err)
	}
	if len(f.Logs) == 0 {
		return policygen.Options{}, fmt.Errorf("%w: no audit log given (files, or - for stdin)", errUsage)
	}
	if n := countStdin(f.Logs); n > 1 {
		return policygen.Options{}, fmt.Errorf("%w: - (stdin) given %d times", errUsage, n)
	}
	if f.Collapse < 0 || f.MaxPairs < 1 {
		return policygen.Options{}, fmt.Errorf("%w: --collapse must be 0 or more, --max-pairs 1 or more", errUsage)
	}
	return policygen.Options{Select: sel, Collapse: f.Collapse, Conditions: f.Conditions, MaxPairs: f.MaxPairs}, nil
}

func stdinIndex(logs []string) int {
	for i, l := range logs {
		if l == "-" {
			return i
		}
	}
	return -1
}

func countStdin(logs []string) int {
	n := 0
	for _, l := range logs {
		if l == "-" {
			n++
		}
	}
	return n
}

// spoolStdin copies in to a temporary file (the proof reads the logs more than once) and
// returns its path and a function that removes it.
func spoolStdin(in io.Reader) (string, func(), error) {
	f, err := os.CreateTemp("", "gateway-policy-generate-*.log")
	if err != nil {
		return "", nil, fmt.Errorf("buffering stdin: %w", err)
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, in); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("buffering stdin: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("buffering stdin: %w", err)
	}
	return f.Name(), cleanup, nil
}

// partSize is the size of the pieces a plain (not gzip) log is cut into, so that both cores
// decode records: a piece ends at a line's end.
const partSize = 64 << 20

// logParts returns the parts of one audit log: a gzip log is one part (it cannot be read from
// the middle); a plain one is cut at line ends into pieces of about size bytes. Lines without
// needle (policygen.Selector.Needle; nil: none) are not decoded: they are counted in the
// Stats' Lines and Skipped.
func logParts(path string, size int64, needle []byte) ([]policygen.Part, error) {
	read := func(r io.Reader, fn func(*replay.Record) error) (replay.Stats, error) {
		var dropped int64
		st, err := replay.Read(policygen.FilterLines(r, needle, &dropped), fn)
		st.Lines += dropped
		st.Skipped += dropped
		return st, err
	}
	whole := func(fn func(*replay.Record) error) (replay.Stats, error) {
		rc, err := replay.OpenLog(path)
		if err != nil {
			return replay.Stats{}, err
		}
		defer rc.Close()
		st, err := read(rc, fn)
		if err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return st, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening audit log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("opening audit log: %w", err)
	}
	var magic [2]byte
	if n, _ := io.ReadFull(f, magic[:]); fi.Size() <= size || !fi.Mode().IsRegular() || (n == 2 && magic == [2]byte{0x1f, 0x8b}) {
		return []policygen.Part{whole}, nil
	}
	bounds := []int64{0}
	buf := make([]byte, 64<<10)
	for at := size; at < fi.Size(); at += size {
		if at <= bounds[len(bounds)-1] {
			continue
		}
		end, err := lineEnd(f, at, buf)
		if err != nil {
			return nil, fmt.Errorf("reading audit log %s: %w", path, err)
		}
		if end >= fi.Size() {
			break
		}
		bounds = append(bounds, end)
		at = end - end%size
	}
	bounds = append(bounds, fi.Size())
	parts := make([]policygen.Part, 0, len(bounds)-1)
	for i := 0; i+1 < len(bounds); i++ {
		start, end := bounds[i], bounds[i+1]
		parts = append(parts, func(fn func(*replay.Record) error) (replay.Stats, error) {
			f, err := os.Open(path)
			if err != nil {
				return replay.Stats{}, fmt.Errorf("opening audit log: %w", err)
			}
			defer f.Close()
			st, err := read(io.NewSectionReader(f, start, end-start), fn)
			if err != nil {
				err = fmt.Errorf("%s (bytes %d to %d): %w", path, start, end, err)
			}
			return st, err
		})
	}
	return parts, nil
}

// lineEnd returns the offset just after the first '\n' at or after at (the file's size when
// there is none).
func lineEnd(f *os.File, at int64, buf []byte) (int64, error) {
	for {
		n, err := f.ReadAt(buf, at)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return at + int64(i) + 1, nil
		}
		at += int64(n)
		if errors.Is(err, io.EOF) {
			return at, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// writeSummary prints what the passes found.
func writeSummary(w io.Writer, f policyGenerateFlags, opts policygen.Options, res *policygen.Result) {
	s := &res.Summary
	fmt.Fprintf(w, "policy generate: %s\n", opts.Select)
	fmt.Fprintf(w, "  log lines             %d\n", res.Stats.Lines)
	fmt.Fprintf(w, "  records decoded       %d (the other lines are other log lines, or do not name the selection)\n", s.Records)
	fmt.Fprintf(w, "  selected              %d\n", s.Selected)
	fmt.Fprintf(w, "    allowed             %d\n", s.Allowed)
	fmt.Fprintf(w, "    denied              %d\n", s.Denied)
	fmt.Fprintf(w, "    no policy decision  %d (not replayed)\n", s.NoDecision)
	fmt.Fprintf(w, "    not replayable      %d", s.NotReplayableTotal())
	if len(s.NotReplayable) > 0 {
		why := make([]string, 0, len(s.NotReplayable))
		for k, n := range s.NotReplayable {
			why = append(why, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(why)
		fmt.Fprintf(w, " (%s)", strings.Join(why, ", "))
	}
	fmt.Fprintln(w)
	collapse := "never"
	if opts.Collapse > 0 {
		collapse = fmt.Sprintf("past %d IDs", opts.Collapse)
	}
	fmt.Fprintf(w, "  policy                statements %d, distinct (action, resource) pairs %d, wildcards %d (collapse %s), taken back %d\n",
		s.Statements, s.Pairs, s.Wildcards, collapse, s.Uncollapsed)
	verdict := "proved"
	if !res.Proved {
		verdict = "NOT proved"
	}
	fmt.Fprintf(w, "  proof                 %d of %d allowed calls Allow, %d of %d denied calls denied (passes %d): %s\n",
		s.ProvedAllow, s.Allowed, s.ProvedDeny, s.Denied, s.Passes, verdict)
	if s.Unrecorded > 0 {
		fmt.Fprintf(w, "  not replayable under the generated policy: %d denied calls (a pair the gateway did not reach lacks its resource tags in the record)\n", s.Unrecorded)
	}
	if res.IndistinguishableCount > 0 {
		fmt.Fprintf(w, "  %d recorded denies have the action and resource of an allowed call; their deny came from something the generator does not write (a condition, a boundary, a guardrail, a session policy, a policy change):\n",
			res.IndistinguishableCount)
		if !f.Conditions {
			fmt.Fprintf(w, "  (--conditions may tell them apart when a resource or request tag differed)\n")
		}
		writeIDs(w, res.Indistinguishable, res.IndistinguishableCount)
	}
	if res.NotReproducedCount > 0 {
		fmt.Fprintf(w, "  %d recorded Allows are denied by the generated policy:\n", res.NotReproducedCount)
		writeIDs(w, res.NotReproduced, res.NotReproducedCount)
	}
}

func writeIDs(w io.Writer, ids []string, n int) {
	for _, id := range ids {
		fmt.Fprintf(w, "    %s\n", id)
	}
	if n > len(ids) {
		fmt.Fprintf(w, "    … and %d more\n", n-len(ids))
	}
}
