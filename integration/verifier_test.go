package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestVerifierAgreesWithSDKSigner checks the fake upstream's independent
// SigV4 verifier against the SDK signer the gateway uses: what the SDK signs
// with the upstream credentials passes, and every tampering is caught. It
// needs no gateway binary, so it also runs under -short.
func TestVerifierAgreesWithSDKSigner(t *testing.T) {
	t.Parallel()
	upstreamCreds := aws.Credentials{AccessKeyID: upstreamAccessKeyID, SecretAccessKey: upstreamSecret}
	tests := map[string]struct {
		api       string
		method    string
		path      string
		query     string
		body      string
		creds     aws.Credentials
		service   string
		mutate    func(*http.Request)
		wantFails []string // substrings of the expected failures; nil = accepted
	}{
		"pinpoint GET with query": {
			api: "pinpoint", method: "GET", path: "/v1/apps", query: "page-size=10&token=a%2Fb c",
			creds: upstreamCreds, service: "mobiletargeting",
		},
		"pinpoint GET with escaped path": {
			api: "pinpoint", method: "GET", path: "/v1/apps/app%20a/campaigns/c%2F1",
			creds: upstreamCreds, service: "mobiletargeting",
		},
		"v2 JSON POST": {
			api: "sms-voice-v2", method: "POST", path: "/", body: `{"MaxResults":5}`,
			creds: upstreamCreds, service: "sms-voice",
			mutate: func(r *http.Request) {
				r.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2.DescribePools")
				r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			},
		},
		"tampered body": {
			api: "sms-voice", method: "POST", path: "/v1/sms-voice/configuration-sets", body: `{"ConfigurationSetName":"a"}`,
			creds: upstreamCreds, service: "sms-voice",
			mutate: func(r *http.Request) {
				r.Body = io.NopCloser(strings.NewReader(`{"ConfigurationSetName":"b"}`))
			},
			wantFails: []string{"signature does not match"},
		},
		"tampered path": {
			api: "pinpoint", method: "GET", path: "/v1/apps/app-a",
			creds: upstreamCreds, service: "mobiletargeting",
			mutate:    func(r *http.Request) { r.URL.Path = "/v1/apps/app-b"; r.URL.RawPath = "" },
			wantFails: []string{"signature does not match"},
		},
		"wrong secret": {
			api: "pinpoint", method: "GET", path: "/v1/apps",
			creds: aws.Credentials{AccessKeyID: upstreamAccessKeyID, SecretAccessKey: "not-the-upstream-secret"}, service: "mobiletargeting",
			wantFails: []string{"signature does not match"},
		},
		"client key": {
			api: "pinpoint", method: "GET", path: "/v1/apps",
			creds: aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}, service: "mobiletargeting",
			wantFails: []string{"signed with access key"},
		},
		"wrong service": {
			api: "pinpoint", method: "GET", path: "/v1/apps",
			creds: upstreamCreds, service: "sms-voice",
			wantFails: []string{"signed for service"},
		},
		"session token still present": {
			api: "pinpoint", method: "GET", path: "/v1/apps",
			creds:     aws.Credentials{AccessKeyID: upstreamAccessKeyID, SecretAccessKey: upstreamSecret, SessionToken: "client-session-token"},
			service:   "mobiletargeting",
			wantFails: []string{"X-Amz-Security-Token header present", "client credential in header"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newFakeUpstream(t, tc.api)
			u.Forbid("client-session-token", backendKeyID)
			target := u.URL() + tc.path
			if tc.query != "" {
				target += "?" + strings.ReplaceAll(tc.query, " ", "%20")
			}
			req, err := http.NewRequest(tc.method, target, bytes.NewReader([]byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.mutate != nil && tc.wantFails == nil {
				tc.mutate(req)
			}
			sum := sha256.Sum256([]byte(tc.body))
			if err := v4.NewSigner().SignHTTP(context.Background(), tc.creds, req, hex.EncodeToString(sum[:]), tc.service, testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			if tc.mutate != nil && tc.wantFails != nil {
				tc.mutate(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			recs := u.Records()
			if len(recs) != 1 {
				t.Fatalf("upstream got %d requests, want 1", len(recs))
			}
			fails := strings.Join(recs[0].Failures, "; ")
			if tc.wantFails == nil {
				if fails != "" || resp.StatusCode != 200 {
					t.Fatalf("verifier refused an SDK-signed request: %d %s", resp.StatusCode, fails)
				}
				return
			}
			for _, want := range tc.wantFails {
				if !strings.Contains(fails, want) {
					t.Errorf("failures %q lack %q", fails, want)
				}
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
		})
	}
}
