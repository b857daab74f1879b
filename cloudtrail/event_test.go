package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/audit"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
)

// The records below are built as module/audit.go builds them (the audit
// package's encoders, one inline field) and as record.md fixes the context
// object; each is encoded by a zap logger whose core uses the Encoder.

var recordTime = time.Date(2026, 12, 1, 17, 4, 5, 123456789, time.FixedZone("CET", 3600))

// record is an audit record's fields, marshaled as module/audit.go does.
type record struct {
	strings      [][2]string // in order
	params       []apimap.Parameter
	permissions  []apimap.Permission
	references   []apimap.Reference
	destinations []destination.Destination
	matched      []authz.Match
	context      map[string]any // string or []string values
	upstream     int64
	noTime       bool
}

func (r *record) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	if !r.noTime {
		enc.AddTime("time", recordTime)
	}
	for _, kv := range r.strings {
		enc.AddString(kv[0], kv[1])
	}
	if err := audit.AddParameters(enc, &r.params); err != nil {
		return err
	}
	if err := audit.AddPermissions(enc, r.permissions); err != nil {
		return err
	}
	if err := audit.AddReferences(enc, r.references); err != nil {
		return err
	}
	if err := audit.AddDestinations(enc, r.destinations); err != nil {
		return err
	}
	if err := audit.AddMatches(enc, r.matched); err != nil {
		return err
	}
	if r.context != nil {
		if err := enc.AddObject("context", contextLog(r.context)); err != nil {
			return err
		}
	}
	if r.upstream != 0 {
		enc.AddInt64("upstream_status", r.upstream)
	}
	enc.AddDuration("duration", 1500*time.Millisecond)
	return nil
}

type contextLog map[string]any

func (c contextLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for k, v := range c {
		switch x := v.(type) {
		case string:
			enc.AddString(k, x)
		case []string:
			_ = enc.AddArray(k, zapcore.ArrayMarshalerFunc(func(ae zapcore.ArrayEncoder) error {
				for _, s := range x {
					ae.AppendString(s)
				}
				return nil
			}))
		}
	}
	return nil
}

// encode writes rec on a logger named name through the Encoder and returns
// the line and the line decoded.
func encode(t *testing.T, name string, fields ...zap.Field) (string, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	enc := newEncoder()
	logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(&buf), zapcore.InfoLevel)).Named(name)
	logger.Info("request", fields...)
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("not one line: %q", line)
	}
	var ev map[string]any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	return line, ev
}

const (
	userARN    = "arn:aws:iam::123456789012:user/backend"
	roleARN    = "arn:aws:iam::123456789012:role/tenant-app"
	sessionARN = "arn:aws:sts::123456789012:assumed-role/tenant-app/app1"
	appARN     = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a0000000000000000000000000000001"
)

func userAllowed() *record {
	return &record{
		strings: [][2]string{
			{"request_id", "4f3c2b1a-0000-4000-8000-000000000001"}, {"remote_ip", "192.0.2.10"},
			{"user_agent", "aws-cli/2.15.0 Python/3.11"}, {"access_key_id", "AKIAEXAMPLEBACKEND01"},
			{"region", "us-east-1"}, {"principal_arn", userARN}, {"principal_type", "User"},
			{"api", "pinpoint"}, {"operation", "GetApp"}, {"decision", "Allow"}, {"mode", "enforce"},
			{"upstream_request_id", "up-1"},
		},
		params:      []apimap.Parameter{{Member: "application-id", Value: "a0000000000000000000000000000001"}},
		permissions: []apimap.Permission{{Action: "mobiletargeting:GetApp", Resources: []string{appARN}}},
		matched:     []authz.Match{{Type: authz.IdentityBased, Policy: "PinpointReadOnly", Index: 0, Effect: authz.EffectAllow}},
		context: map[string]any{
			"aws:userid": "AIDAEXAMPLEBACKEND01", "aws:principalaccount": "123456789012",
			"aws:principalarn": userARN, "aws:sourceip": "192.0.2.10",
		},
		upstream: 200,
	}
}

func sessionDenied() *record {
	return &record{
		strings: [][2]string{
			{"request_id", "4f3c2b1a-0000-4000-8000-000000000002"}, {"remote_ip", "192.0.2.11"},
			{"user_agent", "aws-sdk-go-v2/1.30.0"}, {"access_key_id", "ASIAEXAMPLESESSION01"},
			{"region", "eu-west-1"}, {"principal_arn", sessionARN}, {"principal_type", "AssumedRole"},
			{"role_arn", roleARN}, {"session_name", "app1"}, {"source_identity", "alice"},
			{"api", "sms-voice-v2"}, {"operation", "SendTextMessage"}, {"decision", "ExplicitDeny"}, {"mode", "enforce"},
			{"reason", "User: " + sessionARN + " is not authorized to perform: sms-voice:SendTextMessage with an explicit deny in an identity-based policy"},
			{"error_code", "AccessDeniedException"},
		},
		params:      []apimap.Parameter{{Member: "OriginationIdentity", Value: "pool-0123456789abcdef0123456789abcdef"}},
		permissions: []apimap.Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{"arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef"}}},
		references:  []apimap.Reference{{ResourceType: "configuration-set", Member: "ConfigurationSetName", Value: "main", ARN: "arn:aws:sms-voice:eu-west-1:123456789012:configuration-set/main"}},
		destinations: []destination.Destination{{
			Destination: apimap.Destination{Form: apimap.DestinationPhoneNumber, Member: "DestinationPhoneNumber", Value: "+447700900123"},
			Number:      destination.Number{E164: "+447700900123", Country: "GB", CallingCode: "44", Type: "MOBILE"},
		}},
		matched: []authz.Match{{Type: authz.IdentityBased, Policy: "TenantScoped", Sid: "NoUK", Index: 1, Effect: authz.EffectDeny}},
		context: map[string]any{
			"aws:userid": "AROAEXAMPLETENANT001:app1", "aws:principalaccount": "123456789012",
			"aws:tokenissuetime": "2026-12-01T16:00:00Z", "aws:multifactorauthpresent": "false",
			"gateway:destinationnumber": []string{"+447700900123"}, "gateway:destinationcountry": []string{"GB"},
		},
	}
}

// The documented contents of a CloudTrail record, field by field, from
// "CloudTrail record contents for management, data, and network activity
// events" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// the userIdentity element page
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html)
// and the Pinpoint and SMS and Voice examples of the Amazon Pinpoint
// Developer Guide
// (https://docs.aws.amazon.com/pinpoint/latest/developerguide/logging-using-cloudtrail.html).
var (
	// eventVersion: "major_version.minor_version", no leading zeros in the minor.
	reEventVersion = regexp.MustCompile(`^[1-9][0-9]*\.(0|[1-9][0-9]*)$`)
	// eventTime: UTC, as the examples write it: 2018-02-03T00:56:48Z.
	reEventTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	// eventSource: the service's short name "without spaces plus .amazonaws.com".
	reEventSource = regexp.MustCompile(`^[a-z0-9-]+\.amazonaws\.com$`)
	// eventID: a GUID.
	reGUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// accountId, recipientAccountId: a 12-digit account ID.
	reAccount = regexp.MustCompile(`^\d{12}$`)
	// sessionContext.attributes.creationDate: ISO 8601.
	reISO8601 = regexp.MustCompile(`^\d{4}-?\d{2}-?\d{2}T\d{2}:?\d{2}:?\d{2}Z$`)
)

// checkDocumented checks the fields every event has, with their
// documented types and formats.
func checkDocumented(t *testing.T, ev map[string]any) {
	t.Helper()
	want := func(field string, ok bool, why string) {
		t.Helper()
		if !ok {
			t.Errorf("%s = %#v: %s", field, ev[field], why)
		}
	}
	s := func(f string) string { v, _ := ev[f].(string); return v }
	want("eventVersion", s("eventVersion") == "1.11" && reEventVersion.MatchString(s("eventVersion")), "the current version, 1.11, as major.minor")
	_, ok := ev["userIdentity"].(map[string]any)
	want("userIdentity", ok, "an object (always present)")
	want("eventTime", reEventTime.MatchString(s("eventTime")), "UTC, yyyy-MM-ddTHH:mm:ssZ")
	if _, present := ev["eventSource"]; present {
		want("eventSource", reEventSource.MatchString(s("eventSource")), "NAME.amazonaws.com")
	}
	want("eventType", s("eventType") == "AwsApiCall", "AwsApiCall")
	want("eventID", reGUID.MatchString(s("eventID")), "a GUID")
	want("requestID", s("requestID") != "", "the request's ID")
	_, ok = ev["managementEvent"].(bool)
	want("managementEvent", ok, "a boolean")
	want("eventCategory", s("eventCategory") == "Management", "Management")
	if v, present := ev["readOnly"]; present {
		_, ok = v.(bool)
		want("readOnly", ok, "a boolean")
	}
	if v, present := ev["recipientAccountId"]; present {
		want("recipientAccountId", reAccount.MatchString(v.(string)), "a 12-digit account ID")
	}
	rp, present := ev["requestParameters"]
	_, isObj := rp.(map[string]any)
	want("requestParameters", present && (rp == nil || isObj), "an object, or null (present)")
	re, present := ev["responseElements"]
	want("responseElements", present && re == nil, "null: the gateway does not log responses")
	if v, present := ev["additionalEventData"]; present {
		_, ok = v.(map[string]any)
		want("additionalEventData", ok, "an object")
	}
	_, hasCode := ev["errorCode"]
	_, hasMsg := ev["errorMessage"]
	want("errorMessage", !hasMsg || hasCode, "only with an errorCode")
	if res, present := ev["resources"]; present {
		list, _ := res.([]any)
		for _, r := range list {
			m, _ := r.(map[string]any)
			arn, _ := m["ARN"].(string)
			want("resources", strings.HasPrefix(arn, "arn:") && reAccount.MatchString(m["accountId"].(string)), "ARN and accountId of each resource")
		}
	}
}

func TestEventFieldByField(t *testing.T) {
	t.Parallel()
	t.Run("IAM user, allowed Pinpoint read", func(t *testing.T) {
		t.Parallel()
		_, ev := encode(t, AuditLogger, zap.Inline(userAllowed()))
		checkDocumented(t, ev)
		wantFields(t, ev, map[string]any{
			"eventTime":          "2026-12-01T16:04:05Z", // UTC, second precision
			"eventSource":        "pinpoint.amazonaws.com",
			"eventName":          "GetApp",
			"awsRegion":          "us-east-1",
			"sourceIPAddress":    "192.0.2.10",
			"userAgent":          "aws-cli/2.15.0 Python/3.11",
			"requestID":          "4f3c2b1a-0000-4000-8000-000000000001",
			"readOnly":           true,
			"managementEvent":    true,
			"recipientAccountId": "123456789012",
		})
		wantAbsent(t, ev, "errorCode", "errorMessage")
		wantFields(t, obj(t, ev, "userIdentity"), map[string]any{
			"type": "IAMUser", "principalId": "AIDAEXAMPLEBACKEND01", "arn": userARN,
			"accountId": "123456789012", "accessKeyId": "AKIAEXAMPLEBACKEND01", "userName": "backend",
		})
		wantAbsent(t, obj(t, ev, "userIdentity"), "sessionContext")
		wantFields(t, obj(t, ev, "requestParameters"), map[string]any{"application-id": "a0000000000000000000000000000001"})
		add := obj(t, ev, "additionalEventData")
		wantFields(t, add, map[string]any{"decision": "Allow", "mode": "enforce", "upstream_request_id": "up-1", "recordedBy": "pinpoint-gateway"})
		for _, k := range []string{"matched", "authorizations", "context", "upstream_status", "duration"} {
			if _, ok := add[k]; !ok {
				t.Errorf("additionalEventData has no %s", k)
			}
		}
		wantAbsent(t, add, "time", "request_id", "access_key_id", "principal_arn", "request_parameters")
		if d, _ := add["duration"].(json.Number); d.String() != "1.5" {
			t.Errorf("additionalEventData.duration = %v, want 1.5 (seconds)", add["duration"])
		}
		res, _ := ev["resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["ARN"] != appARN {
			t.Errorf("resources = %v, want the app's ARN", ev["resources"])
		}
	})
	t.Run("role session, denied send", func(t *testing.T) {
		t.Parallel()
		line, ev := encode(t, AuditLogger, zap.Inline(sessionDenied()))
		checkDocumented(t, ev)
		wantFields(t, ev, map[string]any{
			"eventSource":  "sms-voice.amazonaws.com",
			"eventName":    "SendTextMessage",
			"awsRegion":    "eu-west-1",
			"errorCode":    "AccessDeniedException",
			"errorMessage": "User: " + sessionARN + " is not authorized to perform: sms-voice:SendTextMessage with an explicit deny in an identity-based policy",
			"readOnly":     false,
		})
		id := obj(t, ev, "userIdentity")
		wantFields(t, id, map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLETENANT001:app1", "arn": sessionARN, "accountId": "123456789012", "accessKeyId": "ASIAEXAMPLESESSION01"})
		wantAbsent(t, id, "userName")
		sc := obj(t, id, "sessionContext")
		wantFields(t, obj(t, sc, "sessionIssuer"), map[string]any{"type": "Role", "principalId": "AROAEXAMPLETENANT001", "arn": roleARN, "accountId": "123456789012", "userName": "tenant-app"})
		attrs := obj(t, sc, "attributes")
		wantFields(t, attrs, map[string]any{"creationDate": "2026-12-01T16:00:00Z", "mfaAuthenticated": "false"})
		if !reISO8601.MatchString(attrs["creationDate"].(string)) {
			t.Errorf("creationDate %v is not ISO 8601", attrs["creationDate"])
		}
		wantFields(t, sc, map[string]any{"sourceIdentity": "alice"})
		wantFields(t, obj(t, ev, "requestParameters"), map[string]any{
			"OriginationIdentity":    "pool-0123456789abcdef0123456789abcdef",
			"ConfigurationSetName":   "arn:aws:sms-voice:eu-west-1:123456789012:configuration-set/main",
			"DestinationPhoneNumber": "+**********23",
		})
		if strings.Contains(line, "447700900123") || strings.Contains(line, "7700900") {
			t.Errorf("the event holds the destination number: %s", line)
		}
		add := obj(t, ev, "additionalEventData")
		ctx := obj(t, add, "context")
		if got, _ := ctx["gateway:destinationnumber"].([]any); len(got) != 1 || got[0] != "+**********23" {
			t.Errorf("context gateway:destinationnumber = %v, want masked", ctx["gateway:destinationnumber"])
		}
		d := obj(t, add["destinations"].([]any)[0].(map[string]any), "")
		wantFields(t, d, map[string]any{"country": "GB", "calling_code": "44", "value": "+**********23"})
	})
	t.Run("no context: the fields it gives are left out", func(t *testing.T) {
		t.Parallel()
		r := sessionDenied()
		r.context = nil
		_, ev := encode(t, AuditLogger, zap.Inline(r))
		checkDocumented(t, ev)
		id := obj(t, ev, "userIdentity")
		wantAbsent(t, id, "principalId", "accountId")
		sc := obj(t, id, "sessionContext")
		wantAbsent(t, sc, "attributes")
		wantAbsent(t, obj(t, sc, "sessionIssuer"), "principalId")
		wantFields(t, ev, map[string]any{"recipientAccountId": "123456789012"}) // the principal ARN's account
	})
	t.Run("unauthenticated", func(t *testing.T) {
		t.Parallel()
		_, ev := encode(t, AuditLogger, zap.Inline(&record{strings: [][2]string{
			{"request_id", "r3"}, {"remote_ip", "192.0.2.12"}, {"user_agent", "curl/8"}, {"access_key_id", "AKIANOSUCHKEY0000001"},
			{"decision", "Unauthenticated"}, {"mode", "enforce"}, {"reason", "The security token included in the request is invalid."},
			{"error_code", "UnrecognizedClientException"},
		}}))
		checkDocumented(t, ev)
		wantFields(t, obj(t, ev, "userIdentity"), map[string]any{"type": "Unknown", "accessKeyId": "AKIANOSUCHKEY0000001"})
		wantFields(t, ev, map[string]any{"errorCode": "UnrecognizedClientException", "requestParameters": nil})
		wantAbsent(t, ev, "eventSource", "eventName", "readOnly", "recipientAccountId", "resources")
	})
	t.Run("dry_run: a would-deny is no error", func(t *testing.T) {
		t.Parallel()
		r := sessionDenied()
		kept := r.strings[:0]
		for _, kv := range r.strings {
			switch kv[0] {
			case "mode":
				kv[1] = "dry_run"
			case "error_code":
				continue // dry_run answers no error
			}
			kept = append(kept, kv)
		}
		r.strings = kept
		_, ev := encode(t, AuditLogger, zap.Inline(r))
		wantAbsent(t, ev, "errorCode", "errorMessage")
		wantFields(t, obj(t, ev, "additionalEventData"), map[string]any{"decision": "ExplicitDeny", "mode": "dry_run"})
	})
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		// errorCode is the code the client got: the gateway's (error_code),
		// else the upstream's, else Gateway.UpstreamError.
		for decision, code := range map[string]string{
			"QuotaExceeded":    "ThrottlingException",
			"QuotaUnavailable": "ServiceUnavailable",
			"Retired":          "MethodNotAllowedException",
			"BadRequest":       "ValidationException",
			"ImplicitDeny":     "AccessDenied",
		} {
			_, ev := encode(t, AuditLogger, zap.Inline(&record{strings: [][2]string{{"request_id", "r"}, {"api", "sms-voice-v2"}, {"decision", decision}, {"mode", "enforce"}, {"reason", "why"}, {"error_code", code}}}))
			wantFields(t, ev, map[string]any{"errorCode": code, "errorMessage": "why"})
		}
		_, ev := encode(t, AuditLogger, zap.Inline(&record{strings: [][2]string{{"request_id", "r"}, {"api", "pinpoint"}, {"decision", "Allow"}, {"mode", "enforce"}}, upstream: 404}))
		wantFields(t, ev, map[string]any{"errorCode": "Gateway.UpstreamError"})
		_, ev = encode(t, AuditLogger, zap.Inline(&record{strings: [][2]string{{"request_id", "r"}, {"api", "pinpoint"}, {"decision", "Allow"}, {"mode", "enforce"}, {"upstream_error_code", "NotFoundException"}}, upstream: 404}))
		wantFields(t, ev, map[string]any{"errorCode": "NotFoundException"})
	})
	t.Run("STS AssumeRole", func(t *testing.T) {
		t.Parallel()
		r := userAllowed()
		r.strings = append(r.strings[:7], [][2]string{{"api", "sts"}, {"operation", "AssumeRole"}, {"decision", "Allow"}, {"mode", "enforce"}, {"issued_principal_arn", sessionARN}}...)
		r.params, r.upstream = nil, 0
		r.permissions = []apimap.Permission{{Action: "sts:AssumeRole", Resources: []string{roleARN}}}
		_, ev := encode(t, AuditLogger, zap.Inline(r))
		checkDocumented(t, ev)
		wantFields(t, ev, map[string]any{"eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "readOnly": true})
		wantFields(t, obj(t, ev, "requestParameters"), map[string]any{"roleArn": roleARN, "roleSessionName": "app1"})
	})
	t.Run("event ID derived from the request ID", func(t *testing.T) {
		t.Parallel()
		_, a := encode(t, AuditLogger, zap.Inline(userAllowed()))
		_, b := encode(t, AuditLogger, zap.Inline(userAllowed()))
		_, c := encode(t, AuditLogger, zap.Inline(sessionDenied()))
		if a["eventID"] != b["eventID"] || a["eventID"] == c["eventID"] {
			t.Errorf("eventIDs %v %v %v: want equal for one request ID, different for another", a["eventID"], b["eventID"], c["eventID"])
		}
	})
}

// TestOtherLoggers: an entry of another logger is a plain JSON line.
func TestOtherLoggers(t *testing.T) {
	t.Parallel()
	line, ev := encode(t, "http.log", zap.String("k", "v"), zap.Error(errors.New("boom")), zap.Duration("d", 2*time.Second))
	wantFields(t, ev, map[string]any{"level": "info", "logger": "http.log", "msg": "request", "k": "v", "error": "boom"})
	if _, ok := ev["eventVersion"]; ok {
		t.Errorf("not an audit record, yet a CloudTrail event: %s", line)
	}
}

// TestEventBounded: the largest audit record (every list at its bound,
// every string at its cut) gives an event far below CloudTrail's 256 KB
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// and the CloudTrail quotas: an event is at most 256 KB).
func TestEventBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("<\x01&", 1<<16) // 6 bytes each in JSON, with HTML escaping or as control characters
	r := &record{context: map[string]any{}}
	for _, k := range []string{"request_id", "remote_ip", "user_agent", "access_key_id", "region", "principal_arn", "role_arn", "session_name", "api", "operation", "reason"} {
		r.strings = append(r.strings, [2]string{k, audit.String(k, long).String})
	}
	r.strings = append(r.strings, [2]string{"principal_type", "AssumedRole"}, [2]string{"decision", "ImplicitDeny"})
	for range 100 {
		r.params = append(r.params, apimap.Parameter{Member: long, Value: long})
		r.permissions = append(r.permissions, apimap.Permission{Action: long, Resources: []string{long, long, long, long, long, long, long, long, long}})
		r.references = append(r.references, apimap.Reference{ResourceType: long, Member: long, ARN: long})
		r.destinations = append(r.destinations, destination.Destination{Destination: apimap.Destination{Form: apimap.DestinationPhoneNumber, Member: long, Value: long}})
		r.matched = append(r.matched, authz.Match{Policy: long, Sid: long})
	}
	line, _ := encode(t, AuditLogger, zap.Inline(r))
	if strings.Contains(line, `\u003c`) {
		t.Errorf("HTML-escaped: the record's bounds count bytes as zap writes them")
	}
	if len(line) > 256<<10 {
		t.Fatalf("event of %d bytes, over 256 KB", len(line))
	}
	t.Logf("event: %d bytes", len(line))
}

func obj(t *testing.T, m map[string]any, k string) map[string]any {
	t.Helper()
	if k == "" {
		return m
	}
	o, ok := m[k].(map[string]any)
	if !ok {
		t.Fatalf("%s = %#v, want an object", k, m[k])
	}
	return o
}

func wantFields(t *testing.T, m map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		got, ok := m[k]
		if !ok {
			t.Errorf("%s missing, want %#v", k, w)
			continue
		}
		if n, isNum := got.(json.Number); isNum {
			got = n.String()
		}
		if got != w {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
}

func wantAbsent(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := m[k]; ok {
			t.Errorf("%s = %#v, want it absent", k, v)
		}
	}
}

// TestFromRecordOddShapes: fields of unexpected types or shapes are left
// out, never a panic.
func TestFromRecordOddShapes(t *testing.T) {
	t.Parallel()
	for name, rec := range map[string]map[string]any{
		"empty":         {},
		"wrong scalars": {"time": "yesterday", "request_id": 7, "principal_type": "AssumedRole", "upstream_status": "500", "api": []any{"x"}},
		"wrong lists":   {"authorizations": "x", "references": []any{"x", 1, nil}, "destinations": map[string]any{}, "request_parameters": []any{map[string]any{"member": 1}}},
		"wrong context": {"context": map[string]any{"aws:userid": 5, "gateway:destinationnumber": 5, "aws:tokenissuetime": []any{"a"}}},
		"short ARNs":    {"principal_arn": "arn:", "role_arn": ":", "principal_type": "AssumedRole", "authorizations": []any{map[string]any{"resources": []any{"arn:aws", 3}}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ev := FromRecord(rec)
			if _, err := json.Marshal(ev); err != nil {
				t.Fatalf("FromRecord(%v) does not marshal: %v", rec, err)
			}
			if ev.EventVersion != EventVersion || ev.EventType != "AwsApiCall" {
				t.Errorf("FromRecord(%v) = %+v", rec, ev)
			}
		})
	}
}
