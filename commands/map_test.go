package commands

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap"
)

func TestRunMap(t *testing.T) {
	t.Parallel()
	opts := mapOptions{Region: "us-east-1", Account: "123456789012"}
	tests := map[string]struct {
		in   string
		want string // exact output line, without the newline
	}{
		"campaign ARN (acceptance check)": {
			in:   `{"method":"GET","path":"/v1/apps/abc/campaigns/c1"}`,
			want: `{"api":"pinpoint","operation":"GetCampaign","rule":"model","authorizations":[{"action":"mobiletargeting:GetCampaign","resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc/campaigns/c1"]}],"request_tags":{},"tag_keys":[]}`,
		},
		"per-line region and account": {
			in:   `{"method":"GET","path":"/v1/apps/abc/segments","region":"cn-north-1","account":"210987654321"}`,
			want: `{"api":"pinpoint","operation":"GetSegments","rule":"model","authorizations":[{"action":"mobiletargeting:GetSegments","resources":["arn:aws-cn:mobiletargeting:cn-north-1:210987654321:apps/abc"]}],"request_tags":{},"tag_keys":[]}`,
		},
		"v2 with header and body": {
			in:   `{"method":"POST","path":"/","headers":{"X-Amz-Target":"PinpointSMSVoiceV2.CreateOptOutList"},"body":"{\"OptOutListName\":\"ol\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"blue\"}]}"}`,
			want: `{"api":"sms-voice-v2","operation":"CreateOptOutList","rule":"model","authorizations":[{"action":"sms-voice:CreateOptOutList","resources":["*"]},{"action":"sms-voice:TagResource","resources":["arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/ol"]}],"request_tags":{"team":"blue"},"tag_keys":["team"]}`,
		},
		"query in the path": {
			in:   `{"method":"DELETE","path":"/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc?tagKeys=team"}`,
			want: `{"api":"pinpoint","operation":"UntagResource","rule":"model","authorizations":[{"action":"mobiletargeting:UntagResource","resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"]}],"request_tags":{},"tag_keys":["team"]}`,
		},
		"passed role and references": {
			in:   `{"method":"POST","path":"/v1/apps/abc/jobs/import","body":"{\"RoleArn\":\"arn:aws:iam::123456789012:role/imp\",\"S3Url\":\"s3://bkt/k.csv\"}"}`,
			want: `{"api":"pinpoint","operation":"CreateImportJob","rule":"model","authorizations":[{"action":"mobiletargeting:CreateImportJob","resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"]},{"action":"iam:PassRole","resources":["arn:aws:iam::123456789012:role/imp"],"passed_to_service":"pinpoint.amazonaws.com"}],"request_tags":{},"tag_keys":[],"references":[{"kind":"iam-role","member":"RoleArn","value":"arn:aws:iam::123456789012:role/imp","arn":"arn:aws:iam::123456789012:role/imp"},{"kind":"s3","member":"S3Url","value":"s3://bkt/k.csv","arn":"arn:aws:s3:::bkt/k.csv"}]}`,
		},
		"v2 operation newer than the models": {
			in:   `{"method":"POST","path":"/","headers":{"X-Amz-Target":"PinpointSMSVoiceV2.ListAvailablePhoneNumbers"},"body":"{\"IsoCountryCode\":\"US\"}"}`,
			want: `{"api":"sms-voice-v2","operation":"ListAvailablePhoneNumbers","rule":"iam-reference","note":"` + strings.ReplaceAll(apimap.IAMReferenceNote, `"`, `\"`) + `","authorizations":[{"action":"sms-voice:ListAvailablePhoneNumbers","resources":["*"]}],"request_tags":{},"tag_keys":[]}`,
		},
		"v2 target in neither the models nor the IAM data": {
			in:   `{"method":"POST","path":"/","headers":{"X-Amz-Target":"PinpointSMSVoiceV2.ListPoolWidgets"},"body":"{}"}`,
			want: `{"error":"unknown operation: X-Amz-Target \"PinpointSMSVoiceV2.ListPoolWidgets\""}`,
		},
		"unknown operation": {
			in:   `{"method":"GET","path":"/v1/nope"}`,
			want: `{"error":"unknown operation: GET \"/v1/nope\""}`,
		},
		"malformed line": {
			in:   `{"method":`,
			want: `{"error":"parsing input line: unexpected EOF"}`,
		},
		"unknown field": {
			in:   `{"method":"GET","path":"/v1/apps","verb":"x"}`,
			want: `{"error":"parsing input line: json: unknown field \"verb\""}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := runMap(strings.NewReader(tc.in+"\n"), &out, opts); err != nil {
				t.Fatalf("runMap: %v", err)
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != tc.want {
				t.Errorf("runMap(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestRunMapLines(t *testing.T) {
	t.Parallel()
	in := "{\"method\":\"GET\",\"path\":\"/v1/apps\"}\n\n  \n{\"method\":\"GET\",\"path\":\"/v1/recommenders\"}\n"
	var out bytes.Buffer
	if err := runMap(strings.NewReader(in), &out, mapOptions{Region: "us-east-1", Account: "123456789012"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d output lines, want 2 (blank lines skipped): %q", len(lines), out.String())
	}
	for i, want := range []string{"GetApps", "GetRecommenderConfigurations"} {
		var o mapOutput
		if err := json.Unmarshal([]byte(lines[i]), &o); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if o.Operation != want {
			t.Errorf("line %d: operation %q, want %q", i, o.Operation, want)
		}
	}
}

func TestRunMapNoAccount(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := runMap(strings.NewReader(`{"method":"GET","path":"/v1/apps"}`), &out, mapOptions{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `{"error":"bad request: account`) {
		t.Errorf("without an account: got %s, want an account error", out.String())
	}
}
