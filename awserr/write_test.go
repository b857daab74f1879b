package awserr

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWriteError checks each protocol's error shape.
func TestWriteError(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		proto       Protocol
		code        string
		wantCode    string
		contentType string
	}{
		"rest-json":          {RESTJSON, AccessDeniedException, "AccessDeniedException", "application/json"},
		"json 1.0":           {JSON, AccessDeniedException, "AccessDeniedException", "application/x-amz-json-1.0"},
		"json 1.0 bad input": {JSON, BadRequestException, "ValidationException", "application/x-amz-json-1.0"},
		"query":              {Query, AccessDeniedException, "AccessDenied", "text/xml"},
		"query too large":    {Query, PayloadTooLargeException, "RequestEntityTooLarge", "text/xml"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			Write(w, tc.proto, 403, tc.code, `User: a "quoted" <message>`, "req-1")
			if w.Code != 403 || w.Header().Get("X-Amzn-Requestid") != "req-1" || w.Header().Get("Content-Type") != tc.contentType {
				t.Fatalf("status %d headers %v", w.Code, w.Header())
			}
			body := w.Body.String()
			switch tc.proto {
			case RESTJSON:
				var b restJSONError
				if err := json.Unmarshal([]byte(body), &b); err != nil || b.Message != `User: a "quoted" <message>` || b.RequestID != "req-1" {
					t.Errorf("body %s (%v)", body, err)
				}
				if got := w.Header().Get("X-Amzn-Errortype"); got != tc.wantCode {
					t.Errorf("X-Amzn-ErrorType %q, want %q", got, tc.wantCode)
				}
			case JSON:
				var b jsonError
				if err := json.Unmarshal([]byte(body), &b); err != nil || b.Type != tc.wantCode || b.Message != `User: a "quoted" <message>` {
					t.Errorf("body %s (%v), want __type %s", body, err, tc.wantCode)
				}
			case Query:
				if !strings.Contains(body, "<Code>"+tc.wantCode+"</Code>") || !strings.Contains(body, "req-1") || strings.Contains(body, `<message>`) {
					t.Errorf("body %s, want code %s, the request ID and an escaped message", body, tc.wantCode)
				}
			}
		})
	}
}

func TestSTSErrorXML(t *testing.T) {
	t.Parallel()
	got := string(STSErrorXML("ExpiredToken", "The security token included in the request is expired", "req-1"))
	want := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code>` +
		`<Message>The security token included in the request is expired</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`
	if got != want {
		t.Errorf("STSErrorXML =\n%s\nwant\n%s", got, want)
	}
	if got := string(STSErrorXML("X", "a<b&c", "r")); !strings.Contains(got, "<Message>a&lt;b&amp;c</Message>") {
		t.Errorf("message not escaped: %s", got)
	}
}
