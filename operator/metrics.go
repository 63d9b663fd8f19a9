package operator

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// metrics are the operator's own series, beside controller-runtime's.
type metrics struct {
	provisioning prometheus.Histogram
}

var conditionTypes = []string{
	slrtv1.ConditionReady, slrtv1.ConditionPlaced, slrtv1.ConditionNamespaceReady, slrtv1.ConditionDatabaseReady, slrtv1.ConditionSchemaReady,
}

// tenantCollector counts tenants by condition and status at scrape time, from
// the informer cache, so the figures are never stale or double counted.
type tenantCollector struct {
	reader client.Reader
	desc   *prometheus.Desc
}

func (c *tenantCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *tenantCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list slrtv1.KecamatanList
	// Read only: a copy of every tenant per scrape is garbage by the
	// megabyte once there are thousands.
	if err := c.reader.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, fmt.Errorf("while listing Kecamatan: %w", err))
		return
	}
	counts := map[[2]string]float64{}
	for _, condType := range conditionTypes {
		for _, st := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
			counts[[2]string{condType, string(st)}] = 0
		}
	}
	for i := range list.Items {
		kec := &list.Items[i]
		for _, condType := range conditionTypes {
			st := metav1.ConditionUnknown
			if c := findCondition(kec, condType); c != nil {
				st = c.Status
			}
			counts[[2]string{condType, string(st)}]++
		}
	}
	for k, v := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, k[0], k[1])
	}
}

func registerMetrics(reader client.Reader) (*metrics, error) {
	m := &metrics{
		provisioning: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "slrt_operator_tenant_provisioning_seconds",
			Help:    "Time from a Kecamatan's creation to its first Ready.",
			Buckets: []float64{1, 2, 5, 10, 20, 30, 60, 120, 300, 600},
		}),
	}
	collector := &tenantCollector{reader: reader, desc: prometheus.NewDesc(
		"slrt_operator_tenants",
		"Kecamatan tenants by condition type and status.",
		[]string{"condition", "status"}, nil,
	)}
	for _, c := range []prometheus.Collector{m.provisioning, collector} {
		if err := ctrlmetrics.Registry.Register(c); err != nil {
			if _, dup := err.(prometheus.AlreadyRegisteredError); !dup {
				return nil, fmt.Errorf("while registering operator metrics: %w", err)
			}
		}
	}
	return m, nil
}

// observeProvisioned records how long a tenant took to become Ready the first
// time after its creation.
func (m *metrics) observeProvisioned(kec *slrtv1.Kecamatan) {
	if m == nil {
		return
	}
	m.provisioning.Observe(time.Since(kec.CreationTimestamp.Time).Seconds())
}
