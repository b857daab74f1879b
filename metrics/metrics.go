// Package metrics holds the gateway's Prometheus collectors: requests by
// decision, the gateway's own work per request and forwarding failures.
// Every label value comes from a closed set, whatever the request said.
package metrics

import (
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

// Decisions of the gateway beyond authz's Allow, ExplicitDeny and
// ImplicitDeny, recorded by the pipeline (and in the audit record).
const (
	DecisionUnauthenticated = "Unauthenticated"
	DecisionBadRequest      = "BadRequest"
	// DecisionQuotaExceeded: allowed by policy, refused by a quota.
	DecisionQuotaExceeded = "QuotaExceeded"
	// DecisionQuotaUnavailable: allowed by policy, governed by a quota whose
	// state could not be reached.
	DecisionQuotaUnavailable = "QuotaUnavailable"
	// DecisionRetired: allowed by policy, an operation AWS retired, answered
	// by the gateway (retired_operations deny).
	DecisionRetired = "Retired"
)

// APISTS is the API of requests answered by the local STS.
const APISTS = "sts"

// decisionLabels are the labels of one decisions_total series.
type decisionLabels struct{ api, action, decision string }

// Requests are the gateway's Prometheus collectors of requests, registered
// in Caddy's metrics registry (served by Caddy's admin endpoint /metrics).
type Requests struct {
	// decisions counts requests by API, first action and decision.
	decisions *prometheus.CounterVec
	// work observes the gateway's own work per request (authenticate, map,
	// authorize, audit, re-sign), without the upstream round trip.
	work *prometheus.HistogramVec
	// upstreamErrors counts forwarding failures by kind (timeout, error,
	// credentials).
	upstreamErrors *prometheus.CounterVec
	// retiredCalls counts authenticated calls to operations AWS retired, by
	// API, action and decision.
	retiredCalls *prometheus.CounterVec

	// Series resolved once: label hashing costs more than the increment.
	counters  sync.Map // decisionLabels -> prometheus.Counter
	observers sync.Map // api -> prometheus.Observer
}

// Every label value comes from a closed set, whatever the request said: a
// client must not be able to create series (each is kept for the life of
// the process and served on every scrape). The caches below only ever hold
// such values, so they are bounded too.

// labelUnknown stands for any value outside a label's set.
const labelUnknown = "unknown"

// labelAPI is the api label: one of the three APIs, sts, or unknown (the
// request failed before its API was known).
func labelAPI(api string) string {
	switch api {
	case apimap.APIPinpoint, apimap.APISMSVoice, apimap.APISMSVoiceV2, APISTS:
		return api
	}
	return labelUnknown
}

// labelAction is the action label: an action of apimap's tables, one of
// the STS actions the gateway implements, "" when the request got no
// action, else unknown.
func labelAction(api, action string) string {
	switch {
	case action == "":
		return ""
	case api == APISTS:
		switch action {
		case "sts:AssumeRole", "sts:GetSessionToken", "sts:GetCallerIdentity":
			return action
		}
	case labelAPI(api) != labelUnknown && apimap.IsKnownAction(action):
		return action
	}
	return labelUnknown
}

// labelDecision is the decision label: authz's decisions and the
// gateway's own, else unknown.
func labelDecision(d string) string {
	switch d {
	case authz.Allow.String(), authz.ExplicitDeny.String(), authz.ImplicitDeny.String(), DecisionUnauthenticated, DecisionBadRequest,
		DecisionQuotaExceeded, DecisionQuotaUnavailable, DecisionRetired:
		return d
	}
	return labelUnknown
}

// ObserveWork observes one request's own work.
func (m *Requests) ObserveWork(api string, d time.Duration) {
	o, ok := m.observers.Load(api)
	if !ok {
		api = labelAPI(api)
		o, _ = m.observers.LoadOrStore(api, m.work.WithLabelValues(api))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

// Decision counts one request. The labels as given are looked up first:
// the cache holds only closed-set values, so a hit needs no checking.
func (m *Requests) Decision(api, action, decision string) {
	key := decisionLabels{api, action, decision}
	c, ok := m.counters.Load(key)
	if !ok {
		key = decisionLabels{labelAPI(api), labelAction(api, action), labelDecision(decision)}
		c, _ = m.counters.LoadOrStore(key, m.decisions.WithLabelValues(key.api, key.action, key.decision))
	}
	c.(prometheus.Counter).Inc()
}

// RetiredCall counts an authenticated call to an operation AWS retired,
// with the labels of decisions_total (the same closed sets).
func (m *Requests) RetiredCall(api, action, decision string) {
	m.retiredCalls.WithLabelValues(labelAPI(api), labelAction(api, action), labelDecision(decision)).Inc()
}

// UpstreamError counts a forwarding failure of kind timeout, error or
// credentials.
func (m *Requests) UpstreamError(kind string) {
	m.upstreamErrors.WithLabelValues(kind).Inc()
}

// RetiredCalls is the counter vector of retired_operation_calls_total, for tests.
func (m *Requests) RetiredCalls() *prometheus.CounterVec { return m.retiredCalls }

// Decisions is the counter vector of decisions_total, for tests.
func (m *Requests) Decisions() *prometheus.CounterVec { return m.decisions }

// Work is the histogram vector of work_seconds, for tests.
func (m *Requests) Work() *prometheus.HistogramVec { return m.work }

// Namespace is the namespace of the gateway's metrics.
const Namespace = "pinpoint_gateway"

// Register registers the collectors in reg, reusing the ones that
// another instance of the handler in the same config registered already.
func Register(reg prometheus.Registerer) (*Requests, error) {
	m := &Requests{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "decisions_total",
			Help:      "Requests by API (pinpoint, sms-voice, sms-voice-v2, sts, unknown), IAM action (the first one; unknown for an action the gateway does not know) and decision (Allow, ExplicitDeny, ImplicitDeny, Unauthenticated, BadRequest, QuotaExceeded, QuotaUnavailable, Retired).",
		}, []string{"api", "action", "decision"}),
		work: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace,
			Name:      "work_seconds",
			Help:      "The gateway's own work per request (authenticate, map, authorize, audit, re-sign), excluding the upstream round trip.",
			Buckets:   []float64{5e-6, 10e-6, 20e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 5e-3, 25e-3},
		}, []string{"api"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "upstream_errors_total",
			Help:      "Forwarding failures by kind (timeout, error, credentials).",
		}, []string{"kind"}),
		retiredCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "retired_operation_calls_total",
			Help:      "Authenticated calls to operations AWS retired with Pinpoint's engagement features on 2026-10-30, by API, IAM action and decision (the labels of decisions_total).",
		}, []string{"api", "action", "decision"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.decisions, err = RegisterOrReuse(reg, m.decisions); err != nil {
		return nil, err
	}
	if m.work, err = RegisterOrReuse(reg, m.work); err != nil {
		return nil, err
	}
	if m.upstreamErrors, err = RegisterOrReuse(reg, m.upstreamErrors); err != nil {
		return nil, err
	}
	if m.retiredCalls, err = RegisterOrReuse(reg, m.retiredCalls); err != nil {
		return nil, err
	}
	return m, nil
}

// RegisterOrReuse registers c in reg, or returns the collector of the same
// description that is registered already.
func RegisterOrReuse[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
