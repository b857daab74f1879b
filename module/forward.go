package module

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/forward"
)

// forward re-signs the authorized body with the upstream credentials and
// proxies it to the API's endpoint for the requested region.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, rs *requestState, id *authn.Authenticated, body []byte) {
	fs := &rs.fwd
	target, err := g.endpoints.URL(rs.api, id.Region)
	if err != nil {
		g.upstreamFailed(w, rs, msgUpstreamFailed, err, "error")
		return
	}

	creds, err := g.creds.Retrieve(r.Context())
	if err != nil {
		// The chain's error may name files, profiles and metadata
		// endpoints: the audit record has it, the client a summary.
		g.upstreamFailed(w, rs, "the gateway cannot forward the request: it has no upstream AWS credentials; its audit record says why",
			err, "credentials")
		return
	}
	fs.Creds = creds
	fs.Target = target
	fs.SigningName = apimap.SigningName(rs.api)
	fs.Region = id.Region
	fs.Body = body
	fs.PayloadHash = id.PayloadHash // hashed once, while verifying the signature

	rs.forwarded = true
	rs.work = g.now().Sub(rs.start)
	cw := g.notifyChanges(w, rs) // the caches drop what changed before the client sees the answer
	g.forwarder.Forward(cw, r, fs)
	if fs.Err != nil && fs.Status != 499 {
		status, code, msg := upstreamFailure(fs.Err, time.Duration(g.UpstreamTimeout))
		fs.Status = status
		rs.writeError(cw, status, code, msg+" (request ID "+rs.requestID+")")
	}
	rs.work += fs.SignDuration
	cw.fire(fs.Status) // nothing written: tell now
	if fs.Err != nil {
		kind := "error"
		if fs.Status == http.StatusGatewayTimeout {
			kind = "timeout"
		}
		g.metrics.UpstreamError(kind)
	}
}

// upstreamFailure classifies a forwarding error. The message is the
// client's, so it says what happened in general terms only: the error
// names the upstream's address, URL and network details, which belong to
// the operator (the audit record's upstream_error keeps it).
func upstreamFailure(err error, timeout time.Duration) (status int, code, msg string) {
	if forward.Timeout(err) {
		return http.StatusGatewayTimeout, awserr.GatewayTimeout,
			fmt.Sprintf("the upstream AWS endpoint did not answer within %s", timeout)
	}
	return http.StatusBadGateway, awserr.BadGateway, msgUpstreamFailed
}

// msgUpstreamFailed is the client's message for a 502 of the round trip.
const msgUpstreamFailed = "the gateway could not forward the request to the upstream AWS endpoint; its audit record says why"

// upstreamMayHaveActed reports whether a forwarded request's upstream may
// have carried it out: a 2xx, and also a 5xx, a timeout or a transport
// error (the gateway's 502/504), after which the outcome is unknown. A 4xx
// is the upstream's refusal.
func upstreamMayHaveActed(status int) bool {
	return status >= 200 && status < 300 || status >= 500 || status == 0
}

// upstreamFailed answers 502 to a failure to forward before any round
// trip: msg to the client, the detail to the audit record.
func (g *Gateway) upstreamFailed(w http.ResponseWriter, rs *requestState, msg string, detail error, kind string) {
	rs.fwd.Status = http.StatusBadGateway
	rs.fwd.Err = detail
	g.metrics.UpstreamError(kind)
	rs.writeError(w, http.StatusBadGateway, awserr.BadGateway, msg+" (request ID "+rs.requestID+")")
}
