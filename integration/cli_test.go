package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// awsCLI is Debian's AWS CLI v2. It is called by full path: an older v1
// `aws` may come first on PATH.
const awsCLI = "/usr/bin/aws"

// requireCLI skips when the AWS CLI is absent, except under CI=true.
func requireCLI(t *testing.T) {
	t.Helper()
	requireBinary(t)
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI (apt-get install awscli): %v", awsCLI, err)
		}
		t.Skipf("%s not installed (apt-get install awscli)", awsCLI)
	}
}

// cliResult is one AWS CLI run.
type cliResult struct {
	Stdout, Stderr string
	Exit           int
}

// runCLI runs the AWS CLI against the gateway with the given credentials,
// isolated from any user configuration, bounded in time.
func runCLI(t *testing.T, g *gatewayProc, id, secret, token string, args ...string) cliResult {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	full := append([]string{"--endpoint-url", g.URL, "--region", testRegion, "--output", "json", "--no-cli-pager"}, args...)
	cmd := exec.CommandContext(ctx, awsCLI, full...)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + dir,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=" + id,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
		"AWS_CLI_AUTO_PROMPT=off",
	}
	if token != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+token)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.Exit = exitErr.ExitCode()
	default:
		t.Fatalf("running aws %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("aws %s timed out", strings.Join(args, " "))
	}
	return res
}

// TestAWSCLI drives the gateway with the AWS CLI v2: allowed calls on all
// three APIs, denials printed in AWS's words, STS AssumeRole with a tag and
// the tag-conditioned access that follows, and a bad signature.
func TestAWSCLI(t *testing.T) {
	requireCLI(t)
	e := newEnv(t, nil)
	var sessSecret, sessToken string

	ok := func(t *testing.T, r cliResult) {
		t.Helper()
		if r.Exit != 0 {
			t.Fatalf("aws exited %d: %s", r.Exit, r.Stderr)
		}
	}
	denied := func(t *testing.T, r cliResult, code, op, prefix string) {
		t.Helper()
		if r.Exit == 0 {
			t.Fatalf("aws succeeded, want %s: %s", code, r.Stdout)
		}
		want := regexp.MustCompile(`An error occurred \(` + code + `\) when calling the ` + op +
			` operation( \(reached max retries: \d+\))?: ` + regexp.QuoteMeta(prefix))
		if !want.MatchString(r.Stderr) {
			t.Errorf("stderr %q does not match %q", r.Stderr, want)
		}
	}

	t.Run("pinpoint get-apps", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, backendSecret, "", "pinpoint", "get-apps")
		ok(t, r)
		var out struct {
			ApplicationsResponse struct{ Item []struct{ Id string } }
		}
		if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out.ApplicationsResponse.Item) != 2 {
			t.Errorf("output %q: %v", r.Stdout, err)
		}
		if rec := e.onlyRecord(t, "pinpoint"); rec.Operation != "GetApps" {
			t.Errorf("upstream got %s", rec.Operation)
		}
	})
	t.Run("pinpoint-sms-voice-v2 describe-pools", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, backendSecret, "", "pinpoint-sms-voice-v2", "describe-pools")
		ok(t, r)
		if !strings.Contains(r.Stdout, poolID) {
			t.Errorf("output %q lacks the pool", r.Stdout)
		}
		e.onlyRecord(t, "sms-voice-v2")
	})
	t.Run("pinpoint-sms-voice create-configuration-set", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, backendSecret, "", "pinpoint-sms-voice", "create-configuration-set", "--configuration-set-name", "cli-otp")
		ok(t, r)
		rec := e.onlyRecord(t, "sms-voice")
		if rec.Operation != "CreateConfigurationSet" || !strings.Contains(string(rec.Body), "cli-otp") {
			t.Errorf("upstream got %s %q", rec.Operation, rec.Body)
		}
	})
	t.Run("pinpoint get-segments denied", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, backendSecret, "", "pinpoint", "get-segments", "--application-id", "app-a")
		denied(t, r, "AccessDeniedException", "GetSegments",
			"User: "+backendARN+" is not authorized to perform: mobiletargeting:GetSegments on resource: "+appAARN)
		e.assertNothingUpstream(t)
	})
	t.Run("pinpoint-sms-voice-v2 delete-pool denied", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, backendSecret, "", "pinpoint-sms-voice-v2", "delete-pool", "--pool-id", poolID)
		denied(t, r, "AccessDeniedException", "DeletePool",
			"User: "+backendARN+" is not authorized to perform: sms-voice:DeletePool on resource: ")
		e.assertNothingUpstream(t)
	})
	t.Run("bad signature", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, backendKeyID, "wrong/secret/for/the/backend/user/00000", "", "pinpoint", "get-apps")
		denied(t, r, "InvalidSignatureException", "GetApps", "The request signature we calculated does not match")
		e.assertNothingUpstream(t)
	})
	t.Run("sts assume-role with tags, then tenant access", func(t *testing.T) {
		e.reset()
		r := runCLI(t, e.g, assumerKeyID, assumerSecret, "", "sts", "assume-role",
			"--role-arn", tenantRoleARN, "--role-session-name", "cli-tenant-a",
			"--duration-seconds", "900", "--tags", "Key=tenant,Value=a")
		ok(t, r)
		var out struct {
			Credentials struct {
				AccessKeyId, SecretAccessKey, SessionToken string
			}
			AssumedRoleUser struct{ Arn string }
		}
		if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
			t.Fatalf("assume-role output %q: %v", r.Stdout, err)
		}
		cr := out.Credentials
		if cr.AccessKeyId == "" || cr.SecretAccessKey == "" || cr.SessionToken == "" {
			t.Fatalf("assume-role returned incomplete credentials")
		}
		sessSecret, sessToken = cr.SecretAccessKey, cr.SessionToken
		e.forbid(cr.AccessKeyId, cr.SecretAccessKey, cr.SessionToken)
		sessARN := "arn:aws:sts::123456789012:assumed-role/tenant-app/cli-tenant-a"
		if out.AssumedRoleUser.Arn != sessARN {
			t.Errorf("assumed role ARN %q", out.AssumedRoleUser.Arn)
		}

		ok(t, runCLI(t, e.g, cr.AccessKeyId, cr.SecretAccessKey, cr.SessionToken, "pinpoint", "get-app", "--application-id", "app-a"))
		if rec := e.onlyRecord(t, "pinpoint"); rec.Path != "/v1/apps/app-a" {
			t.Errorf("upstream got %s", rec.Path)
		}
		e.reset()
		r = runCLI(t, e.g, cr.AccessKeyId, cr.SecretAccessKey, cr.SessionToken, "pinpoint", "get-app", "--application-id", "app-b")
		denied(t, r, "AccessDeniedException", "GetApp",
			"User: "+sessARN+" is not authorized to perform: mobiletargeting:GetApp on resource: "+appBARN)
		e.assertNothingUpstream(t)

		r = runCLI(t, e.g, cr.AccessKeyId, cr.SecretAccessKey, cr.SessionToken, "sts", "get-caller-identity")
		ok(t, r)
		if !strings.Contains(r.Stdout, sessARN) {
			t.Errorf("get-caller-identity %q", r.Stdout)
		}
	})
	t.Run("no secrets in the log", func(t *testing.T) {
		secrets := append([]string{sessSecret, sessToken}, allSecrets...)
		assertNoSecretsInLog(t, e.g, append(secrets, e.upstreamSignatures()...))
	})
	assertNoUpstreamFailures(t, e)
}
