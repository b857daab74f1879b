package policygen

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/replay"
)

// Part is one piece of the audit logs (a file, or a range of lines of one): it calls fn for
// every record of the piece and returns what replay.Read counted. Generate reads every part once
// to collect and once for each proof pass, so a part must read the same records every time (a
// file, not a pipe); it reads up to Options.Workers parts at a time, and the result does not
// depend on how the logs are cut into parts nor on their order.
type Part func(fn func(*replay.Record) error) (replay.Stats, error)

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

// Generate collects the selection's allowed calls from parts, builds the policy and proves it
// (see the package documentation). It returns ErrNotProved with a Result that says why when
// the proof fails, and other errors (ErrTooManyPairs, ErrNothingAllowed, reading errors)
// with a nil Result.
func Generate(parts []Part, opts Options) (*Result, error) {
	if err := opts.Select.Validate(); err != nil {
		return nil, err
	}
	c := newCollector(opts)
	st, err := readParts(parts, opts.Workers, c.add)
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
		if _, err := readParts(parts, opts.Workers, pr.add); err != nil {
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

// readParts reads every part through fn, up to workers (0: GOMAXPROCS) at a time; fn must be
// safe for concurrent use. It returns the parts' Stats summed and the first error of a part
// in the parts' order.
func readParts(parts []Part, workers int, fn func(*replay.Record) error) (replay.Stats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	stats := make([]replay.Stats, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	var failed atomic.Bool
	for i, p := range parts {
		sem <- struct{}{}
		if failed.Load() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			stats[i], errs[i] = p(func(r *replay.Record) error {
				if failed.Load() {
					return errStopped
				}
				return fn(r)
			})
			if errs[i] != nil && !errors.Is(errs[i], errStopped) {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	var total replay.Stats
	for i := range parts {
		total.Lines += stats[i].Lines
		total.Records += stats[i].Records
		total.Skipped += stats[i].Skipped
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, errStopped) {
			return total, err
		}
	}
	return total, nil
}

// errStopped stops the other parts' reads once one part failed.
var errStopped = errors.New("stopped: another part of the logs failed")

// idList keeps the MaxReported smallest request IDs (so that the report does not depend on
// the order the parts were read in) and counts them all.
type idList struct {
	ids []string
	n   int
}

func (l *idList) add(id string) {
	l.n++
	if len(l.ids) == MaxReported && id >= l.ids[MaxReported-1] {
		return
	}
	i, _ := slices.BinarySearch(l.ids, id)
	l.ids = slices.Insert(l.ids, i, strings.Clone(id))
	if len(l.ids) > MaxReported {
		l.ids = l.ids[:MaxReported]
	}
}

// proofPass replays every selected record under the generated policy alone. add may be called
// concurrently: the evaluation runs unlocked, the counting under mu.
type proofPass struct {
	mu                sync.Mutex
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
	pr.mu.Lock()
	defer pr.mu.Unlock()
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

// blameWildcards finds, for a recorded deny that the generated policy allows, the generated
// wildcards that let it through: for each pair whose resource was never allowed exactly for
// its action, every collapse site of the action's patterns that match it. It reports whether it
// found one (the mapping's own wildcards, as in "…:apps/*", have no site to take back).
func (pr *proofPass) blameWildcards(r *replay.Record) bool {
	found := false
	for i := range r.Pairs {
		p := &r.Pairs[i]
		if _, ok := pr.g.exact[p.Action][p.Resource]; ok {
			continue
		}
		for j := range pr.g.patterns[p.Action] {
			pat := &pr.g.patterns[p.Action][j]
			if pat.wild() && len(pat.sites) > 0 && pat.matches(p.Resource) {
				for _, s := range pat.sites {
					pr.uncollapse[s] = true
				}
				found = true
			}
		}
	}
	return found
}
