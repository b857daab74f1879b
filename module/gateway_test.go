package module

import (
	"context"
	"github.com/pinpointgw/gateway/quota"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// TestProvisionErrors checks that a bad configuration or store stops
// provisioning with an error that says what is wrong.
func TestProvisionErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	badPolicy := filepath.Join(dir, "bad-policy.json")
	if err := os.WriteFile(badPolicy, []byte(`{"policies": {"Broken": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "mobiletargeting:GetApps", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "x"}}}]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PINPOINT_GW_TEST_EMPTY", "")

	cases := map[string]struct {
		g    Gateway
		want []string
	}{
		"no account":         {Gateway{Store: good}, []string{"account is required"}},
		"bad account":        {Gateway{Account: "12345", Store: good}, []string{`account "12345"`}},
		"no store":           {Gateway{Account: testAccount}, []string{"store is required"}},
		"missing store file": {Gateway{Account: testAccount, Store: filepath.Join(dir, "nope.json")}, []string{"nope.json"}},
		"bad policy in store": {Gateway{Account: testAccount, Store: badPolicy},
			[]string{"bad-policy.json", "Broken", "StringEqual"}},
		"bad mode":       {Gateway{Account: testAccount, Store: good, Mode: "audit"}, []string{`mode "audit"`}},
		"unknown region": {Gateway{Account: testAccount, Store: good, Region: "mars-1"}, []string{`"mars-1"`, "partition"}},
		"regions across partitions": {Gateway{Account: testAccount, Store: good, Regions: []string{"us-east-1", "cn-north-1"}},
			[]string{"cn-north-1", "aws-cn"}},
		"home region not in regions": {Gateway{Account: testAccount, Store: good, Regions: []string{"eu-west-1"}},
			[]string{`default region "us-east-1" is not in the list`}},
		"unknown endpoint API": {Gateway{Account: testAccount, Store: good, Endpoint: map[string]string{"sns": "https://x"}},
			[]string{`unknown API "sns"`}},
		"bad endpoint URL": {Gateway{Account: testAccount, Store: good, Endpoint: map[string]string{"pinpoint": "pinpoint.example"}},
			[]string{"endpoint pinpoint", "scheme"}},
		"session key env empty": {Gateway{Account: testAccount, Store: good, SessionKeys: []string{"{env.PINPOINT_GW_TEST_EMPTY}"}},
			[]string{"session key 1"}},
		"session key not base64": {Gateway{Account: testAccount, Store: good, SessionKeys: []string{"not a key"}},
			[]string{"session keys"}},
		"static without secret": {Gateway{Account: testAccount, Store: good, UpstreamCredentials: &UpstreamCredentials{Source: "static", AccessKeyID: "AKIA"}},
			[]string{"secret_access_key"}},
		"static secret env empty": {Gateway{Account: testAccount, Store: good, UpstreamCredentials: &UpstreamCredentials{
			Source: "static", AccessKeyID: "AKIAX", SecretAccessKey: "{env.PINPOINT_GW_TEST_EMPTY}"}},
			[]string{"secret access key", "PINPOINT_GW_TEST_EMPTY"}},
		"unknown credentials source": {Gateway{Account: testAccount, Store: good, UpstreamCredentials: &UpstreamCredentials{Source: "vault"}},
			[]string{`unknown source "vault"`}},
		"ttl without lookup": {Gateway{Account: testAccount, Store: good, ResourceTags: &ResourceTagsConfig{Source: "static", TTL: 5}},
			[]string{"apply to source lookup only"}},
		"quota without name": {Gateway{Account: testAccount, Store: good, Quotas: []Quota{Quota{Config: quota.Config{Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10}, Window: caddy.Duration(time.Hour)}}},
			[]string{"quota", "name"}},
		"quota names twice": {Gateway{Account: testAccount, Store: good, Quotas: []Quota{Quota{Config: quota.Config{Name: "a", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10}, Window: caddy.Duration(time.Hour)}, Quota{Config: quota.Config{Name: "a", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10}, Window: caddy.Duration(time.Hour)}}},
			[]string{`name "a"`, "defined twice"}},
		"quota window too long": {Gateway{Account: testAccount, Store: good, Quotas: []Quota{Quota{Config: quota.Config{Name: "a", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 1}, Window: caddy.Duration(32 * 24 * time.Hour)}}},
			[]string{`quota "a"`, "window"}},
		"quota per bad key": {Gateway{Account: testAccount, Store: good, Quotas: []Quota{Quota{Config: quota.Config{Name: "a", Per: "tenant", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10}, Window: caddy.Duration(time.Hour)}}},
			[]string{`quota "a"`, "per"}},
		"shared_state redis without URL": {Gateway{Account: testAccount, Store: good, SharedState: &SharedState{Backend: "redis"}},
			[]string{"needs the server's URL"}},
		"shared_state unknown backend": {Gateway{Account: testAccount, Store: good, SharedState: &SharedState{Backend: "etcd"}},
			[]string{`unknown backend "etcd"`}},
		"shared_state bad URL": {Gateway{Account: testAccount, Store: good, Quotas: []Quota{Quota{Config: quota.Config{Name: "a", Actions: []string{"sms-voice:SendTextMessage"}, Limit: 10}, Window: caddy.Duration(time.Hour)}}, SharedState: &SharedState{Backend: "redis", URL: "http://user:hunter2@x"}},
			[]string{"shared_state redis"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
			defer cancel()
			g := tc.g
			err := g.Provision(ctx)
			if err == nil {
				t.Fatalf("Provision succeeded, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Provision error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestProvisionWithoutAWSCredentials checks that the default credential
// chain is not consulted at start-up.
func TestProvisionWithoutAWSCredentials(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.json")
	if err := os.WriteFile(store, []byte(testStore), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_PROFILE", "does-not-exist")
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	g := &Gateway{Account: testAccount, Store: store}
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	// The first retrieval fails (the profile does not exist) and says so.
	_, err := g.creds.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no upstream AWS credentials from the default credential chain") {
		t.Errorf("Retrieve error %v, want one naming the default chain", err)
	}
}

// TestDefaults checks the documented defaults.
func TestDefaults(t *testing.T) {
	t.Parallel()
	var g Gateway
	g.applyDefaults()
	if g.Region != "us-east-1" || g.Mode != ModeEnforce || g.MaxBody != 10<<20 ||
		g.ClockSkew != caddy.Duration(DefaultClockSkew) || g.UpstreamTimeout != caddy.Duration(DefaultUpstreamTimeout) ||
		g.RetiredOperations != RetiredForward {
		t.Errorf("defaults %+v", g)
	}
}
