package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// runGateway runs the gateway binary with args (not a server: a subcommand) and returns its
// stdout, stderr and exit status.
func runGateway(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, requireBinary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		status = exit.ExitCode()
	default:
		t.Fatalf("running gateway %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), status
}

// TestPolicyGenerateProvedByReplay records a log with the real binary (calls of the backend
// user, allowed and denied, and of another user), generates the backend user's policy from it
// with `gateway policy generate`, checks the policy's exact content and the proof, then puts
// the policy into a store as the backend user's only policy and replays the same log with
// `gateway replay --fail-on any`: no decision flips between Allow and deny (the one change is
// the explicit DeleteApp deny of the old policy, now a deny because nothing allows it).
func TestPolicyGenerateProvedByReplay(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	quiet := newQuietCapture()
	backend := creds(backendKeyID, backendSecret, "")
	pp := pinpointClient(e.g, backend, quiet)
	v2 := smsV2Client(e.g, backend, quiet)
	other := pinpointClient(e.g, creds(envUserKeyID, envUserSecret, ""), quiet)

	allowed := []func() error{
		func() error { _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); return err },
		func() error {
			_, err := pp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			return err
		},
		func() error {
			_, err := pp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
			return err
		},
		func() error {
			_, err := pp.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			return err
		},
		func() error {
			_, err := pp.GetCampaign(ctx, &pinpoint.GetCampaignInput{ApplicationId: aws.String("app-a"), CampaignId: aws.String("camp-1")})
			return err
		},
		func() error {
			_, err := v2.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
				DestinationPhoneNumber: aws.String("+12065550100"), OriginationIdentity: aws.String(poolID), MessageBody: aws.String("code 123456"),
			})
			return err
		},
		func() error {
			_, err := v2.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolID}})
			return err
		},
		func() error {
			_, err := other.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
			return err
		},
	}
	for i, call := range allowed {
		if err := call(); err != nil {
			t.Fatalf("allowed call %d: %v", i, err)
		}
	}
	denied := []func() error{
		// ExplicitDeny: PinpointOps denies DeleteApp.
		func() error {
			_, err := pp.DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
			return err
		},
		// ImplicitDeny: nothing allows GetSegments.
		func() error {
			_, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")})
			return err
		},
	}
	for i, call := range denied {
		if err := call(); err == nil {
			t.Fatalf("denied call %d was allowed", i)
		}
	}
	const records = 10
	deadline := time.Now().Add(10 * time.Second)
	for len(e.g.auditRecords(t)) < records {
		if time.Now().After(deadline) {
			t.Fatalf("%d audit records, want %d", len(e.g.auditRecords(t)), records)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(logPath, []byte(e.g.Log.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	policy, summary, status := runGateway(t, "policy", "generate", "--principal", backendARN, logPath)
	if status != 0 {
		t.Fatalf("policy generate exited %d\nstdout:\n%s\nstderr:\n%s", status, policy, summary)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Sid, Effect      string
			Action, Resource any
			Condition        any
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("policy does not decode: %v\n%s", err, policy)
	}
	type stmt struct{ action, resource any }
	want := []stmt{
		{"mobiletargeting:GetApp", []any{appAARN, appBARN}},
		{"mobiletargeting:GetApps", "arn:aws:mobiletargeting:us-east-1:123456789012:apps/*"},
		{"mobiletargeting:GetCampaign", appAARN + "/campaigns/camp-1"},
		{[]any{"sms-voice:DescribePools", "sms-voice:SendTextMessage"}, "arn:aws:sms-voice:us-east-1:123456789012:pool/" + poolID},
	}
	var got []stmt
	for _, s := range doc.Statement {
		got = append(got, stmt{s.Action, s.Resource})
		if s.Effect != "Allow" || s.Condition != nil || s.Sid == "" {
			t.Errorf("statement %+v: want an Allow with a Sid and no condition", s)
		}
	}
	if doc.Version != "2012-10-17" || !jsonEqual(got, want) {
		t.Errorf("policy:\n%s\nwant Version 2012-10-17 and (action, resource) %v", policy, want)
	}
	for _, line := range []string{
		"records decoded       9 ", "selected              9", "allowed             7", "denied              2",
		"wildcards 0", "7 of 7 allowed calls Allow, 2 of 2 denied calls denied (passes 1): proved",
	} {
		if !strings.Contains(summary, line) {
			t.Errorf("summary lacks %q:\n%s", line, summary)
		}
	}
	// Stable: the same log gives the same bytes.
	if again, _, _ := runGateway(t, "policy", "generate", "--principal", backendARN, logPath); again != policy {
		t.Errorf("a second run gave another policy:\n%s\nthen\n%s", policy, again)
	}

	t.Run("replayed as the principal's only policy, no decision flips", func(t *testing.T) {
		store := testStore()
		store["users"].([]obj)[0]["policies"] = []string{"Generated"}
		var generated any
		if err := json.Unmarshal([]byte(policy), &generated); err != nil {
			t.Fatal(err)
		}
		store["policies"].(obj)["Generated"] = generated
		storePath := filepath.Join(dir, "candidate.json")
		if err := os.WriteFile(storePath, storeJSON(t, store), 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, status := runGateway(t, "replay", "--store", storePath, "--account", testAccount, "--fail-on", "any", "--format", "json", logPath)
		if status != 0 {
			t.Fatalf("replay --fail-on any exited %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
		}
		var summary struct {
			Replayed, Unchanged                       int
			AllowToDeny, DenyToAllow, DenyToOtherDeny int
		}
		var changes []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var v map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("replay output line %q: %v", line, err)
			}
			if raw, ok := v["summary"]; ok {
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				num := func(k string) int { f, _ := m[k].(float64); return int(f) }
				summary.Replayed, summary.Unchanged = num("replayed"), num("unchanged")
				summary.AllowToDeny, summary.DenyToAllow, summary.DenyToOtherDeny = num("allow_to_deny"), num("deny_to_allow"), num("deny_to_other_deny")
				continue
			}
			var c map[string]any
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				t.Fatal(err)
			}
			changes = append(changes, c)
		}
		if summary.Replayed != 10 || summary.Unchanged != 9 || summary.AllowToDeny != 0 || summary.DenyToAllow != 0 || summary.DenyToOtherDeny != 1 {
			t.Errorf("replay summary %+v, want 10 replayed, 9 unchanged, no flip, one deny of another kind\n%s", summary, out)
		}
		// The one change: the generated policy writes no Deny statement, so what PinpointOps
		// denied explicitly is now denied because nothing allows it.
		if len(changes) != 1 || changes[0]["principal_arn"] != backendARN || changes[0]["action"] != "mobiletargeting:DeleteApp" ||
			changes[0]["old"] != "ExplicitDeny" || changes[0]["new"] != "ImplicitDeny" {
			t.Errorf("replay changes %v, want only backend's DeleteApp ExplicitDeny -> ImplicitDeny", changes)
		}
	})
}

// jsonEqual compares two values through their JSON encodings.
func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
