package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// TestReloadUnderLoad: config reloads through the admin API during 30
// seconds of concurrent requests lose none; a reload with a bad store is
// refused and the old config keeps serving; a good reload takes effect.
//
// When a reload retires the old server, Go's http.Server closes its idle
// keep-alive connections; a request the client wrote on such a connection
// at that instant fails with EOF or a reset before the server read it. The
// AWS SDKs retry exactly these connection-level failures, so the clients
// here do too (and only those: any HTTP error response counts as lost),
// and the test proves that no retried request had already been served: the
// upstream's request count equals the clients' answers.
func TestReloadUnderLoad(t *testing.T) {
	e := newEnv(t, nil)
	cfgA := e.cfg
	cfgB := e.cfg
	cfgB.Store = storeJSON(t, testStore("SegmentsToo"))
	cfgB.MaxBody = "5MiB"
	bad := e.cfg
	bad.Store = []byte(`{"users":[{"name":"x","policies":["Missing"]}],"policies":{"P":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"mobiletargeting:GetApps","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}]}}}`)

	const (
		workers  = 8
		runFor   = 30 * time.Second
		interval = 1500 * time.Millisecond
	)
	ctx, cancel := context.WithTimeout(context.Background(), runFor+30*time.Second)
	defer cancel()
	deadline := time.Now().Add(runFor)

	var ok, failed, retried atomic.Int64
	var failMu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		failed.Add(1)
		failMu.Lock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
		failMu.Unlock()
	}

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := newQuietCapture()
			cp := creds(backendKeyID, backendSecret, "")
			retryer := connectionRetryer(&retried)
			pp := pinpoint.New(pinpoint.Options{Region: testRegion, BaseEndpoint: aws.String(e.g.URL),
				Credentials: cp, HTTPClient: c.client(), Retryer: retryer})
			v2 := pinpointsmsvoicev2.New(pinpointsmsvoicev2.Options{Region: testRegion, BaseEndpoint: aws.String(e.g.URL),
				Credentials: cp, HTTPClient: c.client(), Retryer: retryer})
			for i := 0; time.Now().Before(deadline); i++ {
				var err error
				switch (w + i) % 3 {
				case 0:
					var out *pinpoint.GetAppsOutput
					out, err = pp.GetApps(ctx, &pinpoint.GetAppsInput{})
					if err == nil && len(out.ApplicationsResponse.Item) != 2 {
						err = errors.New("GetApps: wrong body")
					}
				case 1:
					var out *pinpointsmsvoicev2.DescribePoolsOutput
					out, err = v2.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{})
					if err == nil && len(out.Pools) != 1 {
						err = errors.New("DescribePools: wrong body")
					}
				case 2:
					_, err = pp.SendMessages(ctx, &pinpoint.SendMessagesInput{
						ApplicationId:  aws.String("app-a"),
						MessageRequest: sendMessagesRequest(),
					})
				}
				if err != nil {
					fail("worker %d request %d: %v", w, i, err)
					continue
				}
				ok.Add(1)
			}
		}(w)
	}

	reloads, badReloads := 0, 0
	ticker := time.NewTicker(interval)
	for time.Now().Before(deadline) {
		<-ticker.C
		switch {
		case reloads%5 == 4:
			status, body := e.g.reload(t, bad)
			if status == http.StatusOK {
				t.Errorf("reload with a bad store accepted")
			}
			_ = body
			badReloads++
		case reloads%2 == 0:
			if status, body := e.g.reload(t, cfgB); status != http.StatusOK {
				t.Errorf("reload B: %d %s", status, body)
			}
		default:
			if status, body := e.g.reload(t, cfgA); status != http.StatusOK {
				t.Errorf("reload A: %d %s", status, body)
			}
		}
		reloads++
	}
	ticker.Stop()
	wg.Wait()

	t.Logf("%d requests succeeded, %d failed, %d reloads (%d with a bad store), %d connection-level retries",
		ok.Load(), failed.Load(), reloads, badReloads, retried.Load())
	if failed.Load() > 0 {
		t.Errorf("%d requests lost during reloads; first: %v", failed.Load(), failures)
	}
	if ok.Load() < 100 || reloads < 10 {
		t.Errorf("too little exercised: %d requests, %d reloads", ok.Load(), reloads)
	}
	if up := int64(e.upstreamTotal()); up != ok.Load() {
		t.Errorf("upstream received %d requests, clients got %d answers", up, ok.Load())
	}
	assertNoUpstreamFailures(t, e)

	// The reloads took effect: B allows GetSegments, A does not.
	c := newCapture()
	pp := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), c)
	if status, body := e.g.reload(t, cfgB); status != http.StatusOK {
		t.Fatalf("reload B: %d %s", status, body)
	}
	if _, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")}); err != nil {
		t.Errorf("GetSegments after reloading a store that allows it: %v", err)
	}
	if status, body := e.g.reload(t, cfgA); status != http.StatusOK {
		t.Fatalf("reload A: %d %s", status, body)
	}
	if _, err := pp.GetSegments(ctx, &pinpoint.GetSegmentsInput{ApplicationId: aws.String("app-a")}); err == nil {
		t.Errorf("GetSegments allowed after reloading a store that denies it")
	}
	if status, _ := e.g.reload(t, bad); status == http.StatusOK {
		t.Errorf("reload with a bad store accepted")
	}
	if _, err := pp.GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
		t.Errorf("GetApps after a refused reload: %v", err)
	}
}

// connectionRetryer retries a request up to twice, and only when it failed
// at the connection level (the SDK's RetryableConnectionError), without
// rate limiting; it counts the retries in n.
func connectionRetryer(n *atomic.Int64) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			r := retry.RetryableConnectionError{}.IsErrorRetryable(err)
			if r == aws.TrueTernary {
				n.Add(1)
				return r
			}
			return aws.FalseTernary
		})}
	})
}
