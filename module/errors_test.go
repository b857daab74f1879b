package module

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pinpointgw/gateway/awserr"
)

// TestProtocolOf checks the protocol guess made before authentication.
func TestProtocolOf(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		method, target string
		header         http.Header
		want           awserr.Protocol
	}{
		"v2 target header": {"POST", "/", http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}}, awserr.JSON},
		"sts credential": {"POST", "/", http.Header{"Authorization": {
			"AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x"}}, awserr.Query},
		"pinpoint credential": {"GET", "/v1/apps", http.Header{"Authorization": {
			"AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/mobiletargeting/aws4_request, SignedHeaders=host, Signature=x"}}, awserr.RESTJSON},
		"presigned sts":      {"GET", "/?Action=GetCallerIdentity&X-Amz-Credential=AKIAX%2F20260101%2Fus-east-1%2Fsts%2Faws4_request", nil, awserr.Query},
		"unsigned form to /": {"POST", "/", nil, awserr.Query},
		"unsigned REST path": {"GET", "/v1/apps", nil, awserr.RESTJSON},
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
