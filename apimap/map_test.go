package apimap

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

const (
	acct = "123456789012"
	mt   = "arn:aws:mobiletargeting:us-east-1:123456789012:"
	sv   = "arn:aws:sms-voice:us-east-1:123456789012:"
)

func v2(op, body string) *Request {
	return &Request{Method: "POST", RawPath: "/", Body: []byte(body), Region: "us-east-1", Account: acct,
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2." + op}}}
}

func rest(method, path, body string) *Request {
	return &Request{Method: method, RawPath: path, Body: []byte(body), Region: "us-east-1", Account: acct}
}

// testBadRequests checks that Map refuses each of the named requests with
// BadRequest and no result.
func testBadRequests(t *testing.T, tests map[string]*Request) {
	t.Helper()
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(req)
			if !isKind(err, BadRequest) || res != nil {
				t.Errorf("Map(%s) = %+v, %v; want nil, BadRequest", req.Body, res, err)
			}
		})
	}
}

func TestMap(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		req        *Request
		op         string
		auths      []Permission
		tags       map[string]string
		tagKeys    []string
		unresolved []Unresolved
	}{
		"campaign": {
			req: rest("GET", "/v1/apps/abc/campaigns/c1", ""), op: "GetCampaign",
			auths: []Permission{{Action: "mobiletargeting:GetCampaign", Resources: []string{mt + "apps/abc/campaigns/c1"}}},
		},
		"template type from the path, upper-cased": {
			req: rest("DELETE", "/v1/templates/welcome/sms", ""), op: "DeleteSmsTemplate",
			auths: []Permission{{Action: "mobiletargeting:DeleteSmsTemplate", Resources: []string{mt + "templates/welcome/SMS"}}},
		},
		"literal beats label, with backtracking": {
			req: rest("PUT", "/v1/templates/welcome/email/active-version", "{}"), op: "UpdateTemplateActiveVersion",
			auths: []Permission{{Action: "mobiletargeting:UpdateTemplateActiveVersion", Resources: []string{mt + "templates/welcome/EMAIL"}}},
		},
		"encoded label": {
			req: rest("GET", "/v1/apps/abc/endpoints/user%40example.com", ""), op: "GetEndpoint",
			auths: []Permission{{Action: "mobiletargeting:GetEndpoint", Resources: []string{mt + "apps/abc/endpoints/user@example.com"}}},
		},
		"create app with tags": {
			req: rest("POST", "/v1/apps", `{"Name":"a","tags":{"team":"blue","env":"prod"}}`), op: "CreateApp",
			auths: []Permission{{Action: "mobiletargeting:CreateApp", Resources: []string{mt + "apps/*"}}},
			tags:  map[string]string{"team": "blue", "env": "prod"}, tagKeys: []string{"env", "team"},
		},
		"tag a segment by its encoded ARN": {
			req: rest("POST", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fabc%2Fsegments%2Fs1", `{"tags":{"k":"v"}}`),
			op:  "TagResource", auths: []Permission{{Action: "mobiletargeting:TagResource", Resources: []string{mt + "apps/abc/segments/s1"}}},
			tags: map[string]string{"k": "v"}, tagKeys: []string{"k"},
		},
		"untag another account's template": {
			req: rest("DELETE", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aeu-west-1%3A210987654321%3Atemplates%2Fw%2FEMAIL", ""),
			op:  "UntagResource", auths: []Permission{{Action: "mobiletargeting:UntagResource", Resources: []string{"arn:aws:mobiletargeting:eu-west-1:210987654321:templates/w/EMAIL"}}},
		},
		"v1 has no resource type": {
			req: rest("DELETE", "/v1/sms-voice/configuration-sets/cs1", ""), op: "DeleteConfigurationSet",
			auths: []Permission{{Action: "sms-voice:DeleteConfigurationSet", Resources: []string{"*"}}},
		},
		"v1 event destination passes a role": {
			req: rest("POST", "/v1/sms-voice/configuration-sets/cs1/event-destinations",
				`{"EventDestinationName":"e","EventDestination":{"CloudWatchLogsDestination":{"IamRoleArn":"arn:aws:iam::123456789012:role/logs","LogGroupArn":"x"}}}`),
			op: "CreateConfigurationSetEventDestination",
			auths: []Permission{{Action: "sms-voice:CreateConfigurationSetEventDestination", Resources: []string{"*"}},
				{Action: "iam:PassRole", Resources: []string{"arn:aws:iam::123456789012:role/logs"}}},
		},
		"v2 send with pool and configuration set": {
			req:   v2("SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-0123456789abcdef0","ConfigurationSetName":"cs"}`),
			op:    "SendTextMessage",
			auths: []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "configuration-set/cs", sv + "pool/pool-0123456789abcdef0"}}},
		},
		"v2 a short pool ID is also a sender ID: both readings": {
			req:        v2("SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-abc","ConfigurationSetName":"cs"}`),
			op:         "SendTextMessage",
			auths:      []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "configuration-set/cs", sv + "pool/pool-abc", sv + "sender-id/pool-abc"}}},
			unresolved: []Unresolved{{0, 2, "sender-id", "pool-abc", true}},
		},
		"v2 an escaped short ID has both readings too": {
			req:        v2("SendTextMessage", `{"OriginationIdentity":"rcs-\u0041"}`),
			op:         "SendTextMessage",
			auths:      []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "rcs-agent/rcs-A", sv + "sender-id/rcs-A"}}},
			unresolved: []Unresolved{{0, 1, "sender-id", "rcs-A", true}},
		},
		"v2 eleven characters may be a sender ID": {
			req:        v2("SendMediaMessage", `{"OriginationIdentity":"phone-12345"}`),
			op:         "SendMediaMessage",
			auths:      []Permission{{Action: "sms-voice:SendMediaMessage", Resources: []string{sv + "phone-number/phone-12345", sv + "sender-id/phone-12345"}}},
			unresolved: []Unresolved{{0, 1, "sender-id", "phone-12345", true}},
		},
		"v2 twelve characters are no sender ID": {
			req:   v2("SendMediaMessage", `{"OriginationIdentity":"phone-123456"}`),
			op:    "SendMediaMessage",
			auths: []Permission{{Action: "sms-voice:SendMediaMessage", Resources: []string{sv + "phone-number/phone-123456"}}},
		},
		"v2 a sender ID has no dot": {
			req:   v2("SendTextMessage", `{"OriginationIdentity":"pool-a.b"}`),
			op:    "SendTextMessage",
			auths: []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "pool/pool-a.b"}}},
		},
		"v2 short ID with its country: both readings, the sender ID's complete but still to check": {
			req:        v2("AssociateOriginationIdentity", `{"PoolId":"pool-1","OriginationIdentity":"phone-1","IsoCountryCode":"GB"}`),
			op:         "AssociateOriginationIdentity",
			auths:      []Permission{{Action: "sms-voice:AssociateOriginationIdentity", Resources: []string{sv + "phone-number/phone-1", sv + "sender-id/phone-1/GB", sv + "pool/pool-1"}}},
			unresolved: []Unresolved{{0, 1, "sender-id", "phone-1", true}},
		},
		"v2 DeleteKeyword takes no sender ID (documented)": {
			req:   v2("DeleteKeyword", `{"OriginationIdentity":"pool-abc","Keyword":"HELP"}`),
			op:    "DeleteKeyword",
			auths: []Permission{{Action: "sms-voice:DeleteKeyword", Resources: []string{sv + "pool/pool-abc"}}},
		},
		"v2 send with a pool ARN is the same ARN": {
			req:   v2("SendTextMessage", `{"OriginationIdentity":"arn:aws:sms-voice:us-east-1:123456789012:pool/pool-abc","ConfigurationSetName":"arn:aws:sms-voice:us-east-1:123456789012:configuration-set/cs"}`),
			op:    "SendTextMessage",
			auths: []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "configuration-set/cs", sv + "pool/pool-abc"}}},
		},
		"v2 send from a phone number ID (voice takes no sender ID, documented)": {
			req: v2("SendVoiceMessage", `{"OriginationIdentity":"phone-123"}`), op: "SendVoiceMessage",
			auths: []Permission{{Action: "sms-voice:SendVoiceMessage", Resources: []string{sv + "phone-number/phone-123"}}},
		},
		"v2 send from an RCS agent (RCS takes no sender ID, documented)": {
			req: v2("SendRcsMessage", `{"OriginationIdentity":"rcs-a1b2"}`), op: "SendRcsMessage",
			auths: []Permission{{Action: "sms-voice:SendRcsMessage", Resources: []string{sv + "rcs-agent/rcs-a1b2"}}},
		},
		"v2 send from an E.164 number needs resolving": {
			req: v2("SendTextMessage", `{"OriginationIdentity":"+12065550199"}`), op: "SendTextMessage",
			auths:      []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "phone-number/+12065550199"}}},
			unresolved: []Unresolved{{0, 0, "phone-number", "+12065550199", false}},
		},
		"v2 send from a bare sender ID needs resolving": {
			req: v2("SendTextMessage", `{"ConfigurationSetName":"cs","OriginationIdentity":"MYBRAND"}`), op: "SendTextMessage",
			auths:      []Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "configuration-set/cs", sv + "sender-id/MYBRAND"}}},
			unresolved: []Unresolved{{0, 1, "sender-id", "MYBRAND", false}},
		},
		"v2 sender ID with its country is complete": {
			req:   v2("AssociateOriginationIdentity", `{"PoolId":"pool-1","OriginationIdentity":"MYBRAND","IsoCountryCode":"GB"}`),
			op:    "AssociateOriginationIdentity",
			auths: []Permission{{Action: "sms-voice:AssociateOriginationIdentity", Resources: []string{sv + "sender-id/MYBRAND/GB", sv + "pool/pool-1"}}},
		},
		"v2 optional types not named": {
			req: v2("DescribePools", `{}`), op: "DescribePools",
			auths: []Permission{{Action: "sms-voice:DescribePools", Resources: []string{"*"}}},
		},
		"v2 list of IDs and ARNs": {
			req: v2("DescribePools", `{"PoolIds":["pool-1","arn:aws:sms-voice:us-east-1:123456789012:pool/pool-2"]}`), op: "DescribePools",
			auths: []Permission{{Action: "sms-voice:DescribePools", Resources: []string{sv + "pool/pool-1", sv + "pool/pool-2"}}},
		},
		"v2 sender IDs list": {
			req: v2("DescribeSenderIds", `{"SenderIds":[{"SenderId":"A","IsoCountryCode":"US"}]}`), op: "DescribeSenderIds",
			auths: []Permission{{Action: "sms-voice:DescribeSenderIds", Resources: []string{sv + "sender-id/A/US"}}},
		},
		"v2 create with tags: dependent TagResource on the named resource": {
			req: v2("CreateConfigurationSet", `{"ConfigurationSetName":"cs","Tags":[{"Key":"team","Value":"blue"}]}`),
			op:  "CreateConfigurationSet",
			auths: []Permission{{Action: "sms-voice:CreateConfigurationSet", Resources: []string{"*"}},
				{Action: "sms-voice:TagResource", Resources: []string{sv + "configuration-set/cs"}}},
			tags: map[string]string{"team": "blue"}, tagKeys: []string{"team"},
		},
		"v2 create without tags: no TagResource": {
			req:   v2("CreatePool", `{"OriginationIdentity":"phone-0123456789abcdef","IsoCountryCode":"US","MessageType":"TRANSACTIONAL"}`),
			op:    "CreatePool",
			auths: []Permission{{Action: "sms-voice:CreatePool", Resources: []string{sv + "phone-number/phone-0123456789abcdef"}}},
		},
		"v2 request phone number into a pool, with tags": {
			req: v2("RequestPhoneNumber", `{"IsoCountryCode":"US","PoolId":"pool-1","Tags":[{"Key":"a","Value":""}]}`),
			op:  "RequestPhoneNumber",
			auths: []Permission{{Action: "sms-voice:RequestPhoneNumber", Resources: []string{sv + "pool/pool-1"}},
				{Action: "sms-voice:AssociateOriginationIdentity", Resources: []string{sv + "pool/pool-1"}},
				{Action: "sms-voice:TagResource", Resources: []string{"*"}}},
			tags: map[string]string{"a": ""}, tagKeys: []string{"a"},
		},
		"v2 update pool passes a role": {
			req: v2("UpdatePool", `{"PoolId":"pool-1","TwoWayChannelRole":"arn:aws:iam::123456789012:role/two-way"}`), op: "UpdatePool",
			auths: []Permission{{Action: "sms-voice:UpdatePool", Resources: []string{sv + "pool/pool-1"}},
				{Action: "iam:PassRole", Resources: []string{"arn:aws:iam::123456789012:role/two-way"}}},
		},
		"v2 verification code by voice": {
			req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"v1","VerificationChannel":"VOICE","OriginationIdentity":"pool-0123456789abcdef0"}`),
			op:  "SendDestinationNumberVerificationCode",
			auths: []Permission{{Action: "sms-voice:SendDestinationNumberVerificationCode", Resources: []string{sv + "pool/pool-0123456789abcdef0"}},
				{Action: "sms-voice:SendVoiceMessage", Resources: []string{sv + "pool/pool-0123456789abcdef0"}}},
		},
		"v2 verification code from a short ID: both readings in both permissions": {
			req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"v1","VerificationChannel":"TEXT","OriginationIdentity":"pool-1"}`),
			op:  "SendDestinationNumberVerificationCode",
			auths: []Permission{{Action: "sms-voice:SendDestinationNumberVerificationCode", Resources: []string{sv + "pool/pool-1", sv + "sender-id/pool-1"}},
				{Action: "sms-voice:SendTextMessage", Resources: []string{sv + "pool/pool-1", sv + "sender-id/pool-1"}}},
			unresolved: []Unresolved{{0, 1, "sender-id", "pool-1", true}, {1, 1, "sender-id", "pool-1", true}},
		},
		"v2 untag": {
			req:     v2("UntagResource", `{"ResourceArn":"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/Default","TagKeys":["b","a"]}`),
			op:      "UntagResource",
			auths:   []Permission{{Action: "sms-voice:UntagResource", Resources: []string{sv + "opt-out-list/Default"}}},
			tagKeys: []string{"a", "b"},
		},
		"v2 empty body": {
			req: v2("DescribeAccountAttributes", ``), op: "DescribeAccountAttributes",
			auths: []Permission{{Action: "sms-voice:DescribeAccountAttributes", Resources: []string{"*"}}},
		},
		"partition from region": {
			req:   &Request{Method: "GET", RawPath: "/v1/apps/abc", Region: "us-gov-west-1", Account: acct, Service: "mobiletargeting"},
			op:    "GetApp",
			auths: []Permission{{Action: "mobiletargeting:GetApp", Resources: []string{"arn:aws-us-gov:mobiletargeting:us-gov-west-1:123456789012:apps/abc"}}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			if err != nil {
				t.Fatalf("Map(%s %s %s) error: %v", tc.req.Method, tc.req.RawPath, tc.req.Body, err)
			}
			if res.Operation != tc.op {
				t.Errorf("operation = %s, want %s", res.Operation, tc.op)
			}
			if !slices.EqualFunc(res.Permissions, tc.auths, func(a, b Permission) bool {
				return a.Action == b.Action && slices.Equal(a.Resources, b.Resources)
			}) {
				t.Errorf("authorizations\n got %v\nwant %v", res.Permissions, tc.auths)
			}
			if len(res.RequestTags) != len(tc.tags) {
				t.Errorf("request tags = %v, want %v", res.RequestTags, tc.tags)
			}
			for k, v := range tc.tags {
				if got, ok := res.RequestTags[k]; !ok || got != v {
					t.Errorf("request tag %s = %q, want %q", k, got, v)
				}
			}
			if !slices.Equal(res.TagKeys, tc.tagKeys) {
				t.Errorf("tag keys = %q, want %q", res.TagKeys, tc.tagKeys)
			}
			if !slices.Equal(res.Unresolved, tc.unresolved) {
				t.Errorf("unresolved = %v, want %v", res.Unresolved, tc.unresolved)
			}
		})
	}
}

func TestMapErrors(t *testing.T) {
	t.Parallel()
	withService := func(r *Request, s string) *Request { r.Service = s; return r }
	withRegion := func(r *Request, s string) *Request { r.Region = s; return r }
	tests := map[string]struct {
		req  *Request
		kind ErrorKind
	}{
		"unknown path":                  {rest("GET", "/v1/nothing", ""), UnknownOperation},
		"unknown method":                {rest("PATCH", "/v1/apps/abc", ""), UnknownOperation},
		"lower-case method":             {rest("get", "/v1/apps/abc", ""), UnknownOperation},
		"trailing slash":                {rest("GET", "/v1/apps/abc/", ""), BadRequest},
		"empty segment":                 {rest("GET", "/v1//apps", ""), BadRequest},
		"empty label":                   {rest("GET", "/v1/apps//campaigns/c1", ""), BadRequest},
		"encoded literal":               {rest("GET", "/v1/%61pps", ""), UnknownOperation},
		"root without target":           {rest("POST", "/", "{}"), UnknownOperation},
		"unknown target":                {v2("SendPigeon", "{}"), UnknownOperation},
		"target of another service":     {&Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: acct, Header: http.Header{"X-Amz-Target": {"Pinpoint.GetApps"}}}, UnknownOperation},
		"target with GET":               {&Request{Method: "GET", RawPath: "/", Region: "us-east-1", Account: acct, Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}}}, UnknownOperation},
		"target on a REST path":         {&Request{Method: "POST", RawPath: "/v1/apps", Region: "us-east-1", Account: acct, Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}}}, BadRequest},
		"two targets":                   {&Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: acct, Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools", "PinpointSMSVoiceV2.DeletePool"}}}, BadRequest},
		"dot segment":                   {rest("GET", "/v1/apps/../apps/abc", ""), BadRequest},
		"encoded dot segment":           {rest("GET", "/v1/apps/%2E%2e", ""), BadRequest},
		"single dot":                    {rest("GET", "/v1/apps/.", ""), BadRequest},
		"label with slash":              {rest("GET", "/v1/apps/a%2Fb", ""), BadRequest},
		"label with star":               {rest("GET", "/v1/apps/%2A", ""), BadRequest},
		"label with colon":              {rest("GET", "/v1/apps/a%3Ab", ""), BadRequest},
		"label with a path parameter":   {rest("GET", "/v1/apps/abc/campaigns/c1;jsessionid=x", ""), BadRequest},
		"label with a backslash":        {rest("GET", "/v1/apps/abc%5C..%5Cx/campaigns/c1", ""), BadRequest},
		"label with NUL":                {rest("GET", "/v1/apps/a%00", ""), BadRequest},
		"label empty after decoding":    {rest("GET", "/v1/recommenders/%", ""), BadRequest},
		"bad percent-encoding":          {rest("GET", "/v1/apps/%zz", ""), BadRequest},
		"relative path":                 {rest("GET", "v1/apps", ""), BadRequest},
		"tag ARN of another service":    {rest("GET", "/v1/tags/arn%3Aaws%3Asms-voice%3Aus-east-1%3A123456789012%3Apool%2Fp", ""), BadRequest},
		"tag ARN of an untaggable type": {rest("GET", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fa%2Fchannels%2Fsms", ""), BadRequest},
		"tag ARN malformed":             {rest("GET", "/v1/tags/arn%3Aaws%3Amobiletargeting", ""), BadRequest},
		"tag ARN with a wildcard":       {rest("GET", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2F%2A", ""), BadRequest},
		"tags not an object":            {rest("POST", "/v1/apps", `{"tags":["a"]}`), BadRequest},
		"tag value not a string":        {rest("POST", "/v1/apps", `{"tags":{"a":1}}`), BadRequest},
		"duplicate tag key":             {rest("POST", "/v1/apps", `{"tags":{"a":"1","a":"2"}}`), BadRequest},
		"duplicate tags member":         {rest("POST", "/v1/apps", `{"tags":{"a":"1"},"tags":{}}`), BadRequest},
		"tags in another case":          {rest("POST", "/v1/apps", `{"Tags":{"a":"1"}}`), BadRequest},
		"malformed JSON":                {rest("POST", "/v1/apps", `{"tags":`), BadRequest},
		"malformed query": {&Request{Method: "DELETE", RawPath: "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2Fa",
			RawQuery: "tagKeys=%zz", Region: "us-east-1", Account: acct}, BadRequest},
		"v2 body not JSON":               {v2("DescribePools", `nope`), BadRequest},
		"v2 body an array":               {v2("DescribePools", `[]`), BadRequest},
		"v2 member of wrong type":        {v2("DeletePool", `{"PoolId":7}`), BadRequest},
		"v2 member twice":                {v2("DeletePool", `{"PoolId":"pool-a","PoolId":"pool-b"}`), BadRequest},
		"v2 member in another case":      {v2("DeletePool", `{"poolId":"pool-a"}`), BadRequest},
		"v2 member escaped twice":        {v2("DeletePool", `{"PoolId":"pool-a","Pool\u0049d":"pool-b"}`), BadRequest},
		"v2 required member missing":     {v2("DeletePool", `{}`), BadRequest},
		"v2 ID with a slash":             {v2("DeletePool", `{"PoolId":"pool/x"}`), BadRequest},
		"v2 ARN of the wrong type":       {v2("DeletePool", `{"PoolId":"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/x"}`), BadRequest},
		"v2 ARN of the wrong service":    {v2("DeletePool", `{"PoolId":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/x"}`), BadRequest},
		"v2 ARN with a bad account":      {v2("DeletePool", `{"PoolId":"arn:aws:sms-voice:us-east-1:12345:pool/x"}`), BadRequest},
		"v2 ARN with extra parts":        {v2("DeletePool", `{"PoolId":"arn:aws:sms-voice:us-east-1:123456789012:pool/x/y"}`), BadRequest},
		"v2 ARN partition mismatch":      {v2("DeletePool", `{"PoolId":"arn:aws-cn:sms-voice:us-east-1:123456789012:pool/x"}`), BadRequest},
		"v2 origination not an identity": {v2("SendTextMessage", `{"OriginationIdentity":"this-is-far-too-long"}`), BadRequest},
		"v2 tags without Value":          {v2("CreateOptOutList", `{"OptOutListName":"o","Tags":[{"Key":"a"}]}`), BadRequest},
		"v2 tags not a list":             {v2("CreateOptOutList", `{"OptOutListName":"o","Tags":{"a":"b"}}`), BadRequest},
		"v2 role not a role ARN":         {v2("UpdatePool", `{"PoolId":"p","TwoWayChannelRole":"arn:aws:iam::123456789012:user/u"}`), BadRequest},
		"v2 verification channel":        {v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"v","VerificationChannel":"FAX"}`), BadRequest},
		"v2 invalid UTF-8":               {v2("CreateOptOutList", "{\"OptOutListName\":\"o\",\"Tags\":[{\"Key\":\"\xff\",\"Value\":\"\"}]}"), BadRequest},
		"service mismatch":               {withService(rest("GET", "/v1/apps", ""), "sms-voice"), ServiceMismatch},
		"v2 signed for pinpoint":         {withService(v2("DescribePools", "{}"), "mobiletargeting"), ServiceMismatch},
		"unknown region":                 {withRegion(rest("GET", "/v1/apps", ""), "mars-north-1"), BadRequest},
		"no account":                     {&Request{Method: "GET", RawPath: "/v1/apps", Region: "us-east-1"}, BadRequest},
		"nil request":                    {nil, BadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Map() = %+v, %v; want an *Error of kind %v", res, err, tc.kind)
			}
			if res != nil {
				t.Errorf("Map() returned a result with an error")
			}
			if me.Kind != tc.kind {
				t.Errorf("Map() error kind = %v (%v), want %v", me.Kind, err, tc.kind)
			}
		})
	}
}

func TestIDAndARNGiveTheSameARN(t *testing.T) {
	t.Parallel()
	for name, pair := range map[string][2]string{
		"pool":         {`{"PoolId":"pool-1"}`, `{"PoolId":"arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1"}`},
		"opt-out list": {`{"OptOutListName":"o"}`, `{"OptOutListName":"arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/o"}`},
		"sender ID":    {`{"SenderId":"S","IsoCountryCode":"US"}`, `{"SenderId":"arn:aws:sms-voice:us-east-1:123456789012:sender-id/S/US"}`},
		"phone number": {`{"PhoneNumberId":"phone-1"}`, `{"PhoneNumberId":"arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-1"}`},
		"registration": {`{"RegistrationId":"r"}`, `{"RegistrationId":"arn:aws:sms-voice:us-east-1:123456789012:registration/r"}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op := map[string]string{"pool": "DeletePool", "opt-out list": "DeleteOptOutList", "sender ID": "ReleaseSenderId",
				"phone number": "ReleasePhoneNumber", "registration": "DeleteRegistration"}[name]
			a, err := Map(v2(op, pair[0]))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Map(v2(op, pair[1]))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Permissions[0].Resources, b.Permissions[0].Resources) {
				t.Errorf("ID gives %v, ARN gives %v", a.Permissions[0].Resources, b.Permissions[0].Resources)
			}
		})
	}
}

func TestSigningNameAndKnownActions(t *testing.T) {
	t.Parallel()
	for api, want := range map[string]string{APIPinpoint: "mobiletargeting", APISMSVoice: "sms-voice", APISMSVoiceV2: "sms-voice", "s3": ""} {
		if got := SigningName(api); got != want {
			t.Errorf("SigningName(%q) = %q, want %q", api, got, want)
		}
	}
	for action, want := range map[string]bool{
		"mobiletargeting:GetApps": true, "MOBILETARGETING:getapps": true, "mobiletargeting:GetReports": true,
		"sms-voice:ListAvailablePhoneNumbers": true, "sms-voice:SendTextMessage": true,
		"sms-voice:CreateConfigurationSetEventDestination": true, "mobiletargeting:GetApp*": false,
		"iam:PassRole": true, "s3:GetObject": false, "": false,
	} {
		if got := IsKnownAction(action); got != want {
			t.Errorf("IsKnownAction(%q) = %v, want %v", action, got, want)
		}
	}
}

func TestPartition(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "ap-southeast-7": "aws", "cn-north-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eusc-de-east-1": "aws-eusc", "us-west-9": "aws", "us-gov-east-7": "aws-us-gov",
		"": "", "mars-1": "", "US-EAST-1": "", "us-east-1\n": "", "aws-global": "",
	} {
		got, ok := Partition(region)
		if got != want || ok != (want != "") {
			t.Errorf("Partition(%q) = %q, %v; want %q", region, got, ok, want)
		}
	}
}

func TestTaggableOwner(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]bool{
		mt + "apps/abc":              true,
		mt + "apps/abc/campaigns/c":  true,
		mt + "templates/w/EMAIL":     true,
		mt + "apps/abc/channels/sms": false,
		mt + "recommenders/r":        false,
		sv + "pool/p":                true,
		sv + "sender-id/S/US":        true,
		sv + "message/m":             false,
		"arn:aws:s3:::bucket":        false,
		"not an arn":                 false,
	} {
		got, ok := TaggableOwner(arn)
		if ok != want || ok && got != arn {
			t.Errorf("TaggableOwner(%q) = %q, %v; want ok=%v", arn, got, ok, want)
		}
	}
}

// TestMapConcurrent maps the same requests from several goroutines (the
// scratch state is pooled) and compares with a sequential run; it also checks
// that Map leaves the request body as it was.
func TestMapConcurrent(t *testing.T) {
	t.Parallel()
	reqs := []*Request{
		rest("GET", "/v1/apps/abc/campaigns/c1", ""),
		rest("POST", "/v1/apps", `{"tags":{"a":"b","c":"d"}}`),
		v2("SendTextMessage", `{"OriginationIdentity":"pool-1","ConfigurationSetName":"cs","DestinationPhoneNumber":"+12065550100"}`),
		v2("SendTextMessage", `{"OriginationIdentity":"+12065550100"}`),
		v2("DescribePools", `{"PoolIds":["pool-1","pool-2","pool-3","pool-4"]}`),
		v2("DeletePool", `{"PoolId":7}`),
	}
	type outcome struct {
		res *Result
		err error
	}
	want := make([]outcome, len(reqs))
	bodies := make([]string, len(reqs))
	for i, r := range reqs {
		bodies[i] = string(r.Body)
		res, err := Map(r)
		want[i] = outcome{res, err}
	}
	same := func(a, b outcome) bool {
		if (a.err == nil) != (b.err == nil) {
			return false
		}
		if a.err != nil {
			return a.err.Error() == b.err.Error()
		}
		return a.res.Operation == b.res.Operation && slices.EqualFunc(a.res.Permissions, b.res.Permissions, func(x, y Permission) bool {
			return x.Action == y.Action && slices.Equal(x.Resources, y.Resources)
		}) && slices.Equal(a.res.TagKeys, b.res.TagKeys) && slices.Equal(a.res.Unresolved, b.res.Unresolved)
	}
	errs := make(chan string, 8)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for n := 0; n < 300; n++ {
				i := (n + g) % len(reqs)
				res, err := Map(reqs[i])
				if !same(outcome{res, err}, want[i]) {
					errs <- fmt.Sprintf("request %d: got %+v %v, want %+v %v", i, res, err, want[i].res, want[i].err)
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i, r := range reqs {
		if string(r.Body) != bodies[i] {
			t.Errorf("request %d: Map changed the body to %q", i, r.Body)
		}
	}
}
