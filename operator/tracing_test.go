package operator

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// A reconcile is a trace: one span for the pass with the tenant, one child
// per step; a step that cannot finish carries an error status with its
// reason.
func TestReconcilesAreTracedStepByStep(t *testing.T) {
	waitReady(t, create(t, newKecamatan("32.73.24", "")).Name)
	create(t, newKecamatan("32.73.98", "")) // no kelurahan in the reference data
	waitCondition(t, "kec-32-73-98", "Ready", "False", reasonKelurahanUnknown)

	// The status is patched before the pass's span ends: look again for a
	// moment.
	var ready, failed sdktrace.ReadOnlySpan
	for deadline := time.Now().Add(10 * time.Second); (ready == nil || failed == nil) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, s := range spans.Ended() {
			if s.Name() != "reconcile Kecamatan" {
				continue
			}
			switch tenantOf(s) {
			case "32.73.24":
				ready = s
			case "32.73.98":
				failed = s
			}
		}
	}
	if ready == nil || failed == nil {
		t.Fatalf("reconcile spans: ready %v, failed %v", ready != nil, failed != nil)
	}
	steps := childrenOf(ready)
	for _, want := range []string{"step NamespaceReady", "step DatabaseReady", "step SchemaReady"} {
		if s, ok := steps[want]; !ok || s.Status().Code == codes.Error {
			t.Errorf("%s of a Ready tenant: %+v", want, s)
		}
	}
	if s, ok := childrenOf(failed)["step SchemaReady"]; !ok || s.Status().Code != codes.Error || s.Status().Description != reasonKelurahanUnknown {
		t.Errorf("the failing step's span: %+v", s)
	}
	// The failure's log line carries the trace and span of its pass.
	traceID := failed.SpanContext().TraceID().String()
	found := false
	for _, line := range strings.Split(operatorLogs.String(), "\n") {
		if strings.Contains(line, reasonKelurahanUnknown) && strings.Contains(line, `"trace_id":"`+traceID+`"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line of the failing pass with trace_id %s", traceID)
	}
}

func tenantOf(s sdktrace.ReadOnlySpan) string {
	for _, kv := range s.Attributes() {
		if kv.Key == attrTenant {
			return kv.Value.AsString()
		}
	}
	return ""
}

func childrenOf(parent sdktrace.ReadOnlySpan) map[string]sdktrace.ReadOnlySpan {
	out := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans.Ended() {
		if s.Parent().SpanID() == parent.SpanContext().SpanID() {
			out[s.Name()] = s
		}
	}
	return out
}
