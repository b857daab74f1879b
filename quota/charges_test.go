package quota

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/destination"
)

const (
	sendText  = "sms-voice:SendTextMessage"
	sendMedia = "sms-voice:SendMediaMessage"
	pinpoint  = "mobiletargeting:SendMessages"
)

func number(e164, country, code string) destination.Destination {
	return destination.Destination{
		Destination: apimap.Destination{Form: apimap.DestinationPhoneNumber, Value: e164},
		Number:      destination.Number{E164: e164, Country: country, CallingCode: code, Type: destination.Mobile},
	}
}

var (
	gb1 = number("+447700900001", "GB", "44")
	gb2 = number("+447700900002", "GB", "44")
	fr1 = number("+33612345678", "FR", "33")
	// endpoint is a Pinpoint endpoint ID: the gateway does not know its number.
	endpoint = destination.Destination{
		Destination: apimap.Destination{Form: apimap.DestinationEndpoint, Value: "ep-1"},
		Err:         destination.ErrNoNumber,
	}
)

// ctxValues is a request context: the values of each key.
func ctxValues(kv map[string][]string) func(string) []string {
	return func(k string) []string { return kv[k] }
}

var principal = map[string][]string{
	"aws:PrincipalArn":        {"arn:aws:iam::123456789012:user/alice"},
	"aws:PrincipalTag/tenant": {"acme"},
	"aws:TagKeys":             {"a", "b", "a"},
}

// want is a charge as a test expects it: the key by its quota and value.
type want struct {
	quota, value string
	count        int64
}

func TestCharges(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{
		{Name: "per-principal", Actions: []string{sendText}, Limit: 100, Window: time.Hour},
		{Name: "per-tenant", Actions: []string{"SMS-VOICE:Send*", pinpoint}, Per: "aws:PrincipalTag/tenant", Limit: 1000, Window: 24 * time.Hour},
		{Name: "per-number", Actions: []string{"sms-voice:Send?extMessage"}, Per: destination.KeyNumber, Limit: 3, Window: time.Hour},
		{Name: "per-country", Actions: []string{pinpoint}, Per: "Gateway:DestinationCountry", Limit: 50, Window: time.Hour},
		{Name: "per-tag-key", Actions: []string{"sms-voice:SendVoiceMessage"}, Per: "aws:TagKeys", Limit: 5, Window: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		actions []string
		ctx     map[string][]string
		dests   []destination.Destination
		want    []want
		missing *MissingValueError
	}{
		"no destinations take nothing": {
			actions: []string{sendText}, ctx: principal,
		},
		"no destinations take nothing, even without values": {
			actions: []string{sendText}, ctx: nil,
		},
		"an action no quota governs takes nothing": {
			actions: []string{"sms-voice:DescribePhoneNumbers"}, ctx: principal, dests: []destination.Destination{gb1},
		},
		"one number: per principal, tenant and number, in the order of the quotas": {
			actions: []string{sendText}, ctx: principal, dests: []destination.Destination{gb1},
			want: []want{
				{"per-principal", "arn:aws:iam::123456789012:user/alice", 1},
				{"per-tenant", "acme", 1},
				{"per-number", "+447700900001", 1},
			},
		},
		"actions match case-insensitively": {
			actions: []string{"SMS-Voice:SENDTEXTMESSAGE"}, ctx: principal, dests: []destination.Destination{gb1},
			want: []want{
				{"per-principal", "arn:aws:iam::123456789012:user/alice", 1},
				{"per-tenant", "acme", 1},
				{"per-number", "+447700900001", 1},
			},
		},
		"a wildcard governs another action": {
			actions: []string{sendMedia}, ctx: principal, dests: []destination.Destination{gb1},
			want: []want{{"per-tenant", "acme", 1}},
		},
		"any one of the request's actions matches": {
			actions: []string{"iam:PassRole", sendMedia}, ctx: principal, dests: []destination.Destination{gb1},
			want: []want{{"per-tenant", "acme", 1}},
		},
		"per-destination keys group destinations by their value": {
			actions: []string{pinpoint}, ctx: principal, dests: []destination.Destination{gb1, fr1, gb2, gb1},
			want: []want{
				{"per-tenant", "acme", 4},
				{"per-country", "GB", 3},
				{"per-country", "FR", 1},
			},
		},
		"the same number twice is one charge of 2": {
			actions: []string{sendText}, ctx: principal, dests: []destination.Destination{gb1, gb1},
			want: []want{
				{"per-principal", "arn:aws:iam::123456789012:user/alice", 2},
				{"per-tenant", "acme", 2},
				{"per-number", "+447700900001", 2},
			},
		},
		"each distinct value of a multi-valued key counts every destination": {
			actions: []string{"sms-voice:SendVoiceMessage"}, ctx: principal, dests: []destination.Destination{gb1, gb2},
			want: []want{
				{"per-tenant", "acme", 2},
				{"per-tag-key", "a", 2},
				{"per-tag-key", "b", 2},
			},
		},
		"no value for the tenant tag is missing": {
			actions: []string{sendMedia}, ctx: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::1:user/x"}},
			dests:   []destination.Destination{gb1},
			missing: &MissingValueError{Quota: "per-tenant", Key: "aws:PrincipalTag/tenant"},
		},
		"an empty list of values is missing": {
			actions: []string{sendText}, ctx: map[string][]string{"aws:PrincipalArn": {}},
			dests:   []destination.Destination{gb1},
			missing: &MissingValueError{Quota: "per-principal", Key: "aws:PrincipalArn"},
		},
		"a destination without a number is missing a per-destination value": {
			actions: []string{pinpoint}, ctx: principal, dests: []destination.Destination{gb1, endpoint},
			missing: &MissingValueError{Quota: "per-country", Key: "Gateway:DestinationCountry"},
		},
		"a destination without a number still counts per tenant": {
			actions: []string{sendMedia}, ctx: principal, dests: []destination.Destination{endpoint, gb1},
			want: []want{{"per-tenant", "acme", 2}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Charges(tc.actions, ctxValues(tc.ctx), tc.dests)
			if tc.missing != nil {
				var me *MissingValueError
				if !errors.As(err, &me) || *me != *tc.missing || got != nil {
					t.Fatalf("Charges = %v, %v; want nil, %v", got, err, tc.missing)
				}
				return
			}
			if err != nil {
				t.Fatalf("Charges: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Charges = %d charges %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				q := s.quotas[indexOf(s, w.quota)]
				exp := Charge{Quota: q.name, Key: q.key(w.value), Count: w.count, Limit: q.limit, Window: q.window}
				if got[i] != exp {
					t.Errorf("charge %d = %+v, want %+v (value %q)", i, got[i], exp, w.value)
				}
			}
		})
	}
}

func indexOf(s *Set, name string) int {
	for i := range s.quotas {
		if s.quotas[i].name == name {
			return i
		}
	}
	panic("no quota " + name)
}

func TestMissingValueErrorMessage(t *testing.T) {
	t.Parallel()
	err := &MissingValueError{Quota: "x", Key: "aws:PrincipalTag/tenant"}
	if got, want := err.Error(), `quota "x": the request has no value for aws:PrincipalTag/tenant`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestChargeKeys(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{
		{Name: "a", Actions: []string{"*"}, Per: destination.KeyNumber, Limit: 1, Window: time.Hour},
		{Name: "b", Actions: []string{"*"}, Per: destination.KeyNumber, Limit: 1, Window: time.Hour},
		{Name: "c", Actions: []string{"*"}, Per: destination.KeyNumber, Limit: 1, Window: time.Minute},
		{Name: "d", Actions: []string{"*"}, Per: "aws:PrincipalTag/number", Limit: 1, Window: time.Minute},
		{Name: strings.Repeat("n", 64), Actions: []string{"*"}, Per: destination.KeyNumber, Limit: 1, Window: MaxWindow},
	})
	if err != nil {
		t.Fatal(err)
	}
	values := ctxValues(map[string][]string{"aws:PrincipalTag/number": {gb1.Number.E164}})
	got, err := s.Charges([]string{sendText}, values, []destination.Destination{gb1})
	if err != nil || len(got) != 5 {
		t.Fatalf("Charges = %+v, %v; want 5 charges", got, err)
	}
	seen := map[string]string{}
	for _, c := range got {
		if prev, dup := seen[c.Key]; dup {
			t.Errorf("quotas %s and %s share the key %s", prev, c.Quota, c.Key)
		}
		seen[c.Key] = c.Quota
		if strings.Contains(c.Key, "447700900001") {
			t.Errorf("key %q holds the number", c.Key)
		}
		if len(c.Key) > keyMaxLen {
			t.Errorf("key %q is longer than %d", c.Key, keyMaxLen)
		}
		hash := c.Key[strings.LastIndexByte(c.Key, ':')+1:]
		if len(hash) != 32 || strings.Trim(hash, "0123456789abcdef") != "" {
			t.Errorf("key %q does not end in 32 hex digits", c.Key)
		}
	}
	if want := "pinpointgw:quota:a:3600000:"; !strings.HasPrefix(got[0].Key, want) {
		t.Errorf("key %q, want the prefix %q", got[0].Key, want)
	}
	// The same value gives the same key on every request.
	again, _ := s.Charges([]string{sendText}, values, []destination.Destination{gb2, gb1})
	if again[1].Key != got[0].Key && again[0].Key != got[0].Key {
		t.Errorf("the key of %s changed between requests", gb1.Number.E164)
	}
}

// TestChargesThroughRead reads real numbers with package destination.
func TestChargesThroughRead(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{{Name: "per-country", Actions: []string{sendText}, Per: destination.KeyCountry, Limit: 5, Window: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	dests := destination.Read([]apimap.Destination{
		{Form: apimap.DestinationPhoneNumber, Member: "DestinationPhoneNumber", Value: "+33612345678"},
		{Form: apimap.DestinationPhoneNumber, Member: "x", Value: "+12065550100"},
		{Form: apimap.DestinationPhoneNumber, Member: "y", Value: "+33612345679"},
	}, nil)
	got, err := s.Charges([]string{sendText}, ctxValues(nil), dests)
	if err != nil {
		t.Fatalf("Charges: %v", err)
	}
	q := &s.quotas[0]
	if len(got) != 2 || got[0].Key != q.key("FR") || got[0].Count != 2 || got[1].Key != q.key("US") || got[1].Count != 1 {
		t.Errorf("Charges = %+v, want FR 2 then US 1", got)
	}
	bad := destination.Read([]apimap.Destination{{Form: apimap.DestinationPhoneNumber, Value: "0612345678"}}, nil)
	if _, err := s.Charges([]string{sendText}, ctxValues(nil), bad); err == nil {
		t.Errorf("Charges with a number not in E.164 form: no error")
	}
}

func TestChargesManyDestinations(t *testing.T) {
	t.Parallel()
	s, err := Compile([]Config{{Name: "n", Actions: []string{"*"}, Per: destination.KeyNumber, Limit: 5, Window: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	// 40 destinations (a map groups them), 20 distinct numbers, each twice.
	var dests []destination.Destination
	for range 2 {
		for i := range 20 {
			dests = append(dests, number(fmt.Sprintf("+4477009000%02d", i), "GB", "44"))
		}
	}
	got, err := s.Charges([]string{sendText}, ctxValues(nil), dests)
	if err != nil || len(got) != 20 {
		t.Fatalf("Charges = %d charges, %v; want 20", len(got), err)
	}
	for _, c := range got {
		if c.Count != 2 {
			t.Errorf("charge %s: count %d, want 2", c.Key, c.Count)
		}
	}
	if err := CheckCharges(got); err != nil {
		t.Errorf("CheckCharges: %v", err)
	}
}
