package authn

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAssumeRole: any form is answered without panicking, with an STS
// status, an XML body, a session exactly on success, and AWS's deny
// sentence for an AccessDenied that a policy decided.
func FuzzAssumeRole(f *testing.F) {
	for _, q := range []string{
		roleForm().Encode(),
		roleForm("Tags.member.1.Key", "Env", "Tags.member.1.Value", "dev", "TransitiveTagKeys.member.1", "Env", "SourceIdentity", "alice").Encode(),
		roleForm("PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/Narrow", "DurationSeconds", "3600").Encode(),
		roleForm("Policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`).Encode(),
		roleForm("RoleArn", "arn:aws:iam::123456789012:role/conditional", "ExternalId", "ext-123").Encode(),
		"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fnope&RoleSessionName=s",
	} {
		f.Add(q, false)
		f.Add(q, true)
	}
	a := testAuthenticator(f, &fakeClock{t0}, testKeys(f, 1))
	user := a.users["backend"]
	_, temp := assumeF(f, a, roleForm("Tags.member.1.Key", "Env", "Tags.member.1.Value", "dev", "TransitiveTagKeys.member.1", "Env"))
	session, _, lerr := a.lookup(temp.AccessKeyID, temp.SessionToken)
	if lerr != nil {
		f.Fatalf("the seed session does not open: %v", lerr)
	}
	f.Fuzz(func(t *testing.T, query string, chained bool) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		form.Set("Action", "AssumeRole")
		caller := user
		if chained {
			caller = session
		}
		resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{Region: "us-east-1", Service: "sts", Principal: caller}, Form: form, RequestID: "r1"})
		switch resp.Status {
		case http.StatusOK:
			if resp.Session == nil || !strings.Contains(string(resp.Body), "<AssumeRoleResponse") {
				t.Fatalf("200 without a session: %s", resp.Body)
			}
		case http.StatusBadRequest, http.StatusForbidden:
			if resp.Session != nil || !strings.HasPrefix(string(resp.Body), "<ErrorResponse") {
				t.Fatalf("%d with a session or without an error: %s", resp.Status, resp.Body)
			}
			if strings.Contains(string(resp.Body), "<Code>AccessDenied</Code>") &&
				!strings.Contains(string(resp.Body), "<Message>User: "+caller.ARN+" is not authorized to perform: sts:") {
				t.Fatalf("AccessDenied without the deny sentence: %s", resp.Body)
			}
		default:
			t.Fatalf("status %d: %s", resp.Status, resp.Body)
		}
	})
}

// assumeF is assume for a fuzz target's setup.
func assumeF(f *testing.F, a *Authenticator, form url.Values) (*STSResponse, awsCreds) {
	f.Helper()
	caller := a.users["backend"]
	resp := a.HandleSTS(&STSRequest{Caller: &Authenticated{Region: "us-east-1", Service: "sts", Principal: caller}, Form: form, RequestID: "r1"})
	if resp.Status != http.StatusOK {
		f.Fatalf("AssumeRole: %d %s", resp.Status, resp.Body)
	}
	get := func(tag string) string {
		_, rest, _ := strings.Cut(string(resp.Body), "<"+tag+">")
		v, _, _ := strings.Cut(rest, "</"+tag+">")
		return v
	}
	return resp, awsCreds{AccessKeyID: get("AccessKeyId"), SessionToken: get("SessionToken")}
}

type awsCreds struct{ AccessKeyID, SessionToken string }

// FuzzParseStore: any document either compiles or fails with an error
// naming the store (with a line and column inside the document for an
// error of its text), never both, never a panic.
func FuzzParseStore(f *testing.F) {
	f.Add([]byte(testStoreJSON))
	f.Add([]byte(`{"roles": [{"name": "r", "trust_policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}}]}`))
	f.Add([]byte(`{"resource_tags": {"arn:aws:x:::y": {"a": "b"}}, "resource_policies": {"arn:": {}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := ParseStore("fuzz.json", doc, StoreOptions{Account: testAccount, LookupEnv: testEnv})
		if (s == nil) == (err == nil) {
			t.Fatalf("ParseStore = %v, %v: want exactly one", s, err)
		}
		if err != nil && !strings.Contains(err.Error(), `"fuzz.json"`) && !strings.Contains(err.Error(), "fuzz.json:") {
			t.Fatalf("error %q does not name the store", err)
		}
		if pe, ok := errors.AsType[*PositionError](err); ok {
			if lines := 1 + strings.Count(string(doc), "\n"); pe.Line < 1 || pe.Line > lines || pe.Column < 1 {
				t.Fatalf("error %q: position outside the document's %d lines", err, lines)
			}
		}
	})
}
