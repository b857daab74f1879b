package quota

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
)

// DefaultPer is the condition key a quota counts per when its Per is empty.
const DefaultPer = "aws:PrincipalArn"

// KeyPrefix starts every storage key of a counter.
const KeyPrefix = "pinpointgw:quota:"

// Config is one named quota. The Caddy config embeds it (module.Quota), with
// the window as a Caddy duration.
type Config struct {
	// Name names the quota in refusals, audit records and metrics:
	// [A-Za-z0-9_.-]{1,64}, unique.
	Name string `json:"name"`
	// Actions are the IAM actions the quota governs, case-insensitive, with
	// the wildcards '*' and '?' as in IAM (e.g. "sms-voice:Send*"). At least
	// one.
	Actions []string `json:"actions"`
	// Per is the condition key whose value owns a counter: one counter per
	// principal by default (aws:PrincipalArn), per tenant with
	// aws:PrincipalTag/tenant, per destination number with
	// gateway:DestinationNumber. Default: aws:PrincipalArn.
	Per string `json:"per,omitempty"`
	// Limit is the number of destinations a counter admits per window, from
	// 1 to MaxLimit.
	Limit int64 `json:"limit"`
	// Window is the rolling window, from MinWindow (1s) to MaxWindow (31 days).
	Window time.Duration `json:"-"`
}

// ErrInvalidConfig is wrapped by every ConfigError.
var ErrInvalidConfig = errors.New("invalid quota")

// ConfigError says which quota, and which of its fields, Compile refused.
type ConfigError struct {
	Index int    // the quota's position in the list given to Compile, from 0
	Quota string // the quota's name as configured
	Field string // "name", "actions", "per", "limit" or "window"
	Err   error
}

// Error returns e.g. `quota "sms": limit: must be at least 1, got 0`; a
// quota whose name is the problem is named by its position.
func (e *ConfigError) Error() string {
	if e.Field == "name" {
		return fmt.Sprintf("quota #%d: name %q: %v", e.Index+1, e.Quota, e.Err)
	}
	return fmt.Sprintf("quota %q: %s: %v", e.Quota, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is reports ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Set is a list of compiled quotas, safe for concurrent use.
type Set struct {
	quotas []compiled
}

// compiled is one quota ready for Charges.
type compiled struct {
	name     string
	actions  []authz.ActionPattern
	per      string
	perDest  bool
	limit    int64
	window   time.Duration
	keyStart string    // KeyPrefix + name + ":" + window in ms + ":"
	hashed   string    // what the hashed value follows: the lower-cased Per key and a NUL
	keys     *keyCache // the keys of recent values of a request-wide Per key; nil per destination
}

// maxKeyLen bounds a condition key of Per.
const maxKeyLen = 256

// Compile checks cfgs and compiles them, in order (charges come in the order
// of the quotas). Each error is a *ConfigError.
func Compile(cfgs []Config) (*Set, error) {
	s := &Set{quotas: make([]compiled, 0, len(cfgs))}
	seen := make(map[string]bool, len(cfgs))
	for i, c := range cfgs {
		fail := func(field string, err error) error {
			return &ConfigError{Index: i, Quota: c.Name, Field: field, Err: err}
		}
		if !validName(c.Name) {
			return nil, fail("name", errors.New("must match [A-Za-z0-9_.-]{1,64}"))
		}
		if seen[c.Name] {
			return nil, fail("name", errors.New("defined twice"))
		}
		seen[c.Name] = true
		if len(c.Actions) == 0 {
			return nil, fail("actions", errors.New("at least one action is needed"))
		}
		q := compiled{name: c.Name, per: c.Per, limit: c.Limit, window: c.Window}
		for _, a := range c.Actions {
			p, err := authz.CompileActionPattern(a)
			if err != nil {
				return nil, fail("actions", err)
			}
			q.actions = append(q.actions, p)
		}
		if q.per == "" {
			q.per = DefaultPer
		}
		if err := checkKey(q.per); err != nil {
			return nil, fail("per", fmt.Errorf("%q: %w", q.per, err))
		}
		if strings.EqualFold(q.per, destination.KeyCount) {
			return nil, fail("per", fmt.Errorf("%s is a number of destinations, not what a counter belongs to", destination.KeyCount))
		}
		if c.Limit < 1 || c.Limit > MaxLimit {
			return nil, fail("limit", fmt.Errorf("must be from 1 to %d, got %d", int64(MaxLimit), c.Limit))
		}
		if c.Window < MinWindow || c.Window > MaxWindow {
			return nil, fail("window", fmt.Errorf("must be from %v to %v (31 days), got %v", MinWindow, MaxWindow, c.Window))
		}
		q.perDest = destination.IsPerDestination(q.per)
		q.keyStart = KeyPrefix + q.name + ":" + strconv.FormatInt(c.Window.Milliseconds(), 10) + ":"
		q.hashed = strings.ToLower(q.per) + "\x00"
		if !q.perDest {
			q.keys = newKeyCache()
		}
		s.quotas = append(s.quotas, q)
	}
	return s, nil
}

// Names returns the quotas' names, in order (for the label sets of metrics).
func (s *Set) Names() []string {
	names := make([]string, len(s.quotas))
	for i := range s.quotas {
		names[i] = s.quotas[i].name
	}
	return names
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// validName reports whether s matches [A-Za-z0-9_.-]{1,64}.
func validName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// checkKey checks the form of a condition key: prefix:name, the prefix
// letters, digits and '-', the name printable ASCII (tag keys may hold
// spaces, but not at either end), at most maxKeyLen bytes.
func checkKey(k string) error {
	if len(k) > maxKeyLen {
		return fmt.Errorf("longer than %d bytes", maxKeyLen)
	}
	prefix, name, ok := strings.Cut(k, ":")
	if !ok || prefix == "" || name == "" {
		return errors.New("must be a condition key, prefix:name")
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !(isAlnum(c) || c == '-') {
			return errors.New("invalid key prefix")
		}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < ' ' || c > '~' {
			return errors.New("invalid character in the key")
		}
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return errors.New("spaces around the key")
	}
	return nil
}
