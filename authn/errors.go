package authn

import (
	"net/http"

	"github.com/pinpointgw/gateway/awserr"
)

// ErrorKind classifies an authentication failure. Each kind maps to the error code
// AWS returns for it in each protocol (see [Error.Code]).
type ErrorKind int

const (
	// MissingAuthentication: the request carries no SigV4 authorization at all.
	MissingAuthentication ErrorKind = iota
	// IncompleteSignature: the authorization is malformed or lacks a part.
	IncompleteSignature
	// SignatureDoesNotMatch: the signature does not match the request.
	SignatureDoesNotMatch
	// InvalidClientTokenID: the access key ID is unknown.
	InvalidClientTokenID
	// ExpiredToken: the temporary credentials have expired.
	ExpiredToken
	// InvalidToken: the session token is missing, foreign, tampered with or
	// does not belong to the access key.
	InvalidToken
	// RequestExpired: the request date is outside the allowed clock skew, or a
	// presigned URL has expired.
	RequestExpired
	// BadRequest: the request is malformed in a way unrelated to signing.
	BadRequest
)

var kindNames = [...]string{
	MissingAuthentication: "MissingAuthentication",
	IncompleteSignature:   "IncompleteSignature",
	SignatureDoesNotMatch: "SignatureDoesNotMatch",
	InvalidClientTokenID:  "InvalidClientTokenID",
	ExpiredToken:          "ExpiredToken",
	InvalidToken:          "InvalidToken",
	RequestExpired:        "RequestExpired",
	BadRequest:            "BadRequest",
}

// String returns the kind's Go name.
func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "ErrorKind(?)"
}

// Error is an authentication failure. Message is AWS-style text meant for the
// client; it never contains a secret, a signature or a session token.
type Error struct {
	Kind    ErrorKind
	Message string
}

func (e *Error) Error() string { return "authentication failed: " + e.Kind.String() + ": " + e.Message }

// Status returns the HTTP status AWS uses for the failure: 400 for malformed
// authorization and expired requests, 403 otherwise.
func (e *Error) Status() int {
	switch e.Kind {
	case IncompleteSignature, RequestExpired, BadRequest:
		return http.StatusBadRequest
	default:
		return http.StatusForbidden
	}
}

// Code returns the AWS error code for the failure in the protocol p: the
// query protocol (STS) uses the classic codes (SignatureDoesNotMatch,
// InvalidClientTokenId, ...), REST JSON and AWS JSON 1.0 the exception names
// (InvalidSignatureException, UnrecognizedClientException, ...).
func (e *Error) Code(p awserr.Protocol) string {
	switch e.Kind {
	case MissingAuthentication:
		return p.Pick(awserr.MissingAuthenticationToken, awserr.MissingAuthenticationTokenException)
	case IncompleteSignature:
		return p.Pick(awserr.IncompleteSignature, awserr.IncompleteSignatureException)
	case SignatureDoesNotMatch:
		return p.Pick(awserr.SignatureDoesNotMatch, awserr.InvalidSignatureException)
	case InvalidClientTokenID, InvalidToken:
		return p.Pick(awserr.InvalidClientTokenID, awserr.UnrecognizedClientException)
	case ExpiredToken:
		return p.Pick(awserr.ExpiredToken, awserr.ExpiredTokenException)
	case RequestExpired:
		return p.Pick(awserr.RequestExpired, awserr.InvalidSignatureException)
	default:
		return p.Adapt(awserr.BadRequestException)
	}
}

// AWS's wording for the common failures.
const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken      = "The security token included in the request is invalid."
	msgExpiredToken      = "The security token included in the request is expired"
	msgMissingAuth       = "Request is missing Authentication Token"
	msgPresignExpired    = "Request has expired"
)

func newError(k ErrorKind, msg string) *Error { return &Error{Kind: k, Message: msg} }
