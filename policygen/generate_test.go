package policygen

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/replay"
)

func generateJSON(t *testing.T, recs []*replay.Record, opts Options) (string, *Result) {
	t.Helper()
	if opts.Select == (Selector{}) {
		opts.Select = Selector{Principal: userARN}
	}
	res, err := Generate(sliceSource(recs), opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	b, err := res.Policy.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return string(b), res
}

// TestGenerateMergesAndSorts: statements whose resource sets are equal share one; the output
// is sorted and the same whatever the order of the log; actions without a resource type get
// "*"; denied calls add nothing.
func TestGenerateMergesAndSorts(t *testing.T) {
	t.Parallel()
	recs := []*replay.Record{
		call("Allow", "mobiletargeting:GetCampaigns", appPfx+"b/campaigns"),
		call("Allow", "mobiletargeting:GetApp", appPfx+"b"),
		call("Allow", "mobiletargeting:GetApp", appPfx+"a"),
		call("Allow", "mobiletargeting:UpdateApplicationSettings", appPfx+"a"),
		call("Allow", "mobiletargeting:UpdateApplicationSettings", appPfx+"b"),
		call("Allow", "mobiletargeting:GetApps", "*"),
		call("Allow", "sms-voice:DescribePools", "*"),
		call("ImplicitDeny", "mobiletargeting:DeleteApp", appPfx+"a"),
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "MobiletargetingGetAppSID1",
      "Effect": "Allow",
      "Action": [
        "mobiletargeting:GetApp",
        "mobiletargeting:UpdateApplicationSettings"
      ],
      "Resource": [
        "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a",
        "arn:aws:mobiletargeting:us-east-1:123456789012:apps/b"
      ]
    },
    {
      "Sid": "MobiletargetingGetAppsSID2",
      "Effect": "Allow",
      "Action": [
        "mobiletargeting:GetApps",
        "sms-voice:DescribePools"
      ],
      "Resource": "*"
    },
    {
      "Sid": "MobiletargetingGetCampaignsSID3",
      "Effect": "Allow",
      "Action": "mobiletargeting:GetCampaigns",
      "Resource": "arn:aws:mobiletargeting:us-east-1:123456789012:apps/b/campaigns"
    }
  ]
}`
	got, res := generateJSON(t, recs, Options{Collapse: 10})
	if !res.Proved {
		t.Fatalf("not proved: %+v", res)
	}
	sids := make([]string, 0, 3)
	for _, s := range res.Policy.Statement {
		sids = append(sids, s.Sid)
	}
	norm := got
	for i, s := range sids {
		norm = strings.Replace(norm, s, []string{"MobiletargetingGetAppSID1", "MobiletargetingGetAppsSID2", "MobiletargetingGetCampaignsSID3"}[i], 1)
	}
	if norm != want {
		t.Errorf("policy:\n%s\nwant (Sids aside):\n%s", got, want)
	}
	for _, s := range sids {
		if len(s) < 9 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Errorf("Sid %q is not letters and digits ending in a hash", s)
		}
	}
	reversed := slices.Clone(recs)
	slices.Reverse(reversed)
	if again, _ := generateJSON(t, reversed, Options{Collapse: 10}); again != got {
		t.Errorf("policy depends on the log's order:\n%s\nthen\n%s", got, again)
	}
	one, err := Generate(onePart(recs), Options{Select: Selector{Principal: userARN}, Collapse: 10, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := one.Policy.JSON(); string(b) != got || !reflect.DeepEqual(one.Summary, res.Summary) {
		t.Errorf("one part, one worker:\n%s\n%+v\nmany parts:\n%s\n%+v", b, one.Summary, got, res.Summary)
	}
	if s := res.Summary; s.Selected != 8 || s.Allowed != 7 || s.Denied != 1 || s.ProvedAllow != 7 || s.ProvedDeny != 1 || s.Pairs != 7 || s.Statements != 3 {
		t.Errorf("summary %+v", s)
	}
}

// TestGenerateSidsFromContent: a statement's Sid changes with its content only.
func TestGenerateSidsFromContent(t *testing.T) {
	t.Parallel()
	a, _ := generateJSON(t, []*replay.Record{call("Allow", "mobiletargeting:GetApp", appPfx+"a")}, Options{})
	b, _ := generateJSON(t, []*replay.Record{call("Allow", "mobiletargeting:GetApp", appPfx+"a"), call("Allow", "mobiletargeting:GetApp", appPfx+"a")}, Options{})
	c, _ := generateJSON(t, []*replay.Record{call("Allow", "mobiletargeting:GetApp", appPfx+"b")}, Options{})
	if a != b {
		t.Errorf("same content, different policies:\n%s\n%s", a, b)
	}
	sid := func(s string) string {
		_, after, _ := strings.Cut(s, `"Sid": "`)
		v, _, _ := strings.Cut(after, `"`)
		return v
	}
	if sid(a) == sid(c) {
		t.Errorf("different resources, same Sid %q", sid(a))
	}
}

// TestGenerateCollapseThreshold: more than Collapse IDs become a wildcard, proved against the
// log.
func TestGenerateCollapseThreshold(t *testing.T) {
	t.Parallel()
	var recs []*replay.Record
	for _, a := range apps(11) {
		recs = append(recs, call("Allow", "mobiletargeting:GetApp", a))
	}
	for name, tc := range map[string]struct {
		collapse int
		want     []string
	}{
		"10":      {10, []string{appPfx + "*"}},
		"11":      {11, apps(11)},
		"0 never": {0, apps(11)},
	} {
		t.Run(name, func(t *testing.T) {
			_, res := generateJSON(t, recs, Options{Collapse: tc.collapse})
			if !res.Proved || len(res.Policy.Statement) != 1 || !slices.Equal(res.Policy.Statement[0].Resource, tc.want) {
				t.Errorf("proved %v, statements %+v, want resources %q", res.Proved, res.Policy.Statement, tc.want)
			}
		})
	}
}

// TestGenerateUncollapse: a wildcard that lets a recorded deny through is taken back and the
// proof runs again.
func TestGenerateUncollapse(t *testing.T) {
	t.Parallel()
	var recs []*replay.Record
	for _, a := range apps(11) {
		recs = append(recs, call("Allow", "mobiletargeting:GetApp", a), call("Allow", "mobiletargeting:GetCampaigns", a+"/campaigns"))
	}
	denied := call("ImplicitDeny", "mobiletargeting:GetApp", appPfx+"secret")
	recs = append(recs, denied)
	_, res := generateJSON(t, recs, Options{Collapse: 10})
	if !res.Proved || res.Summary.Passes != 2 || res.Summary.Uncollapsed != 1 {
		t.Fatalf("proved %v, summary %+v, want proved in 2 passes with 1 wildcard taken back", res.Proved, res.Summary)
	}
	for _, s := range res.Policy.Statement {
		switch s.Action[0] {
		case "mobiletargeting:GetApp":
			if !slices.Equal(s.Resource, apps(11)) {
				t.Errorf("GetApp resources %q, want the 11 apps listed", s.Resource)
			}
		case "mobiletargeting:GetCampaigns":
			if !slices.Equal(s.Resource, []string{appPfx + "*/campaigns"}) {
				t.Errorf("GetCampaigns resources %q, want its wildcard kept", s.Resource)
			}
		}
	}
	if res.Summary.ProvedDeny != 1 || res.Summary.ProvedAllow != 22 {
		t.Errorf("summary %+v", res.Summary)
	}
}

// TestGenerateIndistinguishable: a deny on the action and resource of an allowed call, decided
// by a condition the generator does not write, fails the proof with its request ID.
func TestGenerateIndistinguishable(t *testing.T) {
	t.Parallel()
	allowed := withResourceTag(call("Allow", "mobiletargeting:GetApp", appPfx+"a"), "tenant", "a")
	denied := withResourceTag(call("ImplicitDeny", "mobiletargeting:GetApp", appPfx+"a"), "tenant", "b")
	res, err := Generate(sliceSource([]*replay.Record{allowed, denied}), Options{Select: Selector{Principal: userARN}})
	if !errors.Is(err, ErrNotProved) {
		t.Fatalf("Generate: %v, want ErrNotProved", err)
	}
	if res.Proved || res.IndistinguishableCount != 1 || !slices.Equal(res.Indistinguishable, []string{denied.RequestID}) {
		t.Errorf("result %+v, want %s indistinguishable", res, denied.RequestID)
	}

	t.Run("a wildcard over it is not taken back", func(t *testing.T) {
		var recs []*replay.Record
		for _, a := range apps(11) {
			recs = append(recs, call("Allow", "mobiletargeting:GetApp", a))
		}
		recs = append(recs, call("ImplicitDeny", "mobiletargeting:GetApp", apps(1)[0]))
		res, err := Generate(sliceSource(recs), Options{Select: Selector{Principal: userARN}, Collapse: 10})
		if !errors.Is(err, ErrNotProved) || res.Summary.Passes != 1 || res.Summary.Uncollapsed != 0 || res.IndistinguishableCount != 1 {
			t.Errorf("Generate: %v, summary %+v; want not proved in one pass, nothing taken back", err, res.Summary)
		}
	})

	t.Run("conditions tell them apart", func(t *testing.T) {
		got, res := generateJSON(t, []*replay.Record{allowed, denied}, Options{Conditions: true})
		if !res.Proved || !strings.Contains(got, `"aws:ResourceTag/tenant": "a"`) {
			t.Errorf("proved %v, policy\n%s", res.Proved, got)
		}
	})
}

// TestGenerateConditions: a tag condition is written only when every allowed call of the
// statement's actions had the key with the same value.
func TestGenerateConditions(t *testing.T) {
	t.Parallel()
	get := func(app, tenant string) *replay.Record {
		return withResourceTag(call("Allow", "mobiletargeting:GetApp", appPfx+app), "tenant", tenant)
	}
	create := func(env string) *replay.Record {
		r := call("Allow", "mobiletargeting:CreateApp", "arn:aws:mobiletargeting:us-east-1:123456789012:apps")
		if env != "" {
			withRequestTag(r, "env", env)
		}
		return r
	}
	tests := map[string]struct {
		recs []*replay.Record
		want map[string]map[string]string // action -> condition
	}{
		"same value on every call": {
			recs: []*replay.Record{get("a", "t1"), get("b", "t1"), create("prod"), create("prod")},
			want: map[string]map[string]string{
				"mobiletargeting:GetApp":    {"aws:ResourceTag/tenant": "t1"},
				"mobiletargeting:CreateApp": {"aws:RequestTag/env": "prod"},
			},
		},
		"values differ": {
			recs: []*replay.Record{get("a", "t1"), get("b", "t2"), create("prod"), create("dev")},
			want: map[string]map[string]string{"mobiletargeting:GetApp": nil, "mobiletargeting:CreateApp": nil},
		},
		"a call without the key": {
			recs: []*replay.Record{get("a", "t1"), call("Allow", "mobiletargeting:GetApp", appPfx+"b"), create("prod"), create("")},
			want: map[string]map[string]string{"mobiletargeting:GetApp": nil, "mobiletargeting:CreateApp": nil},
		},
		"a dollar is escaped": {
			recs: []*replay.Record{get("a", "${aws:username}")},
			want: map[string]map[string]string{"mobiletargeting:GetApp": {"aws:ResourceTag/tenant": "${$}{aws:username}"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, res := generateJSON(t, tc.recs, Options{Conditions: true})
			if !res.Proved {
				t.Fatalf("not proved: %+v", res)
			}
			for _, s := range res.Policy.Statement {
				for _, a := range s.Action {
					want, ok := tc.want[a]
					if !ok {
						t.Fatalf("unexpected action %s", a)
					}
					if len(want) != len(s.Condition) {
						t.Errorf("%s: condition %v, want %v", a, s.Condition, want)
					}
					for k, v := range want {
						if s.Condition[k] != v {
							t.Errorf("%s: condition %v, want %v", a, s.Condition, want)
						}
					}
				}
			}
		})
	}
	t.Run("off by default", func(t *testing.T) {
		_, res := generateJSON(t, []*replay.Record{get("a", "t1")}, Options{})
		if c := res.Policy.Statement[0].Condition; c != nil {
			t.Errorf("condition %v without Conditions", c)
		}
	})
}

// TestGenerateSelection: a principal, a role's sessions, or sessions with a tag.
func TestGenerateSelection(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::123456789012:role/tenant-app"
	session := func(name, tenant, app string) *replay.Record {
		r := call("Allow", "mobiletargeting:GetApp", appPfx+app)
		r.PrincipalARN = "arn:aws:sts::123456789012:assumed-role/tenant-app/" + name
		r.PrincipalType, r.RoleARN, r.SessionName = "assumed-role", role, name
		r.SessionTags = map[string]string{"Tenant": tenant}
		return r
	}
	recs := []*replay.Record{
		call("Allow", "mobiletargeting:GetApp", appPfx+"u"),
		session("s1", "a", "a1"), session("s2", "a", "a2"), session("s3", "b", "b1"),
	}
	tests := map[string]struct {
		sel  Selector
		want []string
	}{
		"principal":   {Selector{Principal: userARN}, []string{appPfx + "u"}},
		"one session": {Selector{Principal: "arn:aws:sts::123456789012:assumed-role/tenant-app/s2"}, []string{appPfx + "a2"}},
		"role":        {Selector{Role: role}, []string{appPfx + "a1", appPfx + "a2", appPfx + "b1"}},
		"session tag": {Selector{TagKey: "tenant", TagValue: "a"}, []string{appPfx + "a1", appPfx + "a2"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, res := generateJSON(t, recs, Options{Select: tc.sel})
			if got := res.Policy.Statement[0].Resource; !slices.Equal(got, tc.want) {
				t.Errorf("resources %q, want %q", got, tc.want)
			}
			if res.Summary.Selected != len(tc.want) {
				t.Errorf("selected %d, want %d", res.Summary.Selected, len(tc.want))
			}
		})
	}
	t.Run("exactly one", func(t *testing.T) {
		for _, sel := range []Selector{{}, {Principal: userARN, Role: role}} {
			if _, err := Generate(sliceSource(recs), Options{Select: sel}); !errors.Is(err, ErrSelector) {
				t.Errorf("Generate(%+v): %v, want ErrSelector", sel, err)
			}
		}
		if _, err := ParseSessionTag("novalue"); !errors.Is(err, ErrSelector) {
			t.Errorf("ParseSessionTag(novalue): %v", err)
		}
	})
}

// TestGenerateBounds: past MaxPairs distinct pairs, an error; nothing allowed, an error.
func TestGenerateBounds(t *testing.T) {
	t.Parallel()
	var recs []*replay.Record
	for _, a := range apps(5) {
		recs = append(recs, call("Allow", "mobiletargeting:GetApp", a), call("Allow", "mobiletargeting:GetApp", a))
	}
	if _, err := Generate(sliceSource(recs), Options{Select: Selector{Principal: userARN}, MaxPairs: 4}); !errors.Is(err, ErrTooManyPairs) {
		t.Errorf("5 pairs with MaxPairs 4: %v, want ErrTooManyPairs", err)
	}
	if _, err := Generate(sliceSource(recs), Options{Select: Selector{Principal: userARN}, MaxPairs: 5}); err != nil {
		t.Errorf("5 pairs (10 records) with MaxPairs 5: %v", err)
	}
	denied := []*replay.Record{call("ImplicitDeny", "mobiletargeting:GetApp", appPfx+"a")}
	if _, err := Generate(sliceSource(denied), Options{Select: Selector{Principal: userARN}}); !errors.Is(err, ErrNothingAllowed) {
		t.Errorf("only denies: %v, want ErrNothingAllowed", err)
	}
}

// TestGenerateEscapedResource: a resource with wildcard characters is written escaped and the
// proof holds (the escape matches the literal only).
func TestGenerateEscapedResource(t *testing.T) {
	t.Parallel()
	recs := []*replay.Record{
		call("Allow", "mobiletargeting:GetApp", appPfx+"a*"),
		call("ImplicitDeny", "mobiletargeting:GetApp", appPfx+"ab"),
	}
	got, res := generateJSON(t, recs, Options{})
	if !res.Proved || !strings.Contains(got, `apps/a${*}"`) {
		t.Errorf("proved %v, policy\n%s", res.Proved, got)
	}
}

// TestGenerateSkipsUndecided: selected records without a policy decision, or without every
// decision input, are counted, neither generated from nor replayed.
func TestGenerateSkipsUndecided(t *testing.T) {
	t.Parallel()
	recs := []*replay.Record{
		call("Allow", "mobiletargeting:GetApp", appPfx+"a"),
		record(map[string]any{"decision": "Allow", "context_omitted": 3}, "mobiletargeting:GetApp", appPfx+"omitted"),
		record(map[string]any{"decision": "Unauthenticated", "evaluations": nil, "authorizations": nil}),
		record(map[string]any{"decision": "Allow", "principal_arn": "arn:aws:iam::123456789012:user/other"}, "mobiletargeting:GetApp", appPfx+"other"),
	}
	_, res := generateJSON(t, recs, Options{})
	s := res.Summary
	if s.Records != 4 || s.Selected != 3 || s.Allowed != 1 || s.NoDecision != 1 || s.NotReplayable[replay.WhyContextOmitted] != 1 || s.NotReplayableTotal() != 1 {
		t.Errorf("summary %+v", s)
	}
	if got := res.Policy.Statement[0].Resource; !slices.Equal(got, []string{appPfx + "a"}) {
		t.Errorf("resources %q: a not-replayable record was used", got)
	}
}

// TestGenerateMappingWildcard: an operation on every resource of a type (GetApps on
// "…:apps/*") is granted on that ARN, and a deny that only the mapping's wildcard lets through
// is not blamed on the generator: the proof fails.
func TestGenerateMappingWildcard(t *testing.T) {
	t.Parallel()
	got, res := generateJSON(t, []*replay.Record{call("Allow", "mobiletargeting:GetApps", appPfx+"*")}, Options{})
	if !res.Proved || res.Summary.Wildcards != 0 || !strings.Contains(got, `"Resource": "arn:aws:mobiletargeting:us-east-1:123456789012:apps/*"`) {
		t.Errorf("proved %v, policy\n%s", res.Proved, got)
	}
	recs := []*replay.Record{
		call("Allow", "mobiletargeting:GetApps", appPfx+"*"),
		call("ImplicitDeny", "mobiletargeting:GetApps", appPfx+"x"),
	}
	res, err := Generate(sliceSource(recs), Options{Select: Selector{Principal: userARN}, Collapse: 10})
	if !errors.Is(err, ErrNotProved) || res.IndistinguishableCount != 1 || res.Summary.Passes != 1 {
		t.Errorf("Generate: %v, %+v; want not proved, one indistinguishable deny, one pass", err, res)
	}
}
