package apimap

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
	"github.com/pinpointgw/gateway/internal/testenv"
)

// The PassRole test finds every member of the three service models that
// carries an IAM role ARN, at any depth, from the models themselves (not from
// the generated table), puts a role ARN there in an otherwise realistic
// request (built like the golden test's) and checks that Map authorizes
// iam:PassRole on it for the right service and reports it as a reference.

// prShape is a model shape with what the walk needs.
type prShape struct {
	Type    string             `json:"type"`
	Members map[string]prField `json:"members"`
	Member  *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value *struct {
		Shape string `json:"shape"`
	} `json:"value"`
	Payload string `json:"payload"`
}

// prField is a structure member of a prShape.
type prField struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	Documentation string `json:"documentation"`
}

// path returns prefix (not changed) followed by the JSON name of the member
// called name: its locationName, else name.
func (m prField) path(prefix []string, name string) []string {
	jn := name
	if m.LocationName != "" {
		jn = m.LocationName
	}
	return append(slices.Clone(prefix), jn)
}

// prRoleName is the test's own rule for a member that names a role.
var prRoleName = regexp.MustCompile(`(Role|RoleArn|RoleARN)$`)

// prRoleDoc finds documentation that speaks of an IAM role.
var prRoleDoc = regexp.MustCompile(`(?i)\b(IAM|Identity and Access Management(\s*\(IAM\))?)\s+role\b`)

// prNotRoles lists members whose documentation speaks of an IAM role but
// which do not carry one, with the reason.
var prNotRoles = map[string]string{
	"pinpoint-sms-voice/KinesisFirehoseDestination.DeliveryStreamArn": "the v1 model swaps the documentation of DeliveryStreamArn and IamRoleArn",
	"pinpoint/ImportJobRequest.ExternalId":                            "an external ID for a trust policy, not a role",
}

type prPath struct {
	segs []string // JSON member names; "[]" a list element, "{}" a map value
	name string   // "Shape.Member" of the leaf
}

// prRolePaths walks shape s and returns the paths of its role members.
func prRolePaths(t *testing.T, api string, shapes map[string]prShape, s prShape, prefix []string, parent string, depth int) []prPath {
	t.Helper()
	if depth > 12 {
		t.Fatalf("%s: shape nesting deeper than 12 at %v", api, prefix)
	}
	var out []prPath
	switch s.Type {
	case "structure":
		for name, m := range s.Members {
			if depth == 0 && m.Location != "" {
				continue
			}
			child := shapes[m.Shape]
			p := m.path(prefix, name)
			key := api + "/" + parent + "." + name
			if child.Type == "string" {
				doc := prRoleDoc.MatchString(m.Documentation)
				switch _, except := prNotRoles[key]; {
				case prRoleName.MatchString(name):
					out = append(out, prPath{segs: p, name: parent + "." + name})
				case doc && !except:
					t.Errorf("%s: documentation speaks of an IAM role, but the name does not end in Role or RoleArn: add it to prNotRoles with a reason, or make the rule see it", key)
				}
				continue
			}
			out = append(out, prRolePaths(t, api, shapes, child, p, m.Shape, depth+1)...)
		}
	case "list":
		el := shapes[s.Member.Shape]
		if el.Type == "string" {
			return nil // no role list in the models; a string list named like a role would be caught by its parent's name
		}
		out = append(out, prRolePaths(t, api, shapes, el, append(slices.Clone(prefix), "[]"), s.Member.Shape, depth+1)...)
	case "map":
		out = append(out, prRolePaths(t, api, shapes, shapes[s.Value.Shape], append(slices.Clone(prefix), "{}"), s.Value.Shape, depth+1)...)
	}
	return out
}

// prBody returns the shape of operation op's JSON body (its input shape, or
// the input's payload member) and that shape's name.
func (m *gModel) prBody(op string) (prShape, string) {
	name := m.inputs[op]
	in := m.walk[name]
	if in.Payload != "" {
		name = in.Members[in.Payload].Shape
		return m.walk[name], name
	}
	return in, name
}

// prRequest builds the golden test's request for operation e, in its region
// and account, with v at path segs of the JSON body.
func (m *gModel) prRequest(t *testing.T, e gOp, segs []string, v any) *Request {
	t.Helper()
	input := m.shapes[m.inputs[e.Op]]
	var c gCase
	if e.API == "pinpoint-sms-voice-v2" {
		c = gV2(t, e, input, m.shapes)
	} else {
		c = gREST(t, e, input, m.shapes)
	}
	obj := map[string]any{}
	if len(c.req.Body) > 0 {
		if err := json.Unmarshal(c.req.Body, &obj); err != nil {
			t.Fatal(err)
		}
	}
	_, bodyName := m.prBody(e.Op)
	prSet(obj, segs, v, prListElems(m.shapes, bodyName))
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	req := *c.req
	req.Body, req.Region, req.Account = b, gRegion, gAccount
	return &req
}

// prMap maps prRequest's request; name names it in messages. A Map error
// is reported, and ok is then false.
func (m *gModel) prMap(t *testing.T, e gOp, segs []string, v any) (res *Result, name string, ok bool) {
	t.Helper()
	req := m.prRequest(t, e, segs, v)
	name = fmt.Sprintf("%s/%s %s", e.API, e.Op, strings.Join(segs, "."))
	res, err := Map(req)
	if err != nil {
		t.Errorf("%s: Map(%s) error: %v", name, req.Body, err)
		return nil, name, false
	}
	return res, name, true
}

// prSet puts v at path p in the JSON object o: each list on the way gets
// elems(the list's path) elements, each map one.
func prSet(o map[string]any, p []string, v any, elems func(list []string) int) {
	prSetAt(o, p, 0, v, elems)
}

func prSetAt(o map[string]any, p []string, i int, v any, elems func(list []string) int) {
	name := p[i]
	if i == len(p)-1 {
		o[name] = v
		return
	}
	var next any
	switch p[i+1] {
	case "[]", "{}":
		if i+2 == len(p) {
			next = v
		} else {
			el := map[string]any{}
			prSetAt(el, p, i+2, v, elems)
			next = el
		}
		if p[i+1] == "[]" {
			l := []any{}
			for range elems(p[:i+1]) {
				l = append(l, next)
			}
			next = l
		} else {
			next = map[string]any{"k1": next}
		}
		o[name] = next
		return
	}
	child, ok := o[name].(map[string]any)
	if !ok {
		child = map[string]any{}
	}
	prSetAt(child, p, i+1, v, elems)
	o[name] = child
}

// prListElems returns the element count of the list at a member path of
// the shape body: the model's minimum, at least one.
func prListElems(shapes map[string]gShape, body string) func(list []string) int {
	return func(list []string) int {
		s := shapes[body]
		for _, seg := range list {
			switch {
			case seg == "[]" && s.Member != nil:
				s = shapes[s.Member.Shape]
			case seg == "{}" && s.Value != nil:
				s = shapes[s.Value.Shape]
			default:
				s = shapes[s.Members[seg].Shape]
			}
		}
		if s.Min != nil && *s.Min > 1 {
			return int(*s.Min)
		}
		return 1
	}
}

func TestPassRoleEveryRoleMember(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	ops := gLoadOps(t, data)
	principal := map[string]string{"pinpoint": "pinpoint.amazonaws.com", "pinpoint-sms-voice": "sms-voice.amazonaws.com", "pinpoint-sms-voice-v2": "sms-voice.amazonaws.com"}
	models := gLoadModels(t, data)
	seen := map[string]bool{}
	checked := 0
	for _, e := range ops {
		m := models[e.API]
		body, bodyName := m.prBody(e.Op)
		for i, p := range prRolePaths(t, e.API, m.walk, body, nil, bodyName, 0) {
			seen[e.API+"/"+p.name] = true
			role := fmt.Sprintf("arn:aws:iam::210987654321:role/tenant-b/r%d", i)
			res, name, ok := m.prMap(t, e, p.segs, role)
			if !ok {
				continue
			}
			checked++
			found := false
			for _, a := range res.Permissions {
				if a.Action == "iam:PassRole" && slices.Contains(a.Resources, role) {
					found = true
					if a.PassedToService != principal[e.API] {
						t.Errorf("%s: iam:PassRole PassedToService = %q, want %q", name, a.PassedToService, principal[e.API])
					}
				}
			}
			if !found {
				t.Errorf("%s: no iam:PassRole on %s in %v", name, role, res.Permissions)
			}
			if !slices.ContainsFunc(res.References, func(r Reference) bool {
				return r.ResourceType == "iam-role" && r.Value == role && r.ARN == role
			}) {
				t.Errorf("%s: references %v lack the iam-role %s", name, res.References, role)
			}
			// A value that is not an IAM role ARN is refused.
			if _, err := Map(m.prRequest(t, e, p.segs, "arn:aws:s3:::bucket-b")); !isKind(err, BadRequest) {
				t.Errorf("%s: Map(non-role ARN) error = %v, want BadRequest", name, err)
			}
		}
	}
	// The role members of the reported confused-deputy cases must be among those found.
	for _, want := range []string{
		"pinpoint/ImportJobRequest.RoleArn", "pinpoint/ExportJobRequest.RoleArn", "pinpoint/WriteEventStream.RoleArn",
		"pinpoint/EmailChannelRequest.RoleArn", "pinpoint/EmailChannelRequest.OrchestrationSendingRoleArn",
		"pinpoint/JourneyChannelSettings.ConnectCampaignExecutionRoleArn",
		"pinpoint/CreateRecommenderConfiguration.RecommendationProviderRoleArn",
		"pinpoint/UpdateRecommenderConfiguration.RecommendationProviderRoleArn",
		"pinpoint-sms-voice-v2/UpdateRcsAgentRequest.TwoWayChannelRole", "pinpoint-sms-voice-v2/UpdateRcsAgentRequest.TwoWayMediaS3Role",
		"pinpoint-sms-voice-v2/KinesisFirehoseDestination.IamRoleArn", "pinpoint-sms-voice-v2/CloudWatchLogsDestination.IamRoleArn",
		"pinpoint-sms-voice/KinesisFirehoseDestination.IamRoleArn", "pinpoint-sms-voice/CloudWatchLogsDestination.IamRoleArn",
	} {
		if !seen[want] {
			t.Errorf("role member %s not found in the models", want)
		}
	}
	if checked < 20 {
		t.Errorf("only %d role members checked, want at least 20", checked)
	}
}

// TestReferenceEveryMember puts a value at every member path that the
// generator classifies as a reference (paths found by the test's own walk of
// the models) and checks that Map reports it there, with its kind.
func TestReferenceEveryMember(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	classes, err := codegen.Classification(data)
	if err != nil {
		t.Fatal(err)
	}
	ops := gLoadOps(t, data)
	apiName := map[string]string{"pinpoint": "pinpoint", "pinpoint-sms-voice": "sms-voice", "pinpoint-sms-voice-v2": "sms-voice-v2"}
	models := gLoadModels(t, data)
	checked := 0
	for _, e := range ops {
		m := models[e.API]
		body, bodyName := m.prBody(e.Op)
		for _, p := range prLeafPaths(e.API, m.walk, body, nil, bodyName, 0) {
			kind, ok := strings.CutPrefix(classes[apiName[e.API]+":"+p.name], "reference ")
			if !ok {
				continue
			}
			// Long enough for the models' minimum lengths of ARN members (20).
			val := "ref-value-0000000000001"
			if kind == "iam-role" {
				val = "arn:aws:iam::123456789012:role/ref-value-1"
			}
			res, name, ok := m.prMap(t, e, p.segs, val)
			if !ok {
				continue
			}
			checked++
			want := prMember(p.segs)
			if !slices.ContainsFunc(res.References, func(r Reference) bool {
				return r.ResourceType == kind && r.Member == want && r.Value == val && r.ARN != ""
			}) {
				t.Errorf("%s: references %+v lack a %s at %s", name, res.References, kind, want)
			}
		}
	}
	t.Logf("%d reference members checked", checked)
	if checked < 100 {
		t.Errorf("only %d reference members checked, want at least 100", checked)
	}
}

func isKind(err error, k ErrorKind) bool {
	e, ok := err.(*Error)
	return ok && e.Kind == k
}

// prLeafPaths returns the paths of every string member of shape s, at any
// depth (lists and maps followed to their elements).
func prLeafPaths(api string, shapes map[string]prShape, s prShape, prefix []string, parent string, depth int) []prPath {
	if depth > 12 {
		return nil
	}
	var out []prPath
	switch s.Type {
	case "structure":
		for name, m := range s.Members {
			if depth == 0 && m.Location != "" {
				continue
			}
			p := m.path(prefix, name)
			child := shapes[m.Shape]
			el, elName := child, m.Shape
			for el.Type == "list" || el.Type == "map" {
				if el.Type == "list" {
					p, elName = append(p, "[]"), el.Member.Shape
				} else {
					p, elName = append(p, "{}"), el.Value.Shape
				}
				el = shapes[elName]
			}
			switch el.Type {
			case "string":
				out = append(out, prPath{segs: p, name: parent + "." + name})
			case "structure":
				out = append(out, prLeafPaths(api, shapes, el, p, elName, depth+1)...)
			}
		}
	}
	return out
}

// prMember is the Reference.Member that prSet's value at path p gets.
func prMember(p []string) string {
	var b strings.Builder
	for i, s := range p {
		switch s {
		case "[]":
			b.WriteString("[0]")
		case "{}":
			b.WriteString(`["k1"]`)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}
