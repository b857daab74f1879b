package module

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
)

// TestAuditMatchedSurvivesNextRequest: an audit record's matched statements
// are those of its own request, also when the log core keeps the record's
// fields and encodes them later (zap's observer here; any buffering core)
// while the pooled request state serves the next request.
func TestAuditMatchedSurvivesNextRequest(t *testing.T) {
	up := newFakeUpstream(t)
	g, logs := testGateway(t, up, nil)
	// An explicit deny (the admin's NoTenantB on a tenant-b app), then an
	// allow that reuses the pooled state.
	if w := serve(g, signedRequest(t, "DELETE", "http://gw/v1/apps/"+testApp, "mobiletargeting", "us-east-1", adminKeyID, adminSecret, nil, nil)); w.Code != 403 {
		t.Fatalf("deny: status %d", w.Code)
	}
	for range 3 {
		if w := serve(g, signedRequest(t, "GET", "http://gw/v1/apps", "mobiletargeting", "us-east-1", readerKeyID, readerSecret, nil, nil)); w.Code != 200 {
			t.Fatalf("allow: status %d", w.Code)
		}
	}
	recs := auditRecords(logs)
	if len(recs) != 4 {
		t.Fatalf("%d audit records, want 4", len(recs))
	}
	tests := map[string]struct {
		rec      map[string]any
		decision string
		matched  string
	}{
		"the deny names its Deny statement": {recs[0], "ExplicitDeny", `[{"effect":"Deny","index":1,"policy":"Full","sid":"NoTenantB","type":"identity"}]`},
		"the allow names its Allow":         {recs[3], "Allow", `[{"effect":"Allow","index":0,"policy":"ReadOnly","sid":"Read","type":"identity"}]`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.rec["decision"] != tc.decision {
				t.Fatalf("decision %v, want %s", tc.rec["decision"], tc.decision)
			}
			got, err := json.Marshal(tc.rec["matched"])
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.matched {
				t.Errorf("matched %s\nwant    %s", got, tc.matched)
			}
		})
	}
}

// TestAuditContextIsWhatWasEvaluated: the record's context and each
// evaluation's keys rebuild, key by key, the context every evaluation of
// the request saw (global keys, principal and request tags, references,
// destinations, then per pair the account, organization, resource tag and
// iam:PassedToService keys), and the record holds no secret.
func TestAuditContextIsWhatWasEvaluated(t *testing.T) {
	up := newDecideUpstream(t)
	g := decideGateway(t, up, func(g *Gateway) { g.OrgID = decideOrg })
	buf := &bytes.Buffer{}
	g.audit = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(buf), zapcore.InfoLevel))

	type seenEval struct {
		action, resource string
		ctx              *authz.Context
	}
	var seen []seenEval
	evaluate = func(in *authz.Input) authz.Result {
		seen = append(seen, seenEval{in.Action, in.Resource, in.Context.Clone()})
		return authz.Evaluate(in)
	}
	t.Cleanup(func() { evaluate = authz.Evaluate })

	r := withCaddyVars(decideV2Request(t, decideGuardKeyID, decideGuardSecret, "DescribePools", `{}`))
	r.Header.Set("User-Agent", "replay-test/1.0")
	id, err := g.authn.Authenticate(r, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/tenant-a-import"
	res := &apimap.Result{API: apimap.APISMSVoiceV2, Operation: "CreateEventDestination",
		References:  []apimap.Reference{{ResourceType: "iam-role", Member: "RoleArn", Value: role, ARN: role}},
		RequestTags: map[string]string{"Project": "blue"}, TagKeys: []string{"Project"},
		Permissions: []apimap.Permission{
			{Action: "mobiletargeting:GetApp", Resources: []string{tagAppA, "arn:aws:mobiletargeting:us-east-1:123456789012:apps/store-a"}},
			{Action: "sms-voice:DescribeAccountLimits"},
			{Action: "iam:PassRole", Resources: []string{role}, PassedToService: "sms-voice.amazonaws.com"},
		}}
	rs := new(requestState)
	rs.identity = id
	rs.api, rs.op, rs.permissions = res.API, res.Operation, res.Permissions
	rs.destinations = destination.Read([]apimap.Destination{{Form: apimap.DestinationPhoneNumber, Member: "DestinationPhoneNumber", Value: "+33612345678"}}, nil)
	if msg := g.authorize(r, rs, id, res); msg == "" || rs.decision != "ImplicitDeny" {
		t.Fatalf("decision %s (%q), want the PassRole pair denied", rs.decision, msg)
	}
	g.writeAudit(r, rs)

	var rec struct {
		Context     map[string]any `json:"context"`
		Evaluations []struct {
			Action, Resource, Decision string
			Keys                       map[string]any `json:"keys"`
		} `json:"evaluations"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 || len(rec.Evaluations) != len(seen) {
		t.Fatalf("%d evaluations recorded, %d seen, want 4", len(rec.Evaluations), len(seen))
	}
	for i, s := range seen {
		t.Run(fmt.Sprintf("pair %d %s", i, s.action), func(t *testing.T) {
			e := rec.Evaluations[i]
			if e.Action != s.action || e.Resource != s.resource {
				t.Fatalf("evaluation %d is %s on %s, want %s on %s", i, e.Action, e.Resource, s.action, s.resource)
			}
			want := map[string]any{}
			for k, v := range rec.Context {
				want[k] = v
			}
			for k, v := range e.Keys {
				if _, dup := want[k]; dup {
					t.Errorf("pair key %s is also a request-wide key", k)
				}
				want[k] = v
			}
			got := map[string]any{}
			for _, k := range s.ctx.Keys() {
				vals, multi, _ := s.ctx.Lookup(k)
				if multi {
					list := []any{}
					for _, v := range vals {
						list = append(list, v)
					}
					got[strings.ToLower(k)] = list
				} else {
					got[strings.ToLower(k)] = vals[0]
				}
			}
			for k, v := range got {
				if fmt.Sprint(want[k]) != fmt.Sprint(v) {
					t.Errorf("key %s: record %v, evaluated %v", k, want[k], v)
				}
			}
			for k := range want {
				if _, ok := got[k]; !ok {
					t.Errorf("key %s: in the record, not evaluated", k)
				}
			}
		})
	}
	// The families the request exercised are all there.
	for _, k := range []string{"aws:principaltag/tenant", "aws:requesttag/project", "aws:tagkeys", "gateway:referencedarn",
		"gateway:destinationcountry", "aws:useragent", "aws:principalorgid", "aws:currenttime"} {
		if _, ok := rec.Context[k]; !ok {
			t.Errorf("context lacks %s", k)
		}
	}
	if k := rec.Evaluations[0].Keys; k["aws:resourcetag/tenant"] != "a" || k["aws:resourceorgid"] != decideOrg || k["aws:resourceaccount"] != "123456789012" {
		t.Errorf("first pair's keys %v", k)
	}
	if k := rec.Evaluations[3].Keys; k["iam:passedtoservice"] != "sms-voice.amazonaws.com" {
		t.Errorf("PassRole pair's keys %v", k)
	}
	if bytes.Contains(buf.Bytes(), []byte(decideGuardSecret)) || bytes.Contains(buf.Bytes(), []byte("Signature=")) {
		t.Errorf("the record holds a secret or a signature: %s", buf.Bytes())
	}
}
