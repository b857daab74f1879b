// Package arn is the gateway's one Amazon Resource Name type and parser:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. It imports only the
// standard library, so that every other package (authz and apimap included)
// can use it.
//
// Two ways in: Split cuts a string into its six parts without allocating,
// for the per-request paths (policy matching, aws:ResourceAccount); Parse
// also checks what an ARN the gateway acts on must be (bounded, printable,
// non-empty partition, service and resource).
package arn

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLen is the longest ARN Parse accepts, IAM's limit on a resource ARN.
const MaxLen = 2048

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	// Resource is everything after the fifth colon, colons included
	// ("log-group:name", "apps/ID/segments/ID").
	Resource string
}

// String formats the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Split cuts s into its six colon-separated parts, parts[0] being "arn" and
// parts[5] the resource with its own colons. ok is false when s does not
// start with "arn:" or has fewer than five colons. It checks nothing else
// and never allocates.
func Split(s string) (parts [6]string, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return parts, false
	}
	start := 0
	for i := range 5 {
		j := strings.IndexByte(s[start:], ':')
		if j < 0 {
			return [6]string{}, false
		}
		parts[i] = s[start : start+j]
		start += j + 1
	}
	parts[5] = s[start:]
	return parts, true
}

// Account returns the account field of s, "" when s is not an ARN or has
// none (S3 buckets).
func Account(s string) string {
	parts, ok := Split(s)
	if !ok {
		return ""
	}
	return parts[4]
}

// Parse parses s. Beyond the six parts it requires at most MaxLen bytes, no
// control characters, and a non-empty partition, service and resource; it
// does not check that the service or partition exists.
func Parse(s string) (ARN, error) {
	if len(s) > MaxLen {
		return ARN{}, fmt.Errorf("arn longer than %d bytes", MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return ARN{}, errors.New("arn with a control character")
		}
	}
	parts, ok := Split(s)
	if !ok {
		if !strings.HasPrefix(s, "arn:") {
			return ARN{}, fmt.Errorf("arn %q: missing \"arn:\" prefix", s)
		}
		return ARN{}, fmt.Errorf("arn %q: want 6 colon-separated parts", s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, fmt.Errorf("arn %q: empty partition, service or resource", s)
	}
	return a, nil
}
