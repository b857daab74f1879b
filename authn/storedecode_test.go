package authn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreErrorPositions(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		doc        string
		line, col  int
		wantSubstr string
	}{
		"syntax error": {doc: "{\n  \"users\": [\n    {\"name\": \"a\",}\n  ]\n}", line: 3, col: 18,
			wantSubstr: "invalid character '}'"},
		"unknown top-level field": {doc: "{\n  \"polices\": {}\n}", line: 2, col: 3, wantSubstr: `unknown field "polices"`},
		"unknown nested field": {doc: "{\"users\": [\n {\"name\": \"a\"},\n {\"name\": \"b\", \"acess_keys\": []}]}", line: 3, col: 16,
			wantSubstr: `users[1]: unknown field "acess_keys"`},
		"wrong type":              {doc: "{\"users\": [{\"name\": 7}]}", line: 1, col: 21, wantSubstr: "users[0].name: want a string, got a number"},
		"array for an object":     {doc: "{\"resource_tags\": []}", line: 1, col: 19, wantSubstr: "resource_tags: want an object, got an array"},
		"duplicate key":           {doc: "{\"policies\": {\"P\": {}, \"P\": {}}}", line: 1, col: 24, wantSubstr: `policies: duplicate key "P"`},
		"duplicate field by case": {doc: "{\"users\": [], \"Users\": []}", line: 1, col: 15, wantSubstr: `duplicate key "Users"`},
		"trailing data":           {doc: "{}\n\n x", line: 3, col: 2, wantSubstr: "after top-level value"},
		"truncated":               {doc: "{\"users\": [", line: 1, col: 12, wantSubstr: "unexpected end of JSON input"},
		"non-ASCII column":        {doc: "{\"users\": [{\"name\": \"é\", \"x\": 1}]}", line: 1, col: 26, wantSubstr: `unknown field "x"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseStore("s.json", []byte(tc.doc), StoreOptions{Account: testAccount, LookupEnv: testEnv})
			pe, ok := errors.AsType[*PositionError](err)
			if !ok {
				t.Fatalf("ParseStore error %v: want a *PositionError", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tc.line, tc.col, err)
			}
			if !strings.Contains(err.Error(), tc.wantSubstr) {
				t.Errorf("error %q does not contain %q", err, tc.wantSubstr)
			}
			if want := fmt.Sprintf("s.json:%d:%d: ", tc.line, tc.col); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		})
	}
}

// TestStoreShapeAcceptsValid checks that the position walk accepts what the
// decoder accepts: the test store, nulls, and field names in another case.
func TestStoreShapeAcceptsValid(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"test store": testStoreJSON,
		"nulls":      `{"users": null, "policies": null, "resource_tags": {"arn:aws:sns:us-east-1:123456789012:t": null}}`,
		"case":       `{"Users": [{"Name": "a"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseStore("s.json", []byte(doc), StoreOptions{Account: testAccount, LookupEnv: testEnv}); err != nil {
				t.Fatalf("ParseStore: %v", err)
			}
		})
	}
}

func TestReadStoreFileBounded(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(p, make([]byte, MaxStoreSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStoreFile(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("ReadStoreFile of %d bytes = %v, want a size error", MaxStoreSize+1, err)
	}
}

func TestStoreLintRetired(t *testing.T) {
	t.Parallel()
	doc := `{"users": [{"name": "u", "policies": ["Old"]}], "policies": {"Old": {"Version": "2012-10-17",
	  "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:GetCampaign", "Resource": "*"}]}}}`
	opts := StoreOptions{Account: testAccount, RetiredOnly: func(p string) bool { return p == "mobiletargeting:GetCampaign" }}
	s, err := ParseStore("s.json", []byte(doc), opts)
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "retired") || !strings.Contains(w[0], `policy "Old" statement 0`) {
		t.Errorf("Warnings() = %q, want one retired-only warning naming the policy and statement", w)
	}
	opts.RetiredOnly = nil
	if s, _ := ParseStore("s.json", []byte(doc), opts); len(s.Warnings()) != 0 {
		t.Errorf("Warnings() without RetiredOnly = %q, want none", s.Warnings())
	}
}
