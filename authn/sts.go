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
)

// STSNamespace is the XML namespace of STS responses.
const STSNamespace = awserr.STSNamespace

// STSRequest is one call of the local STS (form-encoded query protocol).
// Identity is the caller, already authenticated with Service "sts".
type STSRequest struct {
	Identity        *Identity
	Form            url.Values
	SourceIP        string
	UserAgent       string
	SecureTransport bool
	RequestID       string
}

// STSResponse is the XML answer and what the audit log needs.
type STSResponse struct {
	Status   int
	Body     []byte // XML (success or ErrorResponse)
	Action   string
	Decision authz.Decision // of the trust-policy evaluation (Allow for GetCallerIdentity/GetSessionToken)
	Matched  []authz.Match
	Reason   string     // short text for the audit log
	Session  *Principal // the principal of the issued credentials (nil on failure)
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
	resp.Status = status
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
		return resp.fail(http.StatusInternalServerError, "InternalFailure", "encoding the response failed", "")
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
	return &stsFailure{http.StatusBadRequest, "ValidationError", msg}
}

func invalidParam(msg string) *stsFailure {
	return &stsFailure{http.StatusBadRequest, "InvalidParameterValue", msg}
}

func accessDenied(msg string) *stsFailure {
	return &stsFailure{http.StatusForbidden, "AccessDenied", msg}
}

// HandleSTS serves AssumeRole, GetSessionToken and GetCallerIdentity.
func (a *Authenticator) HandleSTS(req *STSRequest) *STSResponse {
	resp := &STSResponse{Action: req.Form.Get("Action"), Decision: authz.ImplicitDeny}
	if req.Identity == nil || req.Identity.Principal == nil {
		return resp.fail(http.StatusForbidden, "MissingAuthenticationToken", msgMissingAuth, req.RequestID)
	}
	if req.Identity.Service != "sts" {
		return resp.fail(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'.", req.RequestID)
	}
	if v := req.Form.Get("Version"); v != "" && v != "2011-06-15" {
		return resp.fail(http.StatusBadRequest, "InvalidAction", "Could not find operation "+resp.Action+" for version "+v, req.RequestID)
	}
	var f *stsFailure
	switch resp.Action {
	case "GetCallerIdentity":
		p := req.Identity.Principal
		resp.Decision, resp.Reason = authz.Allow, "caller identity"
		return resp.ok(callerIdentityResponse{Xmlns: STSNamespace, Result: callerIdentity{Arn: p.ARN, UserID: p.UserID, Account: p.Account},
			Metadata: responseMetadata{req.RequestID}})
	case "GetSessionToken":
		f = a.getSessionToken(req, resp)
	case "AssumeRole":
		f = a.assumeRole(req, resp)
	case "":
		return resp.fail(http.StatusBadRequest, "MissingAction", "Missing Action", req.RequestID)
	default:
		return resp.fail(http.StatusBadRequest, "InvalidAction", "Could not find operation "+resp.Action+" for version 2011-06-15", req.RequestID)
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
		return 0, &stsFailure{http.StatusBadRequest, "MalformedInput", "DurationSeconds must be an integer"}
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
	p := req.Identity.Principal
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
		return &stsFailure{http.StatusInternalServerError, "InternalFailure", "issuing credentials failed"}
	}
	resp.Decision, resp.Session, resp.Reason = authz.Allow, sess, "session token issued"
	resp.ok(getSessionTokenResponse{Xmlns: STSNamespace, Result: sessionResult{credentialsXML(c.AccessKeyID, c.Secret, token, c.Expires)},
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

func (a *Authenticator) assumeRole(req *STSRequest, resp *STSResponse) *stsFailure {
	form := req.Form
	caller := req.Identity.Principal
	s := a.cfg.Store

	roleARN, sessionName := form.Get("RoleArn"), form.Get("RoleSessionName")
	var missing []string
	if roleARN == "" {
		missing = append(missing, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if sessionName == "" {
		missing = append(missing, "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	if len(missing) > 0 {
		return validation(fmt.Sprintf("%d validation error detected: %s", len(missing), strings.Join(missing, "; ")))
	}
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return validation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048")
	}
	if len(sessionName) < 2 || len(sessionName) > 64 || !validPattern(sessionName, "+=,.@-") {
		return validation("1 validation error detected: Value '" + sanitize(sessionName) + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}")
	}
	externalID, hasExternal := form.Get("ExternalId"), form.Has("ExternalId")
	if hasExternal && (len(externalID) < 2 || len(externalID) > 1224 || !validPattern(externalID, "+=,.@:/-")) {
		return validation("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]{2,1224}")
	}
	sourceIdentity := form.Get("SourceIdentity")
	if form.Has("SourceIdentity") {
		if len(sourceIdentity) < 2 || len(sourceIdentity) > 64 || !validPattern(sourceIdentity, "+=,.@-") {
			return validation("1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}")
		}
		if strings.HasPrefix(strings.ToLower(sourceIdentity), "aws:") {
			return validation("SourceIdentity must not begin with the aws: prefix")
		}
	}
	if caller.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != caller.SourceIdentity {
			return validation("The source identity of a role session cannot be changed once set")
		}
		sourceIdentity = caller.SourceIdentity
	}

	// Session policy and policy ARNs.
	policyText := form.Get("Policy")
	var sessionPolicies []*authz.Policy
	if form.Has("Policy") {
		if n := len([]rune(policyText)); n < 1 || n > maxSessionPolicyLen {
			return validation(fmt.Sprintf("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyLen))
		}
		sp, err := authz.Parse("session policy", []byte(policyText), authz.Session)
		if err != nil {
			return &stsFailure{http.StatusBadRequest, "MalformedPolicyDocument", "The policy is not in the valid JSON format: " + err.Error()}
		}
		compact, err := sp.MarshalJSON()
		if err == nil && len(compact) < len(policyText) {
			policyText = string(compact)
		}
		sessionPolicies = append(sessionPolicies, sp)
	}
	arns, ok := members(form, "PolicyArns", ".arn", maxPolicyArns)
	if !ok {
		return validation(fmt.Sprintf("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyArns))
	}
	var policyNames []string
	policyPrefix := "arn:" + s.partition + ":iam::" + s.account + ":policy/"
	for _, arn := range arns {
		name := strings.TrimPrefix(arn, policyPrefix)
		if name == arn || strings.Contains(name, "/") {
			return invalidParam("Policy " + sanitize(arn) + " does not exist or is not attachable.")
		}
		if _, ok := s.policies[name]; !ok {
			return invalidParam("Policy " + sanitize(arn) + " does not exist or is not attachable.")
		}
		policyNames = append(policyNames, name)
	}

	// Session tags and transitive tag keys.
	keys, ok := members(form, "Tags", ".Key", maxSessionTags)
	if !ok {
		return validation(fmt.Sprintf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags))
	}
	var tags []Tag
	seen := map[string]bool{}
	for i, k := range keys {
		v := form.Get("Tags.member." + strconv.Itoa(i+1) + ".Value")
		if err := validTag(k, v); err != nil {
			return validation("Invalid session tag: " + err.Error())
		}
		if seen[strings.ToLower(k)] {
			return invalidParam("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(k)] = true
		tags = append(tags, Tag{k, v})
	}
	transitive, ok := members(form, "TransitiveTagKeys", "", maxSessionTags)
	if !ok {
		return validation("1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return invalidParam("The specified transitive tag key must be included in the requested tags.")
		}
	}

	// Role chaining: at most one hour; transitive tags carry over and cannot
	// be overwritten.
	chained := caller.Type == PrincipalAssumedRole
	if chained {
		var inherited []Tag
		for _, k := range caller.TransitiveTagKeys {
			for _, t := range caller.sessionTagList {
				if strings.EqualFold(t.Key, k) {
					if seen[strings.ToLower(k)] {
						return invalidParam("One or more of the specified session tags conflicts with a transitive tag key of the calling session: " + t.Key)
					}
					inherited = append(inherited, t)
					transitive = append(transitive, t.Key)
				}
			}
		}
		tags = append(inherited, tags...)
		if len(tags) > maxSessionTags {
			return validation("The session has more than 50 session tags with the inherited transitive tags")
		}
	}

	// The role; an unknown role is refused like an unauthorized one.
	denied := func(action string) *stsFailure {
		return accessDenied("User: " + caller.ARN + " is not authorized to perform: " + action + " on resource: " + sanitize(roleARN))
	}
	name := strings.TrimPrefix(roleARN, "arn:"+s.partition+":iam::"+s.account+":role/")
	role := s.roles[name]
	if role == nil || role.arn != roleARN {
		resp.Reason = "unknown role"
		return denied("sts:AssumeRole")
	}

	maxDur := role.maxSession
	if chained && maxDur > chainedMaxDuration {
		maxDur = chainedMaxDuration
	}
	d, f := durationParam(form, defaultRoleDuration, minSessionDuration, maxRoleMaxDuration)
	if f != nil {
		return f
	}
	if d > maxDur {
		if chained {
			return validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		return validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	packed := packedPolicySize(policyText, policyNames, tags)
	if packed > 100 {
		return &stsFailure{http.StatusBadRequest, "PackedPolicyTooLarge", fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy for this session.", packed)}
	}

	// The trust policy, for sts:AssumeRole, sts:TagSession when tags are
	// passed (or inherited) and sts:SetSourceIdentity when one is set.
	now := a.cfg.Now().UTC()
	ctx := authz.NewContext()
	caller.SetContext(ctx)
	setRequestContext(ctx, req, now)
	ctx.Set("sts:RoleSessionName", sessionName)
	if hasExternal {
		ctx.Set("sts:ExternalId", externalID)
	}
	if sourceIdentity != "" {
		ctx.Set("sts:SourceIdentity", sourceIdentity)
	}
	if len(tags) > 0 {
		tagKeys := make([]string, 0, len(tags))
		for _, t := range tags {
			ctx.Set("aws:RequestTag/"+t.Key, t.Value)
			tagKeys = append(tagKeys, t.Key)
		}
		ctx.SetMulti("aws:TagKeys", tagKeys)
	}
	if len(transitive) > 0 {
		ctx.SetMulti("sts:TransitiveTagKeys", transitive)
	}
	actions := []string{"sts:AssumeRole"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	in := authz.Input{
		Principal: caller.AuthzPrincipal(), Resource: role.arn, Context: ctx,
		Identity: caller.Identity, ResourcePolicy: role.trust, Boundary: caller.Boundary,
		Session: caller.SessionPolicies, Guardrails: s.guardrails,
	}
	for _, act := range actions {
		in.Action = act
		res := authz.Evaluate(&in)
		if res.Decision == authz.Allow {
			if gate := trustGate(&in, s.account); gate.Decision != authz.Allow {
				res = gate
			}
		}
		resp.Decision = res.Decision
		resp.Matched = append(resp.Matched, res.Matched...)
		if res.Decision != authz.Allow {
			resp.Reason = authz.DenyMessage(caller.ARN, act, role.arn, res)
			return denied(act)
		}
	}

	if a.cfg.SessionKeys == nil {
		resp.Decision = authz.ImplicitDeny
		return a.noTemporaryCredentials()
	}
	issued := now.Truncate(time.Second)
	c := &sessionClaims{
		IssuedAt: issued, Expires: issued.Add(d), Role: true, Name: role.name, SessionName: sessionName,
		SourceIdentity: sourceIdentity, Tags: tags, TransitiveTagKeys: transitive,
		PolicyNames: policyNames, Chained: chained,
	}
	if len(sessionPolicies) > 0 {
		c.Policy = policyText
	}
	token, sess, err := a.issue(c)
	if err != nil {
		return &stsFailure{http.StatusInternalServerError, "InternalFailure", "issuing credentials failed"}
	}
	resp.Session, resp.Reason = sess, "role assumed"
	result := assumeRoleResult{
		SourceIdentity:  sourceIdentity,
		AssumedRoleUser: assumedUser{AssumedRoleID: sess.UserID, Arn: sess.ARN},
		Credentials:     credentialsXML(c.AccessKeyID, c.Secret, token, c.Expires),
	}
	if c.Policy != "" || len(policyNames) > 0 || len(tags) > 0 {
		result.PackedPolicySize = &packed
	}
	resp.ok(assumeRoleResponse{Xmlns: STSNamespace, Result: result, Metadata: responseMetadata{req.RequestID}})
	return nil
}

// allowAll is the identity side of trustGate's question.
var allowAll = func() *authz.Policy {
	p, err := authz.Parse("trust gate", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), authz.Identity)
	if err != nil {
		panic("authn: the trust gate policy does not parse: " + err.Error())
	}
	return p
}()

// trustGate answers whether the role's trust policy itself allows the caller
// (by its ARN, its role, or its account), which AssumeRole always requires:
// unlike other resources, a role cannot be assumed on an identity-policy
// allow alone. authz's same-account rule lets an identity allow suffice, so
// the question is asked as a cross-account one (the role's ARN under another
// account ID, which trust policies cannot tell apart since they carry no
// Resource element) with an identity side that allows everything: the answer
// is then Allow exactly when the trust policy allows and does not deny.
func trustGate(in *authz.Input, account string) authz.Result {
	last := byte('0')
	if account[len(account)-1] == '0' {
		last = '1'
	}
	g := authz.Input{
		Principal: in.Principal, Action: in.Action, Context: in.Context,
		Resource:       strings.Replace(in.Resource, ":"+account+":", ":"+account[:len(account)-1]+string(last)+":", 1),
		Identity:       []*authz.Policy{allowAll},
		ResourcePolicy: in.ResourcePolicy,
	}
	res := authz.Evaluate(&g)
	if res.Decision != authz.Allow {
		res.DeniedBy = authz.ResourceBased
		res.Matched = nil
	}
	return res
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

// setRequestContext sets the request's global condition keys.
func setRequestContext(ctx *authz.Context, req *STSRequest, now time.Time) {
	if req.SourceIP != "" {
		ctx.Set("aws:SourceIp", req.SourceIP)
	}
	if req.UserAgent != "" {
		ctx.Set("aws:UserAgent", req.UserAgent)
	}
	ctx.Set("aws:SecureTransport", strconv.FormatBool(req.SecureTransport))
	ctx.Set("aws:CurrentTime", now.Format(time.RFC3339))
	ctx.Set("aws:EpochTime", unixString(now))
	if req.Identity != nil && req.Identity.Region != "" {
		ctx.Set("aws:RequestedRegion", req.Identity.Region)
	}
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
