package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/slrt-id/slrt/internal/procstat"
)

// watchdog stops the process groups and removes the folders it is told
// about once the test binary is gone, however it went: it is a shell that
// waits for its standard input to close, which happens when the test binary
// exits, panics or is killed. On a clean stop the groups are already gone and
// the shell finds nothing to do.
type watchdog struct {
	mu    sync.Mutex
	stdin *os.File // held open for the life of the test binary
	file  string
	pid   int
}

var (
	theWatchdog     *watchdog
	theWatchdogOnce sync.Once
	theWatchdogErr  error
)

const watchdogScript = `cat >/dev/null
groups=$(grep '^pgid ' "$1" | cut -d' ' -f2)
dirs=$(grep '^dir ' "$1" | cut -d' ' -f2-)
for g in $groups; do kill -TERM "-$g" 2>/dev/null; done
[ -n "$groups" ] && sleep 3
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
for d in $dirs; do rm -rf -- "$d"; done
rm -f -- "$1"`

func getWatchdog() (*watchdog, error) {
	theWatchdogOnce.Do(func() {
		f, err := os.CreateTemp("", "slrt-testenv-watchdog-*")
		if err != nil {
			theWatchdogErr = err
			return
		}
		f.Close()
		r, w, err := os.Pipe()
		if err != nil {
			theWatchdogErr = err
			return
		}
		cmd := exec.Command("/bin/sh", "-c", watchdogScript, "watchdog", f.Name())
		cmd.Stdin = r
		// Its own process group, so a signal meant for the tests' group does
		// not stop it before it has done its work.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			theWatchdogErr = fmt.Errorf("while starting the test watchdog: %w", err)
			return
		}
		r.Close()
		go cmd.Wait() //nolint:errcheck // it ends after the test binary
		theWatchdog = &watchdog{stdin: w, file: f.Name(), pid: cmd.Process.Pid}
	})
	return theWatchdog, theWatchdogErr
}

func (w *watchdog) add(kind, value string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.OpenFile(w.file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%s %s\n", kind, strings.ReplaceAll(value, "\n", ""))
	return err
}

// disarm tells the watchdog that everything was stopped and removed.
func disarm() error {
	if theWatchdog == nil {
		return nil
	}
	theWatchdog.mu.Lock()
	defer theWatchdog.mu.Unlock()
	return os.Truncate(theWatchdog.file, 0)
}

// guardGroup asks the watchdog to stop process group pgid.
func guardGroup(pgid int) error {
	w, err := getWatchdog()
	if err != nil {
		return err
	}
	return w.add("pgid", fmt.Sprint(pgid))
}

// GuardProcess asks the watchdog to stop a process a test started in a
// process group of its own (SysProcAttr.Setpgid), should the test binary
// end without stopping it.
func GuardProcess(pid int) error { return guardGroup(pid) }

// guardDir asks the watchdog to remove dir.
func guardDir(dir string) error {
	w, err := getWatchdog()
	if err != nil {
		return err
	}
	return w.add("dir", dir)
}

// childGroups returns the process groups of this process's children, found
// in /proc: envtest starts kube-apiserver and etcd in groups of their own
// without telling their process ids.
func childGroups() ([]int, error) {
	procs, err := procstat.All()
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	w, err := getWatchdog()
	if err != nil {
		return nil, err
	}
	var groups []int
	for _, p := range procs {
		if p.PPID == self && p.PGID != self && p.PGID != w.pid {
			groups = append(groups, p.PGID)
		}
	}
	return groups, nil
}
