package awserr

// Codes of the REST JSON and AWS JSON 1.0 protocols. The gateway's own
// failures are written with these; [Protocol.Adapt] gives the code of the
// other protocols.
const (
	AccessDeniedException    = "AccessDeniedException"
	BadRequestException      = "BadRequestException"
	ValidationException      = "ValidationException" // AWS JSON 1.0's BadRequestException
	PayloadTooLargeException = "PayloadTooLargeException"
	RequestTimeoutException  = "RequestTimeoutException"
	BadGateway               = "BadGateway"
	GatewayTimeout           = "GatewayTimeout"
	// TooManyRequestsException is the throttling error of the REST JSON
	// APIs (Pinpoint, SMS and Voice v1); AWS JSON 1.0 (SMS and Voice v2)
	// says ThrottlingException, the query protocol Throttling.
	TooManyRequestsException = "TooManyRequestsException"
	ThrottlingException      = "ThrottlingException"
	ServiceUnavailable       = "ServiceUnavailable" // every protocol
	// MethodNotAllowedException is Pinpoint's (405): the gateway's answer to
	// an operation AWS retired, when told to answer those itself.
	MethodNotAllowedException = "MethodNotAllowedException"
	InternalFailure           = "InternalFailure" // every protocol
)

// Codes of the query protocol (STS).
const (
	AccessDenied            = "AccessDenied"
	InvalidParameterValue   = "InvalidParameterValue"
	Throttling              = "Throttling"
	RequestEntityTooLarge   = "RequestEntityTooLarge"
	RequestTimeout          = "RequestTimeout"
	MalformedInput          = "MalformedInput"
	ValidationError         = "ValidationError"
	InvalidAction           = "InvalidAction"
	MissingAction           = "MissingAction"
	MalformedPolicyDocument = "MalformedPolicyDocument"
	PackedPolicyTooLarge    = "PackedPolicyTooLarge"
)

// Codes of authentication failures: the query protocol's, then the JSON
// protocols' (exception names).
const (
	MissingAuthenticationToken          = "MissingAuthenticationToken"
	MissingAuthenticationTokenException = "MissingAuthenticationTokenException"
	IncompleteSignature                 = "IncompleteSignature"
	IncompleteSignatureException        = "IncompleteSignatureException"
	SignatureDoesNotMatch               = "SignatureDoesNotMatch"
	InvalidSignatureException           = "InvalidSignatureException"
	InvalidClientTokenID                = "InvalidClientTokenId"
	UnrecognizedClientException         = "UnrecognizedClientException"
	ExpiredToken                        = "ExpiredToken"
	ExpiredTokenException               = "ExpiredTokenException"
	RequestExpired                      = "RequestExpired" // query only: JSON says InvalidSignatureException
)

// Adapt returns the code p uses for the REST JSON code: AWS JSON 1.0 says
// ValidationException for BadRequestException and ThrottlingException for
// TooManyRequestsException; the query protocol has its own names
// (AccessDenied, InvalidParameterValue, RequestEntityTooLarge,
// RequestTimeout, Throttling). Any other code is the same in every protocol.
func (p Protocol) Adapt(code string) string {
	switch p {
	case JSON:
		switch code {
		case BadRequestException:
			return ValidationException
		case TooManyRequestsException:
			return ThrottlingException
		}
	case Query:
		switch code {
		case AccessDeniedException:
			return AccessDenied
		case BadRequestException, ValidationException:
			return InvalidParameterValue
		case PayloadTooLargeException:
			return RequestEntityTooLarge
		case RequestTimeoutException:
			return RequestTimeout
		case TooManyRequestsException:
			return Throttling
		}
	}
	return code
}

// Pick returns query in the query protocol and json in the others: for the
// failures whose code is not a function of the REST JSON one (authentication
// failures: SignatureDoesNotMatch or InvalidSignatureException).
func (p Protocol) Pick(query, json string) string {
	if p == Query {
		return query
	}
	return json
}
