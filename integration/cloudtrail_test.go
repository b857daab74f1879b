package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/smithy-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pinpointgw/gateway/internal/athenaschema"
)

// TestCloudTrailFormat: a gateway whose audit log uses `format cloudtrail`
// writes one CloudTrail event per request (allowed and denied calls of each
// API, an STS AssumeRole and calls with its session, an unauthenticated
// call) that the schema written from Athena's CloudTrail table
// (cloudtrail/testdata/athena-cloudtrail.schema.json) reads, one by one
// and as a {"Records": [...]} file; the events carry who, what and the
// decision, and no secret and no full destination number.
func TestCloudTrailFormat(t *testing.T) {
	events := filepath.Join(t.TempDir(), "cloudtrail.log")
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Global = fmt.Sprintf("\tlog cloudtrail {\n\t\toutput file %s\n\t\tformat cloudtrail\n\t\tinclude http.handlers.pinpoint_gateway.audit\n\t}\n", events)
	})
	c := newQuietCapture()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	backend := creds(backendKeyID, backendSecret, "")
	pp, v2 := pinpointClient(e.g, backend, c), smsV2Client(e.g, backend, c)
	v1 := func(method, path, body string) {
		rawRequest{Method: method, Path: path, Body: body, Header: map[string]string{"Content-Type": "application/json"},
			Creds: aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}, Service: "sms-voice"}.do(t, e.g, c)
	}

	type want struct {
		source, name, identity, errorCode string
	}
	var wants []want
	call := func(w want, err error) {
		t.Helper()
		// The event's errorCode must be the code the client got.
		var ae smithy.APIError
		if (err != nil) != (w.errorCode != "") || err != nil && (!errors.As(err, &ae) || ae.ErrorCode() != w.errorCode) {
			t.Errorf("%s: error %v, want error code %q", w.name, err, w.errorCode)
		}
		wants = append(wants, w)
	}
	_, err := pp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	call(want{"pinpoint.amazonaws.com", "GetApp", "IAMUser", ""}, err)
	_, err = pp.DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
	call(want{"pinpoint.amazonaws.com", "DeleteApp", "IAMUser", "AccessDeniedException"}, err)
	_, err = v2.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
		DestinationPhoneNumber: aws.String("+12065550100"), OriginationIdentity: aws.String(poolID), MessageBody: aws.String("Your code is 123456"),
	})
	call(want{"sms-voice.amazonaws.com", "SendTextMessage", "IAMUser", ""}, err)
	_, err = v2.DeletePool(ctx, &pinpointsmsvoicev2.DeletePoolInput{PoolId: aws.String(poolID)})
	call(want{"sms-voice.amazonaws.com", "DeletePool", "IAMUser", "AccessDeniedException"}, err)
	v1(http.MethodPost, "/v1/sms-voice/configuration-sets", `{"ConfigurationSetName":"transactional-otp"}`)
	wants = append(wants, want{"sms-voice.amazonaws.com", "CreateConfigurationSet", "IAMUser", ""})
	v1(http.MethodDelete, "/v1/sms-voice/configuration-sets/transactional-otp", "")
	wants = append(wants, want{"sms-voice.amazonaws.com", "DeleteConfigurationSet", "IAMUser", "AccessDeniedException"})
	session := assumeTenantRole(t, e, c, "a")
	wants = append(wants, want{"sts.amazonaws.com", "AssumeRole", "IAMUser", ""})
	sp := pinpointClient(e.g, creds(session.AccessKeyID, session.SecretAccessKey, session.SessionToken), c)
	_, err = sp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	call(want{"pinpoint.amazonaws.com", "GetApp", "AssumedRole", ""}, err)
	_, err = sp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
	call(want{"pinpoint.amazonaws.com", "GetApp", "AssumedRole", "AccessDeniedException"}, err)
	_, err = pinpointClient(e.g, creds(unknownKeyID, "no-such-secret", ""), c).GetApps(ctx, &pinpoint.GetAppsInput{})
	call(want{"", "", "Unknown", "UnrecognizedClientException"}, err)

	lines := waitLines(t, events, len(wants))
	_, event := athenaSchema(t)
	for i, line := range lines {
		w := wants[i]
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("event %d is not JSON: %v", i, err)
		}
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err := event.Validate(inst); err != nil {
			t.Errorf("event %d (%s) not readable by Athena's CloudTrail table: %v\n%s", i, w.name, err, line)
		}
		id, _ := ev["userIdentity"].(map[string]any)
		code, _ := ev["errorCode"].(string)
		if field(ev, "eventSource") != w.source || field(ev, "eventName") != w.name || field(id, "type") != w.identity || code != w.errorCode {
			t.Errorf("event %d = %s %s by %s, error %q; want %s %s by %s, error %q", i,
				field(ev, "eventSource"), field(ev, "eventName"), field(id, "type"), code, w.source, w.name, w.identity, w.errorCode)
		}
		if ev["eventVersion"] != "1.11" || ev["eventType"] != "AwsApiCall" || ev["eventCategory"] != "Management" || field(ev, "requestID") == "" {
			t.Errorf("event %d: eventVersion %v, eventType %v, eventCategory %v, requestID %v", i, ev["eventVersion"], ev["eventType"], ev["eventCategory"], ev["requestID"])
		}
		if w.identity == "AssumedRole" {
			t.Logf("a role session's event: %s", line)
			sc, _ := id["sessionContext"].(map[string]any)
			issuer, _ := sc["sessionIssuer"].(map[string]any)
			if field(issuer, "arn") != tenantRoleARN || field(issuer, "type") != "Role" || field(issuer, "userName") != "tenant-app" {
				t.Errorf("event %d: sessionIssuer %v, want the role tenant-app", i, issuer)
			}
		}
		if w.name == "GetApp" && w.errorCode == "" {
			if rp, _ := ev["requestParameters"].(map[string]any); rp["application-id"] != "app-a" {
				t.Errorf("event %d: requestParameters %v, want application-id app-a", i, ev["requestParameters"])
			}
			if ev["readOnly"] != true {
				t.Errorf("event %d: readOnly %v, want true", i, ev["readOnly"])
			}
		}
		if w.name == "SendTextMessage" {
			rp, _ := ev["requestParameters"].(map[string]any)
			if rp["OriginationIdentity"] != poolID || rp["DestinationPhoneNumber"] != "+*********00" || ev["readOnly"] != false {
				t.Errorf("event %d: requestParameters %v readOnly %v, want the pool, the number masked, false", i, rp, ev["readOnly"])
			}
		}
	}
	all, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(allSecrets, session.SecretAccessKey, session.SessionToken, "12065550100", "Your code is") {
		if s != "" && bytes.Contains(all, []byte(s)) {
			t.Errorf("the CloudTrail log holds a secret, token, full destination number or message body (%.4q…)", s)
		}
	}
	file, _ := athenaSchema(t)
	records := `{"Records":[` + strings.Join(lines, ",") + `]}` // jq -c -s '{Records: .}'
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(records))
	if err != nil {
		t.Fatal(err)
	}
	if err := file.Validate(inst); err != nil {
		t.Errorf("the Records file is not readable: %v", err)
	}
}

// waitLines polls path until it holds n lines, and returns them.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var lines []string
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
			for sc.Scan() {
				if len(sc.Bytes()) > 0 {
					lines = append(lines, sc.Text())
				}
			}
			f.Close()
		}
		if len(lines) >= n {
			if len(lines) > n {
				t.Errorf("%d events, want %d", len(lines), n)
			}
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events in %s after 10s, want %d", len(lines), path, n)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// athenaSchema compiles the schema written from Athena's CloudTrail table:
// the log file and one event.
func athenaSchema(t *testing.T) (file, event *jsonschema.Schema) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	file, event, err = athenaschema.Compile(filepath.Join(root, "cloudtrail", "testdata", "athena-cloudtrail.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return file, event
}
