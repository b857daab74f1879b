package replay

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

const (
	alice    = "arn:aws:iam::123456789012:user/alice"
	appA1    = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a1"
	poolP1   = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1"
	roleR    = "arn:aws:iam::123456789012:role/r"
	allowAll = `{"Effect":"Allow","Action":"*","Resource":"*"}`
)

// line builds an audit record line: an allowed GetApp of alice on appA1 by
// default, with fields replaced or added by over (a nil value removes the
// field).
func line(t *testing.T, over map[string]any) string {
	t.Helper()
	rec := map[string]any{
		"level": "info", "ts": 1764600000.25, "logger": AuditLogger, "msg": "request",
		"time": 1764600000.25, "request_id": "r", "principal_arn": alice, "principal_type": "User",
		"region": "us-east-1", "api": "pinpoint", "operation": "GetApp",
		"authorizations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resources": []string{appA1}}},
		"context": map[string]any{
			"aws:principalarn": alice, "aws:principaltag/team": "blue", "aws:sourceip": "10.0.0.1",
			"aws:currenttime": "2026-12-01T12:00:00Z", "aws:securetransport": "true",
		},
		"evaluations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resource": appA1,
			"keys": map[string]any{"aws:resourceaccount": "123456789012", "aws:resourcetag/tenant": "a"}, "decision": "Allow"}},
		"decision": "Allow", "mode": "enforce",
	}
	for k, v := range over {
		if v == nil {
			delete(rec, k)
			continue
		}
		rec[k] = v
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func readOne(t *testing.T, l string) *Record {
	t.Helper()
	recs, st := readAll(t, l)
	if len(recs) != 1 {
		t.Fatalf("%d records (%+v), want 1", len(recs), st)
	}
	return recs[0]
}

func withContext(extra map[string]any) map[string]any {
	ctx := map[string]any{"aws:principalarn": alice, "aws:principaltag/team": "blue", "aws:sourceip": "10.0.0.1",
		"aws:currenttime": "2026-12-01T12:00:00Z", "aws:securetransport": "true"}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// policy is an identity policy of an Allow of everything plus stmts.
func policy(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(append([]string{allowAll}, stmts...), ",") + `]}`
}

func deny(cond string) string {
	return `{"Effect":"Deny","Action":"*","Resource":"*","Condition":` + cond + `}`
}

// TestEvaluateKeyFamilies: each family of condition keys the gateway sets
// is replayed from the record: a candidate whose Deny reads the key with
// the recorded value flips the request; one reading another value does
// not.
func TestEvaluateKeyFamilies(t *testing.T) {
	t.Parallel()
	passRole := map[string]any{
		"operation":      "CreateConfigurationSet",
		"authorizations": []any{map[string]any{"action": "iam:PassRole", "passed_to_service": "sms-voice.amazonaws.com", "resources": []string{roleR}}},
		"evaluations": []any{map[string]any{"action": "iam:PassRole", "resource": roleR,
			"keys": map[string]any{"aws:resourceaccount": "123456789012", "iam:passedtoservice": "sms-voice.amazonaws.com"}, "decision": "Allow"}},
	}
	cases := map[string]struct {
		over       map[string]any
		hit, miss  string // conditions that match the record, and that do not
		wantMulti  string // a key that must be read as multi-valued
		wantSingle string
	}{
		"global keys: source IP": {nil, `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, "", "aws:sourceip"},
		"global keys: time":      {nil, `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, `{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, "", ""},
		"global keys: TLS":       {nil, `{"Bool":{"aws:SecureTransport":"true"}}`, `{"Bool":{"aws:SecureTransport":"false"}}`, "", ""},
		"principal tags":         {nil, `{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`, `{"StringEquals":{"aws:PrincipalTag/team":"red"}}`, "", ""},
		"request tags and tag keys": {map[string]any{"context": withContext(map[string]any{"aws:requesttag/project": "x", "aws:tagkeys": []string{"project", "owner"}})},
			`{"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"},"StringEquals":{"aws:RequestTag/project":"x"}}`, `{"ForAnyValue:StringEquals":{"aws:TagKeys":"cost"}}`, "aws:tagkeys", ""},
		"an empty multi-valued key": {map[string]any{"context": withContext(map[string]any{"aws:tagkeys": []string{}})},
			`{"Null":{"aws:TagKeys":"false"}}`, `{"Null":{"aws:TagKeys":"true"}}`, "aws:tagkeys", ""},
		"referenced ARNs": {map[string]any{"context": withContext(map[string]any{"gateway:referencedarn": []string{"arn:aws:sns:us-east-1:123456789012:t-b"}})},
			`{"ForAnyValue:StringLike":{"gateway:ReferencedArn":"*:t-b"}}`, `{"ForAnyValue:StringLike":{"gateway:ReferencedArn":"*:t-c"}}`, "gateway:referencedarn", ""},
		"destinations": {map[string]any{"context": withContext(map[string]any{"gateway:destinationcountry": []string{"FR", "GB"}, "gateway:destinationcount": "2"})},
			`{"ForAnyValue:StringEquals":{"gateway:DestinationCountry":"GB"}}`, `{"ForAnyValue:StringEquals":{"gateway:DestinationCountry":"US"}}`, "gateway:destinationcountry", "gateway:destinationcount"},
		"resource account":  {nil, `{"StringEquals":{"aws:ResourceAccount":"123456789012"}}`, `{"StringEquals":{"aws:ResourceAccount":"999999999999"}}`, "", ""},
		"resource tags":     {nil, `{"StringEquals":{"aws:ResourceTag/tenant":"a"}}`, `{"StringEquals":{"aws:ResourceTag/tenant":"b"}}`, "", ""},
		"passed to service": {passRole, `{"StringEquals":{"iam:PassedToService":"sms-voice.amazonaws.com"}}`, `{"StringEquals":{"iam:PassedToService":"pinpoint.amazonaws.com"}}`, "", ""},
		"resource org ID": {map[string]any{"evaluations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resource": appA1,
			"keys": map[string]any{"aws:resourceaccount": "123456789012", "aws:resourceorgid": "o-abc"}, "decision": "Allow"}}},
			`{"StringEquals":{"aws:ResourceOrgID":"o-abc"}}`, `{"StringEquals":{"aws:ResourceOrgID":"o-xyz"}}`, "", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := readOne(t, line(t, tc.over))
			if ok, why := r.Replayable(); !ok {
				t.Fatalf("not replayable: %s", why)
			}
			if tc.wantMulti != "" && !r.ContextMulti[tc.wantMulti] {
				t.Errorf("%s read as single-valued", tc.wantMulti)
			}
			if tc.wantSingle != "" && (r.ContextMulti[tc.wantSingle] || len(r.Context[tc.wantSingle]) != 1) {
				t.Errorf("%s read as %v (multi %v), want one value", tc.wantSingle, r.Context[tc.wantSingle], r.ContextMulti[tc.wantSingle])
			}
			for cond, want := range map[string]authz.Decision{tc.hit: authz.ExplicitDeny, tc.miss: authz.Allow} {
				p, ok := ForStore(testStore(t, policy(deny(cond))), r, nil)
				if !ok {
					t.Fatal("principal unknown")
				}
				if got := Evaluate(r, p); got.Decision != want {
					t.Errorf("Deny on %s: %v, want %v", cond, got.Decision, want)
				}
			}
		})
	}
}

// TestEvaluateUnknownKeys: keys the gateway did not know decide as the
// gateway does (a statement that reads them denies), and keys the record
// lacks make the outcome Unrecorded instead of a guess.
func TestEvaluateUnknownKeys(t *testing.T) {
	t.Parallel()
	readsTags := policy(deny(`{"StringEquals":{"aws:ResourceTag/tenant":"b"}}`))
	readsCountry := policy(deny(`{"ForAnyValue:StringEquals":{"gateway:DestinationCountry":"US"}}`))
	tagsUnknown := func(resource string) map[string]any {
		return map[string]any{"evaluations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resource": resource,
			"keys": map[string]any{"aws:resourceaccount": "123456789012"}, "tags_unknown": true, "decision": "Allow"}}}
	}
	cases := map[string]struct {
		over           map[string]any
		policy         string
		want           authz.Decision
		unrecorded     bool
		undecidableKey string
	}{
		"tags not recorded, candidate reads them":     {tagsUnknown(appA1), readsTags, authz.ImplicitDeny, true, "aws:resourcetag/"},
		"tags not recorded, candidate ignores them":   {tagsUnknown(appA1), policy(), authz.Allow, false, ""},
		"tags of an untaggable type are known absent": {tagsUnknown("arn:aws:mobiletargeting:us-east-1:123456789012:recommenders/r1"), readsTags, authz.Allow, false, ""},
		"ambiguous tag keys deny": {map[string]any{"evaluations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resource": appA1,
			"ambiguous_keys": []string{"aws:resourcetag/tenant"}, "decision": "Allow"}}}, readsTags, authz.ImplicitDeny, false, "aws:resourcetag/tenant"},
		"an unreadable destination denies a reader": {map[string]any{"context_unknown": []string{"gateway:destinationnumber", "gateway:destinationcountry", "gateway:destinationcallingcode"}},
			readsCountry, authz.ImplicitDeny, false, "gateway:destinationcountry"},
		"an unreadable destination, no reader": {map[string]any{"context_unknown": []string{"gateway:destinationcountry"}}, policy(), authz.Allow, false, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := readOne(t, line(t, tc.over))
			p, _ := ForStore(testStore(t, tc.policy), r, nil)
			got := Evaluate(r, p)
			if got.Decision != tc.want || got.Unrecorded != tc.unrecorded || got.Undecidable != tc.undecidableKey {
				t.Errorf("Evaluate = %+v, want %v, unrecorded %v, undecidable %q", got, tc.want, tc.unrecorded, tc.undecidableKey)
			}
		})
	}
}

// TestEvaluatePairsNotReached: a request denied at its first pair is
// replayed through the pairs the gateway never reached, with their account
// keys derived as the gateway derives them.
func TestEvaluatePairsNotReached(t *testing.T) {
	t.Parallel()
	over := map[string]any{
		"operation": "DescribePools",
		"authorizations": []any{map[string]any{"action": "sms-voice:DescribePools",
			"resources": []string{poolP1, "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-2"}}},
		"evaluations": []any{map[string]any{"action": "sms-voice:DescribePools", "resource": poolP1,
			"keys": map[string]any{"aws:resourceaccount": "123456789012"}, "tags_unknown": true, "decision": "ImplicitDeny"}},
		"decision": "ImplicitDeny",
	}
	r := readOne(t, line(t, over))
	if d, ok := r.PolicyDecision(); !ok || d != authz.ImplicitDeny {
		t.Fatalf("PolicyDecision = %v, %v", d, ok)
	}
	if len(r.Pairs) != 2 || r.Pairs[1].Evaluated {
		t.Fatalf("pairs %+v, want the second not evaluated", r.Pairs)
	}
	for name, tc := range map[string]struct {
		policy string
		want   authz.Decision
		pair   int
	}{
		"allowed everywhere":                           {policy(), authz.Allow, -1},
		"the second pool's derived account key denies": {policy(`{"Effect":"Deny","Action":"*","Resource":"arn:aws:sms-voice:*:*:pool/pool-2","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}`), authz.ExplicitDeny, 1},
	} {
		t.Run(name, func(t *testing.T) {
			p, _ := ForStore(testStore(t, tc.policy), r, nil)
			if got := Evaluate(r, p); got.Decision != tc.want || got.Pair != tc.pair {
				t.Errorf("Evaluate = %+v, want %v at pair %d", got, tc.want, tc.pair)
			}
		})
	}
}

// TestSessionPolicies: the recorded inline session policy limits the
// replayed decision; the named managed ones come from the candidate store.
func TestSessionPolicies(t *testing.T) {
	t.Parallel()
	over := map[string]any{"principal_arn": "arn:aws:sts::123456789012:assumed-role/r/s", "principal_type": "AssumedRole",
		"role_arn": roleR, "session_name": "s",
		"session_policy": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApps","Resource":"*"}]}`)}
	doc := `{"roles":[{"name":"r","trust_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]},"policies":["P"]}],
"policies":{"P":` + policy() + `}}`
	s := parseStore(t, doc)
	r := readOne(t, line(t, over))
	p, ok := ForStore(s, r, nil)
	if !ok || len(p.Session) != 1 {
		t.Fatalf("ForStore = %+v, %v; want the session policy", p, ok)
	}
	if got := Evaluate(r, p); got.Decision != authz.ImplicitDeny {
		t.Errorf("GetApp under a session policy of GetApps only: %v, want ImplicitDeny", got.Decision)
	}
	over["session_policy_names"] = []string{"Missing"}
	r = readOne(t, line(t, over))
	if _, ok := ForStore(s, r, nil); ok {
		t.Error("a managed session policy the store lacks: ForStore ok, want the principal unknown")
	}
}

// TestNotReplayable: records that lack an input, or hold no policy
// decision, are not replayable, and say why.
func TestNotReplayable(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		over map[string]any
		why  string
	}{
		"unauthenticated":                     {map[string]any{"decision": "Unauthenticated", "context": nil, "evaluations": nil, "principal_arn": nil}, WhyNoPolicyDecision},
		"denied before the policies (region)": {map[string]any{"decision": "ImplicitDeny", "context": nil, "evaluations": nil}, WhyNoPolicyDecision},
		"maps to no action":                   {map[string]any{"decision": "ImplicitDeny", "evaluations": nil, "authorizations": nil}, WhyNoPolicyDecision},
		"STS":                                 {map[string]any{"api": "sts", "operation": "AssumeRole", "context": nil, "evaluations": nil}, WhySTS},
		"an older gateway's allow":            {map[string]any{"context": nil, "evaluations": nil}, WhyNoContext},
		"context left out":                    {map[string]any{"context_omitted": 2, "context_omitted_keys": []string{"aws:useragent"}}, WhyContextOmitted},
		"evaluations left out":                {map[string]any{"evaluations_omitted": 3}, WhyEvalsOmitted},
		"session policy left out":             {map[string]any{"session_policy_omitted": 1}, WhySessionOmitted},
		"session policy invalid":              {map[string]any{"session_policy": map[string]any{"Statement": "x"}}, WhySessionInvalid},
		"a deny whose later pairs were left out": {map[string]any{"decision": "ExplicitDeny", "authorizations_omitted": 4,
			"evaluations": []any{map[string]any{"action": "mobiletargeting:GetApp", "resource": appA1, "decision": "ExplicitDeny"}}}, WhyAuthsOmitted},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := readOne(t, line(t, tc.over))
			if ok, why := r.Replayable(); ok || why != tc.why {
				t.Errorf("Replayable() = %v, %q; want false, %q", ok, why, tc.why)
			}
		})
	}
	// An allow whose later authorizations were left out is complete: every
	// pair was evaluated and allowed.
	r := readOne(t, line(t, map[string]any{"authorizations_omitted": 4}))
	if ok, why := r.Replayable(); !ok {
		t.Errorf("an allow with authorizations_omitted: not replayable (%s)", why)
	}
}

// TestRead: other loggers' lines and non-JSON lines are skipped and
// counted; a line longer than MaxLine or an audit record with a field of
// the wrong type is an error naming its line; gzip is detected.
func TestRead(t *testing.T) {
	t.Parallel()
	good := line(t, nil)
	t.Run("skipped lines", func(t *testing.T) {
		log := "{\"level\":\"info\",\"logger\":\"http.log.access\",\"request_id\":5,\"decision\":[1]}\n" + "plain text line\n" + good + "\n"
		recs, st := readAll(t, log)
		if len(recs) != 1 || st.Skipped != 3 || st.Lines != 4 {
			t.Errorf("%d records, stats %+v; want 1 record, 3 skipped of 4 lines", len(recs), st)
		}
	})
	for name, log := range map[string]string{
		"line too long":      good + `{"x":"` + strings.Repeat("a", MaxLine) + `"}` + "\n",
		"a field's bad type": good + strings.Replace(good, `"principal_type":"User"`, `"principal_type":7`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(log), func(*Record) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("Read: %v, want an error naming line 2", err)
			}
		})
	}
	t.Run("gzip", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(good + good))
		zw.Close()
		path := filepath.Join(t.TempDir(), "audit.log.gz")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := OpenLog(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, err := Read(f, func(*Record) error { return nil })
		if err != nil || st.Records != 2 {
			t.Errorf("Read of gzip: %+v, %v; want 2 records", st, err)
		}
	})
}

// TestReadOrderAndStop: records of many batches reach fn in log order, with
// their line numbers; an error of fn stops the read and names its line.
func TestReadOrderAndStop(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	const n = 3*batchLines + 17
	for i := range n {
		if i%100 == 0 {
			b.WriteString("caddy line\n")
		}
		b.WriteString(line(t, map[string]any{"request_id": fmt.Sprint(i)}))
	}
	next := 0
	st, err := Read(strings.NewReader(b.String()), func(r *Record) error {
		if r.RequestID != fmt.Sprint(next) {
			return fmt.Errorf("record %s, want %d", r.RequestID, next)
		}
		next++
		return nil
	})
	if err != nil || st.Records != n || st.Skipped != 8 || st.Lines != n+8 {
		t.Fatalf("Read: %+v, %v; want %d records in order", st, err, n)
	}
	stopAt := errors.New("enough")
	st, err = Read(strings.NewReader(b.String()), func(r *Record) error {
		if r.RequestID == "500" {
			return stopAt
		}
		return nil
	})
	if !errors.Is(err, stopAt) || !strings.Contains(err.Error(), "line 507") || st.Records != 501 {
		t.Errorf("Read stopped: %+v, %v; want the error at line 507 after 501 records", st, err)
	}
}
