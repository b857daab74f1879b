package integration

import (
	"encoding/json"
	"testing"
)

// Client credentials of the test store. Every secret here must never appear
// in the gateway's log nor reach the upstream.
const (
	backendKeyID  = "AKIAINTEGBACKEND0001"
	backendSecret = "backendSecretKey/IntegrationTests/000001"
	// envUserSecret is given to the gateway through the environment
	// (INTEG_ENV_SECRET) and referenced from the store as {env.INTEG_ENV_SECRET}.
	envUserKeyID  = "AKIAINTEGENVUSER0001"
	envUserSecret = "envUserSecretKey/IntegrationTests/0000002"
	assumerKeyID  = "AKIAINTEGASSUMER0001"
	assumerSecret = "assumerSecretKey/IntegrationTests/000003"
	unknownKeyID  = "AKIAINTEGUNKNOWN0001"
)

// ARNs of the test store.
const (
	backendARN    = "arn:aws:iam::123456789012:user/backend"
	envUserARN    = "arn:aws:iam::123456789012:user/envuser"
	assumerARN    = "arn:aws:iam::123456789012:user/assumer"
	tenantRoleARN = "arn:aws:iam::123456789012:role/tenant-app"
	appAARN       = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a"
	appBARN       = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-b"
	poolID        = "pool-0123456789abcdef0"
)

// allSecrets are the long-term secrets and keys of the test configuration.
var allSecrets = []string{
	backendSecret, envUserSecret, assumerSecret, upstreamSecret,
	sessionKeyA, sessionKeyB, "session-key-A-integration-tests!", "session-key-B-integration-tests!",
}

type obj = map[string]any

// testStore returns the store document; extraPolicies are added to the
// backend user (for reload tests that widen its permissions).
func testStore(extraPolicies ...string) obj {
	backendPolicies := append([]string{"PinpointOps"}, extraPolicies...)
	return obj{
		"users": []obj{
			{"name": "backend", "tags": obj{"team": "blue"},
				"access_keys": []obj{{"id": backendKeyID, "secret": backendSecret}},
				"policies":    backendPolicies},
			{"name": "envuser",
				"access_keys": []obj{{"id": envUserKeyID, "secret": "{env.INTEG_ENV_SECRET}"}},
				"policies":    []string{"PinpointOps"}},
			{"name": "assumer",
				"access_keys": []obj{{"id": assumerKeyID, "secret": assumerSecret}}},
		},
		"roles": []obj{{
			"name": "tenant-app",
			"trust_policy": obj{"Version": "2012-10-17", "Statement": []obj{{
				"Sid": "AssumerMayAssumeWithTenantTag", "Effect": "Allow",
				"Principal": obj{"AWS": assumerARN},
				"Action":    []string{"sts:AssumeRole", "sts:TagSession"},
			}}},
			"policies":             []string{"TenantScoped"},
			"max_session_duration": "1h",
		}},
		"policies": obj{
			"PinpointOps": obj{"Version": "2012-10-17", "Statement": []obj{
				{"Sid": "PinpointUse", "Effect": "Allow",
					"Action":   []string{"mobiletargeting:GetApps", "mobiletargeting:GetApp", "mobiletargeting:GetCampaign", "mobiletargeting:SendMessages"},
					"Resource": "arn:aws:mobiletargeting:us-east-1:123456789012:*"},
				{"Sid": "SMSUse", "Effect": "Allow",
					"Action":   []string{"sms-voice:SendTextMessage", "sms-voice:DescribePools", "sms-voice:CreateConfigurationSet"},
					"Resource": "*"},
				{"Sid": "NoAppDeletes", "Effect": "Deny", "Action": "mobiletargeting:DeleteApp", "Resource": "*"},
			}},
			"SegmentsToo": obj{"Version": "2012-10-17", "Statement": []obj{
				{"Sid": "Segments", "Effect": "Allow", "Action": "mobiletargeting:GetSegments",
					"Resource": "arn:aws:mobiletargeting:us-east-1:123456789012:*"},
			}},
			"TenantScoped": obj{"Version": "2012-10-17", "Statement": []obj{
				{"Sid": "OwnTenantApps", "Effect": "Allow", "Action": "mobiletargeting:GetApp",
					"Resource":  "arn:aws:mobiletargeting:us-east-1:123456789012:apps/*",
					"Condition": obj{"StringEquals": obj{"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
			}},
		},
		"resource_tags": obj{
			appAARN: obj{"tenant": "a"},
			appBARN: obj{"tenant": "b"},
		},
	}
}

// storeJSON marshals a store document.
func storeJSON(t *testing.T, s obj) []byte {
	t.Helper()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatalf("marshaling store: %v", err)
	}
	return b
}

// env is one gateway with its three fake upstreams.
type env struct {
	g   *gatewayProc
	up  map[string]*fakeUpstream // by API name
	cfg gatewayConfig
}

// newEnv starts three fake upstreams and a gateway in front of them. mod
// may adjust the configuration before the start.
func newEnv(t *testing.T, mod func(*gatewayConfig)) *env {
	t.Helper()
	requireBinary(t)
	e := &env{up: map[string]*fakeUpstream{}}
	cfg := gatewayConfig{
		Store:       storeJSON(t, testStore()),
		SessionKeys: []string{sessionKeyA, sessionKeyB},
		Endpoints:   map[string]string{},
	}
	for _, api := range []string{"pinpoint", "sms-voice", "sms-voice-v2"} {
		u := newFakeUpstream(t, api)
		u.Forbid(backendKeyID, backendSecret, envUserKeyID, envUserSecret, assumerKeyID, assumerSecret)
		e.up[api] = u
		cfg.Endpoints[api] = u.URL()
	}
	if mod != nil {
		mod(&cfg)
	}
	e.cfg = cfg
	e.g = startGateway(t, cfg)
	return e
}

// forbid adds client credentials (e.g. issued session tokens) to every upstream's refusal list.
func (e *env) forbid(secrets ...string) {
	for _, u := range e.up {
		u.Forbid(secrets...)
	}
}

// reset forgets what every upstream recorded.
func (e *env) reset() {
	for _, u := range e.up {
		u.Reset()
	}
}

// upstreamTotal counts the requests that reached any upstream.
func (e *env) upstreamTotal() int {
	n := 0
	for _, u := range e.up {
		n += len(u.Records())
	}
	return n
}

// assertNothingUpstream fails if any request reached an upstream.
func (e *env) assertNothingUpstream(t *testing.T) {
	t.Helper()
	for api, u := range e.up {
		for _, r := range u.Records() {
			t.Errorf("upstream %s received %s %s (operation %q), want nothing", api, r.Method, r.Path, r.Operation)
		}
	}
}

// onlyRecord returns the single request that reached api's upstream, failing
// if there is not exactly one, if another upstream got anything, or if the
// fake upstream refused it.
func (e *env) onlyRecord(t *testing.T, api string) upstreamRecord {
	t.Helper()
	for name, u := range e.up {
		recs := u.Records()
		if name != api {
			if len(recs) != 0 {
				t.Fatalf("upstream %s received %d requests, want none", name, len(recs))
			}
			continue
		}
		if len(recs) != 1 {
			t.Fatalf("upstream %s received %d requests, want 1", name, len(recs))
		}
		if len(recs[0].Failures) > 0 {
			t.Fatalf("upstream %s refused the forwarded request: %v", name, recs[0].Failures)
		}
		return recs[0]
	}
	t.Fatalf("no upstream %s", api)
	return upstreamRecord{}
}
