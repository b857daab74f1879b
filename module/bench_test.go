package module

import (
	"bytes"
	"context"
	"github.com/pinpointgw/gateway/quota"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/caddyserver/caddy/v2"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/forward"
	"github.com/pinpointgw/gateway/internal/testenv"

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
	benchmarkServeAs(b, readerKeyID, readerSecret, nil, method, target, service, header, body, wantStatus)
}

// benchmarkServeAs is benchmarkServe signed by keyID, with configure
// changing the gateway's config before it is provisioned.
func benchmarkServeAs(b *testing.B, keyID, secret string, configure func(*Gateway), method, target, service string, header http.Header, body []byte, wantStatus int) {
	g, _ := testGateway(b, nil, func(g *Gateway) {
		g.Endpoint = map[string]string{"pinpoint": "http://upstream.invalid", "sms-voice-v2": "http://upstream.invalid"}
		if configure != nil {
			configure(g)
		}
	})
	g.forwarder = forward.New(forward.Config{Now: g.now, Transport: cannedTransport{}})
	// A real JSON audit encoder, writing nowhere.
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	tmpl := signedRequest(b, method, target, service, "us-east-1", keyID, secret, header, body)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		r := tmpl.Clone(tmpl.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		w := &discardWriter{h: make(http.Header)}
		g.ServeHTTP(w, r, nil)
		if w.code != wantStatus {
			b.Fatalf("status %d, want %d", w.code, wantStatus)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is the process's user+system CPU time in nanoseconds: unlike
// ns/op it does not grow when other processes compete for the CPUs.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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

// BenchmarkServeSend is the allow path of a v2 SendTextMessage: without a
// quota, with one in-memory quota per principal, with three (per
// principal, per destination number, per country), and with one in a real
// redis-server on loopback (one EVALSHA per request). The limits are never
// reached; the number was seen before (its classification is cached). The
// difference between "no quota" and the others is what quotas add.
func BenchmarkServeSend(b *testing.B) {
	body := []byte(`{"DestinationPhoneNumber":"+33612345678","MessageBody":"code 123456","OriginationIdentity":"pool-0123456789abcdef0123456789abcdef"}`)
	header := http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.SendTextMessage"}, "Content-Type": {"application/x-amz-json-1.0"}}
	quotaOn := func(per ...string) func(*Gateway) {
		return func(g *Gateway) {
			for _, p := range per {
				g.Quotas = append(g.Quotas, Quota{Config: quota.Config{Name: "q-" + strings.NewReplacer(":", "-", "/", "-").Replace(p),
					Actions: []string{"sms-voice:SendTextMessage"}, Per: p, Limit: 1 << 40}, Window: caddy.Duration(time.Hour)})
			}
		}
	}
	run := func(configure func(*Gateway)) func(b *testing.B) {
		return func(b *testing.B) {
			benchmarkServeAs(b, adminKeyID, adminSecret, configure, "POST", "http://gw/", "sms-voice", header, body, 200)
		}
	}
	b.Run("no quota", run(nil))
	b.Run("memory, 1 quota", run(quotaOn("aws:PrincipalArn")))
	b.Run("memory, 3 quotas", run(quotaOn("aws:PrincipalArn", "gateway:DestinationNumber", "gateway:DestinationCountry")))
	b.Run("redis, 1 quota", func(b *testing.B) {
		redis := testenv.StartRedis(b)
		configure := quotaOn("aws:PrincipalArn")
		run(func(g *Gateway) {
			configure(g)
			g.SharedState = &SharedState{Backend: SharedStateRedis, URL: redis.URL()}
		})(b)
	})
}

// BenchmarkServeDeny is the deny path.
func BenchmarkServeDeny(b *testing.B) {
	benchmarkServe(b, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", nil, nil, 403)
}

// BenchmarkBaselineReverseProxy is a plain httputil.ReverseProxy with the
// same in-memory upstream: the part of BenchmarkServeAllow that any proxy
// pays. The difference is the gateway's own work.
func BenchmarkBaselineReverseProxy(b *testing.B) {
	u, _ := url.Parse("http://upstream.invalid")
	p := &httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		Transport:  cannedTransport{},
		BufferPool: benchBufferPool{},
	}
	tmpl := signedRequest(b, "GET", "http://gw/v1/apps/"+testApp+"/segments", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		r := tmpl.Clone(tmpl.Context())
		w := &discardWriter{h: make(http.Header)}
		p.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// benchBufferPool lends copy buffers as the forwarder's pool does.
type benchBufferPool struct{}

var benchBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (benchBufferPool) Get() []byte { return *(benchBuffers.Get().(*[]byte)) }
func (benchBufferPool) Put(b []byte) {
	if cap(b) == 32<<10 {
		benchBuffers.Put(&b)
	}
}

// BenchmarkStages measures the pipeline's stages one by one on the allow
// path of BenchmarkServeAllow.
func BenchmarkStages(b *testing.B) {
	g, _ := testGateway(b, nil, nil)
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	tmpl := signedRequest(b, "GET", "http://gw/v1/apps/"+testApp+"/segments", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)
	id, err := g.current().authn.Authenticate(tmpl, nil)
	if err != nil {
		b.Fatal(err)
	}
	mreq := &apimap.Request{Method: "GET", RawPath: tmpl.URL.EscapedPath(), Header: tmpl.Header, Region: "us-east-1", Account: testAccount, Service: "mobiletargeting"}
	res, err := apimap.Map(mreq)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("authenticate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.current().authn.Authenticate(tmpl, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := apimap.Map(mreq); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("authorize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rs := &requestState{st: g.current()}
			if msg := g.authorize(tmpl, rs, id, res); msg != "" {
				b.Fatal(msg)
			}
		}
	})
	b.Run("audit", func(b *testing.B) {
		b.ReportAllocs()
		rs := &requestState{st: g.current()}
		g.authorize(tmpl, rs, id, res)
		rs.identity = id
		rs.api, rs.op, rs.permissions = res.API, res.Operation, res.Permissions
		for b.Loop() {
			g.writeAudit(tmpl, rs)
		}
	})
	b.Run("re-sign", func(b *testing.B) {
		b.ReportAllocs()
		creds := aws.Credentials{AccessKeyID: upstreamKeyID, SecretAccessKey: upstreamSecret}
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = false })
		out, _ := http.NewRequest("GET", "https://pinpoint.us-east-1.amazonaws.com/v1/apps/"+testApp+"/segments", nil)
		for b.Loop() {
			out.Header = http.Header{}
			if err := signer.SignHTTP(context.Background(), creds, out, authn.EmptyPayloadHash, "mobiletargeting", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
