package module

import (
	"encoding/json"
	"testing"
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
