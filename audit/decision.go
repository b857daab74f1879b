package audit

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
)

// The decision inputs of the record (read by `gateway replay`): the
// request-wide context, the evaluated pairs with their per-resource keys,
// and the session policies. Their values are never cut: a value that was
// cut would be a different value, and a replay would decide on it. What
// does not fit a budget below is left out whole and counted, so that a
// reader knows the record is incomplete.
const (
	// maxContext is the most bytes of the context object, maxContextKey of
	// one key with its values (a longer key, a very long User-Agent say, is
	// left out: context_omitted, context_omitted_keys).
	maxContext    = 26 << 10
	maxContextKey = 8 << 10
	// maxEvaluations is the most bytes of the evaluations array; the
	// evaluations that do not fit (the last ones) are counted in
	// evaluations_omitted.
	maxEvaluations = 24 << 10
	// maxSessionPolicy is the most bytes of the inline session policy
	// (AWS's limit is 2,048 characters; the gateway keeps the shorter of the
	// document and its compact form); maxSessionPolicyNames is AWS's limit
	// of PolicyArns.
	maxSessionPolicy      = 8 << 10
	maxSessionPolicyNames = 10
)

// jsonLen is the length of s encoded as a JSON string by the record's
// encoder (zap's, which escapes as encoding/json does without its HTML
// escaping), quotes included; an upper bound for invalid UTF-8.
func jsonLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n += int(jsonCost[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6 // \ufffd
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// lowerKeys maps the key names that their setter spells with capitals
// (destination.SetContext's) to their lower-cased form, sparing a
// conversion per record.
var lowerKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{destination.KeyNumber, destination.KeyCountry, destination.KeyCallingCode, destination.KeyNumberType, destination.KeyCount} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

func lowerKey(k string) string {
	if l, ok := lowerKeys[k]; ok {
		return l
	}
	return strings.ToLower(k) // no allocation when k is lower-case already
}

// AddContext adds the request context c as the object field "context":
// every key, lower-cased, with its values exactly as evaluated (a string
// for a single-valued key, an array for a multi-valued one), in sorted
// order. Keys beyond the record's budget are left out whole:
// context_omitted counts them and context_omitted_keys names the first
// ones. Nothing is added for a nil or empty context.
func AddContext(enc zapcore.ObjectEncoder, c *authz.Context) error {
	if c == nil {
		return nil
	}
	keys := c.Keys()
	if len(keys) == 0 {
		return nil
	}
	used, omitted := 2, 0
	var omittedNames []string
	for i, k := range keys {
		lower := lowerKey(k)
		vals, multi, _ := c.LookupLower(lower)
		cost := jsonLen(lower) + 2 // the colon and a comma
		if multi {
			cost += 2
		}
		for _, v := range vals {
			cost += jsonLen(v) + 1
		}
		if cost > maxContextKey || used+cost > maxContext {
			omitted++
			if len(omittedNames) < maxAuditStrings {
				omittedNames = append(omittedNames, lower)
			}
			keys[i] = ""
			continue
		}
		used += cost
		keys[i] = lower
	}
	if err := enc.AddObject("context", contextLog{c: c, keys: keys}); err != nil {
		return err
	}
	if omitted > 0 {
		enc.AddInt64("context_omitted", int64(omitted))
		names := stringsLog(omittedNames)
		if err := enc.AddArray("context_omitted_keys", &names); err != nil {
			return err
		}
	}
	return nil
}

// contextLog logs the kept keys ("" marks one left out) of a context.
type contextLog struct {
	c    *authz.Context
	keys []string
}

func (l contextLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, k := range l.keys {
		if k == "" {
			continue
		}
		vals, multi, _ := l.c.LookupLower(k)
		if err := addValues(enc, k, vals, multi); err != nil {
			return err
		}
	}
	return nil
}

// addValues adds a condition key: a string, or an array when multi.
func addValues(enc zapcore.ObjectEncoder, key string, vals []string, multi bool) error {
	if !multi {
		v := ""
		if len(vals) > 0 {
			v = vals[0]
		}
		enc.AddString(key, v)
		return nil
	}
	list := valuesLog(vals)
	return enc.AddArray(key, &list)
}

// valuesLog logs a multi-valued key's values, whole.
type valuesLog []string

func (vs *valuesLog) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, v := range *vs {
		enc.AppendString(v)
	}
	return nil
}

// Key is a condition key set for one pair, lower-cased, and its value.
type Key struct{ Name, Value string }

// Evaluation is one (action, resource) pair the pipeline decided, with
// the per-resource keys it set for it (aws:ResourceAccount,
// aws:ResourceOrgID, aws:ResourceTag/…, iam:PassedToService).
type Evaluation struct {
	Action, Resource string
	Keys             []Key
	// TagsUnknown says the resource's tags were not obtained (the
	// resource has none of its own in the keys because the gateway did
	// not learn them, or did not need to: no policy read them).
	TagsUnknown bool
	// Ambiguous are aws:resourcetag/ keys left unset because the
	// resource has tags whose keys differ only in case.
	Ambiguous []string
	Decision  authz.Decision
}

// cost is the evaluation's encoded size, at most.
func (e *Evaluation) cost() int {
	n := 110 + jsonLen(e.Action) + jsonLen(e.Resource) // the field names, braces and commas: 100 bytes
	for _, k := range e.Keys {
		n += jsonLen(k.Name) + jsonLen(k.Value) + 2
	}
	for _, k := range e.Ambiguous {
		n += jsonLen(k) + 1
	}
	return n
}

// AddEvaluations adds the evaluated pairs, in order, as the array field
// "evaluations": each pair's action, resource, keys (the per-resource
// keys), tags_unknown, ambiguous_keys and decision. The evaluations that do
// not fit the record's budget (the last ones) are counted in
// evaluations_omitted. evals points to the caller's slice, which the
// encoding reads in place (sparing an allocation per record).
func AddEvaluations(enc zapcore.ObjectEncoder, evals *[]Evaluation) error {
	kept := keptEvaluations(*evals)
	if kept > 0 {
		if err := enc.AddArray("evaluations", (*evaluationsLog)(evals)); err != nil {
			return err
		}
	}
	if omitted := len(*evals) - kept; omitted > 0 {
		enc.AddInt64("evaluations_omitted", int64(omitted))
	}
	return nil
}

// keptEvaluations is how many of the first evaluations fit the budget.
func keptEvaluations(evals []Evaluation) int {
	used, kept := 2, 0
	for i := range evals {
		c := evals[i].cost()
		if used+c > maxEvaluations {
			break
		}
		used += c
		kept++
	}
	return kept
}

// evaluationsLog logs the evaluations that fit the budget.
type evaluationsLog []Evaluation

func (es *evaluationsLog) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	list := *es
	for i := range keptEvaluations(list) {
		if err := enc.AppendObject((*evaluationLog)(&list[i])); err != nil {
			return err
		}
	}
	return nil
}

type evaluationLog Evaluation

func (e *evaluationLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("action", e.Action)
	enc.AddString("resource", e.Resource)
	if len(e.Keys) > 0 {
		if err := enc.AddObject("keys", (*keysLog)(&e.Keys)); err != nil {
			return err
		}
	}
	if e.TagsUnknown {
		enc.AddBool("tags_unknown", true)
	}
	if len(e.Ambiguous) > 0 {
		if err := enc.AddArray("ambiguous_keys", (*valuesLog)(&e.Ambiguous)); err != nil {
			return err
		}
	}
	enc.AddString("decision", e.Decision.String())
	return nil
}

type keysLog []Key

func (ks *keysLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, k := range *ks {
		enc.AddString(k.Name, k.Value)
	}
	return nil
}

// AddSessionPolicies adds the session policies of an STS session: the
// inline one (the policy of type authz.Session) as the document object
// "session_policy", and the names of the store's managed policies passed
// as PolicyArns as "session_policy_names". A document over the budget is
// left out (session_policy_omitted: 1).
func AddSessionPolicies(enc zapcore.ObjectEncoder, policies []*authz.Policy) error {
	if len(policies) == 0 {
		return nil
	}
	var names []string
	for _, p := range policies {
		if p.Type() != authz.Session {
			names = append(names, p.Name())
			continue
		}
		doc, err := p.MarshalJSON()
		if err != nil || len(doc) > maxSessionPolicy {
			enc.AddInt64("session_policy_omitted", 1)
			continue
		}
		if err := enc.AddReflected("session_policy", json.RawMessage(doc)); err != nil {
			return err
		}
	}
	switch {
	case len(names) == 0:
	case len(names) > maxSessionPolicyNames || jsonLen(strings.Join(names, "")) > maxSessionPolicyNames*maxAuditString:
		enc.AddInt64("session_policy_omitted", int64(len(names)))
	default:
		sort.Strings(names) // the gateway applies all of them: order is meaningless
		return enc.AddArray("session_policy_names", (*valuesLog)(&names))
	}
	return nil
}

// AddUnknown adds the request-wide key prefixes whose values the gateway
// could not learn as "context_unknown".
func AddUnknown(enc zapcore.ObjectEncoder, prefixes []string) error {
	if len(prefixes) == 0 {
		return nil
	}
	return enc.AddArray("context_unknown", (*valuesLog)(&prefixes))
}
