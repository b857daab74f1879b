package module

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/pinpointgw/gateway/awserr"
)

// endpointTemplate is an upstream base URL with the placeholders {region}
// and {dns_suffix}, expanded once per region and cached.
type endpointTemplate struct {
	raw   string
	cache sync.Map // region -> *url.URL
}

// parseEndpointTemplate checks that raw is an absolute http(s) URL without
// query or fragment.
func parseEndpointTemplate(raw string) (*endpointTemplate, error) {
	probe := strings.NewReplacer("{region}", "us-east-1", "{dns_suffix}", "amazonaws.com").Replace(raw)
	u, err := url.Parse(probe)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q: must not have user info, query or fragment", raw)
	}
	return &endpointTemplate{raw: raw}, nil
}

// target returns the upstream base URL for region. region must have been
// validated (apimap.Partition) so that it is a plain DNS label sequence.
func (t *endpointTemplate) target(region, dnsSuffix string) (*url.URL, error) {
	if u, ok := t.cache.Load(region); ok {
		return u.(*url.URL), nil
	}
	s := strings.NewReplacer("{region}", region, "{dns_suffix}", dnsSuffix).Replace(t.raw)
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("endpoint for region %s: %w", region, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	t.cache.Store(region, u)
	return u, nil
}

// forwardKey is the request context key of a forwarded request's state
// outside Caddy; under Caddy it is the request variable forwardVar.
type forwardKey struct{}

// forwardVar is the Caddy request variable holding a forwarded request's
// state while the reverse proxy runs.
const forwardVar = "pinpoint_gateway.forward"

// forwardStateOf returns the forwarding state of a request's context.
func forwardStateOf(ctx context.Context) (*forwardState, bool) {
	if vars, ok := ctx.Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
		if st, ok := vars[forwardVar].(*forwardState); ok {
			return st, true
		}
	}
	st, ok := ctx.Value(forwardKey{}).(*forwardState)
	return st, ok
}

// forwardContext carries a forwarded request's state to the proxy hooks
// (one allocation, where context.WithValue costs the same plus an
// interface conversion of the key and value).
type forwardContext struct {
	context.Context
	st *forwardState
}

// Value returns the forwarding state for forwardKey.
func (c *forwardContext) Value(key any) any {
	if _, ok := key.(forwardKey); ok {
		return c.st
	}
	return c.Context.Value(key)
}

// forwardState is what the reverse proxy hooks need to know about one
// forwarded request, and what they report back for the audit record.
type forwardState struct {
	target      *url.URL
	signingName string
	region      string
	body        []byte
	payloadHash string
	creds       aws.Credentials
	requestID   string
	proto       awserr.Protocol
	timeout     time.Duration

	upstreamStatus    int
	upstreamRequestID string
	upstreamErr       error
	signDuration      time.Duration
}

// presignParams are the query parameters of a presigned request.
var presignParams = []string{
	"X-Amz-Algorithm",
	"X-Amz-Credential",
	"X-Amz-Date",
	"X-Amz-Expires",
	"X-Amz-SignedHeaders",
	"X-Amz-Signature",
	"X-Amz-Security-Token",
}

// rewrite points the outbound request at the upstream and keeps only the
// headers on the forward allow-list (forwardedHeader): the client's
// authentication, hop-by-hop and forwarding headers and anything else the
// gateway did not decide on stay behind. The query is the inbound one as
// received (the reverse proxy re-encodes one it cannot parse; checkWire
// refused those already), less the presign parameters.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	st, ok := forwardStateOf(pr.In.Context())
	if !ok {
		panic("pinpoint_gateway: proxying a request without forwarding state")
	}
	out := pr.Out
	out.URL.Scheme = st.target.Scheme
	out.URL.Host = st.target.Host
	if st.target.Path != "" {
		out.URL.Path = st.target.Path + out.URL.Path
		if out.URL.RawPath != "" {
			out.URL.RawPath = st.target.EscapedPath() + out.URL.RawPath
		}
	}
	out.Host = st.target.Host
	out.URL.RawQuery = stripPresignParams(pr.In.URL.RawQuery)

	h := out.Header
	for k := range h {
		if !forwardedHeader(k) {
			delete(h, k)
		}
	}

	body := st.body
	out.ContentLength = int64(len(body))
	if len(body) == 0 {
		out.Body = nil
		out.GetBody = nil
	} else {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	out.TransferEncoding = nil
	out.Trailer = nil // sent after the body, after any check: never forwarded
}

// stripPresignParams removes the presign parameters from a raw query,
// leaving every other parameter exactly as the client encoded it.
func stripPresignParams(raw string) string {
	if raw == "" || !strings.Contains(strings.ToLower(raw), "x-amz-") {
		return raw
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, part := range parts {
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil && isPresignParam(k) {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

func isPresignParam(k string) bool {
	for _, p := range presignParams {
		if strings.EqualFold(k, p) {
			return true
		}
	}
	return false
}

// signingTransport signs each outbound request with the upstream
// credentials just before it is sent.
type signingTransport struct {
	g    *Gateway
	base http.RoundTripper
}

// RoundTrip signs r (owned by the reverse proxy, a clone of the inbound
// request) and sends it.
func (t signingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	st, ok := forwardStateOf(r.Context())
	if !ok {
		return nil, errors.New("pinpoint_gateway: outbound request without forwarding state")
	}
	start := time.Now()
	err := t.g.signer.SignHTTP(r.Context(), st.creds, r, st.payloadHash, st.signingName, st.region, t.g.now().UTC())
	st.signDuration = time.Since(start)
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("signing upstream request: %w", err)
	}
	return t.base.RoundTrip(r)
}

// modifyResponse records the upstream's status for the audit record; the
// response itself is passed back unchanged.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	if st, ok := forwardStateOf(resp.Request.Context()); ok {
		st.upstreamStatus = resp.StatusCode
		st.upstreamRequestID = resp.Header.Get("X-Amzn-Requestid")
	}
	return nil
}

// proxyError answers a failed upstream round trip: 504 on a timeout, 502
// otherwise, in the API's error format and with the gateway's request ID.
func (g *Gateway) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	st, ok := forwardStateOf(r.Context())
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	st.upstreamErr = err
	if errors.Is(err, context.Canceled) && r.Context().Err() == context.Canceled {
		// The client went away; nobody reads an answer.
		st.upstreamStatus = 499
		return
	}
	status, code, msg := upstreamFailure(err, st.timeout)
	st.upstreamStatus = status
	awserr.Write(w, st.proto, status, code, msg+" (request ID "+st.requestID+")", st.requestID)
}

// upstreamFailure classifies a forwarding error. The message is the
// client's, so it says what happened in general terms only: the error
// names the upstream's address, URL and network details, which belong to
// the operator (the audit record's upstream_error keeps it).
func upstreamFailure(err error, timeout time.Duration) (status int, code, msg string) {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return http.StatusGatewayTimeout, awserr.GatewayTimeout,
			fmt.Sprintf("the upstream AWS endpoint did not answer within %s", timeout)
	}
	return http.StatusBadGateway, awserr.BadGateway, msgUpstreamFailed
}

// msgUpstreamFailed is the client's message for a 502 of the round trip.
const msgUpstreamFailed = "the gateway could not forward the request to the upstream AWS endpoint; its audit record says why"

// proxyBufferPool lends the reverse proxy its copy buffers.
type proxyBufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (proxyBufferPool) Get() []byte { return *(copyBuffers.Get().(*[]byte)) }
func (proxyBufferPool) Put(b []byte) {
	if cap(b) == 32<<10 {
		copyBuffers.Put(&b)
	}
}
