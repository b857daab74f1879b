package replay

import (
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

const testAccount = "123456789012"

// testStore is a store of one user whose policy allows reading apps of
// the team named by its principal tag.
func testStore(t *testing.T, policy string) *authn.Store {
	t.Helper()
	doc := `{"users":[{"name":"alice","tags":{"team":"blue"},"access_keys":[{"id":"AKIAALICE00000000001","secret":"x/alice/secret/do-not-use-000000000001"}],"policies":["P"]}],
"policies":{"P":` + policy + `}}`
	return parseStore(t, doc)
}

func parseStore(t *testing.T, doc string) *authn.Store {
	t.Helper()
	s, err := authn.ParseStore("store.json", []byte(doc), authn.StoreOptions{Account: testAccount, Partition: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readAll(t *testing.T, log string) ([]*Record, Stats) {
	t.Helper()
	var recs []*Record
	st, err := Read(strings.NewReader(log), func(r *Record) error { recs = append(recs, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return recs, st
}

const simpleRecord = `{"level":"info","ts":1764600000.5,"logger":"http.handlers.pinpoint_gateway.audit","msg":"request","time":1764600000.5,"request_id":"r-1","principal_arn":"arn:aws:iam::123456789012:user/alice","principal_type":"User","api":"pinpoint","operation":"GetApp","authorizations":[{"action":"mobiletargeting:GetApp","resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/a1"]}],"context":{"aws:principaltag/team":"blue","aws:principalarn":"arn:aws:iam::123456789012:user/alice","aws:tagkeys":[]},"evaluations":[{"action":"mobiletargeting:GetApp","resource":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/a1","keys":{"aws:resourceaccount":"123456789012","aws:resourcetag/team":"blue"},"decision":"Allow"}],"decision":"Allow","mode":"enforce"}
`

func TestReadAndEvaluateSimple(t *testing.T) {
	t.Parallel()
	log := `{"level":"info","ts":1764600000.1,"logger":"http.log","msg":"server running"}` + "\n" + "not json\n\n" + simpleRecord
	recs, st := readAll(t, log)
	if st.Records != 1 || st.Skipped != 3 || len(recs) != 1 {
		t.Fatalf("stats %+v, %d records; want 1 record, 3 skipped", st, len(recs))
	}
	r := recs[0]
	if ok, why := r.Replayable(); !ok {
		t.Fatalf("Replayable() = false, %s", why)
	}
	if d, ok := r.PolicyDecision(); !ok || d != authz.Allow {
		t.Fatalf("PolicyDecision() = %v, %v", d, ok)
	}
	if !r.ContextMulti["aws:tagkeys"] || r.Time.Unix() != 1764600000 {
		t.Errorf("record %+v", r)
	}
	cases := map[string]struct {
		policy string
		want   authz.Decision
	}{
		"principal tag condition holds": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:Get*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`, authz.Allow},
		"resource tag condition fails":  {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:Get*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}]}`, authz.ImplicitDeny},
		"explicit deny by account":      {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}`, authz.ExplicitDeny},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, ok := ForStore(testStore(t, tc.policy), r, nil)
			if !ok {
				t.Fatal("ForStore: principal unknown")
			}
			if got := Evaluate(r, p); got.Decision != tc.want {
				t.Errorf("Evaluate = %+v, want %v", got, tc.want)
			}
		})
	}
}
