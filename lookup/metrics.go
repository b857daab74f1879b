package lookup

import (
	"github.com/pinpointgw/gateway/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// lookupMetrics count the work of the lookup caches (resource tags, phone
// numbers, sender IDs), by the label cache.
type lookupMetrics struct {
	hits     *prometheus.CounterVec
	misses   *prometheus.CounterVec
	lookups  *prometheus.CounterVec
	failures *prometheus.CounterVec
}

// Names of the lookup caches, the values of the label cache.
const (
	cacheResourceTags    = "resource_tags"
	cachePhoneNumbers    = "phone_numbers"
	cacheSenderIDs       = "sender_ids"
	cacheVerifiedNumbers = "verified_numbers"
)

// registerLookupMetrics registers the lookup cache counters in reg (or
// reuses those another handler instance registered).
func registerLookupMetrics(reg prometheus.Registerer) (*lookupMetrics, error) {
	m := &lookupMetrics{
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "lookup_cache_hits_total",
			Help: "Lookups answered from the cache, by cache (resource_tags, phone_numbers, sender_ids, verified_numbers).",
		}, []string{"cache"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "lookup_cache_misses_total",
			Help: "Lookups the cache could not answer, by cache; concurrent misses of one key share one upstream lookup.",
		}, []string{"cache"}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "lookup_upstream_calls_total",
			Help: "Upstream lookups made (ListTagsForResource, DescribePhoneNumbers, DescribeSenderIds listings), by cache.",
		}, []string{"cache"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metrics.Namespace, Name: "lookup_failures_total",
			Help: "Upstream lookups that failed, by cache and reason (error, timeout); the decisions that needed them fail closed.",
		}, []string{"cache", "reason"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.hits, err = metrics.RegisterOrReuse(reg, m.hits); err != nil {
		return nil, err
	}
	if m.misses, err = metrics.RegisterOrReuse(reg, m.misses); err != nil {
		return nil, err
	}
	if m.lookups, err = metrics.RegisterOrReuse(reg, m.lookups); err != nil {
		return nil, err
	}
	if m.failures, err = metrics.RegisterOrReuse(reg, m.failures); err != nil {
		return nil, err
	}
	return m, nil
}

// observer returns the cache observer of one cache.
func (m *lookupMetrics) observer(cache string) cacheObserver {
	hit := m.hits.WithLabelValues(cache)
	miss := m.misses.WithLabelValues(cache)
	lookup := m.lookups.WithLabelValues(cache)
	return cacheObserver{
		hit:    hit.Inc,
		miss:   miss.Inc,
		lookup: lookup.Inc,
		failure: func(reason string) {
			m.failures.WithLabelValues(cache, reason).Inc()
		},
	}
}
