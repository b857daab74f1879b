package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gatewayBinary is the path of the binary TestMain built; "" under -short.
var gatewayBinary string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if testing.Short() {
		return m.Run()
	}
	// A prebuilt binary (e.g. from a CI build step) may be given instead.
	if bin := os.Getenv("INTEGRATION_GATEWAY_BINARY"); bin != "" {
		gatewayBinary = bin
		return m.Run()
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "gateway-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "gateway")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gateway")
	cmd.Dir = root
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "integration: building ./cmd/gateway: %v\n", err)
		return 1
	}
	gatewayBinary = bin
	return m.Run()
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// requireBinary skips under -short and returns the built gateway binary.
func requireBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped under -short")
	}
	if gatewayBinary == "" {
		t.Fatal("gateway binary was not built")
	}
	return gatewayBinary
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is an io.Writer safe for concurrent use that keeps everything
// written to it: the gateway's combined stdout and stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns a copy of everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gatewayConfig is what a test varies in a gateway's Caddyfile.
type gatewayConfig struct {
	Store       []byte            // the store JSON
	Mode        string            // "" = the default (enforce)
	MaxBody     string            // "" = the default
	ClockSkew   string            // "" = the default
	SessionKeys []string          // base64 session keys
	Endpoints   map[string]string // API name -> upstream URL
	Extra       string            // more lines inside pinpoint_gateway
	Global      string            // more lines inside the global options block (e.g. log blocks)
}

// Fixed test session keys (base64 of 32 bytes). They are secrets for the
// purpose of the audit tests: they must never appear in the log.
const (
	sessionKeyA = "c2Vzc2lvbi1rZXktQS1pbnRlZ3JhdGlvbi10ZXN0cyE=" // "session-key-A-integration-tests!"
	sessionKeyB = "c2Vzc2lvbi1rZXktQi1pbnRlZ3JhdGlvbi10ZXN0cyE=" // "session-key-B-integration-tests!"
)

// Upstream credentials the gateway re-signs with; the fake upstream verifies them.
const (
	upstreamAccessKeyID = "AKIAUPSTREAMGATEWAY1"
	upstreamSecret      = "upstreamSecretKeyForTheGateway/0123456789"
	testAccount         = "123456789012"
	testRegion          = "us-east-1"
)

// gatewayProc is one running gateway process.
type gatewayProc struct {
	URL      string // http://127.0.0.1:PORT
	AdminURL string // http://127.0.0.1:ADMINPORT
	Log      *syncBuffer

	dir       string
	port      int
	adminPort int
	cmd       *exec.Cmd
	exited    chan struct{}
	storeSeq  int
}

// caddyfile renders the Caddyfile of cfg for this process's ports, writing
// the store next to it.
func (g *gatewayProc) caddyfile(t *testing.T, cfg gatewayConfig) string {
	t.Helper()
	g.storeSeq++
	storePath := filepath.Join(g.dir, fmt.Sprintf("store-%d.json", g.storeSeq))
	if err := os.WriteFile(storePath, cfg.Store, 0o600); err != nil {
		t.Fatalf("writing store: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{\n\tadmin 127.0.0.1:%d\n\tauto_https off\n\tpersist_config off\n\tstorage file_system %s\n%s}\n\n",
		g.adminPort, filepath.Join(g.dir, "caddy-data"), cfg.Global)
	fmt.Fprintf(&b, "http://127.0.0.1:%d {\n\tpinpoint_gateway {\n", g.port)
	fmt.Fprintf(&b, "\t\taccount %s\n\t\tregion %s\n\t\tstore %s\n", testAccount, testRegion, storePath)
	if len(cfg.SessionKeys) > 0 {
		fmt.Fprintf(&b, "\t\tsession_keys %s\n", strings.Join(cfg.SessionKeys, " "))
	}
	if cfg.Mode != "" {
		fmt.Fprintf(&b, "\t\tmode %s\n", cfg.Mode)
	}
	if cfg.MaxBody != "" {
		fmt.Fprintf(&b, "\t\tmax_body %s\n", cfg.MaxBody)
	}
	if cfg.ClockSkew != "" {
		fmt.Fprintf(&b, "\t\tclock_skew %s\n", cfg.ClockSkew)
	}
	fmt.Fprintf(&b, "\t\tupstream_credentials static %s %s\n", upstreamAccessKeyID, upstreamSecret)
	for _, api := range []string{"pinpoint", "sms-voice", "sms-voice-v2"} {
		if u, ok := cfg.Endpoints[api]; ok {
			fmt.Fprintf(&b, "\t\tendpoint %s %s\n", api, u)
		}
	}
	b.WriteString("\t\tresource_tags static\n")
	if cfg.Extra != "" {
		b.WriteString(cfg.Extra)
		b.WriteString("\n")
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

// startGateway starts a gateway process with cfg and waits until it serves.
func startGateway(t *testing.T, cfg gatewayConfig) *gatewayProc {
	t.Helper()
	bin := requireBinary(t)
	g := &gatewayProc{
		Log:       &syncBuffer{},
		dir:       t.TempDir(),
		port:      freePort(t),
		adminPort: freePort(t),
		exited:    make(chan struct{}),
	}
	g.URL = fmt.Sprintf("http://127.0.0.1:%d", g.port)
	g.AdminURL = fmt.Sprintf("http://127.0.0.1:%d", g.adminPort)
	path := filepath.Join(g.dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(g.caddyfile(t, cfg)), 0o600); err != nil {
		t.Fatalf("writing Caddyfile: %v", err)
	}
	g.cmd = exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	g.cmd.Dir = g.dir
	g.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + g.dir,
		"XDG_CONFIG_HOME=" + filepath.Join(g.dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(g.dir, "data"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(g.dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(g.dir, "no-aws-credentials"),
		"INTEG_ENV_SECRET=" + envUserSecret,
	}
	g.cmd.Stdout = g.Log
	g.cmd.Stderr = g.Log
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("starting gateway: %v", err)
	}
	go func() {
		_ = g.cmd.Wait()
		close(g.exited)
	}()
	t.Cleanup(func() {
		g.stop()
		if t.Failed() {
			t.Logf("gateway log (%s):\n%s", g.URL, tail(g.Log.String(), 60))
		}
	})
	g.waitReady(t, 60*time.Second)
	return g
}

// stop terminates the process: SIGTERM, then SIGKILL after a grace period.
func (g *gatewayProc) stop() {
	select {
	case <-g.exited:
		return
	default:
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(10 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
	}
}

// waitReady polls the site port until it accepts connections, failing if
// the process exits or the deadline passes.
func (g *gatewayProc) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	addr := fmt.Sprintf("127.0.0.1:%d", g.port)
	for {
		select {
		case <-g.exited:
			t.Fatalf("gateway exited before serving; log:\n%s", tail(g.Log.String(), 60))
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway not serving on %s after %v; log:\n%s", addr, within, tail(g.Log.String(), 60))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// reload posts a new Caddyfile for cfg to the admin API's /load. It returns
// the admin API's status and body.
func (g *gatewayProc) reload(t *testing.T, cfg gatewayConfig) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.AdminURL+"/load", strings.NewReader(g.caddyfile(t, cfg)))
	if err != nil {
		t.Fatalf("building reload request: %v", err)
	}
	req.Header.Set("Content-Type", "text/caddyfile")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reloading: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// auditRecords returns the gateway's audit log records, in order.
func (g *gatewayProc) auditRecords(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(g.Log.String()))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			continue
		}
		if rec["logger"] == auditLogger {
			out = append(out, rec)
		}
	}
	return out
}

// auditLogger is the zap logger name of the audit records (README.md, Audit log).
const auditLogger = "http.handlers.pinpoint_gateway.audit"

// waitAudit polls the log until pred holds for some audit record, and returns it.
func (g *gatewayProc) waitAudit(t *testing.T, what string, pred func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, rec := range g.auditRecords(t) {
			if pred(rec) {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no audit record for %s; log:\n%s", what, tail(g.Log.String(), 40))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
