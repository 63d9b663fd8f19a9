package testenv

import (
	"io"
	"log/slog"
	"os"

	"github.com/go-logr/logr"
)

// EnvLog turns on the logs of the components a test runs in process.
const EnvLog = "SLRT_TEST_LOG"

// SlogHandler returns a log handler for in-process components: silent,
// unless SLRT_TEST_LOG is set (to debug, info, warn or error).
func SlogHandler() slog.Handler {
	w := io.Writer(io.Discard)
	var level slog.Level
	if v := os.Getenv(EnvLog); v != "" {
		w = os.Stderr
		_ = level.UnmarshalText([]byte(v))
	}
	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
}

// Logger is SlogHandler for components that log through logr.
func Logger() logr.Logger { return logr.FromSlogHandler(SlogHandler()) }
