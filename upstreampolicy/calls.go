package upstreampolicy

import "github.com/pinpointgw/gateway/apimap"

// Feature is a part of the configuration that makes the gateway call AWS itself.
type Feature int

// The features that make the gateway's own calls.
const (
	// TagLookup is resource_tags lookup: the tags of a resource the store does not tag.
	TagLookup Feature = iota + 1
	// OriginationLookup is origination_lookup (on unless "off"): origination identities
	// given as a phone number or a bare sender ID, and verified destination numbers.
	OriginationLookup
)

// OwnCall is one call the gateway makes with its own credentials (package lookup, through
// awscall.Client.Do), with the action and resource AWS authorizes it on.
type OwnCall struct {
	API       string // awscall.Call's API: apimap.APIPinpoint or apimap.APISMSVoiceV2
	Operation string // awscall.Call's Operation
	Action    string
	// Resource is the ARN pattern of what the call names, with ${Partition}, ${Region}
	// and ${Account} for the gateway's; "*" for a listing that names nothing.
	Resource string
	When     Feature
}

// OwnCalls lists every call the gateway makes with its own credentials.
// TestOwnCallsListEveryCallSite fails when a call site of awscall.Call in the code names an
// operation this table lacks.
var OwnCalls = []OwnCall{
	// lookup/tags.go: GET /v1/tags/{arn} of a mobiletargeting resource of the gateway's
	// account and regions (scope.check).
	{API: apimap.APIPinpoint, Operation: "ListTagsForResource", Action: "mobiletargeting:ListTagsForResource",
		Resource: "arn:${Partition}:mobiletargeting:${Region}:${Account}:*", When: TagLookup},
	// lookup/tags.go: ListTagsForResource of an sms-voice resource, ditto.
	{API: apimap.APISMSVoiceV2, Operation: "ListTagsForResource", Action: "sms-voice:ListTagsForResource",
		Resource: "arn:${Partition}:sms-voice:${Region}:${Account}:*", When: TagLookup},
	// lookup/resolve.go: the region's phone numbers, listed without IDs.
	{API: apimap.APISMSVoiceV2, Operation: "DescribePhoneNumbers", Action: "sms-voice:DescribePhoneNumbers",
		Resource: "*", When: OriginationLookup},
	// lookup/resolve.go: the sender IDs of a name, listed with a filter and no IDs.
	{API: apimap.APISMSVoiceV2, Operation: "DescribeSenderIds", Action: "sms-voice:DescribeSenderIds",
		Resource: "*", When: OriginationLookup},
	// lookup/verified.go: one verified destination number, by its ID.
	{API: apimap.APISMSVoiceV2, Operation: "DescribeVerifiedDestinationNumbers", Action: "sms-voice:DescribeVerifiedDestinationNumbers",
		Resource: "arn:${Partition}:sms-voice:${Region}:${Account}:verified-destination-number/*", When: OriginationLookup},
}
