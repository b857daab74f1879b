package iamimport

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/arn"
)

// maxPolicyName is the store's (and IAM's) managed policy name length.
const maxPolicyName = 128

// policyNames maps managed policy ARNs to the store's flat names,
// deterministically (the same ARNs give the same names whatever their
// order):
//
//   - a customer managed policy of the account with path "/" keeps its name;
//   - any other (a path, or AWS managed: arn:aws:iam::aws:policy/…) gets its
//     path segments and name joined with ".", "AWS." first for AWS managed
//     ones: arn:aws:iam::aws:policy/service-role/X is "AWS.service-role.X";
//   - characters the store refuses become "_", and a name that is too long
//     or taken by an earlier ARN (sorted) gets "-" and 8 hex digits of the
//     SHA-256 of its ARN (shortened to fit).
//
// Names with path "/" are assigned first, so they never change.
func policyNames(arns []string, account string) map[string]string {
	arns = slices.Clone(arns)
	slices.Sort(arns)
	arns = slices.Compact(arns)
	out := make(map[string]string, len(arns))
	taken := map[string]bool{}
	var derived []string
	for _, a := range arns {
		name, plain := basePolicyName(a, account)
		if !plain {
			derived = append(derived, a)
			continue
		}
		out[a] = name
		taken[name] = true
	}
	for _, a := range derived {
		name, _ := basePolicyName(a, account)
		if len(name) > maxPolicyName || taken[name] {
			sum := sha256.Sum256([]byte(a))
			suffix := "-" + hex.EncodeToString(sum[:4])
			if len(name) > maxPolicyName-len(suffix) {
				name = name[:maxPolicyName-len(suffix)]
			}
			name += suffix
		}
		out[a] = name
		taken[name] = true
	}
	return out
}

// basePolicyName is the name before collisions are resolved; plain is true
// for a customer managed policy of account at path "/" with a valid name.
func basePolicyName(a, account string) (name string, plain bool) {
	parts, ok := arn.Split(a)
	res, hasPrefix := strings.CutPrefix(parts[5], "policy/")
	if !ok || !hasPrefix || res == "" {
		return sanitize("ARN." + a), false
	}
	if parts[4] == account && !strings.Contains(res, "/") && validName(res) {
		return res, true
	}
	n := strings.ReplaceAll(res, "/", ".")
	if parts[4] == "aws" {
		n = "AWS." + n
	}
	return sanitize(n), false
}

// validName is IAM's name rule, the one the store checks: [A-Za-z0-9+=,.@_-].
func validName(s string) bool {
	if s == "" || len(s) > maxPolicyName {
		return false
	}
	return sanitize(s) == s
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r) {
			return r
		}
		return '_'
	}, s)
}
