package integration

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// apiErrorOf asserts err is an AWS API error with the code and HTTP status.
func apiErrorOf(t *testing.T, err error, wantCode string, wantStatus int) smithy.APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an AWS API error, want %s", err, wantCode)
	}
	if apiErr.ErrorCode() != wantCode {
		t.Fatalf("error code %q (%s), want %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), wantCode)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != wantStatus {
		t.Errorf("HTTP status %d, want %d", re.HTTPStatusCode(), wantStatus)
	}
	return apiErr
}

// TestAuthenticationAndRequestFailures: bad signatures, unknown keys,
// tampered and foreign tokens, skewed clocks, oversized bodies and unknown
// operations each get AWS's error, and nothing reaches the upstream.
func TestAuthenticationAndRequestFailures(t *testing.T) {
	e := newEnv(t, func(cfg *gatewayConfig) { cfg.MaxBody = "64KiB" })
	c := newCapture()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	good := aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret}
	sess := assumeTenantRole(t, e, c, "a")

	sdkCases := []struct {
		name       string
		call       func() error
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{name: "pinpoint bad signature", wantCode: "InvalidSignatureException", wantStatus: 403,
			wantMsg: "The request signature we calculated does not match",
			call: func() error {
				_, err := pinpointClient(e.g, creds(backendKeyID, "wrong/secret/for/the/backend/user/00000", ""), c).GetApps(ctx, &pinpoint.GetAppsInput{})
				return err
			}},
		{name: "sms-voice-v2 bad signature", wantCode: "InvalidSignatureException", wantStatus: 403,
			call: func() error {
				_, err := smsV2Client(e.g, creds(backendKeyID, "wrong/secret/for/the/backend/user/00000", ""), c).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{})
				return err
			}},
		{name: "sts bad signature", wantCode: "SignatureDoesNotMatch", wantStatus: 403,
			call: func() error {
				_, err := stsClient(e.g, creds(backendKeyID, "wrong/secret/for/the/backend/user/00000", ""), c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			}},
		{name: "pinpoint unknown key", wantCode: "UnrecognizedClientException", wantStatus: 403,
			wantMsg: "The security token included in the request is invalid",
			call: func() error {
				_, err := pinpointClient(e.g, creds(unknownKeyID, backendSecret, ""), c).GetApps(ctx, &pinpoint.GetAppsInput{})
				return err
			}},
		{name: "sms-voice-v2 unknown key", wantCode: "UnrecognizedClientException", wantStatus: 403,
			call: func() error {
				_, err := smsV2Client(e.g, creds(unknownKeyID, backendSecret, ""), c).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{})
				return err
			}},
		{name: "sts unknown key", wantCode: "InvalidClientTokenId", wantStatus: 403,
			call: func() error {
				_, err := stsClient(e.g, creds(unknownKeyID, backendSecret, ""), c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			}},
		{name: "tampered session token", wantCode: "UnrecognizedClientException", wantStatus: 403,
			wantMsg: "The security token included in the request is invalid",
			call: func() error {
				_, err := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, tamper(sess.SessionToken)), c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
				return err
			}},
		{name: "session token of another session", wantCode: "UnrecognizedClientException", wantStatus: 403,
			call: func() error {
				other := assumeTenantRole(t, e, c, "b")
				e.reset()
				_, err := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, other.SessionToken), c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
				return err
			}},
		{name: "temporary key without its token", wantCode: "UnrecognizedClientException", wantStatus: 403,
			call: func() error {
				_, err := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, ""), c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
				return err
			}},
	}
	for _, tc := range sdkCases {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			apiErr := apiErrorOf(t, tc.call(), tc.wantCode, tc.wantStatus)
			if !strings.Contains(apiErr.ErrorMessage(), tc.wantMsg) {
				t.Errorf("message %q, want it to contain %q", apiErr.ErrorMessage(), tc.wantMsg)
			}
			e.assertNothingUpstream(t)
		})
	}

	rawCases := []struct {
		name       string
		req        rawRequest
		chunked    bool
		wantStatus int
		wantCode   string // X-Amzn-ErrorType or __type
		wantMsg    string
	}{
		{name: "clock 10 minutes behind",
			req:        rawRequest{Method: "GET", Path: "/v1/apps", Creds: good, Service: "mobiletargeting", SignTime: time.Now().Add(-10 * time.Minute)},
			wantStatus: 400, wantCode: "InvalidSignatureException", wantMsg: "Signature expired"},
		{name: "clock 10 minutes ahead",
			req:        rawRequest{Method: "GET", Path: "/v1/apps", Creds: good, Service: "mobiletargeting", SignTime: time.Now().Add(10 * time.Minute)},
			wantStatus: 400, wantCode: "InvalidSignatureException", wantMsg: "Signature not yet current"},
		{name: "v2 clock 10 minutes behind",
			req: rawRequest{Method: "POST", Path: "/", Creds: good, Service: "sms-voice", SignTime: time.Now().Add(-10 * time.Minute),
				Header: map[string]string{"X-Amz-Target": "PinpointSMSVoiceV2.DescribePools", "Content-Type": "application/x-amz-json-1.0"}, Body: `{}`},
			wantStatus: 400, wantCode: "InvalidSignatureException", wantMsg: "Signature expired"},
		{name: "unsigned request",
			req:        rawRequest{Method: "GET", Path: "/v1/apps"},
			wantStatus: 403, wantCode: "MissingAuthenticationTokenException"},
		{name: "body over max_body",
			req: rawRequest{Method: "POST", Path: "/v1/apps/app-a/messages", Creds: good, Service: "mobiletargeting",
				Header: map[string]string{"Content-Type": "application/json"}, Body: oversizedMessage(100 << 10)},
			wantStatus: 413, wantCode: "PayloadTooLargeException"},
		{name: "chunked body over max_body", chunked: true,
			req: rawRequest{Method: "POST", Path: "/", Creds: good, Service: "sms-voice",
				Header: map[string]string{"X-Amz-Target": "PinpointSMSVoiceV2.SendTextMessage", "Content-Type": "application/x-amz-json-1.0"},
				Body:   `{"DestinationPhoneNumber":"+12065550100","MessageBody":"` + strings.Repeat("x", 100<<10) + `"}`},
			wantStatus: 413, wantCode: "PayloadTooLargeException"},
		{name: "unknown v2 operation",
			req: rawRequest{Method: "POST", Path: "/", Creds: good, Service: "sms-voice",
				Header: map[string]string{"X-Amz-Target": "PinpointSMSVoiceV2.LaunchRockets", "Content-Type": "application/x-amz-json-1.0"}, Body: `{}`},
			wantStatus: 403, wantCode: "AccessDeniedException"},
		{name: "unknown pinpoint path",
			req:        rawRequest{Method: "GET", Path: "/v1/rockets/launch", Creds: good, Service: "mobiletargeting"},
			wantStatus: 403, wantCode: "AccessDeniedException"},
		{name: "signed for the wrong service",
			req:        rawRequest{Method: "GET", Path: "/v1/apps", Creds: good, Service: "sms-voice"},
			wantStatus: 403, wantCode: "InvalidSignatureException"},
	}
	for _, tc := range rawCases {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			var resp rawResponse
			if tc.chunked {
				resp = doChunked(t, e.g, tc.req)
			} else {
				resp = tc.req.do(t, e.g, c)
			}
			if resp.Status != tc.wantStatus {
				t.Errorf("status %d, want %d (body %q)", resp.Status, tc.wantStatus, resp.Body)
			}
			code, msg := errorCodeOf(resp)
			if code != tc.wantCode {
				t.Errorf("error code %q, want %q (body %q)", code, tc.wantCode, resp.Body)
			}
			if !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("message %q, want it to contain %q", msg, tc.wantMsg)
			}
			e.assertNothingUpstream(t)
		})
	}
}

// errorCodeOf reads the error code and message of a REST JSON or JSON 1.0 error.
func errorCodeOf(resp rawResponse) (code, msg string) {
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"Message"`
		Message2 string `json:"message"`
	}
	_ = json.Unmarshal(resp.Body, &body)
	code = resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = body.Type
	}
	if i := strings.LastIndex(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	msg = body.Message
	if msg == "" {
		msg = body.Message2
	}
	return code, msg
}

// tamper flips one character in the middle of a token.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// oversizedMessage is a SendMessages body of about n bytes.
func oversizedMessage(n int) string {
	return `{"Addresses":{"+12065550100":{"ChannelType":"SMS"}},"MessageConfiguration":{"SMSMessage":{"Body":"` +
		strings.Repeat("x", n) + `"}}}`
}

// doChunked sends a signed request whose body has no Content-Length, so it
// goes out chunked.
func doChunked(t *testing.T, g *gatewayProc, r rawRequest) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, g.URL+r.Path, io.NopCloser(strings.NewReader(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	signRequest(t, req, r)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("chunked request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// TestExpiredSessionToken waits out the shortest session AWS allows (900
// s): slow, so it runs only with INTEGRATION_SLOW=1. The authn unit tests
// cover expiry with an injected clock.
func TestExpiredSessionToken(t *testing.T) {
	if os.Getenv("INTEGRATION_SLOW") != "1" {
		t.Skip("waits 15 minutes for a session to expire; set INTEGRATION_SLOW=1")
	}
	e := newEnv(t, nil)
	c := newCapture()
	sess := assumeTenantRole(t, e, c, "a")
	pc := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if _, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Fatalf("GetApp with a fresh session: %v", err)
	}
	select {
	case <-time.After(901 * time.Second):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	e.reset()
	_, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	apiErrorOf(t, err, "ExpiredTokenException", 403)
	e.assertNothingUpstream(t)
}
