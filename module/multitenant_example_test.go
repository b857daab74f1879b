package module

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
)

// TestMultiTenantExample adapts examples/multitenant/Caddyfile, provisions
// it with examples/multitenant/store.json in front of a tag-keeping fake
// upstream, and runs what examples/multitenant/README.md promises.
func TestMultiTenantExample(t *testing.T) {
	const (
		provisioner, provisionerSecret = "AKIAEXAMPLEPROVISION", "example-provisioner-secret-for-the-test"
		platform, platformSecret       = "AKIAEXAMPLEPLATFORM1", "example-platform-admin-secret-for-tests"
		appA, appB                     = "a0000000000000000000000000000001", "b0000000000000000000000000000002"
		arnA                           = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/" + appA
		arnB                           = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/" + appB
		arnA2                          = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a0000000000000000000000000000003"
	)
	t.Setenv("PROVISIONER_SECRET", provisionerSecret)
	t.Setenv("PLATFORM_ADMIN_SECRET", platformSecret)
	t.Setenv("GATEWAY_SESSION_KEY", testSessionKey)
	up := newTagUpstream(t)
	up.set(func(u *tagUpstream) {
		u.tags[arnA] = map[string]string{"tenant": "a"}
		u.tags[arnB] = map[string]string{"tenant": "b"}
		u.tags[arnA2] = map[string]string{"tenant": "a"}
	})
	g := exampleGateway(t, "../examples/multitenant/Caddyfile", up.URL, func(g *Gateway) {
		if rt := g.ResourceTags; rt == nil || rt.Source != ResourceTagsLookup || time.Duration(rt.TTL) != 5*time.Minute || rt.Size != 10000 || time.Duration(rt.Timeout) != 2*time.Second {
			t.Errorf("resource_tags = %+v, want lookup 5m 10000 2s", rt)
		}
	})

	// The provisioner assumes tenant-app for tenant a.
	form := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftenant-app" +
		"&RoleSessionName=tenant-a&Tags.member.1.Key=tenant&Tags.member.1.Value=a"
	w := serve(g, signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", provisioner, provisionerSecret,
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form)))
	if w.Code != 200 {
		t.Fatalf("AssumeRole: %d %s", w.Code, w.Body.String())
	}
	var out struct {
		Result struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		} `xml:"AssumeRoleResult"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	c := out.Result.Credentials
	tenant := func(method, path, body string) *http.Request {
		r := signedRequestToken(t, method, "http://gw"+path, "mobiletargeting", c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
		if body != "" {
			r = signedRequestTokenBody(t, method, "http://gw"+path, c.AccessKeyId, c.SecretAccessKey, c.SessionToken, body)
		}
		return r
	}
	tagPath := "/v1/tags/" + url.PathEscape(arnA)
	steps := []struct {
		name string
		r    func() *http.Request
		want int
	}{
		{"without a tenant tag the provisioner cannot assume", func() *http.Request {
			return signedRequest(t, "POST", "http://gw/", "sts", "us-east-1", provisioner, provisionerSecret,
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				[]byte("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftenant-app&RoleSessionName=untagged"))
		}, 403},
		{"tenant a reads its app", func() *http.Request { return tenant("GET", "/v1/apps/"+appA, "") }, 200},
		{"tenant a cannot read b's app", func() *http.Request { return tenant("GET", "/v1/apps/"+appB, "") }, 403},
		{"tenant a creates an app tagged tenant=a", func() *http.Request {
			return tenant("POST", "/v1/apps", `{"Name":"shop","tags":{"tenant":"a"}}`)
		}, 200},
		{"tenant a cannot create an app tagged tenant=b", func() *http.Request {
			return tenant("POST", "/v1/apps", `{"Name":"shop","tags":{"tenant":"b"}}`)
		}, 403},
		{"tenant a cannot retag its app", func() *http.Request { return tenant("POST", tagPath, `{"tags":{"tenant":"b"}}`) }, 403},
		{"tenant a cannot untag its app", func() *http.Request { return tenant("DELETE", tagPath+"?tagKeys=tenant", "") }, 403},
		{"the platform admin moves app a to tenant b", func() *http.Request {
			return signedRequest(t, "POST", "http://gw"+tagPath, "mobiletargeting", "us-east-1", platform, platformSecret,
				http.Header{"Content-Type": {"application/json"}}, []byte(`{"tags":{"tenant":"b"}}`))
		}, 204},
		{"at once tenant a loses app a", func() *http.Request { return tenant("GET", "/v1/apps/"+appA, "") }, 403},
	}
	for _, s := range steps {
		if w := serve(g, s.r()); w.Code != s.want {
			t.Errorf("%s: status %d (%s), want %d", s.name, w.Code, w.Body.String(), s.want)
		}
	}

	// References: AWS uses them with the gateway's credentials, so the
	// policy confines them to the tenant's own topics, streams, buckets,
	// roles and templates (the mapping lists them; here by hand).
	r := withCaddyVars(tenant("GET", "/v1/apps/"+appA, ""))
	id, err := g.current().authn.Authenticate(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		streamA, streamB = "arn:aws:kinesis:us-east-1:123456789012:stream/a-events", "arn:aws:kinesis:us-east-1:123456789012:stream/b-events"
		roleA, roleB     = "arn:aws:iam::123456789012:role/a-events", "arn:aws:iam::123456789012:role/b-events"
	)
	putEventStream := func(service string, refs ...string) *apimap.Result {
		res := &apimap.Result{API: apimap.APIPinpoint, Operation: "PutEventStream",
			Permissions: []apimap.Permission{{Action: "mobiletargeting:PutEventStream", Resources: []string{arnA2}}}}
		for _, ref := range refs {
			res.References = append(res.References, apimap.Reference{ResourceType: "kinesis-stream", Member: "DestinationStreamArn", Value: ref, ARN: ref})
			if strings.HasPrefix(ref, "arn:aws:iam:") {
				res.Permissions = append(res.Permissions, apimap.Permission{Action: "iam:PassRole", Resources: []string{ref}, PassedToService: service})
			}
		}
		return res
	}
	refCases := map[string]struct {
		res   *apimap.Result
		allow bool
	}{
		"own stream and role":                {putEventStream("pinpoint.amazonaws.com", streamA, roleA), true},
		"own bucket object":                  {putEventStream("", "arn:aws:s3:::a-imports/segment.csv"), true},
		"another tenant's stream":            {putEventStream("pinpoint.amazonaws.com", streamB, roleA), false},
		"another tenant's role":              {putEventStream("pinpoint.amazonaws.com", streamA, roleB), false},
		"another tenant's bucket":            {putEventStream("", "arn:aws:s3:::b-imports/segment.csv"), false},
		"another tenant's template":          {putEventStream("", "arn:aws:mobiletargeting:us-east-1:123456789012:templates/b-promo/EMAIL"), false},
		"another tenant's topic":             {putEventStream("", "arn:aws:sns:us-east-1:123456789012:b-alerts"), false},
		"own role passed to another service": {putEventStream("ec2.amazonaws.com", streamA, roleA), false},
		"a reference that is no ARN":         {putEventStream("", "a-events"), false},
	}
	for name, tc := range refCases {
		rs := &requestState{st: g.current()}
		msg := g.authorize(r, rs, id, tc.res)
		if (msg == "") != tc.allow {
			t.Errorf("references, %s: %q, want allowed = %v", name, msg, tc.allow)
		}
	}
}

// signedRequestTokenBody signs a us-east-1 mobiletargeting request with a
// JSON body and temporary credentials.
func signedRequestTokenBody(t testing.TB, method, target, keyID, secret, token, body string) *http.Request {
	t.Helper()
	r := signedRequest(t, method, target, "mobiletargeting", "us-east-1", keyID, secret,
		http.Header{"Content-Type": {"application/json"}, "X-Amz-Security-Token": {token}}, []byte(body))
	return r
}
