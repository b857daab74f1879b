package integration

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	v2types "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	"github.com/aws/smithy-go"
)

// Sending guardrails end to end: the destination condition keys
// (gateway:DestinationCountry, gateway:DestinationNumberType, ...) decide
// from the phone numbers a request sends to.

const (
	senderKeyID  = "AKIAINTEGSENDER00001"
	senderSecret = "senderSecretKey/IntegrationTests/0000004"
	senderARN    = "arn:aws:iam::123456789012:user/sender"
	// guarded may send anywhere but to a premium-rate number: a deny list.
	guardedKeyID  = "AKIAINTEGGUARDED0001"
	guardedSecret = "guardedSecretKey/IntegrationTests/000009"
)

// Phone numbers and what libphonenumber says of them.
const (
	numFRMobile    = "+33612345678"   // FR MOBILE
	numDEMobile    = "+4915123456789" // DE MOBILE
	numUS          = "+12065550100"   // US FIXED_LINE_OR_MOBILE
	numGBPremium   = "+449098790000"  // GB PREMIUM_RATE
	numFRPremium   = "+33891234567"   // FR PREMIUM_RATE
	numFRTooShort  = "+3361234567"    // E.164-shaped, not a valid number of France
	numNoSuchCode  = "+999123456789"  // E.164-shaped, no country calling code 999
	sendingMessage = "Your code is 123456"
)

// sendingStore adds the user sender, who may send only to France and
// Germany (ForAllValues on gateway:DestinationCountry) and never to a
// premium-rate number (an explicit deny, ForAnyValue on
// gateway:DestinationNumberType), and the user guarded, who may send
// anywhere but to a premium-rate number, to the test store.
func sendingStore() obj {
	s := testStore()
	s["users"] = append(s["users"].([]obj),
		obj{"name": "sender", "access_keys": []obj{{"id": senderKeyID, "secret": senderSecret}}, "policies": []string{"FranceGermanyNoPremium"}},
		obj{"name": "guarded", "access_keys": []obj{{"id": guardedKeyID, "secret": guardedSecret}}, "policies": []string{"AnywhereNoPremium"}},
	)
	s["policies"].(obj)["AnywhereNoPremium"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "SendAnywhere", "Effect": "Allow", "Action": []string{"sms-voice:*", "mobiletargeting:*"}, "Resource": "*"},
		{"Sid": "NoPremium", "Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": obj{"ForAnyValue:StringEquals": obj{"gateway:DestinationNumberType": "PREMIUM_RATE"}}},
	}}
	s["policies"].(obj)["FranceGermanyNoPremium"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "SendToFranceAndGermany", "Effect": "Allow",
			"Action":    []string{"sms-voice:Send*", "mobiletargeting:SendMessages", "mobiletargeting:SendOTPMessage"},
			"Resource":  "*",
			"Condition": obj{"ForAllValues:StringEquals": obj{"gateway:DestinationCountry": []string{"FR", "DE"}}}},
		{"Sid": "Describe", "Effect": "Allow", "Action": []string{"sms-voice:DescribePools", "mobiletargeting:GetApps"}, "Resource": "*"},
		{"Sid": "NoPremium", "Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": obj{"ForAnyValue:StringEquals": obj{"gateway:DestinationNumberType": "PREMIUM_RATE"}}},
	}}
	return s
}

// pinpointSMS is a Pinpoint MessageRequest of one SMS to each address; an
// address with a prefix "mailto:", "voice:" or "endpoint:" goes by email,
// by voice, or is an endpoint ID instead (without the prefix).
func pinpointSMS(addresses ...string) *ptypes.MessageRequest {
	m := map[string]ptypes.AddressConfiguration{}
	var endpoints map[string]ptypes.EndpointSendConfiguration
	for _, a := range addresses {
		if email, ok := strings.CutPrefix(a, "mailto:"); ok {
			m[email] = ptypes.AddressConfiguration{ChannelType: ptypes.ChannelTypeEmail}
			continue
		}
		if number, ok := strings.CutPrefix(a, "voice:"); ok {
			m[number] = ptypes.AddressConfiguration{ChannelType: ptypes.ChannelTypeVoice}
			continue
		}
		if id, ok := strings.CutPrefix(a, "endpoint:"); ok {
			if endpoints == nil {
				endpoints = map[string]ptypes.EndpointSendConfiguration{}
			}
			endpoints[id] = ptypes.EndpointSendConfiguration{}
			continue
		}
		m[a] = ptypes.AddressConfiguration{ChannelType: ptypes.ChannelTypeSms}
	}
	return &ptypes.MessageRequest{
		Addresses: m,
		Endpoints: endpoints,
		MessageConfiguration: &ptypes.DirectMessageConfiguration{
			SMSMessage:   &ptypes.SMSMessage{Body: aws.String(sendingMessage), MessageType: ptypes.MessageTypeTransactional},
			EmailMessage: &ptypes.EmailMessage{FromAddress: aws.String("noreply@example.com")},
		},
	}
}

// auditDestinations returns the destinations array of an audit record.
func auditDestinations(rec map[string]any) []map[string]any {
	ds, _ := rec["destinations"].([]any)
	var out []map[string]any
	for _, d := range ds {
		if m, ok := d.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// sendsTo reports whether rec is the audit record of operation op whose
// destinations are exactly numbers, in any order.
func sendsTo(rec map[string]any, op string, numbers ...string) bool {
	if field(rec, "operation") != op {
		return false
	}
	ds := auditDestinations(rec)
	if len(ds) != len(numbers) {
		return false
	}
	for _, n := range numbers {
		found := false
		for _, d := range ds {
			if d["value"] == n {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestDestinationPolicies: a user allowed to send only to France and
// Germany and never to a premium-rate number, with aws-sdk-go-v2 (SMS and
// Voice v2 SendTextMessage, Pinpoint SendMessages with addresses) and with
// the AWS CLI: allowed sends reach the upstream as sent, denied ones get
// AccessDeniedException and reach nothing; a number the gateway cannot read
// is denied, not taken for an empty set of countries; the audit record
// lists each destination with its country and number type.
func TestDestinationPolicies(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.Store = storeJSON(t, sendingStore()) })
	e.forbid(senderKeyID, senderSecret, guardedKeyID, guardedSecret)
	cp := creds(senderKeyID, senderSecret, "")
	c := newQuietCapture()
	v2 := smsV2Client(e.g, cp, c)
	pp := pinpointClient(e.g, cp, c)
	deniedPrefix := func(action string) string {
		return "User: " + senderARN + " is not authorized to perform: " + action + " on resource: "
	}

	t.Run("sdk sms-voice-v2", func(t *testing.T) {
		sends := map[string]func(ctx context.Context, number string) error{
			"SendTextMessage": func(ctx context.Context, number string) error {
				_, err := v2.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
					DestinationPhoneNumber: aws.String(number),
					OriginationIdentity:    aws.String(poolID),
					MessageBody:            aws.String(sendingMessage),
				})
				return err
			},
			"SendVoiceMessage": func(ctx context.Context, number string) error {
				_, err := v2.SendVoiceMessage(ctx, &pinpointsmsvoicev2.SendVoiceMessageInput{
					DestinationPhoneNumber: aws.String(number),
					OriginationIdentity:    aws.String(poolID),
					MessageBody:            aws.String(sendingMessage),
				})
				return err
			},
			"SendMediaMessage": func(ctx context.Context, number string) error {
				_, err := v2.SendMediaMessage(ctx, &pinpointsmsvoicev2.SendMediaMessageInput{
					DestinationPhoneNumber: aws.String(number),
					OriginationIdentity:    aws.String(poolID),
					MediaUrls:              []string{"s3://media-bucket/code.png"},
				})
				return err
			},
		}
		tests := []struct {
			name    string
			number  string
			allowed bool
			// explicit: denied by the NoPremium statement, not for want of an allow.
			explicit bool
		}{
			{name: "France mobile", number: numFRMobile, allowed: true},
			{name: "Germany mobile", number: numDEMobile, allowed: true},
			{name: "United States", number: numUS},
			{name: "United Kingdom premium rate", number: numGBPremium, explicit: true},
			{name: "France premium rate", number: numFRPremium, explicit: true},
			{name: "invalid French number", number: numFRTooShort},
			{name: "unknown calling code", number: numNoSuchCode},
		}
		for op, send := range sends {
			for _, tc := range tests {
				t.Run(op+"/"+tc.name, func(t *testing.T) {
					e.reset()
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					err := send(ctx, tc.number)
					if tc.allowed {
						if err != nil {
							t.Fatalf("%s to %s: %v", op, tc.number, err)
						}
						rec := e.onlyRecord(t, "sms-voice-v2")
						if rec.Operation != op || !strings.Contains(string(rec.Body), `"`+tc.number+`"`) {
							t.Errorf("upstream got %s %q", rec.Operation, rec.Body)
						}
						return
					}
					var ade *v2types.AccessDeniedException
					if !errors.As(err, &ade) {
						t.Fatalf("%s to %s: error %v (%T), want *types.AccessDeniedException", op, tc.number, err, err)
					}
					if msg := ade.ErrorMessage(); !strings.HasPrefix(msg, deniedPrefix("sms-voice:"+op)) {
						t.Errorf("message %q, want prefix %q", msg, deniedPrefix("sms-voice:"+op))
					} else if tc.explicit && !strings.Contains(msg, "explicit deny") {
						t.Errorf("message %q does not name the explicit deny", msg)
					}
					e.assertNothingUpstream(t)
				})
			}
		}
	})

	t.Run("sdk pinpoint SendOTPMessage", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			number  string
			allowed bool
		}{
			{"France mobile", numFRMobile, true},
			{"United States", numUS, false},
			{"France premium rate", numFRPremium, false},
			{"invalid French number", numFRTooShort, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.reset()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err := pp.SendOTPMessage(ctx, &pinpoint.SendOTPMessageInput{
					ApplicationId: aws.String("app-a"),
					SendOTPMessageRequestParameters: &ptypes.SendOTPMessageRequestParameters{
						BrandName:           aws.String("Example"),
						Channel:             aws.String("SMS"),
						DestinationIdentity: aws.String(tc.number),
						OriginationIdentity: aws.String(poolID),
						ReferenceId:         aws.String("login-1"),
					},
				})
				if tc.allowed {
					if err != nil {
						t.Fatalf("SendOTPMessage to %s: %v", tc.number, err)
					}
					if rec := e.onlyRecord(t, "pinpoint"); rec.Path != "/v1/apps/app-a/otp" || !strings.Contains(string(rec.Body), tc.number) {
						t.Errorf("upstream got %s %q", rec.Path, rec.Body)
					}
					return
				}
				apiErr := apiErrorOf(t, err, "AccessDeniedException", 403)
				if !strings.HasPrefix(apiErr.ErrorMessage(), deniedPrefix("mobiletargeting:SendOTPMessage")) {
					t.Errorf("message %q", apiErr.ErrorMessage())
				}
				e.assertNothingUpstream(t)
			})
		}
	})

	t.Run("sms-voice v1 SendVoiceMessage signed by hand", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			number  string
			allowed bool
		}{
			{"Germany mobile", numDEMobile, true},
			{"United States", numUS, false},
			{"United Kingdom premium rate", numGBPremium, false},
			{"unknown calling code", numNoSuchCode, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.reset()
				body := `{"DestinationPhoneNumber":"` + tc.number + `","Content":{"PlainTextMessage":{"Text":"` + sendingMessage + `"}}}`
				resp := rawRequest{
					Method: "POST", Path: "/v1/sms-voice/voice/message",
					Header: map[string]string{"Content-Type": "application/json"},
					Body:   body, Creds: aws.Credentials{AccessKeyID: senderKeyID, SecretAccessKey: senderSecret},
					Service: "sms-voice",
				}.do(t, e.g, c)
				if tc.allowed {
					if resp.Status != 200 {
						t.Fatalf("status %d %s", resp.Status, resp.Body)
					}
					if rec := e.onlyRecord(t, "sms-voice"); string(rec.Body) != body {
						t.Errorf("upstream body %q, want %q", rec.Body, body)
					}
					return
				}
				code, msg := errorCodeOf(resp)
				if resp.Status != 403 || code != "AccessDeniedException" || !strings.HasPrefix(msg, deniedPrefix("sms-voice:SendVoiceMessage")) {
					t.Errorf("got %d %s %q, want 403 AccessDeniedException", resp.Status, code, msg)
				}
				e.assertNothingUpstream(t)
			})
		}
	})

	t.Run("sdk pinpoint SendMessages", func(t *testing.T) {
		tests := []struct {
			name      string
			addresses []string
			allowed   bool
		}{
			{name: "France and Germany", addresses: []string{numFRMobile, numDEMobile}, allowed: true},
			{name: "France and an email address", addresses: []string{numFRMobile, "mailto:ops@example.com"}, allowed: true},
			{name: "France and the United States", addresses: []string{numFRMobile, numUS}},
			{name: "Germany and a French premium rate", addresses: []string{numDEMobile, numFRPremium}},
			{name: "France and an invalid number", addresses: []string{numFRMobile, numFRTooShort}},
			{name: "France and Germany by voice", addresses: []string{"voice:" + numFRMobile, "voice:" + numDEMobile}, allowed: true},
			{name: "Germany and a premium rate by voice", addresses: []string{numDEMobile, "voice:" + numGBPremium}},
			// An endpoint's address is unknown to the gateway: no country to decide on.
			{name: "France and an endpoint ID", addresses: []string{numFRMobile, "endpoint:endpoint-0001"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.reset()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err := pp.SendMessages(ctx, &pinpoint.SendMessagesInput{
					ApplicationId:  aws.String("app-a"),
					MessageRequest: pinpointSMS(tc.addresses...),
				})
				if tc.allowed {
					if err != nil {
						t.Fatalf("SendMessages to %v: %v", tc.addresses, err)
					}
					rec := e.onlyRecord(t, "pinpoint")
					if rec.Operation != "SendMessages" || rec.Path != "/v1/apps/app-a/messages" {
						t.Errorf("upstream got %s %s", rec.Operation, rec.Path)
					}
					for _, a := range tc.addresses {
						_, addr, ok := strings.Cut(a, ":")
						if !ok {
							addr = a
						}
						if !strings.Contains(string(rec.Body), `"`+addr+`"`) {
							t.Errorf("upstream body %q lacks %s", rec.Body, addr)
						}
					}
					return
				}
				apiErr := apiErrorOf(t, err, "AccessDeniedException", 403)
				if !strings.HasPrefix(apiErr.ErrorMessage(), deniedPrefix("mobiletargeting:SendMessages")+appAARN+"/messages") {
					t.Errorf("message %q, want prefix %q", apiErr.ErrorMessage(), deniedPrefix("mobiletargeting:SendMessages")+appAARN+"/messages")
				}
				e.assertNothingUpstream(t)
			})
		}
	})

	t.Run("aws cli", func(t *testing.T) {
		requireCLI(t)
		denied := func(t *testing.T, r cliResult, op, action string) {
			t.Helper()
			if r.Exit == 0 {
				t.Fatalf("aws succeeded, want AccessDeniedException: %s", r.Stdout)
			}
			want := regexp.MustCompile(`An error occurred \(AccessDeniedException\) when calling the ` + op +
				` operation( \(reached max retries: \d+\))?: ` + regexp.QuoteMeta(deniedPrefix(action)))
			if !want.MatchString(r.Stderr) {
				t.Errorf("stderr %q does not match %q", r.Stderr, want)
			}
			e.assertNothingUpstream(t)
		}
		sendText := func(number string) cliResult {
			return runCLI(t, e.g, senderKeyID, senderSecret, "", "pinpoint-sms-voice-v2", "send-text-message",
				"--destination-phone-number", number, "--origination-identity", poolID, "--message-body", sendingMessage)
		}

		t.Run("send-text-message to Germany", func(t *testing.T) {
			e.reset()
			r := sendText(numDEMobile)
			if r.Exit != 0 {
				t.Fatalf("aws exited %d: %s", r.Exit, r.Stderr)
			}
			if !strings.Contains(r.Stdout, "4b1c9f0e-6a2d-4c1e-9a57-0d3f2b7c8e11") {
				t.Errorf("output %q lacks the message ID", r.Stdout)
			}
			if rec := e.onlyRecord(t, "sms-voice-v2"); !strings.Contains(string(rec.Body), `"`+numDEMobile+`"`) {
				t.Errorf("upstream body %q", rec.Body)
			}
		})
		t.Run("send-text-message to the United States denied", func(t *testing.T) {
			e.reset()
			denied(t, sendText(numUS), "SendTextMessage", "sms-voice:SendTextMessage")
		})
		t.Run("send-text-message to a French premium rate denied", func(t *testing.T) {
			e.reset()
			denied(t, sendText(numFRPremium), "SendTextMessage", "sms-voice:SendTextMessage")
		})
		t.Run("pinpoint send-messages", func(t *testing.T) {
			req := func(numbers ...string) string {
				b, err := json.Marshal(obj{"Addresses": func() obj {
					m := obj{}
					for _, n := range numbers {
						m[n] = obj{"ChannelType": "SMS"}
					}
					return m
				}(), "MessageConfiguration": obj{"SMSMessage": obj{"Body": sendingMessage, "MessageType": "TRANSACTIONAL"}}})
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			e.reset()
			r := runCLI(t, e.g, senderKeyID, senderSecret, "", "pinpoint", "send-messages",
				"--application-id", "app-a", "--message-request", req(numFRMobile, numDEMobile))
			if r.Exit != 0 {
				t.Fatalf("aws exited %d: %s", r.Exit, r.Stderr)
			}
			e.onlyRecord(t, "pinpoint")
			e.reset()
			r = runCLI(t, e.g, senderKeyID, senderSecret, "", "pinpoint", "send-messages",
				"--application-id", "app-a", "--message-request", req(numFRMobile, numGBPremium))
			denied(t, r, "SendMessages", "mobiletargeting:SendMessages")
		})
	})

	// A deny list: ForAnyValue over no value is false, so a number the
	// gateway cannot read must deny by itself, or the guardrail fails open.
	t.Run("deny list only", func(t *testing.T) {
		gv2 := smsV2Client(e.g, creds(guardedKeyID, guardedSecret, ""), c)
		gpp := pinpointClient(e.g, creds(guardedKeyID, guardedSecret, ""), c)
		tests := []struct {
			name      string
			addresses []string // one: SendTextMessage; more: SendMessages
			allowed   bool
		}{
			{name: "United States", addresses: []string{numUS}, allowed: true},
			{name: "United Kingdom premium rate", addresses: []string{numGBPremium}},
			{name: "United States premium rate", addresses: []string{"+19005550100"}},
			{name: "unknown calling code", addresses: []string{numNoSuchCode}},
			{name: "invalid French number", addresses: []string{numFRTooShort}},
			{name: "French mobile without its plus", addresses: []string{strings.TrimPrefix(numFRMobile, "+")}},
			{name: "Pinpoint: United States and Germany", addresses: []string{numUS, numDEMobile}, allowed: true},
			{name: "Pinpoint: United States and an invalid number", addresses: []string{numUS, numFRTooShort}},
			{name: "Pinpoint: Germany and an endpoint ID", addresses: []string{numDEMobile, "endpoint:endpoint-0001"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.reset()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				var err error
				api := "sms-voice-v2"
				if len(tc.addresses) == 1 {
					_, err = gv2.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
						DestinationPhoneNumber: aws.String(tc.addresses[0]),
						OriginationIdentity:    aws.String(poolID),
						MessageBody:            aws.String(sendingMessage),
					})
				} else {
					api = "pinpoint"
					_, err = gpp.SendMessages(ctx, &pinpoint.SendMessagesInput{
						ApplicationId:  aws.String("app-a"),
						MessageRequest: pinpointSMS(tc.addresses...),
					})
				}
				if tc.allowed {
					if err != nil {
						t.Fatalf("send to %v: %v", tc.addresses, err)
					}
					e.onlyRecord(t, api)
					return
				}
				if !isAPIError(err, "AccessDeniedException") {
					t.Fatalf("send to %v: %v, want AccessDeniedException", tc.addresses, err)
				}
				e.assertNothingUpstream(t)
			})
		}
		t.Run("a call that sends nothing", func(t *testing.T) {
			e.reset()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := gv2.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{}); err != nil {
				t.Fatalf("DescribePools: %v", err)
			}
			e.onlyRecord(t, "sms-voice-v2")
		})
	})

	t.Run("audit record lists the destinations", func(t *testing.T) {
		type want struct{ country, code, numberType string }
		tests := []struct {
			name     string
			op       string
			numbers  []string
			decision string
			want     map[string]want // by number; absent: unreadable
		}{
			{name: "allowed v2 send to France", op: "SendTextMessage", numbers: []string{numFRMobile}, decision: "Allow",
				want: map[string]want{numFRMobile: {"FR", "33", "MOBILE"}}},
			{name: "premium rate denied", op: "SendTextMessage", numbers: []string{numGBPremium}, decision: "ExplicitDeny",
				want: map[string]want{numGBPremium: {"GB", "44", "PREMIUM_RATE"}}},
			{name: "unreadable number denied", op: "SendTextMessage", numbers: []string{numNoSuchCode}, decision: "ImplicitDeny"},
			{name: "allowed Pinpoint send to France and Germany", op: "SendMessages", numbers: []string{numFRMobile, numDEMobile}, decision: "Allow",
				want: map[string]want{numFRMobile: {"FR", "33", "MOBILE"}, numDEMobile: {"DE", "49", "MOBILE"}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := e.g.waitAudit(t, tc.name, func(r map[string]any) bool { return sendsTo(r, tc.op, tc.numbers...) })
				if got := field(rec, "decision"); got != tc.decision {
					t.Errorf("decision %q, want %q", got, tc.decision)
				}
				for _, d := range auditDestinations(rec) {
					n, _ := d["value"].(string)
					w, readable := tc.want[n]
					if !readable {
						if d["error"] == nil || d["error"] == "" || d["country"] != nil {
							t.Errorf("unreadable destination %v: want an error and no country", d)
						}
						continue
					}
					if d["country"] != w.country || d["calling_code"] != w.code || d["number_type"] != w.numberType || d["form"] != "phone-number" {
						t.Errorf("destination %v, want country %s, calling_code %s, number_type %s, form phone-number", d, w.country, w.code, w.numberType)
					}
				}
			})
		}
	})

	assertNoUpstreamFailures(t, e)
	assertNoSecretsInLog(t, e.g, append(append([]string{senderSecret, guardedSecret}, allSecrets...), e.upstreamSignatures()...))
}

// TestDestinationVerifiedNumbers: SendDestinationNumberVerificationCode
// names its destination by a verified destination number's ID or ARN; the
// gateway resolves it with its own DescribeVerifiedDestinationNumbers call
// (resource_tags lookup) and decides on the number: a French mobile is
// sent, a premium-rate or American number is denied, and so is an ID the
// upstream does not list or lists with another account's ARN. With
// origination_lookup off the gateway cannot resolve IDs and denies.
func TestDestinationVerifiedNumbers(t *testing.T) {
	const (
		arnPrefix = "arn:aws:sms-voice:us-east-1:123456789012:verified-destination-number/"
		frID      = "verifieddestinationnumber-fr00000000000001"
	)
	verified := map[string]obj{ // by ID: what the upstream lists
		frID: {"DestinationPhoneNumber": numFRMobile},
		"verifieddestinationnumber-gbpremium000001":  {"DestinationPhoneNumber": numGBPremium},
		"verifieddestinationnumber-us00000000000001": {"DestinationPhoneNumber": numUS},
		// Listed with another account's ARN: not the gateway's to resolve.
		"verifieddestinationnumber-foreign000000001": {"DestinationPhoneNumber": numFRMobile,
			"VerifiedDestinationNumberArn": "arn:aws:sms-voice:us-east-1:210987654321:verified-destination-number/verifieddestinationnumber-foreign000000001"},
	}
	describe := func(r *http.Request, body []byte) (string, cannedResponse, bool) {
		if r.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.DescribeVerifiedDestinationNumbers" {
			return "", cannedResponse{}, false
		}
		var in struct{ VerifiedDestinationNumberIds []string }
		_ = json.Unmarshal(body, &in)
		list := []obj{}
		for _, id := range in.VerifiedDestinationNumberIds {
			v, ok := verified[strings.TrimPrefix(id, arnPrefix)]
			if !ok {
				continue
			}
			out := obj{"VerifiedDestinationNumberId": strings.TrimPrefix(id, arnPrefix), "VerifiedDestinationNumberArn": arnPrefix + strings.TrimPrefix(id, arnPrefix),
				"Status": "VERIFIED", "CreatedTimestamp": 1.7672256e9}
			for k, x := range v {
				out[k] = x
			}
			list = append(list, out)
		}
		return "DescribeVerifiedDestinationNumbers", jsonAnswer(http.StatusOK, "application/x-amz-json-1.0", obj{"VerifiedDestinationNumbers": list}), true
	}
	store := sendingStore()
	delete(store, "resource_tags") // looked up instead
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, store)
		cfg.Extra = "\t\tresource_tags lookup 1h 1000 2s"
	})
	e.forbid(senderKeyID, senderSecret)
	up := e.up["sms-voice-v2"]
	up.setRespond(describe)
	v2 := smsV2Client(e.g, creds(senderKeyID, senderSecret, ""), newQuietCapture())
	// send sends a verification code to id and returns how many sends and
	// lookups reached the upstream, and the error.
	send := func(t *testing.T, v2 *pinpointsmsvoicev2.Client, id string) (sends, lookups int, err error) {
		t.Helper()
		up.Reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = v2.SendDestinationNumberVerificationCode(ctx, &pinpointsmsvoicev2.SendDestinationNumberVerificationCodeInput{
			VerifiedDestinationNumberId: aws.String(id),
			VerificationChannel:         v2types.VerificationChannelText,
		})
		for _, r := range up.Records() {
			if len(r.Failures) > 0 {
				t.Errorf("upstream refused %s: %v", r.Operation, r.Failures)
			}
			switch r.Operation {
			case "SendDestinationNumberVerificationCode":
				sends++
			case "DescribeVerifiedDestinationNumbers":
				lookups++
			}
		}
		return sends, lookups, err
	}

	tests := []struct {
		name    string
		id      string
		allowed bool
	}{
		{name: "French mobile", id: frID, allowed: true},
		{name: "French mobile by ARN", id: arnPrefix + frID, allowed: true},
		{name: "United Kingdom premium rate", id: "verifieddestinationnumber-gbpremium000001"},
		{name: "United States", id: "verifieddestinationnumber-us00000000000001"},
		{name: "another account's", id: "verifieddestinationnumber-foreign000000001"},
		{name: "unknown to the upstream", id: "verifieddestinationnumber-unknown00000001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sends, _, err := send(t, v2, tc.id)
			if tc.allowed {
				if err != nil || sends != 1 {
					t.Fatalf("sent %d, error %v; want sent once", sends, err)
				}
				return
			}
			var ade *v2types.AccessDeniedException
			if !errors.As(err, &ade) {
				t.Fatalf("error %v (%T), want *types.AccessDeniedException", err, err)
			}
			if sends != 0 {
				t.Errorf("the upstream received %d sends, want none", sends)
			}
		})
	}
	t.Run("the number is cached", func(t *testing.T) {
		sends, lookups, err := send(t, v2, frID)
		if err != nil || sends != 1 || lookups != 0 {
			t.Errorf("error %v, %d sends and %d lookups; want one send and no lookup", err, sends, lookups)
		}
	})
	t.Run("origination_lookup off cannot resolve", func(t *testing.T) {
		static := newEnv(t, func(cfg *gatewayConfig) {
			cfg.Store = storeJSON(t, sendingStore())
			cfg.Extra = "\t\torigination_lookup off"
		})
		static.up["sms-voice-v2"].setRespond(describe)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := smsV2Client(static.g, creds(senderKeyID, senderSecret, ""), newQuietCapture()).SendDestinationNumberVerificationCode(ctx,
			&pinpointsmsvoicev2.SendDestinationNumberVerificationCodeInput{
				VerifiedDestinationNumberId: aws.String(frID),
				VerificationChannel:         v2types.VerificationChannelText,
			})
		var ade *v2types.AccessDeniedException
		if !errors.As(err, &ade) {
			t.Fatalf("error %v (%T), want *types.AccessDeniedException", err, err)
		}
		static.assertNothingUpstream(t)
	})
	assertNoUpstreamFailures(t, e)
}

// isAPIError reports whether err is an AWS API error with code.
func isAPIError(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}
