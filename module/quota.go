package module

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/metrics"
	"github.com/pinpointgw/gateway/quota"
	"github.com/pinpointgw/gateway/sharedstate"
)

// Backends of the quota state.
const (
	// SharedStateMemory keeps the counters in the process: one instance.
	SharedStateMemory = "memory"
	// SharedStateRedis keeps them in a Redis (or Valkey) server shared by
	// every instance.
	SharedStateRedis = "redis"
)

// Quota is a named limit on how many destinations (phone numbers, not
// requests) the requests of one key may send to in a rolling window. Its
// name, actions, per key and limit are quota.Config's (documented there);
// the window is written as a Caddy duration ("1h", "24h").
//
// A governed request (one of its actions matches) takes one from the
// counter of each value of Per that applies to each destination: a
// per-destination key (gateway:DestinationNumber, …Country, …CallingCode,
// …NumberType) takes the destination's own value, any other key's values
// apply to every destination. A governed request without a value is denied.
// Quotas of the same name and window share their counters across sites of
// one process and, with Redis, across instances.
type Quota struct {
	quota.Config

	// Window is the length of the rolling window, from 1s to 31 days (744h).
	// Required.
	Window caddy.Duration `json:"window,omitempty"`
}

// SharedState selects where quota counters live and, with Redis, how the
// instances tell each other about changes to the resources their lookup
// caches describe.
type SharedState struct {
	// Backend is memory (in the process: one instance; counters survive
	// config reloads but not a restart) or redis (a Redis or Valkey server
	// that every instance uses, so that N instances enforce one limit, and
	// over whose pub/sub channel each instance's cache invalidations reach
	// the others: module/invalidation.go). Default: memory.
	Backend string `json:"backend,omitempty"`

	// URL is the Redis server of backend redis: redis://[user:password@]host:port[/db]
	// or rediss:// for TLS. Write it as a placeholder such as
	// {env.GATEWAY_REDIS_URL} when it holds a password: it is resolved at
	// Provision and stays out of the JSON config. One server, not a
	// cluster: the keys of one decision must be on one server.
	URL string `json:"url,omitempty"`

	// Timeout bounds a quota decision's round trip to Redis, connecting
	// included, and the publication of a cache invalidation. When it
	// expires, or Redis cannot be reached, requests that a quota governs
	// are denied (503) and the others go on; an invalidation is kept and
	// sent when Redis answers again. Default: 250ms.
	Timeout caddy.Duration `json:"timeout,omitempty"`
}

// quotaMemory is the process's in-memory quota state, kept across config
// reloads (a reload must not reset the counters).
var quotaMemory = caddy.NewUsagePool()

const quotaMemoryKey = "quota-memory"

type memoryState struct{ *quota.Memory }

func (memoryState) Destruct() error { return nil }

// validateQuotas checks the quotas and shared_state configuration.
func (g *Gateway) validateQuotas() error {
	if _, err := quota.Compile(g.quotaConfigs()); err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	if s := g.SharedState; s != nil {
		switch s.Backend {
		case "", SharedStateMemory:
			if s.URL != "" || s.Timeout != 0 {
				return errors.New("shared_state memory takes no URL or timeout")
			}
		case SharedStateRedis:
			if s.URL == "" {
				return errors.New("shared_state redis needs the server's URL")
			}
			if s.Timeout < 0 {
				return fmt.Errorf("shared_state: timeout %s is negative", time.Duration(s.Timeout))
			}
		default:
			return fmt.Errorf("shared_state: unknown backend %q (want %s or %s)", s.Backend, SharedStateMemory, SharedStateRedis)
		}
	}
	return nil
}

// quotaConfigs converts the configured quotas for the quota package.
func (g *Gateway) quotaConfigs() []quota.Config {
	cfgs := make([]quota.Config, len(g.Quotas))
	for i, q := range g.Quotas {
		cfgs[i] = q.Config
		cfgs[i].Window = time.Duration(q.Window)
	}
	return cfgs
}

// provisionQuotas compiles the quotas and opens their state. Without
// quotas it does nothing, whatever shared_state says.
func (g *Gateway) provisionQuotas(ctx caddy.Context, repl *caddy.Replacer) error {
	if len(g.Quotas) == 0 {
		return nil
	}
	set, err := quota.Compile(g.quotaConfigs())
	if err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	g.quotas = set
	if g.quotaMetrics, err = metrics.RegisterQuotas(ctx.GetMetricsRegistry(), set.Names()); err != nil {
		return fmt.Errorf("registering quota metrics: %w", err)
	}
	if g.quotaStore != nil { // set by a test
		return nil
	}
	if s := g.SharedState; s != nil && s.Backend == SharedStateRedis {
		r, err := sharedstate.Open(sharedstate.Options{URL: repl.ReplaceKnown(s.URL, ""), Timeout: time.Duration(s.Timeout), Now: g.now}) // 0: sharedstate.DefaultTimeout
		if err != nil {
			return fmt.Errorf("shared_state redis: %w", err) // never the URL: it may hold a password
		}
		g.quotaStore, g.closeQuotaStore = r, r.Close
		return nil
	}
	v, _, err := quotaMemory.LoadOrNew(quotaMemoryKey, func() (caddy.Destructor, error) {
		return memoryState{quota.NewMemory(time.Now)}, nil
	})
	if err != nil {
		return err
	}
	g.quotaStore = v.(memoryState).Memory
	g.closeQuotaStore = func() error { _, err := quotaMemory.Delete(quotaMemoryKey); return err }
	return nil
}

// quotaOutcome is what the quota step recorded for the audit record.
type quotaOutcome struct {
	charged []string // names of the quotas that govern the request
	refused string   // the quota that refused it
	err     string   // why the quota state could not decide
}

// admitQuotas takes the destinations of an allowed request from every quota
// that governs it; false means it answered the client (throttled, or the
// quota state unavailable) and nothing is forwarded. A request that policy
// denied uses no quota. In dry_run a refusal is audited as "would" and the
// request goes on.
func (g *Gateway) admitQuotas(w http.ResponseWriter, r *http.Request, rs *requestState) bool {
	if g.quotas == nil || rs.decision != authz.Allow.String() {
		return true
	}
	var abuf [4]string
	charges, err := g.quotas.Charges(permissionActions(abuf[:0], rs), rs.contextValues, rs.destinations)
	if err != nil {
		var mv *quota.MissingValueError
		if errors.As(err, &mv) {
			g.quotaMetrics.Observe(mv.Quota, metrics.QuotaNoValue)
		}
		msg := authz.NotAuthorized(rs.identity.Principal.ARN, rs.firstAction(), "", "the gateway cannot apply its quotas: "+err.Error())
		return g.quotaDenied(w, rs, authz.ImplicitDeny.String(), msg, func() {
			rs.writeError(w, http.StatusForbidden, awserr.AccessDeniedException, msg)
		})
	}
	if len(charges) == 0 {
		return true
	}
	rs.quota.charged = chargedQuotas(charges)
	out, err := g.quotaStore.Take(r.Context(), charges) // Redis bounds its round trip by shared_state's timeout
	if err != nil {
		for _, name := range rs.quota.charged {
			g.quotaMetrics.Observe(name, metrics.QuotaStoreError)
		}
		g.logger.Warn("quota state unavailable", zap.Strings("quotas", rs.quota.charged), zap.Error(err))
		rs.quota.err = err.Error()
		msg := fmt.Sprintf("The request was not sent: quota %s governs it and the gateway cannot reach the quota state. Retry later.", rs.quota.charged[0])
		return g.quotaDenied(w, rs, metrics.DecisionQuotaUnavailable, msg, func() {
			rs.writeError(w, http.StatusServiceUnavailable, awserr.ServiceUnavailable, msg)
		})
	}
	if !out.Admitted {
		for _, name := range rs.quota.charged {
			if name == out.Refused {
				g.quotaMetrics.Observe(name, metrics.QuotaRefused)
			}
		}
		rs.quota.refused = out.Refused
		retry := retryAfterSeconds(out.RetryAfter)
		msg := fmt.Sprintf("Rate exceeded: quota %s admits no more destinations now; retry after %d seconds.", out.Refused, retry)
		return g.quotaDenied(w, rs, metrics.DecisionQuotaExceeded, msg, func() {
			w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
			rs.writeError(w, throttleStatus(rs.proto), awserr.TooManyRequestsException, msg)
		})
	}
	for _, name := range rs.quota.charged {
		g.quotaMetrics.Observe(name, metrics.QuotaAdmitted)
	}
	return true
}

// quotaDenied records a request the quota step stops; in dry_run, as for a
// policy deny, it records the decision with a "would deny" reason and lets
// the request go on.
func (g *Gateway) quotaDenied(w http.ResponseWriter, rs *requestState, decision, msg string, answer func()) bool {
	rs.decision = decision
	if g.dryRun {
		rs.reason = "would deny: " + msg
		return true
	}
	rs.reason = msg
	answer()
	return false
}

// throttleStatus is the HTTP status of a throttling error: 429 in the
// REST JSON APIs, 400 in AWS JSON 1.0 (where the code alone tells).
func throttleStatus(p awserr.Protocol) int {
	if p == awserr.JSON {
		return http.StatusBadRequest
	}
	return http.StatusTooManyRequests
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// chargedQuotas lists the distinct quota names of charges, in order.
func chargedQuotas(charges []quota.Charge) []string {
	names := make([]string, 0, 2)
	for _, c := range charges {
		if !slices.Contains(names, c.Quota) {
			names = append(names, c.Quota)
		}
	}
	return names
}

// permissionActions appends the IAM actions of the request to actions.
func permissionActions(actions []string, rs *requestState) []string {
	for _, p := range rs.permissions {
		actions = append(actions, p.Action)
	}
	return actions
}

// contextValues returns the values of a key of the request's context.
func (rs *requestState) contextValues(key string) []string {
	v, _, _ := rs.cond.Lookup(key)
	return v
}
