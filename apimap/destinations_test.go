package apimap

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
	"github.com/pinpointgw/gateway/internal/testenv"
)

const (
	ukNumber = "+447700900123"
	usNumber = "+12065550100"
)

func phone(member, v string) Destination {
	return Destination{Form: DestinationPhoneNumber, Member: member, Value: v}
}

// addresses returns a Pinpoint Addresses object of n entries, each of
// channel ch ("" = no ChannelType), numbered from first.
func addresses(first, n int, ch string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if ch == "" {
			fmt.Fprintf(&b, `"+4477009%05d":{}`, first+i)
		} else {
			fmt.Fprintf(&b, `"+4477009%05d":{"ChannelType":%q}`, first+i, ch)
		}
	}
	return "{" + b.String() + "}"
}

func TestDestinations(t *testing.T) {
	t.Parallel()
	hundred := make([]Destination, 100)
	for i := range hundred {
		k := fmt.Sprintf("+4477009%05d", i)
		hundred[i] = phone(`Addresses["`+k+`"]`, k)
	}
	tests := map[string]struct {
		req  *Request
		want []Destination
	}{
		"v2 text":   {req: v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123","MessageBody":"hi"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 voice":  {req: v2("SendVoiceMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 media":  {req: v2("SendMediaMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 RCS":    {req: v2("SendRcsMessage", `{"OriginationIdentity":"rcs-1","DestinationPhoneNumber":"+447700900123"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 notify": {req: v2("SendNotifyTextMessage", `{"NotifyConfigurationId":"nc-1","DestinationPhoneNumber":"+447700900123"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 notify voice": {req: v2("SendNotifyVoiceMessage", `{"NotifyConfigurationId":"nc-1","DestinationPhoneNumber":"+447700900123"}`),
			want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"v2 value exactly as sent, escapes decoded": {req: v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"\u002B44 7700 900123"}`),
			want: []Destination{phone("DestinationPhoneNumber", "+44 7700 900123")}},
		"v2 verification code": {req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"verified-1","VerificationChannel":"TEXT"}`),
			want: []Destination{{Form: DestinationVerifiedID, Member: "VerifiedDestinationNumberId", Value: "verified-1"}}},
		"v2 carrier lookup": {req: v2("CarrierLookup", `{"PhoneNumber":"+447700900123"}`), want: []Destination{phone("PhoneNumber", ukNumber)}},
		"v1 voice":          {req: rest("POST", "/v1/sms-voice/voice/message", `{"DestinationPhoneNumber":"+447700900123","OriginationPhoneNumber":"+12065550100"}`), want: []Destination{phone("DestinationPhoneNumber", ukNumber)}},
		"pinpoint OTP": {req: rest("POST", app+"/otp", `{"Channel":"SMS","BrandName":"b","DestinationIdentity":"+447700900123","OriginationIdentity":"+12065550100","ReferenceId":"r"}`),
			want: []Destination{phone("DestinationIdentity", ukNumber)}},
		"pinpoint phone number validate": {req: rest("POST", "/v1/phone/number/validate", `{"PhoneNumber":"+447700900123","IsoCountryCode":"GB"}`),
			want: []Destination{phone("PhoneNumber", ukNumber)}},
		"pinpoint messages: channels, endpoints, request order": {
			req: rest("POST", app+"/messages", `{"Endpoints":{"ep-1":{},"ep-2":{"BodyOverride":"x"}},"Addresses":{`+
				`"+447700900123":{"ChannelType":"SMS"},"a@example.com":{"ChannelType":"EMAIL"},"+12065550100":{"ChannelType":"VOICE"},`+
				`"tok":{"ChannelType":"GCM"},"+447700900124":{"BodyOverride":"no channel"},"+447700900125":null,"\u002B447700900126":{"ChannelType":null},`+
				`"+447700900127":{"ChannelType":"sms"}},"MessageConfiguration":{"SMSMessage":{"Body":"hi"}}}`),
			want: []Destination{
				{Form: DestinationEndpoint, Member: `Endpoints["ep-1"]`, Value: "ep-1"},
				{Form: DestinationEndpoint, Member: `Endpoints["ep-2"]`, Value: "ep-2"},
				phone(`Addresses["+447700900123"]`, ukNumber),
				phone(`Addresses["+12065550100"]`, usNumber),
				phone(`Addresses["+447700900124"]`, "+447700900124"),
				phone(`Addresses["+447700900125"]`, "+447700900125"),
				phone(`Addresses["+447700900126"]`, "+447700900126"),
				phone(`Addresses["+447700900127"]`, "+447700900127"), // a channel the model does not list counts (fail closed)
			},
		},
		"pinpoint messages: only push and email": {req: rest("POST", app+"/messages", `{"Addresses":{"a@example.com":{"ChannelType":"EMAIL"},"tok":{"ChannelType":"APNS"}}}`)},
		"pinpoint messages: empty maps":          {req: rest("POST", app+"/messages", `{"Addresses":{},"Endpoints":null}`)},
		"pinpoint messages: 100 addresses":       {req: rest("POST", app+"/messages", `{"Addresses":`+addresses(0, 100, "")+`}`), want: hundred},
		"pinpoint messages: skipped addresses do not count": {req: rest("POST", app+"/messages", `{"Addresses":`+
			strings.TrimSuffix(addresses(0, 100, "SMS"), "}")+","+strings.TrimPrefix(addresses(100, 150, "EMAIL"), "{")+`}`),
			want: hundred},
		"pinpoint users messages": {req: rest("POST", app+"/users-messages", `{"Users":{"user-1":{},"user-2":{"TitleOverride":"t"}},"MessageConfiguration":{"SMSMessage":{"Body":"hi"}}}`),
			want: []Destination{{Form: DestinationUser, Member: `Users["user-1"]`, Value: "user-1"}, {Form: DestinationUser, Member: `Users["user-2"]`, Value: "user-2"}}},
		"no destination sent":                      {req: v2("SendTextMessage", `{"OriginationIdentity":"pool-1"}`)},
		"REST operation that sends nothing":        {req: rest("GET", app, "")},
		"v2 operation that sends nothing":          {req: v2("DescribePools", `{}`)},
		"verify OTP sends nothing":                 {req: rest("POST", app+"/verify-otp", `{"DestinationIdentity":"+447700900123","Otp":"1","ReferenceId":"r"}`)},
		"creating a verified number sends nothing": {req: v2("CreateVerifiedDestinationNumber", `{"DestinationPhoneNumber":"+447700900123"}`)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			if err != nil {
				t.Fatalf("Map(%s %s %s) error: %v", tc.req.Method, tc.req.RawPath, tc.req.Body, err)
			}
			if !slices.Equal(res.Destinations, tc.want) {
				t.Errorf("destinations\n got %+v\nwant %+v", res.Destinations, tc.want)
			}
			if tc.want == nil && res.Destinations != nil {
				t.Errorf("destinations = %#v, want nil", res.Destinations)
			}
		})
	}
}

func TestDestinationErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]*Request{
		"v2 empty number (below the model's minimum)": v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":""}`),
		"v2 number not a string":                      v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":447700900123}`),
		"v2 number twice":                             v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123","DestinationPhoneNumber":"+12065550100"}`),
		"v2 number in another case":                   v2("SendVoiceMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"+447700900123","destinationPhoneNumber":"+12065550100"}`),
		"v1 number not a string":                      rest("POST", "/v1/sms-voice/voice/message", `{"DestinationPhoneNumber":["+447700900123"]}`),
		"OTP destination not a string":                rest("POST", app+"/otp", `{"DestinationIdentity":{"n":"+447700900123"}}`),
		"validate number not a string":                rest("POST", "/v1/phone/number/validate", `{"PhoneNumber":447700900123}`),
		"addresses not an object":                     rest("POST", app+"/messages", `{"Addresses":["+447700900123"]}`),
		"address value not an object":                 rest("POST", app+"/messages", `{"Addresses":{"+447700900123":"SMS"}}`),
		"channel type not a string":                   rest("POST", app+"/messages", `{"Addresses":{"+447700900123":{"ChannelType":["EMAIL"]}}}`),
		"channel type twice":                          rest("POST", app+"/messages", `{"Addresses":{"+447700900123":{"ChannelType":"EMAIL","ChannelType":"SMS"}}}`),
		"channel type in another case":                rest("POST", app+"/messages", `{"Addresses":{"+447700900123":{"ChannelType":"EMAIL","channelType":"SMS"}}}`),
		"endpoints not an object":                     rest("POST", app+"/messages", `{"Endpoints":"ep-1"}`),
		"endpoint value not an object":                rest("POST", app+"/messages", `{"Endpoints":{"ep-1":1}}`),
		"users not an object":                         rest("POST", app+"/users-messages", `{"Users":["user-1"]}`),
		"key not valid UTF-8":                         rest("POST", app+"/messages", "{\"Addresses\":{\"+44\xff\":{}}}"),
		"101 addresses":                               rest("POST", app+"/messages", `{"Addresses":`+addresses(0, 101, "SMS")+`}`),
		"100 addresses and one endpoint":              rest("POST", app+"/messages", `{"Addresses":`+addresses(0, 100, "")+`,"Endpoints":{"ep-1":{}}}`),
		"101 users":                                   rest("POST", app+"/users-messages", `{"Users":`+strings.ReplaceAll(addresses(0, 101, ""), "+", "u")+`}`),
		"number with a lone surrogate":                v2("SendTextMessage", `{"OriginationIdentity":"pool-1","DestinationPhoneNumber":"\ud800"}`),
		"verification ID not a string":                v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":1,"VerificationChannel":"TEXT"}`),
		"carrier lookup number not a string":          v2("CarrierLookup", `{"PhoneNumber":null,"PhoneNumber":1}`),
	}
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

// TestDestinationWalkMalformed runs the destination walk alone, without
// the model validation that Map runs first (and that refuses these bodies
// already), so that the walk's own checks are tested too.
func TestDestinationWalkMalformed(t *testing.T) {
	t.Parallel()
	tests := map[string]*Request{
		"v2 number not a string":       v2("SendTextMessage", `{"DestinationPhoneNumber":1}`),
		"v1 number not a string":       rest("POST", "/v1/sms-voice/voice/message", `{"DestinationPhoneNumber":["+447700900123"]}`),
		"addresses not an object":      rest("POST", app+"/messages", `{"Addresses":["+447700900123"]}`),
		"address value not an object":  rest("POST", app+"/messages", `{"Addresses":{"+447700900123":"SMS"}}`),
		"channel type not a string":    rest("POST", app+"/messages", `{"Addresses":{"+447700900123":{"ChannelType":1}}}`),
		"endpoint value not an object": rest("POST", app+"/messages", `{"Endpoints":{"ep-1":true}}`),
		"users not an object":          rest("POST", app+"/users-messages", `{"Users":"user-1"}`),
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op, labels, err := classify(req, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := parseObject(req.Body, nil) // not parseBody: it checks the top-level types
			if err != nil {
				t.Fatal(err)
			}
			m := &mapper{req: req, op: op, rawLabels: labels, body: body, res: &Result{}}
			if err := m.destinations(nil); !isKind(err, BadRequest) {
				t.Errorf("destinations(%s) error = %v, want BadRequest", req.Body, err)
			}
		})
	}
}

// TestDestinationsCostNothingElsewhere checks that the destination walk of
// an operation without destination members allocates nothing (not
// parallel: AllocsPerRun refuses to run in a parallel test).
func TestDestinationsCostNothingElsewhere(t *testing.T) {
	for _, op := range []string{"DescribePools", "CreateEventDestination"} {
		m := &mapper{op: v2Ops[op], res: &Result{}}
		if len(m.op.dests) != 0 {
			t.Fatalf("%s has destination members", op)
		}
		if n := testing.AllocsPerRun(100, func() {
			if err := m.destinations(nil); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("destinations() of %s: %v allocations, want 0", op, n)
		}
	}
}

// TestDestinationEveryMember walks the models on its own, puts a value at
// every member that the generator classifies as a destination, and checks
// that Map reports it there; every operation whose name starts with "Send"
// must have one.
func TestDestinationEveryMember(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	classes, err := codegen.Destinations(data)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{"DestinationPhoneNumber": DestinationPhoneNumber, "DestinationVerifiedID": DestinationVerifiedID,
		"DestinationEndpoint": DestinationEndpoint, "DestinationUser": DestinationUser}
	apiName := map[string]string{"pinpoint": "pinpoint", "pinpoint-sms-voice": "sms-voice", "pinpoint-sms-voice-v2": "sms-voice-v2"}
	models := gLoadModels(t, data)
	seen := map[string]bool{}
	sendOps := 0
	for _, e := range gLoadOps(t, data) {
		m := models[e.API]
		body, bodyName := m.prBody(e.Op)
		found := 0
		for _, p := range dsMemberPaths(m.walk, body, nil, bodyName, 0) {
			key := apiName[e.API] + ":" + p.name
			c, ok := classes[key]
			if !ok {
				continue
			}
			seen[key] = true
			form, keys := strings.CutSuffix(c, " keys")
			val := "+447700900123"
			if form == "DestinationVerifiedID" {
				val = "verified-1"
			}
			want := Destination{Form: forms[form], Member: prMember(p.segs), Value: val}
			var v any = val
			if keys {
				v = map[string]any{val: map[string]any{}}
				want.Member += `["` + val + `"]`
			}
			res, name, ok := m.prMap(t, e, p.segs, v)
			if !ok {
				continue
			}
			found++
			if want.Form == "" || !slices.Contains(res.Destinations, want) {
				t.Errorf("%s: destinations %+v lack %+v", name, res.Destinations, want)
			}
		}
		if strings.HasPrefix(e.Op, "Send") {
			sendOps++
			if found == 0 {
				t.Errorf("%s/%s sends messages but no destination member was checked", e.API, e.Op)
			}
		}
	}
	for _, want := range []string{
		"sms-voice-v2:SendTextMessageRequest.DestinationPhoneNumber", "sms-voice-v2:SendVoiceMessageRequest.DestinationPhoneNumber",
		"sms-voice-v2:SendMediaMessageRequest.DestinationPhoneNumber", "sms-voice-v2:SendNotifyTextMessageRequest.DestinationPhoneNumber",
		"sms-voice-v2:SendNotifyVoiceMessageRequest.DestinationPhoneNumber", "sms-voice-v2:SendRcsMessageRequest.DestinationPhoneNumber",
		"sms-voice-v2:SendDestinationNumberVerificationCodeRequest.VerifiedDestinationNumberId",
		"pinpoint:MessageRequest.Addresses", "pinpoint:MessageRequest.Endpoints", "pinpoint:SendUsersMessageRequest.Users",
		"pinpoint:SendOTPMessageRequestParameters.DestinationIdentity", "pinpoint:NumberValidateRequest.PhoneNumber",
		"sms-voice:SendVoiceMessageRequest.DestinationPhoneNumber",
	} {
		if !seen[want] {
			t.Errorf("destination member %s not found in the models", want)
		}
	}
	if len(seen) != len(classes) {
		t.Errorf("the walk found %d destination members, the generator %d", len(seen), len(classes))
	}
	if sendOps < 11 {
		t.Errorf("only %d Send operations in the models, want at least 11", sendOps)
	}
}

// dsMemberPaths returns the path of every member of shape s at any depth,
// maps and lists included (the path of a member stops at the member; its
// elements are walked below it).
func dsMemberPaths(shapes map[string]prShape, s prShape, prefix []string, parent string, depth int) []prPath {
	if depth > 12 || s.Type != "structure" {
		return nil
	}
	var out []prPath
	for name, m := range s.Members {
		if depth == 0 && m.Location != "" {
			continue
		}
		p := m.path(prefix, name)
		el, elName := shapes[m.Shape], m.Shape
		if el.Type == "string" || el.Type == "map" {
			out = append(out, prPath{segs: p, name: parent + "." + name})
		}
		for el.Type == "list" || el.Type == "map" {
			if el.Type == "list" {
				p, elName = append(p, "[]"), el.Member.Shape
			} else {
				p, elName = append(p, "{}"), el.Value.Shape
			}
			el = shapes[elName]
		}
		out = append(out, dsMemberPaths(shapes, el, p, elName, depth+1)...)
	}
	return out
}
