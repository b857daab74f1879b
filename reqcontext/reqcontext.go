// Package reqcontext builds the IAM request context of a call: the global
// condition keys (aws:*) that say who calls, how, from where and when, the
// caller's principal tags and the request's tags. It is the one builder of
// those keys: the gateway's pipeline (an API call, its identity policies)
// and its STS (AssumeRole, the role's trust policy) both use it, so that one
// caller sees the same keys in both.
//
// Keys that belong to one path are the caller's to add: the STS adds the
// sts:* keys; the pipeline adds gateway:ReferencedArn and, per resource,
// aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceTag/KEY and
// iam:PassedToService.
//
// Keys are set lower-cased with authz.Context.SetLower (authz compares key
// names case-insensitively), and aws:CurrentTime and aws:EpochTime are
// formatted once per second: the pipeline builds a context per request.
package reqcontext

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pinpointgw/gateway/authz"
)

// Principal is the principal of a call, as its condition keys describe it.
type Principal struct {
	// ARN is the principal's ARN: a user's, or an assumed-role session's
	// (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION).
	ARN string
	// RoleARN is the role of a role session, "" for a user. It is the
	// session's aws:PrincipalArn, as in AWS.
	RoleARN string
	// Account is aws:PrincipalAccount.
	Account string
	// Type is aws:PrincipalType: "User" or "AssumedRole".
	Type string
	// UserID is aws:userid (AIDA… for users, AROA…:SESSION for role
	// sessions); "" leaves the key absent.
	UserID string
	// Username is aws:username (users only); "" leaves the key absent.
	Username string
	// SourceIdentity is aws:SourceIdentity; "" leaves the key absent.
	SourceIdentity string
	// Tags are the principal's tags (aws:PrincipalTag/KEY), session tags
	// included. Keys must not differ only in case.
	Tags map[string]string
	// IssuedAt is when temporary credentials were issued
	// (aws:TokenIssueTime); zero for long-term keys, which have neither
	// aws:TokenIssueTime nor aws:MultiFactorAuthPresent.
	IssuedAt time.Time
	// OrgID is the AWS Organizations ID of the principal's account
	// (aws:PrincipalOrgID); "" leaves the key absent.
	OrgID string
}

// Request is what the condition keys say about a call itself.
type Request struct {
	// SourceIP is aws:SourceIp; "" leaves the key absent.
	SourceIP string
	// UserAgent is aws:UserAgent; "" leaves the key absent.
	UserAgent string
	// SecureTransport is aws:SecureTransport: whether the call came over TLS.
	SecureTransport bool
	// Region is aws:RequestedRegion, the region of the signature's scope;
	// "" leaves the key absent.
	Region string
	// Now is the time of the call (aws:CurrentTime, aws:EpochTime).
	Now time.Time
	// Tags are the tags the call asks to set (aws:RequestTag/KEY). Keys must
	// not differ only in case.
	Tags map[string]string
	// TagKeys is aws:TagKeys, the keys of the tags the call passes; nil
	// leaves the key absent, an empty non-nil slice sets it without values.
	TagKeys []string
}

// The keys, lower-cased: authz treats key names case-insensitively and
// lower-case names spare it a conversion per key.
const (
	keyPrincipalArn      = "aws:principalarn"
	keyPrincipalAccount  = "aws:principalaccount"
	keyPrincipalType     = "aws:principaltype"
	keyPrincipalIsAWSSvc = "aws:principalisawsservice"
	keyPrincipalOrgID    = "aws:principalorgid"
	keyUserID            = "aws:userid"
	keyUsername          = "aws:username"
	keySourceIdentity    = "aws:sourceidentity"
	keyTokenIssueTime    = "aws:tokenissuetime"
	keyMultiFactorAuth   = "aws:multifactorauthpresent"
	keyViaAWSService     = "aws:viaawsservice"
	keySourceIP          = "aws:sourceip"
	keySecureTransport   = "aws:securetransport"
	keyCurrentTime       = "aws:currenttime"
	keyEpochTime         = "aws:epochtime"
	keyRequestedRegion   = "aws:requestedregion"
	keyUserAgent         = "aws:useragent"
	keyTagKeys           = "aws:tagkeys"
	prefixPrincipalTag   = "aws:principaltag/"
	prefixRequestTag     = "aws:requesttag/"
)

// ResourceTagPrefix is the lower-cased prefix of the aws:ResourceTag/KEY
// keys. They are per resource, so the pipeline sets them for each pair it
// evaluates, and the tag sources ask whether a policy reads them.
const ResourceTagPrefix = "aws:resourcetag/"

// Set sets in c every global condition key of the principal and the request,
// the principal's tags and the request's tags.
func Set(c *authz.Context, p *Principal, req *Request) {
	SetPrincipal(c, p)
	SetRequest(c, req)
}

// SetPrincipal sets the keys that describe the principal: aws:PrincipalArn
// (the role's ARN for a role session), aws:PrincipalAccount,
// aws:PrincipalType, aws:PrincipalIsAWSService ("false"), aws:PrincipalOrgID,
// aws:userid, aws:username, aws:SourceIdentity, aws:PrincipalTag/KEY, and
// for temporary credentials aws:TokenIssueTime and
// aws:MultiFactorAuthPresent ("false": the gateway knows no MFA).
func SetPrincipal(c *authz.Context, p *Principal) {
	if p.RoleARN != "" {
		c.SetLower(keyPrincipalArn, p.RoleARN)
	} else {
		c.SetLower(keyPrincipalArn, p.ARN)
	}
	c.SetLower(keyPrincipalAccount, p.Account)
	c.SetLower(keyPrincipalType, p.Type)
	c.SetLower(keyPrincipalIsAWSSvc, "false")
	if p.OrgID != "" {
		c.SetLower(keyPrincipalOrgID, p.OrgID)
	}
	if p.UserID != "" {
		c.SetLower(keyUserID, p.UserID)
	}
	if p.Username != "" {
		c.SetLower(keyUsername, p.Username)
	}
	for k, v := range p.Tags {
		c.SetLower(prefixPrincipalTag+strings.ToLower(k), v)
	}
	if p.SourceIdentity != "" {
		c.SetLower(keySourceIdentity, p.SourceIdentity)
	}
	if !p.IssuedAt.IsZero() {
		c.SetLower(keyTokenIssueTime, p.IssuedAt.UTC().Format(time.RFC3339))
		c.SetLower(keyMultiFactorAuth, "false")
	}
}

// SetRequest sets the keys that describe the call: aws:ViaAWSService
// ("false": callers sign their own requests), aws:SourceIp,
// aws:SecureTransport, aws:CurrentTime, aws:EpochTime, aws:RequestedRegion,
// aws:UserAgent, aws:RequestTag/KEY and aws:TagKeys.
func SetRequest(c *authz.Context, r *Request) {
	c.SetLower(keyViaAWSService, "false")
	if r.SourceIP != "" {
		c.SetLower(keySourceIP, r.SourceIP)
	}
	if r.SecureTransport {
		c.SetLower(keySecureTransport, "true")
	} else {
		c.SetLower(keySecureTransport, "false")
	}
	ts := currentTimes(r.Now)
	c.SetLower(keyCurrentTime, ts.rfc3339)
	c.SetLower(keyEpochTime, ts.epoch)
	if r.Region != "" {
		c.SetLower(keyRequestedRegion, r.Region)
	}
	if r.UserAgent != "" {
		c.SetLower(keyUserAgent, r.UserAgent)
	}
	for k, v := range r.Tags {
		c.SetLower(prefixRequestTag+strings.ToLower(k), v)
	}
	if r.TagKeys != nil {
		c.SetMulti(keyTagKeys, r.TagKeys)
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
