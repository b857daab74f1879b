package condition

import "testing"

func TestIPOperators(t *testing.T) {
	t.Parallel()
	k := "aws:SourceIp"
	runClauses(t, map[string]clauseCase{
		"v4 in range":              {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "10.1.2.3"), true},
		"v4 out of range":          {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "11.1.2.3"), false},
		"v4 host bits in policy":   {"IpAddress", k, []string{"10.0.0.1/8"}, ctx(k, "10.9.9.9"), true},
		"v4 single address":        {"IpAddress", k, []string{"10.1.2.3"}, ctx(k, "10.1.2.3"), true},
		"v6 in range":              {"IpAddress", k, []string{"2001:db8::/32"}, ctx(k, "2001:db8::1"), true},
		"v6 upper case":            {"IpAddress", k, []string{"2001:DB8::/32"}, ctx(k, "2001:db8::1"), true},
		"v6 out of range":          {"IpAddress", k, []string{"2001:db8::/32"}, ctx(k, "2001:db9::1"), false},
		"family mismatch":          {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "2001:db8::1"), false},
		"not an address":           {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "localhost"), false},
		"Not out of range":         {"NotIpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "11.1.2.3"), true},
		"Not in range":             {"NotIpAddress", k, []string{"10.0.0.0/8", "192.168.0.0/16"}, ctx(k, "192.168.1.1"), false},
		"Not other family range":   {"NotIpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "2001:db8::1"), true},
		"Not other family address": {"NotIpAddress", k, []string{"10.1.2.3"}, ctx(k, "2001:db8::1"), false},
		"Not not an address":       {"NotIpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "nope"), false},
		"Not missing key":          {"NotIpAddress", k, []string{"10.0.0.0/8"}, ctx(), true},
		"request with prefix len":  {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "10.0.0.1/32"), false},
		"v4-mapped v6 in v4 range": {"IpAddress", k, []string{"10.0.0.0/8"}, ctx(k, "::ffff:10.1.2.3"), true},
	})
}
