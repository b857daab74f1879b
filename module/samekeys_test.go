package module

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameKeysCondition requires every global condition key the gateway sets
// for a user signing with long-term keys over plain HTTP: the values that
// are known in advance, the presence of the others, and the absence of the
// keys such a call does not have.
const sameKeysCondition = `{
  "StringEquals": {
    "aws:PrincipalArn": "arn:aws:iam::123456789012:user/caller",
    "aws:PrincipalAccount": "123456789012",
    "aws:PrincipalType": "User",
    "aws:PrincipalIsAWSService": "false",
    "aws:PrincipalOrgID": "o-abcdef1234",
    "aws:ViaAWSService": "false",
    "aws:username": "caller",
    "aws:PrincipalTag/team": "red",
    "aws:SecureTransport": "false",
    "aws:RequestedRegion": "us-east-1",
    "aws:UserAgent": "same-keys-test/1.0"},
  "StringLike": {"aws:userid": "AIDA*"},
  "Null": {
    "aws:SourceIp": "false", "aws:CurrentTime": "false", "aws:EpochTime": "false",
    "aws:TokenIssueTime": "true", "aws:MultiFactorAuthPresent": "true", "aws:SourceIdentity": "true",
    "aws:TagKeys": "true"}
}`

const sameKeysStore = `{
  "users": [{"name": "caller", "tags": {"team": "red"},
    "access_keys": [{"id": "` + readerKeyID + `", "secret": "` + readerSecret + `"}], "policies": ["SameKeys"]}],
  "roles": [{"name": "same-keys", "trust_policy": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/caller"}, "Action": "sts:AssumeRole",
     "Condition": ` + sameKeysCondition + `}]}}],
  "policies": {"SameKeys": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["mobiletargeting:GetApps", "sts:AssumeRole"], "Resource": "*",
     "Condition": ` + sameKeysCondition + `}]}}
}`

// TestSTSAndPipelineSameGlobalKeys: one caller's API call (its identity
// policy) and its AssumeRole (the role's trust policy) see the same global
// condition keys with the same values, org_id's aws:PrincipalOrgID and
// aws:ViaAWSService included: both come from reqcontext.
func TestSTSAndPipelineSameGlobalKeys(t *testing.T) {
	up := newFakeUpstream(t)
	store := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(store, []byte(sameKeysStore), 0o600); err != nil {
		t.Fatal(err)
	}
	g, _ := testGateway(t, up, func(g *Gateway) {
		g.Store = store
		g.OrgID = "o-abcdef1234"
	})
	ua := http.Header{"User-Agent": {"same-keys-test/1.0"}}

	w := serve(g, signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, ua, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GetApps through the pipeline: %d %s", w.Code, w.Body.String())
	}

	form := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fsame-keys&RoleSessionName=s1"
	h := http.Header{"User-Agent": ua["User-Agent"], "Content-Type": {"application/x-www-form-urlencoded"}}
	w = serve(g, signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", readerKeyID, readerSecret, h, []byte(form)))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<SessionToken>") {
		t.Fatalf("AssumeRole through the STS: %d %s", w.Code, w.Body.String())
	}
}
