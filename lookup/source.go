// Package lookup supplies what a decision needs to know about the
// resources a request names: their aws:ResourceTag/… values (from the
// store, or looked up upstream and cached: Tags) and the ARNs of
// origination identities given as a phone number or a bare sender ID
// (Resolver: origination identities and verified destination numbers). The caches it keeps survive config reloads (a Caddy
// usage pool) and report to Prometheus.
//
// Lookups are the gateway's own calls (package awscall), made through the
// call function the caller hands over.
package lookup

import (
	"context"
	"strconv"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/reqcontext"
)

// resourceTagPrefix is the lower-cased prefix of the aws:ResourceTag/…
// condition keys.
const resourceTagPrefix = reqcontext.ResourceTagPrefix

// TagStatus says what a resource tag source knows about an ARN's tags.
type TagStatus uint8

const (
	// TagsNone: the resource has no aws:ResourceTag keys (its type is not
	// taggable, or no policy of the decision reads them).
	TagsNone TagStatus = iota
	// TagsKnown: the returned tags are the resource's tags.
	TagsKnown
	// The statuses below mean the tags are unknown: a decision that a
	// policy statement reading aws:ResourceTag can take part in is denied
	// (see the pipeline's authorize, module/handler.go).

	// TagsUnavailable: the lookup failed or timed out.
	TagsUnavailable
	// TagsNotLookedUp: an ARN of another account, region or partition than
	// the gateway's, whose tags the gateway does not ask for.
	TagsNotLookedUp
	// TagsOverBudget: the request already made MaxTagLookups lookups.
	TagsOverBudget
	// TagsNotInStore: resource_tags static, and neither the ARN nor its
	// taggable owner is in the store's resource_tags.
	TagsNotInStore
	// TagsOff: resource_tags off.
	TagsOff
)

// Unknown reports whether the status leaves the resource's tags unknown.
func (s TagStatus) Unknown() bool { return s >= TagsUnavailable }

// Why says why the tags are unknown, for the audit record and the error.
func (s TagStatus) Why() string {
	switch s {
	case TagsUnavailable:
		return "the tag lookup failed"
	case TagsNotLookedUp:
		return "not looked up: the ARN is not of the gateway's account, regions and partition"
	case TagsOverBudget:
		return "not looked up: the request needs more than " + strconv.Itoa(MaxTagLookups) + " tag lookups"
	case TagsNotInStore:
		return "the ARN is not in the store's resource_tags (resource_tags static)"
	case TagsOff:
		return "resource_tags off"
	}
	return ""
}

// StoreTags is the static resource tag source: the store's resource_tags,
// of the ARN or else of its taggable owner. A taggable resource the store
// does not list has unknown tags (list it with {} to declare it untagged).
type StoreTags struct{ Store *authn.Store }

// ResourceTags returns the store's tags of arn or of its taggable owner.
func (s StoreTags) ResourceTags(_ context.Context, arn string, in *authz.Input, _ *int) (map[string]string, TagStatus) {
	if tags, ok := s.Store.ResourceTags(arn); ok {
		return tags, TagsKnown
	}
	if in != nil && !authz.AnyApplicableReferencesKeyPrefix(in, resourceTagPrefix) {
		return nil, TagsNone // no statement that can apply reads them
	}
	owner, ok := apimap.TaggableOwner(arn)
	if !ok {
		return nil, TagsNone
	}
	if owner != arn {
		if tags, ok := s.Store.ResourceTags(owner); ok {
			return tags, TagsKnown
		}
	}
	return nil, TagsNotInStore
}

// NoTags is the resource tag source of resource_tags off: the tags of
// every taggable resource are unknown.
type NoTags struct{}

// ResourceTags returns no tags: those of a taggable resource are unknown
// (TagsOff).
func (NoTags) ResourceTags(_ context.Context, arn string, in *authz.Input, _ *int) (map[string]string, TagStatus) {
	if in != nil && !authz.AnyApplicableReferencesKeyPrefix(in, resourceTagPrefix) {
		return nil, TagsNone // no statement that can apply reads them
	}
	if _, ok := apimap.TaggableOwner(arn); !ok {
		return nil, TagsNone
	}
	return nil, TagsOff
}
