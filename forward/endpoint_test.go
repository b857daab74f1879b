package forward

import "testing"

// TestEndpointTemplate checks region and partition substitution.
func TestEndpointTemplate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		tmpl, region, suffix, want string
	}{
		"pinpoint aws":       {DefaultEndpoints["pinpoint"], "eu-west-1", "amazonaws.com", "https://pinpoint.eu-west-1.amazonaws.com"},
		"sms-voice v1 china": {DefaultEndpoints["sms-voice"], "cn-north-1", DNSSuffix("aws-cn"), "https://sms-voice.pinpoint.cn-north-1.amazonaws.com.cn"},
		"v2 gov":             {DefaultEndpoints["sms-voice-v2"], "us-gov-west-1", DNSSuffix("aws-us-gov"), "https://sms-voice.us-gov-west-1.amazonaws.com"},
		"override with path": {"http://127.0.0.1:9000/prefix/", "us-east-1", "amazonaws.com", "http://127.0.0.1:9000/prefix"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			et, err := parseEndpointTemplate(tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			u, err := et.target(tc.region, tc.suffix)
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tc.want {
				t.Errorf("target(%q) = %q, want %q", tc.region, u, tc.want)
			}
		})
	}
}
