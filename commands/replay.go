package commands

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/replay"
)

// replayGuardrails collects the repeatable --guardrails flag (Caddy's
// command flags hold no list of their own).
var replayGuardrails stringList

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "replay",
		Usage: "--store <candidate.json> --account <id> [--partition aws] [--region <r>] [--guardrails <scp.json>]... [--fail-on revoke|grant|any] [--format text|json] <log>...",
		Short: "Re-decides recorded requests (audit logs) under a candidate store, and prints the decisions that would change",
		Long: `
Reads the gateway's audit logs (files, or - for stdin; gzip is detected) and
decides every recorded request again, with the context it was decided in,
under the policies of a candidate store (plus --guardrails): each decision
that would change is printed with the request ID, the principal, the action
and resource that decide it, old -> new, and the statements that decide now.
A summary follows: records read, replayed, unchanged, Allow -> deny,
deny -> Allow, not replayable by reason, lines that are not audit records.

Only what the policies decide is replayed: records without a policy decision
(unauthenticated, bad request, unmappable), local STS calls, and records that
lack an input (written by an older gateway, or with fields left out to stay
bounded) are counted as not replayable, never guessed. Principal tags,
resource tags and the time are the recorded ones, not the candidate store's.

--guardrails FILE adds a guardrail (SCP-like) policy, as a policy document or
the output of aws organizations describe-policy; repeat it for several.
--region R replays only the records of region R.

Exit status: 0 when nothing fails the gate; 1 when a decision flips from
Allow to a deny (--fail-on revoke, the default), from a deny to Allow
(--fail-on grant), or either (--fail-on any); 2 on usage or input errors.`,
		Flags: func() *flag.FlagSet {
			fs := flag.NewFlagSet("replay", flag.ExitOnError)
			fs.String("store", "", "candidate store file (required)")
			fs.String("account", "", "account ID of the store's ARNs (required)")
			fs.String("partition", "aws", "partition of the store's ARNs")
			fs.String("region", "", "replay only the records of this region")
			fs.Var(&replayGuardrails, "guardrails", "guardrail policy file (repeatable)")
			fs.String("fail-on", "revoke", "revoke (Allow -> deny), grant (deny -> Allow) or any")
			fs.String("format", "text", "text or json (one JSON line per change, then a summary line)")
			return fs
		}(),
		Func: cmdReplay,
	})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func cmdReplay(fl caddycmd.Flags) (int, error) {
	f := replayFlags{
		Store: fl.String("store"), Account: fl.String("account"), Partition: fl.String("partition"),
		Region: fl.String("region"), Guardrails: replayGuardrails, FailOn: fl.String("fail-on"),
		Format: fl.String("format"), Logs: fl.Args(),
	}
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	code, err := runReplay(f, out)
	if ferr := out.Flush(); ferr != nil && err == nil {
		code, err = 2, ferr
	}
	return code, err
}

// replayFlags are the flags and arguments of `gateway replay`.
type replayFlags struct {
	Store, Account, Partition, Region string
	Guardrails                        []string
	FailOn, Format                    string
	Logs                              []string
}

// errRevoked and errGranted are the errors of exit status 1 (Caddy exits 0
// for a status 1 without an error).
var (
	errRevoked = errors.New("replay: decisions flip from Allow to a deny")
	errGranted = errors.New("replay: decisions flip from a deny to Allow")
)

// runReplay replays the logs and writes the changes and the summary to
// out; it returns the exit status and, for a status other than 0, why.
func runReplay(f replayFlags, out io.Writer) (int, error) {
	switch {
	case f.Store == "" || f.Account == "":
		return 2, errors.New("replay: --store and --account are required")
	case len(f.Logs) == 0:
		return 2, errors.New("replay: name at least one audit log (a file, or - for stdin)")
	case f.FailOn != "revoke" && f.FailOn != "grant" && f.FailOn != "any":
		return 2, fmt.Errorf("replay: --fail-on %q: want revoke, grant or any", f.FailOn)
	case f.Format != "text" && f.Format != "json":
		return 2, fmt.Errorf("replay: --format %q: want text or json", f.Format)
	}
	store, err := authn.LoadStore(f.Store, authn.StoreOptions{
		Account: f.Account, Partition: f.Partition, LookupEnv: placeholderEnv, KnownAction: apimap.IsKnownAction,
	})
	if err != nil {
		return 2, fmt.Errorf("replay: loading the candidate store: %w", err)
	}
	var guardrails []*authz.Policy
	for _, path := range f.Guardrails {
		p, err := readGuardrail(path)
		if err != nil {
			return 2, fmt.Errorf("replay: %w", err)
		}
		guardrails = append(guardrails, p)
	}
	rp := &replayer{store: store, guardrails: guardrails, region: f.Region, json: f.Format == "json", out: out,
		sum: replaySummary{NotReplayable: map[string]int64{}}}
	for _, path := range f.Logs {
		if err := rp.replayLog(path); err != nil {
			return 2, fmt.Errorf("replay: %w", err)
		}
	}
	if err := rp.writeSummary(); err != nil {
		return 2, err
	}
	revoked := rp.sum.AllowToDeny > 0 && (f.FailOn == "revoke" || f.FailOn == "any")
	granted := rp.sum.DenyToAllow > 0 && (f.FailOn == "grant" || f.FailOn == "any")
	switch {
	case revoked:
		return 1, errRevoked
	case granted:
		return 1, errGranted
	}
	return 0, nil
}

// replayer replays records one by one, writing each change at once.
type replayer struct {
	store      *authn.Store
	guardrails []*authz.Policy
	region     string
	json       bool
	out        io.Writer
	sum        replaySummary
}

// replaySummary is the closing summary (the JSON line's "summary").
type replaySummary struct {
	Lines             int64            `json:"lines"`
	Records           int64            `json:"records"`
	SkippedLines      int64            `json:"skipped_lines"`
	OtherRegion       int64            `json:"other_region,omitempty"`
	Replayed          int64            `json:"replayed"`
	Unchanged         int64            `json:"unchanged"`
	AllowToDeny       int64            `json:"allow_to_deny"`
	DenyToAllow       int64            `json:"deny_to_allow"`
	DenyToDeny        int64            `json:"deny_to_other_deny"`
	UnknownPrincipals int64            `json:"unknown_principals"`
	NotReplayable     map[string]int64 `json:"not_replayable"`
}

// whyTagsNotRecorded counts the records whose new decision would need
// resource tags the record lacks (replay.Outcome.Unrecorded).
const whyTagsNotRecorded = "resource_tags_not_recorded"

func (rp *replayer) replayLog(path string) error {
	rc, err := replay.OpenLog(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	st, err := replay.Read(rc, rp.replayRecord)
	rp.sum.Lines += st.Lines
	rp.sum.Records += st.Records
	rp.sum.SkippedLines += st.Skipped
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// replayRecord replays one record and writes its change, if any.
func (rp *replayer) replayRecord(r *replay.Record) error {
	if rp.region != "" && r.Region != rp.region {
		rp.sum.OtherRegion++
		return nil
	}
	if ok, why := r.Replayable(); !ok {
		rp.sum.NotReplayable[why]++
		return nil
	}
	old, _ := r.PolicyDecision()
	p, known := replay.ForStore(rp.store, r, rp.guardrails)
	var out replay.Outcome
	if known {
		out = replay.Evaluate(r, p)
		if out.Unrecorded {
			rp.sum.NotReplayable[whyTagsNotRecorded]++
			return nil
		}
	} else {
		rp.sum.UnknownPrincipals++
		out = replay.Outcome{Decision: authz.ImplicitDeny, Pair: 0}
	}
	rp.sum.Replayed++
	switch {
	case old == out.Decision:
		rp.sum.Unchanged++
		return nil
	case old == authz.Allow:
		rp.sum.AllowToDeny++
	case out.Decision == authz.Allow:
		rp.sum.DenyToAllow++
	default:
		rp.sum.DenyToDeny++
	}
	return rp.writeChange(r, old, out, known)
}

// replayChange is one changed decision (a JSON line of --format json).
type replayChange struct {
	RequestID    string        `json:"request_id"`
	Time         string        `json:"time,omitempty"`
	PrincipalARN string        `json:"principal_arn"`
	Action       string        `json:"action"`
	Resource     string        `json:"resource"`
	Old          string        `json:"old"`
	New          string        `json:"new"`
	Matched      []authz.Match `json:"matched"`
	Why          string        `json:"why,omitempty"`
}

func (rp *replayer) writeChange(r *replay.Record, old authz.Decision, out replay.Outcome, known bool) error {
	c := replayChange{RequestID: r.RequestID, PrincipalARN: r.PrincipalARN, Old: old.String(), New: out.Decision.String(), Matched: out.Matched}
	if !r.Time.IsZero() {
		c.Time = r.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	// The pair that decides: the one denied now, else the one denied then.
	i := out.Pair
	if i < 0 {
		for j := range r.Pairs {
			if r.Pairs[j].Evaluated && r.Pairs[j].Decision != authz.Allow.String() {
				i = j
				break
			}
		}
	}
	if i >= 0 && i < len(r.Pairs) {
		c.Action, c.Resource = r.Pairs[i].Action, r.Pairs[i].Resource
	}
	switch {
	case !known:
		c.Why = "the candidate store does not know the principal (or a managed session policy of its session)"
	case out.Undecidable != "":
		c.Why = "a statement reads " + out.Undecidable + ", whose value the gateway did not know"
	case out.Decision == authz.ImplicitDeny:
		c.Why = "no statement allows"
	}
	if out.Decision != authz.Allow {
		c.Matched = denyMatches(out.Matched)
	}
	if rp.json {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(rp.out, "%s\n", b)
		return err
	}
	head := c.RequestID
	if c.Time != "" {
		head += " " + c.Time
	}
	_, err := fmt.Fprintf(rp.out, "%s %s %s %s: %s -> %s%s\n", head, c.PrincipalARN, c.Action, c.Resource, c.Old, c.New, describeMatches(c))
	return err
}

// denyMatches keeps the Deny statements of a deny's matches (the Allow
// statements of the pairs allowed before it did not decide it).
func denyMatches(ms []authz.Match) []authz.Match {
	var out []authz.Match
	for _, m := range ms {
		if m.Effect == authz.EffectDeny {
			out = append(out, m)
		}
	}
	return out
}

// describeMatches is the text form's "by …" part.
func describeMatches(c replayChange) string {
	var b strings.Builder
	for i, m := range c.Matched {
		if i == 0 {
			b.WriteString(" by ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q statement %d", m.Type, m.Policy, m.Index)
		if m.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", m.Sid)
		}
		fmt.Fprintf(&b, " %s", m.Effect)
	}
	if c.Why != "" {
		b.WriteString(" (" + c.Why + ")")
	}
	return b.String()
}

func (rp *replayer) writeSummary() error {
	s := &rp.sum
	if rp.json {
		b, err := json.Marshal(map[string]*replaySummary{"summary": s})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(rp.out, "%s\n", b)
		return err
	}
	notReplayable := int64(0)
	var reasons []string
	for _, why := range []string{replay.WhyNoPolicyDecision, replay.WhySTS, replay.WhyNoContext, replay.WhyContextOmitted,
		replay.WhyEvalsOmitted, replay.WhyAuthsOmitted, replay.WhySessionOmitted, replay.WhySessionInvalid, whyTagsNotRecorded} {
		if n := s.NotReplayable[why]; n > 0 {
			notReplayable += n
			reasons = append(reasons, fmt.Sprintf("%s %d", why, n))
		}
	}
	_, err := fmt.Fprintf(rp.out, "summary: %d records read (%d lines, %d other lines skipped", s.Records, s.Lines, s.SkippedLines)
	if err == nil && s.OtherRegion > 0 {
		_, err = fmt.Fprintf(rp.out, ", %d of other regions", s.OtherRegion)
	}
	if err == nil {
		_, err = fmt.Fprintf(rp.out, "); %d replayed: %d unchanged, %d Allow -> deny, %d deny -> Allow, %d deny -> other deny; %d principals unknown to the store; %d not replayable",
			s.Replayed, s.Unchanged, s.AllowToDeny, s.DenyToAllow, s.DenyToDeny, s.UnknownPrincipals, notReplayable)
	}
	if err == nil && len(reasons) > 0 {
		_, err = fmt.Fprintf(rp.out, " (%s)", strings.Join(reasons, ", "))
	}
	if err == nil {
		_, err = fmt.Fprintln(rp.out)
	}
	return err
}

// readGuardrail reads a guardrail policy file: a policy document, or the
// JSON of `aws organizations describe-policy` (Policy.Content, named by
// Policy.PolicySummary.Name).
func readGuardrail(path string) (*authz.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading guardrail: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var described struct {
		Policy *struct {
			PolicySummary struct{ Name string }
			Content       string
		}
	}
	if json.Unmarshal(data, &described) == nil && described.Policy != nil && described.Policy.Content != "" {
		data = []byte(described.Policy.Content)
		if described.Policy.PolicySummary.Name != "" {
			name = described.Policy.PolicySummary.Name
		}
	}
	p, err := authz.Parse(name, data, authz.Guardrail)
	if err != nil {
		return nil, fmt.Errorf("guardrail %s: %w", path, err)
	}
	return p, nil
}
