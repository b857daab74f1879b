package module

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/audit"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/decide"
	"github.com/pinpointgw/gateway/destination"
	"github.com/pinpointgw/gateway/forward"
	"github.com/pinpointgw/gateway/lookup"
	"github.com/pinpointgw/gateway/metrics"
	"github.com/pinpointgw/gateway/reqcontext"
)

// Audit decisions beyond authz's Allow, ExplicitDeny and ImplicitDeny.
const (
	decisionUnauthenticated = metrics.DecisionUnauthenticated
	decisionBadRequest      = metrics.DecisionBadRequest
)

// requestState is what the pipeline records about one request, for the
// audit record and the metrics. Each request has its own: nothing in it is
// reused by a later request (a log core may still hold the record's fields).
type requestState struct {
	// st is the store version the request is decided on, loaded once at
	// its start (a store swapped meanwhile serves the next requests).
	st *storeState

	start     time.Time
	requestID string
	proto     awserr.Protocol
	clientIP  string

	identity *authn.Authenticated
	// claimedKeyID is the access key ID an unauthenticated request named.
	claimedKeyID string
	api          string
	op           string
	permissions  []apimap.Permission
	decision     string
	reason       string
	matched      []authz.Match

	// references are the resources AWS uses on the caller's behalf.
	references []apimap.Reference
	// parameters are the request members the mapping read as identifiers.
	parameters []apimap.Parameter
	// destinations are where the request's messages go, as read (numbers
	// parsed, verified destination numbers resolved); unreadable says one
	// of them has no number the gateway could read.
	destinations []destination.Destination
	unreadable   bool
	// quota is what the quota step decided.
	quota quotaOutcome
	// lifecycle is the operation's (apimap.Retired: AWS retired it).
	lifecycle apimap.Lifecycle
	// rule is what mapped the operation (apimap.RuleModel or RuleIAMReference).
	rule string
	// refARNs is scratch: the ARNs of gateway:ReferencedArn.
	refARNs []string
	// evals are the pairs evaluated, in order, with the per-resource keys
	// set for each (a range of pairKeys), for the audit record; the
	// arrays spare the allocations of a request of a few pairs.
	evals      []audit.Evaluation
	pairKeys   []audit.Key
	evalBuf    [1]audit.Evaluation
	pairKeyBuf [4]audit.Key
	// tagLookups counts the request's upstream tag lookups (lookup.MaxTagLookups).
	tagLookups int
	// tagsUnavailable lists ARNs whose resource tags could not be obtained.
	tagsUnavailable []string

	// cond is the request's condition keys (in the state, sparing an
	// allocation of its own).
	cond authz.Context

	// issued is the principal of credentials issued by STS.
	issued *authn.Principal

	// errorCode is the AWS error code the gateway answered ("" when it
	// answered none: a success, or the upstream's own answer).
	errorCode string

	fwd       forward.Exchange
	notifier  changeNotifier // the writer of a forwarded answer (notifyChanges)
	forwarded bool
	work      time.Duration
}

// ServeHTTP authenticates, maps, authorizes and audits the request, then
// forwards it re-signed (allowed, or dry_run) or answers the AWS error.
// STS requests are answered locally. The handler is terminal.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	rs := new(requestState)
	rs.st = g.current()
	rs.start = g.now()
	rs.requestID = newRequestID()
	rs.proto = protocolOf(r)
	rs.clientIP = clientIP(r)

	g.serve(w, r, rs)

	if !rs.forwarded {
		rs.work = g.now().Sub(rs.start)
	}
	g.writeAudit(r, rs)
	g.observe(rs)
	return nil
}

// serve runs the pipeline; the caller audits what it recorded in rs.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, rs *requestState) {
	// 1. The request's shape, then its body, bounded before anything else.
	body, ok := g.admit(w, r, rs)
	if !ok {
		return
	}

	// 2. Who is calling.
	id, ok := g.authenticate(w, r, rs, body)
	if !ok {
		return
	}

	// 3. The local STS.
	if id.Service == "sts" {
		g.serveSTS(w, r, rs, body)
		return
	}

	// 4. What it does.
	res, err := apimap.Map(&apimap.Request{
		Method:   r.Method,
		RawPath:  r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header,
		Body:     body,
		Region:   id.Region,
		Account:  g.Account,
		Service:  id.Service,
	})
	if err != nil {
		g.mapFailed(w, rs, err)
		return
	}
	rs.api, rs.op, rs.permissions = res.API, res.Operation, res.Permissions
	rs.references, rs.parameters = res.References, res.Parameters
	rs.lifecycle, rs.rule = res.Lifecycle, res.Rule
	rs.proto = apiProtocol(res.API)

	// 5. May it, in that region? The region names the upstream host the
	// gateway's credentials go to, so the allow-list holds in every mode,
	// dry_run included.
	if !g.regionAllowed(id.Region) {
		rs.decision = authz.ImplicitDeny.String()
		rs.reason = "region " + id.Region + " is not in the gateway's regions"
		rs.writeError(w, http.StatusForbidden, awserr.AccessDeniedException,
			authz.NotAuthorized(id.Principal.ARN, rs.firstAction(), "", "requests for region "+id.Region+" are not allowed by this gateway"))
		return
	}

	// 6. May it do what it does?
	if denyMsg := g.decide(r, rs, id, res); rs.decision != authz.Allow.String() {
		if !g.dryRun {
			rs.writeError(w, http.StatusForbidden, awserr.AccessDeniedException, denyMsg)
			return
		}
		rs.reason = "would deny: " + denyMsg
	}

	// 7. An operation AWS retired, answered here when so configured.
	if !g.admitRetired(w, rs) {
		return
	}

	// 8. Within its quotas? Only an allowed request uses any.
	if !g.admitQuotas(w, r, rs) {
		return
	}

	// 9. Re-sign and forward.
	g.forward(w, r, rs, id, body)
}

// admit checks the request's shape and reads its body within max_body and
// body_timeout; false means it answered the error.
func (g *Gateway) admit(w http.ResponseWriter, r *http.Request, rs *requestState) ([]byte, bool) {
	if err := checkWire(r); err != nil {
		rs.decision, rs.reason = decisionBadRequest, err.Error()
		rs.writeError(w, http.StatusBadRequest, awserr.BadRequestException, err.Error())
		return nil, false
	}
	if r.ContentLength > g.MaxBody {
		g.tooLarge(w, rs)
		return nil, false
	}
	body, err := g.readBody(w, r)
	switch {
	case err == nil:
		return body, true
	case errors.Is(err, errBodyTooLarge):
		g.tooLarge(w, rs)
	case errors.Is(err, os.ErrDeadlineExceeded):
		rs.decision = decisionBadRequest
		rs.reason = "reading the request body: not received within body_timeout " + time.Duration(g.BodyTimeout).String()
		w.Header().Set("Connection", "close")
		rs.writeError(w, http.StatusRequestTimeout, awserr.RequestTimeoutException,
			"the request body was not received in time")
	default:
		rs.decision, rs.reason = decisionBadRequest, "reading the request body: "+err.Error()
		rs.writeError(w, http.StatusBadRequest, awserr.BadRequestException, "could not read the request body")
	}
	return nil, false
}

// authenticate verifies the request's signature; false means it answered
// the error.
func (g *Gateway) authenticate(w http.ResponseWriter, r *http.Request, rs *requestState, body []byte) (*authn.Authenticated, bool) {
	id, err := rs.st.authn.Authenticate(r, body)
	if err == nil {
		rs.identity = id
		return id, true
	}
	rs.decision = decisionUnauthenticated
	rs.claimedKeyID = claimedAccessKeyID(r)
	var ae *authn.Error
	if errors.As(err, &ae) {
		rs.reason = ae.Message
		rs.writeErrorExact(w, ae.Status(), ae.Code(rs.proto), ae.Message)
		return nil, false
	}
	rs.reason = "authenticating: " + err.Error()
	rs.writeError(w, http.StatusInternalServerError, awserr.InternalFailure, "the request could not be authenticated")
	return nil, false
}

// decide resolves the request's origination identities, reads its
// destinations and authorizes it. It records the decision in rs and returns
// the deny message, "" when it is allowed.
func (g *Gateway) decide(r *http.Request, rs *requestState, id *authn.Authenticated, res *apimap.Result) string {
	if len(res.Unresolved) == 0 || g.resolve(r.Context(), rs, id.Region, res) {
		if msg := g.readDestinations(r.Context(), rs, id, res); msg != "" {
			return msg
		}
		return g.authorize(r, rs, id, res)
	}
	rs.decision = authz.ImplicitDeny.String()
	u := res.Unresolved[0]
	rs.reason = fmt.Sprintf("the %s %q could not be resolved to an ARN", u.Form, u.Value) + rs.reason
	action := rs.firstAction()
	if u.Permission >= 0 && u.Permission < len(res.Permissions) {
		action = res.Permissions[u.Permission].Action
	}
	return authz.NotAuthorized(id.Principal.ARN, action, u.Form+" "+u.Value, "the gateway cannot resolve it to an ARN")
}

// readDestinations reads where the request's messages go into
// rs.destinations. A verified destination number that cannot be resolved
// to its phone number denies the request (the returned message); any
// other destination without a readable number only marks rs.unreadable,
// which denies a pair whose applicable statements read a destination key.
func (g *Gateway) readDestinations(ctx context.Context, rs *requestState, id *authn.Authenticated, res *apimap.Result) string {
	if len(res.Destinations) == 0 {
		return ""
	}
	rs.destinations = destination.Read(res.Destinations, func(d apimap.Destination) (string, error) {
		if g.resolver == nil {
			return "", errors.New("resource_tags lookup is not configured")
		}
		return g.resolver.VerifiedNumber(ctx, id.Region, d.Value)
	})
	for i := range rs.destinations {
		d := &rs.destinations[i]
		if d.Err == nil {
			continue
		}
		rs.unreadable = true
		if d.Form == apimap.DestinationVerifiedID {
			rs.decision = authz.ImplicitDeny.String()
			rs.reason = "the destination " + d.Member + " could not be resolved: " + d.Err.Error()
			return authz.NotAuthorized(id.Principal.ARN, rs.firstAction(), d.Form+" "+d.Value, "the gateway cannot resolve it to a phone number")
		}
	}
	return ""
}

// tooLarge answers 413.
func (g *Gateway) tooLarge(w http.ResponseWriter, rs *requestState) {
	rs.decision = decisionBadRequest
	rs.reason = "request body larger than max_body " + strconv.FormatInt(g.MaxBody, 10)
	w.Header().Set("Connection", "close")
	rs.writeError(w, http.StatusRequestEntityTooLarge, awserr.PayloadTooLargeException,
		"Request body exceeds the maximum size of "+strconv.FormatInt(g.MaxBody, 10)+" bytes")
}

// mapFailed answers a request apimap could not map.
func (g *Gateway) mapFailed(w http.ResponseWriter, rs *requestState, err error) {
	var me *apimap.Error
	if !errors.As(err, &me) {
		rs.decision, rs.reason = decisionBadRequest, "mapping: "+err.Error()
		rs.writeError(w, http.StatusBadRequest, awserr.BadRequestException, err.Error())
		return
	}
	switch me.Kind {
	case apimap.UnknownOperation:
		// Default deny: what the gateway cannot name, it does not allow.
		rs.decision, rs.reason = authz.ImplicitDeny.String(), "unknown operation: "+me.Msg
		rs.writeError(w, http.StatusForbidden, awserr.AccessDeniedException,
			authz.NotAuthorizedUnknown(rs.identity.Principal.ARN, me.Msg))
	case apimap.UnmodeledOperation:
		// An operation newer than the models whose resources the gateway
		// cannot locate: denied, saying why.
		rs.decision, rs.reason = authz.ImplicitDeny.String(), "unmodeled operation: "+me.Msg
		rs.writeError(w, http.StatusForbidden, awserr.AccessDeniedException,
			authz.NotAuthorizedUnmodeled(rs.identity.Principal.ARN, me.Msg))
	case apimap.ServiceMismatch:
		rs.decision, rs.reason = decisionUnauthenticated, "credential scope: "+me.Msg
		rs.writeErrorExact(w, http.StatusForbidden, invalidSignatureCode(rs.proto),
			"Credential should be scoped to the correct service: "+me.Msg)
	default:
		rs.decision, rs.reason = decisionBadRequest, me.Msg
		rs.writeError(w, http.StatusBadRequest, awserr.BadRequestException, me.Msg)
	}
}

func invalidSignatureCode(p awserr.Protocol) string {
	if p == awserr.Query {
		return awserr.SignatureDoesNotMatch
	}
	return awserr.InvalidSignatureException
}

// apiProtocol is the wire protocol of an apimap API.
func apiProtocol(api string) awserr.Protocol {
	if api == apimap.APISMSVoiceV2 {
		return awserr.JSON
	}
	return awserr.RESTJSON
}

// firstAction is the request's first IAM action (its operation's), for
// messages; api:Operation when it maps to none.
func (rs *requestState) firstAction() string {
	if len(rs.permissions) > 0 {
		return rs.permissions[0].Action
	}
	return rs.api + ":" + rs.op
}

// regionAllowed applies the regions allow-list, or, without one, admits
// the regions of the gateway's partition.
func (g *Gateway) regionAllowed(region string) bool {
	if g.regions != nil {
		return g.regions[region]
	}
	p, ok := apimap.Partition(region)
	return ok && p == g.partition
}

// resolve replaces the provisional ARNs of res; false means they remain
// unresolved and the request is denied (rs.reason then says why).
func (g *Gateway) resolve(ctx context.Context, rs *requestState, region string, res *apimap.Result) bool {
	if g.resolver == nil {
		rs.reason = " (resource_tags lookup is not configured)"
		return false
	}
	if err := g.resolver.Resolve(ctx, region, res); err != nil {
		rs.reason = ": " + err.Error()
		return false
	}
	return len(res.Unresolved) == 0
}

// authorize evaluates every action/resource pair; all must be allowed.
// It records the decision in rs and returns the AWS deny message when the
// request is not allowed. iam:PassedToService is set for the pairs of an
// iam:PassRole permission.
func (g *Gateway) authorize(r *http.Request, rs *requestState, id *authn.Authenticated, res *apimap.Result) string {
	p := id.Principal
	c := &rs.cond
	g.buildContext(c, r, rs, id, res)
	in := &authz.Input{
		Principal:        p.AuthzPrincipal(),
		Context:          c,
		IdentityPolicies: p.IdentityPolicies,
		Boundary:         p.Boundary,
		SessionPolicies:  p.SessionPolicies,
		Guardrails:       rs.st.store.Guardrails(),
	}

	if len(res.Permissions) == 0 {
		rs.decision, rs.reason = authz.ImplicitDeny.String(), "the operation maps to no action"
		return authz.NotAuthorized(p.ARN, res.API+":"+res.Operation, "", "")
	}
	rs.tagLookups = 0
	for i := range res.Permissions {
		a := &res.Permissions[i]
		resources := a.Resources
		if len(resources) == 0 {
			resources = anyResource
		}
		for _, arn := range resources {
			if msg := g.authorizePair(r.Context(), rs, p.ARN, in, a.Action, a.PassedToService, arn); msg != "" {
				return msg
			}
		}
	}
	rs.decision = authz.Allow.String()
	return ""
}

// evaluate is the evaluation of one pair (authz.Evaluate); tests observe
// the inputs through it.
var evaluate = authz.Evaluate

// authorizePair evaluates one action on one resource ("*" for none), with
// the resource's keys set for that evaluation only: aws:ResourceAccount (and
// aws:ResourceOrgID), iam:PassedToService (passedTo, of an iam:PassRole
// permission) and its tags. It returns the deny message, "" for an
// allow, and records the evaluation (rs.evals). A pair is denied when a
// policy statement that can apply to its action reads keys the gateway
// does not know (decide.Undecidable): the per-destination keys of a
// request with an unreadable destination, the resource tags when they are
// unknown (see lookup.TagStatus) or ambiguous (keys that differ only in
// case). The gateway decides nothing on information it lacks.
func (g *Gateway) authorizePair(ctx context.Context, rs *requestState, principal string, in *authz.Input, action, passedTo, resource string) string {
	in.Action, in.Resource, in.ResourcePolicy = action, resource, nil
	if resource != "*" {
		in.ResourcePolicy = rs.st.store.ResourcePolicy(resource)
	}
	c := in.Context
	e := rs.beginEvaluation(action, resource)
	from := len(rs.pairKeys)
	if rs.unreadable {
		if _, ok := decide.Undecidable(in, decide.UnknownDestinations); ok {
			return g.denyUndecidable(rs, e, from, c, principal, action, resource, "a destination of the request has no phone number the gateway can read")
		}
	}
	if passedTo != "" {
		rs.setPairKey(c, keyPassedToService, passedTo)
	}
	acct, org := decide.ResourceKeys(resource, g.Account, g.OrgID)
	if acct != "" {
		rs.setPairKey(c, keyResourceAccount, acct)
	}
	if org != "" {
		rs.setPairKey(c, keyResourceOrgID, org)
	}
	if resource != "*" {
		if why := g.setResourceTags(ctx, rs, in, e, from); why != "" {
			return g.denyUndecidable(rs, e, from, c, principal, action, resource, why)
		}
	}
	result := evaluate(in)
	rs.endEvaluation(e, from, c, result.Decision)
	if rs.matched == nil {
		rs.matched = result.Matched // the caller's own: no copy
	} else {
		rs.matched = append(rs.matched, result.Matched...)
	}
	if result.Decision != authz.Allow {
		rs.decision = result.Decision.String()
		msg := authz.DenyMessage(principal, action, resource, result)
		rs.reason = msg
		return msg
	}
	return ""
}

// beginEvaluation records a pair about to be evaluated; the pointer is
// valid until the next one.
func (rs *requestState) beginEvaluation(action, resource string) *audit.Evaluation {
	if rs.evals == nil {
		rs.evals = rs.evalBuf[:0]
	}
	rs.evals = append(rs.evals, audit.Evaluation{Action: action, Resource: resource})
	return &rs.evals[len(rs.evals)-1]
}

// setPairKey sets a per-resource key of the pair being evaluated, and
// records it for the audit record.
func (rs *requestState) setPairKey(c *authz.Context, key, value string) {
	if rs.pairKeys == nil {
		rs.pairKeys = rs.pairKeyBuf[:0]
	}
	c.SetLower(key, value)
	rs.pairKeys = append(rs.pairKeys, audit.Key{Name: key, Value: value})
}

// endEvaluation removes the pair's keys (pairKeys[from:]) from c and
// records them and the decision in e. The keys stay where they are:
// later appends may move pairKeys, never change what e.Keys holds.
func (rs *requestState) endEvaluation(e *audit.Evaluation, from int, c *authz.Context, d authz.Decision) {
	keys := rs.pairKeys[from:len(rs.pairKeys):len(rs.pairKeys)]
	for _, k := range keys {
		c.DeleteLower(k.Name)
	}
	if len(keys) > 0 {
		e.Keys = keys
	}
	e.Decision = d
}

// setResourceTags sets the aws:ResourceTag/ keys of in's resource (in
// rs.pairKeys, whose keys of this pair start at from) and records in e
// what is unknown of them. It returns why
// the pair cannot be decided when the tags are unknown or ambiguous and
// an applicable statement reads them, else "".
func (g *Gateway) setResourceTags(ctx context.Context, rs *requestState, in *authz.Input, e *audit.Evaluation, from int) string {
	c := in.Context
	tags, status := rs.st.tags.ResourceTags(ctx, in.Resource, in, &rs.tagLookups)
	// Not known to the record: tags the source did not give, whether
	// unknown or not needed (no statement read them).
	e.TagsUnknown = status != lookup.TagsKnown
	if status.Unknown() {
		if status == lookup.TagsUnavailable {
			rs.tagsUnavailable = append(rs.tagsUnavailable, in.Resource)
		}
		if _, ok := decide.Undecidable(in, decide.UnknownResourceTags); ok {
			if status != lookup.TagsUnavailable {
				rs.tagsUnavailable = append(rs.tagsUnavailable, in.Resource)
			}
			return "the resource tags are unknown: " + status.Why()
		}
	}
	var ambiguous []string
	for k, v := range tags {
		key := prefixResourceTag + strings.ToLower(k)
		if _, _, dup := c.LookupLower(key); dup {
			// Two keys that differ only in case: which value would be
			// set is map order, not a rule.
			ambiguous = append(ambiguous, key)
			continue
		}
		rs.setPairKey(c, key, v)
	}
	if ambiguous == nil {
		return ""
	}
	// Absent, whatever the decision (and not in the record's keys).
	kept := rs.pairKeys[:from]
	for _, k := range rs.pairKeys[from:] {
		if slices.Contains(ambiguous, k.Name) {
			c.DeleteLower(k.Name)
			continue
		}
		kept = append(kept, k)
	}
	rs.pairKeys = kept
	e.Ambiguous = ambiguous
	if key, ok := decide.Undecidable(in, ambiguous); ok {
		return "the resource tags are ambiguous: keys that differ only in case (" + key[len(prefixResourceTag):] + ")"
	}
	return ""
}

// denyUndecidable records and returns the deny of a pair the gateway
// cannot decide for lack of information.
func (g *Gateway) denyUndecidable(rs *requestState, e *audit.Evaluation, from int, c *authz.Context, principal, action, resource, why string) string {
	rs.endEvaluation(e, from, c, authz.ImplicitDeny)
	msg := authz.NotAuthorized(principal, action, resource, "the gateway cannot decide: "+why)
	rs.decision, rs.reason = authz.ImplicitDeny.String(), msg
	return msg
}

var anyResource = []string{"*"}

// The condition keys the pipeline sets beside reqcontext's global ones,
// lower-cased: authz treats key names case-insensitively and lower-case
// names spare it a conversion per key.
const (
	keyResourceAccount = decide.KeyResourceAccount
	keyResourceOrgID   = decide.KeyResourceOrgID
	keyPassedToService = decide.KeyPassedToService
	keyReferencedArn   = "gateway:referencedarn"
	prefixResourceTag  = decide.PrefixResourceTag
)

// buildContext sets the global condition keys, the principal's tags and the
// request's tags (reqcontext), gateway:ReferencedArn and the destination
// keys (destination). Resource keys are set per resource.
func (g *Gateway) buildContext(c *authz.Context, r *http.Request, rs *requestState, id *authn.Authenticated, res *apimap.Result) {
	caller := id.Principal.ContextPrincipal(g.OrgID) // the store's principals are of the gateway's account
	reqcontext.Set(c, &caller, &reqcontext.Request{
		SourceIP:        rs.clientIP,
		UserAgent:       r.Header.Get("User-Agent"),
		SecureTransport: r.TLS != nil,
		Region:          id.Region,
		Now:             g.now(),
		Tags:            res.RequestTags,
		TagKeys:         res.TagKeys,
	})
	if len(res.References) > 0 {
		arns := rs.refARNs[:0]
		for i := range res.References {
			arns = append(arns, res.References[i].ARN)
		}
		c.SetMulti(keyReferencedArn, arns)
		clear(arns)
		rs.refARNs = arns
	}
	destination.SetContext(c, rs.destinations)
}

// clientIP is the client address as Caddy determined it (honouring the
// server's trusted_proxies), else the connection's remote address.
func clientIP(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// observe updates the metrics of a finished request.
func (g *Gateway) observe(rs *requestState) {
	action := ""
	if len(rs.permissions) > 0 {
		action = rs.permissions[0].Action
	}
	g.metrics.Decision(rs.api, action, rs.decision)
	if rs.lifecycle == apimap.Retired && rs.identity != nil {
		g.metrics.RetiredCall(rs.api, action, rs.decision)
	}
	g.metrics.ObserveWork(rs.api, rs.work)
}

// claimedAccessKeyID returns the access key ID of the request's (unverified)
// credential, for the audit record of a failed authentication. It is an
// identifier, not a secret; overlong values are cut.
func claimedAccessKeyID(r *http.Request) string {
	id, _, _ := strings.Cut(credentialOf(r), "/")
	if len(id) > 128 {
		id = id[:128]
	}
	return id
}

// newRequestID returns a random UUID (version 4), the shape of AWS request
// IDs. It needs to be unique, not secret.
func newRequestID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
