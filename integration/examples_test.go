package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleListenersAndLogStreams runs the example Caddyfiles a newcomer
// starts with, as their READMEs say, and checks two of their promises: the
// gateway listens on 127.0.0.1 only, and the audit records go to stdout
// while Caddy's own logs go to stderr. Only the ports are changed (the
// examples use the fixed 8080 and 2019, which other tests on this machine
// may hold).
func TestExampleListenersAndLogStreams(t *testing.T) {
	bin := requireBinary(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]map[string]string{ // Caddyfile -> the environment its header gives
		"caddyfile.example": {},
		"examples/multitenant/Caddyfile": {
			"GATEWAY_SESSION_KEY":   sessionKeyA,
			"PROVISIONER_SECRET":    "provisioner-secret-of-the-example-test",
			"PLATFORM_ADMIN_SECRET": "platform-admin-secret-of-the-example-test",
		},
		"examples/sms-fraud/Caddyfile": {
			// Quota counters are reached only by allowed sends; none here.
			"GATEWAY_REDIS_URL": "redis://127.0.0.1:1/0",
			"ACME_SECRET":       "acme-secret-of-the-example-test",
			"GLOBEX_SECRET":     "globex-secret-of-the-example-test",
		},
	}
	for file, vars := range examples {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(root, file))
			if err != nil {
				t.Fatal(err)
			}

			// Every listener of the adapted config is on 127.0.0.1.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			adapted, err := exec.CommandContext(ctx, bin, "adapt", "--config", filepath.Join(root, file)).Output()
			if err != nil {
				t.Fatalf("gateway adapt: %v", err)
			}
			var cfg struct {
				Apps struct {
					HTTP struct {
						Servers map[string]struct {
							Listen []string `json:"listen"`
						} `json:"servers"`
					} `json:"http"`
				} `json:"apps"`
			}
			if err := json.Unmarshal(adapted, &cfg); err != nil {
				t.Fatal(err)
			}
			if len(cfg.Apps.HTTP.Servers) == 0 {
				t.Fatal("no servers in the adapted config")
			}
			for name, s := range cfg.Apps.HTTP.Servers {
				for _, l := range s.Listen {
					host, _, err := net.SplitHostPort(l)
					if err != nil || host != "127.0.0.1" {
						t.Errorf("server %s listens on %q, want 127.0.0.1 only", name, l)
					}
				}
				if len(s.Listen) == 0 {
					t.Errorf("server %s has no listen address (all interfaces)", name)
				}
			}

			// The example with its ports moved, run from the repository root
			// as its header says.
			port, admin := freePort(t), freePort(t)
			text := string(src)
			for old, repl := range map[string]string{
				"http://:8080":         fmt.Sprintf("http://:%d", port),
				"admin localhost:2019": fmt.Sprintf("admin 127.0.0.1:%d", admin),
			} {
				if !strings.Contains(text, old) {
					t.Fatalf("%s no longer has %q; update this test", file, old)
				}
				text = strings.Replace(text, old, repl, 1)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "Caddyfile")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
			cmd.Dir = root
			cmd.Env = deployEnv(dir, vars)
			cmd.Stdout, cmd.Stderr = stdout, stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { _ = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				_ = cmd.Process.Signal(os.Interrupt)
				select {
				case <-exited:
				case <-time.After(10 * time.Second):
					_ = cmd.Process.Kill()
					<-exited
				}
				if t.Failed() {
					t.Logf("stdout:\n%s\nstderr:\n%s", tail(stdout.String(), 20), tail(stderr.String(), 20))
				}
			})

			// An unsigned request, retried until the gateway serves; its
			// audit record must appear on stdout, and only there.
			url := fmt.Sprintf("http://127.0.0.1:%d/v1/apps", port)
			deadline := time.Now().Add(60 * time.Second)
			client := &http.Client{Timeout: 2 * time.Second}
			for {
				select {
				case <-exited:
					t.Fatalf("the example exited; stderr:\n%s", tail(stderr.String(), 20))
				default:
				}
				resp, err := client.Get(url)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("unsigned GET /v1/apps: %d, want 403", resp.StatusCode)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the example does not serve on 127.0.0.1:%d: %v", port, err)
				}
				time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
			}
			for !strings.Contains(stdout.String(), `"logger":"`+auditLogger+`"`) {
				if time.Now().After(deadline) {
					t.Fatal("no audit record on stdout")
				}
				time.Sleep(20 * time.Millisecond) // the buffered writer flushes every 100ms
			}
			if strings.Contains(stderr.String(), auditLogger) {
				t.Error("an audit record on stderr")
			}
			if !strings.Contains(stderr.String(), "server running") {
				t.Error("Caddy's own logs are not on stderr")
			}
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				if !strings.Contains(line, auditLogger) {
					t.Errorf("stdout has a line that is not an audit record: %.200s", line)
				}
			}
		})
	}
}
