package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// capture is an http.RoundTripper for the SDK clients that keeps the raw
// bytes of every request body and response body, and every signature sent
// (for the audit log's secret grep).
type capture struct {
	next  http.RoundTripper
	quiet bool // keep nothing (long load loops)

	mu         sync.Mutex
	reqBodies  [][]byte
	respBodies [][]byte
	signatures []string
}

func newCapture() *capture {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &capture{next: tr}
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	if c.quiet {
		return c.next.RoundTrip(req)
	}
	c.mu.Lock()
	c.reqBodies = append(c.reqBodies, reqBody)
	if sig := signatureOf(req); sig != "" {
		c.signatures = append(c.signatures, sig)
	}
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	c.respBodies = append(c.respBodies, body)
	c.mu.Unlock()
	return resp, nil
}

// newQuietCapture is a capture that keeps nothing.
func newQuietCapture() *capture {
	c := newCapture()
	c.quiet = true
	return c
}

// last returns the last request and response bodies.
func (c *capture) last() (req, resp []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.respBodies) == 0 {
		return nil, nil
	}
	return c.reqBodies[len(c.reqBodies)-1], c.respBodies[len(c.respBodies)-1]
}

// Signatures returns every signature sent through c.
func (c *capture) Signatures() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.signatures...)
}

func (c *capture) client() *http.Client { return &http.Client{Transport: c, Timeout: 30 * time.Second} }

// signatureOf extracts the SigV4 signature of a request (header or query).
func signatureOf(req *http.Request) string {
	if auth := req.Header.Get("Authorization"); auth != "" {
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			return sig
		}
	}
	return req.URL.Query().Get("X-Amz-Signature")
}

// creds are static client credentials.
func creds(id, secret, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(id, secret, token)
}

// pinpointClient is an SDK Pinpoint client pointed at the gateway. Retries
// are off so that no failure is hidden.
func pinpointClient(g *gatewayProc, cp aws.CredentialsProvider, c *capture) *pinpoint.Client {
	return pinpoint.New(pinpoint.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(g.URL),
		Credentials:  cp,
		HTTPClient:   c.client(),
		Retryer:      aws.NopRetryer{},
	})
}

// smsV2Client is an SDK SMS and Voice v2 client pointed at the gateway.
func smsV2Client(g *gatewayProc, cp aws.CredentialsProvider, c *capture) *pinpointsmsvoicev2.Client {
	return pinpointsmsvoicev2.New(pinpointsmsvoicev2.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(g.URL),
		Credentials:  cp,
		HTTPClient:   c.client(),
		Retryer:      aws.NopRetryer{},
	})
}

// stsClient is an SDK STS client pointed at the gateway.
func stsClient(g *gatewayProc, cp aws.CredentialsProvider, c *capture) *sts.Client {
	return sts.New(sts.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(g.URL),
		Credentials:  cp,
		HTTPClient:   c.client(),
		Retryer:      aws.NopRetryer{},
	})
}

// rawRequest is a request signed by hand with the SDK signer, for the API
// that has no SDK client here (SMS and Voice v1) and for crafted failures.
type rawRequest struct {
	Method   string
	Path     string
	RawQuery string
	Header   map[string]string
	Body     string
	Creds    aws.Credentials
	Service  string    // SigV4 service; "" = unsigned
	Region   string    // "" = testRegion
	SignTime time.Time // zero = now
}

// rawResponse is what came back.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// do signs and sends r to the gateway, recording the signature in c.
func (r rawRequest) do(t *testing.T, g *gatewayProc, c *capture) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target := g.URL + r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	signRequest(t, req, r)
	resp, err := c.client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// signRequest signs req as r says (nothing when r.Service is "").
func signRequest(t *testing.T, req *http.Request, r rawRequest) {
	t.Helper()
	if r.Service == "" {
		return
	}
	region := r.Region
	if region == "" {
		region = testRegion
	}
	at := r.SignTime
	if at.IsZero() {
		at = time.Now()
	}
	sum := sha256.Sum256([]byte(r.Body))
	if err := v4.NewSigner().SignHTTP(req.Context(), r.Creds, req, hex.EncodeToString(sum[:]), r.Service, region, at); err != nil {
		t.Fatalf("signing: %v", err)
	}
}
