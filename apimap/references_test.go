package apimap

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	roleA = "arn:aws:iam::123456789012:role/tenant-a"
	roleB = "arn:aws:iam::123456789012:role/tenant-b"
	app   = "/v1/apps/abc"
)

func TestReferences(t *testing.T) {
	t.Parallel()
	ref := func(kind, member, value, arn string) Reference {
		return Reference{ResourceType: kind, Member: member, Value: value, ARN: arn}
	}
	tests := map[string]struct {
		req   *Request
		refs  []Reference
		roles []string // iam:PassRole resources, nil = no PassRole authorization
	}{
		"import job: role and s3:// object": {
			req: rest("POST", app+"/jobs/import", `{"Format":"CSV","RoleArn":"`+roleA+`","S3Url":"s3://bucket-b/in/file.csv"}`),
			refs: []Reference{ref("iam-role", "RoleArn", roleA, roleA),
				ref("s3", "S3Url", "s3://bucket-b/in/file.csv", "arn:aws:s3:::bucket-b/in/file.csv")},
			roles: []string{roleA},
		},
		"export job: virtual-hosted https URL, request order": {
			req: rest("POST", app+"/jobs/export", `{"S3UrlPrefix":"https://bucket-b.s3.us-east-1.amazonaws.com/out/x%20y/","RoleArn":"`+roleA+`"}`),
			refs: []Reference{ref("s3", "S3UrlPrefix", "https://bucket-b.s3.us-east-1.amazonaws.com/out/x%20y/", "arn:aws:s3:::bucket-b/out/x y/"),
				ref("iam-role", "RoleArn", roleA, roleA)},
			roles: []string{roleA},
		},
		"path-style https URL": {
			req:   rest("POST", app+"/jobs/import", `{"S3Url":"https://s3.eu-west-1.amazonaws.com/bucket-b/k"}`),
			refs:  []Reference{ref("s3", "S3Url", "https://s3.eu-west-1.amazonaws.com/bucket-b/k", "arn:aws:s3:::bucket-b/k")},
			roles: nil,
		},
		"an URL of no S3 host names no ARN": {
			req:  rest("POST", app+"/jobs/import", `{"S3Url":"https://example.com/bucket-b/k"}`),
			refs: []Reference{ref("s3", "S3Url", "https://example.com/bucket-b/k", "https://example.com/bucket-b/k")},
		},
		"event stream: Firehose by its ARN": {
			req: rest("POST", app+"/eventstream", `{"DestinationStreamArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/b","RoleArn":"`+roleA+`"}`),
			refs: []Reference{ref("firehose-stream", "DestinationStreamArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/b", "arn:aws:firehose:us-east-1:123456789012:deliverystream/b"),
				ref("iam-role", "RoleArn", roleA, roleA)},
			roles: []string{roleA},
		},
		"event stream: Kinesis": {
			req:  rest("POST", app+"/eventstream", `{"DestinationStreamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/b"}`),
			refs: []Reference{ref("kinesis-stream", "DestinationStreamArn", "arn:aws:kinesis:us-east-1:123456789012:stream/b", "arn:aws:kinesis:us-east-1:123456789012:stream/b")},
		},
		"email channel: identity, address, configuration set and two roles": {
			req: rest("PUT", app+"/channels/email", `{"FromAddress":"Team B <noreply@b.example>","Identity":"arn:aws:ses:us-east-1:123456789012:identity/b.example","ConfigurationSet":"cs-b","RoleArn":"`+roleA+`","OrchestrationSendingRoleArn":"`+roleB+`"}`),
			refs: []Reference{
				ref("ses-identity", "FromAddress", "Team B <noreply@b.example>", "arn:aws:ses:us-east-1:123456789012:identity/noreply@b.example"),
				ref("ses-identity", "Identity", "arn:aws:ses:us-east-1:123456789012:identity/b.example", "arn:aws:ses:us-east-1:123456789012:identity/b.example"),
				ref("ses-configuration-set", "ConfigurationSet", "cs-b", "arn:aws:ses:us-east-1:123456789012:configuration-set/cs-b"),
				ref("iam-role", "RoleArn", roleA, roleA),
				ref("iam-role", "OrchestrationSendingRoleArn", roleB, roleB)},
			roles: []string{roleA, roleB},
		},
		"send messages: template and origination number": {
			req: rest("POST", app+"/messages", `{"MessageConfiguration":{"SMSMessage":{"OriginationNumber":"+12065550100"}},"TemplateConfiguration":{"EmailTemplate":{"Name":"welcome","Version":"2"},"SMSTemplate":{"Name":"otp"}}}`),
			refs: []Reference{
				ref("origination-identity", "MessageConfiguration.SMSMessage.OriginationNumber", "+12065550100", "+12065550100"),
				ref("template", "TemplateConfiguration.EmailTemplate.Name", "welcome", mt+"templates/welcome/EMAIL"),
				ref("template", "TemplateConfiguration.SMSTemplate.Name", "otp", mt+"templates/otp/SMS")},
		},
		"journey: activities map, Connect campaign and its role": {
			req: rest("POST", app+"/journeys", `{"Name":"j","Activities":{"a1":{"EMAIL":{"TemplateName":"t1"}},"a2":{"SMS":{"TemplateName":"t2"}}},"JourneyChannelSettings":{"ConnectCampaignArn":"arn:aws:connect-campaigns:us-east-1:123456789012:campaign/c","ConnectCampaignExecutionRoleArn":"`+roleA+`"}}`),
			refs: []Reference{
				ref("template", `Activities["a1"].EMAIL.TemplateName`, "t1", mt+"templates/t1/EMAIL"),
				ref("template", `Activities["a2"].SMS.TemplateName`, "t2", mt+"templates/t2/SMS"),
				ref("connect-campaign", "JourneyChannelSettings.ConnectCampaignArn", "arn:aws:connect-campaigns:us-east-1:123456789012:campaign/c", "arn:aws:connect-campaigns:us-east-1:123456789012:campaign/c"),
				ref("iam-role", "JourneyChannelSettings.ConnectCampaignExecutionRoleArn", roleA, roleA)},
			roles: []string{roleA},
		},
		"campaign hook: Lambda by name, web hook URL": {
			req: rest("POST", app+"/campaigns", `{"Hook":{"LambdaFunctionName":"hook-b","WebUrl":"https://hooks.example/x"},"CustomDeliveryConfiguration":{"DeliveryUri":"arn:aws:lambda:us-east-1:123456789012:function:deliver"}}`),
			refs: []Reference{
				ref("lambda-function", "Hook.LambdaFunctionName", "hook-b", "arn:aws:lambda:us-east-1:123456789012:function:hook-b"),
				ref("url", "Hook.WebUrl", "https://hooks.example/x", "https://hooks.example/x"),
				ref("lambda-function", "CustomDeliveryConfiguration.DeliveryUri", "arn:aws:lambda:us-east-1:123456789012:function:deliver", "arn:aws:lambda:us-east-1:123456789012:function:deliver")},
		},
		"recommender: role, Personalize campaign and Lambda": {
			req: rest("POST", "/v1/recommenders", `{"RecommendationProviderRoleArn":"`+roleA+`","RecommendationProviderUri":"arn:aws:personalize:us-east-1:123456789012:campaign/p","RecommendationTransformerUri":"xform"}`),
			refs: []Reference{
				ref("iam-role", "RecommendationProviderRoleArn", roleA, roleA),
				ref("personalize-campaign", "RecommendationProviderUri", "arn:aws:personalize:us-east-1:123456789012:campaign/p", "arn:aws:personalize:us-east-1:123456789012:campaign/p"),
				ref("lambda-function", "RecommendationTransformerUri", "xform", "arn:aws:lambda:us-east-1:123456789012:function:xform")},
			roles: []string{roleA},
		},
		"v1 event destination: log group by name": {
			req: rest("POST", "/v1/sms-voice/configuration-sets/cs1/event-destinations",
				`{"EventDestinationName":"e","EventDestination":{"CloudWatchLogsDestination":{"IamRoleArn":"`+roleA+`","LogGroupArn":"/aws/sms/b"},"SnsDestination":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:b"}}}`),
			refs: []Reference{
				ref("iam-role", "EventDestination.CloudWatchLogsDestination.IamRoleArn", roleA, roleA),
				ref("log-group", "EventDestination.CloudWatchLogsDestination.LogGroupArn", "/aws/sms/b", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sms/b"),
				ref("sns-topic", "EventDestination.SnsDestination.TopicArn", "arn:aws:sns:us-east-1:123456789012:b", "arn:aws:sns:us-east-1:123456789012:b")},
			roles: []string{roleA},
		},
		"v2 event destination: Firehose": {
			req: v2("CreateEventDestination", `{"ConfigurationSetName":"cs","EventDestinationName":"e","MatchingEventTypes":["ALL"],"KinesisFirehoseDestination":{"IamRoleArn":"`+roleA+`","DeliveryStreamArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/b"}}`),
			refs: []Reference{
				ref("iam-role", "KinesisFirehoseDestination.IamRoleArn", roleA, roleA),
				ref("firehose-stream", "KinesisFirehoseDestination.DeliveryStreamArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/b", "arn:aws:firehose:us-east-1:123456789012:deliverystream/b")},
			roles: []string{roleA},
		},
		"v2 media message: S3 objects in a list": {
			req:  v2("SendMediaMessage", `{"OriginationIdentity":"pool-1","MediaUrls":["s3://bucket-b/m.png"]}`),
			refs: []Reference{ref("s3", "MediaUrls[0]", "s3://bucket-b/m.png", "arn:aws:s3:::bucket-b/m.png")},
		},
		"v2 registration attachment": {
			req:  v2("CreateRegistrationAttachment", `{"AttachmentUrl":"s3://bucket-b/doc.pdf"}`),
			refs: []Reference{ref("s3", "AttachmentUrl", "s3://bucket-b/doc.pdf", "arn:aws:s3:::bucket-b/doc.pdf")},
		},
		"v2 RCS agent media: bucket and roles": {
			req: v2("UpdateRcsAgent", `{"RcsAgentId":"rcs-1","TwoWayChannelArn":"arn:aws:sns:us-east-1:123456789012:in","TwoWayChannelRole":"`+roleA+`","TwoWayMediaS3BucketName":"bucket-b","TwoWayMediaS3KeyPrefix":"in/","TwoWayMediaS3Role":"`+roleB+`"}`),
			refs: []Reference{
				ref("two-way-channel", "TwoWayChannelArn", "arn:aws:sns:us-east-1:123456789012:in", "arn:aws:sns:us-east-1:123456789012:in"),
				ref("iam-role", "TwoWayChannelRole", roleA, roleA),
				ref("s3", "TwoWayMediaS3BucketName", "bucket-b", "arn:aws:s3:::bucket-b"),
				ref("iam-role", "TwoWayMediaS3Role", roleB, roleB)},
			roles: []string{roleA, roleB},
		},
		"v2 RCS agent media unset names nothing": {
			req: v2("UpdateRcsAgent", `{"RcsAgentId":"rcs-1","TwoWayMediaS3BucketName":"UNSET_RCS_MEDIA_CONFIGURATION","TwoWayMediaS3Role":"UNSET_RCS_MEDIA_CONFIGURATION"}`),
		},
		"v2 RCS message: file, fallback media and fallback sender": {
			req: v2("SendRcsMessage", `{"OriginationIdentity":"rcs-1","RcsMessageContent":{"Content":{"FileMessage":{"FileUrl":"s3://bucket-b/f.mp4"}}},"FallbackConfiguration":{"Channel":"MMS","MediaUrls":["s3://bucket-b/f.png"],"OriginationIdentity":"phone-2"}}`),
			refs: []Reference{
				ref("s3", "RcsMessageContent.Content.FileMessage.FileUrl", "s3://bucket-b/f.mp4", "arn:aws:s3:::bucket-b/f.mp4"),
				ref("s3", "FallbackConfiguration.MediaUrls[0]", "s3://bucket-b/f.png", "arn:aws:s3:::bucket-b/f.png"),
				ref("origination-identity", "FallbackConfiguration.OriginationIdentity", "phone-2", sv+"phone-number/phone-2")},
		},
		"v2 sms-voice resources the reference does not bind": {
			req:  v2("CreateRcsAgent", `{"OptOutListName":"arn:aws:sms-voice:us-east-1:210987654321:opt-out-list/b"}`),
			refs: []Reference{ref("opt-out-list", "OptOutListName", "arn:aws:sms-voice:us-east-1:210987654321:opt-out-list/b", "arn:aws:sms-voice:us-east-1:210987654321:opt-out-list/b")},
		},
		"v2 voice message protect configuration by ID": {
			req:  v2("SendVoiceMessage", `{"OriginationIdentity":"pool-1","ProtectConfigurationId":"protect-b"}`),
			refs: []Reference{ref("protect-configuration", "ProtectConfigurationId", "protect-b", sv+"protect-configuration/protect-b")},
		},
		"v2 notify pool unset names nothing": {
			req: v2("UpdateNotifyConfiguration", `{"NotifyConfigurationId":"nc-1","PoolId":"UNSET_DEFAULT_POOL_FOR_NOTIFY"}`),
		},
		"no references": {
			req: v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+12065550100"}`),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			if err != nil {
				t.Fatalf("Map(%s %s %s) error: %v", tc.req.Method, tc.req.RawPath, tc.req.Body, err)
			}
			if !slices.Equal(res.References, tc.refs) {
				t.Errorf("references\n got %+v\nwant %+v", res.References, tc.refs)
			}
			var roles []string
			for _, a := range res.Permissions {
				if a.Action == "iam:PassRole" {
					if roles != nil {
						t.Errorf("two iam:PassRole authorizations: %v", res.Permissions)
					}
					roles = a.Resources
					if want := map[string]string{APIPinpoint: "pinpoint.amazonaws.com"}[res.API]; want == "" && a.PassedToService != "sms-voice.amazonaws.com" || want != "" && a.PassedToService != want {
						t.Errorf("PassedToService = %q for %s", a.PassedToService, res.API)
					}
				} else if a.PassedToService != "" {
					t.Errorf("%s has PassedToService %q", a.Action, a.PassedToService)
				}
			}
			if !slices.Equal(roles, tc.roles) {
				t.Errorf("iam:PassRole on %q, want %q", roles, tc.roles)
			}
		})
	}
}

func TestReferenceErrors(t *testing.T) {
	t.Parallel()
	many := make([]string, maxReferences+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"SMS":{"TemplateName":"t%d"}}`, i)
	}
	var acts strings.Builder
	for i, a := range many {
		if i > 0 {
			acts.WriteByte(',')
		}
		fmt.Fprintf(&acts, `"a%d":%s`, i, a)
	}
	tests := map[string]*Request{
		"role that is not a role ARN":        rest("POST", app+"/jobs/import", `{"RoleArn":"arn:aws:iam::123456789012:user/u"}`),
		"empty role":                         rest("PUT", app+"/channels/email", `{"RoleArn":""}`),
		"role with a wildcard":               rest("POST", app+"/jobs/import", `{"RoleArn":"arn:aws:iam::123456789012:role/*"}`),
		"role not a string":                  rest("POST", app+"/jobs/import", `{"RoleArn":["`+roleA+`"]}`),
		"role member twice":                  rest("POST", app+"/jobs/import", `{"RoleArn":"`+roleA+`","RoleArn":"`+roleB+`"}`),
		"role member in another case":        rest("POST", app+"/eventstream", `{"RoleArn":"`+roleA+`","roleArn":"`+roleB+`"}`),
		"nested role member in another case": v2("CreateEventDestination", `{"ConfigurationSetName":"cs","EventDestinationName":"e","SnsDestination":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:b","topicArn":"x"}}`),
		"nested structure not an object":     rest("POST", app+"/journeys", `{"JourneyChannelSettings":["x"]}`),
		"template name forging ARN structure": rest("POST", app+"/messages",
			`{"TemplateConfiguration":{"EmailTemplate":{"Name":"a/SMS"}}}`),
		"template name wildcard":    rest("POST", app+"/messages", `{"TemplateConfiguration":{"EmailTemplate":{"Name":"*"}}}`),
		"too many references":       rest("POST", app+"/journeys", `{"Activities":{`+acts.String()+`}}`),
		"list element not a string": v2("SendMediaMessage", `{"OriginationIdentity":"pool-1","MediaUrls":[1]}`),
	}
	testBadRequests(t, tests)
}

func TestRequestTagKeysCaseCollide(t *testing.T) {
	t.Parallel()
	tests := map[string]*Request{
		"pinpoint tags":          rest("POST", "/v1/apps", `{"Name":"a","tags":{"tenant":"b","TENANT":"a"}}`),
		"pinpoint tag resource":  rest("POST", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc", `{"tags":{"Tenant":"b","tenant":"a"}}`),
		"v2 tags":                v2("CreatePool", `{"OriginationIdentity":"phone-1","IsoCountryCode":"US","MessageType":"TRANSACTIONAL","Tags":[{"Key":"tenant","Value":"b"},{"Key":"Tenant","Value":"a"}]}`),
		"v2 untag keys":          v2("UntagResource", `{"ResourceArn":"arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1","TagKeys":["tenant","TENANT"]}`),
		"pinpoint untag keys":    rest("DELETE", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc", ""),
		"non-ASCII case folding": rest("POST", "/v1/apps", `{"Name":"a","tags":{"ÄRGER":"b","ärger":"a"}}`),
	}
	tests["pinpoint untag keys"].RawQuery = "tagKeys=tenant&tagKeys=Tenant"
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for i := 0; i < 5; i++ { // map order must never decide
				if res, err := Map(req); !isKind(err, BadRequest) {
					t.Fatalf("Map(%s) = %+v, %v; want BadRequest", req.Body, res, err)
				}
			}
		})
	}
	// Keys that differ otherwise are fine.
	if _, err := Map(rest("POST", "/v1/apps", `{"Name":"a","tags":{"tenant":"b","tenant2":"a"}}`)); err != nil {
		t.Errorf("distinct keys: %v", err)
	}
}
