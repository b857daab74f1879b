package apimap

import (
	"fmt"
	"net/http"
	"strings"
)

// The three APIs, by the names the gateway uses for them.
const (
	APIPinpoint   = "pinpoint"     // Amazon Pinpoint 2016-12-01 (REST JSON, /v1/...)
	APISMSVoice   = "sms-voice"    // Pinpoint SMS and Voice v1 2018-09-05 (REST JSON, /v1/sms-voice/...)
	APISMSVoiceV2 = "sms-voice-v2" // SMS and Voice v2 2022-03-31 (AWS JSON 1.0, POST / + X-Amz-Target)
)

// Request is what Map needs of an HTTP request.
type Request struct {
	Method   string
	RawPath  string      // escaped path exactly as received (r.URL.EscapedPath())
	RawQuery string      // escaped query without '?'
	Header   http.Header // X-Amz-Target, Content-Type
	Body     []byte
	Region   string // requested region (SigV4 scope region)
	Account  string // account ID used in the ARNs
	Service  string // SigV4 scope service; "" = do not check. Must agree with the API's signing name
}

// Permission is one IAM action and the resources it must be allowed on
// (every pair must be allowed). Resources is ["*"] for actions without a
// resource type, or when the request names none of an action's optional types.
type Permission struct {
	Action    string
	Resources []string
	// PassedToService is "" except for iam:PassRole authorizations, where it
	// is the service principal the role is passed to (iam:PassedToService):
	// "pinpoint.amazonaws.com" for the Pinpoint API, "sms-voice.amazonaws.com"
	// for both SMS and Voice APIs.
	PassedToService string
}

// Reference is a resource outside the operation's own that AWS uses on the
// caller's behalf when it performs the request (see References in Result).
type Reference struct {
	ResourceType string // "iam-role", "sns-topic", "kinesis-stream", "firehose-stream", "log-group", "s3", "ses-identity", "ses-configuration-set", "kms-key", "template", "connect-campaign", "lambda-function", "url", ...
	Member       string // where in the request: dotted member path, list elements as [i], map values as ["key"]
	Value        string // exactly as sent (decoded from JSON)
	ARN          string // the ARN it names; Value itself when no ARN can be derived (so ARN patterns never match it)
}

// Unresolved marks a provisional ARN: the request named an origination
// identity by phone number or bare sender ID, whose resource ID only the
// upstream knows. The caller must replace Result.Permissions[Permission].Resources[Resource]
// with the resolved ARN before authorizing, or deny.
type Unresolved struct {
	Permission, Resource int
	Form                 string // "phone-number" | "sender-id"
	Value                string // e.g. "+12065550100" or "MYSENDER"
	// Alternative marks the second reading of a value that is both an
	// ID (pool-, phone-, rcs-) and a possible sender ID, such as "pool-x":
	// the permission also holds the ID's ARN. When the upstream knows no
	// such sender ID this reading does not exist and its provisional ARN
	// is dropped; a failed lookup still denies. The ARN may be complete
	// (sender-id/NAME/COUNTRY, from the request's IsoCountryCode): the
	// reading then exists only if the upstream lists that very ARN.
	Alternative bool
}

// Result is the mapping of one request.
type Result struct {
	API         string
	Operation   string
	Permissions []Permission      // the operation's action first, then dependent actions
	RequestTags map[string]string // tags the request sets (aws:RequestTag/...); nil when none
	TagKeys     []string          // aws:TagKeys: keys of RequestTags (sorted) or the keys an untag removes; nil when none
	Unresolved  []Unresolved      // must be resolved (replaced) before authorizing; otherwise deny
	// References lists the resources outside the operation's own that AWS
	// uses on the caller's behalf when it performs the request (topics,
	// streams, log groups, buckets and objects, SES identities, KMS keys,
	// templates, Connect campaigns, roles), in request order; nil when none.
	References []Reference
	// Destinations lists who the messages the request sends go to (phone
	// numbers, or IDs that AWS resolves to addresses), in request order; nil
	// when the operation sends nothing. A Pinpoint address whose ChannelType
	// sends to no phone (EMAIL, push channels, ...) is not listed.
	Destinations []Destination
	// Lifecycle is the operation's (OperationLifecycle): Retired for a
	// Pinpoint engagement operation whose support AWS ended on 2026-10-30,
	// and for a request that addresses Pinpoint endpoints (SendMessages'
	// Endpoints), else Supported.
	Lifecycle Lifecycle
	// Rule says what mapped the operation: RuleModel (the service models)
	// or RuleIAMReference (an SMS and Voice v2 operation the models lack,
	// mapped by the IAM reference data; see IAMReferenceNote).
	Rule string
	// Parameters lists the request members the mapping read to name the
	// operation's own resources, with their values as read, in the order
	// read; nil when none. A URI label is listed by its name in the URI
	// (application-id), a body member by its JSON name (PoolId), each
	// element of a list member once. Only identifiers are listed (IDs,
	// names and ARNs that became resource ARNs): no message body, template
	// content or other free text is ever read as one. The audit record's
	// request_parameters and CloudTrail's requestParameters are these.
	Parameters []Parameter
}

// Parameter is one request member the mapping read and its value.
type Parameter struct {
	Member string
	Value  string
}

// ErrorKind classifies a mapping error.
type ErrorKind int

// Error kinds. Every one of them means the gateway denies the request.
const (
	UnknownOperation ErrorKind = iota + 1 // no operation of the three APIs has this method and path or target
	BadRequest                            // the request is malformed where the mapping depends on it
	ServiceMismatch                       // the request's SigV4 service is not the API's signing name
	// UnmodeledOperation: an SMS and Voice v2 operation that the service
	// models lack, refused although the IAM reference data lists its
	// action: the action has resource types (the message contains
	// UnmodeledRefusal), it may send messages, or its body sets tags or
	// names an ARN.
	UnmodeledOperation
)

// String returns the kind's name.
func (k ErrorKind) String() string {
	switch k {
	case UnknownOperation:
		return "UnknownOperation"
	case BadRequest:
		return "BadRequest"
	case ServiceMismatch:
		return "ServiceMismatch"
	case UnmodeledOperation:
		return "UnmodeledOperation"
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Error is the error type of Map.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string {
	switch e.Kind {
	case UnknownOperation:
		return "unknown operation: " + e.Msg
	case ServiceMismatch:
		return "service mismatch: " + e.Msg
	case UnmodeledOperation:
		return "unmodeled operation: " + e.Msg
	}
	return "bad request: " + e.Msg
}

func badRequest(format string, args ...any) *Error {
	return &Error{Kind: BadRequest, Msg: fmt.Sprintf(format, args...)}
}

func unknownOp(format string, args ...any) *Error {
	return &Error{Kind: UnknownOperation, Msg: fmt.Sprintf(format, args...)}
}

// SigningName returns the SigV4 service (and IAM prefix) of api:
// "mobiletargeting" for APIPinpoint, "sms-voice" for both SMS and Voice APIs,
// "" for anything else.
func SigningName(api string) string {
	switch api {
	case APIPinpoint:
		return "mobiletargeting"
	case APISMSVoice, APISMSVoiceV2:
		return "sms-voice"
	}
	return ""
}

// IsKnownAction reports whether action (such as "mobiletargeting:GetApps";
// case-insensitive) is an IAM action of the mobiletargeting or sms-voice
// prefix, including the permission-only ones, or a dependent action that the
// gateway authorizes (iam:PassRole).
func IsKnownAction(action string) bool {
	_, ok := actionSet[strings.ToLower(action)]
	return ok
}

// Operations returns the API and name of every operation the table knows,
// in table order (for tests and tools).
func Operations() [][2]string {
	out := make([][2]string, len(operationTable))
	for i := range operationTable {
		out[i] = [2]string{operationTable[i].api, operationTable[i].name}
	}
	return out
}

// Map classifies req and returns the authorizations it needs. An error is an
// *Error and the result is then nil.
func Map(req *Request) (*Result, error) {
	if req == nil {
		return nil, badRequest("nil request")
	}
	m := new(mapper)
	op, labels, err := classify(req, m.labelBuf[:0])
	if err != nil {
		return nil, err
	}
	if req.Service != "" && req.Service != SigningName(op.api) {
		return nil, &Error{Kind: ServiceMismatch, Msg: fmt.Sprintf("%s %s is signed for service %q, want %q", op.api, op.name, req.Service, SigningName(op.api))}
	}
	partition, ok := Partition(req.Region)
	if !ok {
		return nil, badRequest("region %q is in no known partition", req.Region)
	}
	if err := checkAccount(req.Account); err != nil {
		return nil, badRequest("%v", err)
	}
	if op.unmodeled {
		if err := checkUnmodeledBody(req.Body); err != nil {
			return nil, err
		}
	} else if err := validateRequest(op, req, labels); err != nil {
		return nil, err
	}
	m.req, m.op, m.partition, m.rawLabels = req, op, partition, labels
	return m.run(&resultBlock{})
}

// classify finds the operation of req and its raw URI label values.
func classify(req *Request, labels []string) (*opSpec, []string, error) {
	targets := req.Header.Values("X-Amz-Target")
	if len(targets) > 1 {
		return nil, nil, badRequest("more than one X-Amz-Target header")
	}
	if len(targets) == 1 {
		if req.RawPath != "/" {
			return nil, nil, badRequest("X-Amz-Target with path %q (the JSON API is served at /)", req.RawPath)
		}
		if req.Method != http.MethodPost {
			return nil, nil, unknownOp("%s / with X-Amz-Target (want POST)", req.Method)
		}
		name, ok := strings.CutPrefix(targets[0], v2TargetPrefix)
		if !ok {
			return nil, nil, unknownOp("X-Amz-Target %q", targets[0])
		}
		if op := v2Ops[name]; op != nil {
			return op, labels, nil
		}
		// Newer than the models: the IAM reference data decides (unmodeled.go).
		op, err := classifyUnmodeled(unmodeledV2, name)
		if err != nil {
			return nil, nil, err
		}
		if op == nil {
			return nil, nil, unknownOp("X-Amz-Target %q", targets[0])
		}
		return op, labels, nil
	}
	if err := checkRawPath(req.RawPath); err != nil {
		return nil, nil, err
	}
	op, labels, pathOnly := restRoot.find(req.RawPath[1:], req.Method, labels)
	if op == nil {
		if pathOnly {
			return nil, nil, unknownOp("method %s is not defined for path %q", req.Method, req.RawPath)
		}
		return nil, nil, unknownOp("%s %q", req.Method, req.RawPath)
	}
	return op, labels, nil
}

const v2TargetPrefix = "PinpointSMSVoiceV2."
