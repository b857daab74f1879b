package authz

import (
	"errors"
	"strings"
	"testing"
)

func TestCompileAction(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		pattern string
		ok      bool
		wild    bool
	}{
		"star":            {"*", true, true},
		"exact":           {"mobiletargeting:GetApp", true, false},
		"wildcard":        {"mobiletargeting:Get*", true, true},
		"question":        {"sms-voice:?endTextMessage", true, true},
		"service star":    {"sms-voice:*", true, true},
		"no colon":        {"mobiletargeting", false, false},
		"empty name":      {"mobiletargeting:", false, false},
		"empty prefix":    {":GetApp", false, false},
		"bad prefix":      {"mobile targeting:GetApp", false, false},
		"bad name":        {"mobiletargeting:Get App", false, false},
		"wildcard prefix": {"*:GetApp", false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := compileAction(tc.pattern)
			if (err == nil) != tc.ok {
				t.Fatalf("compileAction(%q) error = %v, want ok=%v", tc.pattern, err, tc.ok)
			}
			if err == nil && a.wild != tc.wild {
				t.Errorf("compileAction(%q).wild = %v, want %v", tc.pattern, a.wild, tc.wild)
			}
		})
	}
}

func TestActionMatches(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		pattern, action string
		want            bool
	}{
		"exact":              {"mobiletargeting:GetApp", "mobiletargeting:GetApp", true},
		"case-insensitive":   {"MobileTargeting:getapp", "mobiletargeting:GetApp", true},
		"different":          {"mobiletargeting:GetApp", "mobiletargeting:GetApps", false},
		"star":               {"*", "sms-voice:SendTextMessage", true},
		"prefix wildcard":    {"mobiletargeting:Get*", "mobiletargeting:GetApps", true},
		"wildcard other svc": {"mobiletargeting:Get*", "sms-voice:GetApps", false},
		"question":           {"mobiletargeting:GetAp?", "mobiletargeting:GetApp", true},
		"question too many":  {"mobiletargeting:GetAp?", "mobiletargeting:GetApps", false},
		"wildcard case":      {"MOBILETARGETING:get*", "mobiletargeting:GetApp", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := compileAction(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.matchesLower(strings.ToLower(tc.action)); got != tc.want {
				t.Errorf("%q matches %q = %v, want %v", tc.pattern, tc.action, got, tc.want)
			}
		})
	}
}

// TestActionPattern: the exported form of a policy's action patterns, as
// other configuration (quotas) uses them.
func TestActionPattern(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		pattern, action string
		want            bool
	}{
		"exact":                      {"sms-voice:SendTextMessage", "sms-voice:SendTextMessage", true},
		"case-insensitive":           {"SMS-Voice:sendtextmessage", "sms-voice:SendTextMessage", true},
		"star suffix":                {"sms-voice:Send*", "sms-voice:SendMediaMessage", true},
		"star alone":                 {"*", "mobiletargeting:SendMessages", true},
		"star matches nothing":       {"sms-voice:SendTextMessage*", "sms-voice:SendTextMessage", true},
		"question mark":              {"sms-voice:Send?oiceMessage", "sms-voice:SendVoiceMessage", true},
		"question mark needs one":    {"sms-voice:SendTextMessage?", "sms-voice:SendTextMessage", false},
		"other service":              {"sms-voice:Send*", "mobiletargeting:SendMessages", false},
		"prefix only":                {"sms-voice:Send", "sms-voice:SendTextMessage", false},
		"star in the middle":         {"sms-voice:Send*Message", "sms-voice:SendVoiceMessage", true},
		"star in the middle, no end": {"sms-voice:Send*Message", "sms-voice:SendVoiceMessages", false},
		"backtracking":               {"sms-voice:*Mess?ge", "sms-voice:SendMessageMessage", true},
		"empty action":               {"sms-voice:*", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := CompileActionPattern(tc.pattern)
			if err != nil {
				t.Fatalf("CompileActionPattern(%q): %v", tc.pattern, err)
			}
			if got := p.Matches(tc.action); got != tc.want {
				t.Errorf("%q.Matches(%q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"SendTextMessage", "", "sms-voice:", "sms-*:SendTextMessage", "sms-voice:Send TextMessage"} {
		if _, err := CompileActionPattern(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CompileActionPattern(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}
