package module

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pinpointgw/gateway/internal/wirecheck"
)

// pipelineUpstream records what reached it since the last take, and
// answers every request alike.
type pipelineUpstream struct {
	*httptest.Server
	mu  sync.Mutex
	got []wirecheck.Request
}

func newPipelineUpstream(t testing.TB) *pipelineUpstream {
	u := &pipelineUpstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.got = append(u.got, wirecheck.Request{Method: r.Method, RawPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		u.mu.Unlock()
		w.Header().Set("X-Upstream", "yes")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, upstreamBody)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *pipelineUpstream) take() []wirecheck.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	got := u.got
	u.got = nil
	return got
}

// pipelineUA is the user agent of every fuzzed request; the gateway's own
// lookups (pinpoint-gateway) are told apart by it.
const pipelineUA = "fuzz-pipeline"

// FuzzPipeline drives the whole pipeline (authenticate, map, authorize,
// audit, forward) with requests correctly signed by the admin user of
// testStore, so that the fuzzer explores mapping and authorization rather
// than signatures. Invariants: no panic; when a request reached the
// upstream, an independent reader built from the models
// (internal/wirecheck) names its operation from the bytes the upstream
// received, and the operation and every resource it acts on are in the
// request's audit record (authorizations, references, iam:PassRole); the
// response is the upstream's answer when forwarded, else an AWS-shaped
// error.
func FuzzPipeline(f *testing.F) {
	ms := wirecheck.LoadForTest(f)
	up := newPipelineUpstream(f)
	g, logs := testGateway(f, nil, func(g *Gateway) {
		g.Endpoint = map[string]string{"pinpoint": up.URL, "sms-voice": up.URL, "sms-voice-v2": up.URL}
	})
	// Seeds: real requests, and generated ones of the models.
	f.Add("GET", "/v1/apps", "page-size=5", "", "", "", []byte(nil))
	f.Add("GET", "/v1/apps/fedcba9876543210fedcba9876543210/campaigns/c1", "", "", "", "", []byte(nil))
	f.Add("POST", "/v1/apps/fedcba9876543210fedcba9876543210/messages", "", "", "application/json", "",
		[]byte(`{"Addresses":{"+12065550100":{"ChannelType":"SMS"}},"MessageConfiguration":{"SMSMessage":{"Body":"hi"}}}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.SendTextMessage", "application/x-amz-json-1.0", "",
		[]byte(`{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-0123456789abcdef0","MessageBody":"hi"}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.DescribePools", "application/x-amz-json-1.0", "",
		[]byte(`{"PoolIds":["pool-a","pool-b"],"PoolIds":["pool-c"]}`))
	f.Add("POST", "/", "", "PinpointSMSVoiceV2.DescribeAccountLimits", "application/x-amz-json-1.0", "Connection: X-Amz-Target", []byte(`{}`))
	f.Add("GET", "/v1/apps/fedcba9876543210fedcba9876543210", "", "", "", "X-Http-Method-Override: DELETE", []byte(nil))
	f.Add("POST", "/v1/apps/fedcba9876543210fedcba9876543210/jobs/import", "", "", "application/json", "",
		[]byte(`{"Format":"CSV","RoleArn":"arn:aws:iam::999999999999:role/other","S3Url":"s3://other/k"}`))
	for _, op := range [][2]string{{"sms-voice-v2", "CreateEventDestination"}, {"sms-voice-v2", "DeletePool"}, {"pinpoint", "UpdateSegment"}} {
		gen, err := ms.Generate(op[0], op[1])
		if err != nil {
			f.Fatal(err)
		}
		var target, ct string
		if t := gen.Header["X-Amz-Target"]; len(t) > 0 {
			target = t[0]
		}
		if c := gen.Header["Content-Type"]; len(c) > 0 {
			ct = c[0]
		}
		f.Add(gen.Method, gen.Path, gen.RawQuery, target, ct, "", gen.Body)
	}
	f.Fuzz(func(t *testing.T, method, path, query, target, contentType, header string, body []byte) {
		r := pipelineRequest(method, path, query, target, contentType, header, body)
		if r == nil {
			return // not a request an HTTP server would hand to the handler
		}
		logs.TakeAll()
		up.take()
		w := serve(g, r)
		var forwarded []wirecheck.Request
		for _, got := range up.take() {
			if got.Header.Get("User-Agent") != "pinpoint-gateway" {
				forwarded = append(forwarded, got)
			}
		}
		recs := auditRecords(logs)
		if len(recs) != 1 {
			t.Fatalf("%d audit records for one request, want 1", len(recs))
		}
		if len(forwarded) == 0 {
			if w.Code < 400 || w.Header().Get("X-Amzn-Requestid") == "" || !awsShapedError(w) {
				t.Fatalf("not forwarded, and the answer is not an AWS-shaped error: %d %v %q", w.Code, w.Header(), w.Body.String())
			}
			return
		}
		if w.Header().Get("X-Upstream") != "yes" {
			t.Fatalf("forwarded, but the answer is not the upstream's: %d %q", w.Code, w.Body.String())
		}
		if len(forwarded) > 1 {
			t.Fatalf("one request forwarded %d times", len(forwarded))
		}
		if d, _ := recs[0]["decision"].(string); d != "Allow" {
			t.Fatalf("forwarded with decision %q", d)
		}
		audit := wirecheck.AuditFromRecord(recs[0])
		rds, err := ms.Read(forwarded[0])
		if err != nil {
			t.Fatalf("forwarded %s %s?%s, which names no operation: %v", forwarded[0].Method, forwarded[0].RawPath, forwarded[0].RawQuery, err)
		}
		var bad []string
		for _, rd := range rds {
			for _, v := range wirecheck.Check(rd, audit) {
				bad = append(bad, v.String())
			}
		}
		if len(bad) > 0 {
			t.Fatalf("forwarded request acts on what the audit record does not authorize:\n  %s\naudit: %+v", strings.Join(bad, "\n  "), audit)
		}
	})
}

// pipelineRequest builds the fuzzed request, signed by the admin user, or
// nil when the input is no HTTP request a server would accept. Bodies are
// kept to 64 KiB (past every string limit of the models): each execution
// stays short, so that Go's fuzz coordinator does not time out waiting on
// a worker of a loaded machine.
func pipelineRequest(method, path, query, target, contentType, header string, body []byte) *http.Request {
	if !strings.HasPrefix(path, "/") || len(body) > 64<<10 {
		return nil
	}
	u, err := url.Parse("http://gateway.test" + path)
	if err != nil || u.Host != "gateway.test" || strings.ContainsAny(query, " #\x00\r\n") {
		return nil
	}
	u.RawQuery = query
	r, err := http.NewRequestWithContext(context.Background(), method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil
	}
	r.URL = u
	r.RequestURI = u.RequestURI()
	r.RemoteAddr = "192.0.2.10:40000"
	if target != "" {
		if !validHeaderValue(target) {
			return nil
		}
		r.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		if !validHeaderValue(contentType) {
			return nil
		}
		r.Header.Set("Content-Type", contentType)
	}
	if header != "" {
		name, value, ok := strings.Cut(header, ":")
		value = strings.TrimSpace(value)
		if !ok || !validHeaderName(name) || !validHeaderValue(value) {
			return nil
		}
		r.Header.Add(name, value)
	}
	r.Header.Set("User-Agent", pipelineUA)
	service := "mobiletargeting"
	if target != "" || strings.HasPrefix(path, "/v1/sms-voice") {
		service = "sms-voice"
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: adminKeyID, SecretAccessKey: adminSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		return nil
	}
	return r
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// awsShapedError reports whether w holds an error as AWS shapes it: a
// REST-JSON error type header, a JSON 1.0 __type, or an STS XML error.
func awsShapedError(w *httptest.ResponseRecorder) bool {
	if w.Header().Get("X-Amzn-Errortype") != "" {
		return true
	}
	var j struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(w.Body.Bytes(), &j) == nil && j.Type != "" {
		return true
	}
	return bytes.Contains(w.Body.Bytes(), []byte("<Error>"))
}
