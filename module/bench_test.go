package module

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// cannedTransport answers every request in memory, so that a benchmark
// measures the gateway's own work (verify, map, decide, audit, re-sign,
// proxy plumbing) without a network round trip.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode:    200,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(upstreamBody)),
		ContentLength: int64(len(upstreamBody)),
		Request:       r,
	}, nil
}

// discardWriter is a minimal ResponseWriter.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func benchmarkServe(b *testing.B, method, target, service string, header http.Header, body []byte, wantStatus int) {
	g, _ := testGateway(b, nil, func(g *Gateway) {
		g.Endpoint = map[string]string{"pinpoint": "http://upstream.invalid", "sms-voice-v2": "http://upstream.invalid"}
	})
	g.proxy.Transport = signingTransport{g: g, base: cannedTransport{}}
	// A real JSON audit encoder, writing nowhere.
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	tmpl := signedRequest(b, method, target, service, "us-east-1", readerKeyID, readerSecret, header, body)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := tmpl.Clone(tmpl.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		w := &discardWriter{h: make(http.Header)}
		g.ServeHTTP(w, r, nil)
		if w.code != wantStatus {
			b.Fatalf("status %d, want %d", w.code, wantStatus)
		}
	}
}

// BenchmarkServeAllow is the allow path of a Pinpoint GET.
func BenchmarkServeAllow(b *testing.B) {
	benchmarkServe(b, "GET", "http://gw/v1/apps/"+testApp+"/segments", "mobiletargeting", nil, nil, 200)
}

// BenchmarkServeAllowV2 is the allow path of an SMS and Voice v2 call with a body.
func BenchmarkServeAllowV2(b *testing.B) {
	benchmarkServe(b, "POST", "http://gw/", "sms-voice",
		http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePools"}, "Content-Type": {"application/x-amz-json-1.0"}},
		[]byte(`{"MaxResults":5,"PoolIds":["pool-0123456789abcdef0123456789abcdef"]}`), 200)
}

// BenchmarkServeDeny is the deny path.
func BenchmarkServeDeny(b *testing.B) {
	benchmarkServe(b, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", nil, nil, 403)
}
