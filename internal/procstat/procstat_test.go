package procstat

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

var sink int

func TestAProcessAndItsChildAreRead(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()

	// Work until the kernel has counted a tick of CPU (10 ms) to this process.
	var self Stat
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if self, err = Read(os.Getpid()); err != nil || self.CPU > 0 {
			break
		}
		for i := 0; i < 1e6; i++ {
			sink += i
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if self.PPID != os.Getppid() || self.PGID != syscall.Getpgrp() || self.CPU <= 0 {
		t.Errorf("this process: %+v, want parent %d, group %d and some CPU used", self, os.Getppid(), syscall.Getpgrp())
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range all {
		if s.PID == child.Process.Pid {
			found = s.Comm == "sleep" && s.PPID == os.Getpid()
		}
	}
	if !found {
		t.Errorf("the child %d (sleep, parent %d) is not among %d processes as such", child.Process.Pid, os.Getpid(), len(all))
	}
}

func TestACommandNameWithSpacesAndParenthesesIsRead(t *testing.T) {
	s, err := parse(42, []byte("42 (a b) c)) S 7 9 9 0 -1 4194560 100 0 0 0 250 50 3 1 20 0 1 0 5 100 10"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "a b) c)" || s.PPID != 7 || s.PGID != 9 || s.CPU.Milliseconds() != 3000 || s.ChildrenCPU.Milliseconds() != 40 {
		t.Errorf("parsed %+v", s)
	}
	if _, err := parse(42, []byte("42 (cut")); err == nil {
		t.Error("a line without the end of its command name was read")
	}
}
