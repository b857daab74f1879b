package apimap

import (
	"fmt"
	"slices"
	"unicode/utf8"
)

// Destination forms (Destination.Form).
const (
	DestinationPhoneNumber = "phone-number"                   // a phone number as sent (E.164 expected)
	DestinationVerifiedID  = "verified-destination-number-id" // v2 SendDestinationNumberVerificationCode: resolved upstream to its number
	DestinationEndpoint    = "endpoint-id"                    // Pinpoint MessageRequest.Endpoints keys: address unknown to the gateway
	DestinationUser        = "user-id"                        // Pinpoint SendUsersMessages Users keys: addresses unknown to the gateway
)

// Destination is one recipient of a message the request sends.
type Destination struct {
	Form   string
	Member string // dotted member path; list elements [i], map keys ["key"]
	Value  string // exactly as sent (decoded from JSON)
}

// maxDestinations bounds the destinations of one request; a request with
// more is refused (BadRequest). It is Pinpoint's own limit: "You can send a
// direct message to as many as 100 recipients" (Amazon Pinpoint API
// Reference, Messages resource, apps-application-id-messages.html) and "as
// many as 100 users per request" (Users Messages resource,
// apps-application-id-users-messages.html). The developer guide pages in
// ../shared/data/pinpoint-developer-guide do not state it. The SMS and Voice
// operations name one destination each.
const maxDestinations = 100

// destSpec is one member path of an operation's body that names
// destinations (generated from the service models).
type destSpec struct {
	form string
	// path is JSON member names; "[]" is each element of a list, "{}" each
	// value of a map, and "{key}", last, each key of a map: the key is the
	// destination.
	path    []string
	channel string   // with "{key}": the member of the map's value that names the channel
	skip    []string // values of channel that send to no phone number: those keys are not destinations
	member  string   // the dotted member path when path has no list or map (set by compileTables)
}

// foundDest is a destination with its offset in the body, for request order.
type foundDest struct {
	off  int
	dest Destination
}

// compileDestinations checks op's destination specs and fixes the member
// path of those whose path crosses no list or map.
func compileDestinations(op *opSpec) error {
	for j := range op.dests {
		d := &op.dests[j]
		switch d.form {
		case DestinationPhoneNumber, DestinationVerifiedID, DestinationEndpoint, DestinationUser:
		default:
			return fmt.Errorf("%s: destination of unknown form %q", op.name, d.form)
		}
		if len(d.path) == 0 || d.path[0] == "[]" || d.path[0] == "{}" || d.path[0] == "{key}" {
			return fmt.Errorf("%s: bad destination path %q", op.name, d.path)
		}
		if i := slices.Index(d.path, "{key}"); i >= 0 && i != len(d.path)-1 || (d.channel != "") != (len(d.skip) > 0) || d.channel != "" && i < 0 {
			return fmt.Errorf("%s: bad destination spec %+v", op.name, d)
		}
		if !slices.ContainsFunc(d.path, func(s string) bool { return s == "[]" || s == "{}" || s == "{key}" }) {
			d.member = joinMember(d.path)
		}
	}
	return nil
}

// destinations reads every destination member of the body, in request
// order, into Result.Destinations, using buf when it has room. Operations
// without destination members pay nothing.
func (m *mapper) destinations(buf []Destination) error {
	if len(m.op.dests) == 0 {
		return nil
	}
	var fbuf [4]foundDest
	var sbuf [8]string
	found := fbuf[:0]
	for i := range m.op.dests {
		ds := &m.op.dests[i]
		v, err := m.body.get(ds.path[0])
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		w, err := m.walkPath(pathWalk{ds: ds, dests: found}, v, ds.path[1:], append(sbuf[:0], ds.path[0]))
		if err != nil {
			return err
		}
		found = w.dests
	}
	if len(found) == 0 {
		return nil
	}
	slices.SortStableFunc(found, func(a, b foundDest) int { return a.off - b.off })
	dests := buf[:0]
	for _, f := range found {
		dests = append(dests, f.dest)
		if f.dest.Form == DestinationEndpoint {
			// Addressing Pinpoint endpoints uses the engagement feature AWS
			// retired, whatever the operation's own lifecycle.
			m.res.Lifecycle = Retired
		}
	}
	m.res.Destinations = dests[:len(dests):len(dests)]
	return nil
}

// addDest appends the destination s found at member (the raw value at v
// gives its place in the body), refusing more than maxDestinations.
func (m *mapper) addDest(found []foundDest, ds *destSpec, member, s string, v []byte) ([]foundDest, error) {
	if len(found) >= maxDestinations {
		return nil, badRequest("more than %d destinations", maxDestinations)
	}
	return append(found, foundDest{off: cap(m.req.Body) - cap(v), dest: Destination{Form: ds.form, Member: member, Value: s}}), nil
}

// keyDest records the key of map entry f (at member path segs) as a
// destination, unless the entry's channel member names a channel of
// ds.skip. The entry's value must be an object or null; a null value, or
// one without the channel member, is a destination (fail closed), and so is
// a channel value the model does not list.
func (m *mapper) keyDest(ds *destSpec, f jfield, segs []string, found []foundDest) ([]foundDest, error) {
	if !utf8.Valid(f.key) {
		return nil, badRequest("member %s: key is not valid UTF-8", joinMember(segs[:len(segs)-1]))
	}
	switch jsonKind(f.val) {
	case 0:
	case 'o':
		if ds.channel == "" {
			break
		}
		var buf [16]jfield
		o, err := parseObject(f.val, buf[:0])
		if err != nil {
			return nil, err
		}
		ch, ok, err := o.getString(ds.channel)
		if err != nil {
			return nil, badRequest("member %s: %v", joinMember(segs), err)
		}
		if ok && slices.Contains(ds.skip, ch) {
			return found, nil
		}
	default:
		return nil, badRequest("member %s must be an object", joinMember(segs))
	}
	return m.addDest(found, ds, joinMember(segs), string(f.key), f.val)
}
