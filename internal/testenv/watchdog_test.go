package testenv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childEnv = "SLRT_TESTENV_WATCHDOG_CHILD"

// A test binary killed outright (as a panic, a timeout or Ctrl-C would end
// it) leaves no PostgreSQL server and no data folder behind.
func TestServicesDieWithTheTestBinary(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		pg, err := StartPostgres()
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("PG", pg.Pid(), pg.Dir)
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if os.Getenv(EnvPostgresURL) != "" {
		t.Skip("uses a private server, not " + EnvPostgresURL)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestServicesDieWithTheTestBinary$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, _ := cmd.Output() // killed: the exit status says so
	var pid int
	var dir string
	for sc := bufio.NewScanner(strings.NewReader(string(out))); sc.Scan(); {
		if _, err := fmt.Sscan(strings.TrimPrefix(sc.Text(), "PG "), &pid, &dir); err == nil && strings.HasPrefix(sc.Text(), "PG ") {
			break
		}
	}
	if pid == 0 {
		t.Fatalf("the child did not start PostgreSQL:\n%s", out)
	}

	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) || exists(dir) {
		if time.Now().After(deadline) {
			t.Fatalf("after the test binary died: postgres %d alive=%t, %s exists=%t", pid, alive(pid), dir, exists(dir))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie, waiting for a parent that does
// not reap it, counts as gone).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
