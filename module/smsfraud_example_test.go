package module

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestSMSFraudExample adapts examples/sms-fraud/Caddyfile, provisions it
// with examples/sms-fraud/store.json and a real redis-server as its shared
// state, in front of a fake SMS and Voice API, and checks what
// examples/sms-fraud/README.md promises.
func TestSMSFraudExample(t *testing.T) {
	const (
		acme, acmeSecret     = "AKIAEXAMPLEACMEOTP01", "acme-secret-for-the-example-test"
		globex, globexSecret = "AKIAEXAMPLEGLOBEX001", "globex-secret-for-the-example-test"
	)
	redis := testenv.StartRedis(t)
	t.Setenv("GATEWAY_REDIS_URL", redis.URL())
	t.Setenv("ACME_SECRET", acmeSecret)
	t.Setenv("GLOBEX_SECRET", globexSecret)
	up := newSendUpstream(t)
	g := exampleGateway(t, "../examples/sms-fraud/Caddyfile", up.URL, func(g *Gateway) {
		if len(g.Quotas) != 2 || g.Quotas[0].Limit != 500 || g.Quotas[1].Per != "gateway:DestinationNumber" || g.Quotas[1].Limit != 5 {
			t.Fatalf("quotas = %+v, want otp-per-tenant 500/h and otp-per-number 5/day", g.Quotas)
		}
		if g.SharedState == nil || g.SharedState.Backend != SharedStateRedis {
			t.Fatalf("shared_state = %+v, want redis", g.SharedState)
		}
	})

	send := func(key, secret, to string) int {
		return serve(g, sendTextTo(t, key, secret, to)).Code
	}
	// Where.
	where := []struct {
		name        string
		key, secret string
		to          string
		want        int
	}{
		{"acme to France", acme, acmeSecret, "+33612345678", 200},
		{"acme to Germany", acme, acmeSecret, "+4915123456789", 200},
		{"acme to the US", acme, acmeSecret, "+12065550100", 403},
		{"globex to the US", globex, globexSecret, "+12065550100", 200},
		{"globex to France", globex, globexSecret, "+33612345678", 403},
		{"globex to a US premium-rate number", globex, globexSecret, "+19005550100", 403},
		{"acme to a number it cannot read", acme, acmeSecret, "+33 6 12 34 56 78", 403},
	}
	for _, s := range where {
		if got := send(s.key, s.secret, s.to); got != s.want {
			t.Errorf("%s: %d, want %d", s.name, got, s.want)
		}
	}
	two := `{"Addresses":{"+33612345678":{"ChannelType":"SMS"},"+33612345679":{"ChannelType":"SMS"}},"MessageConfiguration":{}}`
	if w := serve(g, decideMTRequest(t, acme, acmeSecret, "POST", "/v1/apps/app-a/messages", two)); w.Code != 403 {
		t.Errorf("SendMessages to two numbers: %d, want 403 (SendMessages is not allowed)", w.Code)
	}
	otp := `{"BrandName":"b","Channel":"SMS","DestinationIdentity":"+33612345670","OriginationIdentity":"+12065550199","ReferenceId":"r"}`
	if w := serve(g, decideMTRequest(t, acme, acmeSecret, "POST", "/v1/apps/app-a/otp", otp)); w.Code != 200 {
		t.Errorf("SendOTPMessage to France: %d %s", w.Code, w.Body)
	}
	verify := `{"VerifiedDestinationNumberId":"` + sendPremiumID + `","VerificationChannel":"TEXT"}`
	if w := serve(g, decideV2Request(t, acme, acmeSecret, "SendDestinationNumberVerificationCode", verify)); w.Code != 403 {
		t.Errorf("verification code to a verified premium-rate number: %d, want 403", w.Code)
	}

	// How much: 5 codes per number per day. "+33612345678" has had 1.
	for i := range 4 {
		if got := send(acme, acmeSecret, "+33612345678"); got != 200 {
			t.Fatalf("code %d to one number: %d", i+2, got)
		}
	}
	w := serve(g, sendTextTo(t, acme, acmeSecret, "+33612345678"))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "ThrottlingException") || !strings.Contains(w.Body.String(), "otp-per-number") {
		t.Errorf("sixth code to one number: %d %s, want ThrottlingException naming otp-per-number", w.Code, w.Body)
	}
	// 500 destinations per hour per tenant: acme has sent 7 (2 + OTP + 4 above,
	// the refused ones count nothing), so 493 more to fresh numbers pass.
	for i := range 493 {
		if got := send(acme, acmeSecret, fmt.Sprintf("+3361234%04d", i)); got != 200 {
			t.Fatalf("tenant destination %d: %d", 8+i, got)
		}
	}
	w = serve(g, sendTextTo(t, acme, acmeSecret, "+33698765432"))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "otp-per-tenant") || w.Header().Get("Retry-After") == "" {
		t.Errorf("destination 501 of the tenant: %d %s, want ThrottlingException naming otp-per-tenant with Retry-After", w.Code, w.Body)
	}
	// Another tenant's counter is its own.
	if got := send(globex, globexSecret, "+16135550123"); got != 200 {
		t.Errorf("globex after acme's limit: %d", got)
	}
	if got := up.count("SendTextMessage"); got != 2+4+493+1+1 {
		t.Errorf("SendTextMessage forwarded %d times, want %d", got, 2+4+493+1+1)
	}

	// Redis away: sends are refused, other calls go on; back: sends again.
	redis.Stop()
	if got := send(globex, globexSecret, "+16135550124"); got != http.StatusServiceUnavailable {
		t.Errorf("send with Redis stopped: %d, want 503", got)
	}
	redis.Start()
	if got := send(globex, globexSecret, "+16135550125"); got != 200 {
		t.Errorf("send with Redis back: %d, want 200", got)
	}
}
