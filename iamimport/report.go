package iamimport

import (
	"fmt"
	"io"
	"strings"
)

// Kind classifies a finding of the report.
type Kind string

const (
	// Transformed: carried with a change that decides the same for every
	// request the gateway can see (unsupported actions removed, a policy
	// renamed, SCP levels rewritten, a default used where AWS gives none).
	Transformed Kind = "transformed"
	// Inert: carried as is, but naming what can never call the gateway
	// (a service, a federated provider, another account): it decides for
	// none of the gateway's callers, as it decides for none of them in AWS.
	Inert Kind = "inert"
	// NotExact: not carried exactly; the store may decide differently
	// from AWS (or leaves the principal out). `gateway import` exits 1
	// on any unless --allow-partial.
	NotExact Kind = "not_exact"
)

// Finding is one line of the report.
type Finding struct {
	Kind    Kind   `json:"kind"`
	Subject string `json:"subject"` // "user/alice", "role/app", "policy arn:…", "scp root/Name"
	Message string `json:"message"`
}

// PolicyName maps a managed policy's ARN to its name in the store, whose
// managed policy names are flat.
type PolicyName struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
}

// KeysToProvision says which gateway access keys the operator must create
// for a user: the store gets users without keys, and keys are never
// invented.
type KeysToProvision struct {
	User string `json:"user"`
	// AWSAccessKeys are the user's AWS access key IDs with their status
	// ("AKIA… (Active)") when list-access-keys output was given: provision a
	// gateway key for each client that uses one of them.
	AWSAccessKeys []string `json:"aws_access_keys,omitempty"`
}

// Carried lists what the store holds.
type Carried struct {
	Users      []string `json:"users"`
	Groups     []string `json:"groups"`
	Roles      []string `json:"roles"`
	Policies   []string `json:"policies"`
	Guardrails []string `json:"guardrails"`
}

// Report is what an import carried, transformed and could not carry.
type Report struct {
	Account       string            `json:"account"`
	Exact         bool              `json:"exact"`
	Carried       Carried           `json:"carried"`
	PolicyNames   []PolicyName      `json:"policy_names,omitempty"`
	Findings      []Finding         `json:"findings"`
	Keys          []KeysToProvision `json:"keys_to_provision"`
	StoreWarnings []string          `json:"store_warnings,omitempty"`
}

func (r *Report) add(k Kind, subject, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Kind: k, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

// NotExactCount is the number of findings of kind NotExact.
func (r *Report) NotExactCount() int {
	n := 0
	for _, f := range r.Findings {
		if f.Kind == NotExact {
			n++
		}
	}
	return n
}

// WriteText writes the report for a person: what was carried, the
// findings by kind (not exact first), the renamed policies and the keys to
// provision.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gateway import, account %s: %d users, %d groups, %d roles, %d managed policies, %d guardrails\n",
		r.Account, len(r.Carried.Users), len(r.Carried.Groups), len(r.Carried.Roles), len(r.Carried.Policies), len(r.Carried.Guardrails))
	for _, k := range []Kind{NotExact, Inert, Transformed} {
		for _, f := range r.Findings {
			if f.Kind == k {
				fmt.Fprintf(&b, "%-11s %s: %s\n", k, f.Subject, f.Message)
			}
		}
	}
	for _, n := range r.PolicyNames {
		fmt.Fprintf(&b, "renamed     %s -> %q\n", n.ARN, n.Name)
	}
	for _, w := range r.StoreWarnings {
		fmt.Fprintf(&b, "warning     %s\n", w)
	}
	for _, k := range r.Keys {
		if len(k.AWSAccessKeys) == 0 {
			fmt.Fprintf(&b, "provision   user/%s: no access key in the store; create a gateway key for it\n", k.User)
			continue
		}
		fmt.Fprintf(&b, "provision   user/%s: a gateway key for the clients of %s\n", k.User, strings.Join(k.AWSAccessKeys, ", "))
	}
	if r.Exact {
		b.WriteString("result: carried exactly (for every request the gateway can see)\n")
	} else {
		fmt.Fprintf(&b, "result: NOT carried exactly: %d findings above are not_exact\n", r.NotExactCount())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
