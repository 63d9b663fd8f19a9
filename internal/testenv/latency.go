package testenv

import (
	"slices"
	"time"
)

// Quantile returns the q-quantile (0.5 for the median, 0.95 for p95) of
// latencies measured one by one, leaving d as it was.
func Quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*q)]
}

// Millis is d in milliseconds, as benchmarks report latencies.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
