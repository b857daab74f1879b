// Package authn decides who is calling: it verifies AWS Signature Version 4
// (the Authorization header and the presigned query form), holds the
// credential store, seals and opens the session tokens of temporary
// credentials, and serves a local STS (AssumeRole, GetSessionToken,
// GetCallerIdentity). It imports no Caddy; it uses authz for trust policies
// (authz.TrustPolicy) and reqcontext for the request context of their
// evaluation.
//
// # Store
//
//	func LoadStore(path string, opts StoreOptions) (*Store, error)
//	func ParseStore(name string, data []byte, opts StoreOptions) (*Store, error)
//	type StoreOptions struct{ Account, Partition string; LookupEnv func(string) (string, bool); KnownAction func(string) bool }
//	func (s *Store) ResourcePolicy(arn string) *authz.Policy
//	func (s *Store) Guardrails() []*authz.Policy
//	func (s *Store) ResourceTags(arn string) (map[string]string, bool)
//	func (s *Store) PrincipalPolicies(arn string) (identity []*authz.Policy, boundary *authz.Policy, ok bool)
//	func (s *Store) ManagedPolicy(name string) (*authz.Policy, bool)
//	func (s *Store) Warnings() []string
//	func (s *Store) Account() string; func (s *Store) Partition() string
//
// The store is the JSON of the README's "The store", read strictly (unknown fields are errors).
// Secrets are literal or "{env.NAME}" (an unset variable is an error,
// ErrMissingEnv). Access key IDs are AKIA + 16 upper-case letters or digits
// and unique; referenced policies, groups and boundaries must exist; tags
// follow AWS's rules; roles need a trust policy and take
// max_session_duration ("1h".."12h" or seconds; default 1h). Policy errors
// wrap *authz.PolicyError and name the file, the owner, the policy, the
// statement and the field. Groups may also have inline_policies.
//
// # Verification
//
//	func ParseSessionKeys(keys []string) (*SessionKeys, error)
//	func EphemeralSessionKeys() (*SessionKeys, error)
//	type Config struct{ Store; SessionKeys; DeploymentID; OrgID; ClockSkew; AllowUnsignedPayload; Now }
//	func New(cfg Config) (*Authenticator, error)
//	func (a *Authenticator) Authenticate(r *http.Request, body []byte) (*Authenticated, error) // *Error
//	type Authenticated struct{ AccessKeyID, Region, Service, PayloadHash string; Principal *Principal }
//	func (p *Principal) AuthzPrincipal() authz.Principal
//	func (p *Principal) ContextPrincipal(orgID string) reqcontext.Principal // the principal's condition keys
//	type Error struct{ Kind ErrorKind; Message string }; func (e *Error) Status() int; func (e *Error) Code(p awserr.Protocol) string
//
// The SigV4 steps are exported one by one in spec order (ParseCredential,
// ParseAuthorization, ParsePresign, NormalizePath, CanonicalURI,
// CanonicalQuery, CanonicalHeaders, CanonicalRequest, StringToSign,
// SigningKey, Signature) and tested against the botocore and aws-c-auth
// suites. The path is taken as sent (r.RequestURI, else r.URL.EscapedPath()),
// normalized and encoded once more, as AWS services other than S3 do. Rules:
// host must be signed, and so must Content-Type and every X-Amz-* header
// present (X-Amz-Target selects the operation; X-Amz-Security-Token alone may
// be unsigned, its seal binds it to the signing key), in canonical spelling;
// query parameters named X-Amz-* other than SigV4's are refused; the scope
// date equals the request date; the request
// date is within ClockSkew of now (presigned: not before date-skew, not after
// date+X-Amz-Expires, at most 7 days; without X-Amz-Expires, as the SDKs
// presign STS calls, within ClockSkew); X-Amz-Content-Sha256, when sent, must
// be the body's SHA-256 (UNSIGNED-PAYLOAD only when allowed); AKIA keys must
// come without a session token, ASIA keys with a token sealed for that very
// key; signatures are compared in constant time; derived signing keys and
// opened tokens are cached in LRUs. The scope's service is returned in
// Authenticated: the caller checks it against the API's signing name.
//
// # Temporary credentials and STS
//
//	func (a *Authenticator) HandleSTS(req *STSRequest) *STSResponse
//
// Session tokens are AES-256-GCM sealed claims (version, key ID, nonce) under
// the first session key, with the issuer's partition, account and deployment
// ID as associated data; every key opens, so keys rotate. Published and
// non-random keys are refused. An opened token must claim a validity the STS
// can issue (36 h user, 12 h role, 1 h chained; not issued in the future).
// AssumeRole
// evaluates the role's trust policy (authz.TrustPolicy) for sts:AssumeRole, plus
// sts:TagSession when session tags are passed or inherited and
// sts:SetSourceIdentity when a source identity is set (as AWS requires), with
// the caller's identity policies, boundary and session policies and the
// guardrails, in a request context with the same global keys as the
// gateway's own decisions (reqcontext; aws:PrincipalOrgID from
// Config.OrgID) and the sts: keys. The trust policy must always allow the
// caller (an identity allow alone never assumes a role); one naming the
// caller's ARN suffices in the same account, one naming the account root
// needs an identity allow too. Trust policies may not have Resource
// elements (AWS refuses them; authz.ParseTrust). Role
// chaining is limited to one hour; transitive tags carry over and cannot be
// overwritten. The caller sets the x-amzn-RequestId header itself.
package authn
