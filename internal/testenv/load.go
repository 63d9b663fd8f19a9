package testenv

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load sends target as fast as 8 workers can for d and returns vegeta's
// figures; any failed request fails the benchmark.
func Load(tb testing.TB, target vegeta.Target, d time.Duration) *vegeta.Metrics {
	tb.Helper()
	return LoadTargets(tb, target.URL, vegeta.NewStaticTargeter(target), d)
}

// LoadTargets is Load with targets made one by one (a create needs a body
// of its own each time); name names them in a failure.
func LoadTargets(tb testing.TB, name string, tr vegeta.Targeter, d time.Duration) *vegeta.Metrics {
	tb.Helper()
	atk := vegeta.NewAttacker(vegeta.Workers(8), vegeta.MaxWorkers(8), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for res := range atk.Attack(tr, vegeta.Rate{Freq: 0}, d, "load") {
		m.Add(res)
	}
	m.Close()
	if m.Success < 0.999 {
		tb.Fatalf("%s: success ratio %.3f, errors %v", name, m.Success, m.Errors)
	}
	return &m
}
