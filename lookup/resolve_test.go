package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/awscall"
)

const (
	rsPrefix   = "arn:aws:sms-voice:us-east-1:123456789012:"
	rsPoolABC  = rsPrefix + "pool/pool-abc"
	rsPhoneA   = rsPrefix + "phone-number/phone-aaaa"
	rsSenderUS = rsPrefix + "sender-id/pool-abc/US"
	rsSenderGB = rsPrefix + "sender-id/pool-abc/GB"
)

// describeFake answers DescribePhoneNumbers and DescribeSenderIds from its
// maps, or fails with err.
type describeFake struct {
	mu      sync.Mutex
	phones  map[string]string   // number -> ARN
	senders map[string][]string // sender ID -> ARNs
	err     error
	calls   map[string]int
}

func (f *describeFake) call(_ context.Context, c awscall.Call) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[c.Operation]++
	if f.err != nil {
		return nil, f.err
	}
	var in struct {
		Filters []struct{ Values []string }
	}
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return nil, err
	}
	type item map[string]string
	out := map[string][]item{}
	switch c.Operation {
	case "DescribePhoneNumbers":
		for n, a := range f.phones {
			out["PhoneNumbers"] = append(out["PhoneNumbers"], item{"PhoneNumber": n, "PhoneNumberArn": a})
		}
	case "DescribeSenderIds":
		id := in.Filters[0].Values[0]
		for _, a := range f.senders[id] {
			out["SenderIds"] = append(out["SenderIds"], item{"SenderId": id, "SenderIdArn": a})
		}
	}
	return json.Marshal(out)
}

func (f *describeFake) set(fn func(f *describeFake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *describeFake) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// fakeAnswers is what a describeFake knows (a test case's data).
type fakeAnswers struct {
	phones  map[string]string
	senders map[string][]string
	err     error
}

// testResolver builds a resolver alone (NewResolver) in front of f, on
// clock, with caches of its own (the test's name in the pool key).
func testResolver(t *testing.T, f *describeFake, clock *fakeClock) *Resolver {
	t.Helper()
	r, err := NewResolver(Config{
		Call: f.call, Partition: "aws", Account: "123456789012",
		RegionAllowed: func(string) bool { return true },
		TTL:           time.Hour, Size: 100, Timeout: time.Second, Now: clock.now,
		PoolKey: "resolve test " + t.Name(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// ambiguous is the mapping of SendTextMessage from "pool-abc": the pool
// and, as an alternative, the sender ID of that name.
func ambiguous() *apimap.Result {
	return &apimap.Result{
		Permissions: []apimap.Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{rsPoolABC, rsPrefix + "sender-id/pool-abc"}}},
		Unresolved:  []apimap.Unresolved{{Permission: 0, Resource: 1, Form: "sender-id", Value: "pool-abc", Alternative: true}},
	}
}

// withCountry is the mapping of a value "pool-abc" with IsoCountryCode GB:
// the sender-ID reading's ARN is complete, but still to be checked.
func withCountry() *apimap.Result {
	return &apimap.Result{
		Permissions: []apimap.Permission{{Action: "sms-voice:AssociateOriginationIdentity", Resources: []string{rsPoolABC, rsSenderGB}}},
		Unresolved:  []apimap.Unresolved{{Permission: 0, Resource: 1, Form: "sender-id", Value: "pool-abc", Alternative: true}},
	}
}

func TestResolveReadings(t *testing.T) {
	t.Parallel()
	boom := &awscall.Error{Operation: "DescribeSenderIds", Status: 500}
	cases := map[string]struct {
		fake    fakeAnswers
		res     func() *apimap.Result
		want    [][]string // resources per permission
		wantErr error      // nil: no error; else errors.Is
		failed  string     // the value of the first unresolved entry after an error
	}{
		"no such sender ID: the ID reading alone": {
			res:  ambiguous,
			want: [][]string{{rsPoolABC}},
		},
		"the sender ID exists: both readings, every country": {
			fake: fakeAnswers{senders: map[string][]string{"pool-abc": {rsSenderUS, rsSenderGB}}},
			res:  ambiguous,
			want: [][]string{{rsPoolABC, rsSenderUS, rsSenderGB}},
		},
		"the lookup fails: deny": {
			fake:    fakeAnswers{err: boom},
			res:     ambiguous,
			wantErr: boom,
			failed:  "pool-abc",
		},
		"a bare sender ID the account lacks: deny": {
			res: func() *apimap.Result {
				return &apimap.Result{
					Permissions: []apimap.Permission{{Action: "sms-voice:SendTextMessage", Resources: []string{rsPrefix + "sender-id/ACME"}}},
					Unresolved:  []apimap.Unresolved{{Resource: 0, Form: "sender-id", Value: "ACME"}},
				}
			},
			wantErr: ErrUnresolvable,
			failed:  "ACME",
		},
		"both permissions of a verification code lose the reading": {
			res: func() *apimap.Result {
				return &apimap.Result{
					Permissions: []apimap.Permission{
						{Action: "sms-voice:SendDestinationNumberVerificationCode", Resources: []string{rsPoolABC, rsPrefix + "sender-id/pool-abc"}},
						{Action: "sms-voice:SendTextMessage", Resources: []string{rsPoolABC, rsPrefix + "sender-id/pool-abc"}},
					},
					Unresolved: []apimap.Unresolved{
						{Permission: 0, Resource: 1, Form: "sender-id", Value: "pool-abc", Alternative: true},
						{Permission: 1, Resource: 1, Form: "sender-id", Value: "pool-abc", Alternative: true},
					},
				}
			},
			want: [][]string{{rsPoolABC}, {rsPoolABC}},
		},
		"with its country, the sender ID exists there: that ARN alone": {
			fake: fakeAnswers{senders: map[string][]string{"pool-abc": {rsSenderUS, rsSenderGB}}},
			res:  withCountry,
			want: [][]string{{rsPoolABC, rsSenderGB}},
		},
		"with its country, the sender ID exists elsewhere only: the ID reading alone": {
			fake: fakeAnswers{senders: map[string][]string{"pool-abc": {rsSenderUS}}},
			res:  withCountry,
			want: [][]string{{rsPoolABC}},
		},
		"with its country, the lookup fails: deny": {
			fake:    fakeAnswers{err: boom},
			res:     withCountry,
			wantErr: boom,
			failed:  "pool-abc",
		},
		"a phone number before a dropped reading keeps its place": {
			fake: fakeAnswers{phones: map[string]string{"+12065550100": rsPhoneA}},
			res: func() *apimap.Result {
				return &apimap.Result{
					Permissions: []apimap.Permission{{Action: "sms-voice:CreatePool", Resources: []string{rsPrefix + "phone-number/+12065550100", rsPoolABC, rsPrefix + "sender-id/pool-abc"}}},
					Unresolved: []apimap.Unresolved{
						{Resource: 0, Form: "phone-number", Value: "+12065550100"},
						{Resource: 2, Form: "sender-id", Value: "pool-abc", Alternative: true},
					},
				}
			},
			want: [][]string{{rsPhoneA, rsPoolABC}},
		},
		"a failure after a resolved entry names the failed one": {
			fake: fakeAnswers{phones: map[string]string{"+12065550100": rsPhoneA}},
			res: func() *apimap.Result {
				return &apimap.Result{
					Permissions: []apimap.Permission{{Action: "sms-voice:CreatePool", Resources: []string{rsPrefix + "phone-number/+12065550100", rsPrefix + "sender-id/ACME"}}},
					Unresolved: []apimap.Unresolved{
						{Resource: 0, Form: "phone-number", Value: "+12065550100"},
						{Resource: 1, Form: "sender-id", Value: "ACME"},
					},
				}
			},
			wantErr: ErrUnresolvable,
			failed:  "ACME",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &describeFake{phones: tc.fake.phones, senders: tc.fake.senders, err: tc.fake.err, calls: map[string]int{}}
			r := testResolver(t, f, newFakeClock())
			res := tc.res()
			err := r.Resolve(context.Background(), "us-east-1", res)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Resolve = %v, want %v", err, tc.wantErr)
				}
				if len(res.Unresolved) == 0 || res.Unresolved[0].Value != tc.failed {
					t.Errorf("unresolved after the error = %v, want %q first", res.Unresolved, tc.failed)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if len(res.Unresolved) != 0 {
				t.Errorf("unresolved = %v, want none", res.Unresolved)
			}
			for i, want := range tc.want {
				if got := res.Permissions[i].Resources; !slices.Equal(got, want) {
					t.Errorf("permission %d resources = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestSenderNotFoundCachedBriefly: "no such sender ID" lets the ID reading
// decide alone, so it is cached for NotFoundTTL only: a sender ID
// registered outside the gateway counts within seconds.
func TestSenderNotFoundCachedBriefly(t *testing.T) {
	t.Parallel()
	f := &describeFake{calls: map[string]int{}}
	clock := newFakeClock()
	r := testResolver(t, f, clock)
	resolve := func() []string {
		t.Helper()
		res := ambiguous()
		if err := r.Resolve(context.Background(), "us-east-1", res); err != nil {
			t.Fatal(err)
		}
		return res.Permissions[0].Resources
	}
	if got := resolve(); !slices.Equal(got, []string{rsPoolABC}) {
		t.Fatalf("resources %v, want the pool alone", got)
	}
	f.set(func(f *describeFake) { f.senders = map[string][]string{"pool-abc": {rsSenderUS}} })
	clock.advance(NotFoundTTL / 2)
	if got := resolve(); !slices.Equal(got, []string{rsPoolABC}) || f.count("DescribeSenderIds") != 1 {
		t.Fatalf("within NotFoundTTL: resources %v after %d lookups, want the cached answer", got, f.count("DescribeSenderIds"))
	}
	clock.advance(NotFoundTTL)
	if got := resolve(); !slices.Equal(got, []string{rsPoolABC, rsSenderUS}) {
		t.Fatalf("after NotFoundTTL: resources %v, want both readings", got)
	}
	clock.advance(30 * time.Minute) // a sender ID found is kept for the TTL
	resolve()
	if n := f.count("DescribeSenderIds"); n != 2 {
		t.Errorf("%d lookups, want 2", n)
	}
}

// TestResolverAloneSharesAndReleases: NewResolver shares the caches of its
// key with resource_tags lookup's (New), and the last Close empties them.
func TestResolverAloneSharesAndReleases(t *testing.T) {
	f := &describeFake{senders: map[string][]string{"pool-abc": {rsSenderUS}}, calls: map[string]int{}}
	cfg := Config{
		Call: f.call, Partition: "aws", Account: "123456789012",
		RegionAllowed: func(string) bool { return true },
		TTL:           time.Hour, Size: 100, Timeout: time.Second,
		PoolKey: "resolve test " + t.Name(),
	}
	alone, err := NewResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tags, withTags, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if alone.senders != withTags.senders {
		t.Fatal("NewResolver and New of one key have their own caches, want shared ones")
	}
	if err := alone.Resolve(context.Background(), "us-east-1", ambiguous()); err != nil {
		t.Fatal(err)
	}
	alone.Close()
	alone.Close() // twice: released once
	if alone.senders.Len() != 1 {
		t.Fatalf("%d cached sender IDs while New still uses the caches, want 1", alone.senders.Len())
	}
	tags.Close()
	if n := alone.senders.Len(); n != 0 {
		t.Errorf("%d cached sender IDs after the last Close, want 0", n)
	}
}

// TestResolverChanged: a sender ID or number bought or released through
// the gateway empties the cache concerned, when the call succeeded.
func TestResolverChanged(t *testing.T) {
	t.Parallel()
	f := &describeFake{calls: map[string]int{}}
	r := testResolver(t, f, newFakeClock())
	warm := func() {
		t.Helper()
		if err := r.Resolve(context.Background(), "us-east-1", ambiguous()); err != nil {
			t.Fatal(err)
		}
	}
	warm()
	r.Changed("sms-voice-v2", "RequestSenderId", nil, false)
	if r.senders.Len() != 1 {
		t.Fatal("a failed RequestSenderId emptied the cache")
	}
	r.Changed("sms-voice-v2", "RequestSenderId", nil, true)
	if n := r.senders.Len(); n != 0 {
		t.Errorf("%d cached sender IDs after RequestSenderId, want 0", n)
	}
}
