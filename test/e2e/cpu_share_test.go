package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/testenv"
)

// userHZ is the unit of the CPU times in /proc: USER_HZ, 100 on every
// architecture Linux runs on today.
const userHZ = 100

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
	s := cpuSample{at: time.Now(), by: map[string]time.Duration{}}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	// cpu  user nice system idle iowait irq softirq steal ...
	fields := strings.Fields(strings.SplitN(string(stat), "\n", 2)[0])
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i > 7 { // guest time is already in user
			break
		}
		s.total += ticks(f)
	}
	comms := map[int]string{}
	type times struct{ own, children time.Duration }
	procs := map[int]times{}
	parents := map[int]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // ended meanwhile
		}
		line := string(data)
		open, closing := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
		if open < 0 || closing < open {
			continue
		}
		comms[pid] = line[open+1 : closing]
		// After the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from 1.
		rest := strings.Fields(line[closing+1:])
		if len(rest) < 15 {
			continue
		}
		parents[pid], _ = strconv.Atoi(rest[1])
		procs[pid] = times{own: ticks(rest[11]) + ticks(rest[12]), children: ticks(rest[13]) + ticks(rest[14])}
	}
	for pid, t := range procs {
		comm := comms[pid]
		if !slices.Contains(cpuComponents, comm) {
			continue
		}
		s.by[comm] += t.own
		if comm == "postgres" && comms[parents[pid]] != "postgres" {
			s.by[comm] += t.children // a postmaster: its ended backends
		}
	}
	return s, nil
}

func ticks(field string) time.Duration {
	n, _ := strconv.ParseInt(field, 10, 64)
	return time.Duration(n) * time.Second / userHZ
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
