package awserr

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// STSNamespace is the XML namespace of STS responses.
const STSNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

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

// stsErrorResponse is the body of a query (STS) error.
type stsErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     stsError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type stsError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// STSErrorXML returns an STS ErrorResponse document (Type Sender), without
// an XML declaration, as STS answers.
func STSErrorXML(code, message, requestID string) []byte {
	b, err := xml.Marshal(stsErrorResponse{Xmlns: STSNamespace, Error: stsError{Type: "Sender", Code: code, Message: message}, RequestID: requestID})
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}

// Write writes an AWS-shaped error in the protocol p. code is a REST JSON
// code; [Protocol.Adapt] gives the one p uses.
func Write(w http.ResponseWriter, p Protocol, status int, code, message, requestID string) {
	WriteExact(w, p, status, p.Adapt(code), message, requestID)
}

// WriteExact writes an AWS-shaped error in the protocol p with exactly the
// given code.
func WriteExact(w http.ResponseWriter, p Protocol, status int, code, message, requestID string) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	var body []byte
	switch p {
	case Query:
		h.Set("Content-Type", "text/xml")
		body = STSErrorXML(code, message, requestID)
	case JSON:
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
