package telemetry

import (
	"context"
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap/zapcore"
)

// LogHandler adds trace_id and span_id to every record logged inside a
// span, so that a log line leads to its trace.
func LogHandler(inner slog.Handler) slog.Handler { return traceHandler{Handler: inner} }

type traceHandler struct {
	slog.Handler
	// flush, when set, sends buffered lines at once (after a warning or an
	// error, which someone may be waiting for).
	flush func()
}

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	err := h.Handler.Handle(ctx, r)
	if h.flush != nil && r.Level >= slog.LevelWarn {
		h.flush()
	}
	return err
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs), h.flush}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name), h.flush}
}

// logFlushEvery bounds how long an info line waits in the buffer.
const logFlushEvery = time.Second

// Logger is a binary's log: JSON lines with trace and span ids, written
// through a buffer that is flushed every second, when it fills (256 KiB), at
// once after a warning or an error, and by Close. A request's line then
// costs a copy into memory instead of a write to the pipe on the request's
// path (docs/benchmarks.md).
type Logger struct {
	*slog.Logger
	out *zapcore.BufferedWriteSyncer
}

// NewLogger makes the log of a binary writing to w at level and above.
func NewLogger(w io.Writer, level slog.Leveler) *Logger {
	out := &zapcore.BufferedWriteSyncer{WS: zapcore.AddSync(w), FlushInterval: logFlushEvery}
	h := traceHandler{
		Handler: slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level}),
		flush:   func() { _ = out.Sync() },
	}
	return &Logger{Logger: slog.New(h), out: out}
}

// Close writes what is buffered and stops the flushing.
func (l *Logger) Close() error { return l.out.Stop() }
