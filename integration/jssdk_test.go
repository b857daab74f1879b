package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJSSDK calls the real gateway with the AWS SDK for JavaScript v3
// (testdata/jssdk, pinned in its package-lock.json: @aws-sdk/client-pinpoint,
// client-pinpoint-sms-voice for the v1 API, client-pinpoint-sms-voice-v2 and
// client-sts), as a Node.js backend would: for each API an allowed call that
// reaches the fake upstream and whose answer the SDK parses, a denied call
// and the error the SDK raises for it, and the same with temporary
// credentials from the gateway's STS (GetSessionToken, and AssumeRole with a
// session tag). How each SDK raises the gateway's 403 AccessDeniedException:
// the v2 client models it, so the error is an instance of its
// AccessDeniedException class; the Pinpoint and v1 clients do not (their
// models have no such error), so theirs is the client's service exception
// base class with name AccessDeniedException; STS's is named AccessDenied,
// as AWS's STS answers. Every one has $fault "client" and HTTP status 403.
// Install with
//
//	npm ci --prefix integration/testdata/jssdk
//
// Without node or node_modules the test skips, unless CI=true, where it fails.

// jssdkHarness returns the harness directory, or skips/fails when it is not installed.
func jssdkHarness(t *testing.T) string {
	t.Helper()
	requireBinary(t)
	dir := filepath.Join("testdata", "jssdk")
	var missing []string
	for _, pkg := range []string{"client-pinpoint", "client-pinpoint-sms-voice", "client-pinpoint-sms-voice-v2", "client-sts"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", pkg, "package.json")); err != nil {
			missing = append(missing, "@aws-sdk/"+pkg)
		}
	}
	_, errNode := exec.LookPath("node")
	if len(missing) > 0 || errNode != nil {
		msg := "JavaScript SDK not installed (run: npm ci --prefix integration/testdata/jssdk; needs node): missing " + strings.Join(missing, ", ")
		if errNode != nil {
			msg += " node"
		}
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// jssdkCall is one call of calls.mjs.
type jssdkCall struct {
	Name    string `json:"name"`
	API     string `json:"api"` // pinpoint | sms-voice | sms-voice-v2 | sts
	Command string `json:"command"`
	Input   obj    `json:"input,omitempty"`
	As      string `json:"as"` // user, session:USER or role:USER
}

// jssdkResult is one output line of calls.mjs.
type jssdkResult struct {
	Name   string         `json:"name"`
	OK     bool           `json:"ok"`
	Output map[string]any `json:"output"`
	Error  *struct {
		Name    string `json:"name"`
		Status  int    `json:"status"`
		Fault   string `json:"fault"`
		Message string `json:"message"`
		Typed   bool   `json:"typed"`
	} `json:"error"`
}

// jssdkStore is the test store with the role allowed one call of each SMS
// API besides its tenant-scoped Pinpoint reads.
func jssdkStore() obj {
	s := testStore()
	s["policies"].(obj)["TenantScoped"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "OwnTenantApps", "Effect": "Allow", "Action": "mobiletargeting:GetApp",
			"Resource":  "arn:aws:mobiletargeting:us-east-1:123456789012:apps/*",
			"Condition": obj{"StringEquals": obj{"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
		{"Sid": "TenantSMS", "Effect": "Allow",
			"Action":   []string{"sms-voice:DescribePools", "sms-voice:CreateConfigurationSet"},
			"Resource": "*"},
	}}
	return s
}

// dig returns the value at a path of nested JSON objects and arrays.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestJSSDK(t *testing.T) {
	dir := jssdkHarness(t)
	e := newEnv(t, func(c *gatewayConfig) { c.Store = storeJSON(t, jssdkStore()) })

	const (
		roleSessionARN = "arn:aws:sts::123456789012:assumed-role/tenant-app/jssdk-assumer"
		denied         = "AccessDeniedException"
	)
	calls := []jssdkCall{}
	// want is what each call must give: a check of the output, or the error.
	type want struct {
		output func(out map[string]any) bool
		what   string // what output must hold
		err    string // the SDK error's name
		typed  bool   // an instance of the client's own exception class
		status int
		msg    string // in the error message
	}
	wants := map[string]want{}
	add := func(c jssdkCall, w want) {
		calls = append(calls, c)
		wants[c.Name] = w
	}
	appsListed := want{what: "ApplicationsResponse.Item[0].Id = app-a", output: func(o map[string]any) bool {
		return dig(o, "ApplicationsResponse", "Item", 0, "Id") == "app-a" && dig(o, "ApplicationsResponse", "Item", 1, "Id") == "app-b"
	}}
	poolListed := want{what: "Pools[0].PoolId = " + poolID, output: func(o map[string]any) bool {
		return dig(o, "Pools", 0, "PoolId") == poolID
	}}
	v1Created := want{what: "an empty answer", output: func(o map[string]any) bool { return len(o) == 0 }}
	createConfigSet := obj{"ConfigurationSetName": "jssdk-otp"}

	for _, as := range []string{"backend", "session:backend"} {
		who := as
		add(jssdkCall{Name: who + " pinpoint GetApps", API: "pinpoint", Command: "GetApps", As: as}, appsListed)
		add(jssdkCall{Name: who + " pinpoint DeleteApp", API: "pinpoint", Command: "DeleteApp", As: as,
			Input: obj{"ApplicationId": "app-a"}},
			want{err: denied, status: 403, msg: "User: " + backendARN + " is not authorized to perform: mobiletargeting:DeleteApp on resource: " + appAARN + " with an explicit deny in an identity-based policy"})
		add(jssdkCall{Name: who + " sms-voice CreateConfigurationSet", API: "sms-voice", Command: "CreateConfigurationSet", As: as,
			Input: createConfigSet}, v1Created)
		add(jssdkCall{Name: who + " sms-voice DeleteConfigurationSet", API: "sms-voice", Command: "DeleteConfigurationSet", As: as,
			Input: obj{"ConfigurationSetName": "jssdk-otp"}},
			want{err: denied, status: 403, msg: "User: " + backendARN + " is not authorized to perform: sms-voice:DeleteConfigurationSet"})
		add(jssdkCall{Name: who + " sms-voice-v2 DescribePools", API: "sms-voice-v2", Command: "DescribePools", As: as}, poolListed)
		add(jssdkCall{Name: who + " sms-voice-v2 DeletePool", API: "sms-voice-v2", Command: "DeletePool", As: as,
			Input: obj{"PoolId": poolID}},
			want{err: denied, typed: true, status: 403, msg: "User: " + backendARN + " is not authorized to perform: sms-voice:DeletePool on resource: arn:aws:sms-voice:us-east-1:123456789012:pool/" + poolID})
		add(jssdkCall{Name: who + " sts GetCallerIdentity", API: "sts", Command: "GetCallerIdentity", As: as},
			want{what: "Arn = " + backendARN, output: func(o map[string]any) bool { return o["Arn"] == backendARN }})
	}
	add(jssdkCall{Name: "backend sms-voice-v2 SendTextMessage", API: "sms-voice-v2", Command: "SendTextMessage", As: "backend",
		Input: obj{"DestinationPhoneNumber": "+12065550100", "MessageBody": "Your code is 123456"}},
		want{what: "MessageId", output: func(o map[string]any) bool { return o["MessageId"] == "4b1c9f0e-6a2d-4c1e-9a57-0d3f2b7c8e11" }})
	add(jssdkCall{Name: "backend sts AssumeRole", API: "sts", Command: "AssumeRole", As: "backend",
		Input: obj{"RoleArn": tenantRoleARN, "RoleSessionName": "not-trusted"}},
		want{err: "AccessDenied", status: 403, msg: "User: " + backendARN + " is not authorized to perform: sts:AssumeRole on resource: " + tenantRoleARN})

	role := "role:assumer"
	add(jssdkCall{Name: "role sts GetCallerIdentity", API: "sts", Command: "GetCallerIdentity", As: role},
		want{what: "Arn = " + roleSessionARN, output: func(o map[string]any) bool { return o["Arn"] == roleSessionARN }})
	add(jssdkCall{Name: "role pinpoint GetApp own tenant", API: "pinpoint", Command: "GetApp", As: role,
		Input: obj{"ApplicationId": "app-a"}},
		want{what: "ApplicationResponse.Id = app-a", output: func(o map[string]any) bool { return dig(o, "ApplicationResponse", "Id") == "app-a" }})
	add(jssdkCall{Name: "role pinpoint GetApp other tenant", API: "pinpoint", Command: "GetApp", As: role,
		Input: obj{"ApplicationId": "app-b"}},
		want{err: denied, status: 403, msg: "User: " + roleSessionARN + " is not authorized to perform: mobiletargeting:GetApp on resource: " + appBARN})
	add(jssdkCall{Name: "role sms-voice CreateConfigurationSet", API: "sms-voice", Command: "CreateConfigurationSet", As: role,
		Input: createConfigSet}, v1Created)
	add(jssdkCall{Name: "role sms-voice DeleteConfigurationSet", API: "sms-voice", Command: "DeleteConfigurationSet", As: role,
		Input: obj{"ConfigurationSetName": "jssdk-otp"}},
		want{err: denied, status: 403, msg: "User: " + roleSessionARN + " is not authorized to perform: sms-voice:DeleteConfigurationSet"})
	add(jssdkCall{Name: "role sms-voice-v2 DescribePools", API: "sms-voice-v2", Command: "DescribePools", As: role}, poolListed)
	add(jssdkCall{Name: "role sms-voice-v2 DeletePool", API: "sms-voice-v2", Command: "DeletePool", As: role,
		Input: obj{"PoolId": poolID}},
		want{err: denied, typed: true, status: 403, msg: "User: " + roleSessionARN + " is not authorized to perform: sms-voice:DeletePool"})

	stdin, err := json.Marshal(obj{
		"endpoint": e.g.URL,
		"region":   testRegion,
		"users": obj{
			"backend": obj{"accessKeyId": backendKeyID, "secretAccessKey": backendSecret},
			"assumer": obj{"accessKeyId": assumerKeyID, "secretAccessKey": assumerSecret},
		},
		"roleArn":     tenantRoleARN,
		"sessionTags": []obj{{"Key": "tenant", "Value": "a"}},
		"calls":       calls,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, "node", "calls.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	// Nothing of the user's AWS configuration, no instance metadata: the
	// clients know only the gateway's endpoint and the given credentials.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node calls.mjs: %v\n%s", err, stderr.String())
	}

	results := map[string]jssdkResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var r jssdkResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("calls.mjs output %q: %v", sc.Text(), err)
		}
		results[r.Name] = r
	}
	for _, c := range calls {
		t.Run(c.Name, func(t *testing.T) {
			r, ok := results[c.Name]
			if !ok {
				t.Fatalf("no result from calls.mjs; stderr:\n%s", stderr.String())
			}
			w := wants[c.Name]
			if w.err == "" {
				if !r.OK {
					t.Fatalf("%s %s failed: %+v, want success", c.API, c.Command, *r.Error)
				}
				if !w.output(r.Output) {
					t.Errorf("%s %s output %v, want %s", c.API, c.Command, r.Output, w.what)
				}
				return
			}
			if r.OK {
				t.Fatalf("%s %s succeeded (%v), want %s", c.API, c.Command, r.Output, w.err)
			}
			if r.Error.Name != w.err || r.Error.Status != w.status || r.Error.Fault != "client" {
				t.Errorf("error name %q status %d fault %q, want %q %d client", r.Error.Name, r.Error.Status, r.Error.Fault, w.err, w.status)
			}
			if r.Error.Typed != w.typed {
				t.Errorf("error is an instance of the client's own %s class: %v, want %v", r.Error.Name, r.Error.Typed, w.typed)
			}
			if !strings.HasPrefix(r.Error.Message, w.msg) {
				t.Errorf("error message %q, want prefix %q", r.Error.Message, w.msg)
			}
		})
	}

	// What reached the fake upstreams: exactly the allowed calls, each
	// re-signed with the gateway's credentials and without the client's.
	t.Run("upstream received the allowed calls only", func(t *testing.T) {
		wantOps := map[string]int{}
		for _, c := range calls {
			if wants[c.Name].err == "" && c.API != "sts" {
				wantOps[c.API+" "+c.Command]++
			}
		}
		gotOps := map[string]int{}
		for api, u := range e.up {
			for _, r := range u.Records() {
				gotOps[api+" "+r.Operation]++
				if len(r.Failures) > 0 {
					t.Errorf("upstream %s refused %s %s: %v", api, r.Method, r.Path, r.Failures)
				}
			}
		}
		for op, n := range wantOps {
			if gotOps[op] != n {
				t.Errorf("upstream got %s %d times, want %d", op, gotOps[op], n)
			}
		}
		for op, n := range gotOps {
			if wantOps[op] == 0 {
				t.Errorf("upstream got %s %d times, want never", op, n)
			}
		}
	})
}
