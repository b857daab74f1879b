package module

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

// Audit decisions beyond authz's Allow, ExplicitDeny and ImplicitDeny.
const (
	decisionUnauthenticated = "Unauthenticated"
	decisionBadRequest      = "BadRequest"
)

// requestState is what the pipeline records about one request, for the
// audit record and the metrics. Each request has its own: nothing in it is
// reused by a later request (a log core may still hold the record's fields).
type requestState struct {
	start     time.Time
	requestID string
	proto     protocol
	clientIP  string

	identity *authn.Identity
	// claimedKeyID is the access key ID an unauthenticated request named.
	claimedKeyID string
	api          string
	op           string
	auths        []apimap.Authorization
	decision     string
	reason       string
	matched      []authz.Match

	// references are the resources AWS uses on the caller's behalf.
	references []apimap.Reference
	// refARNs and tagKeys are scratch: the ARNs of gateway:ReferencedArn,
	// the resource tag keys set for one pair.
	refARNs []string
	tagKeys []string
	// tagLookups counts the request's upstream tag lookups (maxTagLookups).
	tagLookups int
	// tagsUnavailable lists ARNs whose resource tags could not be obtained.
	tagsUnavailable []string

	// issued is the principal of credentials issued by STS.
	issued *authn.Principal

	fields []zap.Field // the audit record's fields

	fwd       forwardState
	forwarded bool
	work      time.Duration
}

// auditFields is room for the fields of a typical audit record: writeAudit
// then appends without growing the slice.
const auditFields = 20

// newRequestState returns the state of a new request.
func newRequestState() *requestState {
	return &requestState{fields: make([]zap.Field, 0, auditFields)}
}

// ServeHTTP authenticates, maps, authorizes and audits the request, then
// forwards it re-signed (allowed, or dry_run) or answers the AWS error.
// STS requests are answered locally. The handler is terminal.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	rs := newRequestState()
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
	if err := checkWire(r); err != nil {
		rs.decision, rs.reason = decisionBadRequest, err.Error()
		writeError(w, rs.proto, http.StatusBadRequest, codeBadRequest, err.Error(), rs.requestID)
		return
	}
	if r.ContentLength > g.MaxBody {
		g.tooLarge(w, rs)
		return
	}
	body, err := g.readBody(w, r)
	if err != nil {
		switch {
		case errors.Is(err, errBodyTooLarge):
			g.tooLarge(w, rs)
		case errors.Is(err, os.ErrDeadlineExceeded):
			rs.decision = decisionBadRequest
			rs.reason = "reading the request body: not received within body_timeout " + time.Duration(g.BodyTimeout).String()
			w.Header().Set("Connection", "close")
			writeError(w, rs.proto, http.StatusRequestTimeout, codeRequestTimeout,
				"the request body was not received in time", rs.requestID)
		default:
			rs.decision, rs.reason = decisionBadRequest, "reading the request body: "+err.Error()
			writeError(w, rs.proto, http.StatusBadRequest, codeBadRequest, "could not read the request body", rs.requestID)
		}
		return
	}

	// 2. Who is calling.
	id, err := g.authn.Authenticate(r, body)
	if err != nil {
		rs.decision = decisionUnauthenticated
		rs.claimedKeyID = claimedAccessKeyID(r)
		var ae *authn.Error
		if errors.As(err, &ae) {
			rs.reason = ae.Message
			writeAuthnError(w, rs.proto, ae, rs.requestID)
			return
		}
		rs.reason = "authenticating: " + err.Error()
		writeError(w, rs.proto, http.StatusInternalServerError, codeInternal, "the request could not be authenticated", rs.requestID)
		return
	}
	rs.identity = id

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
	rs.api, rs.op, rs.auths = res.API, res.Operation, res.Authorizations
	rs.references = res.References
	rs.proto = apiProtocol(res.API)

	// 5. May it, in that region? The region names the upstream host the
	// gateway's credentials go to, so the allow-list holds in every mode,
	// dry_run included.
	if !g.regionAllowed(id.Region) {
		rs.decision = authz.ImplicitDeny.String()
		rs.reason = "region " + id.Region + " is not in the gateway's regions"
		writeError(w, rs.proto, http.StatusForbidden, codeAccessDenied,
			fmt.Sprintf("User: %s is not authorized to perform: %s because requests for region %s are not allowed by this gateway",
				id.Principal.ARN, firstAction(res), id.Region), rs.requestID)
		return
	}
	denyMsg := ""
	if len(res.Unresolved) > 0 && !g.resolve(r.Context(), rs, id.Region, res) {
		rs.decision = authz.ImplicitDeny.String()
		u := res.Unresolved[0]
		rs.reason = fmt.Sprintf("the %s %q could not be resolved to an ARN", u.Kind, u.Value) + rs.reason
		action := firstAction(res)
		if u.Authorization >= 0 && u.Authorization < len(res.Authorizations) {
			action = res.Authorizations[u.Authorization].Action
		}
		denyMsg = fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s because the gateway cannot resolve it to an ARN",
			id.Principal.ARN, action, u.Kind, u.Value)
	} else {
		denyMsg = g.authorize(r, rs, id, res)
	}

	if rs.decision != authz.Allow.String() {
		if !g.dryRun {
			writeError(w, rs.proto, http.StatusForbidden, codeAccessDenied, denyMsg, rs.requestID)
			return
		}
		rs.reason = "would deny: " + denyMsg
	}

	// 6. Re-sign and forward.
	g.forward(w, r, rs, id, body)
}

// tooLarge answers 413.
func (g *Gateway) tooLarge(w http.ResponseWriter, rs *requestState) {
	rs.decision = decisionBadRequest
	rs.reason = "request body larger than max_body " + strconv.FormatInt(g.MaxBody, 10)
	w.Header().Set("Connection", "close")
	writeError(w, rs.proto, http.StatusRequestEntityTooLarge, codePayloadTooLarge,
		"Request body exceeds the maximum size of "+strconv.FormatInt(g.MaxBody, 10)+" bytes", rs.requestID)
}

// mapFailed answers a request apimap could not map.
func (g *Gateway) mapFailed(w http.ResponseWriter, rs *requestState, err error) {
	var me *apimap.Error
	if !errors.As(err, &me) {
		rs.decision, rs.reason = decisionBadRequest, "mapping: "+err.Error()
		writeError(w, rs.proto, http.StatusBadRequest, codeBadRequest, err.Error(), rs.requestID)
		return
	}
	switch me.Kind {
	case apimap.UnknownOperation:
		// Default deny: what the gateway cannot name, it does not allow.
		rs.decision, rs.reason = authz.ImplicitDeny.String(), "unknown operation: "+me.Msg
		writeError(w, rs.proto, http.StatusForbidden, codeAccessDenied,
			fmt.Sprintf("User: %s is not authorized to perform this operation: the gateway does not recognize it (%s)", rs.identity.Principal.ARN, me.Msg),
			rs.requestID)
	case apimap.ServiceMismatch:
		rs.decision, rs.reason = decisionUnauthenticated, "credential scope: "+me.Msg
		writeErrorCode(w, rs.proto, http.StatusForbidden, invalidSignatureCode(rs.proto),
			"Credential should be scoped to the correct service: "+me.Msg, rs.requestID)
	default:
		rs.decision, rs.reason = decisionBadRequest, me.Msg
		writeError(w, rs.proto, http.StatusBadRequest, codeBadRequest, me.Msg, rs.requestID)
	}
}

func invalidSignatureCode(p protocol) string {
	if p == protoQuery {
		return "SignatureDoesNotMatch"
	}
	return "InvalidSignatureException"
}

// apiProtocol is the wire protocol of an apimap API.
func apiProtocol(api string) protocol {
	if api == apimap.APISMSVoiceV2 {
		return protoJSON
	}
	return protoRESTJSON
}

func firstAction(res *apimap.Result) string {
	if len(res.Authorizations) > 0 {
		return res.Authorizations[0].Action
	}
	return res.API + ":" + res.Operation
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
// request is not allowed.
//
// Per pair it sets aws:ResourceAccount (and aws:ResourceOrgID), the
// resource's tags, and iam:PassedToService for iam:PassRole. A pair whose
// resource tags are unknown (see tagStatus) or ambiguous (keys that differ
// only in case) is denied when a policy statement that can apply to its
// action reads them: the gateway decides nothing on information it lacks.
func (g *Gateway) authorize(r *http.Request, rs *requestState, id *authn.Identity, res *apimap.Result) string {
	p := id.Principal
	cc := &condContext{c: authz.NewContext()}
	g.buildContext(cc, r, rs, id, res)

	in := &authz.Input{
		Principal:  p.AuthzPrincipal(),
		Context:    cc.c,
		Identity:   p.Identity,
		Boundary:   p.Boundary,
		Session:    p.SessionPolicies,
		Guardrails: g.store.Guardrails(),
	}

	if len(res.Authorizations) == 0 {
		rs.decision, rs.reason = authz.ImplicitDeny.String(), "the operation maps to no action"
		return authz.NotAuthorized(p.ARN, res.API+":"+res.Operation, "", "")
	}
	rs.tagLookups = 0
	for _, a := range res.Authorizations {
		resources := a.Resources
		if len(resources) == 0 {
			resources = anyResource
		}
		if a.PassedToService != "" {
			cc.set(keyPassedToService, a.PassedToService)
		}
		for _, arn := range resources {
			in.Action, in.Resource, in.ResourcePolicy = a.Action, arn, nil
			tagKeys := rs.tagKeys[:0]
			var ambiguous []string
			if arn != "*" {
				in.ResourcePolicy = g.store.ResourcePolicy(arn)
				if acct := arnAccount(arn); acct != "" {
					cc.set(keyResourceAccount, acct)
					if g.OrgID != "" && acct == g.Account {
						cc.set(keyResourceOrgID, g.OrgID)
					}
				}
				tags, status := g.tags.ResourceTags(r.Context(), arn, in, &rs.tagLookups)
				if status.unknown() {
					if status == tagsUnavailable {
						rs.tagsUnavailable = append(rs.tagsUnavailable, arn)
					}
					if authz.AnyApplicableReferencesKeyPrefix(in, prefixResourceTag) {
						if status != tagsUnavailable {
							rs.tagsUnavailable = append(rs.tagsUnavailable, arn)
						}
						return g.denyUndecidable(rs, p.ARN, a.Action, arn, "the resource tags are unknown: "+status.why())
					}
				}
				for k, v := range tags {
					key := prefixResourceTag + strings.ToLower(k)
					if _, _, dup := cc.c.LookupLower(key); dup {
						// Two keys that differ only in case: which value
						// would be set is map order, not a rule.
						ambiguous = append(ambiguous, key)
						continue
					}
					cc.c.SetLower(key, v)
					tagKeys = append(tagKeys, key)
				}
			}
			for _, key := range ambiguous {
				cc.c.DeleteLower(key) // absent, whatever the decision
			}
			for _, key := range ambiguous {
				if authz.AnyApplicableReferencesKeyPrefix(in, key) {
					rs.tagKeys = tagKeys
					return g.denyUndecidable(rs, p.ARN, a.Action, arn,
						"the resource tags are ambiguous: keys that differ only in case ("+key[len(prefixResourceTag):]+")")
				}
			}
			result := authz.Evaluate(in)
			for _, key := range tagKeys {
				cc.c.DeleteLower(key)
			}
			rs.tagKeys = tagKeys
			if arn != "*" {
				cc.c.DeleteLower(keyResourceAccount)
				cc.c.DeleteLower(keyResourceOrgID)
			}
			if rs.matched == nil {
				rs.matched = result.Matched // the caller's own: no copy
			} else {
				rs.matched = append(rs.matched, result.Matched...)
			}
			if result.Decision != authz.Allow {
				rs.decision = result.Decision.String()
				msg := authz.DenyMessage(p.ARN, a.Action, arn, result)
				rs.reason = msg
				return msg
			}
		}
		if a.PassedToService != "" {
			cc.c.DeleteLower(keyPassedToService)
		}
	}
	rs.decision = authz.Allow.String()
	return ""
}

// denyUndecidable records and returns the deny of a pair the gateway
// cannot decide for lack of information.
func (g *Gateway) denyUndecidable(rs *requestState, principal, action, arn, why string) string {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because the gateway cannot decide: %s",
		principal, action, arn, why)
	rs.decision, rs.reason = authz.ImplicitDeny.String(), msg
	return msg
}

// arnAccount returns the account field of an ARN
// (arn:partition:service:region:account:resource), "" when it has none
// (S3 buckets) or arn is not an ARN.
func arnAccount(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return ""
	}
	for range 3 { // partition, service, region
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return ""
	}
	return rest[:i]
}

var anyResource = []string{"*"}

// Condition keys, lower-cased: authz treats key names case-insensitively
// and lower-case names spare it a conversion per key.
const (
	keyPrincipalArn      = "aws:principalarn"
	keyPrincipalAccount  = "aws:principalaccount"
	keyPrincipalType     = "aws:principaltype"
	keyPrincipalIsAWSSvc = "aws:principalisawsservice"
	keyViaAWSService     = "aws:viaawsservice"
	keyUserID            = "aws:userid"
	keyUsername          = "aws:username"
	keySourceIdentity    = "aws:sourceidentity"
	keyTokenIssueTime    = "aws:tokenissuetime"
	keyMultiFactorAuth   = "aws:multifactorauthpresent"
	keySourceIP          = "aws:sourceip"
	keySecureTransport   = "aws:securetransport"
	keyCurrentTime       = "aws:currenttime"
	keyEpochTime         = "aws:epochtime"
	keyRequestedRegion   = "aws:requestedregion"
	keyUserAgent         = "aws:useragent"
	keyTagKeys           = "aws:tagkeys"
	keyResourceAccount   = "aws:resourceaccount"
	keyPrincipalOrgID    = "aws:principalorgid"
	keyResourceOrgID     = "aws:resourceorgid"
	keyPassedToService   = "iam:passedtoservice"
	keyReferencedArn     = "gateway:referencedarn"
	prefixPrincipalTag   = "aws:principaltag/"
	prefixRequestTag     = "aws:requesttag/"
	prefixResourceTag    = "aws:resourcetag/"
)

// condContext is the request's condition keys, set under their
// lower-cased names.
type condContext struct {
	c *authz.Context
}

// set sets a single-valued key, already lower-cased.
func (cc *condContext) set(key, value string) { cc.c.SetLower(key, value) }

// buildContext sets the global condition keys (README, Condition keys), the principal's
// tags and the request's tags. Resource tags are set per resource.
func (g *Gateway) buildContext(cc *condContext, r *http.Request, rs *requestState, id *authn.Identity, res *apimap.Result) {
	p := id.Principal
	if p.RoleARN != "" {
		// For role sessions aws:PrincipalArn is the role's ARN, as in AWS.
		cc.set(keyPrincipalArn, p.RoleARN)
	} else {
		cc.set(keyPrincipalArn, p.ARN)
	}
	cc.set(keyPrincipalAccount, p.Account)
	cc.set(keyPrincipalType, p.Type)
	cc.set(keyPrincipalIsAWSSvc, "false")
	cc.set(keyViaAWSService, "false")
	if p.UserID != "" {
		cc.set(keyUserID, p.UserID)
	}
	if p.Username != "" {
		cc.set(keyUsername, p.Username)
	}
	for k, v := range p.Tags {
		cc.set(prefixPrincipalTag+strings.ToLower(k), v)
	}
	if p.SourceIdentity != "" {
		cc.set(keySourceIdentity, p.SourceIdentity)
	}
	if !p.IssuedAt.IsZero() {
		// Temporary credentials: AWS sets these; long-term keys have neither.
		cc.set(keyTokenIssueTime, p.IssuedAt.UTC().Format(time.RFC3339))
		cc.set(keyMultiFactorAuth, "false")
	}
	cc.set(keySourceIP, rs.clientIP)
	if r.TLS != nil {
		cc.set(keySecureTransport, "true")
	} else {
		cc.set(keySecureTransport, "false")
	}
	ts := currentTimes(g.now())
	cc.set(keyCurrentTime, ts.rfc3339)
	cc.set(keyEpochTime, ts.epoch)
	cc.set(keyRequestedRegion, id.Region)
	if ua := r.Header.Get("User-Agent"); ua != "" {
		cc.set(keyUserAgent, ua)
	}
	for k, v := range res.RequestTags {
		cc.set(prefixRequestTag+strings.ToLower(k), v)
	}
	if res.TagKeys != nil {
		cc.c.SetMulti(keyTagKeys, res.TagKeys)
	}
	if g.OrgID != "" {
		// The store's principals are of the gateway's account.
		cc.set(keyPrincipalOrgID, g.OrgID)
	}
	if len(res.References) > 0 {
		arns := rs.refARNs[:0]
		for i := range res.References {
			arns = append(arns, res.References[i].ARN)
		}
		cc.c.SetMulti(keyReferencedArn, arns)
		clear(arns)
		rs.refARNs = arns
	}
}

// timeStrings are aws:CurrentTime and aws:EpochTime of one second.
type timeStrings struct {
	unix    int64
	rfc3339 string
	epoch   string
}

var lastTimes atomic.Pointer[timeStrings]

// currentTimes formats now once per second.
func currentTimes(now time.Time) *timeStrings {
	unix := now.Unix()
	if ts := lastTimes.Load(); ts != nil && ts.unix == unix {
		return ts
	}
	ts := &timeStrings{unix: unix, rfc3339: now.UTC().Format(time.RFC3339), epoch: strconv.FormatInt(unix, 10)}
	lastTimes.Store(ts)
	return ts
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

// serveSTS answers a request signed for sts with the local STS.
func (g *Gateway) serveSTS(w http.ResponseWriter, r *http.Request, rs *requestState, body []byte) {
	rs.proto = protoQuery
	rs.api = apiSTS
	form := r.URL.Query()
	if len(body) > 0 {
		bf, err := url.ParseQuery(string(body))
		if err != nil {
			rs.decision, rs.reason = decisionBadRequest, "STS form body: "+err.Error()
			writeErrorCode(w, protoQuery, http.StatusBadRequest, "MalformedInput", "the request body is not a valid form", rs.requestID)
			return
		}
		for k, v := range bf {
			form[k] = append(form[k], v...)
		}
	}
	resp := g.authn.HandleSTS(&authn.STSRequest{
		Identity:        rs.identity,
		Form:            form,
		SourceIP:        rs.clientIP,
		UserAgent:       r.Header.Get("User-Agent"),
		SecureTransport: r.TLS != nil,
		RequestID:       rs.requestID,
	})
	rs.op = resp.Action
	if resp.Action != "" {
		a := apimap.Authorization{Action: "sts:" + resp.Action}
		if role := form.Get("RoleArn"); role != "" && resp.Action == "AssumeRole" {
			a.Resources = []string{role}
		}
		rs.auths = []apimap.Authorization{a}
	}
	rs.matched = append(rs.matched, resp.Matched...)
	rs.reason = resp.Reason
	rs.issued = resp.Session
	switch {
	case resp.Status < 400:
		rs.decision = authz.Allow.String()
	case resp.Decision != authz.Allow:
		rs.decision = resp.Decision.String()
	default:
		rs.decision = decisionBadRequest
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-Requestid", rs.requestID)
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// forward re-signs the authorized body with the upstream credentials and
// proxies it to the API's endpoint for the requested region.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, rs *requestState, id *authn.Identity, body []byte) {
	fs := &rs.fwd
	fs.requestID = rs.requestID
	fs.proto = rs.proto
	fs.timeout = time.Duration(g.UpstreamTimeout)

	tmpl := g.endpoints[rs.api]
	if tmpl == nil {
		g.upstreamFailed(w, rs, msgUpstreamFailed, errors.New("no upstream endpoint for API "+rs.api), "error")
		return
	}
	target, err := tmpl.target(id.Region, g.dnsSuffix)
	if err != nil {
		g.upstreamFailed(w, rs, msgUpstreamFailed, err, "error")
		return
	}

	creds, err := g.creds.Retrieve(r.Context())
	if err != nil {
		// The chain's error may name files, profiles and metadata
		// endpoints: the audit record has it, the client a summary.
		g.upstreamFailed(w, rs, "the gateway cannot forward the request: it has no upstream AWS credentials; its audit record says why",
			err, "credentials")
		return
	}
	fs.creds = creds
	fs.target = target
	fs.signingName = apimap.SigningName(rs.api)
	fs.region = id.Region
	fs.body = body
	fs.payloadHash = id.PayloadHash // hashed once, while verifying the signature

	rs.forwarded = true
	rs.work = g.now().Sub(rs.start)
	if vars, ok := r.Context().Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
		// Under Caddy: the request's variables carry the state to the
		// proxy hooks, sparing a copy of the request.
		vars[forwardVar] = fs
		g.proxy.ServeHTTP(w, r)
		delete(vars, forwardVar)
	} else {
		g.proxy.ServeHTTP(w, r.WithContext(&forwardContext{Context: r.Context(), st: fs}))
	}
	rs.work += fs.signDuration
	if n, ok := g.tags.(tagChangeObserver); ok && upstreamMayHaveActed(fs.upstreamStatus) {
		n.Changed(rs.api, rs.op, rs.auths, fs.upstreamStatus >= 200 && fs.upstreamStatus < 300)
	}
	if fs.upstreamErr != nil {
		kind := "error"
		if fs.upstreamStatus == http.StatusGatewayTimeout {
			kind = "timeout"
		}
		g.metrics.upstreamErrors.WithLabelValues(kind).Inc()
	}
}

// upstreamMayHaveActed reports whether a forwarded request's upstream may
// have carried it out: a 2xx, and also a 5xx, a timeout or a transport
// error (the gateway's 502/504), after which the outcome is unknown. A 4xx
// is the upstream's refusal.
func upstreamMayHaveActed(status int) bool {
	return status >= 200 && status < 300 || status >= 500 || status == 0
}

// upstreamFailed answers 502 to a failure to forward before any round
// trip: msg to the client, the detail to the audit record.
func (g *Gateway) upstreamFailed(w http.ResponseWriter, rs *requestState, msg string, detail error, kind string) {
	rs.fwd.upstreamStatus = http.StatusBadGateway
	rs.fwd.upstreamErr = detail
	g.metrics.upstreamErrors.WithLabelValues(kind).Inc()
	writeError(w, rs.proto, http.StatusBadGateway, codeBadGateway, msg+" (request ID "+rs.requestID+")", rs.requestID)
}

// observe updates the metrics of a finished request.
func (g *Gateway) observe(rs *requestState) {
	action := ""
	if len(rs.auths) > 0 {
		action = rs.auths[0].Action
	}
	g.metrics.decision(rs.api, action, rs.decision)
	g.metrics.observeWork(rs.api, rs.work)
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

var errBodyTooLarge = errors.New("request body too large")

// noReadDeadlineWarned is set once the process has warned that bodies are
// read without body_timeout.
var noReadDeadlineWarned atomic.Bool

// readBody reads the request body within body_timeout: the connection's
// read deadline is set for the read, and cleared after it (a deadline left
// behind would cancel the request while the upstream answers). Under a
// ResponseWriter that cannot set deadlines (tests, exotic wrappers) the body
// is read without one.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil
	}
	if g.BodyTimeout <= 0 {
		return readBody(r.Body, r.ContentLength, g.MaxBody)
	}
	// A socket deadline: the wall clock, not the injected g.now.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(time.Duration(g.BodyTimeout))); err != nil {
		if !noReadDeadlineWarned.Swap(true) {
			g.logger.Warn("request bodies are read without body_timeout: the server's ResponseWriter cannot set read deadlines", zap.Error(err))
		}
		return readBody(r.Body, r.ContentLength, g.MaxBody)
	}
	body, err := readBody(r.Body, r.ContentLength, g.MaxBody)
	_ = rc.SetReadDeadline(time.Time{})
	return body, err
}

// bodyChunk is the first allocation for a body: what most requests need
// whole, and what a client that announced megabytes and sent nothing costs.
const bodyChunk = 4 << 10

// readBody reads a whole body of declared length n (-1: unknown), at most
// max bytes. The buffer grows with the bytes received (doubling, to at
// most n, or max+1 to detect an overlong unframed body), never with what
// the client announced: memory follows what arrived.
func readBody(body io.Reader, n, max int64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	limit := n // the most bytes the buffer will hold
	if n < 0 || n > max {
		limit = max + 1
	}
	buf := make([]byte, 0, min(limit, bodyChunk))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) == limit {
				break
			}
			grown := make([]byte, len(buf), min(limit, 2*int64(cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		m, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > max {
		return nil, errBodyTooLarge
	}
	if n > 0 && int64(len(buf)) < n {
		return nil, io.ErrUnexpectedEOF
	}
	return buf, nil
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
