package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/arn"
	"github.com/pinpointgw/gateway/awscall"
)

// maxDescribePages bounds the pages of one DescribePhoneNumbers or
// DescribeSenderIds listing (100 items a page).
const maxDescribePages = 100

// ErrUnresolvable is wrapped by the error of an identifier the upstream
// does not know (no such phone number, sender ID or verified destination
// number in the account).
var ErrUnresolvable = errors.New("no such resource in the account")

// Resolver resolves what a request names by value and only the upstream
// knows, with the cached-lookup machinery of resource tags: SMS and Voice
// v2 origination identities given as an E.164 phone number or a bare
// sender ID, to their ARNs (Resolve), and verified destination numbers, to
// their phone numbers (VerifiedNumber).
//
//   - a phone number: DescribePhoneNumbers takes no phone number as an ID
//     (PhoneNumberIds are phone-… IDs or ARNs) and has no filter on the
//     number, so the gateway lists the region's numbers once per TTL and
//     caches the index number -> ARN;
//   - a sender ID: DescribeSenderIds with the filter sender-id; a sender ID
//     registered in several countries resolves to all of their ARNs, and
//     the request must be allowed on every one (AWS picks one by the
//     destination's country; the gateway cannot know which beforehand).
//
// Anything unresolvable is an error, and the handler denies (fail closed).
type Resolver struct {
	scope    scope
	call     CallFunc
	phones   *Cache[map[string]string] // region -> number -> ARN
	senders  *Cache[[]string]          // region + "/" + sender ID -> ARNs
	verified *Cache[string]            // region + "/" + verified destination number ID or ARN -> its phone number
	sync     *Sync                     // the caches' link to the other instances
	// poolKey names the shared caches in lookupCaches when the resolver
	// holds them itself (NewResolver; "" once released, or when the tag
	// source of New holds them).
	poolKey string
}

// Changed tells the resolver about a forwarded call (the signature of
// UpstreamTags.Changed, for a gateway without resource_tags lookup): after
// one that succeeded and bought, released or deleted origination
// identities or verified numbers, the caches concerned are emptied.
func (r *Resolver) Changed(_, operation string, auths []apimap.Permission, succeeded bool) {
	if succeeded {
		var inv Invalidation
		r.changed(operation, &inv)
		r.sync.publish(inv)
	}
}

// Close releases the shared caches of a resolver built by NewResolver
// (the gateway's Cleanup).
func (r *Resolver) Close() {
	if r.poolKey != "" {
		_, _ = lookupCaches.Delete(r.poolKey)
		r.poolKey = ""
	}
}

// Resolve replaces the provisional ARNs of res.Unresolved and clears it.
// On error it leaves res.Unresolved starting at the entry that failed, so
// that the caller names it.
//
// An Alternative entry is the sender-ID reading of a value that is also
// an ID (pool-x, see apimap's maybeSenderID); the permission holds the ID
// reading's ARN too, and the request must be allowed on both. When the
// upstream lists no such sender ID (ErrUnresolvable), the account has none
// and AWS cannot send from one: that reading does not exist, its
// provisional ARN is dropped and the ID reading alone decides. Any other
// failure (an upstream error, a timeout, no upstream credentials) leaves
// it unknown whether the sender ID exists, and denies like every failed
// lookup (fail closed). With a complete provisional ARN (the request's
// IsoCountryCode) the reading exists only if the listing holds that ARN.
// A "not found" is cached for NotFoundTTL only (see acquireCaches), so a
// sender ID registered outside the gateway counts within seconds; one
// requested through the gateway empties the cache.
func (r *Resolver) Resolve(ctx context.Context, region string, res *apimap.Result) error {
	var drop map[[2]int]bool // {permission, resource} of readings that do not exist
	for i, u := range res.Unresolved {
		if u.Permission < 0 || u.Permission >= len(res.Permissions) ||
			u.Resource < 0 || u.Resource >= len(res.Permissions[u.Permission].Resources) {
			res.Unresolved = res.Unresolved[i:]
			return fmt.Errorf("resolving %s %q: index out of range", u.Form, u.Value)
		}
		arns, err := r.lookup(ctx, region, u.Form, u.Value)
		if err != nil {
			if u.Alternative && errors.Is(err, ErrUnresolvable) {
				drop = dropReading(drop, u)
				continue
			}
			res.Unresolved = res.Unresolved[i:]
			return err // the caller names the identity
		}
		a := &res.Permissions[u.Permission]
		if provisional := a.Resources[u.Resource]; u.Alternative && completeSenderID(provisional) {
			// The request named the country: the reading exists if that
			// very sender ID does.
			if !slices.Contains(arns, provisional) {
				drop = dropReading(drop, u)
				continue
			}
			arns = []string{provisional}
		}
		a.Resources[u.Resource] = arns[0]
		if len(arns) > 1 {
			// A full slice expression: never write into an array that
			// another authorization may share.
			a.Resources = append(a.Resources[:len(a.Resources):len(a.Resources)], arns[1:]...)
		}
	}
	// Drop the readings that do not exist last: the indexes of the entries
	// above refer to the resources as mapped (resolved ARNs beyond the
	// first were appended, after all of them).
	for p := 0; drop != nil && p < len(res.Permissions); p++ {
		a := &res.Permissions[p]
		kept := make([]string, 0, len(a.Resources))
		dropped := false
		for j, arn := range a.Resources {
			if drop[[2]int{p, j}] {
				dropped = true
				continue
			}
			kept = append(kept, arn)
		}
		if !dropped {
			continue
		}
		if len(kept) == 0 {
			// Cannot happen (the ID reading stays); never authorize a
			// permission on nothing.
			return fmt.Errorf("resolving the origination identity of %s: no reading left", a.Action)
		}
		a.Resources = kept
	}
	res.Unresolved = nil
	return nil
}

// dropReading records that the reading of u does not exist.
func dropReading(drop map[[2]int]bool, u apimap.Unresolved) map[[2]int]bool {
	if drop == nil {
		drop = make(map[[2]int]bool)
	}
	drop[[2]int{u.Permission, u.Resource}] = true
	return drop
}

// completeSenderID reports whether s is the ARN of a sender ID in one
// country (…:sender-id/NAME/COUNTRY), as apimap builds it from a request's
// IsoCountryCode.
func completeSenderID(s string) bool {
	_, rest, ok := strings.Cut(s, ":sender-id/")
	return ok && strings.Contains(rest, "/")
}

// lookup returns the ARNs of one origination identity.
func (r *Resolver) lookup(ctx context.Context, region, kind, value string) ([]string, error) {
	switch kind {
	case "phone-number":
		number := value
		if !strings.HasPrefix(number, "+") {
			number = "+" + number
		}
		index, err := r.phones.get(ctx, region, func(ctx context.Context) (map[string]string, error) {
			return r.phoneNumberIndex(ctx, region)
		})
		if err != nil {
			return nil, err
		}
		arn, ok := index[number]
		if !ok {
			return nil, fmt.Errorf("%w: DescribePhoneNumbers lists no %s in %s", ErrUnresolvable, number, region)
		}
		return []string{arn}, nil
	case "sender-id":
		arns, err := r.senders.get(ctx, region+"/"+value, func(ctx context.Context) ([]string, error) {
			return r.senderIDARNs(ctx, region, value)
		})
		if err != nil {
			return nil, err
		}
		if len(arns) == 0 {
			return nil, fmt.Errorf("%w: DescribeSenderIds lists no sender ID %s in %s", ErrUnresolvable, value, region)
		}
		return arns, nil
	}
	return nil, fmt.Errorf("unknown kind of origination identity %q", kind)
}

// changed empties the caches after a successful call that buys, releases
// or deletes origination identities, and notes in inv what it emptied.
func (r *Resolver) changed(operation string, inv *Invalidation) {
	switch operation {
	case "RequestPhoneNumber", "ReleasePhoneNumber":
		r.phones.purge()
		inv.PhoneNumbers = true
	case "RequestSenderId", "ReleaseSenderId", "DeleteSenderId":
		r.senders.purge()
		inv.SenderIDs = true
	case "DeleteVerifiedDestinationNumber":
		r.verified.purge()
		inv.VerifiedNumbers = true
	}
}

// describePage is one page of a Describe… listing.
type describePage struct {
	PhoneNumbers []struct {
		PhoneNumber    string `json:"PhoneNumber"`
		PhoneNumberArn string `json:"PhoneNumberArn"`
	} `json:"PhoneNumbers"`
	SenderIds []struct {
		SenderId    string `json:"SenderId"`
		SenderIdArn string `json:"SenderIdArn"`
	} `json:"SenderIds"`
	VerifiedDestinationNumbers []struct {
		VerifiedDestinationNumberArn string `json:"VerifiedDestinationNumberArn"`
		VerifiedDestinationNumberId  string `json:"VerifiedDestinationNumberId"`
		DestinationPhoneNumber       string `json:"DestinationPhoneNumber"`
	} `json:"VerifiedDestinationNumbers"`
	NextToken string `json:"NextToken"`
}

// describeAll pages through a v2 Describe… operation; request is the
// request body without NextToken, page is called for each answer.
func (r *Resolver) describeAll(ctx context.Context, region, op string, request map[string]any, page func(*describePage) error) error {
	token := ""
	for range maxDescribePages {
		req := map[string]any{"MaxResults": 100}
		for k, v := range request {
			req[k] = v
		}
		if token != "" {
			req["NextToken"] = token
		}
		body, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		data, err := r.call(ctx, awscall.Call{
			API: apimap.APISMSVoiceV2, Region: region, Method: http.MethodPost, Path: "/",
			Target: "PinpointSMSVoiceV2." + op, Body: body, Operation: op,
		})
		if err != nil {
			return err
		}
		var p describePage
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("%s: malformed answer: %w", op, err)
		}
		if err := page(&p); err != nil {
			return err
		}
		if p.NextToken == "" {
			return nil
		}
		token = p.NextToken
	}
	return fmt.Errorf("%s: more than %d pages", op, maxDescribePages)
}

// phoneNumberIndex lists the region's phone numbers: number -> ARN.
func (r *Resolver) phoneNumberIndex(ctx context.Context, region string) (map[string]string, error) {
	index := make(map[string]string)
	err := r.describeAll(ctx, region, "DescribePhoneNumbers", nil, func(p *describePage) error {
		for _, n := range p.PhoneNumbers {
			if err := r.scope.checkResolved(n.PhoneNumberArn, region, "phone-number/"); err != nil {
				return err
			}
			index[n.PhoneNumber] = n.PhoneNumberArn
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return index, nil
}

// senderIDARNs lists the ARNs of a sender ID in the region (one a country).
func (r *Resolver) senderIDARNs(ctx context.Context, region, sender string) ([]string, error) {
	var arns []string
	filter := map[string]any{"Filters": []map[string]any{{"Name": "sender-id", "Values": []string{sender}}}}
	err := r.describeAll(ctx, region, "DescribeSenderIds", filter, func(p *describePage) error {
		for _, s := range p.SenderIds {
			if s.SenderId != sender {
				continue
			}
			if err := r.scope.checkResolved(s.SenderIdArn, region, "sender-id/"); err != nil {
				return err
			}
			arns = append(arns, s.SenderIdArn)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return arns, nil
}

// checkResolved accepts only an ARN of the gateway's partition and
// account, the region asked, the service sms-voice and the type expected.
func (sc scope) checkResolved(s, region, typePrefix string) error {
	a, err := arn.Parse(s)
	if err != nil {
		return fmt.Errorf("upstream answered the ARN %q: %w", s, err)
	}
	if a.Partition != sc.partition || a.Service != "sms-voice" || a.Region != region ||
		a.Account != sc.account || !strings.HasPrefix(a.Resource, typePrefix) {
		return fmt.Errorf("upstream answered the ARN %q, not one of %s in %s of account %s", s, strings.TrimSuffix(typePrefix, "/"), region, sc.account)
	}
	return nil
}
