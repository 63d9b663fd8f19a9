// Package telemetry sets up OpenTelemetry for the platform's binaries from
// the standard OTEL_* environment variables: traces and metrics go to an
// OTLP collector when one is configured, and to nowhere (no-op providers)
// when none is; metrics are always served for Prometheus to scrape.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracing says whether Setup installed a recording tracer provider.
var tracing atomic.Bool

// TracingEnabled reports whether spans are recorded (an exporter or a span
// processor is configured); instrumentation whose only use is spans can be
// left out when not.
func TracingEnabled() bool { return tracing.Load() }

// Telemetry holds the process's providers.
type Telemetry struct {
	// Metrics serves the Prometheus exposition of every metric.
	Metrics  http.Handler
	shutdown []func(context.Context) error
}

// Options adjust Setup.
type Options struct {
	// Registerer receives the Prometheus collector (default: a registry of
	// its own, served by Metrics). The operator passes controller-runtime's,
	// so that one endpoint serves both.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// SpanProcessor, when set, receives every span whatever the environment
	// says: tests record spans with it.
	SpanProcessor sdktrace.SpanProcessor
}

// Setup installs the global tracer and meter providers for service.
func Setup(ctx context.Context, service string, o Options) (*Telemetry, error) {
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("while describing the service: %w", err)
	}
	t := &Telemetry{}
	if o.Registerer == nil {
		reg := prometheus.NewRegistry()
		o.Registerer, o.Gatherer = reg, reg
	}
	prom, err := promexporter.New(promexporter.WithRegisterer(o.Registerer))
	if err != nil {
		return nil, fmt.Errorf("while creating the Prometheus exporter: %w", err)
	}
	readers := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(prom)}
	if exporting("METRICS") {
		r, err := autoexport.NewMetricReader(ctx)
		if err != nil {
			return nil, fmt.Errorf("while creating the OTLP metric reader: %w", err)
		}
		readers = append(readers, sdkmetric.WithReader(r))
	}
	mp := sdkmetric.NewMeterProvider(readers...)
	t.shutdown = append(t.shutdown, mp.Shutdown)
	otel.SetMeterProvider(mp)
	t.Metrics = promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{})

	var spanOpts []sdktrace.TracerProviderOption
	if exporting("TRACES") {
		exp, err := autoexport.NewSpanExporter(ctx)
		if err != nil {
			return nil, fmt.Errorf("while creating the span exporter: %w", err)
		}
		spanOpts = append(spanOpts, sdktrace.WithBatcher(exp, batchSizing()...))
	}
	if o.SpanProcessor != nil {
		spanOpts = append(spanOpts, sdktrace.WithSpanProcessor(o.SpanProcessor))
	}
	if len(spanOpts) > 0 {
		// The sampler comes from OTEL_TRACES_SAMPLER (default: parent-based, always on).
		tp := sdktrace.NewTracerProvider(append(spanOpts, sdktrace.WithResource(res))...)
		t.shutdown = append(t.shutdown, tp.Shutdown)
		otel.SetTracerProvider(tp)
		tracing.Store(true)
	} else {
		// Nothing configured: no-op spans, no cost beyond the calls.
		otel.SetTracerProvider(noop.NewTracerProvider())
	}
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return t, nil
}

// batchSizing sizes the span batches for a replica sampling every request
// under load: a queue that holds about a second of its spans while an
// export is in flight (the SDK's default of 2,048 fills in a fifth of a
// second at 10,000 spans a second, and what comes then is dropped),
// batches of 2,048 (a quarter as many exports as the default 512), and a
// quiet replica's spans sent within a second instead of five. Each
// OTEL_BSP_* variable set in the environment still wins.
func batchSizing() []sdktrace.BatchSpanProcessorOption {
	var opts []sdktrace.BatchSpanProcessorOption
	if os.Getenv("OTEL_BSP_MAX_QUEUE_SIZE") == "" {
		opts = append(opts, sdktrace.WithMaxQueueSize(16384))
	}
	if os.Getenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") == "" {
		opts = append(opts, sdktrace.WithMaxExportBatchSize(2048))
	}
	if os.Getenv("OTEL_BSP_SCHEDULE_DELAY") == "" {
		opts = append(opts, sdktrace.WithBatchTimeout(time.Second))
	}
	return opts
}

// exporting reports whether the environment asks for OTLP (or another
// exporter) for a signal: OTEL_<SIGNAL>_EXPORTER, or an OTLP endpoint.
func exporting(signal string) bool {
	if v := os.Getenv("OTEL_" + signal + "_EXPORTER"); v != "" {
		return v != "none"
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

// Shutdown flushes and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, fn := range t.shutdown {
		errs = append(errs, fn(ctx))
	}
	return errors.Join(errs...)
}
