// Package awserr is the one home of the AWS error codes the gateway answers
// with and of the wire shapes of AWS errors: the protocol of an API (REST
// JSON, AWS JSON 1.0, query), the code each protocol uses for a failure
// ([Protocol.Adapt]), and the writer of an AWS-shaped error response
// ([Write], [WriteExact], [STSErrorXML]). The wording of access denials is
// authz's (authz/message.go); this package holds codes and shapes only.
//
// It imports only the standard library.
package awserr

// Protocol is the wire protocol of an AWS API, which decides the shape of its
// errors and some of their codes. The zero value is RESTJSON.
type Protocol uint8

const (
	// RESTJSON is the REST JSON protocol: Pinpoint, SMS and Voice v1. The
	// error code is in the X-Amzn-ErrorType header, the message in the
	// JSON body.
	RESTJSON Protocol = iota
	// JSON is AWS JSON 1.0: SMS and Voice v2. The code is the body's
	// "__type".
	JSON
	// Query is the AWS query protocol: STS. Errors are an XML ErrorResponse.
	Query
)

// String returns the protocol's name: "rest-json", "json" or "query".
func (p Protocol) String() string {
	switch p {
	case JSON:
		return "json"
	case Query:
		return "query"
	default:
		return "rest-json"
	}
}
