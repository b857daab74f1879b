package authn

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/reqcontext"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// signedGetApps returns GET /v1/apps signed by the AWS SDK's signer at signAt.
func signedGetApps(t testing.TB, creds aws.Credentials, signAt time.Time, presign bool) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/apps?page-size=10", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := v4.NewSigner()
	if presign {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "300")
		req.URL.RawQuery = q.Encode()
		u, _, err := s.PresignHTTP(context.Background(), creds, req, EmptyPayloadHash, "mobiletargeting", "us-east-1", signAt)
		if err != nil {
			t.Fatal(err)
		}
		if req, err = http.NewRequest(http.MethodGet, u, nil); err != nil {
			t.Fatal(err)
		}
		return req
	}
	if err := s.SignHTTP(context.Background(), creds, req, EmptyPayloadHash, "mobiletargeting", "us-east-1", signAt); err != nil {
		t.Fatal(err)
	}
	return req
}

// presignNoExpires presigns GET /v1/apps without X-Amz-Expires, as the SDK's
// presigned STS calls are.
func presignNoExpires(t testing.TB, creds aws.Credentials, signAt time.Time) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/apps", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, EmptyPayloadHash, "mobiletargeting", "us-east-1", signAt)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, "X-Amz-Expires") {
		t.Fatalf("presigned URL has X-Amz-Expires: %s", u)
	}
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	return r
}

// assume issues role credentials through HandleSTS.
func assume(t *testing.T, a *Authenticator, callerKey string, form url.Values) (*STSResponse, aws.Credentials) {
	t.Helper()
	caller := a.users[a.cfg.Store.keys[callerKey].user.name]
	resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{AccessKeyID: callerKey, Region: "us-east-1", Service: "sts", Principal: caller}, Form: form, RequestID: "r1"})
	if resp.Status != http.StatusOK {
		return resp, aws.Credentials{}
	}
	s := resp.Session
	body := string(resp.Body)
	get := func(tag string) string {
		_, rest, _ := strings.Cut(body, "<"+tag+">")
		v, _, _ := strings.Cut(rest, "</"+tag+">")
		return v
	}
	if s == nil {
		t.Fatal("no session in a successful response")
	}
	return resp, aws.Credentials{AccessKeyID: get("AccessKeyId"), SecretAccessKey: get("SecretAccessKey"), SessionToken: get("SessionToken")}
}

func roleForm(extra ...string) url.Values {
	f := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::123456789012:role/tenant-app"}, "RoleSessionName": {"s1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func kindOf(err error) (ErrorKind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return 0, false
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t0}
	a := testAuthenticator(t, clock, testKeys(t, 1))
	_, temp := assume(t, a, testKeyID, roleForm("DurationSeconds", "900"))
	long := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	foreign := testAuthenticator(t, clock, testKeys(t, 9))
	_, foreignTemp := assume(t, foreign, testKeyID, roleForm())

	tests := map[string]struct {
		req     func() *http.Request
		now     time.Time
		wantARN string
		want    ErrorKind
	}{
		"long-term header":  {req: func() *http.Request { return signedGetApps(t, long, t0, false) }, wantARN: "arn:aws:iam::123456789012:user/backend"},
		"long-term presign": {req: func() *http.Request { return signedGetApps(t, long, t0, true) }, wantARN: "arn:aws:iam::123456789012:user/backend"},
		"temporary header":  {req: func() *http.Request { return signedGetApps(t, temp, t0, false) }, wantARN: "arn:aws:sts::123456789012:assumed-role/tenant-app/s1"},
		"temporary presign": {req: func() *http.Request { return signedGetApps(t, temp, t0, true) }, wantARN: "arn:aws:sts::123456789012:assumed-role/tenant-app/s1"},
		"skew within 5m":    {req: func() *http.Request { return signedGetApps(t, long, t0.Add(-4*time.Minute), false) }, wantARN: "arn:aws:iam::123456789012:user/backend"},
		"skew past":         {req: func() *http.Request { return signedGetApps(t, long, t0.Add(-6*time.Minute), false) }, want: RequestExpired},
		"skew future":       {req: func() *http.Request { return signedGetApps(t, long, t0.Add(6*time.Minute), false) }, want: RequestExpired},
		"presign expired":   {req: func() *http.Request { return signedGetApps(t, long, t0.Add(-6*time.Minute), true) }, want: RequestExpired},
		"unknown key": {req: func() *http.Request {
			return signedGetApps(t, aws.Credentials{AccessKeyID: "AKIAZZZZZZZZZZZZZZZZ", SecretAccessKey: "x"}, t0, false)
		}, want: InvalidClientTokenID},
		"wrong secret": {req: func() *http.Request {
			return signedGetApps(t, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "x"}, t0, false)
		}, want: SignatureDoesNotMatch},
		"long-term + token": {req: func() *http.Request {
			c := long
			c.SessionToken = temp.SessionToken
			return signedGetApps(t, c, t0, false)
		}, want: InvalidToken},
		"ASIA without token": {req: func() *http.Request { c := temp; c.SessionToken = ""; return signedGetApps(t, c, t0, false) }, want: InvalidToken},
		"token of another key": {req: func() *http.Request {
			c := temp
			c.SessionToken = foreignTemp.SessionToken
			return signedGetApps(t, c, t0, false)
		}, want: InvalidToken},
		"foreign keys": {req: func() *http.Request { return signedGetApps(t, foreignTemp, t0, false) }, want: InvalidToken},
		"expired token": {req: func() *http.Request { return signedGetApps(t, temp, t0.Add(16*time.Minute), false) },
			now: t0.Add(16 * time.Minute), want: ExpiredToken},
		"no authorization": {req: func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/v1/apps", nil)
			return r
		}, want: MissingAuthentication},
		"garbled authorization": {req: func() *http.Request {
			r := signedGetApps(t, long, t0, false)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, want: IncompleteSignature},
		"unsigned payload refused": {req: func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/v1/apps", nil)
			r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			v4.NewSigner().SignHTTP(context.Background(), long, r, UnsignedPayload, "mobiletargeting", "us-east-1", t0)
			return r
		}, want: BadRequest},
		"wrong content hash": {req: func() *http.Request {
			r := signedGetApps(t, long, t0, false)
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
			return r
		}, want: SignatureDoesNotMatch},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = t0
			}
			aa, err := New(Config{Store: a.cfg.Store, SessionKeys: a.cfg.SessionKeys, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			id, err := aa.Authenticate(tc.req(), nil)
			if tc.wantARN != "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if id.Principal.ARN != tc.wantARN || id.Region != "us-east-1" || id.Service != "mobiletargeting" {
					t.Fatalf("Authenticate = %+v %+v", id, id.Principal)
				}
				return
			}
			k, ok := kindOf(err)
			if !ok || k != tc.want || id != nil {
				t.Fatalf("Authenticate = %v, %v; want kind %v", id, err, tc.want)
			}
			if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), temp.SessionToken) || strings.Contains(err.Error(), temp.SecretAccessKey) {
				t.Fatal("error echoes a secret or token")
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind            ErrorKind
		query, restJSON string
		status          int
	}{
		{SignatureDoesNotMatch, "SignatureDoesNotMatch", "InvalidSignatureException", 403},
		{InvalidClientTokenID, "InvalidClientTokenId", "UnrecognizedClientException", 403},
		{InvalidToken, "InvalidClientTokenId", "UnrecognizedClientException", 403},
		{ExpiredToken, "ExpiredToken", "ExpiredTokenException", 403},
		{IncompleteSignature, "IncompleteSignature", "IncompleteSignatureException", 400},
		{MissingAuthentication, "MissingAuthenticationToken", "MissingAuthenticationTokenException", 403},
		{RequestExpired, "RequestExpired", "InvalidSignatureException", 400},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			e := &Error{Kind: tc.kind}
			if got := e.Code(awserr.Query); got != tc.query {
				t.Errorf("Code(query) = %s, want %s", got, tc.query)
			}
			if got := e.Code(awserr.RESTJSON); got != tc.restJSON {
				t.Errorf("Code(rest-json) = %s, want %s", got, tc.restJSON)
			}
			if got := e.Code(awserr.JSON); got != tc.restJSON {
				t.Errorf("Code(json) = %s, want %s", got, tc.restJSON)
			}
			if e.Status() != tc.status {
				t.Errorf("Status() = %d, want %d", e.Status(), tc.status)
			}
		})
	}
}

func TestSTSTrust(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	tests := map[string]struct {
		caller   string
		form     url.Values
		status   int
		code     string
		decision authz.Decision
	}{
		"named user, identity allows":           {testKeyID, roleForm(), 200, "", authz.Allow},
		"named user without identity policies":  {namedKeyID, roleForm(), 200, "", authz.Allow},
		"account root needs an identity allow":  {otherKeyID, roleForm(), 403, "AccessDenied", authz.ImplicitDeny},
		"unknown role":                          {testKeyID, roleForm("RoleArn", "arn:aws:iam::123456789012:role/nope"), 403, "AccessDenied", authz.ImplicitDeny},
		"tags need TagSession (root statement)": {otherKeyID, roleForm("Tags.member.1.Key", "a", "Tags.member.1.Value", "b"), 403, "AccessDenied", authz.ImplicitDeny},
		"denied tag value":                      {testKeyID, roleForm("Tags.member.1.Key", "tenant", "Tags.member.1.Value", "forbidden"), 403, "AccessDenied", authz.ExplicitDeny},
		"duration over role max":                {testKeyID, roleForm("DurationSeconds", "7201"), 400, "ValidationError", authz.ImplicitDeny},
		"duration under 900":                    {testKeyID, roleForm("DurationSeconds", "899"), 400, "ValidationError", authz.ImplicitDeny},
		"bad session name":                      {testKeyID, roleForm("RoleSessionName", "a b"), 400, "ValidationError", authz.ImplicitDeny},
		"malformed session policy":              {testKeyID, roleForm("Policy", `{"Statement":[{"Effect":"Allow"}]}`), 400, "MalformedPolicyDocument", authz.ImplicitDeny},
		"session policy too long":               {testKeyID, roleForm("Policy", strings.Repeat(" ", 2049)), 400, "ValidationError", authz.ImplicitDeny},
		"transitive key not in tags":            {testKeyID, roleForm("TransitiveTagKeys.member.1", "x"), 400, "InvalidParameterValue", authz.ImplicitDeny},
		"duplicate tag keys":                    {testKeyID, roleForm("Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"), 400, "InvalidParameterValue", authz.ImplicitDeny},
		"tag value too long":                    {testKeyID, roleForm("Tags.member.1.Key", "a", "Tags.member.1.Value", strings.Repeat("v", 257)), 400, "ValidationError", authz.ImplicitDeny},
		"unknown policy arn":                    {testKeyID, roleForm("PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/Nope"), 400, "InvalidParameterValue", authz.ImplicitDeny},
		"policy arn":                            {testKeyID, roleForm("PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/Narrow"), 200, "", authz.Allow},
		"external id condition key":             {testKeyID, roleForm("ExternalId", "ext-123"), 200, "", authz.Allow},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp, _ := assume(t, a, tc.caller, tc.form)
			checkSTS(t, resp, tc.status, tc.code, tc.decision)
		})
	}

	// Condition keys of the trust policy: sts:ExternalId, sts:RoleSessionName,
	// aws:PrincipalTag, aws:PrincipalType, aws:username, aws:SourceIp,
	// aws:SecureTransport.
	cond := func(extra ...string) url.Values {
		return roleForm(append([]string{"RoleArn", "arn:aws:iam::123456789012:role/conditional", "RoleSessionName", "backend"}, extra...)...)
	}
	condTests := map[string]struct {
		form   url.Values
		ip     string
		secure bool
		status int
	}{
		"all conditions met":       {cond("ExternalId", "ext-123"), "127.0.0.1", true, 200},
		"wrong external id":        {cond("ExternalId", "ext-999"), "127.0.0.1", true, 403},
		"no external id":           {cond(), "127.0.0.1", true, 403},
		"other session name":       {cond("ExternalId", "ext-123", "RoleSessionName", "other"), "127.0.0.1", true, 403},
		"source ip outside":        {cond("ExternalId", "ext-123"), "192.0.2.1", true, 403},
		"without secure transport": {cond("ExternalId", "ext-123"), "127.0.0.1", false, 403},
	}
	for name, tc := range condTests {
		t.Run("condition/"+name, func(t *testing.T) {
			t.Parallel()
			resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{Region: "us-east-1", Service: "sts", Principal: a.users["backend"]},
				Form: tc.form, SourceIP: tc.ip, SecureTransport: tc.secure, RequestID: "r"})
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d: %s (%s)", resp.Status, tc.status, resp.Body, resp.Reason)
			}
		})
	}
	// Tags beyond 50 are refused.
	f := roleForm()
	for i := 1; i <= 51; i++ {
		f.Set("Tags.member."+itoa(i)+".Key", "k"+itoa(i))
		f.Set("Tags.member."+itoa(i)+".Value", "v")
	}
	if resp, _ := assume(t, a, testKeyID, f); resp.Status != 400 {
		t.Errorf("51 tags: %d %s", resp.Status, resp.Body)
	}
}

func checkSTS(t *testing.T, resp *STSResponse, status int, code string, decision authz.Decision) {
	t.Helper()
	if resp.Status != status || resp.Decision != decision {
		t.Fatalf("status %d decision %v, want %d %v: %s", resp.Status, resp.Decision, status, decision, resp.Body)
	}
	if code != "" && !strings.Contains(string(resp.Body), "<Code>"+code+"</Code>") {
		t.Errorf("body %s, want code %s", resp.Body, code)
	}
	if status == 200 && !strings.Contains(string(resp.Body), `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`) {
		t.Errorf("body %s", resp.Body)
	}
}

func TestSTSWithoutSessionKeys(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, nil)
	resp, _ := assume(t, a, testKeyID, roleForm())
	if resp.Status != http.StatusForbidden || resp.Session != nil {
		t.Fatalf("AssumeRole without session keys: %d %s", resp.Status, resp.Body)
	}
}

func TestSessionTokenTamperRefused(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	_, temp := assume(t, a, testKeyID, roleForm())
	if _, err := a.Authenticate(signedGetApps(t, temp, t0, false), nil); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	// Every position of the token, changed to another base64url character and
	// signed as the client would, is refused as an invalid token.
	for i := 0; i < len(temp.SessionToken); i += 7 {
		c := temp
		b := []byte(c.SessionToken)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		c.SessionToken = string(b)
		_, err := a.Authenticate(signedGetApps(t, c, t0, false), nil)
		if k, ok := kindOf(err); !ok || k != InvalidToken {
			t.Fatalf("token changed at %d: err = %v, want InvalidToken", i, err)
		}
	}
}

func TestPrincipalContext(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	_, temp := assume(t, a, testKeyID, roleForm("Tags.member.1.Key", "Env", "Tags.member.1.Value", "dev", "SourceIdentity", "alice"))
	id, err := a.Authenticate(signedGetApps(t, temp, t0, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := id.Principal
	ap := p.AuthzPrincipal()
	if ap.ARN != "arn:aws:sts::123456789012:assumed-role/tenant-app/s1" || ap.RoleARN != "arn:aws:iam::123456789012:role/tenant-app" || ap.Account != testAccount {
		t.Errorf("AuthzPrincipal() = %+v", ap)
	}
	ctx := authz.NewContext()
	c := p.ContextPrincipal("")
	reqcontext.SetPrincipal(ctx, &c)
	want := map[string]string{
		"aws:PrincipalArn":           "arn:aws:iam::123456789012:role/tenant-app",
		"aws:PrincipalAccount":       testAccount,
		"aws:PrincipalType":          "AssumedRole",
		"aws:userid":                 p.UserID,
		"aws:PrincipalTag/team":      "red",
		"aws:PrincipalTag/Env":       "dev", // the session tag replaced the role's "env"
		"aws:SourceIdentity":         "alice",
		"aws:TokenIssueTime":         "2026-03-01T12:00:00Z",
		"aws:MultiFactorAuthPresent": "false",
	}
	for k, v := range want {
		got, _, ok := ctx.Lookup(k)
		if !ok || len(got) != 1 || got[0] != v {
			t.Errorf("context %s = %v (%v), want %q", k, got, ok, v)
		}
	}
	if _, _, ok := ctx.Lookup("aws:username"); ok {
		t.Error("aws:username set for a role session")
	}
	if len(p.Tags) != 2 {
		t.Errorf("tags %v: want team and Env only", p.Tags)
	}
	if !strings.HasPrefix(p.UserID, "AROA") || !strings.HasSuffix(p.UserID, ":s1") || len(p.UserID) != 21+3 {
		t.Errorf("aws:userid %q", p.UserID)
	}
}

func TestGetCallerIdentityXML(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, nil)
	resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{Service: "sts", Principal: a.users["backend"]},
		Form: url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, RequestID: "r-9"})
	want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:iam::123456789012:user/backend</Arn><UserId>` + a.users["backend"].UserID + `</UserId><Account>123456789012</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>r-9</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if resp.Status != 200 || string(resp.Body) != want {
		t.Errorf("GetCallerIdentity = %d\n%s\nwant\n%s", resp.Status, resp.Body, want)
	}
	for name, form := range map[string]url.Values{
		"unknown action": {"Action": {"DecodeAuthorizationMessage"}},
		"no action":      {},
	} {
		if r := a.HandleSTS(&STSRequest{Caller: &Authenticated{Service: "sts", Principal: a.users["backend"]}, Form: form}); r.Status != 400 {
			t.Errorf("%s: status %d", name, r.Status)
		}
	}
	if r := a.HandleSTS(&STSRequest{Caller: &Authenticated{Service: "mobiletargeting", Principal: a.users["backend"]},
		Form: url.Values{"Action": {"GetCallerIdentity"}}}); r.Status != 403 {
		t.Errorf("non-sts scope: status %d", r.Status)
	}
}

func TestPackedPolicyTooLarge(t *testing.T) {
	t.Parallel()
	a := testAuthenticator(t, &fakeClock{t0}, testKeys(t, 1))
	f := roleForm()
	for i := 1; i <= 20; i++ {
		f.Set("Tags.member."+itoa(i)+".Key", "key-"+itoa(i))
		f.Set("Tags.member."+itoa(i)+".Value", strings.Repeat("v", 250))
	}
	resp, _ := assume(t, a, testKeyID, f)
	if resp.Status != 400 || !strings.Contains(string(resp.Body), "<Code>PackedPolicyTooLarge</Code>") {
		t.Fatalf("5 KB of tags: %d %s", resp.Status, resp.Body)
	}
	// A maximal session policy with a few tags fits, and its token opens.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApps","Resource":"*","Sid":"` +
		strings.Repeat("S", 1900) + `"}]}`
	resp, temp := assume(t, a, testKeyID, roleForm("Policy", policy, "Tags.member.1.Key", "tenant", "Tags.member.1.Value", "a"))
	if resp.Status != 200 {
		t.Fatalf("maximal policy: %d %s", resp.Status, resp.Body)
	}
	if _, err := a.Authenticate(signedGetApps(t, temp, t0, false), nil); err != nil {
		t.Fatalf("credentials with a maximal policy: %v", err)
	}
}

// overTLS marks r as received over TLS.
func overTLS(r *http.Request) *http.Request {
	r.TLS = &tls.ConnectionState{HandshakeComplete: true}
	return r
}

func TestAuthenticateBody(t *testing.T) {
	t.Parallel()
	long := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	body := []byte(`{"DestinationPhoneNumber":"+12065550100","MessageBody":"hi"}`)
	sign := func(withHeader bool, payloadHash string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		r.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2.SendTextMessage")
		if withHeader {
			r.Header.Set("X-Amz-Content-Sha256", payloadHash)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), long, r, payloadHash, "sms-voice", "eu-west-1", t0); err != nil {
			t.Fatal(err)
		}
		return r
	}
	sum := sha256Hex(body)
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] = 'o'
	tests := map[string]struct {
		r             *http.Request
		body          []byte
		allowUnsigned bool
		want          ErrorKind
		ok            bool
	}{
		"signed body":                     {r: sign(false, sum), body: body, ok: true},
		"signed body with content header": {r: sign(true, sum), body: body, ok: true},
		"tampered body":                   {r: sign(false, sum), body: tampered, want: SignatureDoesNotMatch},
		"tampered body, content header":   {r: sign(true, sum), body: tampered, want: SignatureDoesNotMatch},
		"unsigned payload refused":        {r: sign(true, UnsignedPayload), body: body, want: BadRequest},
		"unsigned payload allowed, TLS":   {r: overTLS(sign(true, UnsignedPayload)), body: tampered, allowUnsigned: true, ok: true},
		// Without TLS anyone on the path could swap the unsigned body that
		// the mapping reads: refused even when allowed.
		"unsigned payload allowed, plain HTTP": {r: sign(true, UnsignedPayload), body: tampered, allowUnsigned: true, want: BadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := New(Config{Store: testStore(t), AllowUnsignedPayload: tc.allowUnsigned, Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			id, err := a.Authenticate(tc.r, tc.body)
			if tc.ok {
				if err != nil || id.Region != "eu-west-1" || id.Service != "sms-voice" {
					t.Fatalf("Authenticate = %+v, %v", id, err)
				}
				return
			}
			if k, ok := kindOf(err); !ok || k != tc.want {
				t.Fatalf("Authenticate = %v, %v; want %v", id, err, tc.want)
			}
		})
	}
}
