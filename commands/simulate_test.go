package commands

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const simStore = `{
  "users": [{"name": "backend", "groups": ["readers"], "permissions_boundary": "Boundary",
             "access_keys": [{"id": "AKIAEXAMPLESIMULATE1", "secret": "{env.GATEWAY_SIMULATE_TEST_UNSET_SECRET}"}]}],
  "groups": [{"name": "readers", "policies": ["ReadOnly"]}],
  "policies": {
    "ReadOnly": {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["mobiletargeting:Get*", "mobiletargeting:DeleteApp"], "Resource": "*"}]},
    "Boundary": {"Version": "2012-10-17", "Statement": [{"Sid": "Bound", "Effect": "Allow", "Action": ["mobiletargeting:Get*", "mobiletargeting:Update*"], "Resource": "*"}]}
  },
  "resource_policies": {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/shared": {"Version": "2012-10-17", "Statement": [
    {"Sid": "Share", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/backend"}, "Action": "mobiletargeting:UpdateApplicationSettings", "Resource": "*"}]}},
  "guardrails": {"NoDeletes": {"Version": "2012-10-17", "Statement": [
    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "mobiletargeting:Delete*", "Resource": "*"}]}}
}`

func TestRunSimulate(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(store, []byte(simStore), 0o600); err != nil {
		t.Fatal(err)
	}
	const user = "arn:aws:iam::123456789012:user/backend"
	const app = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	withStore := simulateFlags{Store: store, Account: "123456789012", Partition: "aws"}
	tests := map[string]struct {
		in    string
		flags simulateFlags
		want  string
	}{
		"no store": {
			in:   `{"action":"mobiletargeting:GetApp","resource":"` + app + `","principal":"` + user + `","identity_policies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]}`,
			want: `{"decision":"Allow","matched":[{"type":"identity","policy":"identity_policies[0]","sid":"","index":0,"effect":"Allow"}]}`,
		},
		"store group policy within boundary": {
			in:    `{"action":"mobiletargeting:GetApp","resource":"` + app + `","principal":"` + user + `"}`,
			flags: withStore,
			want:  `{"decision":"Allow","matched":[{"type":"guardrail","policy":"NoDeletes","sid":"All","index":0,"effect":"Allow"},{"type":"identity","policy":"ReadOnly","sid":"Read","index":0,"effect":"Allow"},{"type":"boundary","policy":"Boundary","sid":"Bound","index":0,"effect":"Allow"}]}`,
		},
		"store guardrail denies": {
			in:    `{"action":"mobiletargeting:DeleteApp","resource":"` + app + `","principal":"` + user + `"}`,
			flags: withStore,
			want:  `{"decision":"ExplicitDeny","matched":[{"type":"guardrail","policy":"NoDeletes","sid":"NoDelete","index":1,"effect":"Deny"}]}`,
		},
		"store resource policy grants the user": {
			in:    `{"action":"mobiletargeting:UpdateApplicationSettings","resource":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/shared","principal":"` + user + `"}`,
			flags: withStore,
			want:  `{"decision":"Allow","matched":[{"type":"guardrail","policy":"NoDeletes","sid":"All","index":0,"effect":"Allow"},{"type":"resource","policy":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/shared","sid":"Share","index":0,"effect":"Allow"}]}`,
		},
		"unknown principal": {
			in:    `{"action":"mobiletargeting:GetApp","resource":"` + app + `","principal":"arn:aws:iam::123456789012:user/nobody"}`,
			flags: withStore,
			want:  `{"error":"line 1: principal \"arn:aws:iam::123456789012:user/nobody\" is not in the store"}`,
		},
		"destination keys": {
			in: `{"action":"sms-voice:SendTextMessage","resource":"*","principal":"` + user + `",` +
				`"context":{"gateway:DestinationCountry":["FR","DE"],"gateway:DestinationNumberType":["MOBILE"],"gateway:DestinationCount":2},` +
				`"identity_policies":[{"Statement":[{"Effect":"Allow","Action":"sms-voice:Send*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"gateway:DestinationCountry":["FR","DE"]},"NumericLessThanEquals":{"gateway:DestinationCount":"2"}}},` +
				`{"Sid":"NoPremium","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"gateway:DestinationNumberType":"PREMIUM_RATE"}}}]}]}`,
			flags: simulateFlags{Lint: true},
			want:  `{"decision":"Allow","matched":[{"type":"identity","policy":"identity_policies[0]","sid":"","index":0,"effect":"Allow"}],"warnings":["policy \"identity_policies[0]\" statement 0: Condition: ForAllValues:StringEquals on \"gateway:DestinationCountry\" under Allow also matches when the key is missing or empty"]}`,
		},
		"destination keys, premium": {
			in: `{"action":"sms-voice:SendTextMessage","resource":"*","principal":"` + user + `",` +
				`"context":{"gateway:DestinationCountry":["GB"],"gateway:DestinationNumberType":["PREMIUM_RATE"],"gateway:DestinationCount":1},` +
				`"identity_policies":[{"Statement":[{"Effect":"Allow","Action":"sms-voice:Send*","Resource":"*"},` +
				`{"Sid":"NoPremium","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"gateway:DestinationNumberType":"PREMIUM_RATE"}}}]}]}`,
			flags: simulateFlags{Lint: true},
			want:  `{"decision":"ExplicitDeny","matched":[{"type":"identity","policy":"identity_policies[0]","sid":"NoPremium","index":1,"effect":"Deny"}]}`,
		},
		"lint warns on a statement that grants only retired actions": {
			in: `{"action":"mobiletargeting:GetApps","resource":"*","principal":"` + user + `","identity_policies":[{"Statement":[` +
				`{"Sid":"Engagement","Effect":"Allow","Action":["mobiletargeting:GetSegments","mobiletargeting:*Journey*"],"Resource":"*"},` +
				`{"Sid":"Mixed","Effect":"Allow","Action":["mobiletargeting:GetSegments","mobiletargeting:GetApps"],"Resource":"*"},` +
				`{"Sid":"Wide","Effect":"Allow","Action":"mobiletargeting:Get*","Resource":"*"}]}]}`,
			flags: simulateFlags{Lint: true},
			want:  `{"decision":"Allow","matched":[{"type":"identity","policy":"identity_policies[0]","sid":"Mixed","index":1,"effect":"Allow"},{"type":"identity","policy":"identity_policies[0]","sid":"Wide","index":2,"effect":"Allow"}],"warnings":["policy \"identity_policies[0]\" statement 0 (Sid \"Engagement\"): Action: grants only actions of operations AWS retired with Amazon Pinpoint's engagement features on 2026-10-30"]}`,
		},
		"lint uses the action catalogue": {
			in:    `{"action":"mobiletargeting:GetApp","resource":"*","principal":"` + user + `","identity_policies":[{"Statement":{"Effect":"Allow","Action":"mobiletargeting:GetAppz","Resource":"*"}}]}`,
			flags: simulateFlags{Lint: true},
			want:  `{"decision":"ImplicitDeny","matched":[],"warnings":["policy \"identity_policies[0]\" statement 0: Action: action \"mobiletargeting:GetAppz\" matches no known mobiletargeting action"]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out, diag bytes.Buffer
			if err := runSimulate(strings.NewReader(tc.in+"\n"), &out, &diag, tc.flags); err != nil {
				t.Fatalf("runSimulate: %v", err)
			}
			if got := strings.TrimSpace(out.String()); got != tc.want {
				t.Errorf("runSimulate(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestRunSimulateErrors(t *testing.T) {
	t.Parallel()
	var out, diag bytes.Buffer
	if err := runSimulate(strings.NewReader(""), &out, &diag, simulateFlags{Store: "x.json"}); !errors.Is(err, errStoreAccount) {
		t.Errorf("--store without --account: %v, want errStoreAccount", err)
	}
	err := runSimulate(strings.NewReader(""), &out, &diag, simulateFlags{Store: filepath.Join(t.TempDir(), "missing.json"), Account: "123456789012"})
	if err == nil || !strings.Contains(err.Error(), "loading store") {
		t.Errorf("missing store file: %v, want a loading error", err)
	}
}
