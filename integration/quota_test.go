package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	v2types "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// Quotas end to end: named limits on how many destinations a key may send
// to per window, their counters in a real redis-server shared by several
// gateway processes.

// Tenant users of the quota tests: a1 and a2 share the tenant tag a, b is
// tenant b.
const (
	quotaA1KeyID  = "AKIAINTEGQUOTAA10001"
	quotaA1Secret = "quotaA1SecretKey/IntegrationTests/000005"
	quotaA2KeyID  = "AKIAINTEGQUOTAA20001"
	quotaA2Secret = "quotaA2SecretKey/IntegrationTests/000006"
	quotaBKeyID   = "AKIAINTEGQUOTAB00001"
	quotaBSecret  = "quotaBSecretKey/IntegrationTests/0000007"
	quotaName     = "sms-per-tenant"
	numberQuota   = "sms-per-number"
	numberLimit   = 2
)

// quotaStore adds the tenant users, who may send anywhere but to a
// premium-rate number and describe pools and apps, to the test store.
func quotaStore() obj {
	s := testStore()
	s["users"] = append(s["users"].([]obj),
		obj{"name": "quota-a1", "tags": obj{"tenant": "a"}, "access_keys": []obj{{"id": quotaA1KeyID, "secret": quotaA1Secret}}, "policies": []string{"Sender"}},
		obj{"name": "quota-a2", "tags": obj{"tenant": "a"}, "access_keys": []obj{{"id": quotaA2KeyID, "secret": quotaA2Secret}}, "policies": []string{"Sender"}},
		obj{"name": "quota-b", "tags": obj{"tenant": "b"}, "access_keys": []obj{{"id": quotaBKeyID, "secret": quotaBSecret}}, "policies": []string{"Sender"}},
	)
	s["policies"].(obj)["Sender"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "Send", "Effect": "Allow", "Resource": "*", "Action": []string{
			"sms-voice:SendTextMessage", "sms-voice:SendVoiceMessage", "sms-voice:DescribePools", "mobiletargeting:SendMessages", "mobiletargeting:GetApps"}},
		{"Sid": "NoPremium", "Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": obj{"ForAnyValue:StringEquals": obj{"gateway:DestinationNumberType": "PREMIUM_RATE"}}},
	}}
	return s
}

// quotaCaddyfile is the quota and shared_state configuration: limit
// destinations per hour per tenant tag, and numberLimit sends per hour to
// one phone number, counted in the Redis at url.
func quotaCaddyfile(url string, limit int, timeout string) string {
	return fmt.Sprintf("\t\tquota %s {\n"+
		"\t\t\tactions sms-voice:SendTextMessage mobiletargeting:SendMessages\n"+
		"\t\t\tper aws:PrincipalTag/tenant\n"+
		"\t\t\tlimit %d 1h\n"+
		"\t\t}\n"+
		"\t\tquota %s {\n"+
		"\t\t\tactions sms-voice:Send* mobiletargeting:SendMessages\n"+
		"\t\t\tper gateway:DestinationNumber\n"+
		"\t\t\tlimit %d 1h\n"+
		"\t\t}\n"+
		"\t\tshared_state redis %s {\n"+
		"\t\t\ttimeout %s\n"+
		"\t\t}", quotaName, limit, numberQuota, numberLimit, url, timeout)
}

// newQuotaEnvs starts the fake upstreams and n gateways in front of them,
// all with the same configuration: the quota store and extra.
func newQuotaEnvs(t *testing.T, n int, extra string) []*env {
	t.Helper()
	base := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, quotaStore())
		cfg.Extra = extra
	})
	base.forbid(quotaA1KeyID, quotaA1Secret, quotaA2KeyID, quotaA2Secret, quotaBKeyID, quotaBSecret)
	envs := []*env{base}
	for range n - 1 {
		envs = append(envs, &env{g: startGateway(t, base.cfg), up: base.up, cfg: base.cfg})
	}
	return envs
}

// frenchMobile is the i-th of a series of distinct valid French mobile numbers.
func frenchMobile(i int) string { return fmt.Sprintf("+33612%06d", i) }

// quotaSend is one governed send, through SMS and Voice v2
// SendTextMessage (to number) or Pinpoint SendMessages (to number and more).
type quotaSend struct {
	g        *gatewayProc
	id, sec  string
	pinpoint bool
	number   string
	more     []string
}

func (s quotaSend) do(ctx context.Context, c *capture) error {
	cp := creds(s.id, s.sec, "")
	if s.pinpoint {
		addresses := map[string]ptypes.AddressConfiguration{s.number: {ChannelType: ptypes.ChannelTypeSms}}
		for _, n := range s.more {
			addresses[n] = ptypes.AddressConfiguration{ChannelType: ptypes.ChannelTypeSms}
		}
		_, err := pinpointClient(s.g, cp, c).SendMessages(ctx, &pinpoint.SendMessagesInput{
			ApplicationId: aws.String("app-a"),
			MessageRequest: &ptypes.MessageRequest{
				Addresses: addresses,
				MessageConfiguration: &ptypes.DirectMessageConfiguration{
					SMSMessage: &ptypes.SMSMessage{Body: aws.String(sendingMessage), MessageType: ptypes.MessageTypeTransactional},
				},
			},
		})
		return err
	}
	_, err := smsV2Client(s.g, cp, c).SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
		DestinationPhoneNumber: aws.String(s.number),
		OriginationIdentity:    aws.String(poolID),
		MessageBody:            aws.String(sendingMessage),
	})
	return err
}

// throttled checks that err is the SDK's typed throttling error of the
// send's API (v2: ThrottlingException, HTTP 400; Pinpoint:
// TooManyRequestsException, 429) with a Retry-After of 1 s to the window
// and one bucket of it (a destination counts until its 1/60 of the window
// has left the window) and a message naming the quota. It returns why not,
// "" when it is.
func (s quotaSend) throttled(err error, quota string) string {
	var typed bool
	wantStatus := http.StatusBadRequest
	if s.pinpoint {
		var tmr *ptypes.TooManyRequestsException
		typed = errors.As(err, &tmr)
		wantStatus = http.StatusTooManyRequests
	} else {
		var te *v2types.ThrottlingException
		typed = errors.As(err, &te)
	}
	if !typed {
		return fmt.Sprintf("error %v (%T) is not the typed throttling error (pinpoint %v)", err, err, s.pinpoint)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Sprintf("error %v carries no HTTP response", err)
	}
	if re.HTTPStatusCode() != wantStatus {
		return fmt.Sprintf("HTTP status %d, want %d", re.HTTPStatusCode(), wantStatus)
	}
	ra := re.Response.Header.Get("Retry-After")
	if secs, perr := strconv.Atoi(ra); perr != nil || secs < 1 || secs > 3660 {
		return fmt.Sprintf("Retry-After %q, want 1 to 3660 seconds", ra)
	}
	if !strings.Contains(err.Error(), "quota "+quota+" ") {
		return fmt.Sprintf("error %q does not name the quota %s", err, quota)
	}
	return ""
}

// sendRecords counts what reached the upstreams of e: sends, and anything else.
func sendRecords(t *testing.T, e *env) (sends, other int) {
	t.Helper()
	for api, u := range e.up {
		for _, r := range u.Records() {
			if len(r.Failures) > 0 {
				t.Errorf("upstream %s refused %s %s: %v", api, r.Method, r.Path, r.Failures)
			}
			switch r.Operation {
			case "SendTextMessage", "SendMessages":
				sends++
			default:
				other++
			}
		}
	}
	return sends, other
}

// waitAuditCount polls the audit logs of gws until exactly want records
// satisfy pred, failing after a deadline or when there are more.
func waitAuditCount(t *testing.T, gws []*gatewayProc, what string, want int, pred func(map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := 0
		for _, g := range gws {
			for _, rec := range g.auditRecords(t) {
				if pred(rec) {
					n++
				}
			}
		}
		if n == want {
			return
		}
		if n > want || time.Now().After(deadline) {
			t.Fatalf("%d audit records of %s, want %d", n, what, want)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
	}
}

// quotaMetric sums the series quota_decisions_total{quota,outcome} over gws.
func quotaMetric(t *testing.T, gws []*gatewayProc, quota, outcome string) float64 {
	t.Helper()
	series := `pinpoint_gateway_quota_decisions_total{outcome="` + outcome + `",quota="` + quota + `"}`
	var sum float64
	for _, g := range gws {
		v := metricValue(t, g, series)
		if v == "" {
			t.Fatalf("no series %s in %s/metrics", series, g.AdminURL)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("series %s = %q: %v", series, v, err)
		}
		sum += f
	}
	return sum
}

// isSend reports whether rec is the audit record of a governed send.
func isSend(rec map[string]any) bool {
	op := field(rec, "operation")
	return op == "SendTextMessage" || op == "SendMessages"
}

// TestQuotaSharedAcrossInstances: three gateway processes count their
// quotas in one redis-server. 32 clients spread over them send
// concurrently, two sends of one destination each: exactly the limit is
// admitted and reaches the upstream, every other send gets the SDK's typed
// throttling error with Retry-After and is audited QuotaExceeded; the next
// send is refused too. Sends that policy denies take nothing, a refused
// send takes nothing from the other quota either, another tenant has its
// own counter, and destinations are counted, not requests.
func TestQuotaSharedAcrossInstances(t *testing.T) {
	requireBinary(t)
	const (
		limit     = 20
		instances = 3
		clients   = 32
		perClient = 2
	)
	redis := testenv.StartRedis(t)
	// A generous timeout: 64 concurrent sends on a shared 2-core machine
	// must be throttled, never refused for a slow Redis.
	envs := newQuotaEnvs(t, instances, quotaCaddyfile(redis.URL(), limit, "5s"))
	gws := make([]*gatewayProc, len(envs))
	for i, e := range envs {
		gws[i] = e.g
	}
	e := envs[0] // the upstreams are shared

	// Denied by policy before any quota: counts nowhere.
	for i, g := range gws {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s := quotaSend{g: g, id: quotaA1KeyID, sec: quotaA1Secret, pinpoint: i == 1, number: numGBPremium}
		err := s.do(ctx, newQuietCapture())
		cancel()
		if !isAPIError(err, "AccessDeniedException") {
			t.Fatalf("send to a premium-rate number: %v, want AccessDeniedException", err)
		}
	}
	e.assertNothingUpstream(t)

	type result struct {
		send quotaSend
		err  error
	}
	results := make(chan result, clients*perClient)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newQuietCapture()
			s := quotaSend{g: gws[i%instances], id: quotaA1KeyID, sec: quotaA1Secret, pinpoint: i%4 >= 2}
			if i%2 == 1 {
				s.id, s.sec = quotaA2KeyID, quotaA2Secret
			}
			<-start
			for j := range perClient {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				s.number = frenchMobile(i*perClient + j)
				results <- result{s, s.do(ctx, c)}
				cancel()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(results)

	admitted, refused := 0, 0
	for r := range results {
		if r.err == nil {
			admitted++
			continue
		}
		if why := r.send.throttled(r.err, quotaName); why != "" {
			t.Errorf("send to %s through %s: %s", r.send.number, r.send.g.URL, why)
			continue
		}
		refused++
	}
	if admitted != limit || refused != clients*perClient-limit {
		t.Fatalf("%d sends admitted and %d throttled, want %d and %d", admitted, refused, limit, clients*perClient-limit)
	}
	if sends, other := sendRecords(t, e); sends != limit || other != 0 {
		t.Fatalf("the upstreams received %d sends and %d other requests, want %d and 0", sends, other, limit)
	}
	waitAuditCount(t, gws, "admitted sends", limit, func(r map[string]any) bool {
		quotas, _ := r["quotas"].([]any)
		return isSend(r) && field(r, "decision") == "Allow" &&
			len(quotas) == 2 && quotas[0] == quotaName && quotas[1] == numberQuota
	})
	waitAuditCount(t, gws, "throttled sends", clients*perClient-limit, func(r map[string]any) bool {
		return isSend(r) && field(r, "decision") == "QuotaExceeded" && field(r, "quota_refused") == quotaName
	})

	for _, m := range []struct {
		quota, outcome string
		want           float64
	}{
		{quotaName, "admitted", limit}, {quotaName, "refused", clients*perClient - limit},
		{numberQuota, "admitted", limit}, {numberQuota, "refused", 0}, {quotaName, "store_error", 0},
	} {
		if got := quotaMetric(t, gws, m.quota, m.outcome); got != m.want {
			t.Errorf("quota_decisions_total{quota=%q,outcome=%q} = %v over the instances, want %v", m.quota, m.outcome, got, m.want)
		}
	}

	t.Run("the next send is refused", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i, g := range gws {
			s := quotaSend{g: g, id: quotaA2KeyID, sec: quotaA2Secret, pinpoint: i == 1, number: numDEMobile}
			if why := s.throttled(s.do(ctx, newQuietCapture()), quotaName); why != "" {
				t.Errorf("through %s: %s", g.URL, why)
			}
		}
		e.assertNothingUpstream(t)
	})
	// Tenant b has its own counter of sms-per-tenant; numDEMobile's counter
	// of sms-per-number took none of the three refusals above (a decision
	// takes from all its quotas or from none).
	t.Run("another tenant, and the number refused to tenant a", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i := range numberLimit {
			e.reset()
			s := quotaSend{g: gws[i%instances], id: quotaBKeyID, sec: quotaBSecret, number: numDEMobile}
			if err := s.do(ctx, newQuietCapture()); err != nil {
				t.Fatalf("tenant b's send %d to %s: %v", i+1, numDEMobile, err)
			}
			e.onlyRecord(t, "sms-voice-v2")
		}
		e.reset()
		s := quotaSend{g: gws[2], id: quotaBKeyID, sec: quotaBSecret, pinpoint: true, number: numDEMobile}
		if why := s.throttled(s.do(ctx, newQuietCapture()), numberQuota); why != "" {
			t.Errorf("send %d to %s: %s", numberLimit+1, numDEMobile, why)
		}
		e.assertNothingUpstream(t)
	})
	// Tenant b has now taken numberLimit of its limit.
	t.Run("destinations are counted, not requests", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		numbers := func(from, n int) []string {
			var out []string
			for i := range n {
				out = append(out, frenchMobile(from+i))
			}
			return out
		}
		send := func(g *gatewayProc, ns []string) (quotaSend, error) {
			e.reset()
			s := quotaSend{g: g, id: quotaBKeyID, sec: quotaBSecret, pinpoint: true, number: ns[0], more: ns[1:]}
			return s, s.do(ctx, newQuietCapture())
		}
		// More destinations than the limit: refused, for a whole window.
		s, err := send(gws[0], numbers(1000, limit+1))
		if why := s.throttled(err, quotaName); why != "" {
			t.Fatalf("a send to %d destinations: %s", limit+1, why)
		}
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.Response.Header.Get("Retry-After") != "3600" {
			t.Errorf("Retry-After %q for more destinations than the limit, want the window, 3600", re.Response.Header.Get("Retry-After"))
		}
		e.assertNothingUpstream(t)
		// One more than what is left: refused, and takes nothing.
		left := limit - numberLimit
		s, err = send(gws[1], numbers(2000, left+1))
		if why := s.throttled(err, quotaName); why != "" {
			t.Fatalf("a send to %d destinations with %d left: %s", left+1, left, why)
		}
		e.assertNothingUpstream(t)
		// Exactly what is left, in one request: admitted.
		if _, err := send(gws[2], numbers(3000, left)); err != nil {
			t.Fatalf("a send to the %d destinations left: %v", left, err)
		}
		if rec := e.onlyRecord(t, "pinpoint"); !strings.Contains(string(rec.Body), frenchMobile(3000+left-1)) {
			t.Errorf("upstream body %q", rec.Body)
		}
		s, err = send(gws[0], numbers(4000, 1))
		if why := s.throttled(err, quotaName); why != "" {
			t.Fatalf("a send after the limit: %s", why)
		}
		e.assertNothingUpstream(t)
	})
	t.Run("a principal without a tenant tag is denied", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// backend may send (PinpointOps) but has no tenant tag to count by.
		s := quotaSend{g: gws[1], id: backendKeyID, sec: backendSecret, number: numFRMobile}
		apiErr := apiErrorOf(t, s.do(ctx, newQuietCapture()), "AccessDeniedException", http.StatusForbidden)
		if !strings.Contains(apiErr.ErrorMessage(), "quota") {
			t.Errorf("message %q does not say the quota is why", apiErr.ErrorMessage())
		}
		e.assertNothingUpstream(t)
		if got := quotaMetric(t, gws[1:2], quotaName, "no_value"); got != 1 {
			t.Errorf("quota_decisions_total{quota=%q,outcome=\"no_value\"} = %v, want 1", quotaName, got)
		}
	})
	t.Run("ungoverned calls are not counted", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := smsV2Client(gws[0], creds(quotaA1KeyID, quotaA1Secret, ""), newQuietCapture()).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{}); err != nil {
			t.Fatalf("DescribePools of an exhausted tenant: %v", err)
		}
		e.onlyRecord(t, "sms-voice-v2")
	})
	for _, g := range gws {
		assertNoSecretsInLog(t, g, append([]string{quotaA1Secret, quotaA2Secret, quotaBSecret}, allSecrets...))
	}
}

// TestQuotaRedisOutage: while the redis-server is down, or does not
// answer, sends a quota governs are refused with 503 ServiceUnavailable
// within the configured timeout and nothing is forwarded, while calls no
// quota governs go on; when it is back on the same port, the same gateway
// processes admit sends again.
func TestQuotaRedisOutage(t *testing.T) {
	requireBinary(t)
	redis := testenv.StartRedis(t)
	e := newQuotaEnvs(t, 1, quotaCaddyfile(redis.URL(), 1000, "250ms"))[0]
	c := newQuietCapture()
	a1 := creds(quotaA1KeyID, quotaA1Secret, "")
	v2Send := quotaSend{g: e.g, id: quotaA1KeyID, sec: quotaA1Secret, number: numFRMobile}
	ppSend := quotaSend{g: e.g, id: quotaA1KeyID, sec: quotaA1Secret, number: numDEMobile, pinpoint: true}

	// unavailable checks that s is refused 503 ServiceUnavailable, within a
	// bound that the 250ms timeout keeps far away, and not forwarded.
	unavailable := func(t *testing.T, e *env, s quotaSend) {
		t.Helper()
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		began := time.Now()
		err := s.do(ctx, c)
		if took := time.Since(began); took > 5*time.Second {
			t.Errorf("the refusal took %v with a 250ms timeout", took)
		}
		apiErrorOf(t, err, "ServiceUnavailable", http.StatusServiceUnavailable)
		e.assertNothingUpstream(t)
	}
	// ungoverned checks that calls no quota governs still reach the upstream.
	ungoverned := func(t *testing.T, e *env) {
		t.Helper()
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := smsV2Client(e.g, a1, c).DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{}); err != nil {
			t.Errorf("DescribePools: %v", err)
		}
		if _, err := pinpointClient(e.g, a1, c).GetApps(ctx, &pinpoint.GetAppsInput{}); err != nil {
			t.Errorf("GetApps: %v", err)
		}
		if sends, other := sendRecords(t, e); sends != 0 || other != 2 {
			t.Errorf("the upstreams received %d sends and %d other requests, want 0 and 2", sends, other)
		}
	}

	t.Run("redis up", func(t *testing.T) {
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, s := range []quotaSend{v2Send, ppSend} {
			if err := s.do(ctx, c); err != nil {
				t.Fatalf("send (pinpoint %v): %v", s.pinpoint, err)
			}
		}
		if sends, _ := sendRecords(t, e); sends != 2 {
			t.Fatalf("the upstreams received %d sends, want 2", sends)
		}
	})

	redis.Stop()
	t.Run("redis stopped", func(t *testing.T) {
		unavailable(t, e, v2Send)
		unavailable(t, e, ppSend)
		ungoverned(t, e)
		rec := e.g.waitAudit(t, "a send refused for the outage", func(r map[string]any) bool {
			return isSend(r) && field(r, "decision") == "QuotaUnavailable"
		})
		if field(rec, "quota_error") == "" {
			t.Errorf("record %v has no quota_error", rec)
		}
		if quotas, _ := rec["quotas"].([]any); len(quotas) != 2 || quotas[0] != quotaName || quotas[1] != numberQuota {
			t.Errorf("quotas %v, want [%s %s]", rec["quotas"], quotaName, numberQuota)
		}
		for _, q := range []string{quotaName, numberQuota} {
			if got := quotaMetric(t, []*gatewayProc{e.g}, q, "store_error"); got != 2 {
				t.Errorf("quota_decisions_total{quota=%q,outcome=\"store_error\"} = %v, want 2", q, got)
			}
		}
	})

	redis.Start()
	t.Run("redis back", func(t *testing.T) {
		// The gateway reconnects on its own: poll, each refusal still a 503.
		deadline := time.Now().Add(20 * time.Second)
		for attempt := 1; ; attempt++ {
			e.reset()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := v2Send.do(ctx, c)
			cancel()
			if err == nil {
				break
			}
			if !isAPIError(err, "ServiceUnavailable") {
				t.Fatalf("attempt %d after the restart: %v, want success or ServiceUnavailable", attempt, err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("sends still refused 20 s after redis came back (%d attempts): %v", attempt, err)
			}
			time.Sleep(100 * time.Millisecond) // poll interval, bounded by the deadline above
		}
		e.onlyRecord(t, "sms-voice-v2")
		e.reset()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := ppSend.do(ctx, c); err != nil {
			t.Fatalf("Pinpoint send after the restart: %v", err)
		}
		e.onlyRecord(t, "pinpoint")
	})

	t.Run("redis does not answer", func(t *testing.T) {
		// A server that accepts connections and never answers: only the
		// timeout ends the wait.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var (
			mu    sync.Mutex
			conns []net.Conn
		)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			l.Close()
			mu.Lock()
			defer mu.Unlock()
			for _, c := range conns {
				c.Close()
			}
		})
		// The URL's password must stay out of the log.
		const password = "redisPasswordForIntegrationTests00008"
		silent := newQuotaEnvs(t, 1, quotaCaddyfile("redis://gateway:"+password+"@"+l.Addr().String()+"/0", 1000, "250ms"))[0]
		v2, pp := v2Send, ppSend
		v2.g, pp.g = silent.g, silent.g
		unavailable(t, silent, v2)
		unavailable(t, silent, pp)
		ungoverned(t, silent)
		mu.Lock()
		dialed := len(conns)
		mu.Unlock()
		if dialed == 0 {
			t.Error("the gateway never connected to the silent server")
		}
		silent.g.waitAudit(t, "a send refused for the silent server", func(r map[string]any) bool {
			return isSend(r) && field(r, "decision") == "QuotaUnavailable"
		})
		assertNoSecretsInLog(t, silent.g, []string{password})
	})
}

// TestQuotaMemoryAcrossReload: with the default in-memory state, one
// gateway counts per principal (the default per key), and a config reload
// keeps the counters: a quota of the same name and window goes on counting
// under its new limit.
func TestQuotaMemoryAcrossReload(t *testing.T) {
	requireBinary(t)
	memory := func(limit int) string {
		return fmt.Sprintf("\t\tquota per-principal {\n"+
			"\t\t\tactions sms-voice:SendTextMessage\n"+
			"\t\t\tlimit %d 1h\n"+
			"\t\t}\n"+
			"\t\tquota one-call {\n"+
			"\t\t\tactions sms-voice:SendVoiceMessage\n"+
			"\t\t\tlimit 1 1h\n"+
			"\t\t}", limit)
	}
	e := newQuotaEnvs(t, 1, memory(2))[0]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := newQuietCapture()
	send := func(id, secret string, n int) (quotaSend, error) {
		e.reset()
		s := quotaSend{g: e.g, id: id, sec: secret, number: frenchMobile(n)}
		return s, s.do(ctx, c)
	}
	admit := func(t *testing.T, id, secret string, n int) {
		t.Helper()
		if _, err := send(id, secret, n); err != nil {
			t.Fatalf("send %d as %s: %v", n, id, err)
		}
		e.onlyRecord(t, "sms-voice-v2")
	}
	refuse := func(t *testing.T, id, secret string, n int) {
		t.Helper()
		s, err := send(id, secret, n)
		if why := s.throttled(err, "per-principal"); why != "" {
			t.Fatalf("send %d as %s: %s", n, id, why)
		}
		e.assertNothingUpstream(t)
	}
	reload := func(t *testing.T, limit int) {
		t.Helper()
		cfg := e.cfg
		cfg.Extra = memory(limit)
		if status, body := e.g.reload(t, cfg); status != http.StatusOK {
			t.Fatalf("reload with limit %d: %d %s", limit, status, body)
		}
		c = newQuietCapture() // the reload closed the idle connections
	}

	t.Run("limit 2", func(t *testing.T) {
		admit(t, quotaA1KeyID, quotaA1Secret, 1)
		admit(t, quotaA1KeyID, quotaA1Secret, 2)
		refuse(t, quotaA1KeyID, quotaA1Secret, 3)
		admit(t, quotaA2KeyID, quotaA2Secret, 4) // another principal
	})
	t.Run("the same config reloaded keeps the counters", func(t *testing.T) {
		reload(t, 2)
		refuse(t, quotaA1KeyID, quotaA1Secret, 5)
	})
	t.Run("a higher limit goes on from the count", func(t *testing.T) {
		reload(t, 3)
		admit(t, quotaA1KeyID, quotaA1Secret, 6)
		refuse(t, quotaA1KeyID, quotaA1Secret, 7)
		admit(t, quotaA2KeyID, quotaA2Secret, 8)
		admit(t, quotaA2KeyID, quotaA2Secret, 9)
		refuse(t, quotaA2KeyID, quotaA2Secret, 10)
	})
	t.Run("sms-voice v1 answers TooManyRequestsException", func(t *testing.T) {
		call := func() rawResponse {
			e.reset()
			return rawRequest{
				Method: http.MethodPost, Path: "/v1/sms-voice/voice/message",
				Header: map[string]string{"Content-Type": "application/json"},
				Body:   `{"DestinationPhoneNumber":"` + numDEMobile + `","Content":{"PlainTextMessage":{"Text":"` + sendingMessage + `"}}}`,
				Creds:  aws.Credentials{AccessKeyID: quotaBKeyID, SecretAccessKey: quotaBSecret}, Service: "sms-voice",
			}.do(t, e.g, c)
		}
		if resp := call(); resp.Status != http.StatusOK {
			t.Fatalf("first call: %d %s", resp.Status, resp.Body)
		}
		e.onlyRecord(t, "sms-voice")
		resp := call()
		code, msg := errorCodeOf(resp)
		if resp.Status != http.StatusTooManyRequests || code != "TooManyRequestsException" || !strings.Contains(msg, "one-call") {
			t.Errorf("second call: %d %s %q, want 429 TooManyRequestsException naming the quota", resp.Status, code, msg)
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 3660 {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		e.assertNothingUpstream(t)
	})
}

// TestQuotaDryRun: in dry_run a send over the limit is forwarded anyway,
// and its audit record says which quota would have refused it.
func TestQuotaDryRun(t *testing.T) {
	requireBinary(t)
	base := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, quotaStore())
		cfg.Mode = "dry_run"
		cfg.Extra = "\t\tquota one-a-day {\n\t\t\tactions sms-voice:SendTextMessage\n\t\t\tlimit 1 24h\n\t\t}"
	})
	base.forbid(quotaA1KeyID, quotaA1Secret)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range 2 {
		base.reset()
		s := quotaSend{g: base.g, id: quotaA1KeyID, sec: quotaA1Secret, number: frenchMobile(i)}
		if err := s.do(ctx, newQuietCapture()); err != nil {
			t.Fatalf("send %d in dry_run: %v", i+1, err)
		}
		base.onlyRecord(t, "sms-voice-v2")
	}
	rec := base.g.waitAudit(t, "the send over the limit", func(r map[string]any) bool {
		return isSend(r) && field(r, "quota_refused") == "one-a-day"
	})
	if field(rec, "mode") != "dry_run" || !strings.Contains(field(rec, "reason"), "would deny") || !strings.Contains(field(rec, "reason"), "one-a-day") {
		t.Errorf("mode %q reason %q, want dry_run and a would-deny naming the quota", field(rec, "mode"), field(rec, "reason"))
	}
	if s, _ := rec["upstream_status"].(float64); s != 200 {
		t.Errorf("upstream_status %v, want 200", rec["upstream_status"])
	}
}

// TestQuotaRetryAfter: a client that waits the Retry-After of a refusal is
// admitted, in memory and in Redis alike; the wait is at most the window
// and one of its 60 buckets, rounded up to whole seconds.
func TestQuotaRetryAfter(t *testing.T) {
	requireBinary(t)
	const window = 2 * time.Second
	quota := "\t\tquota burst {\n\t\t\tactions sms-voice:SendTextMessage\n\t\t\tlimit 2 2s\n\t\t}"
	backends := map[string]func(t *testing.T) string{
		"memory": func(*testing.T) string { return "" },
		"redis": func(t *testing.T) string {
			return "\n\t\tshared_state redis " + testenv.StartRedis(t).URL()
		},
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newQuotaEnvs(t, 1, quota+backend(t))[0]
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c := newQuietCapture()
			for i := range 2 {
				s := quotaSend{g: e.g, id: quotaA1KeyID, sec: quotaA1Secret, number: frenchMobile(i)}
				if err := s.do(ctx, c); err != nil {
					t.Fatalf("send %d: %v", i+1, err)
				}
			}
			s := quotaSend{g: e.g, id: quotaA1KeyID, sec: quotaA1Secret, number: frenchMobile(2)}
			err := s.do(ctx, c)
			if why := s.throttled(err, "burst"); why != "" {
				t.Fatalf("send 3: %s", why)
			}
			var re *smithyhttp.ResponseError
			errors.As(err, &re)
			wait, _ := strconv.Atoi(re.Response.Header.Get("Retry-After"))
			if most := int((window + window/60 + time.Second - 1) / time.Second); wait > most {
				t.Fatalf("Retry-After %d s, want at most %d", wait, most)
			}
			time.Sleep(time.Duration(wait) * time.Second) // what the client was told to wait
			if err := s.do(ctx, c); err != nil {
				t.Fatalf("send 3 after the Retry-After of %d s: %v", wait, err)
			}
		})
	}
}
