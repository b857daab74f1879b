package wirecheck

import (
	"net/http"
	"strings"
	"testing"
)

func request(g Generated) Request {
	return Request{Method: g.Method, RawPath: g.Path, RawQuery: g.RawQuery, Header: http.Header(g.Header), Body: g.Body}
}

// TestGeneratedRequestsReadBack: every operation's generated request, and
// every mutation of it, is read back as that operation (the mutations that
// add a second operation add a second reading).
func TestGeneratedRequestsReadBack(t *testing.T) {
	ms := LoadForTest(t)
	n := 0
	for _, api := range []string{"pinpoint", "sms-voice", "sms-voice-v2"} {
		a := ms.APIs[api]
		for _, op := range a.OperationNames() {
			g, err := ms.Generate(api, op)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range append([]Generated{g}, ms.Mutations(g)...) {
				n++
				rds, err := ms.Read(request(v))
				if err != nil {
					t.Errorf("%s %s %s: Read: %v", api, op, v.Mutation, err)
					continue
				}
				if rds[0].API != api || rds[0].Operation != op {
					t.Errorf("%s %s %s: read as %s %s", api, op, v.Mutation, rds[0].API, rds[0].Operation)
				}
				if len(rds[0].Notes) > 0 {
					t.Errorf("%s %s %s: notes %v", api, op, v.Mutation, rds[0].Notes)
				}
			}
		}
	}
	if n < 300 {
		t.Fatalf("only %d generated requests", n)
	}
}

func identsOf(rds []Reading) map[string][]Ident {
	out := map[string][]Ident{}
	for _, rd := range rds {
		for _, id := range rd.Idents {
			out[id.Member] = append(out[id.Member], id)
		}
	}
	return out
}

// TestRead: named cases of what the reader must see.
func TestRead(t *testing.T) {
	ms := LoadForTest(t)
	v2 := func(target, body string, extra ...string) Request {
		h := http.Header{"X-Amz-Target": {target}, "Content-Type": {"application/x-amz-json-1.0"}}
		for i := 0; i+1 < len(extra); i += 2 {
			h.Add(extra[i], extra[i+1])
		}
		return Request{Method: "POST", RawPath: "/", Header: h, Body: []byte(body)}
	}
	tests := map[string]struct {
		req     Request
		wantOps []string
		want    map[string][]string // member -> values
		class   map[string]Class
	}{
		"rest label decoded": {
			req:     Request{Method: "GET", RawPath: "/v1/apps/ab%2Fc/campaigns/c1", Header: http.Header{}},
			wantOps: []string{"GetCampaign"},
			want:    map[string][]string{"{application-id}": {"ab/c"}, "{campaign-id}": {"c1"}},
		},
		"nested role and topic": {
			req: v2("PinpointSMSVoiceV2.CreateEventDestination",
				`{"ConfigurationSetName":"cs","EventDestinationName":"e","MatchingEventTypes":["ALL"],"SnsDestination":{"TopicArn":"arn:aws:sns:us-east-1:9:t"},"KinesisFirehoseDestination":{"IamRoleArn":"arn:aws:iam::9:role/r","DeliveryStreamArn":"arn:aws:firehose:us-east-1:9:deliverystream/d"}}`),
			wantOps: []string{"CreateEventDestination"},
			want: map[string][]string{"ConfigurationSetName": {"cs"}, "SnsDestination.TopicArn": {"arn:aws:sns:us-east-1:9:t"},
				"KinesisFirehoseDestination.IamRoleArn": {"arn:aws:iam::9:role/r"}, "KinesisFirehoseDestination.DeliveryStreamArn": {"arn:aws:firehose:us-east-1:9:deliverystream/d"}},
			// The configuration set is not the operation's own resource (an
			// event destination is): a reference, which an authorization
			// accounts for as well.
			class: map[string]Class{"ConfigurationSetName": Reference, "KinesisFirehoseDestination.IamRoleArn": Role, "SnsDestination.TopicArn": Reference},
		},
		"duplicate and case-folded members": {
			req:     v2("PinpointSMSVoiceV2.DescribePools", `{"PoolIds":["pool-a"],"PoolIds":["pool-b"],"poolids":["pool-c"]}`),
			wantOps: []string{"DescribePools"},
			want:    map[string][]string{"PoolIds": {"pool-a", "pool-b", "pool-c"}},
			class:   map[string]Class{"PoolIds": Resource},
		},
		"origination identity of a send": {
			req:     v2("PinpointSMSVoiceV2.SendTextMessage", `{"OriginationIdentity":"pool-a","ConfigurationSetName":"cs","DestinationPhoneNumber":"+12065550100"}`),
			wantOps: []string{"SendTextMessage"},
			want:    map[string][]string{"OriginationIdentity": {"pool-a"}, "ConfigurationSetName": {"cs"}},
			class:   map[string]Class{"OriginationIdentity": Resource, "ConfigurationSetName": Reference},
		},
		"two targets": {
			req:     v2("PinpointSMSVoiceV2.DescribePools", `{"PoolId":"pool-a"}`, "X-Amz-Target", "PinpointSMSVoiceV2.DeletePool"),
			wantOps: []string{"DescribePools", "DeletePool"},
			want:    map[string][]string{"PoolId": {"pool-a"}},
		},
		"method override": {
			req:     Request{Method: "GET", RawPath: "/v1/apps/a1", Header: http.Header{"X-Http-Method-Override": {"DELETE"}}},
			wantOps: []string{"GetApp", "DeleteApp"},
		},
		"gzip body": {
			req: Request{Method: "POST", RawPath: "/v1/apps/a1/jobs/import", Header: http.Header{"Content-Encoding": {"gzip"}},
				Body: gzipBytes([]byte(`{"RoleArn":"arn:aws:iam::9:role/imp","S3Url":"s3://b/k","Format":"CSV"}`))},
			wantOps: []string{"CreateImportJob"},
			want:    map[string][]string{"RoleArn": {"arn:aws:iam::9:role/imp"}, "S3Url": {"s3://b/k"}},
			class:   map[string]Class{"RoleArn": Role, "S3Url": Reference},
		},
		"template reference and scoped segment": {
			req: Request{Method: "POST", RawPath: "/v1/apps/a1/campaigns", Header: http.Header{},
				Body: []byte(`{"SegmentId":"s1","TemplateConfiguration":{"EmailTemplate":{"Name":"tmpl-b"}}}`)},
			wantOps: []string{"CreateCampaign"},
			want:    map[string][]string{"SegmentId": {"s1"}, "TemplateConfiguration.EmailTemplate.Name": {"tmpl-b"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rds, err := ms.Read(tc.req)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var ops []string
			for _, rd := range rds {
				ops = append(ops, rd.Operation)
			}
			if strings.Join(ops, ",") != strings.Join(tc.wantOps, ",") {
				t.Fatalf("operations %v, want %v", ops, tc.wantOps)
			}
			got := identsOf(rds)
			for m, vals := range tc.want {
				var gv []string
				for _, id := range got[m] {
					gv = append(gv, id.Value)
				}
				if strings.Join(gv, ",") != strings.Join(vals, ",") {
					t.Errorf("%s = %v, want %v (all: %v)", m, gv, vals, got)
				}
			}
			for m, c := range tc.class {
				if len(got[m]) == 0 || got[m][0].Class != c {
					t.Errorf("%s class %v, want %v", m, got[m], c)
				}
			}
		})
	}
	// The scoped segment is enclosed by the application label.
	rds, _ := ms.Read(tests["template reference and scoped segment"].req)
	for _, id := range rds[0].Idents {
		if id.Member == "SegmentId" && id.Scope != "{ApplicationId}" {
			t.Errorf("SegmentId scope %q, want {ApplicationId}", id.Scope)
		}
		if id.Member == "TemplateConfiguration.EmailTemplate.Name" && (id.Scope != "" || id.Class != Reference) {
			t.Errorf("template name %+v, want an unscoped reference", id)
		}
	}
}

// TestCheck: the checker flags what the audit does not account for.
func TestCheck(t *testing.T) {
	rd := Reading{API: "sms-voice-v2", Operation: "CreateEventDestination", Action: "sms-voice:CreateEventDestination", Idents: []Ident{
		{Member: "ConfigurationSetName", Value: "cs", Class: Resource},
		{Member: "IamRoleArn", Value: "arn:aws:iam::9:role/r", Class: Role},
		{Member: "TopicArn", Value: "arn:aws:sns:us-east-1:9:t", Class: Reference},
		{Member: "S3", Value: "s3://b/k", Class: Reference},
	}}
	full := Audit{
		Authorizations: []Authorization{
			{Action: "sms-voice:CreateEventDestination", Resources: []string{"arn:aws:sms-voice:us-east-1:1:configuration-set/cs"}},
			{Action: "iam:PassRole", Resources: []string{"arn:aws:iam::9:role/r"}},
		},
		References: []Ref{{Kind: "sns-topic", ARN: "arn:aws:sns:us-east-1:9:t"}, {Kind: "s3", ARN: "arn:aws:s3:::b/k"}},
	}
	if v := Check(rd, full); len(v) != 0 {
		t.Errorf("Check(full) = %v, want none", v)
	}
	bare := Audit{Authorizations: []Authorization{{Action: "sms-voice:CreateEventDestination", Resources: []string{"arn:aws:sms-voice:us-east-1:1:configuration-set/csx"}}}}
	v := Check(rd, bare)
	if len(v) != 4 {
		t.Errorf("Check(bare) = %v, want 4 violations", v)
	}
	if v := Check(Reading{API: "x", Operation: "DeletePool", Action: "sms-voice:DeletePool"}, bare); len(v) != 1 {
		t.Errorf("unauthorized operation: %v", v)
	}
}

// TestOwnMember: which member names the operation's own resource.
func TestOwnMember(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		op, member string
		want       bool
	}{
		"created name":          {"CreateConfigurationSet", "ConfigurationSetName", true},
		"plural list":           {"DescribePools", "PoolIds", true},
		"sender ID request":     {"RequestSenderId", "SenderId", true},
		"list of pairs":         {"DescribeSenderIds", "SenderId", true},
		"value, not a resource": {"SetDefaultSenderId", "SenderId", false},
		"another resource":      {"CreateNotifyConfiguration", "PoolId", false},
		"no suffix":             {"CreatePool", "Pool", false},
	}
	for name, tc := range tests {
		if got := ownMember(tc.op, tc.member); got != tc.want {
			t.Errorf("%s: ownMember(%q, %q) = %v, want %v", name, tc.op, tc.member, got, tc.want)
		}
	}
}

// TestCheckBoundedRecord: a record that cut a string or left entries out
// accounts for what it says it left out, and no more.
func TestCheckBoundedRecord(t *testing.T) {
	t.Parallel()
	long := "phone-" + strings.Repeat("a", 250)
	rd := Reading{API: "sms-voice-v2", Operation: "DeletePhoneNumber", Action: "sms-voice:DeletePhoneNumber", Idents: []Ident{
		{Member: "PhoneNumberId", Value: long, Class: Resource},
		{Member: "A", Value: "arn:aws:sns:us-east-1:9:a", Class: Reference},
		{Member: "B", Value: "arn:aws:sns:us-east-1:9:b", Class: Reference},
	}}
	cut := "arn:aws:sms-voice:us-east-1:1:phone-number/" + long[:100] + "…(+156 bytes)"
	a := Audit{Authorizations: []Authorization{{Action: "sms-voice:DeletePhoneNumber", Resources: []string{cut}}}, OmittedReferences: 2}
	if v := Check(rd, a); len(v) != 0 {
		t.Errorf("Check(cut, 2 omitted) = %v, want none", v)
	}
	a.OmittedReferences = 1
	if v := Check(rd, a); len(v) != 1 {
		t.Errorf("Check(cut, 1 omitted) = %v, want 1 violation", v)
	}
	a.Authorizations[0].Resources[0] = "arn:aws:sms-voice:us-east-1:1:phone-number/" + long[:100] + "…(+10 bytes)"
	a.OmittedReferences = 2
	if v := Check(rd, a); len(v) != 1 {
		t.Errorf("Check(cut too short) = %v, want 1 violation", v)
	}
}
