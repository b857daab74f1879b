// Package awscall makes the gateway's own signed calls to AWS, on the
// gateway's account: the tag lookups and identifier resolutions of
// resource_tags lookup (package lookup). It also provides the upstream
// credentials, which sign these calls and the forwarded client requests
// (package forward) alike.
//
// A call is signed and sent by the same forward.Forwarder as forwarded
// requests, to the same endpoints.
package awscall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/forward"
)

// maxAnswer bounds the body of an answer the gateway reads.
const maxAnswer = 1 << 20

// Client makes the gateway's own calls.
type Client struct {
	// Endpoints are the upstream base URLs of the APIs.
	Endpoints *forward.Endpoints
	// Credentials are the upstream credentials.
	Credentials aws.CredentialsProvider
	// Forwarder signs and sends the calls (forward.Forwarder.Send).
	Forwarder *forward.Forwarder
}

// Call is a request the gateway makes upstream on its own account (a tag
// lookup, an identifier resolution).
type Call struct {
	API       string // apimap.APIPinpoint or apimap.APISMSVoiceV2
	Region    string
	Method    string
	Path      string // escaped path below the endpoint's base, e.g. /v1/tags/arn%3A...
	Target    string // X-Amz-Target of JSON 1.0 calls
	Body      []byte
	Operation string // operation name, for errors
}

// Error is an upstream answer that was not 2xx.
type Error struct {
	Operation string
	Status    int
	Type      string // the AWS error type, when the answer names one
}

func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("%s: upstream answered %d %s", e.Operation, e.Status, e.Type)
	}
	return fmt.Sprintf("%s: upstream answered %d", e.Operation, e.Status)
}

// Do sends c to the API's endpoint for c.Region, signed with the upstream
// credentials by the same signing transport as forwarded requests, and
// returns the 2xx answer's body.
func (cl *Client) Do(ctx context.Context, c Call) ([]byte, error) {
	base, err := cl.Endpoints.URL(c.API, c.Region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Operation, err)
	}
	creds, err := cl.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: upstream credentials: %w", c.Operation, err)
	}
	x := &forward.Exchange{
		Target:      base,
		SigningName: apimap.SigningName(c.API),
		Region:      c.Region,
		Body:        c.Body,
		Creds:       creds,
		PayloadHash: authn.PayloadHash(c.Body),
	}
	u := *base
	u.RawPath = base.EscapedPath() + c.Path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Operation, err)
	}
	var body io.Reader
	if len(c.Body) > 0 {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Operation, err)
	}
	req.URL = &u
	if c.Target != "" {
		req.Header.Set("X-Amz-Target", c.Target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	} else if len(c.Body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "pinpoint-gateway")
	resp, err := cl.Forwarder.Send(req, x)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Operation, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", c.Operation, err)
	}
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("%s: answer larger than %d bytes", c.Operation, maxAnswer)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Operation: c.Operation, Status: resp.StatusCode, Type: errorType(resp.Header, data)}
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

// EscapeLabel percent-encodes a URI label as the AWS SDKs do: every byte
// but the unreserved characters, '/' and ':' included.
func EscapeLabel(s string) string {
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
