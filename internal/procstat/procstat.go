// Package procstat reads what Linux's /proc/<pid>/stat says of processes
// (their parent and group, and the CPU time they used) and /proc/stat of
// the machine's CPUs.
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc: USER_HZ, 100 on every
// architecture Linux runs on today.
const userHZ = 100

// Stat is one process.
type Stat struct {
	PID  int
	Comm string // the command name, at most 15 bytes
	PPID int
	PGID int
	// CPU is the time the process used, on every core; ChildrenCPU that of
	// its children that ended and were waited for.
	CPU, ChildrenCPU time.Duration
}

// Read returns the stat of process pid.
func Read(pid int) (Stat, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Stat{}, err
	}
	return parse(pid, data)
}

// All returns the stat of every process; those that end while it reads are
// left out.
func All() ([]Stat, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []Stat
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue // not a process
		}
		if s, err := Read(pid); err == nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// Busy returns the time all the machine's CPUs together have spent busy
// since it started: every state of /proc/stat's "cpu" line but idle and
// waiting for I/O.
func Busy() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	// cpu  user nice system idle iowait irq softirq steal guest guest_nice
	f := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", f)
	}
	var busy time.Duration
	for i, v := range f[1:9] { // guest time is already in user
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		busy += ticks(v)
	}
	return busy, nil
}

func ticks(field string) time.Duration {
	n, _ := strconv.ParseInt(field, 10, 64)
	return time.Duration(n) * time.Second / userHZ
}

func parse(pid int, data []byte) (Stat, error) {
	// pid (comm) state ppid pgrp ...: the command may hold spaces and
	// parentheses, so it ends at the last ")".
	open, closing := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return Stat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	// After the command, counted from 0: state ppid pgrp ... utime(11)
	// stime(12) cutime(13) cstime(14).
	f := strings.Fields(string(data[closing+1:]))
	if len(f) < 15 {
		return Stat{}, fmt.Errorf("/proc/%d/stat: %d fields after the command", pid, len(f))
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	return Stat{
		PID: pid, Comm: string(data[open+1 : closing]), PPID: ppid, PGID: pgid,
		CPU: ticks(f[11]) + ticks(f[12]), ChildrenCPU: ticks(f[13]) + ticks(f[14]),
	}, nil
}
