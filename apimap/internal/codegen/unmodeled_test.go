package codegen

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestUnmodeledActions checks the list of sms-voice actions without a model
// operation: the shared data's one (ListAvailablePhoneNumbers, no resource
// type), an added action with resource types, and the data it refuses.
func TestUnmodeledActions(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	tests := map[string]struct {
		add     map[string]string // sms-voice actions to add, by key
		want    string            // the list, "Name(access)[types]" joined by " "
		wantErr string
	}{
		"shared data": {want: "ListAvailablePhoneNumbers(Read)[]"},
		"with resource types": {
			add:  map[string]string{"describewidgets": `{"name":"DescribeWidgets","accessLevel":"Read","resourceTypes":[{"name":"Pool","required":true},{"name":"PhoneNumber","required":false}]}`},
			want: "DescribeWidgets(Read)[PhoneNumber Pool] ListAvailablePhoneNumbers(Read)[]",
		},
		"unknown resource type": {
			add:     map[string]string{"describewidgets": `{"name":"DescribeWidgets","accessLevel":"Read","resourceTypes":[{"name":"Widget","required":true}]}`},
			wantErr: "unknown resource type",
		},
		"not an operation name": {
			add:     map[string]string{"list widgets": `{"name":"List Widgets","accessLevel":"List","resourceTypes":[]}`},
			wantErr: "not an operation name",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in, err := readSources(data)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.add {
				in.actions["sms-voice"][k] = json.RawMessage(v)
			}
			got, err := unmodeledActions(in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("unmodeledActions error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, a := range got {
				parts = append(parts, a.name+"("+a.access+")["+strings.Join(a.types, " ")+"]")
			}
			if s := strings.Join(parts, " "); s != tc.want {
				t.Errorf("unmodeledActions = %s, want %s", s, tc.want)
			}
		})
	}
}
