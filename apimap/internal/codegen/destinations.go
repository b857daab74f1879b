package codegen

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Destinations: the members of a request that name who a message goes to
// (a phone number, or an ID that AWS resolves to one). Every operation whose
// name starts with "Send", and every operation of destOps, must have at
// least one member in destClasses or a reason in noDestinations; Generate
// fails otherwise, on a destination member in any other operation, and on an
// entry of the three tables that names nothing of the models. Destinations
// are a concern apart from references: a member may be both (a verified
// destination number ID is a resource of the caller and a recipient).

// destClass is the destination class of a member.
type destClass struct {
	form    string   // the apimap Destination* constant of its values
	keys    bool     // the member is a map whose keys are the destinations
	channel string   // with keys: the member of the map's value that names the channel
	phone   []string // values of channel that send to a phone number
}

var (
	destPhone    = destClass{form: "DestinationPhoneNumber"}
	destVerified = destClass{form: "DestinationVerifiedID"}
)

// destClasses classifies the destination members, keyed "api:Shape.Member".
var destClasses = map[string]destClass{
	// Pinpoint: the keys of Addresses are addresses; an address whose
	// ChannelType is SMS or VOICE, or that has none (Pinpoint then infers
	// the channel from the address), is a phone number.
	"pinpoint:MessageRequest.Addresses":                            {form: "DestinationPhoneNumber", keys: true, channel: "ChannelType", phone: []string{"SMS", "VOICE"}},
	"pinpoint:MessageRequest.Endpoints":                            {form: "DestinationEndpoint", keys: true},
	"pinpoint:SendUsersMessageRequest.Users":                       {form: "DestinationUser", keys: true},
	"pinpoint:SendOTPMessageRequestParameters.DestinationIdentity": destPhone,
	"pinpoint:NumberValidateRequest.PhoneNumber":                   destPhone,

	// SMS and Voice v1.
	"sms-voice:SendVoiceMessageRequest.DestinationPhoneNumber": destPhone,

	// SMS and Voice v2.
	"sms-voice-v2:SendTextMessageRequest.DestinationPhoneNumber":                            destPhone,
	"sms-voice-v2:SendVoiceMessageRequest.DestinationPhoneNumber":                           destPhone,
	"sms-voice-v2:SendMediaMessageRequest.DestinationPhoneNumber":                           destPhone,
	"sms-voice-v2:SendNotifyTextMessageRequest.DestinationPhoneNumber":                      destPhone,
	"sms-voice-v2:SendNotifyVoiceMessageRequest.DestinationPhoneNumber":                     destPhone,
	"sms-voice-v2:SendRcsMessageRequest.DestinationPhoneNumber":                             destPhone,
	"sms-voice-v2:SendDestinationNumberVerificationCodeRequest.VerifiedDestinationNumberId": destVerified,
	"sms-voice-v2:CarrierLookupRequest.PhoneNumber":                                         destPhone,
}

// destOps lists the operations, keyed "api:Operation", that must have
// destinations although their names do not start with "Send": the number
// lookups, which AWS charges per number looked up.
var destOps = map[string]bool{
	"pinpoint:PhoneNumberValidate": true,
	"sms-voice-v2:CarrierLookup":   true,
}

// noDestinations lists the destination operations (Send*, destOps) that
// send nothing to a phone number, keyed "api:Operation", with the reason.
// None does today.
var noDestinations = map[string]string{}

// destForms are the apimap Destination* constants.
var destForms = map[string]bool{"DestinationPhoneNumber": true, "DestinationVerifiedID": true, "DestinationEndpoint": true, "DestinationUser": true}

// genDest is one destination member path of an operation.
type genDest struct {
	form    string
	path    []string // as refs, and "{key}" last: each key of the map
	channel string
	skip    []string // values of channel that are not phone destinations
}

// destinations walks the request body shape of op at any depth and returns
// its destination member paths.
func (g *gen) destinations(api string, m *model, bodyName string, body *shape, skipLocated bool) ([]genDest, error) {
	w := &destWalk{g: g, api: api, m: m, skipLocated: skipLocated, stack: map[string]bool{bodyName: true}}
	if err := w.walk(body, bodyName, nil, true); err != nil {
		return nil, err
	}
	return w.out, nil
}

// destWalk is one walk of destinations over a request body shape.
type destWalk struct {
	g           *gen
	api         string
	m           *model
	skipLocated bool
	stack       map[string]bool
	out         []genDest
}

func (w *destWalk) walk(sh *shape, shName string, path []string, top bool) error {
	if len(path) > 16 {
		return fmt.Errorf("member %s: nesting deeper than 16", strings.Join(path, "."))
	}
	for _, k := range slices.Sorted(maps.Keys(sh.Members)) {
		v := sh.Members[k]
		if top && w.skipLocated && v.Location != "" {
			continue
		}
		p := append(append([]string(nil), path...), v.wireName(k))
		key := w.api + ":" + shName + "." + k
		if c, ok := destClasses[key]; ok {
			w.g.usedDests[key] = true
			d, err := w.dest(c, v, p)
			if err != nil {
				return fmt.Errorf("destination %s: %w", key, err)
			}
			w.out = append(w.out, d)
		}
		p, elName := w.m.element(p, v.Shape)
		if el := w.m.Shapes[elName]; el.Type == "structure" {
			if w.stack[elName] {
				return fmt.Errorf("member %s: recursive shape %s", strings.Join(p, "."), elName)
			}
			w.stack[elName] = true
			if err := w.walk(&el, elName, p, false); err != nil {
				return err
			}
			delete(w.stack, elName)
		}
	}
	return nil
}

// dest checks the class c of member v at the JSON path p against the model
// and returns its generated path.
func (w *destWalk) dest(c destClass, v member, p []string) (genDest, error) {
	sh := w.m.Shapes[v.Shape]
	d := genDest{form: c.form}
	if !c.keys {
		pp, elName := w.m.element(slices.Clip(p), v.Shape) // Clip: the walk appends to p too
		if w.m.Shapes[elName].Type != "string" {
			return d, fmt.Errorf("shape %s is a %s, want a string", elName, w.m.Shapes[elName].Type)
		}
		d.path = pp
		return d, nil
	}
	if sh.Type != "map" || w.m.Shapes[sh.Key.Shape].Type != "string" {
		return d, fmt.Errorf("shape %s is not a map with string keys", v.Shape)
	}
	d.path = append(slices.Clip(p), "{key}")
	if c.channel == "" {
		return d, nil
	}
	val := w.m.Shapes[sh.Value.Shape]
	cm, ok := val.Members[c.channel]
	if !ok || val.Type != "structure" {
		return d, fmt.Errorf("value shape %s has no member %s", sh.Value.Shape, c.channel)
	}
	enum := w.m.Shapes[cm.Shape].Enum
	for _, ph := range c.phone {
		if !slices.Contains(enum, ph) {
			return d, fmt.Errorf("channel %s is not among %v", ph, enum)
		}
	}
	for _, e := range enum {
		if !slices.Contains(c.phone, e) {
			d.skip = append(d.skip, e)
		}
	}
	sort.Strings(d.skip)
	if len(d.skip) == 0 {
		return d, fmt.Errorf("channel member %s without non-phone values", c.channel)
	}
	d.channel = cm.wireName(c.channel)
	return d, nil
}

// isDestOp reports whether operation op of api must have destinations.
func isDestOp(api, op string) bool {
	return strings.HasPrefix(op, "Send") || destOps[api+":"+op]
}

// checkDestinations fails when a destination operation has no destination
// member and no reason, when another operation has one, or when an entry of
// destClasses, destOps or noDestinations names nothing of the models.
func (g *gen) checkDestinations() error {
	for k, c := range destClasses {
		if !destForms[c.form] || (c.channel != "") != (len(c.phone) > 0) || c.channel != "" && !c.keys {
			return fmt.Errorf("destClasses %s: bad class %+v", k, c)
		}
	}
	var missing, extra, stale []string
	for _, op := range g.ops {
		key := op.api + ":" + op.name
		reason, quiet := noDestinations[key]
		switch dest := isDestOp(op.api, op.name); {
		case dest && len(op.dests) == 0 && !quiet:
			missing = append(missing, key)
		case dest && len(op.dests) > 0 && quiet:
			stale = append(stale, key+" (noDestinations, but it has destination members)")
		case !dest && len(op.dests) > 0:
			extra = append(extra, key)
		case !dest && quiet:
			stale = append(stale, key+" (noDestinations, but not a destination operation)")
		case quiet && reason == "":
			stale = append(stale, key+" (noDestinations without a reason)")
		}
	}
	have := map[string]bool{}
	for _, op := range g.ops {
		have[op.api+":"+op.name] = true
	}
	for k := range destOps {
		if !have[k] {
			stale = append(stale, k+" (destOps)")
		}
	}
	for k := range noDestinations {
		if !have[k] {
			stale = append(stale, k+" (noDestinations)")
		}
	}
	for k := range destClasses {
		if !g.usedDests[k] {
			stale = append(stale, k+" (destClasses)")
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(stale)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("%d operations send messages but have no destination member in destClasses and no reason in noDestinations (apimap/internal/codegen/destinations.go): %s", len(missing), strings.Join(missing, ", "))
	case len(extra) > 0:
		return fmt.Errorf("operations with destination members are not destination operations (add them to destOps): %s", strings.Join(extra, ", "))
	case len(stale) > 0:
		return fmt.Errorf("destination entries name nothing of the models: %s", strings.Join(stale, ", "))
	}
	return nil
}

// Destinations returns the destination class of every member of destClasses
// that the generator found, keyed "api:Shape.Member": its form (the apimap
// constant's name), followed by " keys" when the map's keys are the
// destinations (for tests).
func Destinations(dataDir string) (map[string]string, error) {
	_, g, err := generate(dataDir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k := range g.usedDests {
		c := destClasses[k]
		out[k] = c.form
		if c.keys {
			out[k] += " keys"
		}
	}
	return out, nil
}

func writeDests(b *bytes.Buffer, dests []genDest) {
	b.WriteString(",\ndests: []destSpec{\n")
	for _, d := range dests {
		fmt.Fprintf(b, "{form: %s, path: %s", d.form, strList(d.path))
		if d.channel != "" {
			fmt.Fprintf(b, ", channel: %q, skip: %s", d.channel, strList(d.skip))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
}
