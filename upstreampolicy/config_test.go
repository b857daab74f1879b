package upstreampolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFromConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	doc := `{"users":[{"name":"u","access_keys":[{"id":"AKIAEXAMPLEUSER00001","secret":"{env.UNSET_SECRET_FOR_TEST}"}],
		"inline_policies":{"p":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApps","Resource":"*"}]}}}]}`
	if err := os.WriteFile(store, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	placeholder := func(string) (string, bool) { return "placeholder-secret-0123456789", true }
	handler := func(extra string) string {
		return `{"handler":"pinpoint_gateway","account":"123456789012","store":"` + store + `"` + extra + `}`
	}
	tests := map[string]struct {
		cfg     string
		want    []Gateway // Store is not compared
		wantErr string
	}{
		"defaults": {
			cfg:  `{"apps":{"http":{"servers":{"srv0":{"routes":[{"handle":[` + handler("") + `]}]}}}}}`,
			want: []Gateway{{OriginationLookup: true}},
		},
		"nested in a subroute, with options": {
			cfg: `{"apps":{"http":{"servers":{"srv0":{"routes":[{"handle":[{"handler":"subroute","routes":[{"handle":[` +
				handler(`,"regions":["us-east-1","us-west-2"],"resource_tags":{"source":"lookup"},"origination_lookup":"off"`) + `]}]}]}]}}}}}`,
			want: []Gateway{{Regions: []string{"us-east-1", "us-west-2"}, TagLookup: true}},
		},
		"two servers": {
			cfg:  `{"apps":{"http":{"servers":{"a":{"routes":[{"handle":[` + handler("") + `]}]},"b":{"routes":[{"handle":[` + handler(`,"resource_tags":{"source":"static"}`) + `]}]}}}}}`,
			want: []Gateway{{OriginationLookup: true}, {OriginationLookup: true}},
		},
		"no handler":     {cfg: `{"apps":{}}`, wantErr: "no pinpoint_gateway handler"},
		"bad store":      {cfg: `{"h":{"handler":"pinpoint_gateway","account":"123456789012","store":"` + filepath.Join(dir, "missing.json") + `"}}`, wantErr: "loading store"},
		"bad account":    {cfg: `{"h":{"handler":"pinpoint_gateway","account":"12","store":"` + store + `"}}`, wantErr: "12-digit"},
		"not JSON":       {cfg: `{`, wantErr: "decoding the configuration"},
		"unknown region": {cfg: `{"h":` + handler(`,"region":"xx-nowhere-9"`) + `}`, wantErr: "no known partition"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := FromConfig([]byte(tc.cfg), ConfigOptions{LookupEnv: placeholder})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FromConfig error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("FromConfig found %d handlers, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].Store == nil || got[i].Store.Account() != "123456789012" {
					t.Errorf("handler %d: store not loaded", i)
				}
				g, w := got[i], tc.want[i]
				g.Store = nil
				if strings.Join(g.Regions, ",") != strings.Join(w.Regions, ",") || g.TagLookup != w.TagLookup || g.OriginationLookup != w.OriginationLookup {
					t.Errorf("handler %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
