package integration

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	v2types "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	"github.com/aws/smithy-go"
)

// TestDeniedCalls: denied calls get the SDK's typed AccessDeniedException
// with AWS's wording, and nothing reaches the upstream.
func TestDeniedCalls(t *testing.T) {
	e := newEnv(t, nil)
	cp := creds(backendKeyID, backendSecret, "")
	c := newCapture()
	pp := pinpointClient(e.g, cp, c)
	v2 := smsV2Client(e.g, cp, c)

	tests := []struct {
		name string
		call func(ctx context.Context) error
		// typed is true when the service's SDK has an AccessDeniedException
		// type (SMS and Voice v2); Pinpoint's model has none, so its SDK
		// raises a generic smithy.APIError with the code.
		typed       bool
		wantPrefix  string
		wantSuffix  string
		wantInfixes []string
	}{
		{name: "pinpoint GetSegments implicitly denied",
			call: func(ctx context.Context) error {
				_, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")})
				return err
			},
			wantPrefix: "User: " + backendARN + " is not authorized to perform: mobiletargeting:GetSegments on resource: " + appAARN,
			wantSuffix: "because no identity-based policy allows the mobiletargeting:GetSegments action"},
		{name: "pinpoint DeleteApp explicitly denied",
			call: func(ctx context.Context) error {
				_, err := pp.DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
				return err
			},
			wantPrefix: "User: " + backendARN + " is not authorized to perform: mobiletargeting:DeleteApp on resource: " + appAARN,
			wantSuffix: "with an explicit deny in an identity-based policy"},
		{name: "sms-voice-v2 DeletePool implicitly denied", typed: true,
			call: func(ctx context.Context) error {
				_, err := v2.DeletePool(ctx, &pinpointsmsvoicev2.DeletePoolInput{PoolId: aws.String(poolID)})
				return err
			},
			wantPrefix: "User: " + backendARN + " is not authorized to perform: sms-voice:DeletePool on resource: arn:aws:sms-voice:us-east-1:123456789012:pool/" + poolID,
			wantSuffix: "because no identity-based policy allows the sms-voice:DeletePool action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := tc.call(ctx)
			if err == nil {
				t.Fatal("call succeeded, want AccessDeniedException")
			}
			var msg string
			if tc.typed {
				var ade *v2types.AccessDeniedException
				if !errors.As(err, &ade) {
					t.Fatalf("error %v (%T) is not *types.AccessDeniedException", err, err)
				}
				msg = ade.ErrorMessage()
			} else {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
					t.Fatalf("error %v is not an APIError with code AccessDeniedException", err)
				}
				msg = apiErr.ErrorMessage()
			}
			if !strings.HasPrefix(msg, tc.wantPrefix) || !strings.HasSuffix(msg, tc.wantSuffix) {
				t.Errorf("message %q, want %q ... %q", msg, tc.wantPrefix, tc.wantSuffix)
			}
			e.assertNothingUpstream(t)
		})
	}

	t.Run("sms-voice v1 DeleteConfigurationSet signed by hand", func(t *testing.T) {
		e.reset()
		resp := rawRequest{
			Method: http.MethodDelete, Path: "/v1/sms-voice/configuration-sets/transactional-otp",
			Creds:   aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret},
			Service: "sms-voice",
		}.do(t, e.g, c)
		if resp.Status != http.StatusForbidden || resp.Header.Get("X-Amzn-Errortype") == "" ||
			!strings.HasPrefix(resp.Header.Get("X-Amzn-Errortype"), "AccessDeniedException") {
			t.Fatalf("got %d X-Amzn-ErrorType %q, want 403 AccessDeniedException", resp.Status, resp.Header.Get("X-Amzn-Errortype"))
		}
		var body struct{ Message string }
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			t.Fatalf("error body %q: %v", resp.Body, err)
		}
		want := "User: " + backendARN + " is not authorized to perform: sms-voice:DeleteConfigurationSet on resource: "
		if !strings.HasPrefix(body.Message, want) {
			t.Errorf("message %q, want prefix %q", body.Message, want)
		}
		e.assertNothingUpstream(t)
	})
}
