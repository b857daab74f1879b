package authz

import (
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/authz/internal/condition"
)

// gatewayKeys are the condition keys the gateway puts in a request context (lower-cased);
// tag-key families are matched by prefix in providedKey.
var gatewayKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principaltype": true,
	"aws:userid": true, "aws:username": true, "aws:sourceip": true, "aws:securetransport": true,
	"aws:currenttime": true, "aws:epochtime": true, "aws:requestedregion": true,
	"aws:useragent": true, "aws:tokenissuetime": true, "aws:multifactorauthpresent": true,
	"aws:tagkeys": true, "aws:sourceidentity": true,
	"aws:principalisawsservice": true, "aws:viaawsservice": true,
	// Data-perimeter keys: aws:ResourceAccount per resource; the organization keys when the
	// gateway is configured with its organization's ID.
	"aws:resourceaccount": true, "aws:principalorgid": true, "aws:resourceorgid": true,
	// Set on iam:PassRole authorizations.
	"iam:passedtoservice": true,
	// The gateway's own namespace: the ARNs of the resources a request makes AWS use on the
	// caller's behalf (topics, streams, buckets, roles, ...).
	"gateway:referencedarn": true,
	// Where a sending request's messages go (multi-valued), and how many destinations it has.
	"gateway:destinationnumber": true, "gateway:destinationcountry": true,
	"gateway:destinationcallingcode": true, "gateway:destinationnumbertype": true,
	"gateway:destinationcount": true,
	// STS trust-policy keys.
	"sts:externalid": true, "sts:rolesessionname": true, "sts:sourceidentity": true,
	"sts:transitivetagkeys": true,
}

var gatewayKeyPrefixes = []string{"aws:principaltag/", "aws:requesttag/", "aws:resourcetag/"}

// multiValuedKeys are the multi-valued keys the gateway knows; every other key it provides is
// single-valued.
var multiValuedKeys = map[string]bool{
	"aws:tagkeys": true, "sts:transitivetagkeys": true, "gateway:referencedarn": true,
	"gateway:destinationnumber": true, "gateway:destinationcountry": true,
	"gateway:destinationcallingcode": true, "gateway:destinationnumbertype": true,
}

// LintRetired warns about every Allow statement whose Action element grants
// only actions of operations AWS retired: retiredOnly reports whether every
// known action a pattern matches is retired (and one is). NotAction
// statements grant everything else, so they are never such a statement.
func (p *Policy) LintRetired(retiredOnly func(pattern string) bool) []string {
	var out []string
	for i, st := range p.stmts {
		if st.effect != EffectAllow || st.notAction || len(st.actions) == 0 {
			continue
		}
		only := true
		for _, a := range st.actions {
			if !retiredOnly(a.raw) {
				only = false
				break
			}
		}
		if only {
			where := fmt.Sprintf("policy %q statement %d", p.name, i)
			if st.sid != "" {
				where += fmt.Sprintf(" (Sid %q)", st.sid)
			}
			out = append(out, where+": Action: grants only actions of operations AWS retired with Amazon Pinpoint's engagement features on 2026-10-30")
		}
	}
	return out
}

func providedKey(lk string) bool {
	if gatewayKeys[lk] {
		return true
	}
	for _, p := range gatewayKeyPrefixes {
		if strings.HasPrefix(lk, p) && len(lk) > len(p) {
			return true
		}
	}
	return false
}

// lintPrefixes are the services whose actions Lint checks against knownAction.
var lintPrefixes = []string{"mobiletargeting:", "sms-voice:"}

// Lint returns warnings about statements that are valid but probably not what the author meant,
// each naming the policy, the statement (index and Sid) and the element (Action, Condition):
// actions of mobiletargeting or sms-voice that match no known action (knownAction may be nil to
// skip this check), ForAllValues under Allow (true when the key is missing), set qualifiers on
// single-valued keys, and negated operators on keys the gateway never provides (always true).
func (p *Policy) Lint(knownAction func(action string) bool) []string {
	var out []string
	warn := func(i int, st *statement, format string, args ...any) {
		where := fmt.Sprintf("policy %q statement %d", p.name, i)
		if st.sid != "" {
			where += fmt.Sprintf(" (Sid %q)", st.sid)
		}
		out = append(out, where+": "+fmt.Sprintf(format, args...))
	}
	for i, st := range p.stmts {
		if knownAction != nil {
			for _, a := range st.actions {
				l := a.lower
				for _, pre := range lintPrefixes {
					if strings.HasPrefix(l, pre) && !a.wild && !knownAction(a.raw) {
						warn(i, st, "Action: action %q matches no known %s action", a.raw, strings.TrimSuffix(pre, ":"))
					}
				}
			}
		}
		if st.cond == nil {
			continue
		}
		for _, c := range st.cond.Clauses {
			lk := c.LowerKey()
			if c.Qualifier == condition.ForAllValues && st.effect == EffectAllow {
				warn(i, st, "Condition: %s on %q under Allow also matches when the key is missing or empty", c.Operator, c.Key)
			}
			if c.Qualifier != condition.NoQualifier && providedKey(lk) && !multiValuedKeys[lk] {
				warn(i, st, "Condition: %s on single-valued key %q: use the operator without a set qualifier", c.Operator, c.Key)
			}
			if c.Negated && !providedKey(lk) {
				warn(i, st, "Condition: %s on %q: the gateway never provides this key, so the condition is always true", c.Operator, c.Key)
			}
		}
	}
	return out
}
