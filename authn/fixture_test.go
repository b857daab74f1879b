package authn

import (
	"encoding/base64"
	"testing"
	"time"
)

const (
	testAccount = "123456789012"
	testKeyID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	otherKeyID  = "AKIAI44QH8DHBEXAMPLE"
	otherSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	namedKeyID  = "AKIAJ2345678EXAMPLE0"
)

// testStoreJSON has a user "backend" (tags, a group, a boundary) that a role's
// trust policy names, a user "outsider" that only the account root names
// (so it needs an identity allow), and roles to chain.
const testStoreJSON = `{
  "users": [
    {"name": "backend", "tags": {"team": "blue"}, "groups": ["readers"],
     "access_keys": [{"id": "` + testKeyID + `", "secret": "{env.BACKEND_SECRET}"}],
     "policies": ["PinpointReadOnly"],
     "inline_policies": {"extra": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:GetApp", "Resource": "*"}]}},
     "permissions_boundary": "Boundary"},
    {"name": "named", "access_keys": [{"id": "` + namedKeyID + `", "secret": "` + otherSecret + `"}]},
    {"name": "outsider",
     "access_keys": [{"id": "` + otherKeyID + `", "secret": "` + otherSecret + `"}]}
  ],
  "groups": [{"name": "readers", "policies": ["PinpointReadOnly"]}],
  "roles": [
    {"name": "tenant-app",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/backend", "arn:aws:iam::123456789012:user/named"]}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]},
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"},
       {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:TagSession", "Condition": {"StringEquals": {"aws:RequestTag/tenant": "forbidden"}}}
     ]},
     "policies": ["TenantScoped"], "tags": {"team": "red", "env": "prod"}, "max_session_duration": "2h"},
    {"name": "conditional",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/backend"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "ext-123", "aws:PrincipalTag/team": "blue", "aws:PrincipalType": "User",
          "aws:username": "backend", "sts:RoleSessionName": "${aws:username}"},
          "IpAddress": {"aws:SourceIp": "127.0.0.0/8"}, "Bool": {"aws:SecureTransport": "true"}}}
     ]}},
    {"name": "chained",
     "trust_policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/tenant-app"}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}
     ]},
     "policies": ["TenantScoped"], "max_session_duration": 7200}
  ],
  "policies": {
    "PinpointReadOnly": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["mobiletargeting:Get*", "sts:AssumeRole"], "Resource": "*"}]},
    "Boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["mobiletargeting:*", "sts:*"], "Resource": "*"}]},
    "TenantScoped": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}}]},
    "Narrow": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:GetApps", "Resource": "*"}]}
  },
  "resource_policies": {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/backend"}, "Action": "mobiletargeting:GetApp", "Resource": "*"}]}},
  "guardrails": {"NoDeletes": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "mobiletargeting:Delete*", "Resource": "*"}]}},
  "resource_tags": {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc": {"tenant": "a"}}
}`

func testEnv(name string) (string, bool) {
	if name == "BACKEND_SECRET" {
		return testSecret, true
	}
	return "", false
}

func testStore(t testing.TB) *Store {
	t.Helper()
	s, err := ParseStore("test.json", []byte(testStoreJSON), StoreOptions{Account: testAccount, LookupEnv: testEnv})
	if err != nil {
		t.Fatalf("ParseStore: %v", err)
	}
	return s
}

func testKeys(t testing.TB, seeds ...byte) *SessionKeys {
	t.Helper()
	var enc []string
	for _, s := range seeds {
		k := make([]byte, 32)
		for i := range k {
			k[i] = s + byte(i)
		}
		enc = append(enc, base64.StdEncoding.EncodeToString(k))
	}
	sk, err := ParseSessionKeys(enc)
	if err != nil {
		t.Fatalf("ParseSessionKeys: %v", err)
	}
	return sk
}

// fakeClock is a settable clock for tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func testAuthenticator(t testing.TB, clock *fakeClock, keys *SessionKeys) *Authenticator {
	t.Helper()
	a, err := New(Config{Store: testStore(t), SessionKeys: keys, Now: clock.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}
