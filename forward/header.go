package forward

// forwardedHeader reports whether a request header (canonical key) is
// forwarded upstream. The list is what the APIs read and what is harmless:
//
//   - Content-Type and X-Amz-Target select the operation and the body's
//     format; the mapping reads them (apimap.Request.Header).
//   - Accept, User-Agent, Amz-Sdk-Invocation-Id and Amz-Sdk-Request
//     describe the client and its retries, nothing of the operation.
//   - Accept-Encoding only chooses the response's coding, which the
//     gateway passes back unread.
//
// The signer then adds Authorization, X-Amz-Date and, with temporary
// upstream credentials, X-Amz-Security-Token; the transport adds Host and
// Content-Length. Everything else is dropped: the
// client's own SigV4 headers, hop-by-hop and forwarding headers, cookies,
// tracing, and every other X-Amz-* header, since none of the three APIs
// binds a member to a header (the botocore models in ../shared/data) and a
// header the gateway did not decide on must not reach AWS under its
// credentials.
func forwardedHeader(key string) bool {
	switch key {
	case "Content-Type", "X-Amz-Target", "Accept", "Accept-Encoding", "User-Agent",
		"Amz-Sdk-Invocation-Id", "Amz-Sdk-Request":
		return true
	}
	return false
}
