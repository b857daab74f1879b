package reqcontext

import (
	"slices"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/authz"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func lookup(t *testing.T, c *authz.Context, key string) (string, bool) {
	t.Helper()
	v, multi, ok := c.Lookup(key)
	if ok && (multi || len(v) != 1) {
		t.Fatalf("%s = %v (multi %v), want one value", key, v, multi)
	}
	if !ok {
		return "", false
	}
	return v[0], true
}

// TestSetUser: the keys of a user signing with long-term keys; the keys of
// temporary credentials, of an organization and of tags are absent.
func TestSetUser(t *testing.T) {
	c := authz.NewContext()
	Set(c, &Principal{
		ARN: "arn:aws:iam::123456789012:user/alice", Account: "123456789012", Type: "User",
		UserID: "AIDAEXAMPLE", Username: "alice", Tags: map[string]string{"Team": "red"},
	}, &Request{SourceIP: "192.0.2.1", UserAgent: "ua/1", Region: "us-east-1", Now: t0})
	want := map[string]string{
		"aws:PrincipalArn":          "arn:aws:iam::123456789012:user/alice",
		"aws:PrincipalAccount":      "123456789012",
		"aws:PrincipalType":         "User",
		"aws:PrincipalIsAWSService": "false",
		"aws:ViaAWSService":         "false",
		"aws:userid":                "AIDAEXAMPLE",
		"aws:username":              "alice",
		"aws:PrincipalTag/team":     "red",
		"aws:SourceIp":              "192.0.2.1",
		"aws:UserAgent":             "ua/1",
		"aws:SecureTransport":       "false",
		"aws:CurrentTime":           "2026-03-01T12:00:00Z",
		"aws:EpochTime":             "1772366400",
		"aws:RequestedRegion":       "us-east-1",
	}
	for k, v := range want {
		if got, ok := lookup(t, c, k); !ok || got != v {
			t.Errorf("%s = %q (%v), want %q", k, got, ok, v)
		}
	}
	if keys := c.Keys(); len(keys) != len(want) {
		t.Errorf("keys %v, want exactly %d", keys, len(want))
	}
	for _, k := range []string{"aws:PrincipalOrgID", "aws:TokenIssueTime", "aws:MultiFactorAuthPresent", "aws:SourceIdentity", "aws:TagKeys"} {
		if _, _, ok := c.Lookup(k); ok {
			t.Errorf("%s set, want absent", k)
		}
	}
}

// TestSetRoleSession: a role session's aws:PrincipalArn is its role's; its
// temporary credentials add aws:TokenIssueTime and
// aws:MultiFactorAuthPresent; org_id, TLS and the request's tags show.
func TestSetRoleSession(t *testing.T) {
	c := authz.NewContext()
	Set(c, &Principal{
		ARN: "arn:aws:sts::123456789012:assumed-role/app/s1", RoleARN: "arn:aws:iam::123456789012:role/app",
		Account: "123456789012", Type: "AssumedRole", UserID: "AROAEXAMPLE:s1", SourceIdentity: "alice",
		IssuedAt: t0.Add(-time.Hour).In(time.FixedZone("x", 3600)), OrgID: "o-abcdef1234",
	}, &Request{SecureTransport: true, Now: t0, Tags: map[string]string{"Env": "dev"}, TagKeys: []string{"Env"}})
	want := map[string]string{
		"aws:PrincipalArn":           "arn:aws:iam::123456789012:role/app",
		"aws:PrincipalOrgID":         "o-abcdef1234",
		"aws:SourceIdentity":         "alice",
		"aws:TokenIssueTime":         "2026-03-01T11:00:00Z",
		"aws:MultiFactorAuthPresent": "false",
		"aws:SecureTransport":        "true",
		"aws:RequestTag/env":         "dev",
	}
	for k, v := range want {
		if got, ok := lookup(t, c, k); !ok || got != v {
			t.Errorf("%s = %q (%v), want %q", k, got, ok, v)
		}
	}
	if v, multi, ok := c.Lookup("aws:TagKeys"); !ok || !multi || !slices.Equal(v, []string{"Env"}) {
		t.Errorf("aws:TagKeys = %v (multi %v, %v), want [Env]", v, multi, ok)
	}
	for _, k := range []string{"aws:username", "aws:SourceIp", "aws:UserAgent", "aws:RequestedRegion"} {
		if _, _, ok := c.Lookup(k); ok {
			t.Errorf("%s set, want absent", k)
		}
	}
}

// TestEmptyTagKeys: a request whose tag list is empty has aws:TagKeys
// without values; one without a tag list has none.
func TestEmptyTagKeys(t *testing.T) {
	c := authz.NewContext()
	SetRequest(c, &Request{Now: t0, TagKeys: []string{}})
	if v, multi, ok := c.Lookup("aws:TagKeys"); !ok || !multi || len(v) != 0 {
		t.Errorf("aws:TagKeys = %v (multi %v, %v), want present and empty", v, multi, ok)
	}
}

// TestCurrentTimes: the time strings change with the second, and only then.
func TestCurrentTimes(t *testing.T) {
	a := currentTimes(t0)
	if b := currentTimes(t0.Add(999 * time.Millisecond)); b != a {
		t.Error("a new format within the same second")
	}
	b := currentTimes(t0.Add(time.Second))
	if b.rfc3339 != "2026-03-01T12:00:01Z" || b.epoch != "1772366401" {
		t.Errorf("next second: %q %q", b.rfc3339, b.epoch)
	}
}

// BenchmarkSet is the builder's share of the pipeline's work per request,
// on a new context as the pipeline makes one per request.
func BenchmarkSet(b *testing.B) {
	caller := &Principal{
		ARN: "arn:aws:iam::123456789012:user/alice", Account: "123456789012", Type: "User",
		UserID: "AIDAEXAMPLE", Username: "alice", Tags: map[string]string{"team": "red"},
	}
	req := &Request{SourceIP: "192.0.2.1", UserAgent: "ua/1", Region: "us-east-1", Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		Set(authz.NewContext(), caller, req)
	}
}
