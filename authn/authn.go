package authn

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authz"
)

// Config configures an Authenticator.
type Config struct {
	// Store holds the users, their access keys and the roles (required).
	Store *Store
	// SessionKeys seal and open session tokens. Nil disables temporary
	// credentials: STS AssumeRole and GetSessionToken refuse, ASIA keys are unknown.
	SessionKeys *SessionKeys
	// DeploymentID is bound into every session token sealed, with the
	// store's account and partition, so that only a gateway with the same
	// three opens it: gateways that share session keys accept each other's
	// sessions only within one deployment. At most 128 letters, digits and
	// _.:/@+=- characters. Default: "" (the account and partition alone).
	DeploymentID string
	// OrgID is the AWS Organizations ID of the store's account, the
	// aws:PrincipalOrgID of every caller in the STS's trust-policy
	// evaluations, as in the gateway's own. Default: "" (the key is absent).
	OrgID string
	// ClockSkew is how far a request's date may be from now. Default: 5m.
	ClockSkew time.Duration
	// AllowUnsignedPayload accepts X-Amz-Content-Sha256: UNSIGNED-PAYLOAD,
	// on TLS connections only (r.TLS set).
	// Default: false (the body must be signed).
	AllowUnsignedPayload bool
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// DefaultClockSkew is the clock skew allowed when Config.ClockSkew is zero.
const DefaultClockSkew = 5 * time.Minute

// Authenticator verifies SigV4 requests against a store and issues temporary
// credentials (HandleSTS). It is safe for concurrent use.
type Authenticator struct {
	cfg      Config
	v        *verifier
	users    map[string]*Principal // long-term principal of each user, by name
	sessions *lru.Cache[string, *sessionEntry]
	binding  []byte // tokenBinding of the store's partition and account and the deployment ID
}

// sessionEntry caches an opened session token by its access key ID.
type sessionEntry struct {
	token, secret string
	principal     *Principal
}

const sessionCacheSize = 4096

// New checks cfg and returns an Authenticator.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Store == nil {
		return nil, errors.New("authn: a store is required")
	}
	if cfg.ClockSkew < 0 {
		return nil, errors.New("authn: clock skew must not be negative")
	}
	if !validDeploymentID(cfg.DeploymentID) {
		return nil, errors.New("authn: the deployment ID must be at most 128 letters, digits and _.:/@+=- characters")
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cache, err := lru.New[string, *sessionEntry](sessionCacheSize)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		cfg:      cfg,
		v:        newVerifier(cfg.Now, cfg.ClockSkew, cfg.AllowUnsignedPayload),
		users:    make(map[string]*Principal, len(cfg.Store.users)),
		sessions: cache,
		binding:  tokenBinding(cfg.Store.partition, cfg.Store.account, cfg.DeploymentID),
	}
	for name, u := range cfg.Store.users {
		a.users[name] = a.userPrincipal(u)
	}
	return a, nil
}

func validDeploymentID(s string) bool {
	return len(s) <= 128 && validPattern(s, "._:/@+=-")
}

func (a *Authenticator) userPrincipal(u *storeUser) *Principal {
	return &Principal{
		Type: PrincipalUser, ARN: u.arn, Account: a.cfg.Store.account, UserID: u.id, Username: u.name,
		Tags: u.tags, IdentityPolicies: u.identity, Boundary: u.boundary,
	}
}

// Authenticate verifies the SigV4 signature (header or presigned query form)
// of r with its already-read body and returns the caller. Errors are *Error.
// The returned Principal is shared and must not be modified.
func (a *Authenticator) Authenticate(r *http.Request, body []byte) (*Authenticated, error) {
	var p *Principal
	auth, bodyHash, err := a.v.verify(r, body, func(id, token string) (string, *Error) {
		pr, secret, err := a.lookup(id, token)
		p = pr
		return secret, err
	})
	if err != nil {
		return nil, err
	}
	return &Authenticated{AccessKeyID: auth.AccessKeyID, Region: auth.Scope.Region, Service: auth.Scope.Service, PayloadHash: bodyHash, Principal: p}, nil
}

// lookup resolves an access key ID and its session token to the principal
// and secret, enforcing the token rules.
func (a *Authenticator) lookup(id, token string) (*Principal, string, *Error) {
	switch {
	case strings.HasPrefix(id, "AKIA"):
		k := a.cfg.Store.keys[id]
		if k == nil {
			return nil, "", newError(InvalidClientTokenID, msgInvalidToken)
		}
		if token != "" {
			return nil, "", newError(InvalidToken, msgInvalidToken)
		}
		return a.users[k.user.name], k.secret, nil
	case strings.HasPrefix(id, "ASIA") && a.cfg.SessionKeys != nil:
		if token == "" {
			return nil, "", newError(InvalidToken, msgInvalidToken)
		}
		now := a.cfg.Now()
		if e, ok := a.sessions.Get(id); ok && len(e.token) == len(token) && subtle.ConstantTimeCompare([]byte(e.token), []byte(token)) == 1 {
			if !now.Before(e.principal.Expires) {
				return nil, "", newError(ExpiredToken, msgExpiredToken)
			}
			return e.principal, e.secret, nil
		}
		c, err := a.cfg.SessionKeys.open(token, a.binding)
		if err != nil || c.AccessKeyID != id || !a.lifetimeValid(c, now) {
			return nil, "", newError(InvalidToken, msgInvalidToken)
		}
		if !now.Before(c.Expires) {
			return nil, "", newError(ExpiredToken, msgExpiredToken)
		}
		p, perr := a.sessionPrincipal(c)
		if perr != nil {
			return nil, "", newError(InvalidToken, msgInvalidToken)
		}
		a.sessions.Add(id, &sessionEntry{token: token, secret: c.Secret, principal: p})
		return p, c.Secret, nil
	default:
		return nil, "", newError(InvalidClientTokenID, msgInvalidToken)
	}
}

// lifetimeValid checks an opened token's validity period against what the STS
// can issue, so that a token sealed with a leaked key, or by an older
// gateway, cannot outlive those limits: issued no later than now (within the
// clock skew), expiring after it was issued, and lasting at most 36 hours for
// a user's session (GetSessionToken), 12 hours for a role's and one hour for a
// chained role's.
func (a *Authenticator) lifetimeValid(c *sessionClaims, now time.Time) bool {
	limit := maxSessionTokenPeriod
	switch {
	case c.Role && c.Chained:
		limit = chainedMaxDuration
	case c.Role:
		limit = maxRoleMaxDuration
	}
	life := c.Expires.Sub(c.IssuedAt)
	return !c.IssuedAt.After(now.Add(a.cfg.ClockSkew)) && life > 0 && life <= limit
}

var errGone = errors.New("the principal of the session no longer exists")

// sessionPrincipal rebuilds the principal of opened session claims from the
// store (the role's or user's current policies and tags).
func (a *Authenticator) sessionPrincipal(c *sessionClaims) (*Principal, error) {
	s := a.cfg.Store
	if !c.Role {
		u := s.users[c.Name]
		if u == nil {
			return nil, errGone
		}
		p := a.userPrincipal(u)
		p.IssuedAt, p.Expires = c.IssuedAt, c.Expires
		return p, nil
	}
	r := s.roles[c.Name]
	if r == nil {
		return nil, errGone
	}
	p := &Principal{
		Type:              PrincipalAssumedRole,
		ARN:               arn.ARN{Partition: s.partition, Service: "sts", Account: s.account, Resource: "assumed-role/" + r.name + "/" + c.SessionName}.String(),
		RoleARN:           r.arn,
		Account:           s.account,
		UserID:            r.id + ":" + c.SessionName,
		SessionName:       c.SessionName,
		SourceIdentity:    c.SourceIdentity,
		Tags:              mergeTags(r.tags, c.Tags),
		SessionTags:       tagMap(c.Tags),
		TransitiveTagKeys: c.TransitiveTagKeys,
		IssuedAt:          c.IssuedAt,
		Expires:           c.Expires,
		IdentityPolicies:  r.identity,
		Boundary:          r.boundary,
		Chained:           c.Chained,
		sessionTagList:    c.Tags,
	}
	if c.Policy != "" {
		sp, err := authz.Parse("session policy", []byte(c.Policy), authz.Session)
		if err != nil {
			return nil, err
		}
		p.SessionPolicies = append(p.SessionPolicies, sp)
	}
	for _, n := range c.PolicyNames {
		mp, ok := s.policies[n]
		if !ok {
			return nil, errGone
		}
		p.SessionPolicies = append(p.SessionPolicies, mp)
	}
	return p, nil
}
