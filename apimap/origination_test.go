package apimap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestNoSenderIDDocumented holds noSenderID to the models: an operation is
// listed exactly when the documentation of its origination member names
// the accepted forms without SenderId, and every entry names an SMS and
// Voice v2 operation with an origination member.
func TestNoSenderIDDocumented(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t, "service-models", "botocore", "pinpoint-sms-voice-v2", "2022-03-31", "service-2.json")
	raw, err := os.ReadFile(filepath.Clean(data))
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Operations map[string]struct {
			Input struct{ Shape string } `json:"input"`
		} `json:"operations"`
		Shapes map[string]struct {
			Members map[string]struct {
				Documentation string `json:"documentation"`
			} `json:"members"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatal(err)
	}
	withMember := map[string]bool{}
	for i := range operationTable {
		op := &operationTable[i]
		for _, rs := range op.resources {
			if rs.src != srcOrigination {
				continue
			}
			withMember[op.name] = true
			t.Run(op.name, func(t *testing.T) {
				mo, ok := model.Operations[op.name]
				if !ok {
					t.Fatalf("the model has no operation %s", op.name)
				}
				mem, ok := model.Shapes[mo.Input.Shape].Members[rs.member]
				if !ok || mem.Documentation == "" {
					t.Fatalf("%s.%s: no documentation in the model", mo.Input.Shape, rs.member)
				}
				documented := strings.Contains(mem.Documentation, "SenderId")
				if listed := noSenderID[op.name] != ""; listed == documented {
					t.Errorf("%s.%s: in noSenderID %v, documentation names SenderId %v: %s", op.name, rs.member, listed, documented, mem.Documentation)
				}
			})
		}
	}
	for name := range noSenderID {
		if !withMember[name] {
			t.Errorf("noSenderID lists %s, which has no origination member", name)
		}
	}
}

func TestSenderIDShaped(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in   string
		want bool
	}{
		"pool ID of a sender ID's length": {"pool-abc", true},
		"eleven characters":               {"phone-12345", true},
		"twelve characters":               {"phone-123456", false},
		"real pool ID":                    {"pool-2f1e0fc5d2c8470dbe1e8ef0c8f6e2f1", false},
		"underscore":                      {"rcs-a_b", true},
		"dot":                             {"rcs-a.b", false},
		"plus":                            {"pool-+1", false},
		"empty":                           {"", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := senderIDShaped(tc.in); got != tc.want {
				t.Errorf("senderIDShaped(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
