package authz

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pinpointgw/gateway/arn"
)

// Principal is the caller of a request, for Principal/NotPrincipal matching and the
// same-account rules of resource-based policies.
type Principal struct {
	ARN     string // arn:aws:iam::123456789012:user/backend or arn:aws:sts::123456789012:assumed-role/ROLE/SESSION
	Account string // 123456789012
	RoleARN string // for assumed-role sessions: arn:aws:iam::123456789012:role/ROLE; "" otherwise
}

// PrincipalFromARN derives a Principal from a user, role, root or assumed-role ARN. For an
// assumed-role ARN, RoleARN is the role's ARN without a path (a session ARN does not carry it).
func PrincipalFromARN(s string) Principal {
	p := Principal{ARN: s}
	parts, ok := arn.Split(s)
	if !ok {
		if isAccountID(s) {
			p.Account = s
		}
		return p
	}
	p.Account = parts[4]
	if parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		role, _, ok := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		if ok && role != "" {
			p.RoleARN = "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + role
		}
	}
	return p
}

// grant says how a resource-based policy statement named the caller, for the same-account
// rules: through its account, its role, everyone ("*" or NotPrincipal), or directly (its user
// or role-session ARN).
type grant int

const (
	grantNone grant = iota
	grantAccount
	grantRole
	grantEveryone
	grantDirect
)

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	star     bool                // "Principal": "*"
	elems    map[string]strList  // as written, for encoding
	any      bool                // AWS "*"
	accounts []string            // account IDs (from IDs and root ARNs)
	direct   map[string]struct{} // user, assumed-role and federated-user ARNs
	roles    map[string]struct{} // role ARNs
}

var principalKinds = map[string]bool{"AWS": true, "Federated": true, "Service": true, "CanonicalUser": true}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func newPrincipalSet(star bool, elems map[string]strList) (*principalSet, error) {
	ps := &principalSet{star: star, elems: elems, direct: map[string]struct{}{}, roles: map[string]struct{}{}}
	if star {
		ps.any = true
		return ps, nil
	}
	if len(elems) == 0 {
		return nil, fmt.Errorf("%w: empty principal", ErrInvalid)
	}
	kinds := make([]string, 0, len(elems))
	for k := range elems {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if !principalKinds[kind] {
			return nil, fmt.Errorf("%w: unknown principal type %q", ErrInvalid, kind)
		}
		for _, v := range elems[kind].vals {
			if v == "" {
				return nil, fmt.Errorf("%w: empty %s principal", ErrInvalid, kind)
			}
			if kind != "AWS" {
				if v != "*" && strings.ContainsAny(v, "*?") {
					return nil, fmt.Errorf("%w: %s principal %q: wildcards are not allowed", ErrInvalid, kind, v)
				}
				continue // Federated, Service and CanonicalUser principals never call the gateway
			}
			if err := ps.addAWS(v); err != nil {
				return nil, err
			}
		}
	}
	return ps, nil
}

func (ps *principalSet) addAWS(v string) error {
	if v == "*" {
		ps.any = true
		return nil
	}
	if isAccountID(v) {
		ps.accounts = append(ps.accounts, v)
		return nil
	}
	if strings.ContainsAny(v, "*?") {
		return fmt.Errorf("%w: AWS principal %q: wildcards are only allowed as \"*\"", ErrInvalid, v)
	}
	parts, ok := arn.Split(v)
	if !ok || parts[1] == "" || parts[3] != "" || !isAccountID(parts[4]) {
		return fmt.Errorf("%w: AWS principal %q is not an account ID or IAM/STS ARN", ErrInvalid, v)
	}
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		ps.accounts = append(ps.accounts, parts[4])
	case parts[2] == "iam" && strings.HasPrefix(res, "user/") && len(res) > len("user/"):
		ps.direct[v] = struct{}{}
	case parts[2] == "iam" && strings.HasPrefix(res, "role/") && len(res) > len("role/"):
		ps.roles[v] = struct{}{}
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/") && strings.Count(res, "/") == 2 && !strings.HasSuffix(res, "/"):
		ps.direct[v] = struct{}{}
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/") && len(res) > len("federated-user/"):
		ps.direct[v] = struct{}{}
	default:
		return fmt.Errorf("%w: AWS principal %q is not a root, user, role or assumed-role ARN", ErrInvalid, v)
	}
	return nil
}

// match reports how the set names p (grantNone when it does not).
func (ps *principalSet) match(p *Principal) grant {
	if ps.any {
		return grantEveryone
	}
	if _, ok := ps.direct[p.ARN]; ok && p.ARN != "" {
		return grantDirect
	}
	if p.RoleARN != "" {
		if _, ok := ps.roles[p.RoleARN]; ok {
			return grantRole
		}
	}
	if _, ok := ps.roles[p.ARN]; ok && p.ARN != "" {
		return grantDirect
	}
	for _, a := range ps.accounts {
		if a == p.Account && a != "" {
			return grantAccount
		}
	}
	return grantNone
}

// encode returns the element's JSON value.
func (ps *principalSet) encode() any {
	if ps.star {
		return "*"
	}
	m := make(map[string]any, len(ps.elems))
	for k, v := range ps.elems {
		m[k] = v.encode()
	}
	return m
}
