package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awscall"
)

// MaxTagLookups bounds the upstream tag lookups of one request (answers
// from the store or the cache do not count). A resource beyond it has
// unknown tags, which denies where a policy reads them: a request naming
// many resources cannot make the gateway spend many upstream calls.
const MaxTagLookups = 10

// NotFoundTTL is how long the answer "no such resource" (404) is cached,
// at most the TTL: long enough that repeated probes of one made-up ID
// cost one lookup, short enough that a resource created outside the
// gateway soon has its tags seen. Creates through the gateway drop the
// entry at once (Tags.Changed).
const NotFoundTTL = 5 * time.Second

// UpstreamTags is the resource tag source of resource_tags lookup: the
// store's resource_tags first (authoritative), then the upstream API's tags
// of the ARN's owning taggable resource, cached.
//
// Which decisions look up: only those where a statement that can apply to
// the action reads aws:ResourceTag/… (a condition key or a policy
// variable), see authz.AnyApplicableReferencesKeyPrefix. Cached tags of
// the ARN itself are used whenever present, since setting them costs less
// than asking.
type UpstreamTags struct {
	store *authn.Store
	cache *Cache[map[string]string]
	// resolver is told about changes too (numbers bought or released).
	resolver *Resolver
	// poolKey names the shared caches in lookupCaches ("" once released).
	poolKey string
	scope   scope
	call    CallFunc
	logger  *zap.Logger
}

// WithStore returns a source that reads the resource_tags of store first
// and shares everything else with s (the cache, the resolver, the lookups):
// the gateway binds each version of its store this way when it swaps it,
// so that a decision reads one store. Close s only, never the result.
func (s *UpstreamTags) WithStore(store *authn.Store) *UpstreamTags {
	c := *s
	c.store = store
	return &c
}

// Cache is the cache of looked-up tags, by taggable ARN.
func (s *UpstreamTags) Cache() *Cache[map[string]string] { return s.cache }

// ResourceTags returns the tags that apply to arn for aws:ResourceTag.
func (s *UpstreamTags) ResourceTags(ctx context.Context, arn string, in *authz.Input, lookups *int) (map[string]string, TagStatus) {
	if tags, ok := s.store.ResourceTags(arn); ok {
		return tags, TagsKnown
	}
	// The cache holds taggable owners only, so a hit on arn itself means
	// arn is its own owner (the common case), sparing the ARN parse.
	if tags, ok := s.cache.peek(arn); ok {
		return tags, TagsKnown
	}
	if in != nil && !authz.AnyApplicableReferencesKeyPrefix(in, resourceTagPrefix) {
		// No statement that can apply reads resource tags: don't ask.
		return nil, TagsNone
	}
	owner, ok := apimap.TaggableOwner(arn)
	if !ok {
		// Not a taggable type: it has no aws:ResourceTag key in AWS either.
		return nil, TagsNone
	}
	if owner != arn {
		if tags, ok := s.store.ResourceTags(owner); ok {
			return tags, TagsKnown
		}
		if tags, ok := s.cache.peek(owner); ok {
			return tags, TagsKnown
		}
	}
	if s.scope.check(owner) != nil {
		// Another account, region or partition: nothing to ask (and
		// nothing to log: the caller chose the ARN).
		return nil, TagsNotLookedUp
	}
	if lookups != nil {
		if *lookups >= MaxTagLookups {
			return nil, TagsOverBudget
		}
		*lookups++
	}
	tags, err := s.cache.get(ctx, owner, func(ctx context.Context) (map[string]string, error) {
		tags, err := s.ListTags(ctx, owner)
		if err != nil {
			// Logged once per failed lookup (not per waiting request); the
			// error names the ARN and the upstream's status, no secret.
			s.logger.Warn("resource tag lookup failed; decisions that read its tags are denied",
				zap.String("arn", owner), zap.Error(err))
		}
		return tags, err
	})
	if err != nil {
		return nil, TagsUnavailable
	}
	return tags, TagsKnown
}

// Changed drops the cached tags of the resources a tagging, untagging,
// create, delete or release call named (and those of dependent
// TagResource authorizations), so that the next decision asks again, well
// within the TTL; and, when the call succeeded, tells the resolver about
// origination identities bought or released. The pipeline calls it for
// every forwarded request whose upstream may have acted: a 2xx, and also
// a 5xx, timeout or transport error (the change may have happened even so).
func (s *UpstreamTags) Changed(api, operation string, auths []apimap.Permission, succeeded bool) {
	changes := tagChangingOperation(operation)
	var inv Invalidation // what the other instances drop too
	for _, a := range auths {
		_, name, _ := strings.Cut(a.Action, ":")
		if !changes && !strings.EqualFold(name, "TagResource") && !strings.EqualFold(name, "UntagResource") {
			continue
		}
		for _, arn := range a.Resources {
			if owner, ok := apimap.TaggableOwner(arn); ok {
				s.cache.invalidate(owner)
				inv.Tags = append(inv.Tags, owner)
			}
		}
	}
	if s.resolver != nil && succeeded {
		s.resolver.changed(operation, &inv)
	}
	if s.resolver != nil {
		s.resolver.sync.publish(inv)
	}
}

// tagChangingOperation says whether a call of operation may create,
// change or end a taggable resource named by any of its authorizations:
// tagging and untagging, and by the services' naming convention every
// Create…, Request… (v2 RequestPhoneNumber, RequestSenderId), Delete… and
// Release… operation. A create drops the cached answer of its new ARN
// (often a cached "not found" from a probe before it existed), whatever
// its dependent actions and with or without tags; one that names only its
// parent (CreateSegment on its app) re-reads the parent once.
func tagChangingOperation(op string) bool {
	switch op {
	case "TagResource", "UntagResource":
		return true
	}
	for _, verb := range [...]string{"Create", "Request", "Delete", "Release"} {
		if strings.HasPrefix(op, verb) {
			return true
		}
	}
	return false
}

// Close releases this config's use of the shared caches (the gateway's
// Cleanup).
func (s *UpstreamTags) Close() {
	if s.poolKey != "" {
		_, _ = lookupCaches.Delete(s.poolKey)
		s.poolKey = ""
	}
}

// tagLookupError is a tag answer the gateway could not use.
type tagLookupError struct {
	ARN    string
	Reason string
}

func (e *tagLookupError) Error() string {
	return fmt.Sprintf("tags of %s: %s", e.ARN, e.Reason)
}

// ListTags asks the upstream for the tags of a taggable resource:
// Pinpoint ListTagsForResource (GET /v1/tags/{arn}) or SMS and Voice v2
// ListTagsForResource. A resource the upstream does not know (404) has no
// tags: the answer is a nil map, which the cache keeps for notFoundTTL
// only (an existing resource without tags is an empty, non-nil map).
func (s *UpstreamTags) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	tags, err := s.listTagsCall(ctx, arn)
	var ue *awscall.Error
	if errors.As(err, &ue) && ue.Status == http.StatusNotFound {
		return nil, nil
	}
	return tags, err
}

// scope is what the gateway may look up: its partition, account and
// regions.
type scope struct {
	partition, account string
	regionAllowed      func(region string) bool
}

// check accepts the ARNs whose tags the gateway asks for: of its
// partition, account and regions.
func (sc scope) check(s string) error {
	a, err := arn.Parse(s)
	if err != nil {
		return &tagLookupError{ARN: s, Reason: err.Error()}
	}
	switch {
	case a.Partition != sc.partition:
		return &tagLookupError{ARN: s, Reason: "partition " + a.Partition + " is not the gateway's"}
	case a.Account != sc.account:
		return &tagLookupError{ARN: s, Reason: "account " + a.Account + " is not the gateway's"}
	case !sc.regionAllowed(a.Region):
		return &tagLookupError{ARN: s, Reason: "region " + a.Region + " is not in the gateway's regions"}
	}
	return nil
}

func (s *UpstreamTags) listTagsCall(ctx context.Context, resARN string) (map[string]string, error) {
	if err := s.scope.check(resARN); err != nil {
		return nil, err
	}
	a, _ := arn.Parse(resARN)
	switch a.Service {
	case "mobiletargeting":
		data, err := s.call(ctx, awscall.Call{
			API: apimap.APIPinpoint, Region: a.Region, Method: http.MethodGet,
			Path: "/v1/tags/" + awscall.EscapeLabel(resARN), Operation: "ListTagsForResource",
		})
		if err != nil {
			return nil, err
		}
		var out struct {
			Tags map[string]string `json:"tags"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, &tagLookupError{ARN: resARN, Reason: "malformed answer: " + err.Error()}
		}
		if out.Tags == nil {
			out.Tags = map[string]string{}
		}
		return out.Tags, nil
	case "sms-voice":
		body, _ := json.Marshal(struct {
			ResourceArn string `json:"ResourceArn"`
		}{resARN})
		data, err := s.call(ctx, awscall.Call{
			API: apimap.APISMSVoiceV2, Region: a.Region, Method: http.MethodPost, Path: "/",
			Target: "PinpointSMSVoiceV2.ListTagsForResource", Body: body, Operation: "ListTagsForResource",
		})
		if err != nil {
			return nil, err
		}
		var out struct {
			Tags []struct {
				Key   *string `json:"Key"`
				Value *string `json:"Value"`
			} `json:"Tags"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, &tagLookupError{ARN: resARN, Reason: "malformed answer: " + err.Error()}
		}
		tags := make(map[string]string, len(out.Tags))
		for _, t := range out.Tags {
			if t.Key == nil || t.Value == nil {
				return nil, &tagLookupError{ARN: resARN, Reason: "malformed answer: a tag without Key or Value"}
			}
			if _, dup := tags[*t.Key]; dup {
				// Which value would win is the answer's order, not a rule.
				return nil, &tagLookupError{ARN: resARN, Reason: "malformed answer: the tag key " + strconv.Quote(*t.Key) + " twice"}
			}
			tags[*t.Key] = *t.Value
		}
		return tags, nil
	}
	return nil, &tagLookupError{ARN: resARN, Reason: "service " + a.Service + " has no tag lookup"}
}

// CallFunc makes one of the gateway's own calls (awscall.Client.Do).
type CallFunc func(context.Context, awscall.Call) ([]byte, error)

// Config configures the lookups: those of resource_tags lookup (New), or
// the resolver's alone (NewResolver).
type Config struct {
	// Store is the credential store, whose resource_tags come first.
	Store *authn.Store
	// Call makes the lookups.
	Call CallFunc
	// Partition, Account and RegionAllowed say what may be looked up: the
	// gateway's own resources.
	Partition, Account string
	RegionAllowed      func(region string) bool
	// TTL, Size and Timeout are the cache settings (resource_tags' ttl,
	// size and timeout, or their defaults).
	TTL     time.Duration
	Size    int
	Timeout time.Duration
	// Now is the clock that judges expiry (time.Now if nil).
	Now func() time.Time
	// Logger receives a warning per failed lookup.
	Logger *zap.Logger
	// Metrics is the registry of the cache metrics (nil: none).
	Metrics prometheus.Registerer
	// PoolKey names what the cached answers depend on besides the cache
	// settings (account, endpoints, credentials as configured): configs of
	// the same key share their caches across reloads.
	PoolKey string
}

// New builds the lookup tag source and the origination identity resolver
// of resource_tags lookup. Release the shared caches with Tags.Close.
func New(cfg Config) (*UpstreamTags, *Resolver, error) {
	caches, key, err := acquireConfigured(cfg)
	if err != nil {
		return nil, nil, err
	}
	res := newResolver(cfg, caches)
	src := &UpstreamTags{store: cfg.Store, cache: caches.tags, resolver: res, poolKey: key, scope: res.scope, call: cfg.Call, logger: cfg.Logger}
	return src, res, nil
}

// NewResolver builds the resolver alone, for a gateway whose resource tags
// come from elsewhere (resource_tags static or off): origination
// identities and verified destination numbers resolve whatever the tag
// source. It shares its caches with the configs of the same key, as New
// does (cfg.Store is not used). Release them with Resolver.Close.
func NewResolver(cfg Config) (*Resolver, error) {
	caches, key, err := acquireConfigured(cfg)
	if err != nil {
		return nil, err
	}
	res := newResolver(cfg, caches)
	res.poolKey = key
	return res, nil
}

// acquireConfigured registers the cache metrics and acquires the shared
// caches of cfg; release them with lookupCaches.Delete(key).
func acquireConfigured(cfg Config) (*sharedCaches, string, error) {
	m, err := registerLookupMetrics(cfg.Metrics)
	if err != nil {
		return nil, "", fmt.Errorf("registering metrics: %w", err)
	}
	key := fmt.Sprintf("%s ttl=%s size=%d timeout=%s", cfg.PoolKey, cfg.TTL, cfg.Size, cfg.Timeout)
	caches, err := acquireCaches(key, cfg.TTL, cfg.Size, cfg.Timeout, cfg.Now)
	if err != nil {
		return nil, "", err
	}
	caches.tags.setObserver(m.observer(cacheResourceTags))
	caches.phones.setObserver(m.observer(cachePhoneNumbers))
	caches.senders.setObserver(m.observer(cacheSenderIDs))
	caches.verified.setObserver(m.observer(cacheVerifiedNumbers))
	return caches, key, nil
}

func newResolver(cfg Config, caches *sharedCaches) *Resolver {
	sc := scope{partition: cfg.Partition, account: cfg.Account, regionAllowed: cfg.RegionAllowed}
	return &Resolver{scope: sc, call: cfg.Call, phones: caches.phones, senders: caches.senders, verified: caches.verified, sync: caches.sync}
}
