package module

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/authn"
)

// SessionKeysEphemeral is the session_keys value of the development mode: a
// random key drawn once per process.
const SessionKeysEphemeral = "ephemeral"

// ephemeralKeys is the process's random session key of the development mode,
// shared by every gateway of the process so that a config reload keeps the
// sessions it sealed.
var ephemeralKeys struct {
	once sync.Once
	keys *authn.SessionKeys
	err  error
}

// provisionSessionKeys resolves and parses SessionKeys: nil when none are
// configured, the process's ephemeral key in the development mode.
// Placeholders ({env.NAME}, {file.PATH}) are resolved here, so the keys
// never appear in the JSON config.
func (g *Gateway) provisionSessionKeys(repl *caddy.Replacer) (*authn.SessionKeys, error) {
	if len(g.SessionKeys) == 0 {
		return nil, nil
	}
	for _, k := range g.SessionKeys {
		if k != SessionKeysEphemeral {
			continue
		}
		if len(g.SessionKeys) != 1 {
			return nil, errors.New("session_keys: ephemeral must stand alone (it takes no other key)")
		}
		ephemeralKeys.once.Do(func() { ephemeralKeys.keys, ephemeralKeys.err = authn.EphemeralSessionKeys() })
		if ephemeralKeys.err != nil {
			return nil, fmt.Errorf("session_keys: %w", ephemeralKeys.err)
		}
		g.logger.Warn("session_keys ephemeral: DEVELOPMENT MODE: temporary credentials are sealed with a random key of this process; "+
			"they stop working when it restarts and no other instance accepts them. For real use set session_keys {env.GATEWAY_SESSION_KEY} "+
			"or {file.PATH} to the output of `head -c 32 /dev/urandom | base64`",
			zap.String("session_keys", SessionKeysEphemeral))
		return ephemeralKeys.keys, nil
	}
	resolved := make([]string, len(g.SessionKeys))
	for i, k := range g.SessionKeys {
		v, err := repl.ReplaceOrErr(k, true, true)
		if err != nil {
			return nil, fmt.Errorf("session key %d: %w", i+1, err)
		}
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("session key %d is empty (is its environment variable set, its file readable?)", i+1)
		}
		resolved[i] = v
	}
	keys, err := authn.ParseSessionKeys(resolved)
	if err != nil {
		return nil, fmt.Errorf("session keys: %w", err)
	}
	return keys, nil
}
