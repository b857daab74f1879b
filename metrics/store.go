package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a store load (the label result of store_loads_total).
const (
	StoreLoadOK    = "ok"    // the store was loaded and is in use
	StoreLoadError = "error" // the store was refused; the running one stays
)

// Stores are the collectors of the store loads: how many succeeded and
// failed, and which version of each store file is in use since when. The
// store label is a configured path and the version label one value per
// store at a time (the old series is deleted when a new version is in
// use), so the series are bounded by the configuration.
type Stores struct {
	loads    *prometheus.CounterVec
	info     *prometheus.GaugeVec
	loadedAt *prometheus.GaugeVec

	mu      sync.Mutex
	current map[string]string // store -> version of the info series it set
}

// RegisterStores registers store_loads_total, store_info and
// store_loaded_timestamp_seconds in reg (or reuses those another handler
// registered). A nil reg gives collectors registered nowhere.
func RegisterStores(reg prometheus.Registerer) (*Stores, error) {
	s := &Stores{
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "store_loads_total",
			Help:      "Loads of the credential store (at start, by the file watcher, by a config reload) by result (ok: in use; error: refused, the running store stays).",
		}, []string{"result"}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace,
			Name:      "store_info",
			Help:      "1 for the version in use of each store file (version: the first 12 hex digits of the SHA-256 of its bytes).",
		}, []string{"store", "version"}),
		loadedAt: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace,
			Name:      "store_loaded_timestamp_seconds",
			Help:      "When the version in use of each store file was loaded (Unix time).",
		}, []string{"store"}),
		current: map[string]string{},
	}
	if reg != nil {
		var err error
		if s.loads, err = RegisterOrReuse(reg, s.loads); err != nil {
			return nil, err
		}
		if s.info, err = RegisterOrReuse(reg, s.info); err != nil {
			return nil, err
		}
		if s.loadedAt, err = RegisterOrReuse(reg, s.loadedAt); err != nil {
			return nil, err
		}
	}
	for _, r := range [...]string{StoreLoadOK, StoreLoadError} {
		s.loads.WithLabelValues(r)
	}
	return s, nil
}

// Loaded records that version of store, loaded at, is in use.
func (s *Stores) Loaded(store, version string, at time.Time) {
	if s == nil {
		return
	}
	s.loads.WithLabelValues(StoreLoadOK).Inc()
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.current[store]; ok && prev != version {
		s.info.DeleteLabelValues(store, prev)
	}
	s.current[store] = version
	s.info.WithLabelValues(store, version).Set(1)
	s.loadedAt.WithLabelValues(store).Set(float64(at.UnixNano()) / 1e9)
}

// Failed records a refused load.
func (s *Stores) Failed() {
	if s == nil {
		return
	}
	s.loads.WithLabelValues(StoreLoadError).Inc()
}
