// Command loadgen is the closed-loop load generator of bench/load.sh: c
// connections send GET requests as fast as answers come back, for a fixed
// duration, and it prints requests/s and latency percentiles as one JSON
// line (or, with -text, one line of key=value pairs for shell scripts).
// With -access-key it signs the requests with SigV4 (the SDK signer):
// each connection re-signs its request every -resign interval (the gateway
// verifies every request in full regardless; a signature stays valid within
// the gateway's clock skew), so the generator spends its CPU on sending, not
// on HMACs.
//
// "loadgen -free-port" prints a free TCP port on 127.0.0.1 and exits.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// result is the JSON line loadgen prints.
type result struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
}

func main() {
	var (
		target   = flag.String("url", "", "request URL (http://127.0.0.1:PORT/v1/apps)")
		name     = flag.String("name", "run", "name printed with the result")
		conns    = flag.Int("c", 32, "concurrent connections")
		duration = flag.Duration("d", 10*time.Second, "duration")
		akid     = flag.String("access-key", "", "access key ID to sign with (empty: unsigned)")
		secret   = flag.String("secret-key", "", "secret access key to sign with")
		service  = flag.String("service", "mobiletargeting", "SigV4 service name")
		region   = flag.String("region", "us-east-1", "SigV4 region")
		resign   = flag.Duration("resign", time.Second, "how often each connection re-signs its request")
		freePort = flag.Bool("free-port", false, "print a free port on 127.0.0.1 and exit")
		text     = flag.Bool("text", false, "print key=value pairs instead of JSON")
	)
	flag.Parse()
	if *freePort {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		return
	}
	if *target == "" || *conns < 1 {
		fmt.Fprintln(os.Stderr, "loadgen: -url and -c >= 1 are required")
		os.Exit(2)
	}
	var creds *aws.Credentials
	if *akid != "" {
		creds = &aws.Credentials{AccessKeyID: *akid, SecretAccessKey: *secret}
	}
	res, err := run(*target, *conns, *duration, creds, *service, *region, *resign)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	res.Name = *name
	if *text {
		fmt.Printf("name=%s requests=%d errors=%d seconds=%.3f rps=%.1f p50_us=%.1f p99_us=%.1f\n",
			res.Name, res.Requests, res.Errors, res.Seconds, res.RPS, res.P50us, res.P99us)
		return
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

// emptyHash is the SHA-256 of an empty body.
var emptyHash = func() string { s := sha256.Sum256(nil); return hex.EncodeToString(s[:]) }()

// run drives the load and measures it.
func run(target string, conns int, d time.Duration, creds *aws.Credentials, service, region string, resign time.Duration) (result, error) {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	signer := v4.NewSigner()

	// One probe first: a target that does not answer 200 fails the run.
	probe, err := newRequest(target, creds, signer, service, region)
	if err != nil {
		return result{}, err
	}
	resp, err := client.Do(probe)
	if err != nil {
		return result{}, fmt.Errorf("probe: %w", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return result{}, fmt.Errorf("probe: status %d: %.300s", resp.StatusCode, b)
	}

	lat := make([][]time.Duration, conns)
	errs := make([]int, conns)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			l := make([]time.Duration, 0, 1<<15)
			var hdr http.Header
			var signedAt time.Time
			for {
				now := time.Now()
				if now.After(deadline) {
					break
				}
				if creds != nil && now.Sub(signedAt) >= resign {
					req, err := newRequest(target, creds, signer, service, region)
					if err != nil {
						errs[w]++
						continue
					}
					hdr, signedAt = req.Header, now
				}
				req, _ := http.NewRequest(http.MethodGet, target, nil)
				if hdr != nil {
					req.Header = hdr.Clone()
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs[w]++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs[w]++
					continue
				}
				l = append(l, time.Since(t0))
			}
			lat[w] = l
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var all []time.Duration
	nerr := 0
	for w := range lat {
		all = append(all, lat[w]...)
		nerr += errs[w]
	}
	slices.Sort(all)
	res := result{Requests: len(all), Errors: nerr, Seconds: elapsed, RPS: float64(len(all)) / elapsed}
	if len(all) > 0 {
		res.P50us = float64(all[len(all)*50/100]) / 1e3
		res.P99us = float64(all[len(all)*99/100]) / 1e3
	}
	return res, nil
}

// newRequest builds one GET request, signed when creds is set.
func newRequest(target string, creds *aws.Credentials, signer *v4.Signer, service, region string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	if creds != nil {
		if err := signer.SignHTTP(context.Background(), *creds, req, emptyHash, service, region, time.Now()); err != nil {
			return nil, fmt.Errorf("signing: %w", err)
		}
	}
	return req, nil
}
