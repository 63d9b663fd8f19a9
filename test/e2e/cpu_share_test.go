package e2e

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/procstat"
	"github.com/slrt-id/slrt/internal/testenv"
)

// cpuComponents are the processes whose CPU a scale run attributes, by
// command name (e2e.test is the benchmark itself: its watch and its
// clients); the rest of the machine's busy time is "other" (the kernel's
// own threads, short-lived tools).
var cpuComponents = []string{"postgres", "kube-apiserver", "etcd", "slrt-operator", "slrt-api", "e2e.test"}

// cpuSample is the CPU time used so far by each component and by the whole
// machine, and when it was read.
type cpuSample struct {
	at    time.Time
	by    map[string]time.Duration
	total time.Duration // busy time of all CPUs together
}

// sampleCPU reads /proc. A PostgreSQL server forks a process per
// connection: its postmaster's reaped-children time holds the backends
// that ended, and the live ones are read one by one.
func sampleCPU() (cpuSample, error) {
	busy, err := procstat.Busy()
	if err != nil {
		return cpuSample{}, err
	}
	s := cpuSample{at: time.Now(), by: map[string]time.Duration{}, total: busy}
	procs, err := procstat.All()
	if err != nil {
		return s, err
	}
	comms := make(map[int]string, len(procs))
	for _, p := range procs {
		comms[p.PID] = p.Comm
	}
	for _, p := range procs {
		if !slices.Contains(cpuComponents, p.Comm) {
			continue
		}
		s.by[p.Comm] += p.CPU
		if p.Comm == "postgres" && comms[p.PPID] != "postgres" {
			s.by[p.Comm] += p.ChildrenCPU // a postmaster: its ended backends
		}
	}
	return s, nil
}

// cpuShare is the CPU each component used between two samples, per unit
// of work (a tenant), and the machine's busy share of its CPUs.
type cpuShare struct {
	per   map[string]time.Duration // component, and "other", per unit
	busy  float64                  // 0..1 of all CPUs
	total time.Duration            // per unit
}

func cpuBetween(from, to cpuSample, units int) cpuShare {
	cpus := runtime.NumCPU()
	share := cpuShare{per: map[string]time.Duration{}}
	n := time.Duration(max(units, 1))
	var named time.Duration
	for _, c := range cpuComponents {
		d := to.by[c] - from.by[c]
		share.per[c] = d / n
		named += d
	}
	busy := to.total - from.total
	share.per["other"] = max(busy-named, 0) / n
	share.total = busy / n
	if wall := to.at.Sub(from.at); wall > 0 {
		share.busy = float64(busy) / float64(wall*time.Duration(cpus))
	}
	return share
}

// String reads as the run's log line: milliseconds of CPU per unit.
func (c cpuShare) String() string {
	var parts []string
	for _, name := range append(cpuComponents, "other") {
		parts = append(parts, fmt.Sprintf("%s %.0f", name, testenv.Millis(c.per[name])))
	}
	return fmt.Sprintf("%.0f ms (%s); CPUs %.0f%% busy", testenv.Millis(c.total), strings.Join(parts, ", "), 100*c.busy)
}
