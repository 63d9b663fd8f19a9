package httpapi

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// instrumentationName names the API's tracer and meter.
const instrumentationName = "github.com/slrt-id/slrt/internal/httpapi"

// Attribute keys the API sets. None carries personal data: the tenant is a
// kecamatan code, the route a pattern.
const (
	attrTenant   = attribute.Key("slrt.tenant")
	attrDecision = attribute.Key("slrt.authz.decision")
	attrOutcome  = attribute.Key("slrt.outcome")
	attrReason   = attribute.Key("slrt.reason")
	attrVia      = attribute.Key("slrt.auth.via")
)

var tracer = otel.Tracer(instrumentationName)

// instruments are the API's own metrics, beside the HTTP and SQL ones the
// instrumentation libraries record.
type instruments struct {
	decisions       metric.Int64Counter
	loginFailures   metric.Int64Counter
	requestDuration metric.Float64Histogram
	active          metric.Int64UpDownCounter
	*seriesCache
}

func newInstruments() *instruments {
	m := otel.Meter(instrumentationName)
	decisions, _ := m.Int64Counter("slrt.authz.decisions",
		metric.WithDescription("Authorisation decisions, by outcome (allow, deny)."), metric.WithUnit("{decision}"))
	failures, _ := m.Int64Counter("slrt.login.failures",
		metric.WithDescription("Failed logins, by reason (password, locked, unknown)."), metric.WithUnit("{attempt}"))
	// The HTTP server metrics of the semantic conventions, with their
	// recommended buckets.
	duration, _ := m.Float64Histogram("http.server.request.duration",
		metric.WithDescription("Duration of HTTP server requests."), metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10))
	active, _ := m.Int64UpDownCounter("http.server.active_requests",
		metric.WithDescription("Number of active HTTP server requests."), metric.WithUnit("{request}"))
	return &instruments{decisions: decisions, loginFailures: failures, requestDuration: duration, active: active,
		seriesCache: newSeriesCache()}
}

// The decision counter's two series, made once.
var (
	allowSeries = metric.WithAttributeSet(attribute.NewSet(attrOutcome.String("allow")))
	denySeries  = metric.WithAttributeSet(attribute.NewSet(attrOutcome.String("deny")))
)

// decided counts an authorisation decision and marks the server span with
// it: an in-memory decision is an attribute, not a span of its own.
func (in *instruments) decided(ctx context.Context, allowed bool) {
	series, outcome := denySeries, "deny"
	if allowed {
		series, outcome = allowSeries, "allow"
	}
	in.decisions.Add(ctx, 1, series)
	mark(ctx, attrDecision.String(outcome))
}

func (in *instruments) loginFailed(ctx context.Context, reason string) {
	in.loginFailures.Add(ctx, 1, metric.WithAttributes(attrReason.String(reason)))
}
