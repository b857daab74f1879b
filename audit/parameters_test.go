package audit

import (
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
)

// TestAddParameters: the parameters keep their order, each member and
// value is cut, the list keeps maxAuditParams and counts the rest.
func TestAddParameters(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1000)
	cases := map[string]struct {
		in          []apimap.Parameter
		wantLen     int
		wantOmitted any
	}{
		"none": {nil, 0, nil},
		"two":  {[]apimap.Parameter{{Member: "application-id", Value: "a1"}, {Member: "campaign-id", Value: "c1"}}, 2, nil},
		"too many": {func() (ps []apimap.Parameter) {
			for range 10 {
				ps = append(ps, apimap.Parameter{Member: long, Value: long})
			}
			return ps
		}(), maxAuditParams, int64(10 - maxAuditParams)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			enc := zapcore.NewMapObjectEncoder()
			if err := AddParameters(enc, &tc.in); err != nil {
				t.Fatal(err)
			}
			got, _ := enc.Fields["request_parameters"].([]any)
			if len(got) != tc.wantLen {
				t.Fatalf("request_parameters has %d elements, want %d", len(got), tc.wantLen)
			}
			if o := enc.Fields["request_parameters_omitted"]; o != tc.wantOmitted {
				t.Errorf("request_parameters_omitted = %v, want %v", o, tc.wantOmitted)
			}
			for i, e := range got {
				m := e.(map[string]any)
				member, value := m["member"].(string), m["value"].(string)
				if len(member) > maxAuditMember+20 || len(value) > maxAuditString+20 {
					t.Errorf("parameter %d not cut: %d, %d bytes", i, len(member), len(value))
				}
				if tc.in[i].Member == "application-id" && (member != "application-id" || value != "a1") {
					t.Errorf("parameter %d = %q=%q, want application-id=a1", i, member, value)
				}
			}
		})
	}
}
