package module

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProtocolOf checks the protocol guess made before authentication.
func TestProtocolOf(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		method, target string
		header         http.Header
		want           protocol
	}{
		"v2 target header": {"POST", "/", http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}}, protoJSON},
		"sts credential": {"POST", "/", http.Header{"Authorization": {
			"AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x"}}, protoQuery},
		"pinpoint credential": {"GET", "/v1/apps", http.Header{"Authorization": {
			"AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/mobiletargeting/aws4_request, SignedHeaders=host, Signature=x"}}, protoRESTJSON},
		"presigned sts":      {"GET", "/?Action=GetCallerIdentity&X-Amz-Credential=AKIAX%2F20260101%2Fus-east-1%2Fsts%2Faws4_request", nil, protoQuery},
		"unsigned form to /": {"POST", "/", nil, protoQuery},
		"unsigned REST path": {"GET", "/v1/apps", nil, protoRESTJSON},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "http://gw"+tc.target, nil)
			for k, v := range tc.header {
				r.Header[k] = v
			}
			if got := protocolOf(r); got != tc.want {
				t.Errorf("protocolOf(%s %s) = %s, want %s", tc.method, tc.target, got, tc.want)
			}
		})
	}
}

// TestWriteError checks each protocol's error shape.
func TestWriteError(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		proto       protocol
		code        string
		wantCode    string
		contentType string
	}{
		"rest-json":          {protoRESTJSON, codeAccessDenied, "AccessDeniedException", "application/json"},
		"json 1.0":           {protoJSON, codeAccessDenied, "AccessDeniedException", "application/x-amz-json-1.0"},
		"json 1.0 bad input": {protoJSON, codeBadRequest, "ValidationException", "application/x-amz-json-1.0"},
		"query":              {protoQuery, codeAccessDenied, "AccessDenied", "text/xml"},
		"query too large":    {protoQuery, codePayloadTooLarge, "RequestEntityTooLarge", "text/xml"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			writeError(w, tc.proto, 403, tc.code, `User: a "quoted" <message>`, "req-1")
			if w.Code != 403 || w.Header().Get("X-Amzn-Requestid") != "req-1" || w.Header().Get("Content-Type") != tc.contentType {
				t.Fatalf("status %d headers %v", w.Code, w.Header())
			}
			body := w.Body.String()
			switch tc.proto {
			case protoRESTJSON:
				var b restJSONError
				if err := json.Unmarshal([]byte(body), &b); err != nil || b.Message != `User: a "quoted" <message>` || b.RequestID != "req-1" {
					t.Errorf("body %s (%v)", body, err)
				}
				if got := w.Header().Get("X-Amzn-Errortype"); got != tc.wantCode {
					t.Errorf("X-Amzn-ErrorType %q, want %q", got, tc.wantCode)
				}
			case protoJSON:
				var b jsonError
				if err := json.Unmarshal([]byte(body), &b); err != nil || b.Type != tc.wantCode || b.Message != `User: a "quoted" <message>` {
					t.Errorf("body %s (%v), want __type %s", body, err, tc.wantCode)
				}
			case protoQuery:
				if !strings.Contains(body, "<Code>"+tc.wantCode+"</Code>") || !strings.Contains(body, "req-1") || strings.Contains(body, `<message>`) {
					t.Errorf("body %s, want code %s, the request ID and an escaped message", body, tc.wantCode)
				}
			}
		})
	}
}
