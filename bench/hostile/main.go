// Command hostile measures what a hostile client can make the gateway
// spend, for bench/hostile.sh: the gateway is already running (its PID, its
// address and its audit log file are given), and hostile
//
//  1. opens -idle connections that each send only the headers of a request
//     declaring a body of -declared bytes, and never the body, then reads
//     the gateway's resident memory (VmRSS of /proc/PID/status) before and
//     after;
//  2. sends pathological requests of -size bytes, correctly signed by a
//     user that no policy allows anything (so they are denied), and for each
//     reads the gateway's CPU time (utime+stime of /proc/PID/stat) and the
//     growth of its audit log.
//
// It prints one key=value line per measurement. Every loop is bounded by
// its count and every wait by a deadline; it talks only to the address given
// (127.0.0.1).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func main() {
	var (
		addr     = flag.String("addr", "", "the gateway's address (127.0.0.1:PORT)")
		pid      = flag.Int("pid", 0, "the gateway's process ID")
		audit    = flag.String("audit", "", "the gateway's audit log file (written unbuffered)")
		idle     = flag.Int("idle", 1000, "idle header-only connections to open")
		declared = flag.Int64("declared", 10<<20, "Content-Length each idle connection declares")
		size     = flag.Int("size", 10<<20-1024, "approximate body size of each pathological request")
		akid     = flag.String("access-key", "", "access key ID of a user allowed nothing")
		secret   = flag.String("secret-key", "", "its secret key")
		metrics  = flag.String("metrics", "", "the gateway's admin metrics URL (http://127.0.0.1:PORT/metrics), for its Go heap")
	)
	flag.Parse()
	if *addr == "" || *pid == 0 || *audit == "" || *akid == "" {
		fail(fmt.Errorf("-addr, -pid, -audit and -access-key are required"))
	}
	if !strings.HasPrefix(*addr, "127.") {
		fail(fmt.Errorf("-addr must be a loopback address"))
	}
	if err := idleConnections(*addr, *pid, *metrics, *idle, *declared); err != nil {
		fail(err)
	}
	creds := aws.Credentials{AccessKeyID: *akid, SecretAccessKey: *secret}
	for _, c := range pathological(*size) {
		if err := measure(*addr, *pid, *audit, creds, c); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hostile:", err)
	os.Exit(1)
}

// idleConnections opens n connections that send a request's headers, with
// a declared body of declared bytes, and nothing more; it reports the
// gateway's resident memory before, with them all open, and per connection.
func idleConnections(addr string, pid int, metrics string, n int, declared int64) error {
	before, heapBefore, err := memory(pid, metrics)
	if err != nil {
		return err
	}
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.0\r\n"+
		"X-Amz-Target: PinpointSMSVoiceV2.DescribePools\r\nContent-Length: %d\r\n\r\n", addr, declared)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, head); err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
	}
	// Let the server read every request's headers and start on its body.
	time.Sleep(3 * time.Second)
	after, heapAfter, err := memory(pid, metrics)
	if err != nil {
		return err
	}
	open := 0
	for _, c := range conns {
		// A connection the server already closed reads EOF at once.
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil && !isTimeout(err) {
			continue
		}
		open++
	}
	fmt.Printf("measure=idle connections=%d still_open=%d declared_bytes=%d rss_before_kib=%d rss_after_kib=%d rss_per_conn_kib=%.1f heap_before_kib=%d heap_after_kib=%d heap_per_conn_kib=%.1f\n",
		n, open, declared, before, after, float64(after-before)/float64(n),
		heapBefore>>10, heapAfter>>10, float64(heapAfter-heapBefore)/1024/float64(n))
	return nil
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// hostileCase is one pathological request.
type hostileCase struct {
	name, target, path, service string
	body                        []byte
}

// pathological returns requests of about size bytes each: a v2 list far
// past its model maximum, a Pinpoint tag map of as many tags as fit, and a
// deeply nested JSON value.
func pathological(size int) []hostileCase {
	var ids bytes.Buffer
	ids.WriteString(`{"PoolIds":[`)
	for i := 0; ids.Len() < size-64; i++ {
		if i > 0 {
			ids.WriteByte(',')
		}
		fmt.Fprintf(&ids, `"pool-%032x"`, i)
	}
	ids.WriteString(`]}`)

	var tags bytes.Buffer
	tags.WriteString(`{"CreateApplicationRequest":{"Name":"x"},"tags":{`)
	for i := 0; tags.Len() < size-64; i++ {
		if i > 0 {
			tags.WriteByte(',')
		}
		fmt.Fprintf(&tags, `"k%08d":"v"`, i)
	}
	tags.WriteString(`}}`)

	depth := size / 2
	nested := bytes.Repeat([]byte("["), depth)
	nested = append(nested, bytes.Repeat([]byte("]"), depth)...)
	nested = append(append([]byte(`{"PoolIds":`), nested...), '}')

	return []hostileCase{
		{name: "v2-DescribePools-ids", target: "PinpointSMSVoiceV2.DescribePools", path: "/", service: "sms-voice", body: ids.Bytes()},
		{name: "pinpoint-CreateApp-tags", path: "/v1/apps", service: "mobiletargeting", body: tags.Bytes()},
		{name: "v2-nested-arrays", target: "PinpointSMSVoiceV2.DescribePools", path: "/", service: "sms-voice", body: nested},
	}
}

// measure sends c and reports the gateway's CPU time and audit log growth.
func measure(addr string, pid int, audit string, creds aws.Credentials, c hostileCase) error {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+c.path, bytes.NewReader(c.body))
	if err != nil {
		return err
	}
	if c.target != "" {
		req.Header.Set("X-Amz-Target", c.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(c.body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), c.service, "us-east-1", time.Now()); err != nil {
		return err
	}
	auditBefore, err := fileSize(audit)
	if err != nil {
		return err
	}
	cpuBefore, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 60 * time.Second}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	elapsed := time.Since(start)
	// The audit record is written after the answer: wait (bounded) for the
	// log to stop growing.
	auditAfter := auditBefore
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		n, err := fileSize(audit)
		if err != nil {
			return err
		}
		if n == auditAfter && n > auditBefore {
			break
		}
		auditAfter = n
	}
	cpuAfter, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	code := resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = firstField(answer)
	}
	fmt.Printf("measure=%s body_bytes=%d status=%d error=%q wall_ms=%d gateway_cpu_ms=%d audit_bytes=%d\n",
		c.name, len(c.body), resp.StatusCode, code, elapsed.Milliseconds(),
		(cpuAfter-cpuBefore)*1000/clockTicks, auditAfter-auditBefore)
	return nil
}

// firstField returns the __type of a JSON 1.0 error answer, if any.
func firstField(b []byte) string {
	_, rest, ok := bytes.Cut(b, []byte(`"__type":"`))
	if !ok {
		return ""
	}
	v, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(v)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTicks = 100

func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	_, rest, ok := bytes.Cut(b, []byte(") "))
	if !ok {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return u + s, nil
}

// memory reads the gateway's resident memory (KiB) and allocated heap
// (bytes, 0 without a metrics URL).
func memory(pid int, metrics string) (rss, heap int64, err error) {
	if rss, err = rssKiB(pid); err != nil {
		return 0, 0, err
	}
	if heap, err = heapBytes(metrics); err != nil {
		return 0, 0, err
	}
	return rss, heap, nil
}

func rssKiB(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// heapBytes reads go_memstats_heap_alloc_bytes (the bytes of allocated heap
// objects, virtual pages included) from the admin metrics; 0 without a URL.
func heapBytes(url string) (int64, error) {
	if url == "" {
		return 0, nil
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_memstats_heap_alloc_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("no go_memstats_heap_alloc_bytes at %s", url)
}

func fileSize(name string) (int64, error) {
	st, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
