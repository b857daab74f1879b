package module

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// Origination lookup tests: the resolution of origination identities
// (E.164 numbers, bare sender IDs, the sender-ID reading of short IDs) under
// the default configuration (resource_tags static), in front of tagUpstream.
const (
	origPoolKeyID   = "AKIATESTORIGPOOL0001"
	origPoolSecret  = "test/orig/pool/secret/ffffffffffffffffff"
	origBothKeyID   = "AKIATESTORIGBOTH0001"
	origBothSecret  = "test/orig/both/secret/gggggggggggggggggg"
	origSenderPool  = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/pool-abc/US"
	origLongPoolID  = "pool-2f1e0fc5d2c8470dbe1e8ef0c8f6e2f1"
	origPoolsOnly   = "arn:aws:sms-voice:us-east-1:123456789012:pool/*"
	origSendersOnly = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/*"
)

const origStore = `{
  "users": [
    {"name": "admin", "access_keys": [{"id": "` + adminKeyID + `", "secret": "` + adminSecret + `"}], "policies": ["Admin"]},
    {"name": "pools", "access_keys": [{"id": "` + origPoolKeyID + `", "secret": "` + origPoolSecret + `"}], "policies": ["PoolsOnly"]},
    {"name": "both", "access_keys": [{"id": "` + origBothKeyID + `", "secret": "` + origBothSecret + `"}], "policies": ["PoolsAndSenderIDs"]}
  ],
  "policies": {
    "Admin": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["mobiletargeting:*", "sms-voice:*"], "Resource": "*"}]},
    "PoolsOnly": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "sms-voice:SendTextMessage", "Resource": "` + origPoolsOnly + `"}]},
    "PoolsAndSenderIDs": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "sms-voice:SendTextMessage", "Resource": ["` + origPoolsOnly + `", "` + origSendersOnly + `"]}]}
  }
}`

// origGateway provisions a gateway with origStore in front of up, in the
// default configuration (no resource_tags) changed by configure.
func origGateway(t testing.TB, up *tagUpstream, configure func(*Gateway)) *Gateway {
	t.Helper()
	g := lookupGateway(t, origStore, up.URL, func(g *Gateway) {
		g.ResourceTags = nil
		if configure != nil {
			configure(g)
		}
	})
	core, _ := observerCore()
	g.audit = core
	return g
}

func origSend(t testing.TB, keyID, secret, origination string) *http.Request {
	return decideV2Request(t, keyID, secret, "SendTextMessage",
		fmt.Sprintf(`{"DestinationPhoneNumber":"+14255550123","OriginationIdentity":%q,"MessageBody":"hi"}`, origination))
}

// TestOriginationResolvesByDefault: without resource_tags lookup, an
// E.164 number or a bare sender ID resolves (an allow-all administrator
// may send from them), and what the account lacks is denied.
func TestOriginationResolvesByDefault(t *testing.T) {
	up := newTagUpstream(t)
	g := origGateway(t, up, nil)
	cases := map[string]struct {
		origination string
		want        int
	}{
		"E.164 number":            {"+12065550100", 200},
		"number without plus":     {"12065550100", 200},
		"bare sender ID":          {"ACME", 200},
		"number of no account":    {"+12065550000", 403},
		"sender ID of no account": {"NOSUCH", 403},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := up.count("SendTextMessage")
			w := serve(g, origSend(t, adminKeyID, adminSecret, tc.origination))
			if w.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body, tc.want)
			}
			if forwarded := up.count("SendTextMessage") - before; forwarded != map[bool]int{true: 1, false: 0}[tc.want == 200] {
				t.Errorf("forwarded %d requests", forwarded)
			}
		})
	}
	if n := up.count("ListTagsForResource"); n != 0 {
		t.Errorf("%d tag lookups under resource_tags static, want none", n)
	}
}

// TestOriginationLookupOff: origination_lookup off denies what needs a
// resolution, as before, with a reason that names the option; with
// resource_tags lookup too.
func TestOriginationLookupOff(t *testing.T) {
	for name, tags := range map[string]*ResourceTagsConfig{
		"resource_tags static": nil,
		"resource_tags lookup": {Source: ResourceTagsLookup},
	} {
		t.Run(name, func(t *testing.T) {
			up := newTagUpstream(t)
			g := origGateway(t, up, func(g *Gateway) { g.ResourceTags, g.OriginationLookup = tags, OriginationLookupOff })
			core, logs := observerCore()
			g.audit = core
			for _, o := range []string{"+12065550100", "ACME", "pool-abc"} {
				if w := serve(g, origSend(t, adminKeyID, adminSecret, o)); w.Code != 403 || !strings.Contains(w.Body.String(), "cannot resolve") {
					t.Errorf("%s: status %d (%s), want 403 saying the gateway cannot resolve it", o, w.Code, w.Body)
				}
			}
			if w := serve(g, origSend(t, adminKeyID, adminSecret, origLongPoolID)); w.Code != 200 {
				t.Errorf("a pool ID too long for a sender ID: status %d (%s), want 200", w.Code, w.Body)
			}
			for _, rec := range auditRecords(logs)[:3] {
				if reason := fmt.Sprint(rec["reason"]); !strings.Contains(reason, "origination_lookup is off") {
					t.Errorf("reason %q does not name origination_lookup", reason)
				}
			}
			if n := up.count("DescribePhoneNumbers") + up.count("DescribeSenderIds"); n != 0 {
				t.Errorf("%d lookups under origination_lookup off, want none", n)
			}
		})
	}
}

// TestShortIDBothReadings: "pool-abc" is a legal sender ID too, and AWS
// documents no precedence: when the account has such a sender ID, the
// request must be allowed on the pool and on the sender ID; when it has
// none, the pool alone decides; when the lookup fails, the request is
// denied.
func TestShortIDBothReadings(t *testing.T) {
	up := newTagUpstream(t)
	up.set(func(u *tagUpstream) { u.senders[origSenderPool] = "pool-abc" })
	g := origGateway(t, up, nil)
	cases := map[string]struct {
		keyID, secret, origination string
		want                       int
		wantWhy                    string
	}{
		"allow-all, both readings":               {adminKeyID, adminSecret, "pool-abc", 200, ""},
		"pools and sender IDs, both readings":    {origBothKeyID, origBothSecret, "pool-abc", 200, ""},
		"pools only, the sender ID exists":       {origPoolKeyID, origPoolSecret, "pool-abc", 403, origSenderPool},
		"pools only, no such sender ID":          {origPoolKeyID, origPoolSecret, "pool-xyz", 200, ""},
		"pools only, a pool ID too long for one": {origPoolKeyID, origPoolSecret, origLongPoolID, 200, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := serve(g, origSend(t, tc.keyID, tc.secret, tc.origination))
			if w.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body, tc.want)
			}
			if tc.wantWhy != "" && !strings.Contains(w.Body.String(), tc.wantWhy) {
				t.Errorf("body %s does not name %s", w.Body, tc.wantWhy)
			}
		})
	}
	t.Run("the lookup fails", func(t *testing.T) {
		up := newTagUpstream(t)
		up.set(func(u *tagUpstream) { u.fail = true })
		g := origGateway(t, up, nil)
		if w := serve(g, origSend(t, adminKeyID, adminSecret, "pool-new")); w.Code != 403 {
			t.Errorf("status %d (%s), want 403", w.Code, w.Body)
		}
		if n := up.count("SendTextMessage"); n != 0 {
			t.Errorf("forwarded %d", n)
		}
	})
}

// TestOriginationWithoutCredentials: the upstream credentials are resolved
// when first needed; when they are unavailable, a request that needs a
// resolution is denied.
func TestOriginationWithoutCredentials(t *testing.T) {
	up := newTagUpstream(t)
	g := origGateway(t, up, func(g *Gateway) { g.creds = failingCredentials{} })
	core, logs := observerCore()
	g.audit = core
	if w := serve(g, origSend(t, adminKeyID, adminSecret, "+12065550100")); w.Code != 403 {
		t.Fatalf("status %d (%s), want 403", w.Code, w.Body)
	}
	if recs := auditRecords(logs); len(recs) != 1 || !strings.Contains(fmt.Sprint(recs[0]["reason"]), "upstream credentials") {
		t.Errorf("audit %v: want a reason naming the upstream credentials", recs)
	}
	if n := up.count("DescribePhoneNumbers"); n != 0 {
		t.Errorf("%d unsigned lookups reached the upstream", n)
	}
}

// TestVerifiedDestinationByDefault: the same resolver finds the number of a
// verified destination number without resource_tags lookup.
func TestVerifiedDestinationByDefault(t *testing.T) {
	up := newSendUpstream(t)
	g := lookupGateway(t, sendStore, up.URL, func(g *Gateway) { g.ResourceTags = nil })
	w := serve(g, decideV2Request(t, sendFreeKeyID, sendFreeSecret, "SendDestinationNumberVerificationCode",
		`{"VerifiedDestinationNumberId":"`+sendVerifiedID+`","VerificationChannel":"TEXT"}`))
	if w.Code != 200 || up.count("SendDestinationNumberVerificationCode") != 1 {
		t.Errorf("status %d (%s), forwarded %d: want 200, forwarded once", w.Code, w.Body, up.count("SendDestinationNumberVerificationCode"))
	}
}

func TestOriginationLookupConfig(t *testing.T) {
	t.Parallel()
	caddyfileCases := map[string]struct {
		input   string
		want    string // the option's value; "" with wantErr
		wantErr string
	}{
		"off":        {input: "pinpoint_gateway {\n origination_lookup off\n}", want: OriginationLookupOff},
		"on":         {input: "pinpoint_gateway {\n origination_lookup on\n}", want: ""},
		"no value":   {input: "pinpoint_gateway {\n origination_lookup\n}", wantErr: "wrong argument count"},
		"two values": {input: "pinpoint_gateway {\n origination_lookup off on\n}", wantErr: "wrong argument count"},
		"unknown":    {input: "pinpoint_gateway {\n origination_lookup maybe\n}", wantErr: `origination_lookup: "maybe" is not on or off`},
	}
	for name, tc := range caddyfileCases {
		t.Run("Caddyfile "+name, func(t *testing.T) {
			t.Parallel()
			var g Gateway
			err := g.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.input))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("UnmarshalCaddyfile(%q) = %v, want an error containing %q", tc.input, err, tc.wantErr)
				}
				return
			}
			if err != nil || g.OriginationLookup != tc.want {
				t.Fatalf("UnmarshalCaddyfile(%q): origination_lookup %q, error %v; want %q", tc.input, g.OriginationLookup, err, tc.want)
			}
		})
	}
	t.Run("JSON value checked", func(t *testing.T) {
		t.Parallel()
		g := Gateway{Account: testAccount, Store: "store.json", OriginationLookup: "on"}
		g.applyDefaults()
		if err := g.validateConfig(); err == nil || !strings.Contains(err.Error(), "origination_lookup") {
			t.Errorf("validateConfig = %v, want an error naming origination_lookup", err)
		}
	})
}
