package module

import (
	"net/http"
	"strings"

	"github.com/pinpointgw/gateway/awserr"
)

// protocolOf guesses the protocol of a request before it is authenticated,
// from its shape alone: X-Amz-Target means AWS JSON 1.0; a credential
// scoped to sts, or a form POST to /, means the STS query protocol.
func protocolOf(r *http.Request) awserr.Protocol {
	if r.Header.Get("X-Amz-Target") != "" {
		return awserr.JSON
	}
	if cred := credentialOf(r); cred != "" {
		if strings.Contains(cred, "/sts/") {
			return awserr.Query
		}
		return awserr.RESTJSON
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		return awserr.Query
	}
	return awserr.RESTJSON
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

// writeError answers an AWS error in the request's protocol (code is a
// REST JSON code; awserr.Protocol.Adapt gives the one the protocol uses)
// and records the code the client got for the audit record.
func (rs *requestState) writeError(w http.ResponseWriter, status int, code, message string) {
	rs.writeErrorExact(w, status, rs.proto.Adapt(code), message)
}

// writeErrorExact is writeError with exactly the given code.
func (rs *requestState) writeErrorExact(w http.ResponseWriter, status int, code, message string) {
	rs.errorCode = code
	awserr.WriteExact(w, rs.proto, status, code, message, rs.requestID)
}
