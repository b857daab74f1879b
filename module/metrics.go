package module

import (
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

// decisionLabels are the labels of one decisions_total series.
type decisionLabels struct{ api, action, decision string }

// metrics are the gateway's Prometheus collectors, registered in Caddy's
// metrics registry (served by Caddy's admin endpoint /metrics).
type metrics struct {
	// decisions counts requests by API, first action and decision.
	decisions *prometheus.CounterVec
	// work observes the gateway's own work per request (authenticate, map,
	// authorize, audit, re-sign), without the upstream round trip.
	work *prometheus.HistogramVec
	// upstreamErrors counts forwarding failures by kind (timeout, error,
	// credentials).
	upstreamErrors *prometheus.CounterVec

	// Series resolved once: label hashing costs more than the increment.
	counters  sync.Map // decisionLabels -> prometheus.Counter
	observers sync.Map // api -> prometheus.Observer
}

// Every label value comes from a closed set, whatever the request said: a
// client must not be able to create series (each is kept for the life of
// the process and served on every scrape). The caches below only ever hold
// such values, so they are bounded too.

const (
	// labelUnknown stands for any value outside a label's set.
	labelUnknown = "unknown"
	// apiSTS is the API of requests answered by the local STS.
	apiSTS = "sts"
)

// labelAPI is the api label: one of the three APIs, sts, or unknown (the
// request failed before its API was known).
func labelAPI(api string) string {
	switch api {
	case apimap.APIPinpoint, apimap.APISMSVoice, apimap.APISMSVoiceV2, apiSTS:
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
	case api == apiSTS:
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
	case authz.Allow.String(), authz.ExplicitDeny.String(), authz.ImplicitDeny.String(), decisionUnauthenticated, decisionBadRequest:
		return d
	}
	return labelUnknown
}

// observeWork observes one request's own work.
func (m *metrics) observeWork(api string, d time.Duration) {
	o, ok := m.observers.Load(api)
	if !ok {
		api = labelAPI(api)
		o, _ = m.observers.LoadOrStore(api, m.work.WithLabelValues(api))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

// decision counts one request. The labels as given are looked up first:
// the cache holds only closed-set values, so a hit needs no checking.
func (m *metrics) decision(api, action, decision string) {
	key := decisionLabels{api, action, decision}
	c, ok := m.counters.Load(key)
	if !ok {
		key = decisionLabels{labelAPI(api), labelAction(api, action), labelDecision(decision)}
		c, _ = m.counters.LoadOrStore(key, m.decisions.WithLabelValues(key.api, key.action, key.decision))
	}
	c.(prometheus.Counter).Inc()
}

const metricsNamespace = "pinpoint_gateway"

// registerMetrics registers the collectors in reg, reusing the ones that
// another instance of the handler in the same config registered already.
func registerMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Name:      "decisions_total",
			Help:      "Requests by API (pinpoint, sms-voice, sms-voice-v2, sts, unknown), IAM action (the first one; unknown for an action the gateway does not know) and decision (Allow, ExplicitDeny, ImplicitDeny, Unauthenticated, BadRequest).",
		}, []string{"api", "action", "decision"}),
		work: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace,
			Name:      "work_seconds",
			Help:      "The gateway's own work per request (authenticate, map, authorize, audit, re-sign), excluding the upstream round trip.",
			Buckets:   []float64{5e-6, 10e-6, 20e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 5e-3, 25e-3},
		}, []string{"api"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Name:      "upstream_errors_total",
			Help:      "Forwarding failures by kind (timeout, error, credentials).",
		}, []string{"kind"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.decisions, err = registerOrReuse(reg, m.decisions); err != nil {
		return nil, err
	}
	if m.work, err = registerOrReuse(reg, m.work); err != nil {
		return nil, err
	}
	if m.upstreamErrors, err = registerOrReuse(reg, m.upstreamErrors); err != nil {
		return nil, err
	}
	return m, nil
}

func registerOrReuse[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
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
