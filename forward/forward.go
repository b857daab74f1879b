// Package forward forwards a client's authorized request to the AWS API
// it was meant for, re-signed with the gateway's own credentials: the
// upstream endpoint of each API and region (Endpoints), the reverse proxy
// that rewrites the request to carry exactly what was decided on (the
// forwarded-header allow-list, presign parameters stripped), and the
// transport that signs it just before it is sent.
//
// The pipeline hands the Forwarder an Exchange holding what the forward
// needs (target, credentials, body and its hash); the Forwarder fills in
// the outcome (the upstream's status and request ID, or the error). The
// gateway's own calls (package awscall) are signed and sent by the same
// Forwarder (Send).
package forward

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// Exchange is one forwarded request: what the caller sets before
// Forward or Send, and what the Forwarder reports back for the audit
// record.
type Exchange struct {
	// Set by the caller.

	// Target is the upstream base URL (Endpoints.URL).
	Target *url.URL
	// SigningName and Region scope the signature.
	SigningName string
	Region      string
	// Body is the request body as authorized; PayloadHash its SHA-256, hex.
	Body        []byte
	PayloadHash string
	// Creds are the upstream credentials to sign with.
	Creds aws.Credentials

	// Reported by the Forwarder.

	// Status is the upstream's status, 499 when the client went away, or
	// 0 when the round trip failed (Err says why).
	Status int
	// RequestID is the upstream's X-Amzn-Requestid.
	RequestID string
	// ErrorType is the error code of an upstream error answer, from its
	// X-Amzn-Errortype header (AWS's REST and JSON protocols; anything
	// after a ':' left out), "" when it has none.
	ErrorType string
	// Err is the error of a failed round trip.
	Err error
	// SignDuration is the time spent signing.
	SignDuration time.Duration
}

// Config configures a Forwarder.
type Config struct {
	// Timeout bounds the wait for the upstream's response headers.
	Timeout time.Duration
	// Now is the clock of signatures (time.Now if nil).
	Now func() time.Time
	// ErrorLog receives the reverse proxy's own errors (nil: the log
	// package's standard logger).
	ErrorLog *log.Logger
	// Transport sends the signed requests (nil: a transport of its own,
	// whose idle connections Close releases).
	Transport http.RoundTripper
}

// Forwarder forwards authorized requests and sends the gateway's own
// calls, each signed with the upstream credentials.
type Forwarder struct {
	proxy     *httputil.ReverseProxy
	transport http.RoundTripper
	own       *http.Transport // nil when Config.Transport was given
	signer    *v4.Signer
	now       func() time.Time
}

// New builds the reverse proxy that forwards authorized requests.
func New(cfg Config) *Forwarder {
	f := &Forwarder{now: cfg.Now, transport: cfg.Transport}
	if f.now == nil {
		f.now = time.Now
	}
	if f.transport == nil {
		f.own = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          512,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			// Pass the client's Accept-Encoding and the upstream's encoding
			// through: the response reaches the client exactly as sent.
			DisableCompression: true,
			// A stalled upstream becomes a timeout error (504).
			ResponseHeaderTimeout: cfg.Timeout,
		}
		f.transport = f.own
	}
	f.signer = v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = false
	})
	f.proxy = &httputil.ReverseProxy{
		Rewrite:        rewrite,
		Transport:      signingTransport{f: f},
		ModifyResponse: modifyResponse,
		ErrorHandler:   proxyError,
		ErrorLog:       cfg.ErrorLog,
		BufferPool:     proxyBufferPool{},
	}
	return f
}

// Close releases the idle upstream connections of the Forwarder's own
// transport.
func (f *Forwarder) Close() {
	if f.own != nil {
		f.own.CloseIdleConnections()
	}
}

// Forward proxies r to x.Target, signed for x, and records the outcome in
// x. On a failed round trip nothing is written to w: x.Err says why, and
// the caller answers (unless x.Status is 499, the client went away).
func (f *Forwarder) Forward(w http.ResponseWriter, r *http.Request, x *Exchange) {
	if vars, ok := r.Context().Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
		// Under Caddy: the request's variables carry the state to the
		// proxy hooks, sparing a copy of the request.
		vars[forwardVar] = x
		f.proxy.ServeHTTP(w, r)
		delete(vars, forwardVar)
		return
	}
	f.proxy.ServeHTTP(w, r.WithContext(&forwardContext{Context: r.Context(), x: x}))
}

// Send signs req for x and sends it on the Forwarder's transport: the
// gateway's own calls, signed as forwarded requests are. x's state is not
// read from req's context.
func (f *Forwarder) Send(req *http.Request, x *Exchange) (*http.Response, error) {
	return signingTransport{f: f}.send(req, x)
}

// forwardKey is the request context key of a forwarded request's state
// outside Caddy; under Caddy it is the request variable forwardVar.
type forwardKey struct{}

// forwardVar is the Caddy request variable holding a forwarded request's
// state while the reverse proxy runs.
const forwardVar = "pinpoint_gateway.forward"

// exchangeOf returns the forwarding state of a request's context.
func exchangeOf(ctx context.Context) (*Exchange, bool) {
	if vars, ok := ctx.Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
		if x, ok := vars[forwardVar].(*Exchange); ok {
			return x, true
		}
	}
	x, ok := ctx.Value(forwardKey{}).(*Exchange)
	return x, ok
}

// forwardContext carries a forwarded request's state to the proxy hooks
// (one allocation, where context.WithValue costs the same plus an
// interface conversion of the key and value).
type forwardContext struct {
	context.Context
	x *Exchange
}

// Value returns the forwarding state for forwardKey.
func (c *forwardContext) Value(key any) any {
	if _, ok := key.(forwardKey); ok {
		return c.x
	}
	return c.Context.Value(key)
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
// received (the reverse proxy re-encodes one it cannot parse; the
// pipeline's admission check refused those already), less the presign
// parameters.
func rewrite(pr *httputil.ProxyRequest) {
	x, ok := exchangeOf(pr.In.Context())
	if !ok {
		panic("pinpoint_gateway: proxying a request without forwarding state")
	}
	out := pr.Out
	out.URL.Scheme = x.Target.Scheme
	out.URL.Host = x.Target.Host
	if x.Target.Path != "" {
		out.URL.Path = x.Target.Path + out.URL.Path
		if out.URL.RawPath != "" {
			out.URL.RawPath = x.Target.EscapedPath() + out.URL.RawPath
		}
	}
	out.Host = x.Target.Host
	out.URL.RawQuery = stripPresignParams(pr.In.URL.RawQuery)

	h := out.Header
	for k := range h {
		if !forwardedHeader(k) {
			delete(h, k)
		}
	}

	body := x.Body
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
type signingTransport struct{ f *Forwarder }

// RoundTrip signs r (owned by the reverse proxy, a clone of the inbound
// request) and sends it.
func (t signingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	x, ok := exchangeOf(r.Context())
	if !ok {
		return nil, errors.New("pinpoint_gateway: outbound request without forwarding state")
	}
	return t.send(r, x)
}

// send signs r for x and sends it.
func (t signingTransport) send(r *http.Request, x *Exchange) (*http.Response, error) {
	start := time.Now()
	err := t.f.signer.SignHTTP(r.Context(), x.Creds, r, x.PayloadHash, x.SigningName, x.Region, t.f.now().UTC())
	x.SignDuration = time.Since(start)
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("signing upstream request: %w", err)
	}
	return t.f.transport.RoundTrip(r)
}

// modifyResponse records the upstream's status for the audit record; the
// response itself is passed back unchanged.
func modifyResponse(resp *http.Response) error {
	if x, ok := exchangeOf(resp.Request.Context()); ok {
		x.Status = resp.StatusCode
		x.RequestID = resp.Header.Get("X-Amzn-Requestid")
		if resp.StatusCode >= 400 {
			x.ErrorType, _, _ = strings.Cut(resp.Header.Get("X-Amzn-Errortype"), ":")
		}
	}
	return nil
}

// proxyError records a failed upstream round trip; the caller of Forward
// answers it. A client that went away is recorded as 499: nobody reads an
// answer.
func proxyError(w http.ResponseWriter, r *http.Request, err error) {
	x, ok := exchangeOf(r.Context())
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	x.Err = err
	if errors.Is(err, context.Canceled) && r.Context().Err() == context.Canceled {
		x.Status = 499
	}
}

// Timeout reports whether a round trip's error is a timeout (the upstream
// did not answer within Config.Timeout or the request's deadline).
func Timeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// proxyBufferPool lends the reverse proxy its copy buffers.
type proxyBufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (proxyBufferPool) Get() []byte { return *(copyBuffers.Get().(*[]byte)) }
func (proxyBufferPool) Put(b []byte) {
	if cap(b) == 32<<10 {
		copyBuffers.Put(&b)
	}
}
