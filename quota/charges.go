package quota

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/pinpointgw/gateway/destination"
)

// MissingValueError is the error of Charges for a request that a quota
// governs but that has no value for the quota's Per key (or a destination
// without a value of a per-destination Per key): the caller denies.
type MissingValueError struct {
	Quota string // the quota's name
	Key   string // its Per key
}

// Error returns e.g. `quota "x": the request has no value for aws:PrincipalTag/tenant`.
func (e *MissingValueError) Error() string {
	return fmt.Sprintf("quota %q: the request has no value for %s", e.Quota, e.Key)
}

// Charges returns what a request takes: for every quota whose actions match
// one of actions (the IAM actions of the request's permissions), one Charge
// per distinct value of its Per key, in the order of the quotas. Each
// destination counts 1 in the counter of each value of Per that applies to
// it: a per-destination key (destination.IsPerDestination) takes the
// destination's own value, so destinations are grouped by their value; any
// other key's values (values(key), from the request context) apply to every
// destination. A governed request with no value for Per, or a destination
// without a value of a per-destination Per, is a *MissingValueError (the
// caller denies: fail closed). A request with zero destinations takes
// nothing (nil, nil).
func (s *Set) Charges(actions []string, values func(key string) []string, dests []destination.Destination) ([]Charge, error) {
	if s == nil || len(dests) == 0 {
		return nil, nil
	}
	var out []Charge
	for qi := range s.quotas {
		q := &s.quotas[qi]
		if !q.governs(actions) {
			continue
		}
		if q.perDest {
			var err error
			if out, err = q.perDestination(out, dests); err != nil {
				return nil, err
			}
			continue
		}
		vs := values(q.per)
		if len(vs) == 0 {
			return nil, &MissingValueError{Quota: q.name, Key: q.per}
		}
		if out == nil {
			out = make([]Charge, 0, max(4, len(vs)))
		}
		for i, v := range vs {
			if firstIndex(vs[:i], v, i) >= 0 {
				continue
			}
			out = append(out, q.charge(v, int64(len(dests))))
		}
	}
	return out, nil
}

// governs reports whether one of actions matches one of q's patterns.
func (q *compiled) governs(actions []string) bool {
	for i := range q.actions {
		for _, a := range actions {
			if q.actions[i].Matches(a) {
				return true
			}
		}
	}
	return false
}

// perDestination appends q's charges for a per-destination Per key: one per
// distinct value, counting the destinations that have it.
func (q *compiled) perDestination(out []Charge, dests []destination.Destination) ([]Charge, error) {
	var (
		vStack [8]string
		nStack [8]int64
		vals   = vStack[:0]
		counts = nStack[:0]
		index  map[string]int // for many destinations
	)
	if len(dests) > 16 {
		index = make(map[string]int)
	}
	for i := range dests {
		v, ok := dests[i].ValueOf(q.per)
		if !ok {
			return nil, &MissingValueError{Quota: q.name, Key: q.per}
		}
		j := -1
		if index != nil {
			if k, ok := index[v]; ok {
				j = k
			} else {
				index[v] = len(vals)
			}
		} else {
			j = firstIndex(vals, v, len(vals))
		}
		if j >= 0 {
			counts[j]++
			continue
		}
		vals = append(vals, v)
		counts = append(counts, 1)
	}
	if out == nil {
		out = make([]Charge, 0, max(4, len(vals)))
	}
	for i, v := range vals {
		out = append(out, q.charge(v, counts[i]))
	}
	return out, nil
}

// firstIndex returns the index of v in vs[:n], or -1.
func firstIndex(vs []string, v string, n int) int {
	for i := 0; i < n; i++ {
		if vs[i] == v {
			return i
		}
	}
	return -1
}

// charge returns q's charge of n destinations on the counter of value v.
func (q *compiled) charge(v string, n int64) Charge {
	var key string
	if q.keys != nil {
		key = q.keys.get(v, q.key)
	} else {
		key = q.key(v)
	}
	return Charge{Quota: q.name, Key: key, Count: n, Limit: q.limit, Window: q.window}
}

// key returns the storage key of q's counter of value v: keyStart and the
// first 16 bytes, in hex, of SHA-256 over the lower-cased Per key, a NUL and
// v.
func (q *compiled) key(v string) string {
	var in [256]byte
	sum := sha256.Sum256(append(append(in[:0], q.hashed...), v...))
	var k [keyMaxLen]byte
	b := append(k[:0], q.keyStart...)
	b = hex.AppendEncode(b, sum[:16])
	return string(b)
}

// keyMaxLen bounds the length of a storage key: KeyPrefix, a name of 64
// bytes, ":", a window of up to 10 digits, ":", 32 hex digits.
const keyMaxLen = len(KeyPrefix) + 64 + 1 + 10 + 1 + 32
