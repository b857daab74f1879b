package policygen

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/pinpointgw/gateway/replay"
)

const (
	acct    = "123456789012"
	userARN = "arn:aws:iam::123456789012:user/backend"
	appPfx  = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/"
)

// sliceSource cuts records built by hand into parts of at most two records, read
// concurrently.
func sliceSource(recs []*replay.Record) []Part {
	var parts []Part
	for len(recs) > 0 {
		n := min(2, len(recs))
		parts = append(parts, onePart(recs[:n])[0])
		recs = recs[n:]
	}
	return parts
}

// onePart is records built by hand as one part.
func onePart(recs []*replay.Record) []Part {
	return []Part{func(fn func(*replay.Record) error) (replay.Stats, error) {
		for _, r := range recs {
			if err := fn(r); err != nil {
				return replay.Stats{}, err
			}
		}
		return replay.Stats{Records: int64(len(recs))}, nil
	}}
}

var seq atomic.Int64

// call builds a record of userARN with one evaluated pair per (action, resource) given in
// turn: the last pair has the decision, the ones before it are allowed. It goes through the
// audit record's JSON and replay.Read, as records of a log do.
func call(decision string, actionResource ...string) *replay.Record {
	return record(map[string]any{"decision": decision}, actionResource...)
}

// record is call with more fields of the audit record's JSON.
func record(fields map[string]any, actionResource ...string) *replay.Record {
	id := fmt.Sprintf("req-%04d", seq.Add(1))
	decision, _ := fields["decision"].(string)
	rec := map[string]any{
		"logger": replay.AuditLogger, "request_id": id,
		"principal_arn": userARN, "principal_type": "User", "api": "pinpoint", "mode": "enforce",
		"context": map[string]any{"aws:principalarn": userARN, "aws:principalaccount": acct},
	}
	var auths, evals []map[string]any
	for i := 0; i+1 < len(actionResource); i += 2 {
		d := "Allow"
		if i+2 >= len(actionResource) {
			d = decision
		}
		a, r := actionResource[i], actionResource[i+1]
		auth := map[string]any{"action": a}
		if r != "*" {
			auth["resources"] = []string{r}
		}
		auths = append(auths, auth)
		evals = append(evals, map[string]any{"action": a, "resource": r, "decision": d,
			"keys": map[string]any{"aws:resourceaccount": acct}})
	}
	rec["authorizations"], rec["evaluations"] = auths, evals
	for k, v := range fields {
		rec[k] = v
	}
	line, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	var out *replay.Record
	if _, err := replay.Read(strings.NewReader(string(line)+"\n"), func(r *replay.Record) error { out = r; return nil }); err != nil || out == nil {
		panic(fmt.Sprintf("reading %s: %v", line, err))
	}
	return out
}

// withResourceTag sets a resource tag on every pair of r.
func withResourceTag(r *replay.Record, k, v string) *replay.Record {
	for i := range r.Pairs {
		r.Pairs[i].Keys["aws:resourcetag/"+k] = []string{v}
	}
	return r
}

// withRequestTag sets a request tag on r.
func withRequestTag(r *replay.Record, k, v string) *replay.Record {
	r.Context["aws:requesttag/"+k] = []string{v}
	return r
}

// apps returns the ARNs of n apps app-00 ... in us-east-1.
func apps(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%sapp-%02d", appPfx, i)
	}
	return out
}
