package telemetry

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/slrt-id/slrt/internal/testenv"
	"go.opentelemetry.io/otel/trace"
)

// An info line waits in the buffer; a warning goes out at once, with what
// was waiting before it; Close sends the rest. Lines inside a span carry
// its ids.
func TestTheLogIsBufferedButWarningsAndCloseFlushIt(t *testing.T) {
	out := &testenv.SyncBuffer{}
	log := NewLogger(out, slog.LevelInfo)
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled}))

	log.InfoContext(ctx, "request", "route", "/api/v1/kecamatan/{code}/kelurahan")
	if out.String() != "" {
		t.Fatalf("an info line was written at once: %q", out.String())
	}
	log.WarnContext(ctx, "request answered 503")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("after a warning, want the two lines written, got %q", out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["msg"] != "request" || first["trace_id"] != (trace.TraceID{1}).String() || first["span_id"] != (trace.SpanID{2}).String() {
		t.Errorf("first line: %v", first)
	}

	log.Info("last words")
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "last words") {
		t.Errorf("Close did not write the buffered line: %q", out.String())
	}
}
