package module

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmePolicies returns the policies of README.md's "Writing policies"
// section by name: each is the ```json block that follows a line
// <!-- README policy NAME: module/readme_policies_test.go -->.
func readmePolicies(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- README policy ([A-Za-z]+): module/readme_policies_test.go -->\n```json\n(.*?)\n```")
	out := map[string]json.RawMessage{}
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		if _, dup := out[m[1]]; dup {
			t.Fatalf("README.md: policy %s twice", m[1])
		}
		if !json.Valid([]byte(m[2])) {
			t.Fatalf("README.md: policy %s is not valid JSON:\n%s", m[1], m[2])
		}
		out[m[1]] = json.RawMessage(m[2])
	}
	return out
}

// Principals and resources of the README's examples.
const (
	rpDashboardKey, rpDashboardSecret = "AKIAREADMEDASHBOARD1", "readme/dashboard/secret/000000000000001"
	rpPlatformKey, rpPlatformSecret   = "AKIAREADMEPLATFORM01", "readme/platform/secret/0000000000000002"
	rpOTPKey, rpOTPSecret             = "AKIAREADMEOTPSERVICE", "readme/otp/secret/000000000000000000003"
	rpAcmePool                        = "pool-11111111111111111111111111111111"
	rpGlobexPool                      = "pool-22222222222222222222222222222222"
	rpOTPPool                         = "pool-07c0de00000000000000000000000000"
	rpOtherPool                       = "pool-33333333333333333333333333333333"
)

// TestReadmePolicies provisions a store made of the README's worked
// examples and runs the calls the README says each allows and denies.
func TestReadmePolicies(t *testing.T) {
	p := readmePolicies(t)
	for _, name := range []string{"Dashboard", "TenantSenderTrust", "TenantSender", "OTPService"} {
		if p[name] == nil {
			t.Fatalf("README.md has no policy %s (have %d)", name, len(p))
		}
	}
	poolARN := func(id string) string { return "arn:aws:sms-voice:us-east-1:123456789012:pool/" + id }
	store := map[string]any{
		"users": []map[string]any{
			{"name": "dashboard", "access_keys": []map[string]string{{"id": rpDashboardKey, "secret": rpDashboardSecret}}, "policies": []string{"Dashboard"}},
			{"name": "platform", "access_keys": []map[string]string{{"id": rpPlatformKey, "secret": rpPlatformSecret}}},
			{"name": "otp-service", "access_keys": []map[string]string{{"id": rpOTPKey, "secret": rpOTPSecret}}, "policies": []string{"OTPService"}},
		},
		"roles": []map[string]any{
			{"name": "tenant-sender", "trust_policy": p["TenantSenderTrust"], "policies": []string{"TenantSender"}, "max_session_duration": "1h"},
		},
		"policies": map[string]json.RawMessage{"Dashboard": p["Dashboard"], "TenantSender": p["TenantSender"], "OTPService": p["OTPService"]},
		"resource_tags": map[string]map[string]string{
			poolARN(rpAcmePool):   {"tenant": "acme"},
			poolARN(rpGlobexPool): {"tenant": "globex"},
			poolARN(rpOTPPool):    {"team": "identity"},
		},
	}
	b, err := json.Marshal(store)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	up := newFakeUpstream(t)
	g, _ := testGateway(t, up, func(g *Gateway) { g.Store = path })
	for _, w := range g.current().store.Warnings() {
		t.Errorf("README policies: %s", w)
	}

	v2 := func(keyID, secret, token, op, body string) *http.Request {
		h := http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2." + op}, "Content-Type": {"application/x-amz-json-1.0"}}
		r := signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", keyID, secret, h, []byte(body))
		if token != "" {
			r = signedRequestWithToken(t, r, keyID, secret, token, []byte(body))
		}
		return r
	}
	from := func(r *http.Request, ip string) *http.Request {
		r.RemoteAddr = ip + ":40000"
		return r
	}
	pinpointGet := func(path string) *http.Request {
		return signedRequest(t, "GET", "http://gw"+path, "mobiletargeting", "us-east-1", rpDashboardKey, rpDashboardSecret, nil, nil)
	}
	send := func(keyID, secret, token, dest, pool string) *http.Request {
		body := fmt.Sprintf(`{"DestinationPhoneNumber":%q,"MessageBody":"Your code is 123456"`, dest)
		if pool != "" {
			body += fmt.Sprintf(`,"OriginationIdentity":%q`, pool)
		}
		return v2(keyID, secret, token, "SendTextMessage", body+"}")
	}

	// The platform's sessions, through the STS.
	assume := func(tags url.Values) (int, string, [3]string) {
		form := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
			"RoleArn": {"arn:aws:iam::123456789012:role/tenant-sender"}, "RoleSessionName": {"readme"}}
		for k, v := range tags {
			form[k] = v
		}
		w := serve(g, signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", rpPlatformKey, rpPlatformSecret,
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode())))
		var out struct {
			Result struct {
				Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
			} `xml:"AssumeRoleResult"`
		}
		if w.Code == 200 {
			if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
		}
		c := out.Result.Credentials
		return w.Code, w.Body.String(), [3]string{c.AccessKeyId, c.SecretAccessKey, c.SessionToken}
	}
	code, body, acme := assume(url.Values{"Tags.member.1.Key": {"tenant"}, "Tags.member.1.Value": {"acme"}})
	if code != 200 {
		t.Fatalf("AssumeRole tenant=acme: %d %s", code, body)
	}
	if code, body, _ := assume(nil); code != 403 {
		t.Errorf("AssumeRole without the tenant tag: %d %s, want 403", code, body)
	}

	cases := map[string]struct {
		r    *http.Request
		want int
	}{
		"dashboard GetApps from the office":                    {from(pinpointGet("/v1/apps"), "10.20.3.4"), 200},
		"dashboard GetApplicationDateRangeKpi from the office": {from(pinpointGet("/v1/apps/abc/kpis/daterange/successful-deliveries"), "10.20.3.4"), 200},
		"dashboard DescribePools from the office":              {from(v2(rpDashboardKey, rpDashboardSecret, "", "DescribePools", `{}`), "10.20.3.4"), 200},
		"dashboard GetApps from elsewhere":                     {from(pinpointGet("/v1/apps"), "192.0.2.10"), 403},
		"dashboard GetUserEndpoints":                           {from(pinpointGet("/v1/apps/abc/users/u1"), "10.20.3.4"), 403},
		"dashboard DeleteApp": {from(signedRequest(t, "DELETE", "http://gw/v1/apps/abc", "mobiletargeting", "us-east-1",
			rpDashboardKey, rpDashboardSecret, nil, nil), "10.20.3.4"), 403},
		"dashboard SendTextMessage": {from(send(rpDashboardKey, rpDashboardSecret, "", "+12065550100", rpOTPPool), "10.20.3.4"), 403},

		"acme session sends from acme's pool":   {send(acme[0], acme[1], acme[2], "+12065550100", rpAcmePool), 200},
		"acme session sends from globex's pool": {send(acme[0], acme[1], acme[2], "+12065550100", rpGlobexPool), 403},
		"acme session sends without a pool":     {send(acme[0], acme[1], acme[2], "+12065550100", ""), 403},

		"otp to the US":                {send(rpOTPKey, rpOTPSecret, "", "+12065550100", rpOTPPool), 200},
		"otp to Canada":                {send(rpOTPKey, rpOTPSecret, "", "+16045550100", rpOTPPool), 200},
		"otp to France":                {send(rpOTPKey, rpOTPSecret, "", "+33612345678", rpOTPPool), 403},
		"otp to a US premium number":   {send(rpOTPKey, rpOTPSecret, "", "+19002345678", rpOTPPool), 403},
		"otp to a number not in E.164": {send(rpOTPKey, rpOTPSecret, "", "0612345678", rpOTPPool), 403},
		"otp from another pool":        {send(rpOTPKey, rpOTPSecret, "", "+12065550100", rpOtherPool), 403},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := serve(g, tc.r)
			if w.Code != tc.want {
				t.Errorf("%d %s, want %d", w.Code, strings.TrimSpace(w.Body.String()), tc.want)
			}
		})
	}
}

// signedRequestWithToken re-signs r, whose body is body, with temporary
// credentials.
func signedRequestWithToken(t *testing.T, r *http.Request, keyID, secret, token string, body []byte) *http.Request {
	t.Helper()
	h := r.Header.Clone()
	h.Del("Authorization")
	h.Del("X-Amz-Date")
	h.Set("X-Amz-Security-Token", token)
	return signedRequest(t, r.Method, r.URL.String(), "sms-voice", "us-east-1", keyID, secret, h, body)
}
