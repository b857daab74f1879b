package cloudtrail

import (
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		in      string
		wantErr bool
	}{
		"bare":           {"cloudtrail", false},
		"an argument":    {"cloudtrail json", true},
		"an option":      {"cloudtrail {\n\tfields x\n}", true},
		"an empty block": {"cloudtrail {\n}", false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := newEncoder().UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.in))
			if (err != nil) != tc.wantErr {
				t.Errorf("UnmarshalCaddyfile(%q) = %v, want error %v", tc.in, err, tc.wantErr)
			}
		})
	}
}
