package integration

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// assumeTenantRole calls AssumeRole on the gateway's STS as the assumer
// with the session tag tenant=tenant, and returns the issued credentials.
// The new secrets are added to every upstream's refusal list.
func assumeTenantRole(t *testing.T, e *env, c *capture, tenant string) aws.Credentials {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := stsClient(e.g, creds(assumerKeyID, assumerSecret, ""), c).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:           aws.String(tenantRoleARN),
		RoleSessionName:   aws.String("tenant-" + tenant + "-worker"),
		DurationSeconds:   aws.Int32(900),
		Tags:              []ststypes.Tag{{Key: aws.String("tenant"), Value: aws.String(tenant)}},
		TransitiveTagKeys: []string{"tenant"},
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	cr := out.Credentials
	if cr == nil || aws.ToString(cr.AccessKeyId) == "" || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("AssumeRole returned incomplete credentials")
	}
	if cr.Expiration == nil || cr.Expiration.Before(time.Now().Add(10*time.Minute)) || cr.Expiration.After(time.Now().Add(16*time.Minute)) {
		t.Errorf("expiration %v, want about 15 minutes from now", cr.Expiration)
	}
	wantARN := "arn:aws:sts::123456789012:assumed-role/tenant-app/tenant-" + tenant + "-worker"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("assumed role ARN %q, want %q", got, wantARN)
	}
	e.forbid(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	return aws.Credentials{
		AccessKeyID:     aws.ToString(cr.AccessKeyId),
		SecretAccessKey: aws.ToString(cr.SecretAccessKey),
		SessionToken:    aws.ToString(cr.SessionToken),
	}
}

// TestAssumeRoleWithTags: STS AssumeRole with a session tag, then access
// conditioned on aws:ResourceTag/tenant = ${aws:PrincipalTag/tenant} with
// the store's resource tags: tenant a's app is allowed, tenant b's denied.
func TestAssumeRoleWithTags(t *testing.T) {
	e := newEnv(t, nil)
	c := newCapture()
	sess := assumeTenantRole(t, e, c, "a")
	scp := creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)

	t.Run("GetCallerIdentity of the session", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := stsClient(e.g, scp, c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		if got := aws.ToString(out.Arn); got != "arn:aws:sts::123456789012:assumed-role/tenant-app/tenant-a-worker" || aws.ToString(out.Account) != testAccount {
			t.Errorf("caller %q in %q", got, aws.ToString(out.Account))
		}
		e.assertNothingUpstream(t)
	})
	t.Run("tenant a's app allowed", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := pinpointClient(e.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
		if err != nil {
			t.Fatalf("GetApp app-a: %v", err)
		}
		if aws.ToString(out.ApplicationResponse.Id) != "app-a" {
			t.Errorf("decoded %+v", out.ApplicationResponse)
		}
		rec := e.onlyRecord(t, "pinpoint")
		if rec.Path != "/v1/apps/app-a" {
			t.Errorf("upstream got %s", rec.Path)
		}
	})
	t.Run("tenant b's app denied", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := pinpointClient(e.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
			t.Fatalf("GetApp app-b: %v, want AccessDeniedException", err)
		}
		want := "User: arn:aws:sts::123456789012:assumed-role/tenant-app/tenant-a-worker is not authorized to perform: mobiletargeting:GetApp on resource: " + appBARN
		if !strings.HasPrefix(apiErr.ErrorMessage(), want) {
			t.Errorf("message %q, want prefix %q", apiErr.ErrorMessage(), want)
		}
		e.assertNothingUpstream(t)
	})
	t.Run("tenant b session gets b, not a", func(t *testing.T) {
		sessB := assumeTenantRole(t, e, c, "b")
		e.reset()
		pc := pinpointClient(e.g, creds(sessB.AccessKeyID, sessB.SecretAccessKey, sessB.SessionToken), c)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")}); err != nil {
			t.Fatalf("GetApp app-b as tenant b: %v", err)
		}
		if _, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err == nil {
			t.Fatal("GetApp app-a as tenant b succeeded, want AccessDeniedException")
		}
		if recs := e.up["pinpoint"].Records(); len(recs) != 1 || recs[0].Path != "/v1/apps/app-b" {
			t.Errorf("upstream got %d requests, want only app-b's", len(recs))
		}
	})
	t.Run("AssumeRole by a user the trust policy does not name", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := stsClient(e.g, creds(backendKeyID, backendSecret, ""), c).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String(tenantRoleARN), RoleSessionName: aws.String("intruder"),
		})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Fatalf("AssumeRole as backend: %v, want AccessDenied", err)
		}
		want := "User: " + backendARN + " is not authorized to perform: sts:AssumeRole on resource: " + tenantRoleARN
		if !strings.HasPrefix(apiErr.ErrorMessage(), want) {
			t.Errorf("message %q, want prefix %q", apiErr.ErrorMessage(), want)
		}
	})
	assertNoUpstreamFailures(t, e)
}

// TestSessionKeysAcrossInstances: a session issued by one gateway works on
// another instance sharing its session keys (also after a rotation that
// prepends a new key), and is refused by an instance without its key.
func TestSessionKeysAcrossInstances(t *testing.T) {
	e := newEnv(t, nil) // keys A, B: A seals
	c := newCapture()
	sess := assumeTenantRole(t, e, c, "a")
	scp := creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)

	tests := []struct {
		name    string
		keys    []string
		wantErr string // "" = allowed
	}{
		{name: "same keys", keys: []string{sessionKeyA, sessionKeyB}},
		{name: "rotated: new key first, old key still opens", keys: []string{sessionKeyB, sessionKeyA}},
		{name: "old key removed", keys: []string{sessionKeyB}, wantErr: "UnrecognizedClientException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			other := newEnv(t, func(cfg *gatewayConfig) { cfg.SessionKeys = tc.keys })
			other.forbid(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := pinpointClient(other.g, scp, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("GetApp on another instance: %v", err)
				}
				other.onlyRecord(t, "pinpoint")
				return
			}
			apiErrorOf(t, err, tc.wantErr, 403)
			other.assertNothingUpstream(t)
		})
	}
}
