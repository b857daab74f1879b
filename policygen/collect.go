package policygen

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/replay"
)

// Defaults and bounds.
const (
	// DefaultCollapse is the collapse threshold of `gateway policy generate`: more than 10
	// distinct IDs under one parent become a wildcard.
	DefaultCollapse = 10
	// DefaultMaxPairs bounds the distinct (action, resource) pairs kept for one selection: about
	// 130 bytes each while the logs are read, about 1 KB each while the policy is written and
	// compiled, so 100,000 pairs stay near 100 MB. Past it Generate fails (ErrTooManyPairs).
	DefaultMaxPairs = 100_000
	// maxReasons bounds the distinct not-replayable reasons counted one by one; the rest are
	// counted under otherReason.
	maxReasons  = 32
	otherReason = "other reasons"
)

// Options says what to generate.
type Options struct {
	// Select is whose calls the policy is for.
	Select Selector
	// Collapse is the wildcard threshold: a resource ID becomes "*" when more than Collapse
	// distinct IDs share the rest of the ARN (collapse.go). 0 never collapses.
	Collapse int
	// Conditions adds aws:ResourceTag/K and aws:RequestTag/K StringEquals conditions that held
	// with the same value on every allowed call of a statement's actions.
	Conditions bool
	// MaxPairs bounds the distinct (action, resource) pairs kept. 0 means DefaultMaxPairs.
	MaxPairs int
	// Workers is how many parts of the logs are read at a time. 0 means GOMAXPROCS.
	Workers int
}

// ErrTooManyPairs is returned when the selection's allowed calls have more distinct (action,
// resource) pairs than Options.MaxPairs.
var ErrTooManyPairs = errors.New("too many distinct (action, resource) pairs")

// ErrNothingAllowed is returned when the selection has no allowed call to build a policy from.
var ErrNothingAllowed = errors.New("no allowed call of the selection in the log")

// Summary counts what the passes over the log saw.
type Summary struct {
	// Records is the number of audit records decoded in the first pass (a reader may skip lines
	// that lack the selection's Needle without decoding them).
	Records int
	// Selected records belong to the selection.
	Selected int
	// NoDecision counts selected records without a policy decision (unauthenticated, bad
	// request, unmappable): neither generated from nor replayed.
	NoDecision int
	// NotReplayable counts selected records that lack a decision input, by the reason replay
	// gives: neither generated from nor replayed.
	NotReplayable map[string]int
	// Allowed and Denied count the replayable selected records by their recorded policy
	// decision.
	Allowed, Denied int
	// Pairs is the number of distinct allowed (action, resource) pairs.
	Pairs int
	// Statements and Wildcards describe the final policy: its statements, and its Resource
	// entries with a generated wildcard.
	Statements, Wildcards int
	// Uncollapsed counts the wildcards taken back because they let a recorded deny through.
	Uncollapsed int
	// Passes is the number of proof passes over the log.
	Passes int
	// ProvedAllow and ProvedDeny count the allowed and denied records the last proof pass
	// decided as recorded.
	ProvedAllow, ProvedDeny int
	// Unrecorded counts recorded denies that the generated policy denies only because a pair
	// the gateway did not reach lacks its resource tags in the record (replay.Outcome's
	// Unrecorded): not replayable under the generated policy, neither proved nor a failure.
	Unrecorded int
}

// NotReplayableTotal sums NotReplayable.
func (s *Summary) NotReplayableTotal() int {
	n := 0
	for _, c := range s.NotReplayable {
		n += c
	}
	return n
}

// actionCalls is what the allowed calls of one action left: its distinct resources, and the
// tag conditions that held on all of them so far.
type actionCalls struct {
	resources map[string]struct{}
	// conds maps a lower-cased condition key (aws:resourcetag/k, aws:requesttag/k) to the value
	// it had on every call so far; nil until the first call.
	conds map[string]string
}

// collector is the first pass: it counts the selection's records and keeps the allowed pairs.
// add may be called concurrently (each record is decoded by its part's reader; adding it is
// short and done under mu).
type collector struct {
	mu      sync.Mutex
	opts    Options
	actions map[string]*actionCalls
	sum     Summary
}

func newCollector(opts Options) *collector {
	return &collector{opts: opts, actions: map[string]*actionCalls{}, sum: Summary{NotReplayable: map[string]int{}}}
}

// classify says what the proof and the generator do with r: skip it (not selected, no
// decision, not replayable; counted in sum when counting) or use it with its recorded policy
// decision.
func classify(opts *Options, r *replay.Record, sum *Summary, counting bool) (d authz.Decision, use bool) {
	if !opts.Select.Match(r) {
		return 0, false
	}
	if counting {
		sum.Selected++
	}
	d, ok := r.PolicyDecision()
	if !ok {
		if counting {
			sum.NoDecision++
		}
		return 0, false
	}
	if ok, why := r.Replayable(); !ok {
		if counting {
			countReason(sum.NotReplayable, why)
		}
		return 0, false
	}
	if counting {
		if d == authz.Allow {
			sum.Allowed++
		} else {
			sum.Denied++
		}
	}
	return d, true
}

// countReason counts why in m, keeping at most maxReasons distinct reasons.
func countReason(m map[string]int, why string) {
	if why == "" {
		why = "no reason given"
	}
	if _, ok := m[why]; !ok && len(m) >= maxReasons {
		why = otherReason
	}
	m[why]++
}

// add takes one record of the first pass.
func (c *collector) add(r *replay.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sum.Records++
	d, use := classify(&c.opts, r, &c.sum, true)
	if !use || d != authz.Allow {
		return nil
	}
	max := c.opts.MaxPairs
	if max <= 0 {
		max = DefaultMaxPairs
	}
	for i := range r.Pairs {
		p := &r.Pairs[i]
		ac := c.actions[p.Action]
		if ac == nil {
			ac = &actionCalls{resources: map[string]struct{}{}}
			c.actions[strings.Clone(p.Action)] = ac
		}
		if _, ok := ac.resources[p.Resource]; !ok {
			if c.sum.Pairs >= max {
				return fmt.Errorf("%w: more than %d for %s (raise the bound or narrow the selection)", ErrTooManyPairs, max, c.opts.Select)
			}
			ac.resources[strings.Clone(p.Resource)] = struct{}{}
			c.sum.Pairs++
		}
		if c.opts.Conditions {
			ac.observe(r, p)
		}
	}
	return nil
}

// Condition key prefixes the generator writes (lower-cased, as records carry them).
const (
	resourceTagPrefix = "aws:resourcetag/"
	requestTagPrefix  = "aws:requesttag/"
)

// observe intersects the action's candidate conditions with the tags of one allowed call: the
// pair's resource tags and the request's tags, single-valued ones only.
func (ac *actionCalls) observe(r *replay.Record, p *replay.Pair) {
	held := func(key string) (string, bool) {
		vals, ok := p.Keys[key]
		if !ok {
			vals, ok = r.Context[key]
		}
		if !ok || len(vals) != 1 {
			return "", false
		}
		return vals[0], true
	}
	if ac.conds == nil {
		ac.conds = map[string]string{}
		add := func(m map[string][]string, prefix string) {
			for k, v := range m {
				lk := strings.ToLower(k)
				if strings.HasPrefix(lk, prefix) && len(lk) > len(prefix) && len(v) == 1 {
					ac.conds[lk] = strings.Clone(v[0])
				}
			}
		}
		add(p.Keys, resourceTagPrefix)
		add(r.Context, requestTagPrefix)
		return
	}
	for k, want := range ac.conds {
		if got, ok := held(k); !ok || got != want {
			delete(ac.conds, k)
		}
	}
}

// sortedActions returns the actions seen, sorted.
func (c *collector) sortedActions() []string {
	out := make([]string, 0, len(c.actions))
	for a := range c.actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
