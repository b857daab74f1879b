package apimap

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/arn"
)

// FuzzMap feeds arbitrary methods, paths, queries, targets and bodies to Map.
// Invariants: no panic; an error is an *Error and comes with a nil result; a
// result has at least one authorization, the first with the operation's own
// action, and every resource is "*" or a well-formed ARN; every Unresolved
// entry points at an existing resource; references are at most
// maxReferences, each with a kind, a member and an ARN; iam:PassRole comes
// once, with PassedToService, on exactly the iam-role references' ARNs, each
// a well-formed role ARN, and no other authorization has PassedToService;
// destinations are at most maxDestinations, each of a known form, with a
// member, and only for an operation that has destination members; a
// destination's value is a string of the body (as sent, when the body has
// no escapes).
func FuzzMap(f *testing.F) {
	f.Add("GET", "/v1/apps/abc/campaigns/c1", "", "", []byte(nil))
	f.Add("POST", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc", "", "", []byte(`{"tags":{"a":"b"}}`))
	f.Add("DELETE", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc", "tagKeys=a&tagKeys=b", "", []byte(nil))
	f.Add("PUT", "/v1/templates/t/email/active-version", "", "", []byte(`{}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.SendTextMessage", []byte(`{"OriginationIdentity":"+12065550100","ConfigurationSetName":"cs"}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.DescribeSenderIds", []byte(`{"SenderIds":[{"SenderId":"A","IsoCountryCode":"US"}]}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.RequestPhoneNumber", []byte(`{"PoolId":"arn:aws:sms-voice:us-east-1:123456789012:pool/p","Tags":[{"Key":"k","Value":"v"}]}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.UpdateEventDestination", []byte(`{"ConfigurationSetName":"c","KinesisFirehoseDestination":{"IamRoleArn":"arn:aws:iam::123456789012:role/r"}}`))
	f.Add("POST", "/v1/sms-voice/configuration-sets/c/event-destinations", "", "", []byte(`{"EventDestination":{"CloudWatchLogsDestination":{"IamRoleArn":"x"}}}`))
	f.Add("GET", "/v1/apps/%2e%2E/x", "", "", []byte(nil))
	f.Add("POST", "/v1/apps/a/journeys", "", "", []byte(`{"Activities":{"x":{"EMAIL":{"TemplateName":"t"}}},"JourneyChannelSettings":{"ConnectCampaignExecutionRoleArn":"arn:aws:iam::123456789012:role/r"}}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.SendMediaMessage", []byte(`{"OriginationIdentity":"pool-1","MediaUrls":["s3://bkt/k","https://bkt.s3.amazonaws.com/k"]}`))
	f.Add("POST", "/v1/apps/a/messages", "", "", []byte(`{"Addresses":{"+447700900123":{"ChannelType":"SMS"},"a@b.c":{"ChannelType":"EMAIL"},"+12065550100":null},"Endpoints":{"ep":{}}}`))
	f.Add("POST", "/v1/apps/a/users-messages", "", "", []byte(`{"Users":{"u1":{},"u2":{}}}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.SendTextMessage", []byte(`{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123"}`))
	// Operations newer than the models (RuleIAMReference), and a body that one refuses.
	for _, u := range unmodeledV2Table {
		f.Add("POST", "/", "", v2TargetPrefix+u.name, []byte(`{"IsoCountryCode":"US","Filters":[{"Name":"n","Values":["v"]}]}`))
		f.Add("POST", "/", "", v2TargetPrefix+u.name, []byte(`{"A":[{},{"Tags":[]}]}`))
	}
	// One seed per operation: its URI template with plain labels, or its target.
	for i := range operationTable {
		op := &operationTable[i]
		if op.target != "" {
			f.Add("POST", "/", "", op.target, []byte(`{}`))
			continue
		}
		segs := strings.Split(op.uri, "/")
		for j, seg := range segs {
			if strings.HasPrefix(seg, "{") {
				segs[j] = "id" + strconv.Itoa(j)
			}
		}
		f.Add(op.method, strings.Join(segs, "/"), "", "", []byte(`{}`))
	}
	f.Fuzz(func(t *testing.T, method, path, query, target string, body []byte) {
		req := &Request{Method: method, RawPath: path, RawQuery: query, Body: body, Region: "us-east-1", Account: "123456789012", Header: http.Header{}}
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		res, err := Map(req)
		if err != nil {
			if res != nil {
				t.Fatalf("Map returned a result and an error %v", err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Map error %T is not *Error", err)
			}
			return
		}
		if res == nil || len(res.Permissions) == 0 {
			t.Fatalf("Map returned no authorizations: %+v", res)
		}
		if !strings.HasSuffix(res.Permissions[0].Action, ":"+res.Operation) {
			t.Fatalf("first action %s is not the operation %s", res.Permissions[0].Action, res.Operation)
		}
		switch res.Rule {
		case RuleModel:
		case RuleIAMReference:
			// The gateway knows nothing of the input: the action on "*" only.
			if res.API != APISMSVoiceV2 || len(res.Permissions) != 1 || len(res.Permissions[0].Resources) != 1 || res.Permissions[0].Resources[0] != "*" ||
				res.RequestTags != nil || res.TagKeys != nil || res.References != nil || res.Destinations != nil || res.Unresolved != nil {
				t.Fatalf("operation %s mapped by the IAM reference: %+v", res.Operation, res)
			}
		default:
			t.Fatalf("rule %q", res.Rule)
		}
		for _, a := range res.Permissions {
			if len(a.Resources) == 0 {
				t.Fatalf("%s has no resources", a.Action)
			}
			for _, r := range a.Resources {
				if r == "*" {
					continue
				}
				if _, err := arn.Parse(r); err != nil {
					t.Fatalf("%s: resource %q: %v", a.Action, r, err)
				}
			}
		}
		for _, u := range res.Unresolved {
			if u.Permission >= len(res.Permissions) || u.Resource >= len(res.Permissions[u.Permission].Resources) {
				t.Fatalf("unresolved %+v points nowhere", u)
			}
		}
		if len(res.References) > maxReferences {
			t.Fatalf("%d references", len(res.References))
		}
		var roles []string
		for _, r := range res.References {
			if r.ResourceType == "" || r.Member == "" || r.ARN == "" && r.Value != "" {
				t.Fatalf("incomplete reference %+v", r)
			}
			if r.ResourceType == "iam-role" {
				if err := parseRoleARN(r.ARN); err != nil || r.ARN != r.Value {
					t.Fatalf("role reference %+v: %v", r, err)
				}
				roles = append(roles, r.ARN)
			}
		}
		passRoles := 0
		for _, a := range res.Permissions {
			switch {
			case a.Action == "iam:PassRole":
				passRoles++
				if a.PassedToService == "" || strings.Join(a.Resources, " ") != strings.Join(roles, " ") {
					t.Fatalf("iam:PassRole %+v, role references %q", a, roles)
				}
			case a.PassedToService != "":
				t.Fatalf("%s has PassedToService", a.Action)
			}
		}
		if passRoles != min(len(roles), 1) {
			t.Fatalf("%d iam:PassRole authorizations for %d roles", passRoles, len(roles))
		}
		if len(res.Destinations) > maxDestinations {
			t.Fatalf("%d destinations", len(res.Destinations))
		}
		for _, d := range res.Destinations {
			switch d.Form {
			case DestinationPhoneNumber, DestinationVerifiedID, DestinationEndpoint, DestinationUser:
			default:
				t.Fatalf("destination %+v of unknown form", d)
			}
			if d.Member == "" {
				t.Fatalf("destination %+v without a member", d)
			}
			if !bytes.Contains(body, []byte{'\\'}) && !bytes.Contains(body, []byte(`"`+d.Value+`"`)) {
				t.Fatalf("destination value %q is not a string of the body %q", d.Value, body)
			}
		}
		if len(res.Destinations) > 0 && len(operationOf(res).dests) == 0 {
			t.Fatalf("%s has no destination members but reports %+v", res.Operation, res.Destinations)
		}
		if target == "" {
			// An accepted REST path has no empty or dot segments, encoded or not.
			for _, seg := range strings.Split(path[1:], "/") {
				d, err := url.PathUnescape(seg)
				if err != nil || d == "" || d == "." || d == ".." {
					t.Fatalf("accepted path %q has segment %q", path, seg)
				}
			}
		}
	})
}

// FuzzARN checks the ARN parser and the typed ARN check. Invariants: no
// panic; an error means a zero result; a parsed ARN formats back to the input;
// an ARN accepted as a resource type matches that type's template and formats
// back through the template with the same variables.
func FuzzARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc/campaigns/c1",
		"arn:aws:sms-voice:eu-west-1:123456789012:sender-id/MY/GB",
		"arn:aws-cn:sms-voice:cn-north-1:123456789012:pool/pool-1",
		"arn:aws:mobiletargeting:us-east-1:123456789012:apps/*",
		"arn:aws:iam::123456789012:role/x",
		"arn:::::", "arn:aws:s3:::bucket/key", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arn.Parse(s)
		if err != nil {
			if a != (arn.ARN{}) {
				t.Fatalf("arn.Parse(%q) returned %+v with error", s, a)
			}
		} else if a.String() != s {
			t.Fatalf("arn.Parse(%q).String() = %q", s, a.String())
		}
		svc, typ, err := ResourceType(s)
		if err != nil {
			if svc != "" || typ != "" {
				t.Fatalf("ResourceType(%q) = %q, %q with error", s, svc, typ)
			}
			return
		}
		tmpl, parsed, err := parseTypedARN(s)
		if err != nil || tmpl.service != svc || tmpl.typ != typ {
			t.Fatalf("parseTypedARN(%q) disagrees with ResourceType: %v", s, err)
		}
		vals := make([]string, len(tmpl.vars))
		if !tmpl.match(parsed.Resource, vals) {
			t.Fatalf("template %s does not match %q", typ, parsed.Resource)
		}
		if got := tmpl.build(parsed.Partition, parsed.Region, parsed.Account, vals); got != s {
			t.Fatalf("rebuilding %q gives %q", s, got)
		}
		for _, v := range vals {
			if checkID(v) != nil {
				t.Fatalf("variable %q of %q is not a valid ID", v, s)
			}
		}
	})
}

// FuzzJSONValid is a differential test: validJSON must agree with
// encoding/json.Valid on every input, and scanObject (validation and member
// extraction in one pass) must accept exactly the valid JSON objects and
// return the members that objectFields finds.
func FuzzJSONValid(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5e-3,true,false,null,"x\u00e9\n"]}`, `01`, `-`, `{"a" 1}`,
		`[1,]`, `{"a":1,}`, " \t\n{ } ", `"\ud800"`, `1e`, `-0.0E+1`, `[[[[[[[[]]]]]]]]`, `{"a":{"b":{"c":[]}}}`, "\"\x01\"", "\"\xff\"", `{"\ud800":1}`, `{"\u0041":"\"}"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		valid := json.Valid(b)
		if got := validJSON(b); got != valid {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, valid)
		}
		fields, err := scanObject(b, nil)
		if err == errTooDeep {
			return
		}
		isObject := valid && b[skipSpace(b, 0)] == '{'
		var want []jfield
		var wantErr error
		if isObject {
			want, wantErr = objectFields(b, nil) // objectFields needs valid JSON
		}
		switch {
		case err == nil && !isObject:
			t.Fatalf("scanObject(%q) accepted what is not a valid JSON object", b)
		case err != nil && isObject && wantErr == nil:
			t.Fatalf("scanObject(%q) rejected a valid object: %v", b, err)
		case err != nil:
			return // also rejected by objectFields (a key with a lone surrogate escape)
		}
		if wantErr != nil || len(want) != len(fields) {
			t.Fatalf("scanObject(%q) = %d fields, objectFields = %d (%v)", b, len(fields), len(want), err)
		}
		for i := range want {
			if string(want[i].key) != string(fields[i].key) || string(want[i].val) != string(fields[i].val) {
				t.Fatalf("scanObject(%q) field %d = %q:%q, objectFields %q:%q", b, i, fields[i].key, fields[i].val, want[i].key, want[i].val)
			}
		}
	})
}

func TestValidJSONDeepNesting(t *testing.T) {
	t.Parallel()
	for _, depth := range []int{63, 64, 65, 200, 10001} {
		for name, doc := range map[string]string{
			"closed":   strings.Repeat("[", depth) + strings.Repeat("]", depth),
			"unclosed": strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth-1),
		} {
			if got, want := validJSON([]byte(doc)), json.Valid([]byte(doc)); got != want {
				t.Errorf("depth %d %s: validJSON = %v, json.Valid = %v", depth, name, got, want)
			}
		}
	}
}

// operationOf returns the table entry of res's operation.
func operationOf(res *Result) *opSpec {
	for i := range operationTable {
		if op := &operationTable[i]; op.api == res.API && op.name == res.Operation {
			return op
		}
	}
	return &opSpec{}
}
