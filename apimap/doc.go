// Package apimap maps an HTTP request to one of the 239 operations of Amazon
// Pinpoint (2016-12-01), Pinpoint SMS and Voice v1 (2018-09-05) and SMS and
// Voice v2 (2022-03-31), and to the IAM authorizations it needs: each action
// (the operation's own, then dependent actions such as iam:PassRole or
// sms-voice:TagResource) with the resource ARNs it must be allowed on, plus
// the tags and tag keys the request sets, the resources outside its own it
// references, and who the messages it sends go to (its destinations).
//
// It imports no Caddy and no AWS SDK. The operation table (zz_generated.go)
// is generated from ../shared/data by `go generate ./apimap` and checked in.
//
// # API
//
//	const APIPinpoint, APISMSVoice, APISMSVoiceV2 = "pinpoint", "sms-voice", "sms-voice-v2"
//	type Request struct { Method, RawPath, RawQuery string; Header http.Header; Body []byte; Region, Account, Service string }
//	type Permission struct { Action string; Resources []string; PassedToService string }
//	type Unresolved struct { Permission, Resource int; Form, Value string; Alternative bool }
//	type Reference struct { ResourceType, Member, Value, ARN string }
//	const DestinationPhoneNumber, DestinationVerifiedID, DestinationEndpoint, DestinationUser =
//	    "phone-number", "verified-destination-number-id", "endpoint-id", "user-id"
//	type Destination struct { Form, Member, Value string }
//	type Result struct { API, Operation string; Permissions []Permission;
//	    RequestTags map[string]string; TagKeys []string; Unresolved []Unresolved;
//	    References []Reference; Destinations []Destination; Lifecycle Lifecycle; Rule string;
//	    Parameters []Parameter }           // the identifier members it read (never free text)
//	type Parameter struct { Member, Value string }
//	const RuleModel, RuleIAMReference = "model", "iam-reference"
//	const IAMReferenceNote, UnmodeledRefusal string
//	func Map(req *Request) (*Result, error)   // errors: *Error{Kind, Msg}
//	type ErrorKind int                        // UnknownOperation, BadRequest, ServiceMismatch, UnmodeledOperation
//	func SigningName(api string) string       // "mobiletargeting" | "sms-voice"
//	func IsKnownAction(action string) bool    // case-insensitive
//	func Partition(region string) (partition string, ok bool)
//	func ResourceType(arn string) (service, typ string, err error)
//	func TaggableOwner(arn string) (string, bool)
//	func Operations() [][2]string
//	type Lifecycle int                        // Supported, Retired (lifecycle.go: the table and its sources)
//	func OperationLifecycle(api, operation string) Lifecycle
//	func OperationLifecycleSource(api, operation string) (sources []LifecycleSource, note string, silent, ok bool)
//	func RetiredAction(action string) bool    // case-insensitive; only actions of retired operations
//	func RetiredActions() []string            // sorted, for matching wildcard patterns
//	func KnownActions() []string              // lower-cased, sorted: what IsKnownAction knows
//	func AccessLevel(api, operation string) (string, bool) // the IAM reference's: "Read", "List", "Write", ...
//	func ReadOnly(access string) bool         // List or Read
//
// ARNs are parsed by package arn (arn.Parse, arn.Split); this package adds
// what the Service Authorization Reference says of them: the resource types
// of both prefixes (ResourceType, TaggableOwner) and the ARN formats it builds.
//
// Map is safe for concurrent use. Its tables are compiled once at init
// (the init panics if the generated table is inconsistent, which the tests
// rule out).
//
// # Classification
//
// A request with an X-Amz-Target header is an SMS and Voice v2 call: it must
// be POST / and the target PinpointSMSVoiceV2.<Operation>. Any other request
// is matched by method and escaped path against the REST URI templates of
// Pinpoint (/v1/...) and SMS and Voice v1 (/v1/sms-voice/...); the templates
// are compiled at init into one segment trie, literal segments before labels
// (with backtracking, so /v1/templates/{name}/email and
// /v1/templates/{name}/{type}/active-version coexist). The three models have
// no greedy labels; compiling fails if one appears. No template of one API
// matches a path of the other, so the API is never ambiguous; it must agree
// with Request.Service when that is set (ServiceMismatch otherwise).
//
// # Operations newer than the models
//
// The SMS and Voice v2 API grows faster than the models: its target's
// operation name is the IAM action name, so a target that no model operation
// has but that the IAM reference data lists as an sms-voice action
// (unmodeledV2Table, generated; v1 operations excluded) is decided by that
// data: with no resource type it maps to the action on "*" (Result.Rule
// RuleIAMReference; the body must be a JSON object, is not checked against
// any model, and is refused if it sets tags or names an ARN, since the
// gateway could not evaluate them); with resource types, or a name that
// starts with "Send" (its destinations would escape the sending guardrails),
// it is refused with UnmodeledOperation (the message contains
// UnmodeledRefusal: the gateway cannot know where the request carries the
// resources' IDs). A target in neither stays UnknownOperation. Everything
// else has Result.Rule RuleModel.
//
// # What is rejected (the gateway denies)
//
//   - an unknown method, path or target (UnknownOperation); an SMS and Voice
//     v2 target newer than the models that the IAM reference data cannot map
//     (UnmodeledOperation, above);
//   - a path that is not absolute, has an empty segment (an empty label, a
//     doubled or trailing slash) or a dot segment ("." or "..", also
//     percent-encoded), malformed percent-encoding or an unencoded control
//     character, space, '#' or '?'; literal segments must match exactly, as
//     they are not decoded, and there is no other normalization;
//   - a URI label that decodes to nothing, or to a value with '/', '*', ':',
//     '?', ';', '\' or a control character (NUL included); the same rule holds
//     for IDs in v2 bodies and for the ID parts of ARN inputs. The one exception is a label
//     that holds an ARN (/v1/tags/{resource-arn}): it must decode to a
//     well-formed ARN of the API's service and of a taggable type, so its
//     colons and slashes are the ARN's own. The rule keeps any ID from
//     forging ARN structure or acting as a wildcard;
//   - a body that is not a JSON object where the mapping reads it (v2 calls
//     always, an empty body counting as {}; REST calls whose payload carries
//     tags or references), a top-level model member of the wrong JSON type, a
//     member that appears twice, or one that differs from a model member only
//     in case (AWS's reading of those cannot be known); strings with invalid
//     UTF-8 or lone surrogate escapes; duplicate tag keys, and request tag
//     keys (or keys an untag removes) that differ only in case;
//   - an ID-or-ARN input that is an ARN but not a well-formed one of the right
//     service and resource type; a region of no partition; an account that is
//     not 12 digits.
//
// # Resources
//
// ARNs use the region's partition (partitions.json), the request's region
// and the configured account, and the Service Authorization Reference's
// resource types: every required type, and each optional type the request
// names. An action with no resource type, or whose optional types the
// request does not name, gets "*". Inputs that take an ID or an ARN yield the
// same ARN either way; an ARN of another account or region is used as given.
//
// An origination identity (OriginationIdentity, ResourceId) is typed by its
// form: an ARN; pool-..., phone-..., rcs-... IDs; a phone number (E.164, '+'
// optional) or a bare sender ID. A phone number, and a sender ID without an
// IsoCountryCode in the request, give a provisional ARN (phone-number/+1...,
// sender-id/NAME) and an Unresolved entry: the caller must resolve it upstream
// or deny. A pool-, phone- or rcs- value that is also a possible sender ID
// (at most 11 of A-Z a-z 0-9 _ -, the model's SenderId shape) has both
// readings, the ID's ARN and the sender ID's (provisional, or complete with
// the IsoCountryCode), with an Alternative Unresolved entry: AWS documents no
// precedence, so the request must be allowed on both, unless the account
// has no such sender ID (see origination.go).
//
// Dependent actions come from the reference: sms-voice:TagResource when a
// create passes tags (on the created resource's ARN when the request names
// it, else "*"); for RequestPhoneNumber with a PoolId,
// sms-voice:AssociateOriginationIdentity on the pool; for
// SendDestinationNumberVerificationCode, sms-voice:SendTextMessage or
// SendVoiceMessage (by VerificationChannel) on the same resources.
//
// # References and iam:PassRole
//
// The generator walks every request body shape of the models at any depth
// (structures, lists, maps) and classifies each string member whose name or
// documentation suggests a resource (internal/codegen/refs.go): a reference
// kind with the rule that derives its ARN, or "not a reference" with the
// reason; it fails on a member it cannot classify. Each operation gets the
// member paths of its references (none for most, which then pay nothing).
// Map reads every value found there into Result.References, in request
// (byte) order, with the ARN it names, or the value itself when no ARN can be
// derived. Role members (kind "iam-role") must hold IAM role ARNs (else
// BadRequest) and add one iam:PassRole authorization, last, on all of them in
// request order, with PassedToService "pinpoint.amazonaws.com" for Pinpoint
// and "sms-voice.amazonaws.com" for both SMS and Voice APIs. This replaces
// the reference's dependent-action lists for iam:PassRole, which miss most
// role members. A reference member of the wrong JSON type, a name that would
// forge ARN structure, and more than maxReferences (256) references are
// BadRequest. A sentinel that names nothing (UNSET_RCS_MEDIA_CONFIGURATION)
// is not a reference.
//
// Resources in an authorization appear in the order of the reference's
// resource types. Where a dependent action repeats the operation's resources
// (SendDestinationNumberVerificationCode), Unresolved has one entry for each
// copy.
//
// # Destinations
//
// Result.Destinations lists who the messages of a request go to, in request
// (byte) order, each with its form, its member path (as References: list
// elements [i], map keys ["key"]) and its value exactly as sent; nil when
// the operation sends nothing. The generator takes the destination members
// from a table (destClasses in internal/codegen/destinations.go, keyed like
// the reference classes) and fails when an operation whose name starts with
// "Send", or a number lookup (Pinpoint PhoneNumberValidate, v2
// CarrierLookup), has none and no reason in noDestinations, when another
// operation has one, or when an entry names nothing of the models. Today:
//
//   - phone-number: DestinationPhoneNumber of the v2 SendTextMessage,
//     SendVoiceMessage, SendMediaMessage, SendNotifyTextMessage,
//     SendNotifyVoiceMessage and SendRcsMessage and of v1 SendVoiceMessage;
//     v2 CarrierLookup's PhoneNumber; Pinpoint SendOTPMessage's
//     DestinationIdentity and PhoneNumberValidate's PhoneNumber; and the keys
//     of Pinpoint SendMessages' Addresses whose ChannelType is SMS or VOICE,
//     absent or null, or a value the model does not list (fail closed); an
//     address of another channel (EMAIL, the push channels, CUSTOM, IN_APP)
//     is not a destination;
//   - verified-destination-number-id: v2 SendDestinationNumberVerificationCode's
//     VerifiedDestinationNumberId (the caller resolves it to its number);
//   - endpoint-id: the keys of Pinpoint SendMessages' Endpoints;
//   - user-id: the keys of Pinpoint SendUsersMessages' Users.
//
// A destination member that is not a string, a map of destinations that is
// not an object, an entry of one that is neither an object nor null, a
// ChannelType that is not a string, a key that is not valid UTF-8, and more
// than maxDestinations (100, Pinpoint's own limit of recipients per direct
// message and of users per users-messages request) are BadRequest. The
// same key twice in a map is listed twice. Operations without destination
// members pay nothing.
//
// TagKeys holds the keys of RequestTags (sorted) for operations that set tags,
// and the removed keys for UntagResource (Pinpoint's tagKeys query list, v2's
// TagKeys).
//
// # Where the reference data is thin
//
// Dependent actions other than iam:PassRole are the reference's
// (iam/service-authorization-reference, joined in operation-action-map.json):
// the newer sms-voice operations (CreateNotifyConfiguration, CreateRcsAgent,
// UpdateRcsAgent) list none, so their tags add no sms-voice:TagResource. Their request tags are still reported.
// An origination identity of a type the reference does not list for the
// operation (say an RCS agent on SendTextMessage) still yields its ARN, which
// is stricter than dropping it. ID prefixes are taken as AWS documents them;
// a bare sender ID that happens to start with "pool-", "phone-" or "rcs-" is
// read as that resource's ID.
//
// # Performance
//
// The JSON body is validated and its top-level members found in one pass
// (same verdict as encoding/json.Valid, checked by FuzzJSONValid), IDs are
// copied straight from the body into the ARN, and the scratch state is one
// allocation, not pooled (a pool saved about 1 % of the allow path): a REST
// GET costs 3 allocations (the scratch, the result and its ARN), a v2
// SendTextMessage with two resources and its destination 5 (the number's
// string is the fifth; see BenchmarkClassify*).
package apimap
