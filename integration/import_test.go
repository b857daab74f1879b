package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// The key the operator provisions for the imported user alice.
const (
	importedKeyID  = "AKIAINTEGIMPORTED001"
	importedSecret = "importedUserSecret/IntegrationTests/0004"
)

// runImport runs the real binary's `import` on the published-format
// testdata document and returns its exit status, stdout and stderr.
func runImport(t *testing.T, args ...string) (int, []byte, string) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	details := filepath.Join(root, "iamimport", "testdata", "details-api.json")
	cmd := exec.Command(requireBinary(t), append(append([]string{"import", "--account", testAccount}, args...), details)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.Bytes(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.Bytes(), stderr.String()
	}
	t.Fatalf("running import: %v", err)
	return 0, nil, ""
}

// TestImportedStoreServes: `gateway import` of an account's authorization
// details gives a store the gateway runs with, deciding as the source
// policies do (iamimport/testdata/README.md): alice reads apps, her inline
// Deny stops DeleteApp, the role's trust policy lets her assume it.
func TestImportedStoreServes(t *testing.T) {
	if code, _, stderr := runImport(t); code != 1 || !strings.Contains(stderr, "not_exact") {
		t.Fatalf("importing everything: exit %d, want 1 with not_exact findings:\n%s", code, stderr)
	}
	code, store, stderr := runImport(t, "--principal", "user/alice", "--principal", "role/app")
	if code != 0 {
		t.Fatalf("importing alice and app: exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "provision   user/alice") {
		t.Errorf("report lacks the key to provision for alice:\n%s", stderr)
	}
	// The operator's steps the report asks for: a key for alice; and the
	// app's tag, which the gateway reads from its store (resource_tags static).
	var doc map[string]any
	if err := json.Unmarshal(store, &doc); err != nil {
		t.Fatalf("store: %v", err)
	}
	users := doc["users"].([]any)
	users[0].(map[string]any)["access_keys"] = []any{obj{"id": importedKeyID, "secret": importedSecret}}
	doc["resource_tags"] = obj{appAARN: obj{"tenant": "a"}}
	e := newEnv(t, func(c *gatewayConfig) { c.Store = storeJSON(t, doc) })
	e.forbid(importedKeyID, importedSecret)
	c := newCapture()
	alice := creds(importedKeyID, importedSecret, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if _, err := pinpointClient(e.g, alice, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Errorf("alice GetApp: %v, want allowed", err)
	}
	_, err := pinpointClient(e.g, alice, c).DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "explicit deny in an identity-based policy") {
		t.Errorf("alice DeleteApp: %v, want AccessDeniedException with an explicit deny", err)
	}
	out, err := stsClient(e.g, alice, c).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/app"), RoleSessionName: aws.String("s1"),
		Tags: []ststypes.Tag{{Key: aws.String("tenant"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatalf("alice AssumeRole app: %v", err)
	}
	cr := out.Credentials
	e.forbid(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	sess := creds(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	if _, err := pinpointClient(e.g, sess, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Errorf("session of tenant a, GetApp of tenant a's app: %v, want allowed", err)
	}
	if _, err := pinpointClient(e.g, sess, c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")}); err == nil {
		t.Error("session of tenant a, GetApp of an untagged app: allowed, want denied")
	}
}
