package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// TestAllowedCallsReachUpstream: allowed Pinpoint, SMS and Voice v2 and v1
// calls reach the right upstream, re-signed with the upstream credentials
// (verified by the fake upstream), without any client credential, with the
// body the client sent, and the upstream's response comes back byte for byte.
func TestAllowedCallsReachUpstream(t *testing.T) {
	e := newEnv(t, nil)
	cp := creds(backendKeyID, backendSecret, "")
	c := newCapture()
	pp := pinpointClient(e.g, cp, c)
	v2 := smsV2Client(e.g, cp, c)

	tests := []struct {
		name     string
		api      string
		op       string
		call     func(ctx context.Context) error
		wantPath string
	}{
		{name: "pinpoint GetApps", api: "pinpoint", op: "GetApps", wantPath: "/v1/apps",
			call: func(ctx context.Context) error {
				out, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{PageSize: aws.String("10")})
				if err == nil && (len(out.ApplicationsResponse.Item) != 2 || aws.ToString(out.ApplicationsResponse.Item[1].Id) != "app-b") {
					t.Errorf("GetApps decoded %+v", out.ApplicationsResponse)
				}
				return err
			}},
		{name: "pinpoint GetCampaign", api: "pinpoint", op: "GetCampaign", wantPath: "/v1/apps/app-a/campaigns/camp-1",
			call: func(ctx context.Context) error {
				out, err := pp.GetCampaign(ctx, &pinpoint.GetCampaignInput{ApplicationId: aws.String("app-a"), CampaignId: aws.String("camp-1")})
				if err == nil && aws.ToString(out.CampaignResponse.Name) != "spring-sale" {
					t.Errorf("GetCampaign decoded name %q", aws.ToString(out.CampaignResponse.Name))
				}
				return err
			}},
		{name: "pinpoint SendMessages", api: "pinpoint", op: "SendMessages", wantPath: "/v1/apps/app-a/messages",
			call: func(ctx context.Context) error {
				out, err := pp.SendMessages(ctx, &pinpoint.SendMessagesInput{
					ApplicationId:  aws.String("app-a"),
					MessageRequest: sendMessagesRequest(),
				})
				if err == nil && out.MessageResponse.Result["+12065550100"].DeliveryStatus != ptypes.DeliveryStatusSuccessful {
					t.Errorf("SendMessages decoded %+v", out.MessageResponse.Result)
				}
				return err
			}},
		{name: "sms-voice-v2 SendTextMessage", api: "sms-voice-v2", op: "SendTextMessage", wantPath: "/",
			call: func(ctx context.Context) error {
				out, err := v2.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
					DestinationPhoneNumber: aws.String("+12065550100"),
					OriginationIdentity:    aws.String(poolID),
					MessageBody:            aws.String("Your code is 123456"),
				})
				if err == nil && aws.ToString(out.MessageId) != "4b1c9f0e-6a2d-4c1e-9a57-0d3f2b7c8e11" {
					t.Errorf("SendTextMessage decoded message ID %q", aws.ToString(out.MessageId))
				}
				return err
			}},
		{name: "sms-voice-v2 DescribePools", api: "sms-voice-v2", op: "DescribePools", wantPath: "/",
			call: func(ctx context.Context) error {
				out, err := v2.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolID}})
				if err == nil && (len(out.Pools) != 1 || aws.ToString(out.Pools[0].PoolId) != poolID) {
					t.Errorf("DescribePools decoded %+v", out.Pools)
				}
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.reset()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := tc.call(ctx); err != nil {
				t.Fatalf("%s: %v", tc.op, err)
			}
			rec := e.onlyRecord(t, tc.api)
			if rec.Operation != tc.op || rec.Path != tc.wantPath {
				t.Errorf("upstream got %s %s (%s), want %s at %s", rec.Method, rec.Path, rec.Operation, tc.op, tc.wantPath)
			}
			if want := strings.TrimPrefix(e.up[tc.api].URL(), "http://"); rec.Host != want {
				t.Errorf("upstream Host %q, want %q", rec.Host, want)
			}
			sent, got := c.last()
			if !bytes.Equal(rec.Body, sent) {
				t.Errorf("upstream body %q, client sent %q", rec.Body, sent)
			}
			want := cannedResponses[tc.api+" "+tc.op]
			if !bytes.Equal(got, []byte(want.Body)) {
				t.Errorf("client got body %q, upstream answered %q", got, want.Body)
			}
		})
	}

	t.Run("sms-voice v1 CreateConfigurationSet signed by hand", func(t *testing.T) {
		e.reset()
		body := `{"ConfigurationSetName":"transactional-otp"}`
		resp := rawRequest{
			Method: http.MethodPost, Path: "/v1/sms-voice/configuration-sets",
			Header: map[string]string{"Content-Type": "application/json"},
			Body:   body, Creds: aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret},
			Service: "sms-voice",
		}.do(t, e.g, c)
		want := cannedResponses["sms-voice CreateConfigurationSet"]
		if resp.Status != want.Status || string(resp.Body) != want.Body {
			t.Fatalf("got %d %q, want %d %q", resp.Status, resp.Body, want.Status, want.Body)
		}
		if got := resp.Header.Get("X-Amzn-Requestid"); got != want.Header["X-Amzn-Requestid"] {
			t.Errorf("X-Amzn-Requestid %q, want the upstream's %q", got, want.Header["X-Amzn-Requestid"])
		}
		rec := e.onlyRecord(t, "sms-voice")
		if rec.Operation != "CreateConfigurationSet" || string(rec.Body) != body {
			t.Errorf("upstream got %s %s %q", rec.Method, rec.Path, rec.Body)
		}
	})

	t.Run("store secret from the environment", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		envClient := pinpointClient(e.g, creds(envUserKeyID, envUserSecret, ""), c)
		if _, err := envClient.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
			t.Fatalf("GetApps as envuser: %v", err)
		}
		e.onlyRecord(t, "pinpoint")
	})

	t.Run("response headers and error statuses pass through", func(t *testing.T) {
		e.reset()
		resp := rawRequest{
			Method: http.MethodGet, Path: "/v1/apps/app-a",
			Creds:   aws.Credentials{AccessKeyID: backendKeyID, SecretAccessKey: backendSecret},
			Service: "mobiletargeting",
		}.do(t, e.g, c)
		want := cannedResponses["pinpoint GetApp"]
		if resp.Status != 200 || string(resp.Body) != want.Body || resp.Header.Get("X-Amzn-Requestid") != "fake-getapp-1" {
			t.Fatalf("got %d %v %q", resp.Status, resp.Header, resp.Body)
		}
		var decoded map[string]any
		if err := json.Unmarshal(resp.Body, &decoded); err != nil || decoded["Id"] != "app-a" {
			t.Errorf("body does not decode: %v", err)
		}
	})

	assertNoUpstreamFailures(t, e)
}

// assertNoUpstreamFailures fails if any upstream refused anything.
func assertNoUpstreamFailures(t *testing.T, e *env) {
	t.Helper()
	for api, u := range e.up {
		for _, r := range u.Records() {
			if len(r.Failures) > 0 {
				t.Errorf("upstream %s refused %s %s: %v", api, r.Method, r.Path, r.Failures)
			}
		}
	}
}

// sendMessagesRequest is a one-SMS SendMessages request.
func sendMessagesRequest() *ptypes.MessageRequest {
	return &ptypes.MessageRequest{
		Addresses: map[string]ptypes.AddressConfiguration{"+12065550100": {ChannelType: ptypes.ChannelTypeSms}},
		MessageConfiguration: &ptypes.DirectMessageConfiguration{
			SMSMessage: &ptypes.SMSMessage{Body: aws.String("Your code is 123456"), MessageType: ptypes.MessageTypeTransactional},
		},
	}
}
