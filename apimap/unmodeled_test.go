package apimap

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestUnmodeledOperations checks the rule for SMS and Voice v2 targets that
// the models lack: mapped by the IAM reference data when it lists the action
// with no resource type, denied as before when it does not list it.
func TestUnmodeledOperations(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		req      *Request
		wantKind ErrorKind // 0: mapped by RuleIAMReference on "*"
		wantMsg  string
	}{
		"only in the IAM data, no resource type, empty body": {req: v2("ListAvailablePhoneNumbers", "")},
		"only in the IAM data, no resource type, filters":    {req: v2("ListAvailablePhoneNumbers", `{"IsoCountryCode":"US","Filters":[{"Name":"number-capability","Values":["SMS"]}],"MaxResults":5}`)},
		"unknown to the models and the IAM data":             {req: v2("ListPoolWidgets", "{}"), wantKind: UnknownOperation},
		"v1 operation as a v2 target":                        {req: v2("ListConfigurationSets", "{}"), wantKind: UnknownOperation},
		"body sets tags":                                     {req: v2("ListAvailablePhoneNumbers", `{"Tags":[{"Key":"k","Value":"v"}]}`), wantKind: UnmodeledOperation, wantMsg: "tags"},
		"nested tag keys in another case":                    {req: v2("ListAvailablePhoneNumbers", `{"A":{"tagkeys":["k"]}}`), wantKind: UnmodeledOperation, wantMsg: "tags"},
		"body names an ARN":                                  {req: v2("ListAvailablePhoneNumbers", `{"Filters":[{"Values":["ARN:aws:iam::123456789012:role/r"]}]}`), wantKind: UnmodeledOperation, wantMsg: "names an ARN"},
		"body is an array":                                   {req: v2("ListAvailablePhoneNumbers", `[]`), wantKind: BadRequest},
		"body is not JSON":                                   {req: v2("ListAvailablePhoneNumbers", `{"a":`), wantKind: BadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			if tc.wantKind != 0 {
				var me *Error
				if !errors.As(err, &me) || me.Kind != tc.wantKind || res != nil || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Map = %+v, %v; want nil and a %v error containing %q", res, err, tc.wantKind, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			want := []Permission{{Action: "sms-voice:ListAvailablePhoneNumbers", Resources: []string{"*"}}}
			if res.Rule != RuleIAMReference || res.API != APISMSVoiceV2 || res.Operation != "ListAvailablePhoneNumbers" ||
				!slices.EqualFunc(res.Permissions, want, func(a, b Permission) bool { return a.Action == b.Action && slices.Equal(a.Resources, b.Resources) }) {
				t.Errorf("Map = %+v, want rule %s and %v", res, RuleIAMReference, want)
			}
			if res.RequestTags != nil || res.TagKeys != nil || res.References != nil || res.Destinations != nil || res.Unresolved != nil {
				t.Errorf("Map = %+v, want no tags, references, destinations or unresolved identities", res)
			}
		})
	}
}

// TestModelRule checks that operations of the models say so.
func TestModelRule(t *testing.T) {
	t.Parallel()
	for name, req := range map[string]*Request{
		"v2":   v2("DescribePools", "{}"),
		"REST": rest("GET", "/v1/apps", ""),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(req)
			if err != nil || res.Rule != RuleModel {
				t.Errorf("Map = %+v, %v; want rule %s", res, err, RuleModel)
			}
		})
	}
}

// TestUnmodeledIndex checks the runtime rule on a table with the cases the
// current data lacks: an action with resource types is refused with the
// documented message, one named Send... is refused, one without is mapped;
// a name of the models or listed twice is an error.
func TestUnmodeledIndex(t *testing.T) {
	t.Parallel()
	idx := map[string]any{}
	err := indexUnmodeled([]unmodeledSpec{
		{name: "DescribeWidgets", access: "Read", types: []string{"Pool", "PhoneNumber"}},
		{name: "SendWidgetMessage", access: "Write"},
		{name: "ListWidgets", access: "List"},
	}, idx)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		name     string
		wantKind ErrorKind
		wantMsg  string
	}{
		"resource types": {name: "DescribeWidgets", wantKind: UnmodeledOperation, wantMsg: "resource types (Pool, PhoneNumber): " + UnmodeledRefusal},
		"sends":          {name: "SendWidgetMessage", wantKind: UnmodeledOperation, wantMsg: "cannot read their destinations"},
		"no type":        {name: "ListWidgets"},
		"not listed":     {name: "ListGadgets"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op, err := classifyUnmodeled(idx, tc.name)
			switch {
			case tc.wantKind != 0:
				var me *Error
				if op != nil || !errors.As(err, &me) || me.Kind != tc.wantKind || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("classify = %v, %v; want a %v error containing %q", op, err, tc.wantKind, tc.wantMsg)
				}
			case tc.name == "ListGadgets":
				if op != nil || err != nil {
					t.Errorf("classify = %v, %v; want nil, nil", op, err)
				}
			default:
				if err != nil || op == nil || !op.unmodeled || op.action != "sms-voice:"+tc.name || op.target != v2TargetPrefix+tc.name {
					t.Errorf("classify = %+v, %v; want an unmodeled operation of sms-voice:%s", op, err, tc.name)
				}
			}
		})
	}
	for name, table := range map[string][]unmodeledSpec{
		"in the model": {{name: "DescribePools"}},
		"twice":        {{name: "ListWidgets"}, {name: "ListWidgets"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := indexUnmodeled(table, map[string]any{}); err == nil {
				t.Error("indexUnmodeled succeeded, want an error")
			}
		})
	}
}
