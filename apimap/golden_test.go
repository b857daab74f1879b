package apimap

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/internal/testenv"
)

// The golden test builds one realistic request for every operation of the
// three service models, from the data files directly (not from the generated
// table), and checks the action and the ARNs of the first authorization
// against expectations that the test computes itself: the Service
// Authorization Reference ARN formats of operation-action-map.json filled
// with the sample IDs below, and, where the Pinpoint developer guide lists
// the action, the guide's ARN with its placeholders replaced.

const (
	gRegion  = "us-east-1"
	gAccount = "123456789012"
	gPool    = "pool-1f2e3d4c5b6a79880123456789abcdef"
	gPhone   = "phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	gRcs     = "rcs-a1b2c3d4"
)

// Sample values for ARN variables (Service Authorization Reference names).
var gVars = map[string]string{
	"Partition": "aws", "Region": gRegion, "Account": gAccount,
	"AppId": "6f1d2c3b4a5948e7a1b2c3d4e5f60718", "CampaignId": "c0ffee01", "JourneyId": "j0urney01",
	"SegmentId": "5e9ment01", "EndpointId": "endpoint-42", "UserId": "user-7", "JobId": "job-0001",
	"KpiName": "email-open-rate", "JourneyActivityId": "act-01", "TemplateName": "welcome",
	"RecommenderId": "rec-01", "AttributeType": "endpoint-custom-attributes",
	"ConfigurationSetName": "main-config", "NotifyConfigurationId": "nc-0123456789abcdef",
	"OptOutListName": "Default", "PhoneNumberId": gPhone, "PoolId": gPool,
	"ProtectConfigurationId": "pc-0123456789abcdef", "RcsAgentId": gRcs,
	"RegistrationId": "registration-0123456789abcdef", "RegistrationAttachmentId": "attachment-0123456789abcdef",
	"SenderId": "MYBRAND", "IsoCountryCode": "GB", "VerifiedDestinationNumberId": "verified-0123456789abcdef",
	"MessageId": "msg-0123456789abcdef",
}

// Sample values for URI labels.
var gLabels = map[string]string{
	"application-id": gVars["AppId"], "campaign-id": gVars["CampaignId"], "journey-id": gVars["JourneyId"],
	"segment-id": gVars["SegmentId"], "endpoint-id": gVars["EndpointId"], "user-id": gVars["UserId"],
	"job-id": gVars["JobId"], "kpi-name": gVars["KpiName"], "version": "3", "run-id": "run-9",
	"journey-activity-id": gVars["JourneyActivityId"], "template-name": gVars["TemplateName"],
	"template-type": "EMAIL", "recommender-id": gVars["RecommenderId"], "attribute-type": gVars["AttributeType"],
	"ConfigurationSetName": gVars["ConfigurationSetName"], "EventDestinationName": "to-firehose",
}

// Developer guide placeholders.
var gGuide = map[string]string{
	"region": gRegion, "accountId": gAccount, "projectId": gVars["AppId"], "projectid": gVars["AppId"],
	"campaignId": gVars["CampaignId"], "kpi-name": gVars["KpiName"], "journeyId": gVars["JourneyId"],
	"journey-activity-id": gVars["JourneyActivityId"], "endpointId": gVars["EndpointId"],
	"attribute-type": gVars["AttributeType"], "jobId": gVars["JobId"], "template-name": gVars["TemplateName"],
	"recommenderId": gVars["RecommenderId"], "segmentId": gVars["SegmentId"], "userId": gVars["UserId"],
	"poolId": gPool, "phoneNumberId": gPhone, "configurationSetName": gVars["ConfigurationSetName"],
	"optOutListName": gVars["OptOutListName"], "senderId": gVars["SenderId"],
	"isoCountryCode": gVars["IsoCountryCode"], "isoCountyCode": gVars["IsoCountryCode"],
}

// Where the developer guide (2023) and the Service Authorization Reference
// disagree, the mapping follows the reference; data README, "Developer guide
// vs Service Authorization Reference", lists these. The v2 entries are
// resource types that the reference has and the 2023 guide predates or omits.
var gGuideDiffers = map[string]string{
	"mobiletargeting:CreateApp":                      "guide apps, reference apps/*",
	"mobiletargeting:GetApps":                        "guide apps, reference apps/*",
	"mobiletargeting:CreateRecommenderConfiguration": "guide recommenders, reference recommenders/*",
	"mobiletargeting:GetRecommenderConfigurations":   "guide recommenders, reference recommenders/*",
	"mobiletargeting:CreateCampaign":                 "guide apps/ID/campaigns, reference app",
	"mobiletargeting:CreateExportJob":                "guide apps/ID/jobs/export, reference app",
	"mobiletargeting:GetExportJobs":                  "guide apps/ID/jobs/export, reference app",
	"mobiletargeting:ListJourneys":                   "guide apps/ID/journeys, reference app",
	"mobiletargeting:GetSegmentExportJobs":           "guide .../jobs/export, reference segment",
	"mobiletargeting:UpdateJourneyState":             "guide .../state, reference journey",
	"mobiletargeting:TagResource":                    "guide *, reference the tagged resource",
	"mobiletargeting:UntagResource":                  "guide *, reference the tagged resource",
	"mobiletargeting:ListTagsForResource":            "guide *, reference the tagged resource",
	"sms-voice:CreateConfigurationSet":               "guide configuration-set, reference none",
	"sms-voice:CreateOptOutList":                     "guide opt-out-list, reference none",
	"sms-voice:DeleteDefaultSenderId":                "guide sender-id/configuration-set/... (typo), reference ConfigurationSet",
	"sms-voice:RequestPhoneNumber":                   "guide phone-number, pool; reference OptOutList, Pool, Registration",
	"sms-voice:SendTextMessage":                      "reference adds ConfigurationSet, ProtectConfiguration",
	"sms-voice:CreatePool":                           "guide pool; reference PhoneNumber, SenderId only",
	"sms-voice:SendVoiceMessage":                     "v1 operation has no resource type (the guide lists v2's)",
	"sms-voice:UpdatePhoneNumber":                    "reference adds the optional OptOutList",
	"sms-voice:UpdatePool":                           "reference adds the optional OptOutList",
}

type gOp struct {
	API  string `json:"api"`
	Op   string `json:"operation"`
	HTTP struct {
		Method string `json:"method"`
		URI    string `json:"request_uri"`
		Target string `json:"x_amz_target"`
	} `json:"http"`
	QueryParams   map[string]string `json:"query_params"`
	Payload       string            `json:"body_payload_member"`
	Required      []string          `json:"required_input_members"`
	Action        string            `json:"iam_action"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
		ARN      string `json:"arn"`
	} `json:"resource_types"`
}

type gShape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape    string `json:"shape"`
		Location string `json:"location"`
	} `json:"members"`
	Member *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Key, Value *struct {
		Shape string `json:"shape"`
	}
	Min, Max *int64
	Required []string
}

func gLoad(t *testing.T, data, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

var gVarRe = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

// gARN fills an ARN template with the sample values.
func gARN(t *testing.T, tmpl string, override map[string]string) string {
	t.Helper()
	return gVarRe.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := override[name]; ok {
			return v
		}
		v, ok := gVars[name]
		if !ok {
			t.Fatalf("no sample value for ARN variable %s", name)
		}
		return v
	})
}

// gLoadOps reads the operations of operation-action-map.json.
func gLoadOps(t *testing.T, data string) []gOp {
	t.Helper()
	var om struct {
		Operations []gOp `json:"operations"`
	}
	gLoad(t, data, "iam/operation-action-map.json", &om)
	return om.Operations
}

// gModelFiles names the botocore model of each API of
// operation-action-map.json.
var gModelFiles = map[string]string{
	"pinpoint":              "service-models/botocore/pinpoint/2016-12-01/service-2.json",
	"pinpoint-sms-voice":    "service-models/botocore/pinpoint-sms-voice/2018-09-05/service-2.json",
	"pinpoint-sms-voice-v2": "service-models/botocore/pinpoint-sms-voice-v2/2022-03-31/service-2.json",
}

// gModel is one service model: the input shape of each operation, and the
// shapes read both as gShape (for the request builders) and as prShape (for
// the member walks of passrole_test.go).
type gModel struct {
	inputs map[string]string // operation name -> input shape name
	shapes map[string]gShape
	walk   map[string]prShape
}

// gLoadModels reads the model of every API of gModelFiles.
func gLoadModels(t *testing.T, data string) map[string]*gModel {
	t.Helper()
	models := map[string]*gModel{}
	for api, rel := range gModelFiles {
		var m struct {
			Operations map[string]struct {
				Input struct {
					Shape string `json:"shape"`
				} `json:"input"`
			} `json:"operations"`
			Shapes map[string]gShape `json:"shapes"`
		}
		gLoad(t, data, rel, &m)
		var w struct {
			Shapes map[string]prShape `json:"shapes"`
		}
		gLoad(t, data, rel, &w)
		gm := &gModel{inputs: map[string]string{}, shapes: m.Shapes, walk: w.Shapes}
		for name, o := range m.Operations {
			gm.inputs[name] = o.Input.Shape
		}
		models[api] = gm
	}
	return models
}

type gCase struct {
	req      *Request
	wantARNs []string
}

func TestGoldenEveryOperation(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	ops := gLoadOps(t, data)
	models := gLoadModels(t, data)
	var guide struct {
		Actions []struct {
			Action       string   `json:"action"`
			Section      string   `json:"section"`
			ResourceARNs []string `json:"resource_arns"`
		} `json:"actions"`
	}
	gLoad(t, data, "pinpoint-developer-guide/permissions-actions.parsed.json", &guide)
	guideARNs := map[string][]string{}
	for _, a := range guide.Actions {
		if strings.Contains(a.Section, "version 1") {
			continue // v1 actions: all "*", checked through the reference
		}
		for _, guideARN := range a.ResourceARNs {
			parts, ok := arn.Split(guideARN)
			if !ok {
				continue
			}
			for i, p := range parts[3:5] {
				parts[3+i] = gGuide[p]
			}
			segs := strings.Split(parts[5], "/")
			for i, s := range segs {
				if v, ok := gGuide[s]; ok {
					segs[i] = v
				}
			}
			parts[5] = strings.Join(segs, "/")
			guideARNs[a.Action] = append(guideARNs[a.Action], strings.Join(parts[:], ":"))
		}
	}

	count := map[string]int{}
	guideChecked, params := 0, 0
	for _, e := range ops {
		count[e.API]++
		shapes := models[e.API].shapes
		input := shapes[models[e.API].inputs[e.Op]]
		var c gCase
		switch e.API {
		case "pinpoint", "pinpoint-sms-voice":
			c = gREST(t, e, input, shapes)
		default:
			c = gV2(t, e, input, shapes)
		}
		c.req.Region, c.req.Account = gRegion, gAccount
		if e.API == "pinpoint" {
			c.req.Service = "mobiletargeting"
		} else {
			c.req.Service = "sms-voice"
		}
		res, err := Map(c.req)
		name := e.API + "/" + e.Op
		if err != nil {
			t.Errorf("%s: Map(%s %s %s) error: %v", name, c.req.Method, c.req.RawPath, c.req.Body, err)
			continue
		}
		if res.Operation != e.Op || res.Permissions[0].Action != e.Action {
			t.Errorf("%s: got operation %s action %s, want %s %s", name, res.Operation, res.Permissions[0].Action, e.Op, e.Action)
			continue
		}
		want := c.wantARNs
		if len(want) == 0 {
			want = []string{"*"}
		}
		got := append([]string(nil), res.Permissions[0].Resources...)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: resources\n got %q\nwant %q", name, got, want)
		}
		if len(res.Unresolved) != 0 {
			t.Errorf("%s: unexpected unresolved %v", name, res.Unresolved)
		}
		params += checkParameters(t, name, res)
		// Cross-check with the developer guide.
		g, ok := guideARNs[e.Action]
		if !ok || gGuideDiffers[e.Action] != "" || e.API == "pinpoint-sms-voice" {
			continue
		}
		guideChecked++
		for _, arn := range got {
			if !slices.Contains(g, arn) {
				t.Errorf("%s: ARN %s is not among the developer guide's %q", name, arn, g)
			}
		}
	}
	if count["pinpoint"] != 122 || count["pinpoint-sms-voice"] != 8 || count["pinpoint-sms-voice-v2"] != 109 {
		t.Errorf("operations per API = %v, want 122, 8, 109", count)
	}
	if params < 150 {
		t.Errorf("only %d parameters over every operation, want at least 150", params)
	}
	if guideChecked < 120 {
		t.Errorf("only %d operations cross-checked with the developer guide, want at least 120", guideChecked)
	}
}

// gREST builds a REST request: labels from gLabels, the ARN label from the
// first listed resource type, tags where the payload has them.
func gREST(t *testing.T, e gOp, input gShape, shapes map[string]gShape) gCase {
	t.Helper()
	var c gCase
	var tagged string
	path := regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllStringFunc(e.HTTP.URI, func(m string) string {
		label := m[1 : len(m)-1]
		if label == "resource-arn" {
			tagged = gARN(t, e.ResourceTypes[1].ARN, nil) // campaign
			return url.PathEscape(tagged)
		}
		v, ok := gLabels[label]
		if !ok {
			t.Fatalf("%s: no sample for label %s", e.Op, label)
		}
		return url.PathEscape(v)
	})
	c.req = &Request{Method: e.HTTP.Method, RawPath: path}
	if e.Payload != "" {
		payload := shapes[input.Members[e.Payload].Shape]
		if _, ok := payload.Members["tags"]; ok {
			c.req.Body = []byte(`{"Name":"x","tags":{"team":"blue"}}`)
		} else {
			c.req.Body = []byte(`{}`)
		}
	}
	if q := e.QueryParams; q["tagKeys"] != "" {
		c.req.RawQuery = "tagKeys=team"
	}
	if tagged != "" {
		c.wantARNs = []string{tagged}
		return c
	}
	segs := strings.Split(e.HTTP.URI, "/")
	for _, rt := range e.ResourceTypes {
		over := map[string]string{}
		for i, s := range segs {
			if s == "channels" && i+1 < len(segs) {
				over["ChannelType"] = segs[i+1]
			}
			if s == "{template-name}" && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
				over["TemplateType"] = strings.ToUpper(segs[i+1])
			}
			if s == "{template-type}" {
				over["TemplateType"] = gLabels["template-type"]
			}
		}
		c.wantARNs = append(c.wantARNs, gARN(t, rt.ARN, over))
	}
	return c
}

// gV2 builds a v2 JSON 1.0 request naming every resource type of the
// operation that has an input, plus the required members.
func gV2(t *testing.T, e gOp, input gShape, shapes map[string]gShape) gCase {
	t.Helper()
	body := map[string]any{}
	var want []string
	for _, rt := range e.ResourceTypes {
		vars := gVarRe.FindAllStringSubmatch(strings.TrimPrefix(rt.ARN, "arn:${Partition}:sms-voice:${Region}:${Account}:"), -1)
		first := vars[0][1]
		all := true
		for _, v := range vars {
			if _, ok := input.Members[v[1]]; !ok {
				all = false
			}
		}
		arn := gARN(t, rt.ARN, nil)
		switch _, isList := input.Members[first+"s"]; {
		case all:
			for _, v := range vars {
				body[v[1]] = gVars[v[1]]
			}
		case isList:
			if len(vars) > 1 {
				el := map[string]string{}
				for _, v := range vars {
					el[v[1]] = gVars[v[1]]
				}
				body[first+"s"] = []any{el}
			} else {
				body[first+"s"] = []string{gVars[first]}
			}
		case input.Members["ResourceArn"].Shape != "":
			if _, done := body["ResourceArn"]; done {
				continue
			}
			body["ResourceArn"] = arn
		case input.Members["OriginationIdentity"].Shape != "" || input.Members["ResourceId"].Shape != "":
			member := "OriginationIdentity"
			if input.Members[member].Shape == "" {
				member = "ResourceId"
			}
			if _, done := body[member]; done {
				continue
			}
			if rt.Name == "SenderId" {
				body[member] = arn // a sender ID needs its country: pass the ARN
			} else {
				body[member] = gVars[first]
			}
		default:
			t.Fatalf("%s: no input names resource type %s", e.Op, rt.Name)
		}
		want = append(want, arn)
	}
	for _, r := range e.Required {
		if _, ok := body[r]; ok {
			continue
		}
		switch r {
		case "DestinationPhoneNumber", "OptedOutNumber":
			body[r] = "+447700900123"
		case "VerificationChannel":
			body[r] = "TEXT"
		default:
			body[r] = gSample(shapes, input.Members[r].Shape, 0) // within the model's bounds
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return gCase{
		req: &Request{Method: "POST", RawPath: "/", Body: b, Header: http.Header{
			"X-Amz-Target": {e.HTTP.Target}, "Content-Type": {"application/x-amz-json-1.0"}}},
		wantARNs: want,
	}
}

// TestEveryOperationHasReferenceTypes checks the compiled table against the
// data directly: every operation of operation-action-map.json is in the
// table with the same action, and every resource type the reference lists
// for it is bound (required ones as required).
func TestEveryOperationHasReferenceTypes(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	ops := gLoadOps(t, data)
	apiName := map[string]string{"pinpoint": APIPinpoint, "pinpoint-sms-voice": APISMSVoice, "pinpoint-sms-voice-v2": APISMSVoiceV2}
	byName := map[string]*opSpec{}
	for i := range operationTable {
		byName[operationTable[i].api+"/"+operationTable[i].name] = &operationTable[i]
	}
	if len(byName) != len(ops) || len(ops) != 239 {
		t.Fatalf("table has %d operations, data %d, want 239", len(byName), len(ops))
	}
	for _, e := range ops {
		name := apiName[e.API] + "/" + e.Op
		op := byName[name]
		if op == nil {
			t.Errorf("%s: not in the table", name)
			continue
		}
		if op.action != e.Action {
			t.Errorf("%s: action %s, reference %s", name, op.action, e.Action)
		}
		for _, rt := range e.ResourceTypes {
			found := false
			for _, rs := range op.resources {
				if slices.Contains(rs.types, rt.Name) && (!rt.Required || rs.required) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: resource type %s (required %v) is not bound", name, rt.Name, rt.Required)
			}
		}
	}
}
