package policygen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/replay"
)

// Source is one pass over the audit logs: it calls fn for every record, in order, and returns
// what replay.Read counted. Generate calls it once to collect and once for each proof pass, so
// it must read the same records every time (a file, not a pipe).
type Source func(fn func(*replay.Record) error) (replay.Stats, error)

// Bounds of the proof.
const (
	// MaxProofPasses bounds the proof passes: each pass after the first follows wildcards taken
	// back because they let a recorded deny through.
	MaxProofPasses = 8
	// MaxReported bounds the request IDs kept for each kind of failure; the counts go on.
	MaxReported = 100
)

// ErrNotProved is returned when the generated policy could not be proved exact; Result says
// which recorded calls stand in the way.
var ErrNotProved = errors.New("the generated policy is not proved")

// Result is what Generate found.
type Result struct {
	// Policy is the generated policy (also when the proof failed, for inspection; the command
	// prints it only when proved).
	Policy *Document
	// Summary counts the records and the proof.
	Summary Summary
	// Stats is what replay.Read counted in the first pass (lines skipped and the like).
	Stats replay.Stats
	// Proved is true when every selected replayable Allow replayed as Allow and every deny as a
	// deny under Policy alone.
	Proved bool
	// Indistinguishable lists recorded denies (request IDs, at most MaxReported) that Policy
	// allows with no wildcard to take back: each has the action and resource of an allowed
	// call, and its deny came from something the generator does not write (a condition, a
	// boundary, a guardrail, a session policy, a policy that changed while the log was
	// written). IndistinguishableCount counts all of them.
	Indistinguishable      []string
	IndistinguishableCount int
	// NotReproduced lists recorded Allows that Policy denies (request IDs, at most
	// MaxReported); NotReproducedCount counts all of them. Not expected: a failure to report.
	NotReproduced      []string
	NotReproducedCount int
}

// Generate collects the selection's allowed calls from src, builds the policy and proves it
// (see the package documentation). It returns ErrNotProved with a Result that says why when
// the proof fails, and other errors (ErrTooManyPairs, ErrNothingAllowed, reading errors)
// with a nil Result.
func Generate(src Source, opts Options) (*Result, error) {
	if err := opts.Select.Validate(); err != nil {
		return nil, err
	}
	c := newCollector(opts)
	st, err := src(c.add)
	if err != nil {
		return nil, err
	}
	res := &Result{Stats: st}
	keep := map[string]bool{}
	for pass := 1; ; pass++ {
		g, err := c.build(keep)
		if err != nil {
			return nil, err
		}
		pr := &proofPass{opts: &opts, g: g, uncollapse: map[string]bool{}}
		if _, err := src(pr.add); err != nil {
			return nil, fmt.Errorf("proof pass %d: %w", pass, err)
		}
		res.Policy = g.doc
		res.Summary = c.sum
		res.Summary.Passes = pass
		res.Summary.Statements = len(g.doc.Statement)
		res.Summary.Wildcards = g.wildcards
		res.Summary.Uncollapsed = len(keep)
		res.Summary.ProvedAllow, res.Summary.ProvedDeny = pr.allow, pr.deny
		res.Summary.Unrecorded = pr.unrecorded
		res.Indistinguishable, res.IndistinguishableCount = pr.indistinguishable.ids, pr.indistinguishable.n
		res.NotReproduced, res.NotReproducedCount = pr.notReproduced.ids, pr.notReproduced.n
		if pr.notReproduced.n == 0 && pr.indistinguishable.n == 0 && len(pr.uncollapse) == 0 {
			res.Proved = true
			return res, nil
		}
		if pr.notReproduced.n > 0 || pr.indistinguishable.n > 0 {
			return res, ErrNotProved
		}
		if pass == MaxProofPasses {
			return res, fmt.Errorf("%w: wildcards still let recorded denies through after %d passes", ErrNotProved, pass)
		}
		for s := range pr.uncollapse {
			keep[s] = true
		}
	}
}

// idList keeps the first MaxReported request IDs and counts them all.
type idList struct {
	ids []string
	n   int
}

func (l *idList) add(id string) {
	l.n++
	if len(l.ids) < MaxReported {
		l.ids = append(l.ids, strings.Clone(id))
	}
}

// proofPass replays every selected record under the generated policy alone.
type proofPass struct {
	opts              *Options
	g                 *generated
	allow, deny       int
	unrecorded        int
	notReproduced     idList
	indistinguishable idList
	// uncollapse collects the collapse sites whose wildcards let a recorded deny through.
	uncollapse map[string]bool
}

func (pr *proofPass) add(r *replay.Record) error {
	var ignore Summary
	want, use := classify(pr.opts, r, &ignore, false)
	if !use {
		return nil
	}
	out := replay.Evaluate(r, replay.Policies{Identity: []*authz.Policy{pr.g.policy}})
	switch {
	case want == authz.Allow && out.Decision == authz.Allow:
		pr.allow++
	case want == authz.Allow:
		pr.notReproduced.add(r.RequestID)
	case out.Decision != authz.Allow && out.Unrecorded:
		// Denied only for want of resource tags the record lacks (a pair the gateway did not
		// reach): the gateway would have looked them up. Not replayable, as replay reports it.
		pr.unrecorded++
	case out.Decision != authz.Allow:
		pr.deny++
	default:
		if !pr.blameWildcards(r) {
			pr.indistinguishable.add(r.RequestID)
		}
	}
	return nil
}

// blameWildcards finds, for a recorded deny that the generated policy allows, the wildcards
// that let it through: for each pair whose resource was never allowed exactly for its action,
// every wildcard of the action that matches it. It reports whether it found one.
func (pr *proofPass) blameWildcards(r *replay.Record) bool {
	found := false
	for i := range r.Pairs {
		p := &r.Pairs[i]
		if _, ok := pr.g.exact[p.Action][p.Resource]; ok {
			continue
		}
		for j := range pr.g.patterns[p.Action] {
			pat := &pr.g.patterns[p.Action][j]
			if pat.wild() && pat.matches(p.Resource) {
				for _, s := range pat.sites {
					pr.uncollapse[s] = true
				}
				found = true
			}
		}
	}
	return found
}
