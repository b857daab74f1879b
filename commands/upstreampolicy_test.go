package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

func TestRunUpstreamPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, []byte(`{"users":[{"name":"u","inline_policies":{"p":{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"mobiletargeting:GetApps","Resource":"*"}]}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	handler := `{"handler":"pinpoint_gateway","account":"123456789012","store":"` + store + `","origination_lookup":"off"}`
	tests := map[string]struct {
		config  string // file path; "" for none
		want    string // a substring of the output
		wantErr string
	}{
		"JSON config": {
			config: write("ok.json", `{"apps":{"http":{"servers":{"s":{"routes":[{"handle":[`+handler+`]}]}}}}}`),
			want:   `"mobiletargeting:GetApps"`,
		},
		"no --config":    {wantErr: errNoConfig.Error()},
		"missing file":   {config: filepath.Join(dir, "missing.json"), wantErr: "loading"},
		"no gateway":     {config: write("none.json", `{"apps":{}}`), wantErr: "no pinpoint_gateway handler"},
		"allows nothing": {config: write("empty.json", `{"h":{"handler":"pinpoint_gateway","account":"123456789012","store":"`+write("empty-store.json", `{}`)+`","origination_lookup":"off"}}`), wantErr: "needs no AWS permission"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out, diag bytes.Buffer
			err := runUpstreamPolicy(&out, &diag, tc.config, "")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("runUpstreamPolicy error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %s lacks %s", out.String(), tc.want)
			}
			if _, err := authz.Parse("out", out.Bytes(), authz.IdentityBased); err != nil {
				t.Errorf("output does not parse as a policy: %v", err)
			}
			if diag.Len() != 0 {
				t.Errorf("diagnostics for a small policy: %s", diag.String())
			}
		})
	}
}
