package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pinpointgw/gateway/internal/wirecheck"
)

// The invariant test's principal: allowed everything, so that whatever the
// gateway maps is allowed and forwarded, and the audit record of each
// forwarded request says what the gateway decided on.
const (
	invariantKeyID  = "AKIAINTEGINVARIANT01"
	invariantSecret = "invariantSecretKey/IntegrationTests/00004"
	invariantUA     = "wirecheck-invariant/"
)

func invariantStore() obj {
	return obj{
		"users": []obj{{"name": "admin",
			"access_keys": []obj{{"id": invariantKeyID, "secret": invariantSecret}},
			"policies":    []string{"AllowAll"}}},
		"policies": obj{"AllowAll": obj{"Version": "2012-10-17", "Statement": []obj{
			{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}}}},
	}
}

// invariantCoarserThanLabels are URI labels that AWS itself does not
// authorize: the action's only resource type is the enclosing application
// or journey, inside which AWS resolves the label. A policy cannot name
// them in AWS either, so the gateway, as strict as IAM, does not. Each
// entry must be observed (an unused one fails the test): adding one is a
// deliberate narrowing of the invariant.
var invariantCoarserThanLabels = map[string]bool{
	"pinpoint GetInAppMessages {endpoint-id}":                              true, // resource type: app
	"pinpoint GetJourneyRunExecutionActivityMetrics {journey-activity-id}": true, // resource type: journey
}

// invariantSent is one request the test sent, and what reached upstreams
// while it was in flight.
type invariantSent struct {
	seq       int
	gen       wirecheck.Generated
	status    int
	forwarded []upstreamRecord
}

// TestInvariantForwardedIsAuthorized is the differential invariant: for
// every operation of the three models, a generated request and its
// adversarial mutations (wirecheck.Mutations) are signed by an allow-all
// principal and sent through the real binary; for every request that
// reached a fake upstream, an independent reader built from the models
// (internal/wirecheck, which shares nothing with apimap) reads what the
// upstream received, and every operation and resource it names must be in
// that request's audit record: the action among the authorizations, each
// resource identifier within an authorized ARN, each referenced resource
// (topic, stream, bucket, template, ...) within an authorized ARN or the
// record's references, and each role ARN the resource of an iam:PassRole
// authorization; and no request past the model's length limits is
// forwarded at all. The failure lists each violation once: API, operation,
// member, value, problem, and the mutations that showed it.
func TestInvariantForwardedIsAuthorized(t *testing.T) {
	ms := wirecheck.LoadForTest(t)
	e := newEnv(t, func(c *gatewayConfig) { c.Store = storeJSON(t, invariantStore()) })
	e.forbid(invariantKeyID, invariantSecret)

	var gens []wirecheck.Generated
	for _, api := range []string{"pinpoint", "sms-voice", "sms-voice-v2"} {
		for _, op := range ms.APIs[api].OperationNames() {
			g, err := ms.Generate(api, op)
			if err != nil {
				t.Fatal(err)
			}
			gens = append(gens, g)
			gens = append(gens, ms.Mutations(g)...)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	var sent []invariantSent
	for i, g := range gens {
		before := map[string]int{}
		for api, u := range e.up {
			before[api] = len(u.Records())
		}
		s := invariantSent{seq: i, gen: g}
		s.status = invariantSend(t, client, e.g, i, g)
		for api, u := range e.up {
			for _, r := range u.Records()[before[api]:] {
				if r.Header.Get("User-Agent") == "pinpoint-gateway" {
					continue // the gateway's own lookup, not a forwarded request
				}
				s.forwarded = append(s.forwarded, r)
			}
		}
		sent = append(sent, s)
	}
	sendTime := time.Since(start)

	// Every request has exactly one audit record; find it by user agent.
	byUA := map[string]map[string]any{}
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, rec := range e.g.auditRecords(t) {
			if ua := field(rec, "user_agent"); strings.HasPrefix(ua, invariantUA) {
				byUA[ua] = rec
			}
		}
		if len(byUA) >= len(sent) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // poll interval, bounded by the deadline above
	}

	type key struct{ api, op, member, problem string }
	seen := map[key]*struct {
		v         wirecheck.Violation
		mutations map[string]bool
	}{}
	var order []key
	usedCoarser := map[string]bool{}
	report := func(v wirecheck.Violation, mutation string) {
		if c := v.API + " " + v.Operation + " " + v.Member; invariantCoarserThanLabels[c] {
			usedCoarser[c] = true
			return
		}
		k := key{v.API, v.Operation, v.Member, v.Problem}
		if seen[k] == nil {
			seen[k] = &struct {
				v         wirecheck.Violation
				mutations map[string]bool
			}{v, map[string]bool{}}
			order = append(order, k)
		}
		seen[k].mutations[mutation] = true
	}
	forwardedBy := map[string]int{}
	sentBy := map[string]int{}
	nForwarded := 0
	for _, s := range sent {
		mut := invariantMutationClass(s.gen)
		sentBy[mut]++
		if len(s.forwarded) == 0 {
			continue
		}
		forwardedBy[mut]++
		nForwarded++
		rec := byUA[invariantUA+strconv.Itoa(s.seq)]
		if rec == nil {
			report(wirecheck.Violation{API: s.gen.API, Operation: s.gen.Operation, Problem: "forwarded without an audit record"}, mut)
			continue
		}
		if s.gen.PastLimit {
			report(wirecheck.Violation{API: s.gen.API, Operation: s.gen.Operation, Problem: "forwarded though past the model's length limit"}, mut)
		}
		if d := field(rec, "decision"); d != "Allow" {
			report(wirecheck.Violation{API: s.gen.API, Operation: s.gen.Operation, Problem: "forwarded with decision " + d}, mut)
		}
		audit := wirecheck.AuditFromRecord(rec)
		if len(s.forwarded) > 1 {
			report(wirecheck.Violation{API: s.gen.API, Operation: s.gen.Operation, Problem: fmt.Sprintf("one request forwarded %d times", len(s.forwarded))}, mut)
		}
		for _, r := range s.forwarded {
			rds, err := ms.Read(wirecheck.Request{Method: r.Method, RawPath: r.Path, RawQuery: r.RawQuery, Header: r.Header, Body: r.Body})
			if err != nil {
				report(wirecheck.Violation{API: s.gen.API, Operation: s.gen.Operation, Problem: "forwarded request names no operation: " + err.Error()}, mut)
				continue
			}
			for _, rd := range rds {
				for _, v := range wirecheck.Check(rd, audit) {
					report(v, mut)
				}
			}
		}
	}
	var muts []string
	for m := range sentBy {
		muts = append(muts, fmt.Sprintf("%s %d/%d", m, forwardedBy[m], sentBy[m]))
	}
	sort.Strings(muts)
	t.Logf("%d requests (%d operations) sent in %v; %d forwarded; forwarded/sent by mutation: %s",
		len(sent), len(ms.APIs["pinpoint"].Operations)+len(ms.APIs["sms-voice"].Operations)+len(ms.APIs["sms-voice-v2"].Operations),
		sendTime.Round(time.Millisecond), nForwarded, strings.Join(muts, ", "))
	if nForwarded == 0 {
		t.Fatal("no request reached an upstream: the invariant was not exercised")
	}
	for c := range invariantCoarserThanLabels {
		if !usedCoarser[c] {
			t.Errorf("invariantCoarserThanLabels: %s was not observed; remove it", c)
		}
	}
	if len(order) == 0 {
		return
	}
	// A violation seen only under mutations (a header game) is listed once
	// per mutation and problem with the operations it hit; the others once
	// each, with the mutations that showed them.
	var b strings.Builder
	type bucket struct {
		ops []string
		eg  wirecheck.Violation
	}
	buckets := map[string]*bucket{}
	var border []string
	for _, k := range order {
		x := seen[k]
		var ms []string
		for m := range x.mutations {
			ms = append(ms, m)
		}
		sort.Strings(ms)
		if !x.mutations["base"] {
			kind, _, _ := strings.Cut(x.v.Problem, ":")
			if strings.HasPrefix(kind, "action ") {
				kind = "the operation read from the forwarded bytes is not the one authorized"
			}
			bk := "[" + strings.Join(ms, " ") + "] " + kind
			if buckets[bk] == nil {
				buckets[bk] = &bucket{eg: x.v}
				border = append(border, bk)
			}
			buckets[bk].ops = append(buckets[bk].ops, x.v.API+" "+x.v.Operation)
			continue
		}
		fmt.Fprintf(&b, "\n  %s  [%s]", x.v, strings.Join(ms, " "))
	}
	for _, bk := range border {
		x := buckets[bk]
		fmt.Fprintf(&b, "\n  %s: %d operations, e.g. %s", bk, len(x.ops), x.eg)
	}
	t.Errorf("%d forwarded requests act on what their audit record does not authorize (%d distinct):%s", nForwarded, len(order), b.String())
}

// invariantMutationClass names g's mutation without the member it changed:
// "list-past-max" for "list-PoolIds-6".
func invariantMutationClass(g wirecheck.Generated) string {
	m := g.Mutation
	switch {
	case m == "":
		return "base"
	case strings.HasPrefix(m, "list-"), strings.HasPrefix(m, "string-"):
		kind, _, _ := strings.Cut(m, "-")
		if g.PastLimit {
			return kind + "-past-max"
		}
		return kind + "-at-max"
	}
	return m
}

// invariantSend signs g as the invariant principal and sends it; it
// returns the status.
func invariantSend(t *testing.T, client *http.Client, g *gatewayProc, seq int, gen wirecheck.Generated) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target := g.URL + gen.Path
	if gen.RawQuery != "" {
		target += "?" + gen.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, gen.Method, target, bytes.NewReader(gen.Body))
	if err != nil {
		t.Fatalf("%s %s (%s): building request: %v", gen.API, gen.Operation, gen.Mutation, err)
	}
	for k, vs := range gen.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set("User-Agent", invariantUA+strconv.Itoa(seq))
	sum := sha256.Sum256(gen.Body)
	creds := aws.Credentials{AccessKeyID: invariantKeyID, SecretAccessKey: invariantSecret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), gen.Service, testRegion, time.Now()); err != nil {
		t.Fatalf("signing: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s (%s): %v", gen.API, gen.Operation, gen.Mutation, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
