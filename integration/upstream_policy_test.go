package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/modules/standard" // the Caddyfile's global options and directives

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	_ "github.com/pinpointgw/gateway/module" // the pinpoint_gateway directive
	"github.com/pinpointgw/gateway/upstreampolicy"
)

// The fake upstreams enforce, on every request they receive (forwarded calls and the
// gateway's own lookups), the upstream policy generated from the configuration of the
// gateways that use them (`gateway upstream-policy`, computed in-process): each
// permission of the request, mapped by apimap as AWS would map the request received, is
// evaluated with authz.Evaluate against that policy as the gateway's only identity
// policy. A deny answers AccessDeniedException and is a violation, which fails the test
// unless the test expects it (fakeUpstream.ExpectPolicyDenials).

// gatewayUpstreamPrincipal is the identity of the gateway's upstream credentials, as the
// fake upstream names it.
const gatewayUpstreamPrincipal = "arn:aws:iam::" + testAccount + ":role/pinpoint-gateway"

// fakeUpstreams are the running fake upstreams by base URL, so that the harness finds the
// ones a gateway's config points at.
var fakeUpstreams = struct {
	sync.Mutex
	byURL map[string]*fakeUpstream
}{byURL: map[string]*fakeUpstream{}}

func registerFakeUpstream(u *fakeUpstream) {
	fakeUpstreams.Lock()
	defer fakeUpstreams.Unlock()
	fakeUpstreams.byURL[u.URL()] = u
}

func unregisterFakeUpstream(u *fakeUpstream) {
	fakeUpstreams.Lock()
	defer fakeUpstreams.Unlock()
	delete(fakeUpstreams.byURL, u.URL())
}

// upstreamPolicy is the policy `gateway upstream-policy` generates for a Caddyfile,
// parsed (one policy per document).
func upstreamPolicy(t *testing.T, caddyfile string) []*authz.Policy {
	t.Helper()
	adapter := caddyconfig.GetAdapter("caddyfile")
	if adapter == nil {
		t.Fatal("no caddyfile adapter")
	}
	cfg, _, err := adapter.Adapt([]byte(caddyfile), nil)
	if err != nil {
		t.Fatalf("adapting the Caddyfile: %v", err)
	}
	gws, err := upstreampolicy.FromConfig(cfg, upstreampolicy.ConfigOptions{
		LookupEnv: func(string) (string, bool) { return "placeholder-secret-0123456789", true },
	})
	if err != nil {
		// A store that does not load: the gateway refuses the config too.
		t.Logf("no upstream policy enforced: %v", err)
		return nil
	}
	docs, err := upstreampolicy.Generate(gws)
	if err != nil {
		t.Fatalf("upstream policy: %v", err)
	}
	var out []*authz.Policy
	for i, d := range docs {
		data, err := upstreampolicy.Marshal([]upstreampolicy.Document{d})
		if err != nil {
			t.Fatal(err)
		}
		p, err := authz.Parse(fmt.Sprintf("upstream-policy-%d", i+1), data, authz.IdentityBased)
		if err != nil {
			t.Fatalf("the generated upstream policy does not parse: %v\n%s", err, data)
		}
		out = append(out, p)
	}
	return out
}

// enforceUpstreamPolicy makes the fake upstreams that the gateway g's config points at
// enforce the upstream policy of caddyfile for g (replacing g's previous one).
func enforceUpstreamPolicy(t *testing.T, g *gatewayProc, caddyfile string, endpoints map[string]string) {
	t.Helper()
	policy := upstreamPolicy(t, caddyfile)
	if policy == nil {
		return
	}
	fakeUpstreams.Lock()
	defer fakeUpstreams.Unlock()
	for _, url := range endpoints {
		if u := fakeUpstreams.byURL[url]; u != nil {
			u.setPolicy(g, policy)
		}
	}
}

// setPolicy sets the upstream policy of gateway g.
func (u *fakeUpstream) setPolicy(g *gatewayProc, policy []*authz.Policy) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.override {
		return
	}
	if u.policies == nil {
		u.policies = map[*gatewayProc][]*authz.Policy{}
	}
	u.policies[g] = policy
}

// SetPolicy replaces the policies the upstream enforces by policy alone (a test that
// needs an explicit one; nil stops enforcing).
func (u *fakeUpstream) SetPolicy(policy []*authz.Policy) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.policies = map[*gatewayProc][]*authz.Policy{nil: policy}
	u.override = true
}

// ExpectPolicyDenials says the test expects the upstream to refuse some requests for the
// policy (e.g. dry_run forwarding what the store denies): they are still answered
// AccessDeniedException, but do not fail the test.
func (u *fakeUpstream) ExpectPolicyDenials() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.denialsExpected = true
}

// PolicyViolations returns the requests the policy refused.
func (u *fakeUpstream) PolicyViolations() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.violations...)
}

// checkPolicy evaluates r against the enforced policies: "" when allowed (or when no
// policy is enforced), else the denial message.
func (u *fakeUpstream) checkPolicy(r *http.Request, body []byte) string {
	u.mu.Lock()
	var policies []*authz.Policy
	for _, p := range u.policies {
		policies = append(policies, p...)
	}
	enforced := len(u.policies) > 0
	u.mu.Unlock()
	if !enforced {
		return ""
	}
	region := testRegion
	if cred := strings.Split(credentialOf(r), "/"); len(cred) == 5 {
		region = cred[2]
	}
	res, err := apimap.Map(&apimap.Request{
		Method: r.Method, RawPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header,
		Body: body, Region: region, Account: testAccount, Service: u.SigningName,
	})
	if err != nil {
		return "" // AWS would refuse it for what it is; the policy has nothing to say
	}
	alternative := map[[2]int]bool{}
	for _, un := range res.Unresolved {
		if un.Alternative {
			alternative[[2]int{un.Permission, un.Resource}] = true // a reading AWS may not have
		}
	}
	principal := authz.PrincipalFromARN(gatewayUpstreamPrincipal)
	for i, p := range res.Permissions {
		for j, resource := range p.Resources {
			if alternative[[2]int{i, j}] {
				continue
			}
			ctx := authz.NewContext()
			ctx.Set("aws:RequestedRegion", region)
			if p.PassedToService != "" {
				ctx.Set("iam:PassedToService", p.PassedToService)
			}
			in := &authz.Input{Principal: principal, Action: p.Action, Resource: resource, Context: ctx, IdentityPolicies: policies}
			if d := authz.Evaluate(in); d.Decision != authz.Allow {
				return authz.DenyMessage(gatewayUpstreamPrincipal, p.Action, resource, d)
			}
		}
	}
	return ""
}

// credentialOf returns the Credential field of r's SigV4 Authorization header.
func credentialOf(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Authorization"), ",") {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, "Credential="); i >= 0 {
			return part[i+len("Credential="):]
		}
	}
	return ""
}

// writePolicyDenial answers AWS's AccessDeniedException in the API's protocol.
func (u *fakeUpstream) writePolicyDenial(w http.ResponseWriter, msg string) {
	proto := awserr.RESTJSON
	if u.API == "sms-voice-v2" {
		proto = awserr.JSON
	}
	awserr.Write(w, proto, http.StatusForbidden, awserr.AccessDeniedException, msg, "fake-upstream-policy-deny")
}

// checkViolations fails t when the upstream refused requests the test did not expect it
// to refuse.
func (u *fakeUpstream) checkViolations(t *testing.T) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.violations) > 0 && !u.denialsExpected {
		t.Errorf("the %s fake upstream refused %d request(s) for the gateway's generated upstream policy (the gateway's own AWS identity would be denied):\n%s",
			u.API, len(u.violations), strings.Join(u.violations, "\n"))
	}
}

// TestUpstreamPolicyEnforced: the fake upstreams hold requests signed with the gateway's
// credentials to the policy generated from the gateway's config: what the store can
// allow and the gateway's own lookups pass; anything else is AWS's
// AccessDeniedException, in the API's protocol, and a recorded violation.
func TestUpstreamPolicyEnforced(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	gw := creds(upstreamAccessKeyID, upstreamSecret, "")
	pp := pinpointClient(&gatewayProc{URL: e.up["pinpoint"].URL()}, gw, newCapture())
	v2 := smsV2Client(&gatewayProc{URL: e.up["sms-voice-v2"].URL()}, gw, newCapture())
	e.up["pinpoint"].ExpectPolicyDenials()
	e.up["sms-voice-v2"].ExpectPolicyDenials()

	t.Run("what the store allows passes", func(t *testing.T) {
		if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
			t.Errorf("GetApps: %v", err)
		}
		if _, err := v2.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{}); err != nil {
			t.Errorf("DescribePools: %v", err)
		}
	})
	t.Run("the gateway's own lookups pass", func(t *testing.T) {
		if _, err := v2.DescribePhoneNumbers(ctx, &pinpointsmsvoicev2.DescribePhoneNumbersInput{}); err != nil {
			t.Errorf("DescribePhoneNumbers (origination_lookup is on): %v", err)
		}
	})
	t.Run("what the store never allows is AccessDeniedException", func(t *testing.T) {
		_, err := pp.DeleteApp(ctx, &pinpoint.DeleteAppInput{ApplicationId: aws.String("app-a")})
		apiErrorOf(t, err, "AccessDeniedException", 403)
		_, err = v2.DeleteOptOutList(ctx, &pinpointsmsvoicev2.DeleteOptOutListInput{OptOutListName: aws.String("ol")})
		apiErrorOf(t, err, "AccessDeniedException", 403)
		// A lookup of resource_tags lookup, which this gateway does not make.
		_, err = v2.ListTagsForResource(ctx, &pinpointsmsvoicev2.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0")})
		apiErrorOf(t, err, "AccessDeniedException", 403)
	})
	if n := len(e.up["pinpoint"].PolicyViolations()); n != 1 {
		t.Errorf("pinpoint upstream recorded %d violations, want 1 (DeleteApp)", n)
	}
	if n := len(e.up["sms-voice-v2"].PolicyViolations()); n != 2 {
		t.Errorf("sms-voice-v2 upstream recorded %d violations, want 2 (DeleteOptOutList, ListTagsForResource)", n)
	}
}

// TestUpstreamPolicyCommand: the binary's `upstream-policy` prints, for a Caddyfile the
// harness writes, the policy the fake upstreams enforce.
func TestUpstreamPolicyCommand(t *testing.T) {
	bin := requireBinary(t)
	g := &gatewayProc{dir: t.TempDir(), port: 8080, adminPort: 2019}
	cfg := gatewayConfig{
		Store:     storeJSON(t, testStore("SegmentsToo")),
		Endpoints: map[string]string{},
		Extra:     "\t\tresource_tags lookup 1h 1000 2s\n\t\tregions us-east-1 us-west-2",
	}
	caddyfile := g.caddyfile(t, cfg)
	path := filepath.Join(g.dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(caddyfile), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "upstream-policy", "--config", path, "--adapter", "caddyfile")
	cmd.Dir = g.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gateway upstream-policy: %v\n%s", err, stderr.String())
	}
	var want bytes.Buffer
	for _, p := range upstreamPolicy(t, caddyfile) {
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(data)
	}
	got, err := authz.Parse("printed", stdout.Bytes(), authz.IdentityBased)
	if err != nil {
		t.Fatalf("the printed policy does not parse: %v\n%s", err, stdout.String())
	}
	gotJSON, _ := json.Marshal(got)
	if string(gotJSON) != want.String() {
		t.Errorf("printed policy\n%s\nwant the enforced one\n%s", gotJSON, want.String())
	}
	for _, s := range []string{`"mobiletargeting:GetSegments"`, `"aws:RequestedRegion"`, `"sms-voice:ListTagsForResource"`, "arn:aws:mobiletargeting:us-west-2:123456789012:*"} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("printed policy lacks %s:\n%s", s, stdout.String())
		}
	}
}
