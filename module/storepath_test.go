package module

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
)

// TestProvisionStoreFromEnvironment checks that a store given as a
// placeholder is read from the environment, and that an unset or empty
// variable stops Provision with an error naming the placeholder (the
// Docker image's deploy/Caddyfile reads {env.GATEWAY_STORE}).
func TestProvisionStoreFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "store.json")
	if err := os.WriteFile(good, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PINPOINT_GW_TEST_STORE", good)
	t.Setenv("PINPOINT_GW_TEST_EMPTY", "")
	t.Setenv("PINPOINT_GW_TEST_BLANK", "  ")

	cases := map[string]struct {
		store string
		want  []string // substrings of the error; nil: Provision succeeds
	}{
		"set":          {store: "{env.PINPOINT_GW_TEST_STORE}"},
		"empty":        {store: "{env.PINPOINT_GW_TEST_EMPTY}", want: []string{"store", "{env.PINPOINT_GW_TEST_EMPTY}", "empty", "environment variable"}},
		"unset":        {store: "{env.PINPOINT_GW_TEST_NEVER_SET_4711}", want: []string{"store", "{env.PINPOINT_GW_TEST_NEVER_SET_4711}", "empty"}},
		"blank":        {store: "{env.PINPOINT_GW_TEST_BLANK}", want: []string{"store", "empty once its placeholders are resolved"}},
		"empty prefix": {store: "{env.PINPOINT_GW_TEST_EMPTY}/store.json", want: []string{"store", "empty"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
			defer cancel()
			g := Gateway{Account: testAccount, Store: tc.store}
			err := g.Provision(ctx)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Provision(store %q): %v", tc.store, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Provision(store %q) succeeded, want an error", tc.store)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Provision(store %q) error %q, want it to contain %q", tc.store, err, w)
				}
			}
		})
	}
}
