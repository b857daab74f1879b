package authz

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusKinds maps a corpus file's name prefix to the policy type it is parsed as.
var corpusKinds = map[string]PolicyType{
	"identity": IdentityBased, "resource": ResourceBased, "boundary": Boundary, "session": Session, "guardrail": Guardrail,
}

// TestCorpus: every accepted policy form in testdata/corpus must parse, and its encoding must
// round-trip (parse(marshal(p)) marshals to the same bytes, with the same statements). Adding a
// form here is a deliberate widening; removing one is a breaking change.
func TestCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			prefix, _, _ := strings.Cut(name, "-")
			kind, ok := corpusKinds[prefix]
			if !ok {
				t.Fatalf("corpus file %s: name must start with one of identity-, resource-, boundary-, session-, guardrail-", name)
			}
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(name, doc, kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			enc, err := p.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			p2, err := Parse(name, enc, kind)
			if err != nil {
				t.Fatalf("Parse(MarshalJSON()) = %v\n%s", err, enc)
			}
			enc2, _ := p2.MarshalJSON()
			if !bytes.Equal(enc, enc2) {
				t.Errorf("encoding does not round-trip:\n%s\n%s", enc, enc2)
			}
			if p.Len() != p2.Len() {
				t.Errorf("statements: %d, after round-trip %d", p.Len(), p2.Len())
			}
			if strings.Contains(string(doc), `"Statement": [`) || strings.Contains(string(doc), `"Statement":[`) {
				if !strings.Contains(string(enc), `"Statement":[`) {
					t.Errorf("Statement array became an object: %s", enc)
				}
			}
		})
	}
}
