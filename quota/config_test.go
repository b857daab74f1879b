package quota

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func valid() Config {
	return Config{Name: "sms", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10, Window: time.Hour}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		edit  func(c *Config)
		field string
		msg   string
	}{
		"empty name":                {func(c *Config) { c.Name = "" }, "name", `quota #2: name "": must match [A-Za-z0-9_.-]{1,64}`},
		"name with a colon":         {func(c *Config) { c.Name = "a:b" }, "name", `quota #2: name "a:b"`},
		"name too long":             {func(c *Config) { c.Name = strings.Repeat("a", 65) }, "name", "must match"},
		"name used twice":           {func(c *Config) { c.Name = "first" }, "name", `quota #2: name "first": defined twice`},
		"no actions":                {func(c *Config) { c.Actions = nil }, "actions", `quota "sms": actions: at least one action is needed`},
		"invalid action":            {func(c *Config) { c.Actions = []string{"sms-voice:Send", "SendTextMessage"} }, "actions", `quota "sms": actions: invalid policy: action "SendTextMessage" is not "*" or service:action`},
		"per not a key":             {func(c *Config) { c.Per = "tenant" }, "per", `quota "sms": per: "tenant": must be a condition key`},
		"per with a newline":        {func(c *Config) { c.Per = "aws:PrincipalTag/a\nb" }, "per", "invalid character"},
		"per with a space":          {func(c *Config) { c.Per = "aws:PrincipalTag/a " }, "per", "spaces around"},
		"per too long":              {func(c *Config) { c.Per = "aws:" + strings.Repeat("a", 300) }, "per", "longer than"},
		"per the destination count": {func(c *Config) { c.Per = "gateway:destinationcount" }, "per", `quota "sms": per: gateway:DestinationCount is a number of destinations`},
		"limit zero":                {func(c *Config) { c.Limit = 0 }, "limit", `quota "sms": limit: must be from 1 to 1099511627776, got 0`},
		"limit negative":            {func(c *Config) { c.Limit = -5 }, "limit", "got -5"},
		"limit too large":           {func(c *Config) { c.Limit = MaxLimit + 1 }, "limit", "must be from 1"},
		"window zero":               {func(c *Config) { c.Window = 0 }, "window", `quota "sms": window: must be from 1s to 744h0m0s (31 days), got 0s`},
		"window too short":          {func(c *Config) { c.Window = 999 * time.Millisecond }, "window", "got 999ms"},
		"window too long":           {func(c *Config) { c.Window = MaxWindow + time.Second }, "window", "got 744h0m1s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first := valid()
			first.Name = "first"
			c := valid()
			tc.edit(&c)
			s, err := Compile([]Config{first, c})
			if s != nil || err == nil {
				t.Fatalf("Compile = %v, %v; want an error", s, err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || ce.Index != 1 || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Compile error = %#v, want a *ConfigError for quota 1, field %s", err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Compile error = %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{
		{Name: "per-principal", Actions: []string{"sms-voice:SendTextMessage", "SMS-VOICE:sendtextmessage"}, Limit: 1, Window: time.Second},
		{Name: "per.tenant_2", Actions: []string{"*"}, Per: "aws:PrincipalTag/cost center", Limit: MaxLimit, Window: MaxWindow},
		{Name: "per-number", Actions: []string{"sms-voice:Send*"}, Per: "gateway:destinationnumber", Limit: 3, Window: 24 * time.Hour},
	})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if got, want := s.Names(), []string{"per-principal", "per.tenant_2", "per-number"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	q := s.quotas[0]
	if q.per != DefaultPer || q.perDest || len(q.actions) != 2 || !q.actions[1].Matches("sms-voice:SendTextMessage") {
		t.Errorf("quota 0: per %q (per destination %v), actions %v; want %s, false, two patterns of one action", q.per, q.perDest, q.actions, DefaultPer)
	}
	if q.keyStart != "pinpointgw:quota:per-principal:1000:" {
		t.Errorf("quota 0: key start %q", q.keyStart)
	}
	if !s.quotas[2].perDest {
		t.Errorf("quota 2 (per gateway:destinationnumber) is not per destination")
	}
	empty, err := Compile(nil)
	if err != nil || len(empty.Names()) != 0 {
		t.Errorf("Compile(nil) = %v, %v; want an empty set", empty.Names(), err)
	}
}
