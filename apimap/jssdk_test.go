package apimap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// The AWS SDK for JavaScript v3 client of the SMS and Voice v2 API, pinned
// at 3.1138.0 in testdata/jssdk/package-lock.json, sends operations newer
// than the models (ListAvailablePhoneNumbers). TestJSSDKCommandsMap has the
// SDK build the request of every command it exports (testdata/jssdk/requests.mjs
// captures it unsent) and checks that each one is mapped to its IAM action
// and resources or refused with the documented message. Install with
//
//	npm ci --prefix apimap/testdata/jssdk
//
// Without node or node_modules the test skips, unless CI=true, where it fails.

const jssdkTimeout = 30 * time.Second

// jssdkDir returns the harness directory, or skips/fails when it is not installed.
func jssdkDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("testdata", "jssdk")
	_, errMods := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-pinpoint-sms-voice-v2", "package.json"))
	_, errNode := exec.LookPath("node")
	if errMods != nil || errNode != nil {
		msg := "JavaScript SDK not installed (run: npm ci --prefix apimap/testdata/jssdk; needs node)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// jssdkRequest is one output line of requests.mjs.
type jssdkRequest struct {
	Command     string `json:"command"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Target      string `json:"target"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
	Error       string `json:"error"`
}

func TestJSSDKCommandsMap(t *testing.T) {
	t.Parallel()
	dir := jssdkDir(t)
	data := testenv.SharedData(t)

	// The input of every model operation: the golden test's request (every
	// resource type the reference lists, the required members), with the
	// ARNs it must map to.
	models := gLoadModels(t, data)
	inputs := map[string]json.RawMessage{}
	wantARNs := map[string][]string{}
	for _, e := range gLoadOps(t, data) {
		if e.API != "pinpoint-sms-voice-v2" {
			continue
		}
		shapes := models[e.API].shapes
		c := gV2(t, e, shapes[models[e.API].inputs[e.Op]], shapes)
		inputs[e.Op] = c.req.Body
		wantARNs[e.Op] = c.wantARNs
		if len(c.wantARNs) == 0 {
			wantARNs[e.Op] = []string{"*"}
		}
	}
	stdin, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), jssdkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "requests.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("requests.mjs: %v\n%s", err, stderr.String())
	}
	var reqs []jssdkRequest
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var r jssdkRequest
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("requests.mjs output %q: %v", sc.Text(), err)
		}
		reqs = append(reqs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Every model operation is a command of the SDK (the SDK is newer than
	// the models, never older), and the SDK has no fewer commands.
	commands := map[string]bool{}
	for _, r := range reqs {
		commands[strings.TrimSuffix(r.Command, "Command")] = true
	}
	for op := range inputs {
		if !commands[op] {
			t.Errorf("operation %s of the model is not a command of the SDK", op)
		}
	}
	if len(reqs) < len(inputs) {
		t.Fatalf("the SDK exports %d commands, fewer than the model's %d operations", len(reqs), len(inputs))
	}

	outcomes := map[string]int{}
	for _, r := range reqs {
		op := strings.TrimSuffix(r.Command, "Command")
		t.Run(r.Command, func(t *testing.T) {
			if r.Error != "" {
				t.Fatalf("the SDK did not build the request: %s", r.Error)
			}
			if r.Method != "POST" || r.Path != "/" || r.Target != v2TargetPrefix+op || r.ContentType != "application/x-amz-json-1.0" {
				t.Fatalf("request %s %s target %q content type %q, want POST / %s%s application/x-amz-json-1.0", r.Method, r.Path, r.Target, v2TargetPrefix, op, r.ContentType)
			}
			req := &Request{Method: r.Method, RawPath: r.Path, Body: []byte(r.Body), Region: gRegion, Account: gAccount, Service: "sms-voice",
				Header: http.Header{"X-Amz-Target": {r.Target}, "Content-Type": {r.ContentType}}}
			res, err := Map(req)
			var me *Error
			switch {
			case err == nil:
				outcome := "mapped by the " + res.Rule + " rule"
				t.Logf("%s: %s: %s on %v", r.Command, outcome, res.Permissions[0].Action, res.Permissions[0].Resources)
				outcomes[outcome]++
				if res.Permissions[0].Action != "sms-voice:"+op {
					t.Errorf("action %s, want sms-voice:%s", res.Permissions[0].Action, op)
				}
				got := slices.Clone(res.Permissions[0].Resources)
				sort.Strings(got)
				want, modeled := wantARNs[op]
				switch {
				case modeled && res.Rule == RuleModel:
					want = slices.Clone(want)
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("resources %q, want %q", got, want)
					}
				case !modeled && res.Rule == RuleIAMReference:
					if !slices.Equal(got, []string{"*"}) {
						t.Errorf("resources %q, want [*]", got)
					}
				default:
					t.Errorf("mapped by rule %q, but the operation is in the model: %v", res.Rule, modeled)
				}
			case errors.As(err, &me) && me.Kind == UnmodeledOperation && strings.Contains(me.Msg, UnmodeledRefusal):
				t.Logf("%s: refused: %v", r.Command, err)
				outcomes["refused"]++
				if _, modeled := wantARNs[op]; modeled {
					t.Errorf("refused, but the operation is in the model")
				}
			default:
				t.Errorf("Map(%s) error: %v; want a mapping or the refusal %q", r.Body, err, UnmodeledRefusal)
			}
		})
	}
	t.Logf("%d commands of @aws-sdk/client-pinpoint-sms-voice-v2: %v", len(reqs), outcomes)
}
