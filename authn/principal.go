package authn

import (
	"crypto/sha256"
	"encoding/base32"
	"sort"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/reqcontext"
)

// Authenticated is the outcome of a successful authentication.
type Authenticated struct {
	AccessKeyID string
	Region      string // scope region (the requested region)
	Service     string // scope service
	PayloadHash string // hex SHA-256 of the verified body, for signing it again
	Principal   *Principal
}

// Principal is who signed a request: a user (long-term keys or a
// GetSessionToken session) or an assumed-role session.
type Principal struct {
	Type              string // aws:PrincipalType: "User" | "AssumedRole"
	ARN               string // user ARN or arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
	RoleARN           string // role sessions
	Account           string
	UserID            string // aws:userid (AIDA... for users; AROA...:SESSION for roles)
	Username          string // aws:username (users only)
	SessionName       string
	SourceIdentity    string
	Tags              map[string]string // effective principal tags (session tags override)
	SessionTags       map[string]string
	TransitiveTagKeys []string
	SessionPolicies   []*authz.Policy
	IssuedAt          time.Time // aws:TokenIssueTime; zero for long-term keys
	IdentityPolicies  []*authz.Policy
	Boundary          *authz.Policy

	// Expires is when temporary credentials expire; zero for long-term keys.
	Expires time.Time
	// Chained is set for a role session assumed with role-session credentials.
	Chained bool
	// sessionTagList keeps the session tags in request order for chaining.
	sessionTagList []Tag
}

// Principal types (aws:PrincipalType).
const (
	PrincipalUser        = "User"
	PrincipalAssumedRole = "AssumedRole"
)

// AuthzPrincipal returns the principal for Principal matching in authz.
func (p *Principal) AuthzPrincipal() authz.Principal {
	return authz.Principal{ARN: p.ARN, Account: p.Account, RoleARN: p.RoleARN}
}

// Temporary reports whether the principal signed with temporary credentials.
func (p *Principal) Temporary() bool { return !p.IssuedAt.IsZero() }

// ContextPrincipal returns the principal as its condition keys describe it
// (reqcontext), in an organization orgID ("" for none).
func (p *Principal) ContextPrincipal(orgID string) reqcontext.Principal {
	return reqcontext.Principal{
		ARN: p.ARN, RoleARN: p.RoleARN, Account: p.Account, Type: p.Type,
		UserID: p.UserID, Username: p.Username, SourceIdentity: p.SourceIdentity,
		Tags: p.Tags, IssuedAt: p.IssuedAt, OrgID: orgID,
	}
}

// uniqueIDEncoding spells AWS-style unique IDs (upper-case letters and digits).
var uniqueIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// uniqueID derives a stable 21-character unique ID (AIDA... for users,
// AROA... for roles) from the principal's ARN, so every gateway instance
// gives the same aws:userid.
func uniqueID(prefix, arn string) string {
	h := sha256.Sum256([]byte(arn))
	return prefix + uniqueIDEncoding.EncodeToString(h[:])[:17]
}

// mergeTags returns base overridden by over, keys compared case-insensitively
// (a session tag replaces the role tag of the same key in any case).
func mergeTags(base map[string]string, over []Tag) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for _, t := range over {
		for k := range out {
			if strings.EqualFold(k, t.Key) {
				delete(out, k)
			}
		}
		out[t.Key] = t.Value
	}
	return out
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
