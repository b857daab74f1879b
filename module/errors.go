package module

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pinpointgw/gateway/authn"
)

// protocol is the wire protocol of an API, which decides the error shape.
type protocol uint8

const (
	protoRESTJSON protocol = iota // Pinpoint, SMS and Voice v1
	protoJSON                     // SMS and Voice v2 (AWS JSON 1.0)
	protoQuery                    // STS (XML answers)
)

// String returns the protocol name authn.Error.Code expects.
func (p protocol) String() string {
	switch p {
	case protoJSON:
		return "json"
	case protoQuery:
		return "query"
	default:
		return "rest-json"
	}
}

// Error codes the gateway answers with.
const (
	codeAccessDenied     = "AccessDeniedException"
	codeAccessDeniedSTS  = "AccessDenied"
	codeBadRequest       = "BadRequestException"
	codeValidation       = "ValidationException"
	codeInvalidParameter = "InvalidParameterValue"
	codePayloadTooLarge  = "PayloadTooLargeException"
	codeTooLargeSTS      = "RequestEntityTooLarge"
	codeBadGateway       = "BadGateway"
	codeGatewayTimeout   = "GatewayTimeout"
	codeRequestTimeout   = "RequestTimeoutException"
	codeTimeoutSTS       = "RequestTimeout"
	codeInternal         = "InternalFailure"
)

// protocolOf guesses the protocol of a request before it is authenticated,
// from its shape alone: X-Amz-Target means AWS JSON 1.0; a credential
// scoped to sts, or a form POST to /, means the STS query protocol.
func protocolOf(r *http.Request) protocol {
	if r.Header.Get("X-Amz-Target") != "" {
		return protoJSON
	}
	if cred := credentialOf(r); cred != "" {
		if strings.Contains(cred, "/sts/") {
			return protoQuery
		}
		return protoRESTJSON
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		return protoQuery
	}
	return protoRESTJSON
}

// credentialOf returns the Credential part of a SigV4 Authorization header
// or the X-Amz-Credential presign parameter, unverified.
func credentialOf(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			c := a[i+len("Credential="):]
			if j := strings.IndexAny(c, ", "); j >= 0 {
				c = c[:j]
			}
			return c
		}
		return ""
	}
	if strings.Contains(r.URL.RawQuery, "X-Amz-Credential") {
		return r.URL.Query().Get("X-Amz-Credential")
	}
	return ""
}

// errorCodeFor adapts a REST JSON error code to the protocol.
func errorCodeFor(p protocol, code string) string {
	switch p {
	case protoJSON:
		if code == codeBadRequest {
			return codeValidation
		}
	case protoQuery:
		switch code {
		case codeAccessDenied:
			return codeAccessDeniedSTS
		case codeBadRequest, codeValidation:
			return codeInvalidParameter
		case codePayloadTooLarge:
			return codeTooLargeSTS
		case codeRequestTimeout:
			return codeTimeoutSTS
		}
	}
	return code
}

// restJSONError is the body of a REST JSON error. SDKs read the error code
// from the X-Amzn-ErrorType header and the message from "Message" (the Go
// SDK matches it case-insensitively, botocore reads "message" or
// "Message").
type restJSONError struct {
	Message   string `json:"Message"`
	RequestID string `json:"RequestID,omitempty"`
}

// jsonError is the body of an AWS JSON 1.0 error.
type jsonError struct {
	Type    string `json:"__type"`
	Message string `json:"Message"`
}

// writeError writes an AWS-shaped error in the protocol p. code is a REST
// JSON code; errorCodeFor adapts it.
func writeError(w http.ResponseWriter, p protocol, status int, code, message, requestID string) {
	writeErrorCode(w, p, status, errorCodeFor(p, code), message, requestID)
}

// writeErrorCode writes an AWS-shaped error with exactly the given code.
func writeErrorCode(w http.ResponseWriter, p protocol, status int, code, message, requestID string) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	var body []byte
	switch p {
	case protoQuery:
		h.Set("Content-Type", "text/xml")
		body = authn.STSErrorXML(code, message, requestID)
	case protoJSON:
		h.Set("Content-Type", "application/x-amz-json-1.0")
		body, _ = json.Marshal(jsonError{Type: code, Message: message})
	default:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", code)
		body, _ = json.Marshal(restJSONError{Message: message, RequestID: requestID})
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeAuthnError writes an authentication failure as AWS does.
func writeAuthnError(w http.ResponseWriter, p protocol, err *authn.Error, requestID string) {
	writeErrorCode(w, p, err.Status(), err.Code(p.String()), err.Message, requestID)
}
