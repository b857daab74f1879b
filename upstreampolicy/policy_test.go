package upstreampolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	s := parseStore(t, `{"users":[{"name":"u","inline_policies":{"p":{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["mobiletargeting:GetApp","mobiletargeting:GetApps"],"Resource":"*"},
		{"Effect":"Allow","Action":"sms-voice:SendTextMessage","Resource":"arn:aws:sms-voice:*:123456789012:pool/*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/imp","Condition":{"StringEquals":{"iam:PassedToService":"pinpoint.amazonaws.com"}}}]}}}]}`)
	tests := map[string]struct {
		gw   Gateway
		want string
	}{
		"no lookups, every region": {
			gw: Gateway{Store: s},
			want: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"Forward1","Effect":"Allow","Action":["mobiletargeting:GetApp","mobiletargeting:GetApps"],"Resource":["*"]},` +
				`{"Sid":"Forward2","Effect":"Allow","Action":["sms-voice:SendTextMessage"],"Resource":["arn:aws:sms-voice:*:123456789012:pool/*"]},` +
				`{"Sid":"PassRole1","Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::123456789012:role/imp"],"Condition":{"StringEquals":{"iam:PassedToService":["pinpoint.amazonaws.com"]}}}]}`,
		},
		"lookups and regions": {
			gw: Gateway{Store: s, Regions: []string{"us-east-1"}, TagLookup: true, OriginationLookup: true},
			want: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"Forward1","Effect":"Allow","Action":["mobiletargeting:GetApp","mobiletargeting:GetApps","sms-voice:DescribePhoneNumbers","sms-voice:DescribeSenderIds"],"Resource":["*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}},` +
				`{"Sid":"Forward2","Effect":"Allow","Action":["sms-voice:SendTextMessage"],"Resource":["arn:aws:sms-voice:us-east-1:123456789012:pool/*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}},` +
				`{"Sid":"PassRole1","Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::123456789012:role/imp"],"Condition":{"StringEquals":{"iam:PassedToService":["pinpoint.amazonaws.com"]}}},` +
				`{"Sid":"Lookups1","Effect":"Allow","Action":["mobiletargeting:ListTagsForResource"],"Resource":["arn:aws:mobiletargeting:us-east-1:123456789012:*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}},` +
				`{"Sid":"Lookups2","Effect":"Allow","Action":["sms-voice:ListTagsForResource"],"Resource":["arn:aws:sms-voice:us-east-1:123456789012:*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}},` +
				`{"Sid":"Lookups3","Effect":"Allow","Action":["sms-voice:DescribeVerifiedDestinationNumbers"],"Resource":["arn:aws:sms-voice:us-east-1:123456789012:verified-destination-number/*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}}]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			docs, err := Generate([]Gateway{tc.gw})
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 {
				t.Fatalf("Generate gave %d documents, want 1", len(docs))
			}
			data, err := Marshal(docs)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(strings.Fields(string(data)), ""); got != tc.want {
				t.Errorf("Generate:\n got %s\nwant %s", got, tc.want)
			}
			// What IAM accepts, the gateway's own parser accepts too.
			if _, err := authz.Parse("upstream", data, authz.IdentityBased); err != nil {
				t.Errorf("the policy does not parse: %v", err)
			}
		})
	}
}

func TestGenerateNothing(t *testing.T) {
	t.Parallel()
	s := parseStore(t, `{"users":[{"name":"u"}]}`)
	if _, err := Generate([]Gateway{{Store: s}}); !errors.Is(err, ErrNothing) {
		t.Errorf("Generate of a store that allows nothing = %v, want ErrNothing", err)
	}
}

// TestGenerateSplits: a store that allows every known action on many ARNs gives a policy
// over IAM's limit, which comes as several documents each within it, together allowing
// every action on every ARN.
func TestGenerateSplits(t *testing.T) {
	t.Parallel()
	var arns []string
	for i := 0; i < 40; i++ {
		arns = append(arns, `"arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-number-`+strings.Repeat("x", 20)+string(rune('a'+i%26))+string(rune('a'+i/26))+`"`)
	}
	s := parseStore(t, `{"users":[{"name":"u","inline_policies":{"p":{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"mobiletargeting:*","Resource":[`+strings.Join(arns, ",")+`]}]}}}]}`)
	docs, err := Generate([]Gateway{{Store: s}})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("Generate gave %d document(s), want several", len(docs))
	}
	var policies []*authz.Policy
	for i, d := range docs {
		if n := d.Size(); n > MaxManagedPolicySize {
			t.Errorf("document %d is %d characters, over %d", i, n, MaxManagedPolicySize)
		}
		data, _ := Marshal([]Document{d})
		p, err := authz.Parse("doc", data, authz.IdentityBased)
		if err != nil {
			t.Fatalf("document %d does not parse: %v", i, err)
		}
		policies = append(policies, p)
	}
	for _, a := range apimap.KnownActions() {
		if !strings.HasPrefix(a, "mobiletargeting:") {
			continue
		}
		in := &authz.Input{Action: a, Resource: strings.Trim(arns[7], `"`), IdentityPolicies: policies}
		if d := authz.Evaluate(in); d.Decision != authz.Allow {
			t.Errorf("the split documents do not allow %s on %s", a, in.Resource)
		}
	}
}

// TestActionNameSpellsEveryKnownAction: the policy spells actions as the Service
// Authorization Reference does, not lower-cased.
func TestActionNameSpellsEveryKnownAction(t *testing.T) {
	t.Parallel()
	for _, a := range apimap.KnownActions() {
		got := ActionName(a)
		if !strings.EqualFold(got, a) || got == strings.ToLower(got) {
			t.Errorf("ActionName(%q) = %q, want its mixed-case spelling", a, got)
		}
	}
}
