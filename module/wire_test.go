package module

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCheckWire: what may change a request's meaning between the decision
// and the forward is refused; ordinary requests pass.
func TestCheckWire(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		header  http.Header
		query   string
		refused bool
	}{
		"plain":                    {http.Header{"Content-Type": {"application/json"}}, "page-size=5", false},
		"Connection keep-alive":    {http.Header{"Connection": {"keep-alive"}}, "", false},
		"Connection close, TE":     {http.Header{"Connection": {"close, TE"}}, "", false},
		"Connection Upgrade, h2":   {http.Header{"Connection": {"Upgrade, HTTP2-Settings"}}, "", false},
		"Connection empty items":   {http.Header{"Connection": {" , keep-alive,"}}, "", false},
		"Connection X-Amz-Target":  {http.Header{"Connection": {"X-Amz-Target"}}, "", true},
		"Connection second value":  {http.Header{"Connection": {"keep-alive", "Content-Type"}}, "", true},
		"Connection Authorization": {http.Header{"Connection": {"close,authorization"}}, "", true},
		"X-Http-Method-Override":   {http.Header{"X-Http-Method-Override": {"DELETE"}}, "", true},
		"X-Http-Method":            {http.Header{"X-Http-Method": {"DELETE"}}, "", true},
		"X-Method-Override":        {http.Header{"X-Method-Override": {"PUT"}}, "", true},
		"x_http_method_override (Caddy drops it; never forwarded)": {http.Header{"x_http_method_override": {"DELETE"}}, "", false},
		"x-http-method-override":                                   {http.Header{"x-http-method-override": {"DELETE"}}, "", true},
		"X-HTTP-METHOD":                                            {http.Header{"X-HTTP-METHOD": {"DELETE"}}, "", true},
		"X-Http-Methods (not override)":                            {http.Header{"X-Http-Methods": {"GET"}}, "", false},
		"Content-Encoding identity":                                {http.Header{"Content-Encoding": {"identity"}}, "", false},
		"Content-Encoding gzip":                                    {http.Header{"Content-Encoding": {"gzip"}}, "", true},
		"Content-Encoding aws-chunked":                             {http.Header{"Content-Encoding": {"aws-chunked"}}, "", true},
		"Content-Encoding identity,br":                             {http.Header{"Content-Encoding": {"identity, br"}}, "", true},
		"Content-Encoding empty":                                   {http.Header{"Content-Encoding": {""}}, "", true},
		"two Content-Type":                                         {http.Header{"Content-Type": {"application/json", "text/plain"}}, "", true},
		"query semicolon":                                          {nil, "a=1;b=2", true},
		"query bad escape":                                         {nil, "a=%zz", true},
		"query truncated escape":                                   {nil, "a=%4", true},
		"query good escapes":                                       {nil, "a=%41%2f&b=", false},
		"query escape at the very end":                             {nil, "a=%41", false},
		"unrelated x-amz header (mapped)":                          {http.Header{"X-Amz-Meta": {"x"}}, "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "http://gw/v1/apps", nil)
			r.URL.RawQuery = tc.query
			r.Header = http.Header{}
			for k, vs := range tc.header { // canonical, as Go's servers store names
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			err := checkWire(r)
			if (err != nil) != tc.refused {
				t.Errorf("checkWire(%v, query %q) = %v, want refused %v", tc.header, tc.query, err, tc.refused)
			}
		})
	}
}

// BenchmarkCheckWire measures the check on the headers an SDK sends.
func BenchmarkCheckWire(b *testing.B) {
	r := httptest.NewRequest(http.MethodPost, "http://gw/v1/apps?page-size=5&token=abc%2F", nil)
	r.Header = http.Header{
		"Content-Type": {"application/json"}, "User-Agent": {"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.26"},
		"Amz-Sdk-Invocation-Id": {"5b0f7c4e-0000-4000-8000-000000000000"}, "Amz-Sdk-Request": {"attempt=1; max=3"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/mobiletargeting/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"},
		"X-Amz-Date":    {"20260101T000000Z"}, "X-Amz-Content-Sha256": {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		"Accept-Encoding": {"gzip"}, "Connection": {"keep-alive"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := checkWire(r); err != nil {
			b.Fatal(err)
		}
	}
}
