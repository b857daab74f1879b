package module

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/awserr"
)

// TestRetiredOperations: a call to an operation AWS retired is marked in
// the audit record and counted; with retired_operations deny an allowed
// one is answered by the gateway (405 MethodNotAllowedException) and not
// forwarded, a denied one keeps its 403, and a supported one goes on.
func TestRetiredOperations(t *testing.T) {
	segments := "/v1/apps/" + testApp + "/segments"
	cases := map[string]struct {
		mode, method, path string
		want               int
		forwarded          bool
		decision           string
		lifecycle          any
	}{
		"forward: retired, allowed":          {RetiredForward, "GET", segments, 200, true, "Allow", "retired"},
		"deny: retired, allowed":             {RetiredDeny, "GET", segments, 405, false, "Retired", "retired"},
		"deny: retired, denied":              {RetiredDeny, "DELETE", segments + "/s1", 403, false, "ImplicitDeny", "retired"},
		"deny: supported":                    {RetiredDeny, "GET", "/v1/apps", 200, true, "Allow", nil},
		"forward: SendMessages to endpoints": {RetiredForward, "POST", "/v1/apps/" + testApp + "/messages", 200, true, "Allow", "retired"},
		"deny: SendMessages to endpoints":    {RetiredDeny, "POST", "/v1/apps/" + testApp + "/messages", 405, false, "Retired", "retired"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			up := newFakeUpstream(t)
			g, logs := testGateway(t, up, func(g *Gateway) { g.RetiredOperations = tc.mode })
			reg := prometheus.NewRegistry()
			if err := reg.Register(g.metrics.RetiredCalls()); err != nil {
				t.Fatal(err)
			}
			// The reader may call mobiletargeting:Get* only; the admin sends.
			key, secret, body, h := readerKeyID, readerSecret, []byte(nil), http.Header(nil)
			if tc.method == "POST" {
				key, secret = adminKeyID, adminSecret
				body, h = []byte(`{"Endpoints":{"ep-1":{}},"MessageConfiguration":{}}`), http.Header{"Content-Type": {"application/json"}}
			}
			w := serve(g, signedRequest(t, tc.method, "http://gw"+tc.path, "mobiletargeting", "us-east-1", key, secret, h, body))
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if tc.want == 405 && (w.Header().Get("X-Amzn-ErrorType") != "MethodNotAllowedException" || !strings.Contains(w.Body.String(), "2026-10-30")) {
				t.Errorf("answer %v %s, want MethodNotAllowedException saying when AWS retired it", w.Header(), w.Body)
			}
			if got := len(up.received()) > 0; got != tc.forwarded {
				t.Errorf("forwarded = %v, want %v", got, tc.forwarded)
			}
			recs := auditRecords(logs)
			rec := recs[len(recs)-1]
			if rec["operation_lifecycle"] != tc.lifecycle || rec["decision"] != tc.decision {
				t.Errorf("audit: operation_lifecycle %v, decision %v; want %v, %v", rec["operation_lifecycle"], rec["decision"], tc.lifecycle, tc.decision)
			}
			mfs, _ := reg.Gather()
			n := 0.0
			for _, mf := range mfs {
				for _, m := range mf.GetMetric() {
					n += m.GetCounter().GetValue()
				}
			}
			if want := map[bool]float64{true: 1, false: 0}[tc.lifecycle != nil]; n != want {
				t.Errorf("retired_operation_calls_total = %v, want %v", n, want)
			}
		})
	}
}

// TestRetiredOperationsDryRun: in dry_run, deny mode audits the decision
// with "would deny" and forwards.
func TestRetiredOperationsDryRun(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, func(g *Gateway) { g.RetiredOperations = RetiredDeny; g.Mode = ModeDryRun })
	w := serve(g, signedRequest(t, "GET", "http://gw/v1/apps/"+testApp+"/segments", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, http.Header{}, nil))
	if w.Code != 200 || len(up.received()) != 1 {
		t.Fatalf("dry_run: status %d, forwarded %d; want 200 and forwarded", w.Code, len(up.received()))
	}
	recs := auditRecords(logs)
	if rec := recs[len(recs)-1]; rec["decision"] != "Retired" || !strings.HasPrefix(rec["reason"].(string), "would deny: ") {
		t.Errorf("audit: decision %v reason %v", rec["decision"], rec["reason"])
	}
}

// TestNewerThanModels: an SMS and Voice v2 operation the models lack but the
// IAM reference lists without resource types (ListAvailablePhoneNumbers) is
// decided on its action and forwarded, and the audit record says how it was
// mapped; one the gateway cannot locate resources for is denied with 403.
func TestNewerThanModels(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	r := signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", adminKeyID, adminSecret,
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.ListAvailablePhoneNumbers"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(`{"IsoCountryCode":"US"}`))
	if w := serve(g, r); w.Code != 200 || len(up.received()) != 1 {
		t.Fatalf("ListAvailablePhoneNumbers: %d, forwarded %d; want 200 and forwarded", w.Code, len(up.received()))
	}
	recs := auditRecords(logs)
	if rec := recs[len(recs)-1]; rec["mapped_by"] != "iam-reference" || rec["decision"] != "Allow" {
		t.Errorf("audit: mapped_by %v, decision %v", rec["mapped_by"], rec["decision"])
	}
	reader := signedRequest(t, "POST", "http://gw/", "sms-voice", "us-east-1", readerKeyID, readerSecret,
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.ListAvailablePhoneNumbers"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(`{}`))
	if w := serve(g, reader); w.Code != 403 || !strings.Contains(w.Body.String(), "sms-voice:ListAvailablePhoneNumbers") {
		t.Errorf("reader (sms-voice:Describe* only): %d %s, want 403 naming the action", w.Code, w.Body)
	}

	rs := &requestState{identity: &authn.Authenticated{Principal: &authn.Principal{ARN: "arn:aws:iam::123456789012:user/admin"}}, proto: awserr.JSON}
	w := httptest.NewRecorder()
	g.mapFailed(w, rs, &apimap.Error{Kind: apimap.UnmodeledOperation, Msg: "operation X is newer than the service models"})
	if w.Code != 403 || !strings.Contains(w.Body.String(), "AccessDeniedException") || !strings.Contains(w.Body.String(), "newer than the service models") || rs.decision != "ImplicitDeny" {
		t.Errorf("unmodeled refusal: %d %s (decision %s), want 403 AccessDeniedException with the reason", w.Code, w.Body, rs.decision)
	}
}
