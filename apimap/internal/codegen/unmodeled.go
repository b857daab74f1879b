package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The SMS and Voice v2 API grows faster than any snapshot of its model. Its
// X-Amz-Target operation name is the IAM action name (data README, "How
// each API is addressed"), so the sms-voice actions of the IAM reference
// data that no model operation has are the operations a newer SDK may send
// before the models know them (e.g. ListAvailablePhoneNumbers, which the
// JavaScript SDK 3.1138.0 sends). The generator lists them, with their
// resource types, in unmodeledV2Table; apimap maps one with no resource type
// to its action on "*" and refuses one with resource types (it cannot know
// where the request carries their IDs).
//
// The actions of the v1 model are left out: cloud-copilot's iam-data merges
// the v1 and v2 reference pages under the one prefix (data README, 2a), and
// a v1 operation sent as a v2 target is not a newer v2 operation: it stays
// unknown.

// unmodeledAction is one sms-voice action that no operation of the v1 or v2
// model has.
type unmodeledAction struct {
	name   string   // the action (and X-Amz-Target operation) name
	access string   // access level of the reference
	types  []string // resource types, sorted; nil when none
}

// actionEntry is the part of a cloud-copilot action the generator reads.
type actionEntry struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name string `json:"name"`
	} `json:"resourceTypes"`
}

var opNameRe = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{1,127}$`)

// maxUnmodeled bounds the list: many actions without an operation mean the
// models and the IAM data are of very different ages, which a refresh must
// look at rather than publish.
const maxUnmodeled = 20

// unmodeledActions returns the sms-voice actions of in that no operation of
// the v1 or v2 model has, sorted by name. It fails on a name that cannot be
// an operation name, on an action whose entry cannot be read, on a resource
// type the reference does not define, and on more than maxUnmodeled.
func unmodeledActions(in *sources) ([]unmodeledAction, error) {
	var out []unmodeledAction
	for key, raw := range in.actions["sms-voice"] {
		var a actionEntry
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("sms-voice action %s: %w", key, err)
		}
		if !strings.EqualFold(a.Name, key) || !opNameRe.MatchString(a.Name) {
			return nil, fmt.Errorf("sms-voice action %q (key %q): not an operation name", a.Name, key)
		}
		if _, ok := in.models[apiSMSVoiceV2].Operations[a.Name]; ok {
			continue
		}
		if _, ok := in.models[apiSMSVoice].Operations[a.Name]; ok {
			continue // a v1 operation, not a newer v2 one
		}
		u := unmodeledAction{name: a.Name, access: a.AccessLevel}
		for _, rt := range a.ResourceTypes {
			if e, ok := in.rtypes["sms-voice"][strings.ToLower(rt.Name)]; !ok || e.Key != rt.Name {
				return nil, fmt.Errorf("sms-voice action %s: unknown resource type %q", a.Name, rt.Name)
			}
			u.types = append(u.types, rt.Name)
		}
		sort.Strings(u.types)
		out = append(out, u)
	}
	if len(out) > maxUnmodeled {
		return nil, fmt.Errorf("%d sms-voice actions have no operation in the models (at most %d expected): are the models much older than the IAM data?", len(out), maxUnmodeled)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// writeUnmodeled writes unmodeledV2Table.
func writeUnmodeled(buf *bytes.Buffer, acts []unmodeledAction) {
	buf.WriteString("// unmodeledV2Table lists the sms-voice actions of the IAM reference data that no\n")
	buf.WriteString("// operation of the SMS and Voice v2 (or v1) model has, with their resource types.\n")
	buf.WriteString("var unmodeledV2Table = []unmodeledSpec{\n")
	for _, a := range acts {
		fmt.Fprintf(buf, "{name: %q, access: %q", a.name, a.access)
		if len(a.types) > 0 {
			fmt.Fprintf(buf, ", types: %s", strList(a.types))
		}
		buf.WriteString("},\n")
	}
	buf.WriteString("}\n\n")
}
