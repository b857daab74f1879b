package module

import (
	"context"
	"errors"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/lookup"
)

// errOriginationLookupOff is why a request that needs a resolution is
// denied under origination_lookup off.
var errOriginationLookupOff = errors.New("origination_lookup is off")

// originationLookupOff is the identifier resolver of origination_lookup
// off: it resolves nothing, so requests that name an origination identity
// by phone number or bare sender ID, or a verified destination number, are
// denied (fail closed), with a reason that names the option.
type originationLookupOff struct{}

func (originationLookupOff) Resolve(context.Context, string, *apimap.Result) error {
	return errOriginationLookupOff
}

func (originationLookupOff) VerifiedNumber(context.Context, string, string) (string, error) {
	return "", errOriginationLookupOff
}

// resolverTags is a tag source without caches of its own (resource_tags
// static or off) paired with the resolver of origination_lookup: the
// pipeline tells it about forwarded calls (tagChangeObserver), which empty
// the resolver's caches after numbers or sender IDs are bought or
// released, and the gateway's Cleanup closes it, which releases the
// resolver's shared caches.
type resolverTags struct {
	resourceTagSource
	resolver *lookup.Resolver
}

// Changed passes a forwarded call on to the resolver.
func (t resolverTags) Changed(api, operation string, auths []apimap.Permission, succeeded bool) {
	t.resolver.Changed(api, operation, auths, succeeded)
}

// Close releases the resolver's shared caches.
func (t resolverTags) Close() { t.resolver.Close() }

// Interface guards
var (
	_ identifierResolver = originationLookupOff{}
	_ identifierResolver = (*lookup.Resolver)(nil)
	_ tagChangeObserver  = resolverTags{}
)
