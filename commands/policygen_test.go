package commands

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/policygen"
	"github.com/pinpointgw/gateway/replay"
)

const pgUser = "arn:aws:iam::123456789012:user/backend"

// pgRecord is one audit log line of pgUser: a single evaluated pair.
func pgRecord(id, decision, action, resource string) string {
	return fmt.Sprintf(`{"level":"info","ts":1764600000.5,"logger":"http.handlers.pinpoint_gateway.audit","msg":"request","time":1764600000.5,`+
		`"request_id":%q,"principal_arn":%q,"principal_type":"User","api":"pinpoint","operation":"Op",`+
		`"authorizations":[{"action":%q,"resources":[%q]}],"context":{"aws:principalarn":%q},`+
		`"evaluations":[{"action":%q,"resource":%q,"keys":{"aws:resourceaccount":"123456789012"},"decision":%q}],"decision":%q,"mode":"enforce"}`,
		id, pgUser, action, resource, pgUser, action, resource, decision, decision)
}

func TestRunPolicyGenerate(t *testing.T) {
	t.Parallel()
	const app = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/"
	log := strings.Join([]string{
		`{"level":"info","ts":1764600000.1,"logger":"http.log","msg":"server running"}`,
		pgRecord("r1", "Allow", "mobiletargeting:GetApp", app+"a"),
		pgRecord("r2", "Allow", "mobiletargeting:GetApp", app+"b"),
		pgRecord("r3", "ImplicitDeny", "mobiletargeting:GetApp", app+"c"),
		pgRecord("r4", "ExplicitDeny", "mobiletargeting:DeleteApp", app+"a"),
		// Another user's call, which would widen the policy: not decoded (no needle).
		strings.ReplaceAll(pgRecord("o1", "Allow", "mobiletargeting:GetApp", app+"z"), pgUser, "arn:aws:iam::123456789012:user/other"),
	}, "\n") + "\n"
	dir := t.TempDir()
	plain := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(plain, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(log))
	zw.Close()
	gzPath := filepath.Join(dir, "audit.log.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	wantPolicy := `"Resource": [
        "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a",
        "arn:aws:mobiletargeting:us-east-1:123456789012:apps/b"
      ]`
	for name, tc := range map[string]struct {
		logs  []string
		stdin string
	}{
		"file":       {logs: []string{plain}},
		"gzip":       {logs: []string{gzPath}},
		"stdin":      {logs: []string{"-"}, stdin: log},
		"gzip stdin": {logs: []string{"-"}, stdin: gz.String()},
	} {
		t.Run(name, func(t *testing.T) {
			var out, diag bytes.Buffer
			f := policyGenerateFlags{Principal: pgUser, Collapse: 1, MaxPairs: 10, Logs: tc.logs}
			if err := runPolicyGenerate(strings.NewReader(tc.stdin), &out, &diag, f); err != nil {
				t.Fatalf("runPolicyGenerate: %v\n%s", err, diag.String())
			}
			if !strings.Contains(out.String(), wantPolicy) || strings.Count(out.String(), `"Sid"`) != 1 {
				t.Errorf("policy:\n%s\nwant one statement with %s", out.String(), wantPolicy)
			}
			for _, want := range []string{"log lines             6\n", "records decoded       4 ", "allowed             2", "denied              2",
				"2 of 2 allowed calls Allow, 2 of 2 denied calls denied (passes 2): proved", "wildcards 0 (collapse past 1 IDs), taken back 1"} {
				if !strings.Contains(diag.String(), want) {
					t.Errorf("summary lacks %q:\n%s", want, diag.String())
				}
			}
		})
	}

	t.Run("not proved", func(t *testing.T) {
		t.Parallel()
		p := filepath.Join(t.TempDir(), "audit.log")
		body := pgRecord("ok", "Allow", "mobiletargeting:GetApp", app+"a") + "\n" + pgRecord("same-but-denied", "ImplicitDeny", "mobiletargeting:GetApp", app+"a") + "\n"
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, diag bytes.Buffer
		err := runPolicyGenerate(strings.NewReader(""), &out, &diag, policyGenerateFlags{Principal: pgUser, Collapse: 10, MaxPairs: 10, Logs: []string{p}})
		if !errors.Is(err, policygen.ErrNotProved) {
			t.Fatalf("err = %v, want ErrNotProved", err)
		}
		if out.Len() != 0 {
			t.Errorf("a policy was written though not proved:\n%s", out.String())
		}
		for _, want := range []string{"NOT proved", "    same-but-denied\n", "--conditions may tell them apart"} {
			if !strings.Contains(diag.String(), want) {
				t.Errorf("summary lacks %q:\n%s", want, diag.String())
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		t.Parallel()
		for name, f := range map[string]policyGenerateFlags{
			"no selection":   {Collapse: 10, MaxPairs: 10, Logs: []string{plain}},
			"two selections": {Principal: pgUser, Role: "arn:aws:iam::123456789012:role/r", Collapse: 10, MaxPairs: 10, Logs: []string{plain}},
			"bad tag":        {SessionTag: "novalue", Collapse: 10, MaxPairs: 10, Logs: []string{plain}},
			"no log":         {Principal: pgUser, Collapse: 10, MaxPairs: 10},
			"stdin twice":    {Principal: pgUser, Collapse: 10, MaxPairs: 10, Logs: []string{"-", "-"}},
			"bad collapse":   {Principal: pgUser, Collapse: -1, MaxPairs: 10, Logs: []string{plain}},
		} {
			err := runPolicyGenerate(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, f)
			if !errors.Is(err, errUsage) {
				t.Errorf("%s: err = %v, want a usage error", name, err)
			}
		}
		err := runPolicyGenerate(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, policyGenerateFlags{Principal: pgUser, Collapse: 10, MaxPairs: 10, Logs: []string{filepath.Join(dir, "missing.log")}})
		if err == nil || errors.Is(err, policygen.ErrNotProved) {
			t.Errorf("missing log: err = %v, want an input error", err)
		}
	})
}

// TestLogParts: a plain log cut at line ends yields every record once, whatever the piece
// size; a gzip log is one part.
func TestLogParts(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	var want []string
	for i := range 50 {
		id := fmt.Sprintf("r%02d", i)
		want = append(want, id)
		b.WriteString(pgRecord(id, "Allow", "mobiletargeting:GetApp", "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a"+strings.Repeat("x", i)))
		b.WriteString("\n")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(b.String()))
	zw.Close()
	gzPath := filepath.Join(dir, "audit.log.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path      string
		size      int64
		wantParts int
	}{
		{path, 1 << 30, 1}, {path, 1, 50}, {path, 1000, -1}, {path, 5000, -1}, {gzPath, 1000, 1},
	} {
		parts, err := logParts(tc.path, tc.size, nil)
		if err != nil {
			t.Fatalf("logParts(%d): %v", tc.size, err)
		}
		if tc.wantParts > 0 && len(parts) != tc.wantParts {
			t.Errorf("logParts(%s, %d): %d parts, want %d", filepath.Base(tc.path), tc.size, len(parts), tc.wantParts)
		}
		if tc.wantParts < 0 && len(parts) < 2 {
			t.Errorf("logParts(%s, %d): %d parts, want several", filepath.Base(tc.path), tc.size, len(parts))
		}
		var got []string
		for _, p := range parts {
			if _, err := p(func(r *replay.Record) error { got = append(got, r.RequestID); return nil }); err != nil {
				t.Fatalf("reading a part: %v", err)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("logParts(%s, %d) read %q, want %q", filepath.Base(tc.path), tc.size, got, want)
		}
	}
}
