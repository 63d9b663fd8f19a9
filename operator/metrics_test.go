package operator

import (
	"testing"

	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

func TestMetricsCountTenantsByCondition(t *testing.T) {
	waitReady(t, create(t, newKecamatan("32.73.17", "")).Name)

	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var readyTrue, provisioned float64
	seen := map[string]bool{}
	for _, f := range families {
		seen[f.GetName()] = true
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch f.GetName() {
			case "slrt_operator_tenants":
				if labels["condition"] == "Ready" && labels["status"] == "True" {
					readyTrue = m.GetGauge().GetValue()
				}
			case "slrt_operator_tenant_provisioning_seconds":
				provisioned = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if readyTrue < 1 || provisioned < 1 {
		t.Errorf("tenants Ready=True: %v, provisioning samples: %v", readyTrue, provisioned)
	}
	// controller-runtime's own series are there beside the operator's.
	if !seen["controller_runtime_reconcile_total"] {
		t.Error("controller_runtime_reconcile_total missing")
	}
}
