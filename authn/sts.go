package authn

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/reqcontext"
)

// STSRequest is one call of the local STS (form-encoded query protocol).
// Identity is the caller, already authenticated with Service "sts".
type STSRequest struct {
	Caller          *Authenticated
	Form            url.Values
	SourceIP        string
	UserAgent       string
	SecureTransport bool
	RequestID       string
}

// STSResponse is the XML answer and what the audit log needs.
type STSResponse struct {
	Status    int
	Body      []byte // XML (success or ErrorResponse)
	ErrorCode string // the ErrorResponse's code, "" on success
	Action    string
	Decision  authz.Decision // of the trust-policy evaluation (Allow for GetCallerIdentity/GetSessionToken)
	Matched   []authz.Match
	Reason    string     // short text for the audit log
	Session   *Principal // the principal of the issued credentials (nil on failure)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResponse struct {
	XMLName  xml.Name         `xml:"AssumeRoleResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   assumeRoleResult `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type assumeRoleResult struct {
	SourceIdentity   string         `xml:"SourceIdentity,omitempty"`
	AssumedRoleUser  assumedUser    `xml:"AssumedRoleUser"`
	Credentials      stsCredentials `xml:"Credentials"`
	PackedPolicySize *int           `xml:"PackedPolicySize,omitempty"`
}

type assumedUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type getSessionTokenResponse struct {
	XMLName  xml.Name         `xml:"GetSessionTokenResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   sessionResult    `xml:"GetSessionTokenResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type sessionResult struct {
	Credentials stsCredentials `xml:"Credentials"`
}

type callerIdentityResponse struct {
	XMLName  xml.Name         `xml:"GetCallerIdentityResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   callerIdentity   `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type callerIdentity struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

func (resp *STSResponse) fail(status int, code, msg, requestID string) *STSResponse {
	resp.Status, resp.ErrorCode = status, code
	resp.Body = awserr.STSErrorXML(code, msg, requestID)
	if resp.Reason == "" {
		resp.Reason = code + ": " + msg
	}
	resp.Session = nil
	return resp
}

func (resp *STSResponse) ok(v any) *STSResponse {
	b, err := xml.Marshal(v)
	if err != nil {
		return resp.fail(http.StatusInternalServerError, awserr.InternalFailure, "encoding the response failed", "")
	}
	resp.Status = http.StatusOK
	resp.Body = b
	return resp
}

// stsFailure is a refused STS call.
type stsFailure struct {
	status    int
	code, msg string
}

func validation(msg string) *stsFailure {
	return &stsFailure{http.StatusBadRequest, awserr.ValidationError, msg}
}

func invalidParam(msg string) *stsFailure {
	return &stsFailure{http.StatusBadRequest, awserr.InvalidParameterValue, msg}
}

func accessDenied(msg string) *stsFailure {
	return &stsFailure{http.StatusForbidden, awserr.AccessDenied, msg}
}

// HandleSTS serves AssumeRole, GetSessionToken and GetCallerIdentity.
func (a *Authenticator) HandleSTS(req *STSRequest) *STSResponse {
	resp := &STSResponse{Action: req.Form.Get("Action"), Decision: authz.ImplicitDeny}
	if req.Caller == nil || req.Caller.Principal == nil {
		return resp.fail(http.StatusForbidden, awserr.MissingAuthenticationToken, msgMissingAuth, req.RequestID)
	}
	if req.Caller.Service != "sts" {
		return resp.fail(http.StatusForbidden, awserr.SignatureDoesNotMatch, "Credential should be scoped to correct service: 'sts'.", req.RequestID)
	}
	if v := req.Form.Get("Version"); v != "" && v != "2011-06-15" {
		return resp.fail(http.StatusBadRequest, awserr.InvalidAction, "Could not find operation "+resp.Action+" for version "+v, req.RequestID)
	}
	var f *stsFailure
	switch resp.Action {
	case "GetCallerIdentity":
		p := req.Caller.Principal
		resp.Decision, resp.Reason = authz.Allow, "caller identity"
		return resp.ok(callerIdentityResponse{Xmlns: awserr.STSNamespace, Result: callerIdentity{Arn: p.ARN, UserID: p.UserID, Account: p.Account},
			Metadata: responseMetadata{req.RequestID}})
	case "GetSessionToken":
		f = a.getSessionToken(req, resp)
	case "AssumeRole":
		f = a.assumeRole(req, resp)
	case "":
		return resp.fail(http.StatusBadRequest, awserr.MissingAction, "Missing Action", req.RequestID)
	default:
		return resp.fail(http.StatusBadRequest, awserr.InvalidAction, "Could not find operation "+resp.Action+" for version 2011-06-15", req.RequestID)
	}
	if f != nil {
		return resp.fail(f.status, f.code, f.msg, req.RequestID)
	}
	return resp
}

func (a *Authenticator) noTemporaryCredentials() *stsFailure {
	return accessDenied("Temporary credentials are disabled on this gateway (no session_keys configured).")
}

func durationParam(form url.Values, def, min, max time.Duration) (time.Duration, *stsFailure) {
	v := form.Get("DurationSeconds")
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, &stsFailure{http.StatusBadRequest, awserr.MalformedInput, "DurationSeconds must be an integer"}
	}
	if d := time.Duration(n) * time.Second; d < min {
		return 0, validation(fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, int(min.Seconds())))
	} else if d > max {
		return 0, validation(fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, int(max.Seconds())))
	} else {
		return d, nil
	}
}

func credentialsXML(id, secret, token string, exp time.Time) stsCredentials {
	return stsCredentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Expiration: exp.UTC().Format(time.RFC3339)}
}

func (a *Authenticator) getSessionToken(req *STSRequest, resp *STSResponse) *stsFailure {
	p := req.Caller.Principal
	if p.Type != PrincipalUser || p.Temporary() {
		return accessDenied("Cannot call GetSessionToken with session credentials")
	}
	if a.cfg.SessionKeys == nil {
		return a.noTemporaryCredentials()
	}
	if req.Form.Get("SerialNumber") != "" || req.Form.Get("TokenCode") != "" {
		return accessDenied("MFA devices are not supported by this gateway")
	}
	d, f := durationParam(req.Form, defaultSessionToken, minSessionDuration, maxSessionTokenPeriod)
	if f != nil {
		return f
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	c := &sessionClaims{IssuedAt: now, Expires: now.Add(d), Name: p.Username}
	token, sess, err := a.issue(c)
	if err != nil {
		return &stsFailure{http.StatusInternalServerError, awserr.InternalFailure, "issuing credentials failed"}
	}
	resp.Decision, resp.Session, resp.Reason = authz.Allow, sess, "session token issued"
	resp.ok(getSessionTokenResponse{Xmlns: awserr.STSNamespace, Result: sessionResult{credentialsXML(c.AccessKeyID, c.Secret, token, c.Expires)},
		Metadata: responseMetadata{req.RequestID}})
	return nil
}

// issue fills in fresh temporary credentials, seals the claims and returns
// the token and the session's principal.
func (a *Authenticator) issue(c *sessionClaims) (string, *Principal, error) {
	var err error
	if c.AccessKeyID, c.Secret, err = newTemporaryCredentials(); err != nil {
		return "", nil, err
	}
	token, err := a.cfg.SessionKeys.seal(c, a.binding)
	if err != nil {
		return "", nil, err
	}
	p, err := a.sessionPrincipal(c)
	if err != nil {
		return "", nil, err
	}
	return token, p, nil
}

// members reads PREFIX.member.N[SUFFIX] for N = 1, 2, ... until one is absent.
func members(form url.Values, prefix, suffix string, max int) ([]string, bool) {
	var out []string
	for n := 1; ; n++ {
		k := prefix + ".member." + strconv.Itoa(n) + suffix
		v, ok := form[k]
		if !ok {
			return out, true
		}
		if len(out) == max {
			return out, false
		}
		out = append(out, v[0])
	}
}

// validPattern checks s against a character class of word characters plus extra.
func validPattern(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnumByte(c) && c != '_' && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// assumeCall is one AssumeRole call: its parameters, validated step by step
// in the order AWS reports their errors, and what the steps derive.
type assumeCall struct {
	caller               *Principal
	roleARN, sessionName string
	externalID           string
	hasExternal          bool
	// sourceIdentity is the requested one, or the calling session's.
	sourceIdentity string
	// policy is the session policy (compacted when that is shorter);
	// hasPolicy says whether one was passed.
	policy      string
	hasPolicy   bool
	policyNames []string // of the policy ARNs
	// tags are the session tags, the calling session's transitive ones
	// first; requested holds the lower-cased keys of the requested ones.
	tags       []Tag
	requested  map[string]bool
	transitive []string
	chained    bool
}

// assumeRole serves AssumeRole: it validates the parameters, finds the
// role and the duration, evaluates the trust policy and issues the
// session's credentials.
func (a *Authenticator) assumeRole(req *STSRequest, resp *STSResponse) *stsFailure {
	s := a.cfg.Store
	c := &assumeCall{caller: req.Caller.Principal}
	form := req.Form
	if f := c.readNames(form); f != nil {
		return f
	}
	if f := c.readSessionPolicy(form); f != nil {
		return f
	}
	if f := c.readPolicyARNs(form, s); f != nil {
		return f
	}
	if f := c.readSessionTags(form); f != nil {
		return f
	}
	if f := c.inheritTransitiveTags(); f != nil {
		return f
	}
	role := s.roleByARN(c.roleARN)
	if role == nil {
		resp.Reason = "unknown role" // refused like an unauthorized one
		return c.denied("sts:AssumeRole")
	}
	d, f := c.duration(form, role)
	if f != nil {
		return f
	}
	packed := packedPolicySize(c.policy, c.policyNames, c.tags)
	if packed > 100 {
		return &stsFailure{http.StatusBadRequest, awserr.PackedPolicyTooLarge, fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy for this session.", packed)}
	}
	now := a.cfg.Now().UTC()
	if f := a.evaluateTrust(req, resp, c, role, now); f != nil {
		return f
	}
	return a.issueRoleSession(req, resp, c, role, now, d, packed)
}

// denied is the AccessDenied of the caller for action on the role.
func (c *assumeCall) denied(action string) *stsFailure {
	return accessDenied(authz.NotAuthorized(c.caller.ARN, action, sanitize(c.roleARN), ""))
}

// readNames reads and checks RoleArn, RoleSessionName, ExternalId and
// SourceIdentity; a role session's source identity cannot change.
func (c *assumeCall) readNames(form url.Values) *stsFailure {
	c.roleARN, c.sessionName = form.Get("RoleArn"), form.Get("RoleSessionName")
	var missing []string
	if c.roleARN == "" {
		missing = append(missing, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if c.sessionName == "" {
		missing = append(missing, "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	if len(missing) > 0 {
		return validation(fmt.Sprintf("%d validation error detected: %s", len(missing), strings.Join(missing, "; ")))
	}
	if len(c.roleARN) < 20 || len(c.roleARN) > 2048 {
		return validation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048")
	}
	if len(c.sessionName) < 2 || len(c.sessionName) > 64 || !validPattern(c.sessionName, "+=,.@-") {
		return validation("1 validation error detected: Value '" + sanitize(c.sessionName) + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}")
	}
	c.externalID, c.hasExternal = form.Get("ExternalId"), form.Has("ExternalId")
	if c.hasExternal && (len(c.externalID) < 2 || len(c.externalID) > 1224 || !validPattern(c.externalID, "+=,.@:/-")) {
		return validation("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]{2,1224}")
	}
	c.sourceIdentity = form.Get("SourceIdentity")
	if form.Has("SourceIdentity") {
		if len(c.sourceIdentity) < 2 || len(c.sourceIdentity) > 64 || !validPattern(c.sourceIdentity, "+=,.@-") {
			return validation("1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}")
		}
		if strings.HasPrefix(strings.ToLower(c.sourceIdentity), "aws:") {
			return validation("SourceIdentity must not begin with the aws: prefix")
		}
	}
	if c.caller.SourceIdentity != "" {
		if c.sourceIdentity != "" && c.sourceIdentity != c.caller.SourceIdentity {
			return validation("The source identity of a role session cannot be changed once set")
		}
		c.sourceIdentity = c.caller.SourceIdentity
	}
	return nil
}

// readSessionPolicy reads and parses Policy, and keeps its compact form
// when that is shorter.
func (c *assumeCall) readSessionPolicy(form url.Values) *stsFailure {
	c.policy, c.hasPolicy = form.Get("Policy"), form.Has("Policy")
	if !c.hasPolicy {
		return nil
	}
	if n := len([]rune(c.policy)); n < 1 || n > maxSessionPolicyLen {
		return validation(fmt.Sprintf("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyLen))
	}
	sp, err := authz.Parse("session policy", []byte(c.policy), authz.Session)
	if err != nil {
		return &stsFailure{http.StatusBadRequest, awserr.MalformedPolicyDocument, "The policy is not in the valid JSON format: " + err.Error()}
	}
	if compact, err := sp.MarshalJSON(); err == nil && len(compact) < len(c.policy) {
		c.policy = string(compact)
	}
	return nil
}

// readPolicyARNs reads PolicyArns: each must be a managed policy of the store.
func (c *assumeCall) readPolicyARNs(form url.Values, s *Store) *stsFailure {
	arns, ok := members(form, "PolicyArns", ".arn", maxPolicyArns)
	if !ok {
		return validation(fmt.Sprintf("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyArns))
	}
	for _, a := range arns {
		name, ok := s.managedPolicyName(a)
		if !ok {
			return invalidParam("Policy " + sanitize(a) + " does not exist or is not attachable.")
		}
		c.policyNames = append(c.policyNames, name)
	}
	return nil
}

// readSessionTags reads Tags (valid, keys unique ignoring case) and
// TransitiveTagKeys (each one of the tags' keys).
func (c *assumeCall) readSessionTags(form url.Values) *stsFailure {
	keys, ok := members(form, "Tags", ".Key", maxSessionTags)
	if !ok {
		return validation(fmt.Sprintf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags))
	}
	c.requested = map[string]bool{}
	for i, k := range keys {
		v := form.Get("Tags.member." + strconv.Itoa(i+1) + ".Value")
		if err := validTag(k, v); err != nil {
			return validation("Invalid session tag: " + err.Error())
		}
		if c.requested[strings.ToLower(k)] {
			return invalidParam("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		c.requested[strings.ToLower(k)] = true
		c.tags = append(c.tags, Tag{k, v})
	}
	if c.transitive, ok = members(form, "TransitiveTagKeys", "", maxSessionTags); !ok {
		return validation("1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for _, k := range c.transitive {
		if !c.requested[strings.ToLower(k)] {
			return invalidParam("The specified transitive tag key must be included in the requested tags.")
		}
	}
	return nil
}

// inheritTransitiveTags applies role chaining (a role session assuming a
// role): the calling session's transitive tags carry over, first, and
// cannot be overwritten.
func (c *assumeCall) inheritTransitiveTags() *stsFailure {
	c.chained = c.caller.Type == PrincipalAssumedRole
	if !c.chained {
		return nil
	}
	var inherited []Tag
	for _, k := range c.caller.TransitiveTagKeys {
		for _, t := range c.caller.sessionTagList {
			if strings.EqualFold(t.Key, k) {
				if c.requested[strings.ToLower(k)] {
					return invalidParam("One or more of the specified session tags conflicts with a transitive tag key of the calling session: " + t.Key)
				}
				inherited = append(inherited, t)
				c.transitive = append(c.transitive, t.Key)
			}
		}
	}
	c.tags = append(inherited, c.tags...)
	if len(c.tags) > maxSessionTags {
		return validation("The session has more than 50 session tags with the inherited transitive tags")
	}
	return nil
}

// duration reads DurationSeconds, at most the role's maximum session
// duration, and one hour when chained.
func (c *assumeCall) duration(form url.Values, role *storeRole) (time.Duration, *stsFailure) {
	maxDur := role.maxSession
	if c.chained && maxDur > chainedMaxDuration {
		maxDur = chainedMaxDuration
	}
	d, f := durationParam(form, defaultRoleDuration, minSessionDuration, maxRoleMaxDuration)
	if f != nil {
		return 0, f
	}
	if d > maxDur {
		if c.chained {
			return 0, validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		return 0, validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

// evaluateTrust evaluates the role's trust policy (authz.TrustPolicy) for
// sts:AssumeRole, sts:TagSession when tags are passed (or inherited) and
// sts:SetSourceIdentity when one is set, with the caller's identity
// policies, boundary and session policies and the guardrails. Every action
// must be allowed.
func (a *Authenticator) evaluateTrust(req *STSRequest, resp *STSResponse, c *assumeCall, role *storeRole, now time.Time) *stsFailure {
	actions := []string{"sts:AssumeRole"}
	if len(c.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if c.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	p := c.caller
	in := authz.Input{
		Principal: p.AuthzPrincipal(), Resource: role.arn, Context: a.trustContext(req, c, now),
		IdentityPolicies: p.IdentityPolicies, Boundary: p.Boundary, SessionPolicies: p.SessionPolicies, Guardrails: a.cfg.Store.guardrails,
	}
	for _, act := range actions {
		in.Action = act
		res := role.trust.Evaluate(&in)
		resp.Decision = res.Decision
		resp.Matched = append(resp.Matched, res.Matched...)
		if res.Decision != authz.Allow {
			resp.Reason = authz.DenyMessage(p.ARN, act, role.arn, res)
			return c.denied(act)
		}
	}
	return nil
}

// trustContext is the request context of the trust-policy evaluation: the
// global keys (reqcontext), the session tags as the request's tags, and the
// sts: keys.
func (a *Authenticator) trustContext(req *STSRequest, c *assumeCall, now time.Time) *authz.Context {
	r := reqcontext.Request{
		SourceIP: req.SourceIP, UserAgent: req.UserAgent, SecureTransport: req.SecureTransport,
		Region: req.Caller.Region, Now: now,
	}
	if len(c.tags) > 0 {
		r.Tags = make(map[string]string, len(c.tags))
		r.TagKeys = make([]string, 0, len(c.tags))
		for _, t := range c.tags {
			r.Tags[t.Key] = t.Value
			r.TagKeys = append(r.TagKeys, t.Key)
		}
	}
	caller := c.caller.ContextPrincipal(a.cfg.OrgID)
	ctx := authz.NewContext()
	reqcontext.Set(ctx, &caller, &r)
	ctx.Set("sts:RoleSessionName", c.sessionName)
	if c.hasExternal {
		ctx.Set("sts:ExternalId", c.externalID)
	}
	if c.sourceIdentity != "" {
		ctx.Set("sts:SourceIdentity", c.sourceIdentity)
	}
	if len(c.transitive) > 0 {
		ctx.SetMulti("sts:TransitiveTagKeys", c.transitive)
	}
	return ctx
}

// issueRoleSession issues the role session's credentials and writes the
// AssumeRole response.
func (a *Authenticator) issueRoleSession(req *STSRequest, resp *STSResponse, c *assumeCall, role *storeRole, now time.Time, d time.Duration, packed int) *stsFailure {
	if a.cfg.SessionKeys == nil {
		resp.Decision = authz.ImplicitDeny
		return a.noTemporaryCredentials()
	}
	issued := now.Truncate(time.Second)
	claims := &sessionClaims{
		IssuedAt: issued, Expires: issued.Add(d), Role: true, Name: role.name, SessionName: c.sessionName,
		SourceIdentity: c.sourceIdentity, Tags: c.tags, TransitiveTagKeys: c.transitive,
		PolicyNames: c.policyNames, Chained: c.chained,
	}
	if c.hasPolicy {
		claims.Policy = c.policy
	}
	token, sess, err := a.issue(claims)
	if err != nil {
		return &stsFailure{http.StatusInternalServerError, awserr.InternalFailure, "issuing credentials failed"}
	}
	resp.Session, resp.Reason = sess, "role assumed"
	result := assumeRoleResult{
		SourceIdentity:  c.sourceIdentity,
		AssumedRoleUser: assumedUser{AssumedRoleID: sess.UserID, Arn: sess.ARN},
		Credentials:     credentialsXML(claims.AccessKeyID, claims.Secret, token, claims.Expires),
	}
	if claims.Policy != "" || len(c.policyNames) > 0 || len(c.tags) > 0 {
		result.PackedPolicySize = &packed
	}
	resp.ok(assumeRoleResponse{Xmlns: awserr.STSNamespace, Result: result, Metadata: responseMetadata{req.RequestID}})
	return nil
}

// packedAllotment is the space that the session policy, the policy ARNs and
// the session tags share. AWS measures a compressed form against its own
// allotment (where a 2,048-character policy takes well under 100%); we
// measure raw characters against 4,096, so a maximal session policy takes 50%
// and leaves room for tags.
const packedAllotment = 4096

// packedPolicySize is the percentage of packedAllotment used by the session
// policy (compacted), the policy ARNs' names and the session tags.
func packedPolicySize(policy string, names []string, tags []Tag) int {
	n := len(policy)
	for _, p := range names {
		n += len(p)
	}
	for _, t := range tags {
		n += len(t.Key) + len(t.Value)
	}
	return (n*100 + packedAllotment - 1) / packedAllotment
}

// sanitize bounds client text echoed in messages.
func sanitize(s string) string {
	if len(s) > 256 {
		s = s[:256]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
