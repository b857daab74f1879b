package module

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/pinpointgw/gateway/metrics"
	"github.com/pinpointgw/gateway/quota"
)

// Sending guardrails: the destination condition keys decide from the
// numbers a request sends to, and quotas bound how many destinations a key
// may send to per window.
const (
	sendOTPKeyID     = "AKIATESTSENDOTP00001"
	sendOTPSecret    = "test/send/otp/secret/iiiiiiiiiiiiiiiiii"
	sendFreeKeyID    = "AKIATESTSENDFREE0001"
	sendFreeSecret   = "test/send/free/secret/jjjjjjjjjjjjjjjjj"
	sendNoTagKeyID   = "AKIATESTSENDNOTAG001"
	sendNoTagSecret  = "test/send/notag/secret/kkkkkkkkkkkkkkkk"
	sendVerifiedID   = "verifieddestinationnumber-0123456789abcdef"
	sendVerifiedARN  = "arn:aws:sms-voice:us-east-1:123456789012:verified-destination-number/" + sendVerifiedID
	sendPremiumID    = "verifieddestinationnumber-premium00000000"
	sendPremiumARN   = "arn:aws:sms-voice:us-east-1:123456789012:verified-destination-number/" + sendPremiumID
	sendFrenchMobile = "+33612345678"
	sendUKPremium    = "+449098790000"
	sendUSNumber     = "+12065550100"
)

// The user otp may send to France and Germany only, never to a premium-rate
// number; free may send anywhere; notag has no tenant tag.
const sendStore = `{
  "users": [
    {"name": "otp", "tags": {"tenant": "acme"},
     "access_keys": [{"id": "` + sendOTPKeyID + `", "secret": "` + sendOTPSecret + `"}], "policies": ["Countries"]},
    {"name": "free", "tags": {"tenant": "acme"},
     "access_keys": [{"id": "` + sendFreeKeyID + `", "secret": "` + sendFreeSecret + `"}], "policies": ["Anywhere"]},
    {"name": "notag",
     "access_keys": [{"id": "` + sendNoTagKeyID + `", "secret": "` + sendNoTagSecret + `"}], "policies": ["Anywhere"]}
  ],
  "policies": {
    "Countries": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["sms-voice:Send*", "sms-voice:CarrierLookup", "mobiletargeting:SendMessages", "mobiletargeting:SendUsersMessages",
                                     "mobiletargeting:SendOTPMessage", "mobiletargeting:PhoneNumberValidate"], "Resource": "*",
       "Condition": {"ForAllValues:StringEquals": {"gateway:DestinationCountry": ["FR", "DE"]},
                     "NumericLessThanEquals": {"gateway:DestinationCount": "3"}}},
      {"Effect": "Allow", "Action": ["sms-voice:DescribePools", "mobiletargeting:GetApps"], "Resource": "*"},
      {"Sid": "NoPremium", "Effect": "Deny", "Action": "*", "Resource": "*",
       "Condition": {"ForAnyValue:StringEquals": {"gateway:DestinationNumberType": "PREMIUM_RATE"}}}]},
    "Anywhere": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["sms-voice:*", "mobiletargeting:*"], "Resource": "*"}]}
  }
}`

// sendUpstream is a fake SMS and Voice v2 / Pinpoint that accepts every
// send and knows two verified destination numbers.
type sendUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	calls    map[string]int
	status   int // status of sends when non-zero
	verified map[string][2]string
}

func newSendUpstream(t testing.TB) *sendUpstream {
	u := &sendUpstream{calls: map[string]int{}, verified: map[string][2]string{
		sendVerifiedID: {sendVerifiedARN, sendFrenchMobile},
		sendPremiumID:  {sendPremiumARN, sendUKPremium},
	}}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *sendUpstream) count(op string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[op]
}

func (u *sendUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	defer u.mu.Unlock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "PinpointSMSVoiceV2.")
	if op == "" {
		op = r.Method + " " + r.URL.EscapedPath()
	}
	u.calls[op]++
	w.Header().Set("Content-Type", "application/json")
	if op == "DescribeVerifiedDestinationNumbers" {
		var in struct{ VerifiedDestinationNumberIds []string }
		_ = json.Unmarshal(body, &in)
		var list []map[string]string
		for _, id := range in.VerifiedDestinationNumberIds {
			if v, ok := u.verified[id]; ok {
				list = append(list, map[string]string{"VerifiedDestinationNumberId": id, "VerifiedDestinationNumberArn": v[0], "DestinationPhoneNumber": v[1], "Status": "VERIFIED"})
			}
		}
		if list == nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","Message":"not found"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"VerifiedDestinationNumbers": list})
		return
	}
	if u.status != 0 {
		w.WriteHeader(u.status)
		io.WriteString(w, `{"__type":"InternalServerException","Message":"boom"}`)
		return
	}
	io.WriteString(w, `{"MessageId":"m-1"}`)
}

func sendTextTo(t testing.TB, keyID, secret, to string) *http.Request {
	return decideV2Request(t, keyID, secret, "SendTextMessage", `{"DestinationPhoneNumber":"`+to+`","MessageBody":"code 123456"}`)
}

func sendMessages(t testing.TB, keyID, secret string, to ...string) *http.Request {
	addrs := map[string]any{}
	for _, n := range to {
		addrs[n] = map[string]string{"ChannelType": "SMS"}
	}
	body, _ := json.Marshal(map[string]any{ // the body is the MessageRequest
		"Addresses":            addrs,
		"MessageConfiguration": map[string]any{"SMSMessage": map[string]string{"Body": "hi"}},
	})
	return decideMTRequest(t, keyID, secret, "POST", "/v1/apps/app-a/messages", string(body))
}

// TestDestinationKeysDecide: policies with gateway:DestinationCountry,
// …NumberType and …Count decide from the numbers each sending operation
// sends to; a destination the gateway cannot read denies when a statement
// reads a destination key, and only then.
func TestDestinationKeysDecide(t *testing.T) {
	up := newSendUpstream(t)
	g := lookupGateway(t, sendStore, up.URL, nil)
	v2 := func(op, body string) func(t testing.TB, id, secret string) *http.Request {
		return func(t testing.TB, id, secret string) *http.Request { return decideV2Request(t, id, secret, op, body) }
	}
	v1 := func(method, path, body string) func(t testing.TB, id, secret string) *http.Request {
		return func(t testing.TB, id, secret string) *http.Request {
			return signedRequest(t, method, "http://gw"+path, "sms-voice", "us-east-1", id, secret, http.Header{"Content-Type": {"application/json"}}, []byte(body))
		}
	}
	mt := func(method, path, body string) func(t testing.TB, id, secret string) *http.Request {
		return func(t testing.TB, id, secret string) *http.Request {
			return decideMTRequest(t, id, secret, method, path, body)
		}
	}
	cases := map[string]struct {
		req      func(t testing.TB, id, secret string) *http.Request
		otp      int // status for the user confined to FR and DE
		free     int // status for the user allowed anywhere
		wantWhy  string
		forwards bool // forwarded for free
	}{
		"v2 text to France":                 {req: v2("SendTextMessage", `{"DestinationPhoneNumber":"+33612345678","MessageBody":"x"}`), otp: 200, free: 200},
		"v2 text to the US":                 {req: v2("SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","MessageBody":"x"}`), otp: 403, free: 200},
		"v2 text to a premium number":       {req: v2("SendTextMessage", `{"DestinationPhoneNumber":"+449098790000","MessageBody":"x"}`), otp: 403, free: 200, wantWhy: "explicit deny"},
		"v2 voice to Germany":               {req: v2("SendVoiceMessage", `{"DestinationPhoneNumber":"+4915123456789","OriginationIdentity":"pool-1","MessageBody":"x"}`), otp: 200, free: 200},
		"v2 media to the US":                {req: v2("SendMediaMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1","MediaUrls":["s3://b/k"]}`), otp: 403, free: 200},
		"v2 notify text to France":          {req: v2("SendNotifyTextMessage", `{"NotifyConfigurationId":"nc-1","DestinationPhoneNumber":"+33612345678","TemplateId":"t"}`), otp: 200, free: 200},
		"v2 number with spaces":             {req: v2("SendTextMessage", `{"DestinationPhoneNumber":"+33 6 12 34 56 78","MessageBody":"x"}`), otp: 403, free: 200, wantWhy: "no phone number the gateway can read"},
		"v2 number without plus":            {req: v2("SendTextMessage", `{"DestinationPhoneNumber":"33612345678","MessageBody":"x"}`), otp: 403, free: 200},
		"v2 verification code, France":      {req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"`+sendVerifiedID+`","VerificationChannel":"TEXT"}`), otp: 200, free: 200},
		"v2 verification code, premium":     {req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"`+sendPremiumID+`","VerificationChannel":"TEXT"}`), otp: 403, free: 200},
		"v2 verification code, unknown":     {req: v2("SendDestinationNumberVerificationCode", `{"VerifiedDestinationNumberId":"verifieddestinationnumber-nope","VerificationChannel":"TEXT"}`), otp: 403, free: 403, wantWhy: "cannot resolve it to a phone number"},
		"pinpoint SendMessages FR+DE":       {req: mt("POST", "/v1/apps/app-a/messages", `{"Addresses":{"+33612345678":{"ChannelType":"SMS"},"+4915123456789":{"ChannelType":"VOICE"}},"MessageConfiguration":{}}`), otp: 200, free: 200},
		"pinpoint SendMessages FR+US":       {req: mt("POST", "/v1/apps/app-a/messages", `{"Addresses":{"+33612345678":{"ChannelType":"SMS"},"+12065550100":{"ChannelType":"SMS"}},"MessageConfiguration":{}}`), otp: 403, free: 200},
		"pinpoint SendMessages FR+bad":      {req: mt("POST", "/v1/apps/app-a/messages", `{"Addresses":{"+33612345678":{"ChannelType":"SMS"},"+33 6":{"ChannelType":"SMS"}},"MessageConfiguration":{}}`), otp: 403, free: 200, wantWhy: "no phone number the gateway can read"},
		"pinpoint SendMessages 4 to FR":     {req: mt("POST", "/v1/apps/app-a/messages", `{"Addresses":{"+33612345671":{"ChannelType":"SMS"},"+33612345672":{"ChannelType":"SMS"},"+33612345673":{"ChannelType":"SMS"},"+33612345674":{"ChannelType":"SMS"}},"MessageConfiguration":{}}`), otp: 403, free: 200},
		"pinpoint SendMessages push":        {req: mt("POST", "/v1/apps/app-a/messages", `{"Addresses":{"token-1":{"ChannelType":"GCM"}},"MessageConfiguration":{}}`), otp: 403, free: 200},
		"pinpoint SendMessages endpoint":    {req: mt("POST", "/v1/apps/app-a/messages", `{"Endpoints":{"ep-1":{}},"MessageConfiguration":{}}`), otp: 403, free: 200, wantWhy: "no phone number the gateway can read"},
		"pinpoint OTP to France":            {req: mt("POST", "/v1/apps/app-a/otp", `{"BrandName":"b","Channel":"SMS","DestinationIdentity":"+33612345678","OriginationIdentity":"+12065550199","ReferenceId":"r"}`), otp: 200, free: 200},
		"pinpoint OTP to a premium":         {req: mt("POST", "/v1/apps/app-a/otp", `{"BrandName":"b","Channel":"SMS","DestinationIdentity":"+449098790000","OriginationIdentity":"+12065550199","ReferenceId":"r"}`), otp: 403, free: 200},
		"v2 notify voice to the US":         {req: v2("SendNotifyVoiceMessage", `{"NotifyConfigurationId":"nc-1","DestinationPhoneNumber":"+12065550100","TemplateId":"t"}`), otp: 403, free: 200},
		"v2 RCS to France":                  {req: v2("SendRcsMessage", `{"DestinationPhoneNumber":"+33612345678","OriginationIdentity":"rcs-1","Content":{}}`), otp: 200, free: 200},
		"v2 carrier lookup, premium":        {req: v2("CarrierLookup", `{"PhoneNumber":"+449098790000"}`), otp: 403, free: 200},
		"v1 voice to Germany":               {req: v1("POST", "/v1/sms-voice/voice/message", `{"DestinationPhoneNumber":"+4915123456789","OriginationPhoneNumber":"+12065550199"}`), otp: 200, free: 200},
		"v1 voice to the US":                {req: v1("POST", "/v1/sms-voice/voice/message", `{"DestinationPhoneNumber":"+12065550100","OriginationPhoneNumber":"+12065550199"}`), otp: 403, free: 200},
		"pinpoint validate a French number": {req: mt("POST", "/v1/phone/number/validate", `{"PhoneNumber":"+33612345678"}`), otp: 200, free: 200},
		"pinpoint validate a premium":       {req: mt("POST", "/v1/phone/number/validate", `{"PhoneNumber":"+19005550100"}`), otp: 403, free: 200},
		"pinpoint validate national":        {req: mt("POST", "/v1/phone/number/validate", `{"PhoneNumber":"0612345678","IsoCountryCode":"FR"}`), otp: 403, free: 200, wantWhy: "no phone number the gateway can read"},
		"pinpoint users messages":           {req: mt("POST", "/v1/apps/app-a/users-messages", `{"Users":{"user-1":{}},"MessageConfiguration":{}}`), otp: 403, free: 200, wantWhy: "no phone number the gateway can read"},
		"no destination, ungoverned":        {req: v2("DescribePools", `{}`), otp: 200, free: 200},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, who := range []struct {
				id, secret string
				want       int
			}{{sendOTPKeyID, sendOTPSecret, tc.otp}, {sendFreeKeyID, sendFreeSecret, tc.free}} {
				w := serve(g, tc.req(t, who.id, who.secret))
				if w.Code != who.want {
					t.Errorf("%s: status %d, want %d: %s", who.id, w.Code, who.want, w.Body)
				}
				if tc.wantWhy != "" && who.want == 403 && !strings.Contains(w.Body.String(), tc.wantWhy) {
					t.Errorf("%s: body %s does not say %q", who.id, w.Body, tc.wantWhy)
				}
			}
		})
	}
}

// TestVerifiedDestinationNeedsLookup: under origination_lookup off the
// gateway cannot learn a verified destination number's phone number, and
// denies.
func TestVerifiedDestinationNeedsLookup(t *testing.T) {
	up := newSendUpstream(t)
	g := lookupGateway(t, sendStore, up.URL, func(g *Gateway) { g.ResourceTags, g.OriginationLookup = nil, OriginationLookupOff })
	w := serve(g, decideV2Request(t, sendFreeKeyID, sendFreeSecret, "SendDestinationNumberVerificationCode",
		`{"VerifiedDestinationNumberId":"`+sendVerifiedID+`","VerificationChannel":"TEXT"}`))
	if w.Code != 403 || up.count("SendDestinationNumberVerificationCode") != 0 {
		t.Errorf("status %d, forwarded %d: want 403 and nothing forwarded", w.Code, up.count("SendDestinationNumberVerificationCode"))
	}
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// quotaGateway provisions a gateway with sendStore, the given quotas and an
// in-memory quota state on clock (or store, when not nil).
func quotaGateway(t testing.TB, up *sendUpstream, clock *fakeClock, store quota.Store, quotas ...Quota) (*Gateway, *prometheus.Registry, *observer.ObservedLogs) {
	t.Helper()
	if store == nil {
		store = quota.NewMemory(clock.now)
	}
	g := lookupGateway(t, sendStore, up.URL, func(g *Gateway) {
		g.Quotas = quotas
		g.quotaStore = store
	})
	reg := prometheus.NewRegistry()
	m, err := metrics.RegisterQuotas(reg, g.quotas.Names())
	if err != nil {
		t.Fatal(err)
	}
	g.quotaMetrics = m
	core, logs := observer.New(zapcore.InfoLevel)
	g.audit = zap.New(core).Named("audit")
	return g, reg, logs
}

var perTenant = Quota{Config: quota.Config{
	Name: "sms-per-tenant", Actions: []string{"sms-voice:SendTextMessage", "mobiletargeting:SendMessages"},
	Per: "aws:PrincipalTag/tenant", Limit: 3}, Window: caddyDuration(time.Hour),
}

// TestQuotaPerTenant: a tenant's users share one counter of destinations
// (not requests); over the limit the client gets the API's throttling
// error with Retry-After and nothing is forwarded; the window frees them.
func TestQuotaPerTenant(t *testing.T) {
	up := newSendUpstream(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	g, reg, _ := quotaGateway(t, up, clock, nil, perTenant)

	if w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile)); w.Code != 200 {
		t.Fatalf("first send: %d %s", w.Code, w.Body)
	}
	if w := serve(g, sendMessages(t, sendOTPKeyID, sendOTPSecret, "+33612345671", "+33612345672")); w.Code != 200 {
		t.Fatalf("two destinations by another user of the tenant: %d %s", w.Code, w.Body)
	}
	// The tenant has used 3 of 3: the next destination is refused, in the
	// shape of each API.
	w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "ThrottlingException") {
		t.Errorf("v2 over the limit: %d %s, want 400 ThrottlingException", w.Code, w.Body)
	}
	if ra := w.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	w = serve(g, sendMessages(t, sendFreeKeyID, sendFreeSecret, "+33612345673"))
	if w.Code != 429 || w.Header().Get("X-Amzn-ErrorType") != "TooManyRequestsException" {
		t.Errorf("Pinpoint over the limit: %d %v %s, want 429 TooManyRequestsException", w.Code, w.Header(), w.Body)
	}
	if got := up.count("SendTextMessage"); got != 1 {
		t.Errorf("SendTextMessage forwarded %d times, want 1", got)
	}
	// An ungoverned call goes on.
	if w := serve(g, decideV2Request(t, sendFreeKeyID, sendFreeSecret, "DescribePools", `{}`)); w.Code != 200 {
		t.Errorf("ungoverned call: %d", w.Code)
	}
	// A window later the counter is free again.
	clock.add(time.Hour + 2*time.Minute)
	if w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile)); w.Code != 200 {
		t.Errorf("after the window: %d %s", w.Code, w.Body)
	}
	if got := quotaCount(t, reg, "sms-per-tenant", "refused"); got != 2 {
		t.Errorf("refused = %v, want 2", got)
	}
	if got := quotaCount(t, reg, "sms-per-tenant", "admitted"); got != 3 {
		t.Errorf("admitted = %v, want 3", got)
	}
}

// TestQuotaAccounting: a request denied by policy uses no quota; one that
// AWS fails keeps its count (it may have been billed); a request whose key
// has no value for the quota's Per is denied.
func TestQuotaAccounting(t *testing.T) {
	up := newSendUpstream(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	g, _, _ := quotaGateway(t, up, clock, nil, perTenant)

	// otp may not send to the US: denied by policy, 3 times, no quota used.
	for range 3 {
		if w := serve(g, sendTextTo(t, sendOTPKeyID, sendOTPSecret, sendUSNumber)); w.Code != 403 {
			t.Fatalf("policy deny: %d", w.Code)
		}
	}
	// AWS fails two sends: they count.
	up.mu.Lock()
	up.status = 500
	up.mu.Unlock()
	for range 2 {
		if w := serve(g, sendTextTo(t, sendOTPKeyID, sendOTPSecret, sendFrenchMobile)); w.Code != 500 {
			t.Fatalf("upstream failure: %d %s", w.Code, w.Body)
		}
	}
	up.mu.Lock()
	up.status = 0
	up.mu.Unlock()
	if w := serve(g, sendTextTo(t, sendOTPKeyID, sendOTPSecret, sendFrenchMobile)); w.Code != 200 {
		t.Fatalf("third destination: %d %s", w.Code, w.Body)
	}
	if w := serve(g, sendTextTo(t, sendOTPKeyID, sendOTPSecret, sendFrenchMobile)); w.Code != 400 {
		t.Errorf("fourth destination: %d, want the throttling error", w.Code)
	}
	// No tenant tag: the quota cannot be applied, so the send is denied.
	w := serve(g, sendTextTo(t, sendNoTagKeyID, sendNoTagSecret, sendFrenchMobile))
	if w.Code != 403 || !strings.Contains(w.Body.String(), "aws:PrincipalTag/tenant") {
		t.Errorf("no tenant tag: %d %s, want 403 naming the key", w.Code, w.Body)
	}
}

// TestQuotaPerDestination: a quota per destination number counts each
// number on its own counter, and all quotas of a request must admit it
// (none is counted when one refuses).
func TestQuotaPerDestination(t *testing.T) {
	up := newSendUpstream(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	perNumber := Quota{Config: quota.Config{Name: "per-number", Actions: []string{"sms-voice:Send*", "mobiletargeting:SendMessages"},
		Per: "gateway:DestinationNumber", Limit: 2}, Window: caddyDuration(24 * time.Hour)}
	wide := perTenant
	wide.Limit = 5
	g, _, logs := quotaGateway(t, up, clock, nil, perNumber, wide)

	for range 2 {
		if w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile)); w.Code != 200 {
			t.Fatalf("send: %d %s", w.Code, w.Body)
		}
	}
	// The number is used up; a request to it and to a fresh number is
	// refused as a whole and takes nothing from the tenant's counter.
	w := serve(g, sendMessages(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile, "+33612345670"))
	if w.Code != 429 {
		t.Fatalf("used-up number: %d %s", w.Code, w.Body)
	}
	recs := auditRecords(logs)
	last := recs[len(recs)-1]
	if last["quota_refused"] != "per-number" || last["decision"] != "QuotaExceeded" {
		t.Errorf("audit record: quota_refused %v, decision %v", last["quota_refused"], last["decision"])
	}
	// Tenant: 2 used of 5, so three fresh numbers pass.
	if w := serve(g, sendMessages(t, sendFreeKeyID, sendFreeSecret, "+33612345670", "+33612345671", "+33612345672")); w.Code != 200 {
		t.Errorf("three fresh numbers: %d %s", w.Code, w.Body)
	}
	if w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, "+33612345673")); w.Code != 400 {
		t.Errorf("sixth destination of the tenant: %d, want the throttling error", w.Code)
	}
	// A destination without a readable number cannot be counted per number.
	if w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, "+33 6")); w.Code != 403 {
		t.Errorf("unreadable destination under a per-number quota: %d, want 403", w.Code)
	}
}

// failingStore is a quota state that cannot be reached.
type failingStore struct{}

func (failingStore) Take(context.Context, []quota.Charge) (quota.Outcome, error) {
	return quota.Outcome{}, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// TestQuotaStateUnavailable: when the quota state cannot be reached,
// governed sends are denied (503, nothing forwarded), ungoverned calls go
// on, and dry_run forwards with "would deny".
func TestQuotaStateUnavailable(t *testing.T) {
	up := newSendUpstream(t)
	g, reg, _ := quotaGateway(t, up, nil, failingStore{}, perTenant)
	w := serve(g, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile))
	if w.Code != 503 || !strings.Contains(w.Body.String(), "sms-per-tenant") {
		t.Errorf("governed send: %d %s, want 503 naming the quota", w.Code, w.Body)
	}
	if up.count("SendTextMessage") != 0 {
		t.Error("a send was forwarded without its quota")
	}
	if w := serve(g, decideV2Request(t, sendFreeKeyID, sendFreeSecret, "DescribePools", `{}`)); w.Code != 200 {
		t.Errorf("ungoverned call: %d", w.Code)
	}
	if got := quotaCount(t, reg, "sms-per-tenant", "store_error"); got != 1 {
		t.Errorf("store_error = %v, want 1", got)
	}

	dry, _, logs := quotaGateway(t, up, nil, failingStore{}, perTenant)
	dry.dryRun = true
	if w := serve(dry, sendTextTo(t, sendFreeKeyID, sendFreeSecret, sendFrenchMobile)); w.Code != 200 {
		t.Errorf("dry_run: %d, want forwarded", w.Code)
	}
	recs := auditRecords(logs)
	if rec := recs[len(recs)-1]; rec["decision"] != "QuotaUnavailable" || !strings.HasPrefix(rec["reason"].(string), "would deny: ") {
		t.Errorf("dry_run audit: decision %v, reason %v; want QuotaUnavailable, would deny", rec["decision"], rec["reason"])
	}
}

// quotaCount returns the value of quota_decisions_total{quota, outcome}.
func quotaCount(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "pinpoint_gateway_quota_decisions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["quota"] == name && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no series quota=%s outcome=%s", name, outcome)
	return 0
}
