package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestStoresOneVersionSeries: each store has one store_info series, that of
// the version in use, whatever the number of loads.
func TestStoresOneVersionSeries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	s, err := RegisterStores(reg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1700000000, 0)
	for _, v := range []string{"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"} {
		s.Loaded("/etc/store.json", v, at)
	}
	s.Failed()
	if _, err := RegisterStores(reg); err != nil {
		t.Fatalf("RegisterStores again: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels string
			for _, l := range m.GetLabel() {
				labels += l.GetName() + "=" + l.GetValue() + " "
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got[f.GetName()] = append(got[f.GetName()], fmt.Sprintf("%s%g", labels, v))
		}
	}
	want := map[string][]string{
		"pinpoint_gateway_store_info":                     {"store=/etc/store.json version=cccccccccccc 1"},
		"pinpoint_gateway_store_loaded_timestamp_seconds": {"store=/etc/store.json 1.7e+09"},
		"pinpoint_gateway_store_loads_total":              {"result=error 1", "result=ok 3"},
	}
	for name, w := range want {
		if len(got[name]) != len(w) {
			t.Errorf("%s = %q, want %q", name, got[name], w)
			continue
		}
		for i := range w {
			if got[name][i] != w[i] {
				t.Errorf("%s = %q, want %q", name, got[name], w)
			}
		}
	}
}
