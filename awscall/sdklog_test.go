package awscall

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestDefaultChainLogsNoPlainText: on a machine whose instance metadata endpoint answers
// 404 (many non-EC2 hosts and container runtimes), resolving the default chain makes the
// SDK's metadata client warn "falling back to IMDSv1". That warning goes to the gateway's
// structured log, never as a plain-text line on stderr (the SDK's default logger), which
// broke JSON log pipelines. Not parallel: it sets the environment and swaps os.Stderr.
func TestDefaultChainLogsNoPlainText(t *testing.T) {
	var hits atomic.Int32
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer imds.Close()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL, "AWS_EC2_METADATA_DISABLED": "false",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
	} {
		t.Setenv(k, v)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	core, logs := observer.New(zapcore.DebugLevel)
	_, retrieveErr := DefaultCredentials("us-east-1", zap.New(core)).Retrieve(context.Background())
	os.Stderr = stderr
	w.Close()
	printed, _ := io.ReadAll(r)

	if retrieveErr == nil {
		t.Fatal("Retrieve found credentials on a machine without any")
	}
	if hits.Load() == 0 {
		t.Fatal("the chain never asked the instance metadata endpoint; the test proves nothing")
	}
	if len(printed) > 0 {
		t.Errorf("the SDK printed on stderr: %q", printed)
	}
	found := false
	for _, e := range logs.All() {
		if strings.Contains(e.ContextMap()["message"].(string), "IMDSv1") {
			found = true
		}
	}
	if !found {
		t.Errorf("no structured log of the SDK's IMDS warning; got %v", logs.All())
	}
}
