package integration

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestReplayRecordedLog records an audit log with the real gateway (users,
// a role session with a session policy, allows, an explicit and an
// implicit deny, an STS call, an unauthenticated call, Caddy's own lines
// around them), then runs `gateway replay` as a process on it: a candidate
// store that flips known requests names exactly those request IDs and
// exits 1; one that flips none exits 0; a grant is a failure only with
// --fail-on grant.
func TestReplayRecordedLog(t *testing.T) {
	e := newEnv(t, nil)
	c := newCapture()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	backend := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), c)
	mustCall := func(what string, err error, wantErr bool) {
		t.Helper()
		if (err != nil) != wantErr {
			t.Fatalf("%s: error %v, want an error: %v", what, err, wantErr)
		}
	}
	_, err := backend.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	mustCall("backend GetApp app-a", err, false)
	_, err = backend.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
	mustCall("backend GetApp app-b", err, false)
	_, err = backend.GetApps(ctx, &pinpoint.GetAppsInput{})
	mustCall("backend GetApps", err, false)
	_, err = backend.DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
	mustCall("backend DeleteApp", err, true)
	_, err = smsV2Client(e.g, creds(backendKeyID, backendSecret, ""), c).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolID}})
	mustCall("backend DescribePools", err, false)
	_, err = pinpointClient(e.g, creds(envUserKeyID, envUserSecret, ""), c).GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	mustCall("envuser GetApp app-a", err, false)
	_, err = pinpointClient(e.g, creds(unknownKeyID, backendSecret, ""), c).GetApps(ctx, &pinpoint.GetAppsInput{})
	mustCall("unknown key", err, true)

	// A role session with a session policy: the record carries it.
	out, err := stsClient(e.g, creds(assumerKeyID, assumerSecret, ""), c).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(tenantRoleARN), RoleSessionName: aws.String("replay-a"), DurationSeconds: aws.Int32(900),
		Tags:   []ststypes.Tag{{Key: aws.String("tenant"), Value: aws.String("a")}},
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"SessionApps","Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	cr := out.Credentials
	e.forbid(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	session := pinpointClient(e.g, creds(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)), c)
	_, err = session.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
	mustCall("session GetApp app-a", err, false)
	_, err = session.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
	mustCall("session GetApp app-b", err, true)

	const sessionARN = "arn:aws:sts::123456789012:assumed-role/tenant-app/replay-a"
	recs := waitRecords(t, e.g, 10)
	id := func(principal, op, resource string) string {
		t.Helper()
		for _, r := range recs {
			_, res := firstAuthorization(r)
			if field(r, "principal_arn") == principal && field(r, "operation") == op && (resource == "" || slices.Contains(res, resource)) {
				return field(r, "request_id")
			}
		}
		t.Fatalf("no audit record of %s %s %s", principal, op, resource)
		return ""
	}
	var (
		backendAppB  = id(backendARN, "GetApp", appBARN)
		backendPools = id(backendARN, "DescribePools", "")
		sessionAppB  = id(sessionARN, "GetApp", appBARN)
	)
	for _, r := range recs {
		if field(r, "principal_arn") == sessionARN && r["session_policy"] == nil {
			t.Errorf("the role session's record has no session_policy: %v", r)
		}
	}

	// The whole process log (Caddy's own lines included), plain and gzip.
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(logPath, []byte(e.g.Log.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(e.g.Log.String()))
	zw.Close()
	gzPath := filepath.Join(dir, "audit.log.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	writeStore := func(name string, s obj) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, storeJSON(t, s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	policies := func(s obj) obj { return s["policies"].(obj) }
	addStatement := func(s obj, policy string, st obj) {
		p := policies(s)[policy].(obj)
		p["Statement"] = append(p["Statement"].([]obj), st)
	}

	// Flips two known allows: app-b by resource, the pools by the
	// recorded principal tag.
	revoking := testStore()
	addStatement(revoking, "PinpointOps", obj{"Sid": "NoAppB", "Effect": "Deny", "Action": "mobiletargeting:GetApp", "Resource": appBARN})
	addStatement(revoking, "PinpointOps", obj{"Sid": "NotBlueTeamPools", "Effect": "Deny", "Action": "sms-voice:DescribePools", "Resource": "*",
		"Condition": obj{"StringEquals": obj{"aws:PrincipalTag/team": "blue"}}})
	// Flips nothing: a new permission nobody used, and a deny no recorded
	// request meets.
	unchanged := testStore("SegmentsToo")
	addStatement(unchanged, "PinpointOps", obj{"Sid": "NotFromElsewhere", "Effect": "Deny", "Action": "*", "Resource": "*",
		"Condition": obj{"NotIpAddress": obj{"aws:SourceIp": "127.0.0.0/8"}}})
	// Grants the session app-b (its tenant condition dropped).
	granting := testStore()
	addStatement(granting, "TenantScoped", obj{"Sid": "AllApps", "Effect": "Allow", "Action": "mobiletargeting:GetApp", "Resource": appBARN})

	tests := map[string]struct {
		store    string
		args     []string
		log      string
		wantCode int
		wantIDs  []string // the changes, by request ID
		wantNew  string   // the new decision of every change
	}{
		"a revoking store flips the known requests":   {writeStore("revoking.json", revoking), nil, logPath, 1, []string{backendAppB, backendPools}, "ExplicitDeny"},
		"the same from the gzip log":                  {writeStore("revoking2.json", revoking), nil, gzPath, 1, []string{backendAppB, backendPools}, "ExplicitDeny"},
		"a store that flips none":                     {writeStore("unchanged.json", unchanged), nil, logPath, 0, nil, ""},
		"a grant passes the default gate":             {writeStore("granting.json", granting), nil, logPath, 0, []string{sessionAppB}, "Allow"},
		"a grant fails with --fail-on grant":          {writeStore("granting2.json", granting), []string{"--fail-on", "grant"}, logPath, 1, []string{sessionAppB}, "Allow"},
		"the recorded store flips none (stdin, gzip)": {writeStore("same.json", testStore()), nil, "-", 0, nil, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"replay", "--store", tc.store, "--account", testAccount, "--format", "json"}, tc.args...)
			cmd := exec.Command(gatewayBinary, append(args, tc.log)...)
			if tc.log == "-" {
				cmd.Stdin = bytes.NewReader(gz.Bytes())
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s\nstdout:\n%s", code, tc.wantCode, stderr.String(), stdout.String())
			}
			var ids []string
			var summary map[string]any
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("output line %q: %v", line, err)
				}
				if s, ok := m["summary"].(map[string]any); ok {
					summary = s
					continue
				}
				ids = append(ids, m["request_id"].(string))
				if m["new"] != tc.wantNew {
					t.Errorf("change %v: new %v, want %s", m, m["new"], tc.wantNew)
				}
			}
			sort.Strings(ids)
			want := slices.Clone(tc.wantIDs)
			sort.Strings(want)
			if !slices.Equal(ids, want) {
				t.Errorf("changed requests %v, want %v; output:\n%s", ids, want, stdout.String())
			}
			if summary == nil {
				t.Fatalf("no summary line; output:\n%s", stdout.String())
			}
			notReplayable, _ := summary["not_replayable"].(map[string]any)
			// 10 records: the STS call and the unauthenticated one are
			// not replayed; the other 8 are.
			if summary["records"] != float64(10) || summary["replayed"] != float64(8) || notReplayable["sts"] != float64(1) ||
				notReplayable["no_policy_decision"] != float64(1) || summary["skipped_lines"].(float64) < 1 {
				t.Errorf("summary %v", summary)
			}
		})
	}
}

// waitRecords polls the gateway's log until it holds n audit records.
func waitRecords(t *testing.T, g *gatewayProc, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		recs := g.auditRecords(t)
		if len(recs) >= n {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d audit records, want %d; log:\n%s", len(recs), n, tail(g.Log.String(), 40))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}
