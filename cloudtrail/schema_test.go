package cloudtrail

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/internal/athenaschema"
)

// TestAthenaSchema: the events of every record shape of
// TestEventFieldByField, one by one and as a CloudTrail log file
// ({"Records": [...]}), are read by the schema written from Athena's
// CloudTrail table (testdata/athena-cloudtrail.schema.json); and the schema
// refuses what that table cannot read, so the check can fail.
func TestAthenaSchema(t *testing.T) {
	t.Parallel()
	file, event := compileSchema(t, "testdata/athena-cloudtrail.schema.json")
	var lines []string
	for _, r := range []*record{userAllowed(), sessionDenied(), {strings: [][2]string{{"request_id", "r"}, {"decision", "Unauthenticated"}, {"mode", "enforce"}}}} {
		line, _ := encode(t, AuditLogger, zap.Inline(r))
		lines = append(lines, line)
		if err := event.Validate(mustJSON(t, line)); err != nil {
			t.Errorf("event not readable: %v\n%s", err, line)
		}
	}
	if err := file.Validate(mustJSON(t, recordsFile(lines))); err != nil {
		t.Errorf("Records file not readable: %v", err)
	}
	for name, bad := range map[string]string{
		"a misspelled userIdentity field": `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalID":"x"},"eventTime":"t","requestID":"r","eventID":"e","eventType":"AwsApiCall","eventCategory":"Management"}`,
		"a struct that is a string":       `{"eventVersion":"1.11","userIdentity":"IAMUser","eventTime":"t","requestID":"r","eventID":"e","eventType":"AwsApiCall","eventCategory":"Management"}`,
		"an unknown top-level field":      `{"eventVersion":"1.11","userIdentity":{},"eventTime":"t","requestID":"r","eventID":"e","eventType":"AwsApiCall","eventCategory":"Management","decision":"Allow"}`,
		"no eventTime":                    `{"eventVersion":"1.11","userIdentity":{},"requestID":"r","eventID":"e","eventType":"AwsApiCall","eventCategory":"Management"}`,
	} {
		if err := event.Validate(mustJSON(t, bad)); err == nil {
			t.Errorf("%s: the schema reads it", name)
		}
	}
}

// compileSchema compiles the schema file and its event definition.
func compileSchema(t *testing.T, path string) (file, event *jsonschema.Schema) {
	t.Helper()
	file, event, err := athenaschema.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return file, event
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// recordsFile joins event lines (as the encoder writes them) into the
// shape of a CloudTrail log file, {"Records":[event,...]}, which Athena's
// CloudTrail table and other CloudTrail file readers take (README
// "CloudTrail-format audit log" gives the shell equivalent, jq -c -s '{Records: .}').
func recordsFile(lines []string) string {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	n := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l)
		n++
	}
	b.WriteString("]}")
	return b.String()
}
