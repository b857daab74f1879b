package policygen

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pinpointgw/gateway/arn"
)

// Collapsing IDs into wildcards.
//
// An ARN's resource part is cut at '/' into segments ("apps", ID, "campaigns", ID). For one
// action, the resources that differ in exactly one segment position k and agree on everything
// else (partition, service, region, account, every other segment) share a parent. When more
// than the threshold of distinct values share a parent, they become one pattern with "*" at k:
// "apps/*/campaigns/c1", "apps/a1/campaigns/*". Positions are taken from the last to the
// second, so "apps/*/campaigns/*" can follow; the first segment (the resource type's name) and
// the fields before the resource part (partition, service, region, account) are never
// collapsed, so a wildcard never spans accounts, regions or resource types. Roles passed with
// iam:PassRole are never collapsed: a wildcard there would let the principal hand any role to
// the service. Non-ARN resources ("*") are kept as they are.
//
// A segment that is exactly "*" in a recorded ARN is the mapping's own wildcard: the ARN the IAM
// reference gives an operation on every resource of a type (GetApps acts on "…:apps/*"). It is
// written as the wildcard it is, not escaped; other '*', '?' and '$' characters are literal.
//
// IAM's "*" in a Resource also matches '/' (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
// so "apps/*" would match campaigns too: that is the widening the threshold accepts, and the
// proof checks it against every recorded deny.

// pattern is one Resource entry of the generated policy.
type pattern struct {
	text   string   // as written in the policy (literal characters escaped)
	chunks []string // the raw literal text between wildcards; one chunk when there is none
	sites  []string // the collapse sites that made its wildcards (sorted); none for the mapping's own
}

// wild reports whether the pattern has a wildcard (generated, or the mapping's own).
func (p *pattern) wild() bool { return len(p.chunks) > 1 }

// matches reports whether the raw resource s matches the pattern ('*' matches any run).
func (p *pattern) matches(s string) bool {
	c := p.chunks
	if len(c) == 1 {
		return s == c[0]
	}
	if !strings.HasPrefix(s, c[0]) {
		return false
	}
	s = s[len(c[0]):]
	last := c[len(c)-1]
	for _, mid := range c[1 : len(c)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// item is a resource or a partly collapsed pattern while collapsing.
type item struct {
	prefix string // "arn:PARTITION:SERVICE:REGION:ACCOUNT:", raw; "" for a non-ARN literal
	segs   []string
	wild   []bool
	sites  []string
}

// key encodes the item with position skip left out (skip < 0: the whole item), unambiguously.
func (it *item) key(skip int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(it.prefix)))
	b.WriteByte(':')
	b.WriteString(it.prefix)
	for i, s := range it.segs {
		switch {
		case i == skip:
			b.WriteString("?")
		case it.wild[i]:
			b.WriteString("*")
		default:
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
		b.WriteByte('/')
	}
	return b.String()
}

// pattern renders the item.
func (it *item) pattern() pattern {
	if it.prefix == "" {
		if it.segs[0] == "*" {
			return pattern{text: "*", chunks: []string{""}, sites: nil}
		}
		return pattern{text: escapeARN(it.segs[0]), chunks: []string{it.segs[0]}}
	}
	var text, raw strings.Builder
	text.WriteString(escapeARN(it.prefix))
	raw.WriteString(it.prefix)
	var chunks []string
	for i, s := range it.segs {
		if i > 0 {
			text.WriteByte('/')
			raw.WriteByte('/')
		}
		if it.wild[i] || s == "*" {
			text.WriteByte('*')
			chunks = append(chunks, raw.String())
			raw.Reset()
			continue
		}
		text.WriteString(escapeARN(s))
		raw.WriteString(s)
	}
	chunks = append(chunks, raw.String())
	return pattern{text: text.String(), chunks: chunks, sites: it.sites}
}

// neverCollapsed lists the actions whose resources are always listed one by one.
var neverCollapsed = map[string]bool{"iam:passrole": true}

// collapse returns the Resource entries for one action's distinct resources: "*" alone when
// the action was allowed on "*", else the resources with IDs collapsed past threshold (0:
// never), except at the sites in keep. Sorted by text.
func collapse(action string, resources []string, threshold int, keep map[string]bool) []pattern {
	for _, r := range resources {
		if r == "*" {
			return []pattern{{text: "*", chunks: []string{"*"}}}
		}
	}
	items := make([]*item, 0, len(resources))
	maxSegs := 0
	for _, r := range resources {
		parts, ok := arn.Split(r)
		if !ok || !strings.Contains(parts[5], "/") {
			items = append(items, &item{segs: []string{r}, wild: []bool{false}})
			continue
		}
		segs := strings.Split(parts[5], "/")
		items = append(items, &item{prefix: r[:len(r)-len(parts[5])], segs: segs, wild: make([]bool, len(segs))})
		maxSegs = max(maxSegs, len(segs))
	}
	if threshold > 0 && !neverCollapsed[strings.ToLower(action)] {
		for k := maxSegs - 1; k >= 1; k-- {
			items = collapseAt(action, items, k, threshold, keep)
		}
		items = dropSubsumed(items)
	}
	out := make([]pattern, 0, len(items))
	for _, it := range items {
		out = append(out, it.pattern())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
	return out
}

// site names one collapse: the action and the parent (the item's key without position k).
func site(action, parentKey string) string { return action + "\x00" + parentKey }

// collapseAt collapses position k: the ARN items that agree on everything but k are grouped;
// a group of more than threshold becomes one item with a wildcard at k, unless its site is
// in keep.
func collapseAt(action string, items []*item, k, threshold int, keep map[string]bool) []*item {
	groups := map[string][]*item{}
	var order []string
	for _, it := range items {
		if it.prefix == "" || len(it.segs) <= k || it.wild[k] {
			continue
		}
		key := it.key(k)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], it)
	}
	merged := map[*item]*item{} // member -> the item replacing it
	for _, key := range order {
		members := groups[key]
		s := site(action, key)
		if len(members) <= threshold || keep[s] {
			continue
		}
		first := members[0]
		m := &item{prefix: first.prefix, segs: append([]string(nil), first.segs...), wild: append([]bool(nil), first.wild...)}
		m.segs[k], m.wild[k] = "", true
		sites := []string{s}
		for _, o := range members {
			sites = append(sites, o.sites...)
			merged[o] = m
		}
		sort.Strings(sites)
		m.sites = compactStrings(sites)
		merged[first] = m
	}
	if len(merged) == 0 {
		return items
	}
	out := make([]*item, 0, len(items))
	added := map[*item]bool{}
	for _, it := range items {
		m, ok := merged[it]
		if !ok {
			out = append(out, it)
			continue
		}
		if !added[m] {
			added[m] = true
			out = append(out, m)
		}
	}
	return out
}

// maxSubsumeSegs bounds the segments of the items dropSubsumed looks at: it tries each of the
// 2^(n-1) ways of turning an item's segments into wildcards.
const maxSubsumeSegs = 10

// dropSubsumed removes the items that another item covers segment by segment (same prefix and
// length, each segment equal or a wildcard there): "apps/*/segments/seg-0" beside
// "apps/*/segments/*", as collapsing groups by groups leaves. The covering item takes over the
// dropped one's sites, so that taking its wildcards back restores everything it covered.
func dropSubsumed(items []*item) []*item {
	byKey := make(map[string]*item, len(items))
	wild := false
	for _, it := range items {
		byKey[it.key(-1)] = it
		for _, w := range it.wild {
			wild = wild || w
		}
	}
	if !wild {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if cover := coverOf(it, byKey); cover != nil {
			cover.sites = compactStrings(sortedUnion(cover.sites, it.sites))
			continue
		}
		out = append(out, it)
	}
	return out
}

// coverOf returns an item of byKey that covers it (it with some of its literal segments after
// the first turned into wildcards), nil when none does. Of several, the one with the most
// wildcards, then the first in mask order, so that the choice is deterministic.
func coverOf(it *item, byKey map[string]*item) *item {
	if it.prefix == "" || len(it.segs) > maxSubsumeSegs {
		return nil
	}
	var lits []int
	for i := 1; i < len(it.segs); i++ {
		if !it.wild[i] {
			lits = append(lits, i)
		}
	}
	var best *item
	bestN := 0
	probe := &item{prefix: it.prefix, segs: it.segs, wild: make([]bool, len(it.wild))}
	for mask := 1; mask < 1<<len(lits); mask++ {
		copy(probe.wild, it.wild)
		n := 0
		for b, i := range lits {
			if mask&(1<<b) != 0 {
				probe.wild[i] = true
				n++
			}
		}
		if c, ok := byKey[probe.key(-1)]; ok && n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

// sortedUnion returns a and b together, sorted (duplicates kept).
func sortedUnion(a, b []string) []string {
	out := append(append([]string(nil), a...), b...)
	sort.Strings(out)
	return out
}

// compactStrings removes adjacent duplicates of a sorted slice.
func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// escapeARN writes a literal resource so that no character of it is a wildcard or a policy
// variable: '$', '*' and '?' become ${$}, ${*} and ${?} (policy variables of version
// 2012-10-17, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars).
func escapeARN(s string) string {
	if !strings.ContainsAny(s, "$*?") {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '$', '*', '?':
			b.WriteString("${")
			b.WriteRune(c)
			b.WriteByte('}')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// escapeValue writes a literal condition value: '$' becomes ${$} so that no part of it is read
// as a policy variable (StringEquals has no wildcards).
func escapeValue(s string) string {
	return strings.ReplaceAll(s, "$", "${$}")
}
