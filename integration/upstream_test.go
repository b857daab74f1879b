package integration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/authz"
)

// cannedResponse is what the fake upstream answers for one operation.
type cannedResponse struct {
	Status int
	Header map[string]string
	Body   string
}

// upstreamRecord is one request that reached a fake upstream.
type upstreamRecord struct {
	Method    string
	Host      string
	Path      string // escaped path as received
	RawQuery  string
	Header    http.Header
	Body      []byte
	Operation string   // what the fake upstream recognised ("" if nothing)
	Failures  []string // why it was refused; empty when accepted
}

// fakeUpstream stands in for one AWS API behind the gateway.
type fakeUpstream struct {
	API         string // pinpoint | sms-voice | sms-voice-v2
	SigningName string // mobiletargeting | sms-voice

	srv *httptest.Server
	// forbidden holds client credentials (key IDs, secrets, session tokens)
	// that must never reach the upstream in any header, query or body.
	mu        sync.Mutex
	forbidden []string
	records   []upstreamRecord
	// respond, when set, answers before the canned responses (stateful
	// fakes such as the tag-keeping upstream of tags_test.go); ok false
	// falls through to the canned responses.
	respond func(r *http.Request, body []byte) (op string, resp cannedResponse, ok bool)
	// policies are the upstream policies enforced, by gateway (upstream_policy_test.go);
	// violations the requests they refused; denialsExpected says the test expects some.
	policies        map[*gatewayProc][]*authz.Policy
	override        bool
	violations      []string
	denialsExpected bool
}

// newFakeUpstream starts a fake upstream for api on 127.0.0.1.
func newFakeUpstream(t *testing.T, api string) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{API: api, SigningName: "sms-voice"}
	if api == "pinpoint" {
		u.SigningName = "mobiletargeting"
	}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	registerFakeUpstream(u)
	t.Cleanup(func() {
		u.checkViolations(t)
		unregisterFakeUpstream(u)
		u.srv.Close()
	})
	return u
}

// URL is the upstream's base URL.
func (u *fakeUpstream) URL() string { return u.srv.URL }

// Forbid adds client credentials that must never reach the upstream.
func (u *fakeUpstream) Forbid(secrets ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, s := range secrets {
		if s != "" {
			u.forbidden = append(u.forbidden, s)
		}
	}
}

// Records returns a copy of what reached the upstream so far.
func (u *fakeUpstream) Records() []upstreamRecord {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]upstreamRecord(nil), u.records...)
}

// Reset forgets the records.
func (u *fakeUpstream) Reset() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.records = nil
}

func (u *fakeUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rec := upstreamRecord{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
	}
	if err != nil {
		rec.Failures = append(rec.Failures, "reading body: "+err.Error())
	}
	u.mu.Lock()
	forbidden := append([]string(nil), u.forbidden...)
	u.mu.Unlock()
	rec.Failures = append(rec.Failures, clientCredentialLeaks(r, body, forbidden)...)
	if err := verifyUpstreamSignature(r, body, u.SigningName, time.Now()); err != nil {
		rec.Failures = append(rec.Failures, "signature: "+err.Error())
	}
	op, resp := u.route(r, body)
	rec.Operation = op
	denied := ""
	if len(rec.Failures) == 0 {
		denied = u.checkPolicy(r, body)
	}
	u.mu.Lock()
	u.records = append(u.records, rec)
	if denied != "" {
		u.violations = append(u.violations, r.Method+" "+rec.Path+" "+r.Header.Get("X-Amz-Target")+": "+denied)
	}
	u.mu.Unlock()
	if denied != "" {
		u.writePolicyDenial(w, denied)
		return
	}

	if len(rec.Failures) > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "FakeUpstreamRefused")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"Message":%q}`, "fake upstream refused: "+strings.Join(rec.Failures, "; "))
		return
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.Status)
	io.WriteString(w, resp.Body)
}

// route recognises the operation and returns its canned answer.
func (u *fakeUpstream) route(r *http.Request, body []byte) (string, cannedResponse) {
	u.mu.Lock()
	respond := u.respond
	u.mu.Unlock()
	if respond != nil {
		if op, resp, ok := respond(r, body); ok {
			return op, resp
		}
	}
	var op string
	switch u.API {
	case "sms-voice-v2":
		op = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "PinpointSMSVoiceV2.")
	default:
		op = restOperation(r.Method, r.URL.Path)
	}
	if resp, ok := cannedResponses[u.API+" "+op]; ok {
		return op, resp
	}
	return op, cannedResponse{
		Status: http.StatusOK,
		Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-generic"},
		Body:   `{}`,
	}
}

// restOperation names the few REST operations the tests use.
func restOperation(method, path string) string {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == http.MethodGet && path == "/v1/apps":
		return "GetApps"
	case method == http.MethodGet && len(seg) == 3 && seg[1] == "apps":
		return "GetApp"
	case method == http.MethodGet && len(seg) == 5 && seg[3] == "campaigns":
		return "GetCampaign"
	case method == http.MethodGet && len(seg) == 4 && seg[3] == "segments":
		return "GetSegments"
	case method == http.MethodPost && len(seg) == 4 && seg[3] == "messages":
		return "SendMessages"
	case method == http.MethodPost && path == "/v1/sms-voice/configuration-sets":
		return "CreateConfigurationSet"
	}
	return ""
}

// cannedResponses are realistic answers, keyed by "API Operation".
var cannedResponses = map[string]cannedResponse{
	"pinpoint GetApps": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-getapps-1"},
		Body: `{"Item":[{"Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a","Id":"app-a","Name":"tenant-a","tags":{"tenant":"a"},"CreationDate":"2026-01-05T10:00:00.000Z"},{"Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-b","Id":"app-b","Name":"tenant-b","tags":{"tenant":"b"},"CreationDate":"2026-02-07T11:30:00.000Z"}]}`},
	"pinpoint GetApp": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-getapp-1"},
		Body: `{"Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a","Id":"app-a","Name":"tenant-a","tags":{"tenant":"a"},"CreationDate":"2026-01-05T10:00:00.000Z"}`},
	"pinpoint GetCampaign": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-getcampaign-1"},
		Body: `{"ApplicationId":"app-a","Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a/campaigns/camp-1","CreationDate":"2026-03-01T09:00:00.000Z","Id":"camp-1","LastModifiedDate":"2026-03-02T09:00:00.000Z","Name":"spring-sale","SegmentId":"seg-1","SegmentVersion":1,"State":{"CampaignStatus":"COMPLETED"},"Version":3}`},
	"pinpoint GetSegments": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-getsegments-1"},
		Body: `{"Item":[{"ApplicationId":"app-a","Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a/segments/seg-1","CreationDate":"2026-03-01T08:00:00.000Z","Id":"seg-1","Name":"all-users","SegmentType":"DIMENSIONAL","Version":1}]}`},
	"pinpoint SendMessages": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-sendmessages-1"},
		Body: `{"ApplicationId":"app-a","RequestId":"fake-sendmessages-1","Result":{"+12065550100":{"DeliveryStatus":"SUCCESSFUL","MessageId":"msg-0001","StatusCode":200,"StatusMessage":"MessageId: msg-0001"}}}`},
	"sms-voice CreateConfigurationSet": {Status: 200, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "fake-createcs-1"},
		Body: `{}`},
	"sms-voice-v2 SendTextMessage": {Status: 200, Header: map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amzn-Requestid": "fake-sendtext-1"},
		Body: `{"MessageId":"4b1c9f0e-6a2d-4c1e-9a57-0d3f2b7c8e11"}`},
	"sms-voice-v2 DescribePools": {Status: 200, Header: map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amzn-Requestid": "fake-describepools-1"},
		Body: `{"Pools":[{"CreatedTimestamp":1.767225600E9,"DeletionProtectionEnabled":false,"MessageType":"TRANSACTIONAL","OptOutListName":"Default","PoolArn":"arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0","PoolId":"pool-0123456789abcdef0","SelfManagedOptOutsEnabled":false,"SharedRoutesEnabled":false,"Status":"ACTIVE","TwoWayEnabled":false}]}`},
}

// presignParams are the query parameters of a presigned request.
var presignParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Security-Token"}

// clientCredentialLeaks lists every trace of a client's credentials in r.
func clientCredentialLeaks(r *http.Request, body []byte, forbidden []string) []string {
	var out []string
	if r.Header.Get("X-Amz-Security-Token") != "" {
		out = append(out, "X-Amz-Security-Token header present")
	}
	q := r.URL.Query()
	for _, p := range presignParams {
		if _, ok := q[p]; ok {
			out = append(out, "presign query parameter "+p+" present")
		}
	}
	for _, s := range forbidden {
		for name, values := range r.Header {
			for _, v := range values {
				if strings.Contains(v, s) {
					out = append(out, "client credential in header "+name)
				}
			}
		}
		if strings.Contains(r.URL.RawQuery, s) || strings.Contains(r.URL.Path, s) {
			out = append(out, "client credential in the URL")
		}
		if strings.Contains(string(body), s) {
			out = append(out, "client credential in the body")
		}
	}
	return out
}

// verifyUpstreamSignature checks the SigV4 Authorization header of r, as
// received by the upstream, against the upstream credentials. It is written
// from the SigV4 specification, independently of the SDK signer the gateway
// uses; TestVerifierAgreesWithSDKSigner checks it against that signer.
func verifyUpstreamSignature(r *http.Request, body []byte, service string, now time.Time) error {
	auth := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return fmt.Errorf("authorization header %q is not SigV4", redactAuth(auth))
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, algo), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return errors.New("malformed authorization header")
		}
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[4] != "aws4_request" {
		return errors.New("malformed credential scope")
	}
	if cred[0] != upstreamAccessKeyID {
		return fmt.Errorf("signed with access key %q, want the upstream's", cred[0])
	}
	if cred[2] != testRegion {
		return fmt.Errorf("signed for region %q, want %q", cred[2], testRegion)
	}
	if cred[3] != service {
		return fmt.Errorf("signed for service %q, want %q", cred[3], service)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q: %w", amzDate, err)
	}
	if d := now.Sub(t); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("X-Amz-Date %s is %v away from now", amzDate, d)
	}
	if cred[1] != t.Format("20060102") {
		return errors.New("scope date differs from X-Amz-Date")
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !sort.StringsAreSorted(signed) {
		return errors.New("signed headers not sorted")
	}
	hasHost := false
	for _, h := range signed {
		if h == "host" {
			hasHost = true
		}
		if h == "authorization" {
			return errors.New("authorization header is signed")
		}
	}
	if !hasHost {
		return errors.New("host is not signed")
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return fmt.Errorf("X-Amz-Content-Sha256 %q is not the hash of the body received", h)
	}
	creq := canonicalRequest(r, signed, payloadHash)
	scope := strings.Join(cred[1:], "/")
	creqSum := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creqSum[:])
	key := hmacSHA256([]byte("AWS4"+upstreamSecret), cred[1])
	key = hmacSHA256(key, cred[2])
	key = hmacSHA256(key, cred[3])
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, sts))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return errors.New("signature does not match the request received")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest builds the SigV4 canonical request of r as received.
func canonicalRequest(r *http.Request, signed []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// Services other than S3 encode the (already escaped) path once more.
	b.WriteString(uriEncode(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signed {
		var vals []string
		switch h {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = []string{fmt.Sprint(r.ContentLength)}
		default:
			vals = r.Header.Values(h)
		}
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalQuery sorts and strictly re-encodes a raw query string.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var pairs []string
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the unreserved characters (and
// '/' unless encodeSlash).
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// redactAuth keeps only the scheme of an Authorization header for messages.
func redactAuth(auth string) string {
	scheme, _, _ := strings.Cut(auth, " ")
	return scheme + " ..."
}
