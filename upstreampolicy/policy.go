package upstreampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
)

// MaxManagedPolicySize is IAM's limit on a customer managed policy document, in
// characters without white space
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const MaxManagedPolicySize = 6144

// Gateway is what one pinpoint_gateway handler's upstream permissions depend on.
type Gateway struct {
	// Store is the handler's store; its account and partition are the gateway's.
	Store *authn.Store
	// Regions is the handler's regions allow-list; empty: every region of the partition.
	Regions []string
	// TagLookup is resource_tags lookup.
	TagLookup bool
	// OriginationLookup is origination_lookup on (the default).
	OriginationLookup bool
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is an Allow statement of the upstream policy.
type Statement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Size is the document's length in characters without white space, as IAM counts it
// against MaxManagedPolicySize.
func (d Document) Size() int {
	b, err := json.Marshal(d)
	if err != nil {
		return 0 // strings and slices always marshal
	}
	return len([]rune(string(b)))
}

// ErrNothing is returned when the gateways need no permission at all: no store allows
// anything and no lookup is configured (IAM refuses a policy without statements).
var ErrNothing = errors.New("the gateway needs no AWS permission: its store allows no action and it makes no lookups")

// requestedRegion is the global condition key that a regions allow-list becomes.
const requestedRegion = "aws:RequestedRegion"

// Generate returns the upstream policy of the gateways (usually one; the handlers of one
// config share the process's credentials), as one document, or as several when one would
// exceed MaxManagedPolicySize (attach them all: a role takes up to 10 managed policies by
// default). Statements, actions and resources are sorted, so a configuration always gives
// the same bytes.
//
// Each statement allows actions on resources: the forwarded actions on where the stores
// can allow them (Reach, with the ARNs' region field narrowed to the allow-list),
// iam:PassRole on the roles callers may pass (with their iam:PassedToService clause), and
// the gateway's own lookups (OwnCalls) on its own account's resources. With a regions
// allow-list, every statement but iam:PassRole's also requires aws:RequestedRegion to be
// one of them.
func Generate(gws []Gateway) ([]Document, error) {
	var b builder
	for _, gw := range gws {
		if gw.Store == nil {
			return nil, errors.New("a gateway without a store")
		}
		if err := b.add(gw); err != nil {
			return nil, err
		}
	}
	stmts := b.statements()
	if len(stmts) == 0 {
		return nil, ErrNothing
	}
	return split(stmts)
}

// entry is one action allowed on one scope, and whether it is one of the gateway's own
// lookups.
type entry struct {
	action string
	scope  Scope
	own    bool
}

type builder struct {
	entries []entry
	regions []string // the union of the allow-lists
	anyReg  bool     // some gateway has no allow-list
}

func (b *builder) add(gw Gateway) error {
	s := gw.Store
	for _, r := range gw.Regions {
		if p, ok := apimap.Partition(r); !ok || p != s.Partition() {
			return fmt.Errorf("region %q is not in the store's partition %s", r, s.Partition())
		}
	}
	if len(gw.Regions) == 0 {
		b.anyReg = true
	}
	b.regions = append(b.regions, gw.Regions...)
	for _, a := range apimap.KnownActions() {
		for _, sc := range Reach(s, a) {
			if sc, ok := inRegions(sc, gw.Regions); ok {
				b.entries = append(b.entries, entry{action: ActionName(a), scope: sc})
			}
		}
	}
	for _, c := range OwnCalls {
		if (c.When == TagLookup && !gw.TagLookup) || (c.When == OriginationLookup && !gw.OriginationLookup) {
			continue
		}
		sc := Scope{AnyResource: c.Resource == "*"}
		if !sc.AnyResource {
			regions := gw.Regions
			if len(regions) == 0 {
				regions = []string{"*"}
			}
			for _, r := range regions {
				sc.Resources = append(sc.Resources, expand(c.Resource, s.Partition(), r, s.Account()))
			}
			sc.Resources = sortedUnique(sc.Resources)
		}
		b.entries = append(b.entries, entry{action: c.Action, scope: sc, own: true})
	}
	return nil
}

// expand fills in an OwnCall's resource template.
func expand(tmpl, partition, region, account string) string {
	return strings.NewReplacer("${Partition}", partition, "${Region}", region, "${Account}", account).Replace(tmpl)
}

// inRegions narrows the region field of sc's ARN patterns to the allow-list: "*" becomes
// each allowed region, a literal region outside the list drops the pattern (the gateway
// refuses such requests before any decision), other patterns and ARNs without a region
// (IAM roles) stay. False when no pattern is left.
func inRegions(sc Scope, regions []string) (Scope, bool) {
	if len(regions) == 0 || sc.AnyResource {
		return sc, true
	}
	var out []string
	for _, p := range sc.Resources {
		parts := strings.SplitN(p, ":", 6)
		if len(parts) < 6 {
			out = append(out, p)
			continue
		}
		switch reg := parts[3]; {
		case reg == "*":
			for _, r := range regions {
				parts[3] = r
				out = append(out, strings.Join(parts, ":"))
			}
		case reg == "" || strings.ContainsAny(reg, "*?$"), slices.Contains(regions, reg):
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return Scope{}, false
	}
	sc.Resources = sortedUnique(out)
	return sc, true
}

// group is the statement being built for one (condition, resources) key.
type group struct {
	own      bool // only lookups of the gateway's own
	scope    Scope
	resKey   string
	passRole bool
	actions  []string
}

// statements groups the entries into statements: the actions that share their resources
// and condition make one statement (Sid Forward…, PassRole…, or Lookups… when it holds
// only the gateway's own lookups).
func (b *builder) statements() []Statement {
	anywhere := map[string]bool{} // actions allowed on any resource without a condition
	for _, e := range b.entries {
		if e.scope.AnyResource && e.scope.Condition == nil {
			anywhere[e.action] = true
		}
	}
	groups := map[string]*group{}
	for _, e := range b.entries {
		if anywhere[e.action] && !(e.scope.AnyResource && e.scope.Condition == nil) {
			continue // a narrower scope of an action that is allowed everywhere anyway
		}
		resKey := "*"
		if !e.scope.AnyResource {
			resKey = strings.Join(e.scope.Resources, "\n")
		}
		passRole := strings.EqualFold(e.action, "iam:PassRole")
		// A lookup shares the statement of forwarded actions on the same resources.
		key := fmt.Sprintf("%t\x01%s\x01%s", passRole, condKey(e.scope.Condition), resKey)
		g := groups[key]
		if g == nil {
			g = &group{own: true, scope: e.scope, resKey: resKey, passRole: passRole}
			groups[key] = g
		}
		g.own = g.own && e.own
		if !slices.Contains(g.actions, e.action) {
			g.actions = append(g.actions, e.action)
		}
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		slices.Sort(g.actions)
		list = append(list, g)
	}
	// Forwarded actions first, then iam:PassRole, then the lookups; within each, "*"
	// first, then by resources, then by condition.
	rank := func(g *group) int {
		switch {
		case g.own:
			return 2
		case g.passRole:
			return 1
		}
		return 0
	}
	slices.SortFunc(list, func(x, y *group) int {
		if c := rank(x) - rank(y); c != 0 {
			return c
		}
		if x.resKey != y.resKey {
			if x.resKey == "*" {
				return -1
			}
			if y.resKey == "*" {
				return 1
			}
			return strings.Compare(x.resKey, y.resKey)
		}
		if c := strings.Compare(condKey(x.scope.Condition), condKey(y.scope.Condition)); c != 0 {
			return c
		}
		return strings.Compare(strings.Join(x.actions, ","), strings.Join(y.actions, ","))
	})
	regions := sortedUnique(b.regions)
	counts := [3]int{}
	names := [3]string{"Forward", "PassRole", "Lookups"}
	out := make([]Statement, 0, len(list))
	for _, g := range list {
		r := rank(g)
		counts[r]++
		st := Statement{Sid: fmt.Sprintf("%s%d", names[r], counts[r]), Effect: "Allow", Action: g.actions, Resource: []string{"*"}}
		if !g.scope.AnyResource {
			st.Resource = g.scope.Resources
		}
		if c := g.scope.Condition; c != nil {
			st.addCondition(c.Operator, c.Key, c.Values)
		}
		if !b.anyReg && len(regions) > 0 && !g.passRole {
			st.addCondition("StringEquals", requestedRegion, regions)
		}
		out = append(out, st)
	}
	return out
}

func (st *Statement) addCondition(op, key string, values []string) {
	if st.Condition == nil {
		st.Condition = map[string]map[string][]string{}
	}
	if st.Condition[op] == nil {
		st.Condition[op] = map[string][]string{}
	}
	st.Condition[op][key] = values
}

// split packs the statements, in order, into as few documents under
// MaxManagedPolicySize as it can, first cutting a statement too large for a document of
// its own into statements of fewer actions (Sids suffixed Part1, Part2, ...).
func split(stmts []Statement) ([]Document, error) {
	var fitted []Statement
	for _, st := range stmts {
		parts, err := fit(st)
		if err != nil {
			return nil, err
		}
		if len(parts) > 1 {
			for i := range parts {
				parts[i].Sid = fmt.Sprintf("%sPart%d", st.Sid, i+1)
			}
		}
		fitted = append(fitted, parts...)
	}
	var docs []Document
	cur := Document{Version: "2012-10-17"}
	for _, st := range fitted {
		next := Document{Version: cur.Version, Statement: append(slices.Clip(cur.Statement), st)}
		if next.Size() <= MaxManagedPolicySize || len(cur.Statement) == 0 {
			cur = next
			continue
		}
		docs = append(docs, cur)
		cur = Document{Version: "2012-10-17", Statement: []Statement{st}}
	}
	return append(docs, cur), nil
}

// fit cuts st into statements that each fit in a document of their own, halving its
// actions (with room for a Sid suffix); an error when one action alone does not fit.
func fit(st Statement) ([]Statement, error) {
	const sidRoom = len("Part99")
	if (Document{Version: "2012-10-17", Statement: []Statement{st}}).Size()+sidRoom <= MaxManagedPolicySize {
		return []Statement{st}, nil
	}
	if len(st.Action) < 2 {
		return nil, fmt.Errorf("statement %s is over IAM's %d characters with one action (%d resources): write the store's policies with fewer distinct resources", st.Sid, MaxManagedPolicySize, len(st.Resource))
	}
	h := len(st.Action) / 2
	a, b := st, st
	a.Action, b.Action = st.Action[:h:h], st.Action[h:]
	pa, err := fit(a)
	if err != nil {
		return nil, err
	}
	pb, err := fit(b)
	if err != nil {
		return nil, err
	}
	return append(pa, pb...), nil
}

// Marshal encodes documents as the command prints them: one document as itself, several
// as a JSON array of documents; indented, with a final newline.
func Marshal(docs []Document) ([]byte, error) {
	var v any = docs
	if len(docs) == 1 {
		v = docs[0]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
