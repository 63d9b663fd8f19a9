package tenant

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"k8s.io/apimachinery/pkg/api/meta"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

var attrTenant = attribute.Key("slrt.tenant")

// RegisterMetrics reports the tenants' pools and states at each collection:
// connections in use and idle, acquires that had to wait and the time spent
// acquiring, per tenant; and tenants by state.
func (r *Registry) RegisterMetrics() error {
	m := otel.Meter("github.com/slrt-id/slrt/internal/tenant")
	conns, err1 := m.Int64ObservableGauge("slrt.tenant.pool.connections",
		metric.WithDescription("Connections of a tenant's pool, by state (in_use, idle)."), metric.WithUnit("{connection}"))
	max, err2 := m.Int64ObservableGauge("slrt.tenant.pool.max",
		metric.WithDescription("Size of a tenant's pool."), metric.WithUnit("{connection}"))
	waits, err3 := m.Int64ObservableCounter("slrt.tenant.pool.waits",
		metric.WithDescription("Acquires that found no idle connection and waited or opened one."), metric.WithUnit("{acquire}"))
	acquire, err4 := m.Float64ObservableCounter("slrt.tenant.pool.acquire.time",
		metric.WithDescription("Total time spent acquiring connections."), metric.WithUnit("s"))
	tenants, err5 := m.Int64ObservableGauge("slrt.tenants",
		metric.WithDescription("Kecamatan known to the API, by state (ready, suspended, provisioning)."), metric.WithUnit("{tenant}"))
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			return err
		}
	}
	_, err := m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		for code, st := range r.Stats() {
			t := attrTenant.String(code)
			o.ObserveInt64(conns, int64(st.AcquiredConns()), metric.WithAttributes(t, attribute.String("state", "in_use")))
			o.ObserveInt64(conns, int64(st.IdleConns()), metric.WithAttributes(t, attribute.String("state", "idle")))
			o.ObserveInt64(max, int64(st.MaxConns()), metric.WithAttributes(t))
			o.ObserveInt64(waits, st.EmptyAcquireCount(), metric.WithAttributes(t))
			o.ObserveFloat64(acquire, st.AcquireDuration().Seconds(), metric.WithAttributes(t))
		}
		list, err := r.List(ctx)
		if err != nil {
			return err
		}
		counts := map[string]int64{"ready": 0, "suspended": 0, "provisioning": 0}
		for i := range list {
			switch k := &list[i]; {
			case k.Spec.Suspended:
				counts["suspended"]++
			case meta.IsStatusConditionTrue(k.Status.Conditions, slrtv1.ConditionReady):
				counts["ready"]++
			default:
				counts["provisioning"]++
			}
		}
		for state, n := range counts {
			o.ObserveInt64(tenants, n, metric.WithAttributes(attribute.String("state", state)))
		}
		return nil
	}, conns, max, waits, acquire, tenants)
	return err
}

// waitedAfter is how long an acquire takes when it waited (for a
// connection to be made or freed) rather than taking an idle one, which
// takes microseconds.
const waitedAfter = time.Millisecond

var tracer = otel.Tracer("github.com/slrt-id/slrt/internal/tenant")

// acquired records a span for an acquire that waited, after the fact: an
// acquire that found an idle connection tells a trace nothing, and a span
// for each cost a tenth of the cheapest request's traced throughput.
func acquired(ctx context.Context, code string, start time.Time, err error) {
	end := time.Now()
	if end.Sub(start) < waitedAfter && err == nil {
		return
	}
	_, span := tracer.Start(ctx, "pool.acquire", trace.WithTimestamp(start),
		trace.WithAttributes(attrTenant.String(code)))
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(trace.WithTimestamp(end))
}
