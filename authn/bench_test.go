package authn

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// BenchmarkVerifyGetApps verifies a GET /v1/apps signed with a long-term key,
// with a warm signing-key cache (the body is empty, so no body hashing).
func BenchmarkVerifyGetApps(b *testing.B) {
	a := testAuthenticator(b, &fakeClock{t0}, testKeys(b, 1))
	r := signedGetApps(b, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, t0, false)
	if _, err := a.Authenticate(r, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(r, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGetAppsSession is the same with temporary credentials (the
// opened token is cached by access key ID after the first request).
func BenchmarkVerifyGetAppsSession(b *testing.B) {
	clock := &fakeClock{t0}
	a := testAuthenticator(b, clock, testKeys(b, 1))
	_, temp := assumeB(b, a)
	r := signedGetApps(b, temp, t0, false)
	if _, err := a.Authenticate(r, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(r, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func assumeB(b *testing.B, a *Authenticator) (*STSResponse, aws.Credentials) {
	resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{Region: "us-east-1", Service: "sts", Principal: a.users["backend"]},
		Form: roleForm("Tags.member.1.Key", "tenant", "Tags.member.1.Value", "a"), RequestID: "r"})
	if resp.Status != 200 {
		b.Fatalf("AssumeRole: %s", resp.Body)
	}
	get := func(tag string) string {
		_, rest, _ := strings.Cut(string(resp.Body), "<"+tag+">")
		v, _, _ := strings.Cut(rest, "</"+tag+">")
		return v
	}
	return resp, aws.Credentials{AccessKeyID: get("AccessKeyId"), SecretAccessKey: get("SecretAccessKey"), SessionToken: get("SessionToken")}
}

// BenchmarkOpenToken opens a session token with tags and a session policy.
func BenchmarkOpenToken(b *testing.B) {
	keys := testKeys(b, 2, 1)
	tok, err := keys.seal(sampleClaims(), testBinding)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.open(tok, testBinding); err != nil {
			b.Fatal(err)
		}
	}
}
