package module

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/forward"
)

// maxLookupResponse bounds the body of a lookup answer the gateway reads.
const maxLookupResponse = 1 << 20

// upstreamCall is a request the gateway makes upstream on its own account
// (a tag lookup, an identifier resolution).
type upstreamCall struct {
	api     string // apimap.APIPinpoint or apimap.APISMSVoiceV2
	region  string
	method  string
	path    string // escaped path below the endpoint's base, e.g. /v1/tags/arn%3A...
	target  string // X-Amz-Target of JSON 1.0 calls
	body    []byte
	operate string // operation name, for errors
}

// upstreamCallError is an upstream answer that was not 2xx.
type upstreamCallError struct {
	Operation string
	Status    int
	Type      string // the AWS error type, when the answer names one
}

func (e *upstreamCallError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("%s: upstream answered %d %s", e.Operation, e.Status, e.Type)
	}
	return fmt.Sprintf("%s: upstream answered %d", e.Operation, e.Status)
}

// callUpstream sends c to the API's endpoint for c.region, signed with the
// upstream credentials by the same signing transport as forwarded
// requests, and returns the 2xx answer's body.
func (g *Gateway) callUpstream(ctx context.Context, c upstreamCall) ([]byte, error) {
	base, err := g.endpoints.URL(c.api, c.region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.operate, err)
	}
	creds, err := g.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: upstream credentials: %w", c.operate, err)
	}
	x := &forward.Exchange{
		Target:      base,
		SigningName: apimap.SigningName(c.api),
		Region:      c.region,
		Body:        c.body,
		Creds:       creds,
		PayloadHash: authn.PayloadHash(c.body),
	}
	u := *base
	u.RawPath = base.EscapedPath() + c.path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, fmt.Errorf("%s: %w", c.operate, err)
	}
	var body io.Reader
	if len(c.body) > 0 {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.operate, err)
	}
	req.URL = &u
	if c.target != "" {
		req.Header.Set("X-Amz-Target", c.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	} else if len(c.body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "pinpoint-gateway")
	resp, err := g.forwarder.Send(req, x)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.operate, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxLookupResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", c.operate, err)
	}
	if len(data) > maxLookupResponse {
		return nil, fmt.Errorf("%s: answer larger than %d bytes", c.operate, maxLookupResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &upstreamCallError{Operation: c.operate, Status: resp.StatusCode, Type: errorType(resp.Header, data)}
	}
	return data, nil
}

// errorType names the AWS error of a failed answer (header of REST JSON,
// __type of JSON 1.0), without the namespace.
func errorType(h http.Header, body []byte) string {
	t := h.Get("X-Amzn-ErrorType")
	if t == "" {
		var v struct {
			Type string `json:"__type"`
		}
		if json.Unmarshal(body, &v) == nil {
			t = v.Type
		}
	}
	t, _, _ = strings.Cut(t, ":")
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	if len(t) > 128 {
		t = t[:128]
	}
	return t
}

// escapeLabel percent-encodes a URI label as the AWS SDKs do: every byte
// but the unreserved characters, '/' and ':' included.
func escapeLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}
