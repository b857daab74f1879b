package policygen

import (
	"fmt"
	"slices"
	"testing"
)

func texts(ps []pattern) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.text
	}
	return out
}

func TestCollapse(t *testing.T) {
	t.Parallel()
	msgs := func(n int) []string {
		out := apps(n)
		for i := range out {
			out[i] += "/messages"
		}
		return out
	}
	campaigns := func(app string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%s/campaigns/c%02d", appPfx, app, i)
		}
		return out
	}
	tests := map[string]struct {
		action    string
		resources []string
		threshold int
		want      []string
	}{
		"at the threshold: listed": {
			action: "mobiletargeting:GetApp", resources: apps(10), threshold: 10, want: apps(10),
		},
		"past the threshold: one wildcard": {
			action: "mobiletargeting:GetApp", resources: apps(11), threshold: 10, want: []string{appPfx + "*"},
		},
		"threshold 0 never collapses": {
			action: "mobiletargeting:GetApp", resources: apps(50), threshold: 0, want: apps(50),
		},
		"an ID in the middle": {
			action: "mobiletargeting:SendMessages", resources: msgs(3), threshold: 2,
			want: []string{appPfx + "*/messages"},
		},
		"IDs under one parent only": {
			action:    "mobiletargeting:GetCampaign",
			resources: append(campaigns("a", 3), campaigns("b", 1)...), threshold: 2,
			want: []string{appPfx + "a/campaigns/*", appPfx + "b/campaigns/c00"},
		},
		"two levels": {
			action:    "mobiletargeting:GetCampaign",
			resources: append(append(campaigns("a", 3), campaigns("b", 3)...), campaigns("c", 3)...), threshold: 2,
			want: []string{appPfx + "*/campaigns/*"},
		},
		"no entry covered by another": {
			action:    "mobiletargeting:GetCampaign",
			resources: append(append(append(campaigns("a", 3), campaigns("b", 3)...), campaigns("c", 3)...), appPfx+"d/campaigns/c00", appPfx+"e/campaigns/c00", appPfx+"f/campaigns/c00"), threshold: 2,
			want: []string{appPfx + "*/campaigns/*"},
		},
		"never across regions": {
			action: "mobiletargeting:GetApp", threshold: 2,
			resources: []string{appPfx + "a", appPfx + "b", "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/c", "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/d"},
			want:      []string{"arn:aws:mobiletargeting:eu-west-1:123456789012:apps/c", "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/d", appPfx + "a", appPfx + "b"},
		},
		"never across accounts": {
			action: "mobiletargeting:GetApp", threshold: 2,
			resources: []string{appPfx + "a", appPfx + "b", "arn:aws:mobiletargeting:us-east-1:210987654321:apps/c"},
			want:      []string{appPfx + "a", appPfx + "b", "arn:aws:mobiletargeting:us-east-1:210987654321:apps/c"},
		},
		"never the resource type": {
			action: "sms-voice:SendTextMessage", threshold: 2,
			resources: []string{"arn:aws:sms-voice:us-east-1:123456789012:pool/p", "arn:aws:sms-voice:us-east-1:123456789012:phone-number/n",
				"arn:aws:sms-voice:us-east-1:123456789012:sender-id/s/US"},
			want: []string{"arn:aws:sms-voice:us-east-1:123456789012:phone-number/n", "arn:aws:sms-voice:us-east-1:123456789012:pool/p",
				"arn:aws:sms-voice:us-east-1:123456789012:sender-id/s/US"},
		},
		"never the resource type, even with the same IDs": {
			action: "sms-voice:DescribeSomething", threshold: 2,
			resources: []string{"arn:aws:sms-voice:us-east-1:123456789012:configuration-set/x", "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/x",
				"arn:aws:sms-voice:us-east-1:123456789012:phone-number/x", "arn:aws:sms-voice:us-east-1:123456789012:pool/x"},
			want: []string{"arn:aws:sms-voice:us-east-1:123456789012:configuration-set/x", "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/x",
				"arn:aws:sms-voice:us-east-1:123456789012:phone-number/x", "arn:aws:sms-voice:us-east-1:123456789012:pool/x"},
		},
		"passed roles are always listed": {
			action: "iam:PassRole", threshold: 1,
			resources: []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"},
			want:      []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"},
		},
		"star wins": {
			action: "mobiletargeting:GetApps", threshold: 10, resources: []string{"*", appPfx + "a"}, want: []string{"*"},
		},
		"the mapping's own wildcard is kept": {
			action: "mobiletargeting:GetApps", threshold: 10, resources: []string{appPfx + "*"}, want: []string{appPfx + "*"},
		},
		"literal wildcard characters are escaped": {
			action: "mobiletargeting:GetApp", threshold: 10, resources: []string{appPfx + "a*b?c$d"},
			want: []string{appPfx + "a${*}b${?}c${$}d"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := texts(collapse(tc.action, tc.resources, tc.threshold, nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("collapse = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCollapseKeep(t *testing.T) {
	t.Parallel()
	ps := collapse("mobiletargeting:GetApp", apps(11), 10, nil)
	if len(ps) != 1 || !ps[0].wild() || len(ps[0].sites) != 1 {
		t.Fatalf("collapse = %+v, want one wildcard with one site", ps)
	}
	keep := map[string]bool{ps[0].sites[0]: true}
	if got := texts(collapse("mobiletargeting:GetApp", apps(11), 10, keep)); !slices.Equal(got, apps(11)) {
		t.Errorf("collapse with its site kept = %q, want the IDs listed", got)
	}
}

func TestPatternMatches(t *testing.T) {
	t.Parallel()
	p := collapse("mobiletargeting:GetCampaign", []string{appPfx + "a/campaigns/1", appPfx + "b/campaigns/1"}, 1, nil)[0]
	tests := map[string]bool{
		appPfx + "x/campaigns/1":   true,
		appPfx + "x/y/campaigns/1": true, // IAM's * spans '/'
		appPfx + "x/campaigns/2":   false,
		appPfx + "campaigns/1":     false,
		"arn:aws:mobiletargeting:us-east-1:123456789012:apps//campaigns/1": true,
	}
	for s, want := range tests {
		if got := p.matches(s); got != want {
			t.Errorf("%q matches %q = %v, want %v", p.text, s, got, want)
		}
	}
}

// TestCollapseKeepAllSites: keeping every site of a collapsed pattern (what the proof does
// when the pattern lets a deny through) restores the IDs it covered, entries it made redundant
// included.
func TestCollapseKeepAllSites(t *testing.T) {
	t.Parallel()
	var res []string
	for _, a := range []string{"a", "b", "c"} {
		for i := range 3 {
			res = append(res, fmt.Sprintf("%s%s/campaigns/c%02d", appPfx, a, i))
		}
	}
	for _, a := range []string{"d", "e", "f"} {
		res = append(res, appPfx+a+"/campaigns/c00")
	}
	slices.Sort(res)
	keep := map[string]bool{}
	for range 4 { // each round keeps what the last one still collapsed
		ps := collapse("mobiletargeting:GetCampaign", res, 2, keep)
		if got := texts(ps); slices.Equal(got, res) {
			return
		}
		for _, p := range ps {
			for _, s := range p.sites {
				keep[s] = true
			}
		}
	}
	t.Errorf("keeping the sites did not restore the listing: %q", texts(collapse("mobiletargeting:GetCampaign", res, 2, keep)))
}
