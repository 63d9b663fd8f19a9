package testenv

import (
	"io"
	"log/slog"
	"os"

	"github.com/go-logr/logr"
)

// EnvLog turns on the logs of the components a test runs in process.
const EnvLog = "SLRT_TEST_LOG"

// Logger returns a logger for in-process components: silent, unless
// SLRT_TEST_LOG is set (to debug, info, warn or error).
func Logger() logr.Logger {
	w := io.Writer(io.Discard)
	var level slog.Level
	if v := os.Getenv(EnvLog); v != "" {
		w = os.Stderr
		_ = level.UnmarshalText([]byte(v))
	}
	return logr.FromSlogHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
