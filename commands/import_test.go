package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authn"
)

const importAccount = "123456789012"

func TestRunImportExitStatus(t *testing.T) {
	t.Parallel()
	details := filepath.Join("..", "iamimport", "testdata", "details-api.json")
	dir := t.TempDir()
	fullAccess := filepath.Join(dir, "full.json")
	east := filepath.Join(dir, "east.json")
	west := filepath.Join(dir, "west.json")
	for name, doc := range map[string]string{
		fullAccess: `{"Policy":{"PolicySummary":{"Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY"},"Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}`,
		east:       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`,
		west:       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`,
	} {
		if err := os.WriteFile(name, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	exact := importFlags{Account: importAccount, Partition: "aws", Principals: listFlag{"user/alice", "role/app"}}
	tests := map[string]struct {
		args      []string
		flags     importFlags
		wantCode  int
		wantErr   string // "" for none
		wantStore bool   // --out written and loads
		wantText  string // in stderr
	}{
		"exact selection": {
			args: []string{details}, flags: exact, wantCode: 0, wantStore: true, wantText: "result: carried exactly",
		},
		"everything: not exact, no store": {
			args: []string{details}, flags: importFlags{Account: importAccount}, wantCode: 1, wantErr: "not everything could be carried exactly", wantText: "not_exact   user/carol",
		},
		"everything with --allow-partial": {
			args: []string{details}, flags: importFlags{Account: importAccount, AllowPartial: true}, wantCode: 0, wantStore: true, wantText: "NOT carried exactly",
		},
		"SCP levels": {
			args: []string{details}, flags: func() importFlags {
				f := exact
				f.SCPs = listFlag{"root=" + fullAccess, "ou-prod=" + east}
				return f
			}(), wantCode: 0, wantStore: true, wantText: "its Allow statements are the guardrails' allows",
		},
		"two conditional SCP levels": {
			args: []string{details}, flags: func() importFlags {
				f := exact
				f.SCPs = listFlag{"ou-prod=" + east, "account=" + west}
				return f
			}(), wantCode: 1, wantErr: "--guardrail-level",
		},
		"two conditional SCP levels, one picked": {
			args: []string{details}, flags: func() importFlags {
				f := exact
				f.SCPs = listFlag{"ou-prod=" + east, "account=" + west}
				f.GuardrailLevel = "ou-prod"
				return f
			}(), wantCode: 1, wantErr: "not everything", wantText: "not_exact   scp level account",
		},
		"no account":    {args: []string{details}, flags: importFlags{}, wantCode: 1, wantErr: "--account"},
		"no input":      {flags: exact, wantCode: 1, wantErr: "DETAILS.json"},
		"missing file":  {args: []string{filepath.Join(dir, "nope.json")}, flags: exact, wantCode: 1, wantErr: "nope.json"},
		"missing SCP":   {args: []string{details}, flags: importFlags{Account: importAccount, SCPs: listFlag{"root=" + filepath.Join(dir, "nope.json")}}, wantCode: 1, wantErr: "nope.json"},
		"bad principal": {args: []string{details}, flags: importFlags{Account: importAccount, Principals: listFlag{"alice"}}, wantCode: 1, wantErr: "user/NAME"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "store.json")
			tc.flags.Out = out
			if tc.flags.Partition == "" {
				tc.flags.Partition = "aws"
			}
			var stdout, stderr bytes.Buffer
			code, err := runImport(tc.args, tc.flags, strings.NewReader(""), &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d (err %v)", code, tc.wantCode, err)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want one mentioning %q", err, tc.wantErr)
			}
			if code != 0 && err == nil {
				t.Error("a non-zero status without an error exits 0 under Caddy's command runner")
			}
			if !strings.Contains(stderr.String(), tc.wantText) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantText, stderr.String())
			}
			data, rerr := os.ReadFile(out)
			if tc.wantStore != (rerr == nil) {
				t.Fatalf("store written = %v, want %v", rerr == nil, tc.wantStore)
			}
			if tc.wantStore {
				if _, err := authn.ParseStore(out, data, authn.StoreOptions{Account: importAccount}); err != nil {
					t.Errorf("written store does not load: %v", err)
				}
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) > 1 {
				t.Errorf("temporary files left: %v", entries)
			}
		})
	}
}

func TestRunImportStdinAndJSONReport(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "iamimport", "testdata", "details-cli.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	f := importFlags{Account: importAccount, Partition: "aws", Principals: listFlag{"user/alice"}}
	if code, err := runImport([]string{"-"}, f, bytes.NewReader(data), &stdout, &stderr); code != 0 || err != nil {
		t.Fatalf("store to stdout: %d %v", code, err)
	}
	if _, err := authn.ParseStore("stdout", stdout.Bytes(), authn.StoreOptions{Account: importAccount}); err != nil {
		t.Errorf("stdout is not a store: %v", err)
	}
	stdout.Reset()
	f.Report = "-"
	f.Out = filepath.Join(t.TempDir(), "s.json")
	if code, err := runImport([]string{"-"}, f, bytes.NewReader(data), &stdout, &stderr); code != 0 || err != nil {
		t.Fatalf("JSON report: %d %v", code, err)
	}
	var rep struct {
		Exact bool `json:"exact"`
		Keys  []struct {
			User string `json:"user"`
		} `json:"keys_to_provision"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil || !rep.Exact || len(rep.Keys) != 1 || rep.Keys[0].User != "alice" {
		t.Errorf("JSON report %s (%v)", stdout.String(), err)
	}
	f.Out = ""
	if _, err := runImport([]string{"-"}, f, bytes.NewReader(data), &stdout, &stderr); err == nil {
		t.Error("--report - without --out: both on stdout, accepted")
	}
}

func TestWriteAtomicReplaces(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(name); string(got) != "new" {
		t.Errorf("content %q", got)
	}
	if err := writeAtomic(filepath.Join(name, "x"), []byte("y")); err == nil || errors.Is(err, os.ErrExist) {
		t.Errorf("writing under a file: %v", err)
	}
}
