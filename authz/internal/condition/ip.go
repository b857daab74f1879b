package condition

import (
	"fmt"
	"net/netip"
	"strings"
)

// The IpAddress and NotIpAddress operators: the request value is an IPv4 or IPv6 address and a
// policy value a CIDR block or a single address. A request value that is not an address
// matches nothing.

func init() {
	register("IpAddress", "NotIpAddress", false, newIP)
}

type ipOp struct {
	consts []netip.Prefix
	bare   []bool // the value was a single address, not a CIDR block
}

// ParsePrefix parses a CIDR block or a single address (as a /32 or /128).
func ParsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func newIP(values []Template) (Operator, error) {
	o := &ipOp{}
	for i := range values {
		p, ok := ParsePrefix(values[i].Plain())
		if !ok {
			return nil, fmt.Errorf("%w: %q is not an IP address or CIDR block", ErrBadValue, values[i].Plain())
		}
		o.consts = append(o.consts, p)
		o.bare = append(o.bare, !strings.Contains(values[i].Plain(), "/"))
	}
	return o, nil
}

func contains(p netip.Prefix, a netip.Addr) bool {
	if p.Addr().Is4() && a.Is4In6() {
		a = a.Unmap()
	}
	return p.Contains(a)
}

func (o *ipOp) Match(v string, _ *Env) Outcome {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return Invalid
	}
	out := NoMatch
	for i, p := range o.consts {
		if contains(p, a) {
			return Matched
		}
		// A single address of the other family cannot be compared with the request's address
		// (as in the reference simulator): neither IpAddress nor NotIpAddress holds for it.
		if o.bare[i] && p.Addr().Is4() != a.Unmap().Is4() {
			out = Invalid
		}
	}
	return out
}
