// Package module is the Caddy glue of the gateway: the HTTP handler
// http.handlers.pinpoint_gateway (its configuration, Provision, Validate,
// Cleanup), its Caddyfile directive pinpoint_gateway, the request pipeline
// (admit, authenticate, map, authorize, audit, forward) and AWS-shaped
// error responses.
//
// The IAM logic itself lives in the packages authn, apimap and authz; the
// pipeline's helpers in forward (the client's request, re-signed), awscall
// (the gateway's own AWS calls and its credentials), lookup (resource tags
// and origination identities), audit (the record's encoding) and metrics.
// This package only wires them into Caddy.
package module

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awscall"
	"github.com/pinpointgw/gateway/forward"
	"github.com/pinpointgw/gateway/lookup"
	"github.com/pinpointgw/gateway/metrics"
	"github.com/pinpointgw/gateway/quota"
)

func init() {
	caddy.RegisterModule(Gateway{})
}

// Modes of the gateway.
const (
	// ModeEnforce forwards allowed requests and denies the others.
	ModeEnforce = "enforce"
	// ModeDryRun decides and audits every request, logging the ones that
	// would be denied, and forwards all authenticated requests anyway.
	ModeDryRun = "dry_run"
)

// Sources of upstream credentials.
const (
	// CredentialsDefault uses the AWS SDK's default credential chain
	// (environment, shared files, web identity, ECS, EC2 instance metadata).
	CredentialsDefault = "default"
	// CredentialsStatic uses a fixed access key.
	CredentialsStatic = "static"
	// CredentialsProfile uses a named profile of the shared AWS files.
	CredentialsProfile = "profile"
)

// Sources of aws:ResourceTag/… values.
const (
	// ResourceTagsStatic takes resource tags from the store only; a
	// taggable resource the store does not list has unknown tags.
	ResourceTagsStatic = "static"
	// ResourceTagsLookup takes them from the store, and for ARNs the store
	// does not tag, from the upstream API (cached).
	ResourceTagsLookup = "lookup"
	// ResourceTagsOff never sets aws:ResourceTag/… keys: the tags of every
	// taggable resource are unknown.
	ResourceTagsOff = "off"
)

// OriginationLookupOff is the value of origination_lookup that turns the
// resolution of origination identities and verified destination numbers
// off.
const OriginationLookupOff = "off"

// Defaults of the configuration.
const (
	DefaultRegion          = "us-east-1"
	DefaultMaxBody         = 10 << 20
	DefaultClockSkew       = 5 * time.Minute
	DefaultUpstreamTimeout = 30 * time.Second
	DefaultBodyTimeout     = 30 * time.Second
	DefaultTagLookupTTL    = 5 * time.Minute
	DefaultTagLookupSize   = 10000
	// DefaultTagLookupTimeout bounds one upstream tag lookup or identifier
	// resolution (resource_tags lookup, or origination_lookup without it).
	DefaultTagLookupTimeout = 2 * time.Second
)

// Gateway is an HTTP handler that enforces IAM policies on requests to
// Amazon Pinpoint and the Pinpoint SMS and Voice APIs (v1 and v2), and
// forwards the allowed ones to AWS re-signed with the gateway's own
// credentials. Requests signed for the service sts are answered by the
// gateway's local STS (AssumeRole, GetSessionToken, GetCallerIdentity).
//
// The handler is terminal: it answers every request itself.
type Gateway struct {
	// Account is the 12-digit AWS account ID used in the ARNs of the
	// store's principals and of the resources requests touch. Required.
	Account string `json:"account,omitempty"`

	// Region is the gateway's home region. Its partition (aws, aws-cn,
	// aws-us-gov, ...) is the partition of every ARN, and requests signed
	// for a region of another partition are refused. Default: us-east-1.
	Region string `json:"region,omitempty"`

	// Store is the path of the JSON credential store (users, groups, roles,
	// policies, resource policies, guardrails and resource tags). Secrets in
	// it may be written as {env.NAME}. Relative paths are relative to the
	// working directory of the process. The path itself may be a
	// placeholder resolved when the config loads, e.g. {env.GATEWAY_STORE};
	// one that resolves to nothing stops the load. At most 16 MiB. Required.
	Store string `json:"store,omitempty"`

	// StoreWatch is how often the store file is checked for changes: a
	// duration such as 1s, or off. A changed file is loaded, validated and
	// linted, then used for new requests (requests in flight finish on the
	// version they started with); a store that fails to load is refused,
	// the error logged with its position, and the running version stays.
	// Default: 1s.
	StoreWatch string `json:"store_watch,omitempty"`

	// StrictPolicies refuses a store whose policies have lint warnings (the
	// warnings of gateway simulate --lint: unknown actions, ForAllValues
	// under Allow, set qualifiers on single-valued keys, negated operators
	// on keys the gateway never provides, grants of retired operations
	// only; and unattached policies, short secrets), at start and at every
	// reload. Without it the warnings are logged and the store is used.
	// Default: false.
	StrictPolicies bool `json:"strict_policies,omitempty"`

	// SessionKeys are base64 (standard or URL-safe) 32-byte random keys
	// that seal the session tokens of temporary credentials issued by the
	// gateway's STS. The first key seals, all keys open, so keys can be
	// rotated by prepending a new one. Write them as placeholders resolved
	// at Provision, {env.GATEWAY_SESSION_KEY} or {file./run/secrets/key}, so
	// they stay out of the JSON config (Caddy's autosave.json and /config);
	// a key written literally, or as the Caddyfile's {$NAME}, which is
	// substituted when the Caddyfile is adapted, is saved there. The key
	// published in caddyfile.example's history and keys that are not random
	// (fewer than 8 distinct byte values) are refused. The single value
	// "ephemeral" is the development mode: a random key drawn once per
	// process, logged as a warning, whose sessions survive config reloads
	// but neither a restart nor a move to another instance. Default: none,
	// which disables temporary credentials (AssumeRole and GetSessionToken
	// are refused).
	SessionKeys []string `json:"session_keys,omitempty"`

	// DeploymentID is sealed into every session token with the account and
	// the partition: a gateway opens only the tokens of its own account,
	// partition and deployment ID, so deployments that share a session key
	// (by mistake or by a copied config) do not accept each other's
	// sessions. Instances that should accept each other's sessions use the
	// same value. At most 128 letters, digits and _.:/@+=- characters.
	// Default: "" (the account and the partition alone).
	DeploymentID string `json:"deployment_id,omitempty"`

	// Mode is enforce (deny what IAM denies) or dry_run (decide and audit
	// "would deny", but forward every authenticated request anyway, within
	// the Regions allow-list). Default: enforce.
	Mode string `json:"mode,omitempty"`

	// MaxBody is the largest request body in bytes the gateway accepts;
	// larger requests get 413 before any other work. Default: 10 MiB.
	MaxBody int64 `json:"max_body,omitempty"`

	// ClockSkew is how far the signing time of a request may be from the
	// gateway's clock. Default: 5m.
	ClockSkew caddy.Duration `json:"clock_skew,omitempty"`

	// AllowUnsignedPayload accepts requests whose X-Amz-Content-Sha256 is
	// UNSIGNED-PAYLOAD, on TLS connections only (the mapping decides on the
	// body, which the signature then does not cover; over plain HTTP they are
	// refused). The body is still forwarded exactly as authorized and
	// re-signed with its real hash. Default: false.
	AllowUnsignedPayload bool `json:"allow_unsigned_payload,omitempty"`

	// UpstreamCredentials are the AWS credentials the gateway signs
	// forwarded requests with. They are resolved when first needed and
	// refreshed automatically before they expire, so the gateway starts
	// without any. Default: the AWS SDK's default credential chain.
	UpstreamCredentials *UpstreamCredentials `json:"upstream_credentials,omitempty"`

	// Endpoint overrides the upstream base URL per API (keys pinpoint,
	// sms-voice, sms-voice-v2), e.g. for tests, VPC endpoints or FIPS
	// endpoints. The placeholders {region} (the requested region) and
	// {dns_suffix} (its partition's DNS suffix) are replaced per request.
	// Default: https://pinpoint.{region}.{dns_suffix},
	// https://sms-voice.pinpoint.{region}.{dns_suffix} and
	// https://sms-voice.{region}.{dns_suffix}.
	Endpoint map[string]string `json:"endpoint,omitempty"`

	// Regions is the allow-list of regions requests may be signed for (and
	// are forwarded to). Requests for any other region are denied with
	// AccessDeniedException, in dry_run mode too, since the region names
	// the host the gateway's credentials are sent to. Default: every region
	// of the home region's partition (a region that the API does not serve
	// there fails upstream with 502).
	Regions []string `json:"regions,omitempty"`

	// ResourceTags says where aws:ResourceTag/… values come from.
	// Default: static (the store's resource_tags only).
	ResourceTags *ResourceTagsConfig `json:"resource_tags,omitempty"`

	// OriginationLookup says whether the gateway resolves, with its own
	// cached DescribePhoneNumbers, DescribeSenderIds and
	// DescribeVerifiedDestinationNumbers calls, what a request names by a
	// value only the upstream can turn into a resource: an origination
	// identity given as a phone number or a bare sender ID, the sender-ID
	// reading of a value such as pool-x, and the number of a verified
	// destination number ID. It does not depend on the resource_tags
	// source; the caches use resource_tags lookup's ttl, size and timeout
	// when that is configured, and otherwise 5m, 10000 entries and 2s. A
	// lookup that fails (no upstream credentials, an error, a timeout)
	// denies the request. "off" never looks up: such requests are denied.
	// Default: "" (on).
	OriginationLookup string `json:"origination_lookup,omitempty"`

	// UpstreamTimeout bounds the wait for the upstream's response headers
	// after a forwarded request is sent; when it expires the client gets
	// 504. Default: 30s.
	UpstreamTimeout caddy.Duration `json:"upstream_timeout,omitempty"`

	// BodyTimeout bounds the time to receive a request's body once its
	// headers are in, so that a client that announces a body and stalls
	// holds a connection and a handler for no longer (it gets 408). It is
	// the connection's read deadline while the body is read, replacing the
	// server's read timeout for that time. Default: 30s.
	BodyTimeout caddy.Duration `json:"body_timeout,omitempty"`

	// OrgID is the ID of the AWS Organization of the account (o-…). When set,
	// aws:PrincipalOrgID and aws:ResourceOrgID are set to it, as AWS sets
	// them for principals and resources of an account in an organization,
	// so that data-perimeter policies behave as in AWS. Default: none (the
	// keys are absent).
	OrgID string `json:"org_id,omitempty"`

	// RetiredOperations says what the gateway does with calls to operations
	// AWS retired with Amazon Pinpoint's engagement features on 2026-10-30
	// (endpoints, segments, campaigns, journeys, analytics, ...; the table
	// is apimap/lifecycle.go): forward (AWS stays the authority on what it
	// still answers) or deny (answered by the gateway, after the policy
	// decision, with MethodNotAllowedException, 405). Either way the audit
	// record marks them (operation_lifecycle "retired") and the metric
	// retired_operation_calls_total counts them. Default: forward.
	RetiredOperations string `json:"retired_operations,omitempty"`

	// Quotas are named limits on how many destinations the requests of one
	// key (a principal, a tenant tag, a destination number, ...) may send to
	// per rolling window, against SMS and voice fraud. Several may govern a
	// request; all must admit it. Over a limit the client gets the API's
	// throttling error with Retry-After, and nothing is forwarded. Default:
	// none.
	Quotas []Quota `json:"quotas,omitempty"`

	// SharedState says where quota counters live: in the process (memory)
	// or in Redis, shared by every instance, which then also share the
	// invalidations of their lookup caches (a retag, create or delete
	// through one reaches the caches of all). Default: memory.
	SharedState *SharedState `json:"shared_state,omitempty"`

	// provisioned state
	logger *zap.Logger
	audit  *zap.Logger
	// state is what was built from the store version in use (storeState):
	// swapped whole when the store file changes, read once per request.
	state        *atomic.Pointer[storeState] // a pointer: Gateway is copied by value (CaddyModule)
	storePath    string                      // Store, placeholders resolved
	storeWatch   time.Duration
	stopWatch    func() // nil: no watcher
	storeStatus  *storeStatus
	storeMetrics *metrics.Stores
	partition    string
	regions      map[string]bool // nil: any region of the partition
	endpoints    *forward.Endpoints
	creds        aws.CredentialsProvider
	forwarder    *forward.Forwarder
	calls        *awscall.Client // the gateway's own calls (lookups)
	metrics      *metrics.Requests
	tags         resourceTagSource // not bound to a store version: storeState.tags is
	resolver     identifierResolver
	now          func() time.Time
	dryRun       bool

	sessionKeys *authn.SessionKeys // nil: no temporary credentials

	quotas          *quota.Set // nil: no quotas
	quotaStore      quota.Store
	closeQuotaStore func() error
	quotaMetrics    *metrics.Quotas

	closeInvalidation func() // nil: no shared invalidation (invalidation.go)
}

// UpstreamCredentials selects the AWS credentials of forwarded requests.
type UpstreamCredentials struct {
	// Source is default (the AWS SDK's default chain), static (the access
	// key below) or profile (a profile of the shared AWS config files).
	// Default: default.
	Source string `json:"source,omitempty"`

	// AccessKeyID is the access key ID of source static. It may be a
	// placeholder such as {env.UPSTREAM_ACCESS_KEY_ID}.
	AccessKeyID string `json:"access_key_id,omitempty"`

	// SecretAccessKey is the secret key of source static. Prefer a
	// placeholder such as {env.UPSTREAM_SECRET_ACCESS_KEY}: the JSON config
	// is readable through Caddy's admin API.
	SecretAccessKey string `json:"secret_access_key,omitempty"`

	// SessionToken is the optional session token of source static. It may
	// be a placeholder.
	SessionToken string `json:"session_token,omitempty"`

	// Profile is the profile name of source profile.
	Profile string `json:"profile,omitempty"`
}

// ResourceTagsConfig selects where aws:ResourceTag/… values come from.
type ResourceTagsConfig struct {
	// Source is static (the store's resource_tags only), lookup (the store,
	// then the upstream API's tags, cached) or off (no resource tags).
	// Default: static.
	Source string `json:"source,omitempty"`

	// TTL is how long a looked-up tag set is cached (source lookup).
	// Default: 5m.
	TTL caddy.Duration `json:"ttl,omitempty"`

	// Size is the number of ARNs the lookup cache holds (source lookup).
	// Default: 10000.
	Size int `json:"size,omitempty"`

	// Timeout bounds one upstream lookup (source lookup): tags, and the
	// resolution of origination identities given as a phone number or a
	// bare sender ID (origination_lookup, which uses the defaults of TTL,
	// Size and Timeout under the other sources). A lookup that fails or
	// times out leaves the tags unknown, which denies a request that a
	// policy statement reading aws:ResourceTag could decide; an
	// unresolvable identity is denied. Default: 2s.
	Timeout caddy.Duration `json:"timeout,omitempty"`
}

// CaddyModule returns the Caddy module information.
func (Gateway) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.pinpoint_gateway",
		New: func() caddy.Module { return new(Gateway) },
	}
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	orgIDRE   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// applyDefaults fills in the defaults of unset fields.
func (g *Gateway) applyDefaults() {
	if g.Region == "" {
		g.Region = DefaultRegion
	}
	if g.Mode == "" {
		g.Mode = ModeEnforce
	}
	if g.MaxBody == 0 {
		g.MaxBody = DefaultMaxBody
	}
	if g.ClockSkew == 0 {
		g.ClockSkew = caddy.Duration(DefaultClockSkew)
	}
	if g.UpstreamTimeout == 0 {
		g.UpstreamTimeout = caddy.Duration(DefaultUpstreamTimeout)
	}
	if g.BodyTimeout == 0 {
		g.BodyTimeout = caddy.Duration(DefaultBodyTimeout)
	}
	if g.RetiredOperations == "" {
		g.RetiredOperations = RetiredForward
	}
}

// Provision loads and compiles the store, the session keys, the upstream
// credentials and endpoints, and sets up forwarding, audit and metrics.
// A store that fails to load stops provisioning (and so a config reload
// with a bad store keeps the running config serving).
func (g *Gateway) Provision(ctx caddy.Context) error {
	g.logger = ctx.Logger()
	g.audit = g.logger.Named("audit")
	if g.now == nil {
		g.now = time.Now
	}
	g.applyDefaults()
	if err := g.validateConfig(); err != nil {
		return err
	}
	g.dryRun = g.Mode == ModeDryRun

	partition, ok := apimap.Partition(g.Region)
	if !ok {
		return fmt.Errorf("region %q is in no known partition", g.Region)
	}
	g.partition = partition

	repl := caddy.NewReplacer()
	store, data, err := g.provisionAuthn(repl)
	if err != nil {
		return err
	}
	if len(g.Regions) > 0 {
		g.regions = make(map[string]bool, len(g.Regions))
		for _, r := range g.Regions {
			g.regions[r] = true
		}
	}
	if err := g.provisionUpstream(repl); err != nil {
		return err
	}

	reg := ctx.GetMetricsRegistry()
	g.metrics, err = metrics.Register(reg)
	if err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}
	if g.storeMetrics, err = metrics.RegisterStores(reg); err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}

	g.tags, g.resolver, err = g.setupResourceTags(ctx, store)
	if err != nil {
		return fmt.Errorf("resource_tags: %w", err)
	}
	st, err := g.newState(store, data)
	if err != nil {
		return err
	}
	g.state = new(atomic.Pointer[storeState])
	g.state.Store(st)
	g.logWarnings(store, st.version)
	g.storeStatus = &storeStatus{path: g.storePath}
	g.storeStatus.loaded(st.version, st.loaded)
	g.storeMetrics.Loaded(g.storePath, st.version, st.loaded)
	if err := g.provisionInvalidation(ctx, repl); err != nil {
		return err
	}
	if err := g.provisionQuotas(ctx, repl); err != nil {
		return err
	}
	registerStoreStatus(g.storeStatus)
	g.startWatch(ctx, data)
	return nil
}

// provisionAuthn reads and compiles the store (its bytes are returned
// too, for its version) and the session keys.
func (g *Gateway) provisionAuthn(repl *caddy.Replacer) (*authn.Store, []byte, error) {
	var err error
	if g.storePath, err = resolveStorePath(repl, g.Store); err != nil {
		return nil, nil, err
	}
	if g.storeWatch, err = parseStoreWatch(g.StoreWatch); err != nil {
		return nil, nil, err
	}
	data, err := authn.ReadStoreFile(g.storePath)
	if err != nil {
		return nil, nil, fmt.Errorf("loading store: %w", err)
	}
	store, err := g.parseStore(data)
	if err != nil {
		return nil, nil, err // the file:line:column, or the policy, the statement and the field
	}
	g.sessionKeys, err = g.provisionSessionKeys(repl)
	if err != nil {
		return nil, nil, err
	}
	return store, data, nil
}

// provisionUpstream sets up what talks to AWS: the endpoint templates, the
// upstream credentials, the forwarder and the client of the gateway's own
// calls.
func (g *Gateway) provisionUpstream(repl *caddy.Replacer) error {
	var err error
	templates := make(map[string]string, len(forward.DefaultEndpoints))
	for api, def := range forward.DefaultEndpoints {
		templates[api] = def
		if override, ok := g.Endpoint[api]; ok {
			templates[api] = repl.ReplaceKnown(override, "")
		}
	}
	if g.endpoints, err = forward.NewEndpoints(templates, g.partition); err != nil {
		return err
	}

	if g.creds == nil {
		g.creds, err = upstreamCredentials(g.UpstreamCredentials, g.Region, repl, g.logger.Named("aws_sdk"))
		if err != nil {
			return fmt.Errorf("upstream_credentials: %w", err)
		}
	}
	g.forwarder = forward.New(forward.Config{
		Timeout:  time.Duration(g.UpstreamTimeout),
		Now:      g.now,
		ErrorLog: zap.NewStdLog(g.logger.Named("proxy")),
	})
	g.calls = &awscall.Client{Endpoints: g.endpoints, Credentials: g.creds, Forwarder: g.forwarder}
	return nil
}

// validateConfig checks the static configuration (after defaults).
func (g *Gateway) validateConfig() error {
	if g.Account == "" {
		return errors.New("account is required")
	}
	if !accountRE.MatchString(g.Account) {
		return fmt.Errorf("account %q is not a 12-digit AWS account ID", g.Account)
	}
	if g.Store == "" {
		return errors.New("store is required")
	}
	if _, err := parseStoreWatch(g.StoreWatch); err != nil {
		return err
	}
	if g.OrgID != "" && !orgIDRE.MatchString(g.OrgID) {
		return fmt.Errorf("org_id %q is not an AWS Organizations ID (o- and 10 to 32 lower-case letters or digits)", g.OrgID)
	}
	if g.Mode != ModeEnforce && g.Mode != ModeDryRun {
		return fmt.Errorf("mode %q: want %s or %s", g.Mode, ModeEnforce, ModeDryRun)
	}
	if g.RetiredOperations != RetiredForward && g.RetiredOperations != RetiredDeny {
		return fmt.Errorf("retired_operations %q: want %s or %s", g.RetiredOperations, RetiredForward, RetiredDeny)
	}
	if g.MaxBody < 0 {
		return fmt.Errorf("max_body %d is negative", g.MaxBody)
	}
	if g.ClockSkew < 0 {
		return fmt.Errorf("clock_skew %s is negative", time.Duration(g.ClockSkew))
	}
	if g.UpstreamTimeout < 0 {
		return fmt.Errorf("upstream_timeout %s is negative", time.Duration(g.UpstreamTimeout))
	}
	if g.BodyTimeout < 0 {
		return fmt.Errorf("body_timeout %s is negative", time.Duration(g.BodyTimeout))
	}
	part, ok := apimap.Partition(g.Region)
	if !ok {
		return fmt.Errorf("region %q is in no known partition", g.Region)
	}
	for _, r := range g.Regions {
		p, ok := apimap.Partition(r)
		if !ok {
			return fmt.Errorf("regions: %q is in no known partition", r)
		}
		if p != part {
			return fmt.Errorf("regions: %q is in partition %s, the default region %q in %s (ARNs of one gateway share a partition)", r, p, g.Region, part)
		}
	}
	if len(g.Regions) > 0 && !slices.Contains(g.Regions, g.Region) {
		return fmt.Errorf("regions: the default region %q is not in the list", g.Region)
	}
	for api := range g.Endpoint {
		if _, ok := forward.DefaultEndpoints[api]; !ok {
			return fmt.Errorf("endpoint: unknown API %q (want %s, %s or %s)", api, apimap.APIPinpoint, apimap.APISMSVoice, apimap.APISMSVoiceV2)
		}
	}
	if uc := g.UpstreamCredentials; uc != nil {
		switch uc.Source {
		case "", CredentialsDefault:
			if uc.AccessKeyID != "" || uc.SecretAccessKey != "" || uc.SessionToken != "" || uc.Profile != "" {
				return errors.New("upstream_credentials: source default takes no key or profile")
			}
		case CredentialsStatic:
			if uc.AccessKeyID == "" || uc.SecretAccessKey == "" {
				return errors.New("upstream_credentials: source static needs access_key_id and secret_access_key")
			}
			if uc.Profile != "" {
				return errors.New("upstream_credentials: source static takes no profile")
			}
		case CredentialsProfile:
			if uc.Profile == "" {
				return errors.New("upstream_credentials: source profile needs a profile name")
			}
			if uc.AccessKeyID != "" || uc.SecretAccessKey != "" || uc.SessionToken != "" {
				return errors.New("upstream_credentials: source profile takes no access key")
			}
		default:
			return fmt.Errorf("upstream_credentials: unknown source %q (want %s, %s or %s)", uc.Source, CredentialsDefault, CredentialsStatic, CredentialsProfile)
		}
	}
	if rt := g.ResourceTags; rt != nil {
		switch rt.Source {
		case "", ResourceTagsStatic, ResourceTagsOff, ResourceTagsLookup:
		default:
			return fmt.Errorf("resource_tags: unknown source %q (want %s, %s or %s)", rt.Source, ResourceTagsStatic, ResourceTagsLookup, ResourceTagsOff)
		}
		if rt.TTL < 0 || rt.Size < 0 || rt.Timeout < 0 {
			return errors.New("resource_tags: ttl, size and timeout must not be negative")
		}
		if rt.Source != ResourceTagsLookup && (rt.TTL != 0 || rt.Size != 0 || rt.Timeout != 0) {
			return fmt.Errorf("resource_tags: ttl, size and timeout apply to source %s only", ResourceTagsLookup)
		}
	}
	if g.OriginationLookup != "" && g.OriginationLookup != OriginationLookupOff {
		return fmt.Errorf("origination_lookup: %q: want %s or nothing (on)", g.OriginationLookup, OriginationLookupOff)
	}
	return g.validateQuotas()
}

// Validate checks the configuration across fields.
func (g *Gateway) Validate() error {
	if err := g.validateConfig(); err != nil {
		return err
	}
	if g.state == nil || g.forwarder == nil {
		return errors.New("gateway is not provisioned")
	}
	return nil
}

// Cleanup releases what Provision set up: the store watcher, idle
// upstream connections, the resource tag machinery and the quota state.
func (g *Gateway) Cleanup() error {
	if g.stopWatch != nil {
		g.stopWatch()
	}
	if g.storeStatus != nil {
		unregisterStoreStatus(g.storeStatus)
	}
	if g.forwarder != nil {
		g.forwarder.Close()
	}
	g.cleanupInvalidation()
	if c, ok := g.tags.(interface{ Close() }); ok {
		c.Close()
	}
	if g.closeQuotaStore != nil {
		return g.closeQuotaStore()
	}
	return nil
}

// resourceTagSource supplies aws:ResourceTag/… values of an ARN.
// The static source reads the store; a lookup source adds cached upstream
// lookups behind the same interface.
type resourceTagSource interface {
	// ResourceTags returns the tags of arn and what is known about them.
	// in is the decision about to be made: a source may skip work that no
	// policy of in needs. lookups counts the request's upstream lookups
	// (nil: unbounded); a source that would exceed lookup.MaxTagLookups
	// answers lookup.TagsOverBudget instead of asking.
	ResourceTags(ctx context.Context, arn string, in *authz.Input, lookups *int) (map[string]string, lookup.TagStatus)
}

// tagChangeObserver is implemented by resource tag sources that cache:
// after an operation was forwarded and the upstream may have acted on it
// (TagResource, UntagResource, a create, a delete), it is told, so that it
// can drop the cached tags of the ARNs involved at once. succeeded says
// the upstream answered 2xx.
type tagChangeObserver interface {
	Changed(api, operation string, auths []apimap.Permission, succeeded bool)
}

// identifierResolver resolves what a request names by value and only the
// upstream knows: it replaces provisional ARNs of apimap results (an E.164
// number or a bare sender ID given as an origination identity) by the real
// resource ARNs, and finds the phone number of a verified destination
// number. Without a resolver such requests are denied (fail closed).
type identifierResolver interface {
	Resolve(ctx context.Context, region string, res *apimap.Result) error
	VerifiedNumber(ctx context.Context, region, id string) (string, error)
}

// setupResourceTags builds the resource tag source for the configured
// resource_tags source, and the identifier resolver for origination_lookup
// (on unless "off", whatever the tag source).
// store is the first version of the store: the sources are bound to each
// version by bindStore.
func (g *Gateway) setupResourceTags(ctx caddy.Context, store *authn.Store) (resourceTagSource, identifierResolver, error) {
	source := ResourceTagsStatic
	if g.ResourceTags != nil && g.ResourceTags.Source != "" {
		source = g.ResourceTags.Source
	}
	reg := ctx.GetMetricsRegistry()
	var tags resourceTagSource
	switch source {
	case ResourceTagsLookup:
		src, res, err := g.setupLookup(reg, store)
		if err != nil {
			return nil, nil, err
		}
		if g.OriginationLookup == OriginationLookupOff {
			return src, originationLookupOff{}, nil
		}
		return src, res, nil
	case ResourceTagsOff:
		tags = lookup.NoTags{}
	default:
		tags = lookup.StoreTags{Store: store}
	}
	if g.OriginationLookup == OriginationLookupOff {
		return tags, originationLookupOff{}, nil
	}
	res, err := lookup.NewResolver(g.lookupConfig(reg, store))
	if err != nil {
		return nil, nil, err
	}
	return resolverTags{resourceTagSource: tags, resolver: res}, res, nil
}

// setupLookup builds the lookup tag source and the origination identity
// resolver of resource_tags lookup, with their metrics in reg.
func (g *Gateway) setupLookup(reg prometheus.Registerer, store *authn.Store) (resourceTagSource, identifierResolver, error) {
	tags, origins, err := lookup.New(g.lookupConfig(reg, store))
	if err != nil {
		return nil, nil, err
	}
	return tags, origins, nil
}

// lookupConfig is the configuration of the upstream lookups: the cache
// settings of resource_tags lookup when configured, else the defaults.
// store is the first version of the store (UpstreamTags.WithStore binds
// the next ones).
func (g *Gateway) lookupConfig(reg prometheus.Registerer, store *authn.Store) lookup.Config {
	ttl, size, timeout := DefaultTagLookupTTL, DefaultTagLookupSize, DefaultTagLookupTimeout
	if rt := g.ResourceTags; rt != nil && rt.Source == ResourceTagsLookup {
		if rt.TTL > 0 {
			ttl = time.Duration(rt.TTL)
		}
		if rt.Size > 0 {
			size = rt.Size
		}
		if rt.Timeout > 0 {
			timeout = time.Duration(rt.Timeout)
		}
	}
	return lookup.Config{
		Store:         store,
		Call:          g.calls.Do,
		Partition:     g.partition,
		Account:       g.Account,
		RegionAllowed: g.regionAllowed,
		TTL:           ttl,
		Size:          size,
		Timeout:       timeout,
		Now:           g.now,
		Logger:        g.logger,
		Metrics:       reg,
		PoolKey:       lookupPoolKey(g),
	}
}

// lookupPoolKey names what the cached lookup answers depend on besides the
// cache settings: the account, the upstream endpoints and credentials (as
// configured, placeholders unresolved: no secret is resolved into the
// key).
func lookupPoolKey(g *Gateway) string {
	var b strings.Builder
	fmt.Fprintf(&b, "account=%s region=%s", g.Account, g.Region)
	apis := make([]string, 0, len(g.Endpoint))
	for api := range g.Endpoint {
		apis = append(apis, api)
	}
	sort.Strings(apis)
	for _, api := range apis {
		fmt.Fprintf(&b, " endpoint.%s=%s", api, g.Endpoint[api])
	}
	if uc := g.UpstreamCredentials; uc != nil {
		fmt.Fprintf(&b, " credentials=%s/%s/%s", uc.Source, uc.AccessKeyID, uc.Profile)
	}
	return b.String()
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Gateway)(nil)
	_ caddy.Validator             = (*Gateway)(nil)
	_ caddy.CleanerUpper          = (*Gateway)(nil)
	_ caddyhttp.MiddlewareHandler = (*Gateway)(nil)
	_ caddyfile.Unmarshaler       = (*Gateway)(nil)
)
