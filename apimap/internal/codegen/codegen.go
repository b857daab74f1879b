// Package codegen builds apimap's operation table (zz_generated.go) from the
// reference data in ../shared/data: the botocore service models of the three
// APIs, the Service Authorization Reference facts joined to them in
// iam/operation-action-map.json, the resource types of both IAM prefixes and
// partitions.json.
//
// Generate is deterministic, so a test can regenerate the table in memory and
// compare it with the checked-in file. It fails when an operation has no IAM
// action, when a resource type cannot be bound to a request input, when a
// dependent action is of a kind the runtime does not know how to evaluate,
// when the sms-voice actions without a model operation (unmodeled.go) are
// not what an operation name and the reference's resource types can be,
// when a member that may name a resource has no reference class (refs.go),
// or when a sending operation has no destination member (destinations.go).
package codegen

import (
	"fmt"
	"sort"
	"strings"
)

// API names as used by apimap.
const (
	apiPinpoint   = "pinpoint"
	apiSMSVoice   = "sms-voice"
	apiSMSVoiceV2 = "sms-voice-v2"
)

// dataAPI maps the API names of operation-action-map.json to apimap's names.
var dataAPI = map[string]string{
	"pinpoint":              apiPinpoint,
	"pinpoint-sms-voice":    apiSMSVoice,
	"pinpoint-sms-voice-v2": apiSMSVoiceV2,
}

var modelPath = map[string]string{
	apiPinpoint:   "service-models/botocore/pinpoint/2016-12-01/service-2.json",
	apiSMSVoice:   "service-models/botocore/pinpoint-sms-voice/2018-09-05/service-2.json",
	apiSMSVoiceV2: "service-models/botocore/pinpoint-sms-voice-v2/2022-03-31/service-2.json",
}

// Expected operation counts per API (README of the data); the generator fails
// when the data has fewer, so a truncated input cannot yield a short table.
var wantOps = map[string]int{apiPinpoint: 122, apiSMSVoice: 8, apiSMSVoiceV2: 109}

// Generate reads dataDir (the shared data folder) and returns the formatted
// Go source of zz_generated.go.
func Generate(dataDir string) ([]byte, error) {
	src, _, err := generate(dataDir)
	return src, err
}

// Classification returns the class of every string member of the request
// bodies of the three models that the generator saw, keyed
// "api:Shape.Member": "reference KIND", "not a reference: REASON", "the
// operation's own resource" or NotHinted (for tests).
func Classification(dataDir string) (map[string]string, error) {
	_, g, err := generate(dataDir)
	if err != nil {
		return nil, err
	}
	return g.classified, nil
}

func generate(dataDir string) ([]byte, *gen, error) {
	in, err := readSources(dataDir)
	if err != nil {
		return nil, nil, err
	}
	g := newGen(in)
	if err := g.joinOperations(in); err != nil {
		return nil, nil, err
	}
	known, err := knownActions(in, g.ops)
	if err != nil {
		return nil, nil, err
	}
	unmodeled, err := unmodeledActions(in)
	if err != nil {
		return nil, nil, err
	}
	src, err := writeTables(in, known, unmodeled, g.ops)
	if err != nil {
		return nil, nil, err
	}
	return src, g, nil
}

// newGen returns the generator state for the data in.
func newGen(in *sources) *gen {
	g := &gen{models: in.models, smsTypes: map[string]string{}, usedClasses: map[string]bool{}, usedDests: map[string]bool{}, classified: map[string]string{}}
	for _, rt := range in.rtypes["sms-voice"] {
		g.smsTypes[rt.Key] = rt.ARN
	}
	g.smsVars = g.idVars()
	return g
}

// joinOperations builds g.ops from the operations of the join, each once and
// with an action; every model operation must be among them, and each API must
// have its expected count. It then checks the reference classes and sorts
// g.ops by API and name.
func (g *gen) joinOperations(in *sources) error {
	count := map[string]int{}
	seen := map[string]bool{}
	for _, e := range in.opMap.Operations {
		api, ok := dataAPI[e.API]
		if !ok {
			return fmt.Errorf("operation %s: unknown api %q", e.Op, e.API)
		}
		if e.Action == "" {
			return fmt.Errorf("operation %s/%s: no IAM action", api, e.Op)
		}
		if _, ok := in.models[api].Operations[e.Op]; !ok {
			return fmt.Errorf("operation %s/%s: not in the service model", api, e.Op)
		}
		key := api + "/" + e.Op
		if seen[key] {
			return fmt.Errorf("operation %s: listed twice", key)
		}
		seen[key] = true
		count[api]++
		op, err := g.operation(api, e)
		if err != nil {
			return fmt.Errorf("operation %s: %w", key, err)
		}
		g.ops = append(g.ops, op)
	}
	// Every model operation must be in the join, with an action.
	for api, m := range in.models {
		for name := range m.Operations {
			if !seen[api+"/"+name] {
				return fmt.Errorf("operation %s/%s: in the service model but without an IAM action", api, name)
			}
		}
		if count[api] < wantOps[api] {
			return fmt.Errorf("api %s: %d operations, want %d", api, count[api], wantOps[api])
		}
	}
	if err := g.checkClasses(); err != nil {
		return err
	}
	if err := g.checkDestinations(); err != nil {
		return err
	}
	sort.Slice(g.ops, func(i, j int) bool {
		if g.ops[i].api != g.ops[j].api {
			return g.ops[i].api < g.ops[j].api
		}
		return g.ops[i].name < g.ops[j].name
	})
	return nil
}

// knownActions returns, lower-cased, sorted and once each, every action of
// both prefixes, the actions the join lists without an operation, and every
// action and dependent action of ops (iam:PassRole among them when an
// operation passes a role).
func knownActions(in *sources, ops []*genOp) ([]string, error) {
	var known []string
	for svc, m := range in.actions {
		for k := range m {
			known = append(known, svc+":"+strings.ToLower(k))
		}
	}
	for _, a := range in.opMap.ActionsWithoutOperation {
		known = append(known, strings.ToLower(a.Action))
	}
	for _, op := range ops {
		known = append(known, strings.ToLower(op.action))
		for _, d := range op.deps {
			known = append(known, strings.ToLower(d.action)) // e.g. sms-voice:TagResource
		}
		for _, r := range op.refs {
			if r.derive == "refRole" {
				known = append(known, "iam:passrole") // the gateway authorizes it too
			}
		}
	}
	known = dedupe(known)
	if len(known) < 200 {
		return nil, fmt.Errorf("only %d known actions", len(known))
	}
	return known, nil
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

type gen struct {
	smsTypes     map[string]string
	models       map[string]*model
	ops          []*genOp
	usedClasses  map[string]bool   // refClasses keys that name a member
	usedDests    map[string]bool   // destClasses keys that name a member
	classified   map[string]string // class of every string member seen
	unclassified []string          // hinted members without a class
	smsVars      map[string]bool   // ARN variables of the sms-voice resource types
}
