package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/decide"
)

// AuditLogger is the name of the gateway's audit logger: a JSON line
// whose "logger" field names another logger is not an audit record.
const AuditLogger = "http.handlers.pinpoint_gateway.audit"

// Record is one audit record as replay reads it: who asked, what, what was
// decided, and every input of the decision the record holds.
type Record struct {
	RequestID string
	Time      time.Time // zero when the record's time could not be read

	PrincipalARN, PrincipalType, RoleARN, SessionName string
	SessionTags                                       map[string]string

	Region         string // the signature's scope region
	API, Operation string
	Decision       string // as recorded (Allow, ExplicitDeny, ImplicitDeny, Unauthenticated, …)
	Mode           string // enforce or dry_run
	Reason         string

	// Pairs are the request's (action, resource) pairs in the order the
	// gateway evaluates them: those it evaluated (Evaluated, with their
	// per-resource keys), then, after a pair that was not allowed, those
	// it did not reach (from the record's authorizations).
	Pairs []Pair
	// Context holds the request-wide condition keys as evaluated, key
	// names lower-cased; ContextMulti names the multi-valued ones (recorded
	// as arrays).
	Context      map[string][]string
	ContextMulti map[string]bool
	// ContextUnknown are request-wide key prefixes whose values the gateway
	// could not learn (decide.UnknownDestinations: a destination without a
	// readable number).
	ContextUnknown []string

	// SessionPolicy is the inline session policy of an STS session (the
	// document, as JSON), nil for none; SessionPolicyNames are the store's
	// managed policies the session was given as PolicyArns.
	SessionPolicy      json.RawMessage
	SessionPolicyNames []string

	// Omitted counts what the record left out to stay bounded, by field
	// name (context, evaluations, authorizations, resources,
	// session_policy); OmittedKeys names context keys left out.
	Omitted     map[string]int
	OmittedKeys []string

	// hasContext and hasEvaluations say whether the record carries the
	// fields at all (records of older gateways do not).
	hasContext bool
	// inlineSession is SessionPolicy parsed; sessionErr why it did not parse.
	inlineSession *authz.Policy
	sessionErr    error
}

// Pair is one (action, resource) pair of a request.
type Pair struct {
	Action, Resource string
	// Keys are the per-resource condition keys set for the pair
	// (aws:resourceaccount, aws:resourceorgid, aws:resourcetag/…,
	// iam:passedtoservice), lower-cased; Multi names multi-valued ones.
	Keys  map[string][]string
	Multi map[string]bool
	// Unknown are the pair's key prefixes whose values the record does not
	// hold: decide.PrefixResourceTag when the resource's tags were not
	// obtained (the gateway did not learn them, or did not need them) and
	// the resource type is taggable; each aws:resourcetag/ key the gateway
	// left unset because the resource has tag keys that differ only in
	// case.
	Unknown []string
	// Evaluated says the gateway evaluated the pair; Decision is then its
	// decision as recorded.
	Evaluated bool
	Decision  string
	// PassedToService is the iam:PassedToService of an iam:PassRole pair.
	PassedToService string
}

// PolicyDecision is what the policies decided when the request was
// recorded (Allow for a request a quota later refused); ok is false for
// records without a policy decision (unauthenticated, bad request,
// unmappable) — those are not replayed.
func (r *Record) PolicyDecision() (d authz.Decision, ok bool) {
	evaluated := 0
	for i := range r.Pairs {
		p := &r.Pairs[i]
		if !p.Evaluated {
			break
		}
		evaluated++
		if p.Decision != authz.Allow.String() {
			d, ok := parseDecision(p.Decision)
			return d, ok
		}
	}
	if evaluated > 0 {
		return authz.Allow, true
	}
	// No evaluation recorded: only an older record's Allow (without the
	// decision fields) is still a policy decision. A deny without
	// evaluations was decided before the policies (region, unresolved
	// identifiers, unknown operation, no action).
	if !r.hasContext && r.Decision == authz.Allow.String() {
		return authz.Allow, true
	}
	return authz.ImplicitDeny, false
}

// Reasons a record is not replayable (Replayable's why).
const (
	WhyNoPolicyDecision = "no_policy_decision"     // unauthenticated, bad request, unmappable, denied before the policies
	WhySTS              = "sts"                    // a local STS call (trust policies are not replayed)
	WhyNoContext        = "no_context"             // written by a gateway that did not record decision inputs
	WhyContextOmitted   = "context_omitted"        // context keys left out to bound the record
	WhyEvalsOmitted     = "evaluations_omitted"    // evaluations left out to bound the record
	WhyAuthsOmitted     = "authorizations_omitted" // pairs not evaluated and not all recorded
	WhySessionOmitted   = "session_policy_omitted" // the session policy left out
	WhySessionInvalid   = "session_policy_invalid" // the recorded session policy does not parse
)

// Replayable says whether the record holds every input a decision reads;
// why says what is missing (one of the Why constants).
func (r *Record) Replayable() (ok bool, why string) {
	if strings.EqualFold(r.API, "sts") {
		return false, WhySTS
	}
	d, decided := r.PolicyDecision()
	switch {
	case !decided:
		return false, WhyNoPolicyDecision
	case !r.hasContext:
		return false, WhyNoContext
	case r.Omitted["context"] > 0:
		return false, WhyContextOmitted
	case r.Omitted["session_policy"] > 0:
		return false, WhySessionOmitted
	case r.sessionErr != nil:
		return false, WhySessionInvalid
	case r.Omitted["evaluations"] > 0:
		return false, WhyEvalsOmitted
	case d != authz.Allow && (r.Omitted["authorizations"] > 0 || r.Omitted["resources"] > 0):
		// The pairs after the denied one are not all known: a candidate
		// that allows the denied pair would have to decide them.
		return false, WhyAuthsOmitted
	}
	return true, ""
}

func parseDecision(s string) (authz.Decision, bool) {
	switch s {
	case authz.Allow.String():
		return authz.Allow, true
	case authz.ExplicitDeny.String():
		return authz.ExplicitDeny, true
	case authz.ImplicitDeny.String():
		return authz.ImplicitDeny, true
	}
	return authz.ImplicitDeny, false
}

// rawRecord is the JSON of an audit record, the fields replay reads.
type rawRecord struct {
	Logger         string            `json:"logger"`
	Time           json.RawMessage   `json:"time"`
	RequestID      *string           `json:"request_id"`
	PrincipalARN   string            `json:"principal_arn"`
	PrincipalType  string            `json:"principal_type"`
	RoleARN        string            `json:"role_arn"`
	SessionName    string            `json:"session_name"`
	SessionTags    map[string]string `json:"session_tags"`
	Region         string            `json:"region"`
	API            string            `json:"api"`
	Operation      string            `json:"operation"`
	Decision       *string           `json:"decision"`
	Mode           string            `json:"mode"`
	Reason         string            `json:"reason"`
	Authorizations []struct {
		Action           string   `json:"action"`
		PassedToService  string   `json:"passed_to_service"`
		Resources        []string `json:"resources"`
		ResourcesOmitted int      `json:"resources_omitted"`
	} `json:"authorizations"`
	AuthorizationsOmitted int             `json:"authorizations_omitted"`
	Context               json.RawMessage `json:"context"`
	ContextOmitted        int             `json:"context_omitted"`
	ContextOmittedKeys    []string        `json:"context_omitted_keys"`
	ContextUnknown        []string        `json:"context_unknown"`
	Evaluations           []rawEvaluation `json:"evaluations"`
	EvaluationsOmitted    int             `json:"evaluations_omitted"`
	SessionPolicy         json.RawMessage `json:"session_policy"`
	SessionPolicyNames    []string        `json:"session_policy_names"`
	SessionPolicyOmitted  int             `json:"session_policy_omitted"`
}

type rawEvaluation struct {
	Action      string          `json:"action"`
	Resource    string          `json:"resource"`
	Keys        json.RawMessage `json:"keys"`
	TagsUnknown bool            `json:"tags_unknown"`
	Ambiguous   []string        `json:"ambiguous_keys"`
	Decision    string          `json:"decision"`
}

var (
	keyRequestID = []byte(`"request_id"`)
	keyDecision  = []byte(`"decision"`)
)

// decodeLine decodes one log line; ok is false for a line that is not an
// audit record (not JSON, another logger, no request_id or decision).
func decodeLine(line []byte, in *interner) (*Record, bool, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, keyRequestID) || !bytes.Contains(line, keyDecision) {
		return nil, false, nil
	}
	var raw rawRecord
	if err := json.Unmarshal(line, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, false, nil // not JSON (a console-format line, a cut line)
		}
		// A field of another type: an error only in a line of the audit logger.
		var head struct {
			Logger string `json:"logger"`
		}
		if json.Unmarshal(line, &head) == nil && head.Logger != "" && head.Logger != AuditLogger {
			return nil, false, nil
		}
		return nil, false, err
	}
	if raw.Logger != "" && raw.Logger != AuditLogger || raw.RequestID == nil || raw.Decision == nil {
		return nil, false, nil
	}
	r, err := raw.record(in)
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// record builds the Record of raw.
func (raw *rawRecord) record(in *interner) (*Record, error) {
	r := &Record{
		RequestID:          *raw.RequestID,
		Time:               parseTime(raw.Time),
		PrincipalARN:       in.intern(raw.PrincipalARN),
		PrincipalType:      raw.PrincipalType,
		RoleARN:            raw.RoleARN,
		SessionName:        raw.SessionName,
		SessionTags:        raw.SessionTags,
		Region:             raw.Region,
		API:                raw.API,
		Operation:          raw.Operation,
		Decision:           *raw.Decision,
		Mode:               raw.Mode,
		Reason:             raw.Reason,
		ContextUnknown:     raw.ContextUnknown,
		SessionPolicy:      raw.SessionPolicy,
		SessionPolicyNames: raw.SessionPolicyNames,
		OmittedKeys:        raw.ContextOmittedKeys,
	}
	if len(raw.SessionPolicy) > 0 && !bytes.Equal(raw.SessionPolicy, []byte("null")) {
		r.inlineSession, r.sessionErr = in.sessionPolicy(raw.SessionPolicy)
	}
	if len(raw.Context) > 0 && string(raw.Context) != "null" {
		var ctx ctxMap
		if err := ctx.decode(raw.Context, in); err != nil {
			return nil, err
		}
		r.hasContext = true
		r.Context, r.ContextMulti = ctx.vals, ctx.multi
	}
	omit := func(field string, n int) {
		if n > 0 {
			if r.Omitted == nil {
				r.Omitted = map[string]int{}
			}
			r.Omitted[field] += n
		}
	}
	omit("context", raw.ContextOmitted)
	omit("evaluations", raw.EvaluationsOmitted)
	omit("authorizations", raw.AuthorizationsOmitted)
	omit("session_policy", raw.SessionPolicyOmitted)
	for _, a := range raw.Authorizations {
		omit("resources", a.ResourcesOmitted)
	}

	// The evaluated pairs, then the pairs of the authorizations that come
	// after them (the gateway evaluates permission by permission, resource
	// by resource, and stops at the first pair not allowed).
	r.Pairs = make([]Pair, 0, len(raw.Evaluations))
	for _, e := range raw.Evaluations {
		var keys ctxMap
		if err := keys.decode(e.Keys, in); err != nil {
			return nil, fmt.Errorf("evaluation keys: %w", err)
		}
		var unknown []string
		if e.TagsUnknown {
			unknown = tagsUnknown(e.Resource)
		}
		r.Pairs = append(r.Pairs, Pair{
			Action: e.Action, Resource: e.Resource,
			Keys: keys.vals, Multi: keys.multi,
			Unknown: append(unknown, e.Ambiguous...), Evaluated: true, Decision: e.Decision,
			PassedToService: first(keys.vals[decide.KeyPassedToService]),
		})
	}
	n := 0
	for _, a := range raw.Authorizations {
		resources := a.Resources
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		for _, res := range resources {
			n++
			if n <= len(raw.Evaluations) {
				continue
			}
			r.Pairs = append(r.Pairs, Pair{Action: a.Action, Resource: res, PassedToService: a.PassedToService, Unknown: tagsUnknown(res)})
		}
	}
	return r, nil
}

// tagsUnknown is the unknown prefix of a resource whose tags the record
// does not hold: none for "*" and for a resource type that has no tags in
// AWS either (apimap.TaggableOwner), whose aws:ResourceTag keys are known
// to be absent.
func tagsUnknown(resource string) []string {
	if resource == "*" {
		return nil
	}
	if _, ok := apimap.TaggableOwner(resource); !ok {
		return nil
	}
	return []string{decide.PrefixResourceTag}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// parseTime reads the record's time as the log's encoder wrote it: epoch
// seconds (Caddy's default, a float), or a string in RFC 3339 or the ISO
// 8601 forms of zap's encoders. It returns the zero time otherwise.
func parseTime(b json.RawMessage) time.Time {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return time.Time{}
	}
	if b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return time.Time{}
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006/01/02 15:04:05.000"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t
			}
		}
		return time.Time{}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
