package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

var fencedJSON = regexp.MustCompile("(?s)```(?:json)?\\s*\\n(\\{.*?\\})\\s*```")

// devGuideRejected lists examples that are rejected on purpose, with the reason.
var devGuideRejected = map[string]string{
	// Its Condition has "StringEquals" twice. A JSON parser that keeps the last member would
	// drop the aws:ResourceTag/Owner test and allow more than the author wrote; the gateway
	// refuses duplicate members instead of guessing (fail closed at load).
	"security_iam_id-based-policy-examples.md#3": `duplicate element "StringEquals"`,
}

// TestDeveloperGuidePolicies parses every policy example of the Amazon Pinpoint Developer Guide
// (read in place from ../shared/data) that is valid JSON: real-world forms must be accepted.
func TestDeveloperGuidePolicies(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(testenv.SharedData(t), "pinpoint-developer-guide", "doc-source", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no developer guide pages: %v", err)
	}
	n := 0
	for _, f := range files {
		md, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range fencedJSON.FindAllSubmatch(md, -1) {
			doc := m[1]
			var probe struct {
				Statement json.RawMessage
			}
			if json.Unmarshal(doc, &probe) != nil || probe.Statement == nil {
				continue // not JSON (elided with "..."), or not a policy
			}
			kind := IdentityBased
			if bytes.Contains(probe.Statement, []byte(`"Principal"`)) || bytes.Contains(probe.Statement, []byte(`"NotPrincipal"`)) {
				kind = ResourceBased
			}
			n++
			name := fmt.Sprintf("%s#%d", filepath.Base(f), i)
			_, err := Parse(name, doc, kind)
			if want, rejected := devGuideRejected[name]; rejected {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %v, want one containing %q", name, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s (%v): %v\n%s", name, kind, err, doc)
			}
		}
	}
	if n < 15 {
		t.Errorf("found %d policy examples, want at least 15", n)
	}
	t.Logf("parsed %d policy examples", n)
}
