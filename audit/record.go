// Package audit encodes the parts of the gateway's audit record (one per
// request, written by the pipeline in module/audit.go) on a zap encoder,
// bounded: whatever a request holds, its record is at most MaxRecord
// bytes.
package audit

import (
	"sort"
	"strconv"
	"unicode/utf8"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/destination"
)

// Bounds of the audit record: whatever a request holds, its record is at
// most MaxRecord bytes. Lists keep their first elements and say how
// many they left out in a sibling field <name>_omitted (resources_omitted
// inside an authorization); strings are cut so that their JSON encoding
// (escapes included) takes at most maxAuditString bytes (maxAuditReason
// for the reason and the upstream error), and end in "…(+N bytes)".
//
// The worst case: 8 authorizations of an action, a service and 8
// resources (~21 KiB), 8 references of 3 strings (~7 KiB), 8 matches of 2
// (~5 KiB), 8 ARNs of resource_tags_unavailable (~2.5 KiB), two tag maps
// of 8 tags (~9 KiB), 8 destinations of 3 strings and 4 short ones
// (~7 KiB), 8 quota names (~2 KiB), 18 single strings (error_code and upstream_error_code among them) and 3 long ones
// (~8.5 KiB), 6 request parameters (~2 KiB, parameters.go): ~64 KiB
// (TestAuditRecordBounded measured at most 63.5 KiB before the decision
// inputs); and the decision inputs (decision.go), whose values are never
// cut: the context (maxContext, 26 KiB, with 8 names of keys left out,
// ~2 KiB), the evaluations (maxEvaluations, 24 KiB) and the session
// policies (maxSessionPolicy, 8 KiB, and 10 names, 2.5 KiB): ~127 KiB.
// The decision inputs doubled MaxRecord (64 KiB before) so that a record
// can hold a request's context whole; a typical record grows by about
// 1 KiB.
const (
	// MaxRecord is the most bytes of one audit record.
	MaxRecord          = 128 << 10
	maxAuditString     = 256
	maxAuditReason     = 1024
	maxAuditAuths      = 8  // authorizations
	maxAuditStrings    = 8  // resources of one authorization, resource_tags_unavailable
	maxAuditMatched    = 8  // matched statements
	maxAuditReferences = 8  // references
	maxAuditTags       = 8  // session_tags, issued_session_tags
	maxAuditDests      = 8  // destinations
	maxAuditShort      = 32 // a destination's form, country, calling code and number type (a few bytes each)
)

// jsonCost is the most bytes one byte of a string takes in the record's
// JSON: 6 for control characters (\u00XX), 2 for the quote and the
// backslash, 1 for the rest (a byte of invalid UTF-8 is charged when its
// rune is decoded: \ufffd, 6).
var jsonCost = func() (t [256]uint8) {
	for i := range t {
		switch {
		case i < 0x20:
			t[i] = 6
		case i == '"' || i == '\\':
			t[i] = 2
		default:
			t[i] = 1
		}
	}
	return t
}()

// capString cuts s so that its JSON encoding takes at most about n bytes
// (on a character boundary) and says how much it left out; strings that
// fit are returned as they are, without allocating.
func capString(s string, n int) string {
	if len(s)*6 <= n {
		return s // fits whatever it holds
	}
	cost, i := 0, 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if cost+int(jsonCost[c]) > n {
				break
			}
			cost += int(jsonCost[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w := size
		if r == utf8.RuneError && size == 1 {
			w = 6
		} else if r == '\u2028' || r == '\u2029' {
			w = 6
		}
		if cost+w > n {
			break
		}
		cost += w
		i += size
	}
	if i == len(s) {
		return s
	}
	return s[:i] + "…(+" + strconv.Itoa(len(s)-i) + " bytes)"
}

// String is the string field key, its value cut to the record's bound of
// a string.
func String(key, value string) zap.Field { return zap.String(key, capString(value, maxAuditString)) }

// Reason is the string field key of a long text (the reason, the upstream
// error), cut to the record's bound of those.
func Reason(key, value string) zap.Field { return zap.String(key, capString(value, maxAuditReason)) }

// AddPermissions adds the permissions (at most maxAuditAuths, each with at
// most maxAuditStrings resources) as the field "authorizations".
func AddPermissions(enc zapcore.ObjectEncoder, auths []apimap.Permission) error {
	return addList(enc, "authorizations", auths, maxAuditAuths, asAuthorizations)
}

// AddReferences adds the references (at most maxAuditReferences) as the
// field "references".
func AddReferences(enc zapcore.ObjectEncoder, refs []apimap.Reference) error {
	return addList(enc, "references", refs, maxAuditReferences, asReferences)
}

// AddMatches adds the statements that decided (at most maxAuditMatched) as
// the field "matched".
func AddMatches(enc zapcore.ObjectEncoder, ms []authz.Match) error {
	return addList(enc, "matched", ms, maxAuditMatched, asMatches)
}

// AddStrings adds the first maxAuditStrings strings of list, each cut, as
// the array field name, and the count of the others as name_omitted.
func AddStrings(enc zapcore.ObjectEncoder, name string, list []string) error {
	if len(list) == 0 {
		return nil
	}
	kept := stringsLog(list)
	if err := enc.AddArray(name, &kept); err != nil {
		return err
	}
	if omitted := len(list) - maxAuditStrings; omitted > 0 {
		enc.AddInt64(name+"_omitted", int64(omitted))
	}
	return nil
}

// addList adds the first n elements of list as the array field name (as
// marshals them) and, when it left any out, their count as name_omitted.
func addList[T any](enc zapcore.ObjectEncoder, name string, list []T, n int, as func([]T) zapcore.ArrayMarshaler) error {
	if len(list) == 0 {
		return nil
	}
	kept, omitted := capList(list, n)
	if err := enc.AddArray(name, as(kept)); err != nil {
		return err
	}
	if omitted > 0 {
		enc.AddInt64(name+"_omitted", int64(omitted))
	}
	return nil
}

// capList returns the first n elements of list and the number left out.
func capList[T any](list []T, n int) ([]T, int) {
	if len(list) <= n {
		return list, 0
	}
	return list[:n], len(list) - n
}

// AddTags adds a tag map as an object field, at most maxAuditTags tags
// (the first keys in sorted order when there are more, and a field
// <name>_omitted).
func AddTags(enc zapcore.ObjectEncoder, name string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	if len(tags) <= maxAuditTags {
		return enc.AddObject(name, stringMap(tags))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kept := make(stringMap, maxAuditTags)
	for _, k := range keys[:maxAuditTags] {
		kept[k] = tags[k]
	}
	if err := enc.AddObject(name, kept); err != nil {
		return err
	}
	enc.AddInt64(name+"_omitted", int64(len(tags)-maxAuditTags))
	return nil
}

// stringMap logs a tag map as an object.
type stringMap map[string]string

func (m stringMap) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for k, v := range m {
		enc.AddString(capString(k, maxAuditString), capString(v, maxAuditString))
	}
	return nil
}

// The marshalers of the record's arrays. The elements are passed by
// pointer into the slices' arrays, which belong to the request alone,
// sparing an allocation each.

// permissionsLog logs action/resources pairs.
type permissionsLog []apimap.Permission

func asAuthorizations(as []apimap.Permission) zapcore.ArrayMarshaler { return permissionsLog(as) }

func (as permissionsLog) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range as {
		if err := enc.AppendObject((*permissionLog)(&as[i])); err != nil {
			return err
		}
	}
	return nil
}

type permissionLog apimap.Permission

func (a *permissionLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("action", capString(a.Action, maxAuditString))
	if a.PassedToService != "" {
		enc.AddString("passed_to_service", capString(a.PassedToService, maxAuditString))
	}
	if err := enc.AddArray("resources", (*stringsLog)(&a.Resources)); err != nil {
		return err
	}
	if omitted := len(a.Resources) - maxAuditStrings; omitted > 0 {
		enc.AddInt("resources_omitted", omitted)
	}
	return nil
}

// stringsLog logs the first maxAuditStrings strings of a slice, each
// capped; the caller adds the count of the others.
type stringsLog []string

func (ss *stringsLog) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	list, _ := capList(*ss, maxAuditStrings)
	for _, s := range list {
		enc.AppendString(capString(s, maxAuditString))
	}
	return nil
}

// references logs the resources AWS uses on the caller's behalf.
type references []apimap.Reference

func asReferences(rs []apimap.Reference) zapcore.ArrayMarshaler { return references(rs) }

func (rs references) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range rs {
		if err := enc.AppendObject((*referenceLog)(&rs[i])); err != nil {
			return err
		}
	}
	return nil
}

type referenceLog apimap.Reference

func (r *referenceLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("kind", capString(r.ResourceType, maxAuditString))
	enc.AddString("member", capString(r.Member, maxAuditString))
	enc.AddString("arn", capString(r.ARN, maxAuditString))
	return nil
}

// AddDestinations adds where the request's messages go (at most
// maxAuditDests) as the array destinations: each destination's member,
// value and form, then its country, calling code and number type, or why
// the gateway could not read a number there (error).
func AddDestinations(enc zapcore.ObjectEncoder, ds []destination.Destination) error {
	return addList(enc, "destinations", ds, maxAuditDests, asDestinations)
}

// destinations logs where the messages go.
type destinations []destination.Destination

func asDestinations(ds []destination.Destination) zapcore.ArrayMarshaler { return destinations(ds) }

func (ds destinations) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range ds {
		if err := enc.AppendObject((*destinationLog)(&ds[i])); err != nil {
			return err
		}
	}
	return nil
}

type destinationLog destination.Destination

func (d *destinationLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("member", capString(d.Member, maxAuditString))
	enc.AddString("value", capString(d.Value, maxAuditString))
	enc.AddString("form", capString(d.Form, maxAuditShort))
	if d.Err != nil {
		enc.AddString("error", capString(d.Err.Error(), maxAuditString))
		return nil
	}
	enc.AddString("country", capString(d.Number.Country, maxAuditShort))
	enc.AddString("calling_code", capString(d.Number.CallingCode, maxAuditShort))
	enc.AddString("number_type", capString(d.Number.Type, maxAuditShort))
	return nil
}

// matches logs the statements that decided.
type matches []authz.Match

func asMatches(ms []authz.Match) zapcore.ArrayMarshaler { return matches(ms) }

func (ms matches) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range ms {
		if err := enc.AppendObject((*matchLog)(&ms[i])); err != nil {
			return err
		}
	}
	return nil
}

type matchLog authz.Match

func (m *matchLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("type", m.Type.String())
	enc.AddString("policy", capString(m.Policy, maxAuditString))
	if m.Sid != "" {
		enc.AddString("sid", capString(m.Sid, maxAuditString))
	}
	enc.AddInt("index", m.Index)
	enc.AddString("effect", m.Effect.String())
	return nil
}
