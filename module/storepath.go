package module

import (
	"fmt"
	"strings"

	"github.com/caddyserver/caddy/v2"
)

// resolveStorePath resolves the placeholders of the store option
// ({env.NAME}, {file.PATH}) when the config loads. A placeholder that
// resolves to nothing is an error that names it: an operator's environment
// without the store's variable (the Docker image reads GATEWAY_STORE) must
// stop the start with that reason, not with "open : no such file or
// directory". Unknown placeholders are left as written, as before.
func resolveStorePath(repl *caddy.Replacer, raw string) (string, error) {
	path, err := repl.ReplaceOrErr(raw, true, false)
	if err != nil {
		return "", fmt.Errorf("store %q: %w (is its environment variable set?)", raw, err)
	}
	if strings.TrimSpace(path) == "" {
		return "", fmt.Errorf("store %q is empty once its placeholders are resolved (is its environment variable set?)", raw)
	}
	return path, nil
}
