package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

const replayLogLine = `{"logger":"http.handlers.pinpoint_gateway.audit","request_id":"r1","principal_arn":"arn:aws:iam::123456789012:user/reader","principal_type":"User","api":"pinpoint","operation":"GetApps","authorizations":[{"action":"mobiletargeting:GetApps","resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/*"]}],"context":{"aws:principaltag/team":"analytics"},"evaluations":[{"action":"mobiletargeting:GetApps","resource":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/*","keys":{"aws:resourceaccount":"123456789012"},"decision":"Allow"}],"decision":"Allow","mode":"enforce"}` + "\n"

// TestRunReplay: usage and input errors exit 2; a guardrail (a document,
// or describe-policy's output) that denies a recorded allow exits 1 and
// names the request; the store alone exits 0.
func TestRunReplay(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	logPath := write("audit.log", "{\"level\":\"info\",\"msg\":\"caddy\"}\n"+replayLogLine)
	scp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoAnalytics","Effect":"Deny","Action":"mobiletargeting:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"analytics"}}}]}`
	doc := write("scp.json", scp)
	described := write("described.json", `{"Policy":{"PolicySummary":{"Name":"NoAnalyticsSCP"},"Content":`+quote(scp)+`}}`)
	store := "../examples/store.json"
	cases := map[string]struct {
		f        replayFlags
		code     int
		contains string
	}{
		"no store":           {replayFlags{Account: "123456789012", Logs: []string{logPath}, FailOn: "revoke", Format: "text"}, 2, ""},
		"no log":             {replayFlags{Store: store, Account: "123456789012", FailOn: "revoke", Format: "text"}, 2, ""},
		"bad --fail-on":      {replayFlags{Store: store, Account: "123456789012", Logs: []string{logPath}, FailOn: "never", Format: "text"}, 2, ""},
		"missing log":        {replayFlags{Store: store, Account: "123456789012", Logs: []string{filepath.Join(dir, "none")}, FailOn: "revoke", Format: "text"}, 2, ""},
		"unchanged":          {replayFlags{Store: store, Account: "123456789012", Logs: []string{logPath}, FailOn: "revoke", Format: "text"}, 0, "1 unchanged"},
		"guardrail document": {replayFlags{Store: store, Account: "123456789012", Logs: []string{logPath}, Guardrails: []string{doc}, FailOn: "revoke", Format: "text"}, 1, `r1 arn:aws:iam::123456789012:user/reader mobiletargeting:GetApps arn:aws:mobiletargeting:us-east-1:123456789012:apps/*: Allow -> ExplicitDeny by guardrail "scp" statement 1 (Sid "NoAnalytics") Deny`},
		"describe-policy output, grant gate only": {replayFlags{Store: store, Account: "123456789012", Logs: []string{logPath}, Guardrails: []string{described}, FailOn: "grant", Format: "json"}, 0, `"policy":"NoAnalyticsSCP"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := runReplay(tc.f, &out)
			if code != tc.code || (code != 0) != (err != nil) {
				t.Fatalf("runReplay = %d, %v; want %d", code, err, tc.code)
			}
			if !strings.Contains(out.String(), tc.contains) {
				t.Errorf("output:\n%s\nwant it to contain %s", out.String(), tc.contains)
			}
		})
	}
	if _, err := readGuardrail(write("bad.json", `{"Statement":[]`)); err == nil {
		t.Error("readGuardrail of a broken document: no error")
	}
	if p, err := readGuardrail(described); err != nil || p.Name() != "NoAnalyticsSCP" || p.Type() != authz.Guardrail {
		t.Errorf("readGuardrail(describe-policy output) = %v, %v", p, err)
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
