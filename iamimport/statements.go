package iamimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

// stsActions are the actions the gateway's STS evaluates (authn/sts.go,
// evaluateTrust). GetSessionToken and GetCallerIdentity need no permission.
var stsActions = []string{"sts:assumerole", "sts:tagsession", "sts:setsourceidentity"}

// gatewayActions are all the actions the gateway ever evaluates: every
// action of its tables (apimap.KnownActions, iam:PassRole included) and the
// STS ones.
var gatewayActions = append(apimap.KnownActions(), stsActions...)

// gatewayServices are the service prefixes whose actions are kept even when
// the tables do not know them (a newer action the gateway may map later).
var gatewayServices = []string{"mobiletargeting:", "sms-voice:"}

// rawDoc is a policy document split into its statements, each kept as its
// JSON elements so that a rewritten document differs only where the import
// changed it.
type rawDoc struct {
	top   map[string]json.RawMessage
	stmts []map[string]json.RawMessage
}

// splitDoc decodes a policy document's top level and its statements (an
// object or an array). Anything else is left to authz.Parse to refuse.
func splitDoc(doc []byte) (*rawDoc, error) {
	d := &rawDoc{}
	if err := json.Unmarshal(doc, &d.top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	raw := bytes.TrimSpace(d.top["Statement"])
	switch {
	case len(raw) == 0:
		return nil, errors.New("Statement: missing")
	case raw[0] == '{':
		var st map[string]json.RawMessage
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
		d.stmts = []map[string]json.RawMessage{st}
	default:
		if err := json.Unmarshal(raw, &d.stmts); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
	}
	return d, nil
}

// encode writes the document back, its statements as an array. Every part
// came from json.Unmarshal or json.Marshal, so it cannot fail but is checked.
func (d *rawDoc) encode() ([]byte, error) {
	top := make(map[string]any, len(d.top))
	for k, v := range d.top {
		top[k] = v
	}
	if d.stmts == nil {
		top["Statement"] = []any{}
	} else {
		top["Statement"] = d.stmts
	}
	return json.Marshal(top)
}

// strs reads a string-or-array element; ok is false when it is absent.
func strs(st map[string]json.RawMessage, field string) (vals []string, ok bool, err error) {
	raw, ok := st[field]
	if !ok {
		return nil, false, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err = json.Unmarshal(raw, &s)
		return []string{s}, true, err
	}
	err = json.Unmarshal(raw, &vals)
	return vals, true, err
}

func str(st map[string]json.RawMessage, field string) string {
	var s string
	_ = json.Unmarshal(st[field], &s) // absent or not a string: "" (authz.Parse refuses the latter)
	return s
}

func setStrs(st map[string]json.RawMessage, field string, vals []string) {
	raw, _ := json.Marshal(vals)
	st[field] = raw
}

// where names statement i of a policy for the report.
func where(i int, st map[string]json.RawMessage) string {
	if sid := str(st, "Sid"); sid != "" {
		return fmt.Sprintf("statement %d (Sid %q)", i, sid)
	}
	return fmt.Sprintf("statement %d", i)
}

// matchesAny reports whether the pattern matches one of actions (lower-cased).
func matchesAny(p authz.ActionPattern, actions []string) bool {
	for _, a := range actions {
		if p.Matches(a) {
			return true
		}
	}
	return false
}

// relevantPattern reports whether an Action pattern can match an action in
// scope (or is one of the gateway's services, known or not). A pattern that
// does not compile is kept, so that authz.Parse reports it.
func relevantPattern(s string, scope []string, services bool) bool {
	p, err := authz.CompileActionPattern(s)
	if err != nil {
		return true
	}
	if matchesAny(p, scope) {
		return true
	}
	if services {
		l := strings.ToLower(s)
		for _, pre := range gatewayServices {
			if strings.HasPrefix(l, pre) {
				return true
			}
		}
	}
	return false
}

// pruneStatement narrows a statement to the actions in scope: Action
// patterns that can match none are removed, and a statement left with none
// (or a NotAction statement that excludes all of scope) is dropped. Both
// are exact for every decision the gateway makes: the removed parts can
// match no action it evaluates. It reports what it removed.
func pruneStatement(st map[string]json.RawMessage, scope []string, services bool) (keep bool, removed []string) {
	if acts, ok, err := strs(st, "Action"); ok && err == nil {
		var kept []string
		for _, a := range acts {
			if relevantPattern(a, scope, services) {
				kept = append(kept, a)
			} else {
				removed = append(removed, a)
			}
		}
		if len(kept) == 0 {
			return false, removed
		}
		if len(removed) > 0 {
			setStrs(st, "Action", kept)
		}
		return true, removed
	}
	if nacts, ok, err := strs(st, "NotAction"); ok && err == nil {
		var pats []authz.ActionPattern
		for _, a := range nacts {
			p, err := authz.CompileActionPattern(a)
			if err != nil {
				return true, nil
			}
			pats = append(pats, p)
		}
		for _, a := range scope {
			excluded := false
			for _, p := range pats {
				if p.Matches(a) {
					excluded = true
					break
				}
			}
			if !excluded {
				return true, nil
			}
		}
		return false, nil
	}
	return true, nil // malformed: authz.Parse reports it
}

// conditionKeys lists the condition keys a statement reads: the keys of its
// Condition block and the policy variables in its Resource, NotResource and
// condition values.
func conditionKeys(st map[string]json.RawMessage) []string {
	var keys []string
	add := func(k string) {
		if k != "" && !slices.ContainsFunc(keys, func(x string) bool { return strings.EqualFold(x, k) }) {
			keys = append(keys, k)
		}
	}
	var cond map[string]map[string]json.RawMessage
	if raw, ok := st["Condition"]; ok && json.Unmarshal(raw, &cond) == nil {
		for _, op := range sortedKeys(cond) {
			for _, k := range sortedKeys(cond[op]) {
				add(k)
				for _, v := range variables(string(cond[op][k])) {
					add(v)
				}
			}
		}
	}
	for _, f := range []string{"Resource", "NotResource"} {
		for _, v := range variables(string(st[f])) {
			add(v)
		}
	}
	return keys
}

// variables returns the keys of the policy variables ${key} in s (the
// special characters ${*}, ${?}, ${$} excepted; a default after ", " cut).
func variables(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return out
		}
		v, _, _ := strings.Cut(s[:j], ",")
		v = strings.TrimSpace(v)
		if v != "*" && v != "?" && v != "$" && strings.Contains(v, ":") {
			out = append(out, v)
		}
		s = s[j+1:]
	}
}

// keyVerdict says what the gateway does with a condition key a statement
// reads.
type keyVerdict int

const (
	keyProvided    keyVerdict = iota // set as AWS sets it
	keyNever                         // the gateway never sets it: always absent
	keyOwnValues                     // set, with values of the gateway's own (aws:userid)
	keyNeedsOrgID                    // set only with the org_id option
	keyServiceOnly                   // absent for direct calls of IAM principals, in AWS as at the gateway
)

// serviceOnlyKeys are keys AWS sets only for requests the gateway never
// sees ("Availability" in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
// a service calling another on a resource's or caller's behalf (aws:Source*,
// aws:CalledVia*), a service principal (aws:PrincipalServiceName*), a
// federated session (aws:FederatedProvider), EC2 instance role credentials
// (aws:Ec2InstanceSource*). They are absent for the requests an IAM user or
// an AssumeRole session sends itself, the only requests the gateway sees,
// so their absence there is exact.
var serviceOnlyKeys = map[string]bool{
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:calledvia": true, "aws:calledviafirst": true, "aws:calledvialast": true,
	"aws:principalservicename": true, "aws:principalservicenameslist": true,
	"aws:federatedprovider": true, "aws:ec2instancesourcevpc": true, "aws:ec2instancesourceprivateipv4": true,
}

func classifyKey(k string) keyVerdict {
	switch strings.ToLower(k) {
	case "aws:userid":
		return keyOwnValues
	case "aws:principalorgid", "aws:resourceorgid":
		return keyNeedsOrgID
	}
	if serviceOnlyKeys[strings.ToLower(k)] {
		return keyServiceOnly
	}
	if gatewayProvides(k) {
		return keyProvided
	}
	return keyNever
}

// gatewayProvides asks authz whether the gateway puts key in a request
// context. authz keeps that list unexported (lint.go, gatewayKeys); its
// Lint warns when a negated operator reads a key the gateway never
// provides, so the question is asked through a one-statement probe.
// TestGatewayProvides pins the answers this relies on.
func gatewayProvides(key string) bool {
	k, _ := json.Marshal(key)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{` + string(k) + `:"x"}}}}`
	p, err := authz.Parse("probe", []byte(doc), authz.IdentityBased)
	if err != nil {
		return false
	}
	for _, w := range p.Lint(nil) {
		if strings.Contains(w, "never provides") {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// short lists at most five values, then how many more.
func short(vals []string) string {
	if len(vals) <= 5 {
		return strings.Join(vals, ", ")
	}
	return strings.Join(vals[:5], ", ") + fmt.Sprintf(" and %d more", len(vals)-5)
}
