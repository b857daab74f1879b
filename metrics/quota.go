package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a quota decision (the label outcome of quota_decisions_total).
const (
	QuotaAdmitted   = "admitted"    // the quota admitted the request's destinations
	QuotaRefused    = "refused"     // the quota refused them (throttled)
	QuotaStoreError = "store_error" // the quota state could not be reached: denied
	QuotaNoValue    = "no_value"    // the request had no value for the quota's key: denied
)

var quotaOutcomes = [...]string{QuotaAdmitted, QuotaRefused, QuotaStoreError, QuotaNoValue}

// Quotas counts quota decisions by quota and outcome. Its series are made
// when it is registered, from the configured names: the label set is
// closed, and Observe of any other name or outcome counts nothing.
type Quotas struct {
	counters map[[2]string]prometheus.Counter
}

// RegisterQuotas registers quota_decisions_total in reg (or reuses the one
// another handler registered) with a series for every name and outcome.
func RegisterQuotas(reg prometheus.Registerer, names []string) (*Quotas, error) {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Name:      "quota_decisions_total",
		Help:      "Quota decisions by quota (a configured name) and outcome (admitted, refused, store_error, no_value).",
	}, []string{"quota", "outcome"})
	if reg != nil {
		var err error
		if vec, err = RegisterOrReuse(reg, vec); err != nil {
			return nil, err
		}
	}
	q := &Quotas{counters: make(map[[2]string]prometheus.Counter, len(names)*len(quotaOutcomes))}
	for _, name := range names {
		for _, outcome := range quotaOutcomes {
			q.counters[[2]string{name, outcome}] = vec.WithLabelValues(name, outcome)
		}
	}
	return q, nil
}

// Observe counts one decision of quota name.
func (q *Quotas) Observe(name, outcome string) {
	if q == nil {
		return
	}
	if c, ok := q.counters[[2]string{name, outcome}]; ok {
		c.Inc()
	}
}
