package module

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/metrics"
)

// serveSTS answers a request signed for sts with the local STS.
func (g *Gateway) serveSTS(w http.ResponseWriter, r *http.Request, rs *requestState, body []byte) {
	rs.proto = awserr.Query
	rs.api = metrics.APISTS
	form := r.URL.Query()
	if len(body) > 0 {
		bf, err := url.ParseQuery(string(body))
		if err != nil {
			rs.decision, rs.reason = decisionBadRequest, "STS form body: "+err.Error()
			rs.writeErrorExact(w, http.StatusBadRequest, awserr.MalformedInput, "the request body is not a valid form")
			return
		}
		for k, v := range bf {
			form[k] = append(form[k], v...)
		}
	}
	resp := rs.st.authn.HandleSTS(&authn.STSRequest{
		Caller:          rs.identity,
		Form:            form,
		SourceIP:        rs.clientIP,
		UserAgent:       r.Header.Get("User-Agent"),
		SecureTransport: r.TLS != nil,
		RequestID:       rs.requestID,
	})
	rs.op = resp.Action
	if resp.Action != "" {
		a := apimap.Permission{Action: "sts:" + resp.Action}
		if role := form.Get("RoleArn"); role != "" && resp.Action == "AssumeRole" {
			a.Resources = []string{role}
		}
		rs.permissions = []apimap.Permission{a}
	}
	rs.matched = append(rs.matched, resp.Matched...)
	rs.reason = resp.Reason
	rs.issued = resp.Session
	rs.errorCode = resp.ErrorCode
	switch {
	case resp.Status < 400:
		rs.decision = authz.Allow.String()
	case resp.Decision != authz.Allow:
		rs.decision = resp.Decision.String()
	default:
		rs.decision = decisionBadRequest
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-Requestid", rs.requestID)
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}
