package iamimport

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/authz"
)

// processed is a policy document rewritten for the store.
type processed struct {
	doc     json.RawMessage // the document to store; nil when refused
	hasDeny bool            // a Deny statement is (or, unreadable, may be) in it
	err     error           // why it was refused
}

// checkKeys reports the condition keys of a kept statement that the
// gateway cannot give the value AWS would.
func (im *importer) checkKeys(subject, at string, st map[string]json.RawMessage) {
	for _, k := range conditionKeys(st) {
		switch classifyKey(k) {
		case keyNever:
			im.rep.add(NotExact, subject, "%s reads %s, which the gateway never sets (always absent there)", at, k)
		case keyOwnValues:
			im.rep.add(NotExact, subject, "%s reads %s: the gateway's unique IDs are its own, not AWS's", at, k)
		case keyServiceOnly:
			im.rep.add(Transformed, subject, "%s reads %s, which AWS sets only for service-to-service calls: absent for the gateway's callers, as in AWS", at, k)
		case keyNeedsOrgID:
			im.rep.add(Transformed, subject, "%s reads %s: set only when the Caddyfile has org_id", at, k)
		}
	}
}

// identityDoc rewrites an identity-side document (identity policy,
// permissions boundary or guardrail): statements narrowed to the actions
// the gateway evaluates, keys checked, parsed as kind.
func (im *importer) identityDoc(subject string, doc []byte, kind authz.PolicyType) processed {
	d, err := splitDoc(doc)
	if err != nil {
		return processed{hasDeny: true, err: err}
	}
	var kept []map[string]json.RawMessage
	var removed []string
	dropped := 0
	hasDeny := false
	for i, st := range d.stmts {
		if strings.EqualFold(str(st, "Effect"), "Deny") || str(st, "Effect") == "" {
			hasDeny = true // an unreadable Effect counts: authz.Parse refuses it, and the caller must not widen
		}
		keep, rm := pruneStatement(st, gatewayActions, true)
		removed = append(removed, rm...)
		if !keep {
			dropped++
			continue
		}
		im.checkKeys(subject, where(i, st), st)
		kept = append(kept, st)
	}
	if len(removed) > 0 || dropped > 0 {
		im.notePruned(subject, removed, dropped)
	}
	d.stmts = kept
	out, err := d.encode()
	if err != nil {
		return processed{hasDeny: hasDeny, err: err}
	}
	if _, err := authz.Parse(subject, out, kind); err != nil {
		return processed{hasDeny: hasDeny, err: err}
	}
	return processed{doc: out, hasDeny: hasDeny}
}

// trustDoc rewrites a role's trust policy: statements narrowed to the STS
// actions the gateway evaluates, principals the gateway can never see
// reported as inert, keys checked, parsed with authz.ParseTrust.
func (im *importer) trustDoc(subject string, doc []byte) processed {
	d, err := splitDoc(doc)
	if err != nil {
		return processed{err: err}
	}
	var kept []map[string]json.RawMessage
	var removed []string
	for i, st := range d.stmts {
		keep, rm := pruneStatement(st, stsActions, false)
		removed = append(removed, rm...)
		if !keep {
			continue
		}
		at := where(i, st)
		reachable := true
		if raw, ok := st["Principal"]; ok {
			if reachable, err = im.checkPrincipal(subject, at, raw); err != nil {
				return processed{err: fmt.Errorf("%s: Principal: %w", at, err)}
			}
		}
		if raw, ok := st["NotPrincipal"]; ok {
			if _, err = im.checkPrincipal(subject, at, raw); err != nil {
				return processed{err: fmt.Errorf("%s: NotPrincipal: %w", at, err)}
			}
		}
		if reachable { // a statement no gateway caller matches decides nothing there, whatever its keys
			im.checkKeys(subject, at, st)
		}
		kept = append(kept, st)
	}
	if len(removed) > 0 {
		im.rep.add(Inert, subject, "removed %s: the gateway's STS implements AssumeRole only (no SAML, web identity or root sessions)", short(removed))
	}
	d.stmts = kept
	out, err := d.encode()
	if err != nil {
		return processed{err: err}
	}
	if _, err := authz.ParseTrust(subject, out); err != nil {
		return processed{err: err}
	}
	return processed{doc: out}
}

// checkPrincipal reports the principals of a trust statement that can
// never call the gateway (it issues sessions only to its store's users and
// roles, all of one account: authz/trust.go), and refuses AWS principals
// it cannot read (unique IDs, which IAM shows for deleted principals).
// reachable is false when the element names only such principals.
func (im *importer) checkPrincipal(subject, at string, raw json.RawMessage) (reachable bool, err error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return true, nil // "*", or refused by the parser
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return true, nil // the parser refuses it
	}
	var inert []string
	for _, kind := range sortedKeys(m) {
		vals, _, err := strs(m, kind)
		if err != nil {
			return true, nil
		}
		for _, v := range vals {
			switch {
			case kind != "AWS":
				inert = append(inert, kind+" "+v)
			case v == "*" || v == im.opts.Account:
				reachable = true
			case isAccountID(v):
				inert = append(inert, "account "+v)
			case strings.HasPrefix(v, "arn:"):
				parts := strings.SplitN(v, ":", 6)
				switch {
				case len(parts) == 6 && parts[4] != im.opts.Account:
					inert = append(inert, "account "+parts[4]+" ("+v+")")
				case len(parts) == 6 && strings.HasPrefix(parts[5], "federated-user/"):
					inert = append(inert, "federated user "+v+" (the gateway has no GetFederationToken)")
				default:
					reachable = true
				}
			default:
				return false, fmt.Errorf("AWS principal %q is not an ARN or account ID (IAM shows a deleted principal's unique ID): the gateway cannot tell who it is", v)
			}
		}
	}
	if len(inert) > 0 {
		im.rep.add(Inert, subject, "%s names %s: none can call the gateway, which issues sessions only to its store's users and roles", at, short(inert))
	}
	return reachable, nil
}

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

// notePruned reports what pruneStatement removed from a document.
func (im *importer) notePruned(subject string, removed []string, dropped int) {
	msg := fmt.Sprintf("removed what matches no action the gateway evaluates: %s", count(len(removed), "action pattern"))
	if len(removed) > 0 {
		msg += " (" + short(removed) + ")"
	}
	if dropped > 0 {
		msg += ", " + count(dropped, "statement") + " left without actions"
	}
	im.rep.add(Transformed, subject, "%s", msg)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
