package quota

import "testing"

func TestMatchAction(t *testing.T) {
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
			p, err := compileAction(tc.pattern)
			if err != nil {
				t.Fatalf("compileAction(%q): %v", tc.pattern, err)
			}
			if got := matchAction(p, tc.action); got != tc.want {
				t.Errorf("matchAction(%q, %q) = %v, want %v", p, tc.action, got, tc.want)
			}
		})
	}
}

func TestCompileAction(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    string
		wantErr bool
	}{
		"action":             {in: "sms-voice:SendTextMessage", want: "sms-voice:sendtextmessage"},
		"wildcards":          {in: "sms-voice:Send?ext*", want: "sms-voice:send?ext*"},
		"star":               {in: "*", want: "*"},
		"no colon":           {in: "SendTextMessage", wantErr: true},
		"empty":              {in: "", wantErr: true},
		"empty name":         {in: "sms-voice:", wantErr: true},
		"wildcard in prefix": {in: "sms-*:SendTextMessage", wantErr: true},
		"space":              {in: "sms-voice:Send TextMessage", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := compileAction(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("compileAction(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
