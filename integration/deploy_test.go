package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The deployment files: Dockerfile, .dockerignore, deploy/Caddyfile and
// deploy/kubernetes.yaml (kubernetes_test.go). Docker is not installed where
// the tests run, so the image itself is not built here; these tests read the
// Dockerfile instead and run the built binary exactly as its ENTRYPOINT does,
// with the config it copies.

// dockerInstruction is one instruction of a Dockerfile.
type dockerInstruction struct {
	Cmd  string // upper-case: FROM, COPY, USER, ...
	Args string // the rest of the line, continuations joined
}

// dockerStage is one FROM ... of a Dockerfile and its instructions.
type dockerStage struct {
	From, Name string
	Body       []dockerInstruction
}

// readDockerfile parses the repository's Dockerfile into its stages:
// comments and blank lines are dropped, backslash continuations joined.
func readDockerfile(t *testing.T) []dockerStage {
	t.Helper()
	b := repoFile(t, "Dockerfile")
	var stages []dockerStage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := dockerInstruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			s := dockerStage{From: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.Name = f[2]
			}
			stages = append(stages, s)
			return
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", in.Cmd)
		}
		stages[len(stages)-1].Body = append(stages[len(stages)-1].Body, in)
	}
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || trimmed == "" {
			if cur.Len() == 0 {
				continue
			}
			if trimmed == "" {
				flush()
			}
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	if len(stages) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return stages
}

// all returns the arguments of every instruction cmd of the stage.
func (s dockerStage) all(cmd string) []string {
	var out []string
	for _, in := range s.Body {
		if in.Cmd == cmd {
			out = append(out, in.Args)
		}
	}
	return out
}

// imageEntrypoint is what the Dockerfile's final stage runs: the ENTRYPOINT's
// argv, and the repository file behind each path the final stage copies from
// the build context.
type imageEntrypoint struct {
	Argv   []string
	Copies map[string]string // image path -> repository path (COPY without --from)
}

// finalImage checks the final stage of the Dockerfile and returns its entrypoint.
func finalImage(t *testing.T) (dockerStage, imageEntrypoint) {
	t.Helper()
	stages := readDockerfile(t)
	final := stages[len(stages)-1]
	var ep imageEntrypoint
	eps := final.all("ENTRYPOINT")
	if len(eps) != 1 {
		t.Fatalf("final stage has %d ENTRYPOINT instructions, want 1", len(eps))
	}
	if err := json.Unmarshal([]byte(eps[0]), &ep.Argv); err != nil || len(ep.Argv) == 0 {
		t.Fatalf("ENTRYPOINT %s is not the exec (JSON array) form: %v", eps[0], err)
	}
	ep.Copies = map[string]string{}
	for _, c := range final.all("COPY") {
		f := strings.Fields(c)
		if len(f) != 2 && !(len(f) == 3 && strings.HasPrefix(f[0], "--from=")) {
			t.Fatalf("COPY %s: want one source and one destination", c)
		}
		if len(f) == 2 {
			ep.Copies[f[1]] = f[0]
		}
	}
	return final, ep
}

// configOf returns the value of --config in argv.
func configOf(t *testing.T, argv []string) string {
	t.Helper()
	for i, a := range argv {
		if a == "--config" && i+1 < len(argv) {
			return argv[i+1]
		}
	}
	t.Fatalf("%q has no --config", argv)
	return ""
}

// TestDeployDockerfile checks the image the Dockerfile describes: a non-root
// numeric user, only the binary and deploy/Caddyfile in the final stage (no
// example store, no credentials), Caddy's state under /tmp for a read-only
// root, and the entrypoint running the copied config.
func TestDeployDockerfile(t *testing.T) {
	stages := readDockerfile(t)
	final, ep := finalImage(t)

	t.Run("build stage builds cmd/gateway statically", func(t *testing.T) {
		var found bool
		for _, s := range stages[:len(stages)-1] {
			for _, run := range s.all("RUN") {
				if strings.Contains(run, "CGO_ENABLED=0") && strings.Contains(run, "go build") && strings.Contains(run, "./cmd/gateway") {
					found = true
				}
			}
		}
		if !found {
			t.Error("no build stage runs CGO_ENABLED=0 go build ./cmd/gateway")
		}
	})
	t.Run("non-root numeric user", func(t *testing.T) {
		users := final.all("USER")
		if len(users) != 1 {
			t.Fatalf("final stage has USER %q, want exactly one", users)
		}
		uid, gid, _ := strings.Cut(users[0], ":")
		for _, id := range []string{uid, gid} {
			n, err := strconv.Atoi(id)
			if err != nil || n == 0 {
				t.Errorf("USER %s: want numeric non-zero uid:gid (Kubernetes' runAsNonRoot cannot verify a name)", users[0])
			}
		}
	})
	t.Run("final stage copies only the binary and deploy/Caddyfile", func(t *testing.T) {
		for dst, src := range ep.Copies {
			if src != "deploy/Caddyfile" {
				t.Errorf("COPY %s %s: the image takes only deploy/Caddyfile from the context", src, dst)
			}
		}
		for _, c := range final.all("COPY") {
			if strings.Contains(c, "examples") || strings.Contains(c, ".json") {
				t.Errorf("COPY %s: no store or example in the image", c)
			}
			if strings.HasPrefix(c, "--from=") && !strings.HasSuffix(strings.Fields(c)[1], "/gateway") {
				t.Errorf("COPY %s: from the build stage only the binary", c)
			}
		}
		for _, run := range final.all("RUN") {
			t.Errorf("final stage RUN %s: the distroless stage runs nothing", run)
		}
		for _, env := range final.all("ENV") {
			for _, secret := range []string{"SESSION_KEY", "AWS_SECRET", "AWS_ACCESS", "GATEWAY_STORE"} {
				if strings.Contains(env, secret) {
					t.Errorf("ENV %s: the operator gives %s, the image never does", env, secret)
				}
			}
		}
	})
	t.Run("Caddy's state under /tmp", func(t *testing.T) {
		env := strings.Join(final.all("ENV"), " ")
		for _, v := range []string{"XDG_CONFIG_HOME=/tmp/", "XDG_DATA_HOME=/tmp/"} {
			if !strings.Contains(env, v) {
				t.Errorf("ENV %q lacks %s (the root file system is read-only)", env, v)
			}
		}
	})
	t.Run("entrypoint runs the copied config", func(t *testing.T) {
		if ep.Argv[0] != "/gateway" || len(ep.Argv) < 2 || ep.Argv[1] != "run" {
			t.Errorf("ENTRYPOINT %q, want /gateway run ...", ep.Argv)
		}
		cfg := configOf(t, ep.Argv)
		if ep.Copies[cfg] != "deploy/Caddyfile" {
			t.Errorf("ENTRYPOINT runs --config %s, which the final stage copies from %q, want deploy/Caddyfile", cfg, ep.Copies[cfg])
		}
	})
	t.Run("exposes the Caddyfile's ports", func(t *testing.T) {
		exposed := strings.Fields(strings.Join(final.all("EXPOSE"), " "))
		for _, port := range []string{deployDefault(t, "GATEWAY_PORT"), deployDefault(t, "GATEWAY_OPS_PORT")} {
			if !contains(exposed, port) {
				t.Errorf("EXPOSE %q lacks %s", exposed, port)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// repoFile returns the file at the path (its elements joined) below the
// repository's root.
func repoFile(t *testing.T, path ...string) []byte {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(append([]string{root}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deployCaddyfile returns deploy/Caddyfile.
func deployCaddyfile(t *testing.T) string {
	t.Helper()
	b := repoFile(t, "deploy", "Caddyfile")
	return string(b)
}

// deployDefault returns the default of {$NAME:default} in deploy/Caddyfile.
func deployDefault(t *testing.T, name string) string {
	t.Helper()
	m := regexp.MustCompile(`\{\$` + regexp.QuoteMeta(name) + `:([^}]*)\}`).FindStringSubmatch(deployCaddyfile(t))
	if m == nil {
		t.Fatalf("deploy/Caddyfile has no {$%s:default}", name)
	}
	return m[1]
}

// dockerignore is the repository's .dockerignore, applied as Docker applies
// it (https://docs.docker.com/build/concepts/context/#dockerignore-files):
// patterns relative to the context root, Go's filepath.Match plus ** for
// any number of directories, a pattern excludes what it matches and all
// below it, and the last matching line decides (! re-includes).
type dockerignore []struct {
	re      *regexp.Regexp
	include bool
}

func readDockerignore(t *testing.T) dockerignore {
	t.Helper()
	b := repoFile(t, ".dockerignore")
	var d dockerignore
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		include := strings.HasPrefix(line, "!")
		p := strings.TrimPrefix(filepath.Clean(strings.TrimPrefix(line, "!")), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		re.WriteString("$")
		d = append(d, struct {
			re      *regexp.Regexp
			include bool
		}{regexp.MustCompile(re.String()), include})
	}
	return d
}

// excludes reports whether path (relative, /-separated) stays out of the context.
func (d dockerignore) excludes(path string) bool {
	parts := strings.Split(path, "/")
	excluded := false
	for _, p := range d {
		for i := 1; i <= len(parts); i++ {
			if p.re.MatchString(strings.Join(parts[:i], "/")) {
				excluded = !p.include
				break
			}
		}
	}
	return excluded
}

// TestDeployDockerignore checks that the build context has every file the
// image's build needs and none of the example credentials, test data,
// Node.js modules or history.
func TestDeployDockerignore(t *testing.T) {
	d := readDockerignore(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the matcher", func(t *testing.T) {
		for path, want := range map[string]bool{
			"internal/testenv/redis.go":        true,
			"internal/gen/main.go":             false,
			"authz/internal/glob/glob.go":      false,
			"examples/store.json":              true,
			"a/b/testdata/x":                   true,
			"module/gateway_test.go":           true,
			"module/gateway.go":                false,
			"integration/testdata/jssdk/x.mjs": true,
		} {
			if got := d.excludes(path); got != want {
				t.Errorf("excludes(%q) = %v, want %v", path, got, want)
			}
		}
	})
	t.Run("everything the build needs is sent", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f",
			`{{if .Module}}{{if eq .Module.Path "github.com/pinpointgw/gateway"}}{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}{{end}}`,
			"./cmd/gateway")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		need := []string{"go.mod", "go.sum", "deploy/Caddyfile"}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(line, "|")
			if len(f) != 3 {
				continue
			}
			rel, err := filepath.Rel(root, f[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, files := range f[1:] {
				for _, name := range strings.Split(files, ",") {
					if name != "" {
						need = append(need, filepath.ToSlash(filepath.Join(rel, name)))
					}
				}
			}
		}
		if len(need) < 20 {
			t.Fatalf("go list found only %d files: %q", len(need), need)
		}
		for _, p := range need {
			if d.excludes(p) {
				t.Errorf(".dockerignore excludes %s, which the image's build needs", p)
			}
		}
	})
	t.Run("no credentials, test data, modules or history", func(t *testing.T) {
		for _, p := range []string{
			".git", ".git/config", "examples/store.json", "examples/multitenant/store.json",
			"examples/sms-fraud/store.json", "integration/testdata/jssdk/node_modules/@aws-sdk/client-sts/package.json",
			"authz/testdata/oracle/node_modules/x/index.js", "apimap/testdata/jssdk/package.json",
			"authn/store_test.go", "internal/testenv/redis.go", "integration/store_test.go",
			"store.json", "prod/store-v2.json", ".env", "tls/server.key", "tls/server.pem",
		} {
			if !d.excludes(p) {
				t.Errorf(".dockerignore sends %s into the build context", p)
			}
		}
	})
}

// deployRun is the binary run as the image's ENTRYPOINT runs it.
type deployRun struct {
	Log    *syncBuffer
	cmd    *exec.Cmd
	exited chan struct{}
}

// deployEnv is the environment of a deployed gateway: the operator's
// variables (GATEWAY_*), nothing from the test's own environment, no AWS
// configuration and no instance metadata.
func deployEnv(dir string, vars map[string]string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-aws-credentials"),
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// startDeployed runs the gateway binary with the ENTRYPOINT's arguments,
// its --config replaced by config (a local file), in the environment vars.
func startDeployed(t *testing.T, config string, vars map[string]string) *deployRun {
	t.Helper()
	bin := requireBinary(t)
	_, ep := finalImage(t)
	args := append([]string(nil), ep.Argv[1:]...)
	for i := range args {
		if i > 0 && args[i-1] == "--config" {
			args[i] = config
		}
	}
	dir := t.TempDir()
	d := &deployRun{Log: &syncBuffer{}, exited: make(chan struct{})}
	d.cmd = exec.Command(bin, args...)
	d.cmd.Dir = dir
	d.cmd.Env = deployEnv(dir, vars)
	d.cmd.Stdout = d.Log
	d.cmd.Stderr = d.Log
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting gateway: %v", err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
			return
		default:
		}
		_ = d.cmd.Process.Signal(os.Interrupt)
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("gateway log:\n%s", tail(d.Log.String(), 40))
		}
	})
	return d
}

// waitHealthy polls url until it answers 200, failing when the process
// exits or the deadline passes. It returns the body.
func (d *deployRun) waitHealthy(t *testing.T, url string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-d.exited:
			t.Fatalf("gateway exited before it was healthy; log:\n%s", tail(d.Log.String(), 40))
		default:
		}
		if resp, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy after %v; log:\n%s", url, within, tail(d.Log.String(), 40))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// deployVars is a complete operator environment for deploy/Caddyfile on
// free loopback-reachable ports, with store written to a file.
func deployVars(t *testing.T, store []byte) (vars map[string]string, api, ops, admin int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(path, store, 0o600); err != nil {
		t.Fatal(err)
	}
	api, ops, admin = freePort(t), freePort(t), freePort(t)
	return map[string]string{
		"GATEWAY_ACCOUNT":     testAccount,
		"GATEWAY_STORE":       path,
		"GATEWAY_SESSION_KEY": sessionKeyA,
		"GATEWAY_PORT":        strconv.Itoa(api),
		"GATEWAY_OPS_PORT":    strconv.Itoa(ops),
		"GATEWAY_ADMIN":       fmt.Sprintf("127.0.0.1:%d", admin),
		"INTEG_ENV_SECRET":    envUserSecret, // the test store's {env.INTEG_ENV_SECRET}
	}, api, ops, admin
}

// imageConfig returns the repository file the image runs as its config.
func imageConfig(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	_, ep := finalImage(t)
	src, ok := ep.Copies[configOf(t, ep.Argv)]
	if !ok {
		t.Fatalf("the image's --config %s is not copied from the context", configOf(t, ep.Argv))
	}
	return filepath.Join(root, src)
}

// TestDeployRefusesWithoutOperatorSettings runs the image's entrypoint with
// one of the operator's settings missing or empty: the gateway must not
// start, and must say which.
func TestDeployRefusesWithoutOperatorSettings(t *testing.T) {
	config := imageConfig(t)
	full, _, _, _ := deployVars(t, storeJSON(t, testStore()))
	cases := map[string]struct {
		name, value string // the variable and its value; "" with unset: removed
		unset       bool
		want        []string // in the log
	}{
		"no account":            {name: "GATEWAY_ACCOUNT", unset: true, want: []string{"account", "wrong argument count"}},
		"no store":              {name: "GATEWAY_STORE", unset: true, want: []string{"store", "{env.GATEWAY_STORE}", "empty"}},
		"empty store":           {name: "GATEWAY_STORE", value: "", want: []string{"store", "{env.GATEWAY_STORE}", "empty"}},
		"no session key":        {name: "GATEWAY_SESSION_KEY", unset: true, want: []string{"session key 1", "{env.GATEWAY_SESSION_KEY}", "empty"}},
		"empty session key":     {name: "GATEWAY_SESSION_KEY", value: "", want: []string{"session key 1", "{env.GATEWAY_SESSION_KEY}", "empty"}},
		"session key not a key": {name: "GATEWAY_SESSION_KEY", value: "changeme", want: []string{"session keys"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{}
			for k, v := range full {
				vars[k] = v
			}
			delete(vars, tc.name)
			if !tc.unset {
				vars[tc.name] = tc.value
			}
			d := startDeployed(t, config, vars)
			select {
			case <-d.exited:
			case <-time.After(60 * time.Second):
				t.Fatalf("the gateway still runs without %s; log:\n%s", tc.name, tail(d.Log.String(), 20))
			}
			if d.cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("exit status 0, want a failure")
			}
			log := d.Log.String()
			for _, w := range tc.want {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q:\n%s", w, tail(log, 10))
				}
			}
			if strings.Contains(log, "server running") {
				t.Errorf("a server started:\n%s", tail(log, 20))
			}
		})
	}
}

// TestDeployOpsListener runs the image's config: /healthz and /metrics on
// the ops port, neither on the API port, which serves only the gateway; a
// failed reload keeps the running config, so health stays true.
func TestDeployOpsListener(t *testing.T) {
	vars, api, ops, admin := deployVars(t, storeJSON(t, testStore()))
	d := startDeployed(t, imageConfig(t), vars)
	opsURL := fmt.Sprintf("http://127.0.0.1:%d", ops)
	apiURL := fmt.Sprintf("http://127.0.0.1:%d", api)
	if body := d.waitHealthy(t, opsURL+"/healthz", 60*time.Second); body != "ready" {
		t.Errorf("/healthz answered %q, want ready", body)
	}
	get := func(t *testing.T, url string) (int, string) {
		t.Helper()
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	t.Run("API answers as the gateway", func(t *testing.T) {
		g := &gatewayProc{URL: apiURL}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := stsClient(g, creds(backendKeyID, backendSecret, ""), newCapture()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		if out.Arn == nil || *out.Arn != backendARN {
			t.Errorf("GetCallerIdentity Arn = %v, want %s", out.Arn, backendARN)
		}
		// The session key from GATEWAY_SESSION_KEY seals temporary credentials.
		if _, err := stsClient(g, creds(backendKeyID, backendSecret, ""), newCapture()).GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
			t.Errorf("GetSessionToken: %v", err)
		}
	})
	t.Run("metrics on the ops port", func(t *testing.T) {
		status, body := get(t, opsURL+"/metrics")
		if status != http.StatusOK || !strings.Contains(body, "pinpoint_gateway_decisions_total") {
			t.Errorf("ops /metrics: %d, want 200 with pinpoint_gateway_decisions_total; body starts %.300q", status, body)
		}
	})
	t.Run("nothing else on the ops port", func(t *testing.T) {
		for _, path := range []string{"/", "/v1/apps", "/metricsx", "/healthz/x"} {
			if status, _ := get(t, opsURL+path); status != http.StatusNotFound {
				t.Errorf("ops %s: %d, want 404", path, status)
			}
		}
	})
	t.Run("neither health nor metrics on the API port", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/metrics"} {
			status, body := get(t, apiURL+path)
			if status == http.StatusOK || strings.Contains(body, "ready") || strings.Contains(body, "pinpoint_gateway_") {
				t.Errorf("API %s: %d %.200q, want the gateway's refusal", path, status, body)
			}
			if !strings.Contains(body, "missing Authentication Token") {
				t.Errorf("API %s: %.200q, want an AWS-shaped authentication error", path, body)
			}
		}
	})
	t.Run("a failed reload keeps the gateway ready", func(t *testing.T) {
		bad := strings.Replace(deployCaddyfile(t), "{env.GATEWAY_STORE}", "{env.GATEWAY_STORE_NOT_SET}", 1)
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/load", admin), strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/caddyfile")
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("POST /load: %v", err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || !strings.Contains(string(msg), "GATEWAY_STORE_NOT_SET") {
			t.Fatalf("loading a config without its store: %d %.300q, want a refusal naming it", resp.StatusCode, msg)
		}
		if status, body := get(t, opsURL+"/healthz"); status != http.StatusOK || body != "ready" {
			t.Errorf("/healthz after the failed reload: %d %q, want 200 ready", status, body)
		}
		g := &gatewayProc{URL: apiURL}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := stsClient(g, creds(backendKeyID, backendSecret, ""), newCapture()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Errorf("GetCallerIdentity after the failed reload: %v", err)
		}
	})
}

// TestDeployReadmeOpsSnippet checks that the ops listener the README's
// "Deployment" shows is deploy/Caddyfile's, word for word.
func TestDeployReadmeOpsSnippet(t *testing.T) {
	b := repoFile(t, "README.md")
	m := regexp.MustCompile("(?s)```\n(http://:\\{\\$GATEWAY_OPS_PORT:[^\n]*\n.*?\n})\n```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md shows no ops listener (a ``` block starting http://:{$GATEWAY_OPS_PORT:…)")
	}
	if !strings.Contains(deployCaddyfile(t), string(m[1])+"\n") {
		t.Errorf("README.md's ops listener is not deploy/Caddyfile's:\n%s", m[1])
	}
}
