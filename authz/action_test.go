package authz

import (
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
