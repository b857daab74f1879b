package apimap

import "testing"

func TestAccessLevel(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		api, op  string
		want     string
		ok       bool
		readOnly bool
	}{
		"pinpoint read":       {APIPinpoint, "GetApp", "Read", true, true},
		"pinpoint list":       {APIPinpoint, "GetCampaignVersions", "List", true, true},
		"pinpoint write":      {APIPinpoint, "DeleteApp", "Write", true, false},
		"pinpoint tagging":    {APIPinpoint, "TagResource", "Tagging, Write", true, false},
		"v1 send":             {APISMSVoice, "SendVoiceMessage", "Write", true, false},
		"v2 describe":         {APISMSVoiceV2, "DescribePhoneNumbers", "Read", true, true},
		"v2 send":             {APISMSVoiceV2, "SendTextMessage", "Write", true, false},
		"v2 newer than model": {APISMSVoiceV2, "ListAvailablePhoneNumbers", "Read", true, true},
		"unknown operation":   {APIPinpoint, "NoSuchOperation", "", false, false},
		"wrong api":           {APISMSVoice, "GetApp", "", false, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := AccessLevel(c.api, c.op)
			if got != c.want || ok != c.ok {
				t.Fatalf("AccessLevel(%q, %q) = %q, %v, want %q, %v", c.api, c.op, got, ok, c.want, c.ok)
			}
			if ro := ReadOnly(got); ro != c.readOnly {
				t.Fatalf("ReadOnly(%q) = %v, want %v", got, ro, c.readOnly)
			}
		})
	}
	for _, o := range Operations() {
		if _, ok := AccessLevel(o[0], o[1]); !ok {
			t.Errorf("AccessLevel(%q, %q): no level", o[0], o[1])
		}
	}
}
