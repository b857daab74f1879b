package metrics

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricLabelsClosed: whatever strings reach the metrics, the label
// values come from closed sets, so clients cannot create series.
func TestMetricLabelsClosed(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := Register(reg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		m.Decision("sts", fmt.Sprintf("sts:Bogus%d", i), DecisionBadRequest)
		m.Decision("sms-voice-v2", fmt.Sprintf("sms-voice:Bogus%d", i), "Allow")
		m.Decision(fmt.Sprintf("api%d", i), "mobiletargeting:GetApps", fmt.Sprintf("Decision%d", i))
		m.ObserveWork(fmt.Sprintf("api%d", i), time.Microsecond)
	}
	m.Decision("pinpoint", "mobiletargeting:GetApps", "Allow")
	m.Decision("sts", "sts:AssumeRole", "Allow")
	m.Decision("", "", DecisionUnauthenticated)
	m.ObserveWork("pinpoint", time.Microsecond)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]map[string]bool{
		"api":      {"pinpoint": true, "sms-voice": true, "sms-voice-v2": true, "sts": true, "unknown": true},
		"action":   {"": true, "unknown": true, "mobiletargeting:GetApps": true, "sts:AssumeRole": true},
		"decision": {"Allow": true, "ExplicitDeny": true, "ImplicitDeny": true, "Unauthenticated": true, "BadRequest": true, "unknown": true},
	}
	series := 0
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			series++
			for _, l := range metric.GetLabel() {
				if set, ok := allowed[l.GetName()]; ok && !set[l.GetValue()] {
					t.Errorf("%s{%s=%q}: not in the closed set", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	// decisions: the three bogus families collapse to a few series each.
	if series > 12 {
		t.Errorf("%d series after 200 observations of garbage, want at most 12", series)
	}
}

// TestQuotasClosedLabels: the series of quota_decisions_total are the
// configured names times the four outcomes; any other name or outcome
// counts nothing and makes no series.
func TestQuotasClosedLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	q, err := RegisterQuotas(reg, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	q.Observe("a", QuotaRefused)
	q.Observe("a", QuotaRefused)
	q.Observe("b", QuotaAdmitted)
	q.Observe("attacker-chosen", QuotaAdmitted)
	q.Observe("a", "attacker-chosen")
	var nilQuotas *Quotas
	nilQuotas.Observe("a", QuotaAdmitted) // no quotas configured: nothing, no panic
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetValue())
			}
			got[strings.Join(labels, "/")] = m.GetCounter().GetValue()
		}
	}
	if len(got) != 8 || got["refused/a"] != 2 && got["a/refused"] != 2 || got["b/admitted"] != 1 && got["admitted/b"] != 1 {
		t.Errorf("series = %v, want 8 with a/refused 2 and b/admitted 1", got)
	}
	if _, err := RegisterQuotas(reg, []string{"c"}); err != nil {
		t.Errorf("a second handler's registration: %v", err)
	}
}
