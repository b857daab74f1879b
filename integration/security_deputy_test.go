package integration

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Adversarial tests of what AWS would have checked against the caller and
// now, behind the gateway, checks against the gateway only: roles passed to
// the service, resources a request makes AWS use, and request tags whose
// keys differ only in case. All against the real binary.

const (
	deputyKeyID  = "AKIAINTEGDEPUTYTENA1"
	deputySecret = "deputyTenantASecret/IntegrationTests/001"
	deputyAppID  = "a0000000000000000000000000000001"
)

// deputyStore adds tenant A: everything on both services is allowed, but
// iam:PassRole is explicitly denied outside its own roles, and a guardrail
// keeps every referenced resource within tenant A's names.
func deputyStore() obj {
	s := testStore()
	s["users"] = append(s["users"].([]obj),
		obj{"name": "tenant-a", "access_keys": []obj{{"id": deputyKeyID, "secret": deputySecret}}, "policies": []string{"TenantA"}},
	)
	s["policies"].(obj)["TenantA"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Effect": "Allow", "Action": []string{"mobiletargeting:*", "sms-voice:*"}, "Resource": "*"},
		{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::" + testAccount + ":role/tenant-a-*"},
		{"Sid": "OnlyOwnRoles", "Effect": "Deny", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::" + testAccount + ":role/tenant-a-*"},
		{"Sid": "OnlyOwnReferences", "Effect": "Deny", "Action": []string{"mobiletargeting:*", "sms-voice:*"}, "Resource": "*",
			"Condition": obj{"ForAnyValue:StringNotLike": obj{"gateway:ReferencedArn": []string{
				"arn:aws:sns:*:" + testAccount + ":tenant-a-*",
				"arn:aws:firehose:*:" + testAccount + ":deliverystream/tenant-a-*",
				"arn:aws:iam::" + testAccount + ":role/tenant-a-*",
				"arn:aws:s3:::tenant-a-*",
			}}}},
		{"Sid": "OnlyTenantATags", "Effect": "Deny", "Action": "mobiletargeting:CreateApp", "Resource": "*",
			"Condition": obj{"StringNotEquals": obj{"aws:RequestTag/tenant": "a"}}},
	}}
	return s
}

func deputyRequest(method, path, target, body string) rawRequest {
	r := rawRequest{Method: method, Path: path, Body: body,
		Creds: aws.Credentials{AccessKeyID: deputyKeyID, SecretAccessKey: deputySecret}}
	if target != "" {
		r.Service = "sms-voice"
		r.Header = map[string]string{"X-Amz-Target": "PinpointSMSVoiceV2." + target, "Content-Type": "application/x-amz-json-1.0"}
	} else {
		r.Service = "mobiletargeting"
		r.Header = map[string]string{"Content-Type": "application/json"}
	}
	return r
}

// deputyCase is one request of tenant A, the upstream API it goes to, and
// the status it must get: 200 forwarded once, anything else never forwarded.
type deputyCase struct {
	req  rawRequest
	api  string
	want int
}

func (tc deputyCase) check(t *testing.T, e *env) {
	t.Helper()
	up := e.up[tc.api]
	up.Reset()
	resp := tc.req.do(t, e.g, newQuietCapture())
	if resp.Status != tc.want {
		t.Fatalf("status %d (%s), want %d", resp.Status, resp.Body, tc.want)
	}
	if n := len(up.Records()); (tc.want == 200) != (n == 1) {
		t.Fatalf("upstream received %d requests for a %d answer", n, resp.Status)
	}
}

// TestSecurityDeputyPassRole: a caller explicitly denied iam:PassRole on
// another tenant's role cannot make Pinpoint or SMS and Voice assume it, in
// a top-level member or a nested one; its own role passes.
func TestSecurityDeputyPassRole(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Store = storeJSON(t, deputyStore()) })
	importJob := func(role string) rawRequest {
		return deputyRequest("POST", "/v1/apps/"+deputyAppID+"/jobs/import", "",
			fmt.Sprintf(`{"Format":"CSV","RoleArn":%q,"S3Url":"s3://tenant-a-imports/list.csv"}`, role))
	}
	destination := func(role string) rawRequest {
		return deputyRequest("POST", "/", "CreateEventDestination",
			fmt.Sprintf(`{"ConfigurationSetName":"main-config","EventDestinationName":"events","MatchingEventTypes":["ALL"],`+
				`"KinesisFirehoseDestination":{"IamRoleArn":%q,"DeliveryStreamArn":"arn:aws:firehose:us-east-1:%s:deliverystream/tenant-a-events"}}`,
				role, testAccount))
	}
	for name, tc := range map[string]deputyCase{
		"import job, another tenant's role":           {importJob("arn:aws:iam::" + testAccount + ":role/tenant-b-import"), "pinpoint", 403},
		"import job, own role":                        {importJob("arn:aws:iam::" + testAccount + ":role/tenant-a-import"), "pinpoint", 200},
		"nested event destination, another's role":    {destination("arn:aws:iam::" + testAccount + ":role/tenant-b-firehose"), "sms-voice-v2", 403},
		"nested event destination, own role":          {destination("arn:aws:iam::" + testAccount + ":role/tenant-a-firehose"), "sms-voice-v2", 200},
		"import job, a role of another account":       {importJob("arn:aws:iam::210987654321:role/tenant-a-import"), "pinpoint", 403},
		"nested event destination, not a role at all": {destination("arn:aws:s3:::tenant-a-bucket"), "sms-voice-v2", 400},
	} {
		t.Run(name, func(t *testing.T) { tc.check(t, e) })
	}
}

// TestSecurityDeputyReferences: tenant A cannot point anything AWS will use
// on its behalf (an event destination's topic, an import job's bucket) at
// tenant B's resources; its own pass.
func TestSecurityDeputyReferences(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Store = storeJSON(t, deputyStore()) })
	topic := func(name string) rawRequest {
		return deputyRequest("POST", "/", "CreateEventDestination",
			fmt.Sprintf(`{"ConfigurationSetName":"main-config","EventDestinationName":"events","MatchingEventTypes":["ALL"],`+
				`"SnsDestination":{"TopicArn":"arn:aws:sns:us-east-1:%s:%s"}}`, testAccount, name))
	}
	bucket := func(url string) rawRequest {
		return deputyRequest("POST", "/v1/apps/"+deputyAppID+"/jobs/import", "",
			fmt.Sprintf(`{"Format":"CSV","RoleArn":"arn:aws:iam::%s:role/tenant-a-import","S3Url":%q}`, testAccount, url))
	}
	for name, tc := range map[string]deputyCase{
		"another tenant's topic":           {topic("tenant-b-events"), "sms-voice-v2", 403},
		"own topic":                        {topic("tenant-a-events"), "sms-voice-v2", 200},
		"another tenant's bucket":          {bucket("s3://tenant-b-imports/list.csv"), "pinpoint", 403},
		"another tenant's bucket by HTTPS": {bucket("https://tenant-b-imports.s3.amazonaws.com/list.csv"), "pinpoint", 403},
		"own bucket":                       {bucket("s3://tenant-a-imports/list.csv"), "pinpoint", 200},
	} {
		t.Run(name, func(t *testing.T) { tc.check(t, e) })
	}
}

// TestSecurityDeputyRequestTagCase: request tags whose keys differ only in
// case never reach AWS, whatever Go's map order would have let the policy
// see: 30 tries of the same CreateApp are all refused.
func TestSecurityDeputyRequestTagCase(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Store = storeJSON(t, deputyStore()) })
	up := e.up["pinpoint"]
	for i := range 30 {
		resp := deputyRequest("POST", "/v1/apps", "",
			`{"Name":"x","tags":{"tenant":"b","TENANT":"a"}}`).do(t, e.g, newQuietCapture())
		if resp.Status != 400 {
			t.Fatalf("try %d: status %d (%s), want 400", i, resp.Status, resp.Body)
		}
	}
	if n := len(up.Records()); n != 0 {
		t.Fatalf("upstream received %d CreateApp requests, want none", n)
	}
	// The same request with one tenant key passes.
	if resp := deputyRequest("POST", "/v1/apps", "", `{"Name":"x","tags":{"tenant":"a"}}`).do(t, e.g, newQuietCapture()); resp.Status >= 400 {
		t.Fatalf("single tenant tag: status %d (%s), want success", resp.Status, resp.Body)
	}
}
