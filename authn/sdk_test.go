package authn

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/pinpointgw/gateway/awserr"
)

// localSTS serves the local STS on POST / and, on any other path, answers
// with the authenticated principal as JSON, so a test can see who a signed
// request verifies as.
type localSTS struct {
	a    *Authenticator
	mu   sync.Mutex
	last *STSResponse
}

type whoami struct {
	ARN, Type, UserID, SessionName, SourceIdentity string
	Tags, SessionTags                              map[string]string
	TransitiveTagKeys                              []string
	Region, Service                                string
	SessionPolicies                                int
}

func (s *localSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, err := s.a.Authenticate(r, body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			http.Error(w, "internal", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status())
		w.Write(awserr.STSErrorXML(e.Code(awserr.Query), e.Message, "req-test"))
		return
	}
	if r.URL.Path != "/" {
		p := id.Principal
		json.NewEncoder(w).Encode(whoami{ARN: p.ARN, Type: p.Type, UserID: p.UserID, SessionName: p.SessionName,
			SourceIdentity: p.SourceIdentity, Tags: p.Tags, SessionTags: p.SessionTags, TransitiveTagKeys: p.TransitiveTagKeys,
			Region: id.Region, Service: id.Service, SessionPolicies: len(p.SessionPolicies)})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for k, v := range r.URL.Query() { // presigned calls carry the form in the query
		form[k] = append(form[k], v...)
	}
	resp := s.a.HandleSTS(&STSRequest{Caller: id, Form: form, SourceIP: "127.0.0.1", UserAgent: r.UserAgent(), RequestID: "req-test"})
	s.mu.Lock()
	s.last = resp
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

func startLocalSTS(t *testing.T) (*httptest.Server, *localSTS) {
	t.Helper()
	a, err := New(Config{Store: testStore(t), SessionKeys: testKeys(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	h := &localSTS{a: a}
	srv := httptest.NewServer(h) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv, h
}

// signedWhoami signs GET /v1/apps for mobiletargeting with creds (aws-sdk-go-v2's
// signer) and returns who the gateway says signed it.
func signedWhoami(t *testing.T, base string, creds aws.Credentials) whoami {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/apps?page-size=10", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, EmptyPayloadHash, "mobiletargeting", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed request: %d %s", resp.StatusCode, body)
	}
	var w whoami
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return w
}

func stsClient(base string, creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(base),
		Credentials:  aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
	})
}

func TestSDKAssumeRoleWithTags(t *testing.T) {
	srv, h := startLocalSTS(t)
	ctx := context.Background()
	long := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	client := stsClient(srv.URL, long)

	who, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(who.Arn) != "arn:aws:iam::123456789012:user/backend" || aws.ToString(who.Account) != testAccount ||
		!strings.HasPrefix(aws.ToString(who.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.Account), aws.ToString(who.UserId))
	}

	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:           aws.String("arn:aws:iam::123456789012:role/tenant-app"),
		RoleSessionName:   aws.String("sdk-session"),
		DurationSeconds:   aws.Int32(1800),
		Tags:              []ststypes.Tag{{Key: aws.String("tenant"), Value: aws.String("a")}, {Key: aws.String("Team"), Value: aws.String("green")}},
		TransitiveTagKeys: []string{"tenant"},
		SourceIdentity:    aws.String("alice"),
		Policy:            aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["mobiletargeting:Get*","sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 {
		t.Errorf("AccessKeyId = %q", aws.ToString(c.AccessKeyId))
	}
	if d := time.Until(aws.ToTime(c.Expiration)); d < 29*time.Minute || d > 31*time.Minute {
		t.Errorf("Expiration in %v, want 30m", d)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/tenant-app/sdk-session" ||
		!strings.HasPrefix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), "AROA") ||
		!strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":sdk-session") {
		t.Errorf("AssumedRoleUser = %s %s", aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}
	if aws.ToString(out.SourceIdentity) != "alice" || out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 {
		t.Errorf("SourceIdentity %q PackedPolicySize %v", aws.ToString(out.SourceIdentity), out.PackedPolicySize)
	}
	if h.last.Decision.String() != "Allow" || len(h.last.Matched) == 0 {
		t.Errorf("STS decision %v matched %v", h.last.Decision, h.last.Matched)
	}

	temp := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	w := signedWhoami(t, srv.URL, temp)
	if w.ARN != "arn:aws:sts::123456789012:assumed-role/tenant-app/sdk-session" || w.Type != PrincipalAssumedRole ||
		w.SessionName != "sdk-session" || w.SourceIdentity != "alice" || w.Region != "us-east-1" || w.Service != "mobiletargeting" {
		t.Errorf("verified as %+v", w)
	}
	// Session tags override the role's tags ("team" by "Team", ignoring case).
	wantTags := map[string]string{"tenant": "a", "Team": "green", "env": "prod"}
	if len(w.Tags) != len(wantTags) {
		t.Errorf("tags = %v, want %v", w.Tags, wantTags)
	}
	for k, v := range wantTags {
		if w.Tags[k] != v {
			t.Errorf("tags = %v, want %v", w.Tags, wantTags)
		}
	}
	if w.SessionTags["tenant"] != "a" || len(w.TransitiveTagKeys) != 1 || w.SessionPolicies != 1 {
		t.Errorf("session tags %v transitive %v session policies %d", w.SessionTags, w.TransitiveTagKeys, w.SessionPolicies)
	}

	// The temporary credentials work with the SDK too, and chaining keeps the
	// transitive tag and refuses to overwrite it.
	chain := stsClient(srv.URL, temp)
	who, err = chain.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != w.ARN {
		t.Fatalf("GetCallerIdentity with session credentials = %v, %v", who, err)
	}
	_, err = chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/chained"),
		RoleSessionName: aws.String("hop"), DurationSeconds: aws.Int32(7200)})
	if err == nil || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("chained AssumeRole over 1h: %v", err)
	}
	_, err = chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/chained"),
		RoleSessionName: aws.String("hop"), Tags: []ststypes.Tag{{Key: aws.String("TENANT"), Value: aws.String("b")}}})
	if err == nil || !strings.Contains(err.Error(), "InvalidParameterValue") {
		t.Errorf("overwriting a transitive tag: %v", err)
	}
	hop, err := chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/chained"), RoleSessionName: aws.String("hop")})
	if err != nil {
		t.Fatalf("chained AssumeRole: %v", err)
	}
	if d := time.Until(aws.ToTime(hop.Credentials.Expiration)); d > time.Hour+time.Minute {
		t.Errorf("chained session lasts %v", d)
	}
	w2 := signedWhoami(t, srv.URL, aws.Credentials{AccessKeyID: aws.ToString(hop.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(hop.Credentials.SecretAccessKey), SessionToken: aws.ToString(hop.Credentials.SessionToken)})
	if w2.ARN != "arn:aws:sts::123456789012:assumed-role/chained/hop" || w2.Tags["tenant"] != "a" || w2.SourceIdentity != "alice" {
		t.Errorf("chained session verified as %+v", w2)
	}

	// A forbidden tag value is refused by the trust policy's deny.
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tenant-app"),
		RoleSessionName: aws.String("x1"), Tags: []ststypes.Tag{{Key: aws.String("tenant"), Value: aws.String("forbidden")}}})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "sts:TagSession") {
		t.Errorf("AssumeRole with a denied tag: %v", err)
	}

	// GetSessionToken for users, then its credentials verify as the user.
	st, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	w3 := signedWhoami(t, srv.URL, aws.Credentials{AccessKeyID: aws.ToString(st.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(st.Credentials.SecretAccessKey), SessionToken: aws.ToString(st.Credentials.SessionToken)})
	if w3.ARN != "arn:aws:iam::123456789012:user/backend" || w3.Type != PrincipalUser || w3.Tags["team"] != "blue" {
		t.Errorf("GetSessionToken credentials verified as %+v", w3)
	}
	if _, err := chain.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err == nil {
		t.Error("GetSessionToken with role-session credentials succeeded")
	}

	// A presigned GetCallerIdentity URL (as Kubernetes authenticators use
	// them) verifies, and its query is the STS form.
	pre, err := sts.NewPresignClient(client).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("PresignGetCallerIdentity: %v", err)
	}
	preReq, err := http.NewRequest(pre.Method, pre.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range pre.SignedHeader {
		preReq.Header[k] = v
	}
	preResp, err := http.DefaultClient.Do(preReq)
	if err != nil {
		t.Fatal(err)
	}
	preBody, _ := io.ReadAll(preResp.Body)
	preResp.Body.Close()
	if preResp.StatusCode != 200 || !strings.Contains(string(preBody), "<Arn>arn:aws:iam::123456789012:user/backend</Arn>") {
		t.Errorf("presigned GetCallerIdentity: %d %s", preResp.StatusCode, preBody)
	}

	// A wrong secret gets SignatureDoesNotMatch through the SDK's typed error.
	bad := stsClient(srv.URL, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "wrong"})
	if _, err := bad.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v", err)
	}
	if strings.Contains(string(h.last.Body), testSecret) {
		t.Error("a response echoes the secret")
	}
}

// awsCLI returns Debian's AWS CLI v2; it skips the test when absent, unless CI
// is set (CI installs the awscli package).
func awsCLI(t *testing.T) string {
	const path = "/usr/bin/aws"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (apt-get install -y awscli): %v", path, err)
		}
		t.Skipf("%s absent: %v", path, err)
	}
	return path
}

func TestAWSCLIAssumeRole(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI")
	}
	cli := awsCLI(t)
	srv, _ := startLocalSTS(t)
	home := t.TempDir()
	run := func(env []string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append(args, "--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append([]string{
			"HOME=" + home, "PATH=/usr/bin:/bin",
			"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
		}, env...)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("aws %v: %v: %s", args, err, ee.Stderr)
			}
			t.Fatalf("aws %v: %v", args, err)
		}
		return out
	}
	longEnv := []string{"AWS_ACCESS_KEY_ID=" + testKeyID, "AWS_SECRET_ACCESS_KEY=" + testSecret}
	out := run(longEnv, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/tenant-app",
		"--role-session-name", "cli-session", "--tags", "Key=tenant,Value=b", "--transitive-tag-keys", "tenant")
	var res struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ Arn, AssumedRoleId string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/tenant-app/cli-session" || !strings.HasPrefix(res.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("assume-role = %s", out)
	}
	temp := aws.Credentials{AccessKeyID: res.Credentials.AccessKeyId, SecretAccessKey: res.Credentials.SecretAccessKey, SessionToken: res.Credentials.SessionToken}
	w := signedWhoami(t, srv.URL, temp)
	if w.ARN != res.AssumedRoleUser.Arn || w.Tags["tenant"] != "b" || w.Tags["team"] != "red" {
		t.Errorf("verified as %+v", w)
	}
	// The CLI signs with the issued session credentials too.
	out = run([]string{"AWS_ACCESS_KEY_ID=" + temp.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + temp.SecretAccessKey, "AWS_SESSION_TOKEN=" + temp.SessionToken},
		"sts", "get-caller-identity")
	var id struct{ Arn, UserId, Account string }
	if err := json.Unmarshal(out, &id); err != nil || id.Arn != res.AssumedRoleUser.Arn || id.UserId != res.AssumedRoleUser.AssumedRoleId {
		t.Errorf("get-caller-identity = %s (%v)", out, err)
	}
}
