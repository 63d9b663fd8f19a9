package tenantbackup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Tools runs PostgreSQL's client programs, pg_dump and pg_restore. They must
// be at least as new as the servers they read.
type Tools struct {
	// BinDir is the folder holding them; when empty, they are looked up on
	// PATH, then in the newest /usr/lib/postgresql/*/bin (Debian's layout).
	BinDir string
}

func (t Tools) path(program string) (string, error) {
	if t.BinDir != "" {
		return filepath.Join(t.BinDir, program), nil
	}
	if p, err := exec.LookPath(program); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + program)
	sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) > majorOf(matches[j]) })
	if len(matches) > 0 {
		return matches[0], nil
	}
	return "", fmt.Errorf("%s is not installed: install PostgreSQL's client programs or set the operator's --pg-bin-dir", program)
}

func majorOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// Conn is a database connection for the client programs. The password goes
// in their environment, never in their arguments, where any process could
// read it.
type Conn struct {
	Host     string
	Port     int
	User     string
	Password string
	Database string
	SSLMode  string
}

func (c Conn) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env,
		"PGHOST="+c.Host, "PGPORT="+strconv.Itoa(c.Port), "PGUSER="+c.User,
		"PGPASSWORD="+c.Password, "PGDATABASE="+c.Database, "PGSSLMODE="+c.SSLMode,
		"PGCONNECT_TIMEOUT=10", "PGAPPNAME=slrt-backup")
}

// run runs program with args against c, stdin and stdout as given, and
// returns its error with what it wrote to stderr.
func (t Tools) run(ctx context.Context, c Conn, stdin io.Reader, stdout io.Writer, program string, args ...string) error {
	path, err := t.path(program)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = c.environ()
	cmd.Stdin, cmd.Stdout = stdin, stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := firstError(stderr.String())
		var exit *exec.ExitError
		if errors.As(err, &exit) && msg != "" {
			return fmt.Errorf("%s failed: %s", program, msg)
		}
		return fmt.Errorf("%s failed: %w", program, err)
	}
	return nil
}

// quoted matches a quoted value in a PostgreSQL message, which may be a row's
// data (a COPY error quotes the offending field).
var quoted = regexp.MustCompile(`"[^"]*"`)

// firstError returns the first error line of a client program's stderr, with
// quoted values blanked, so that no personal data reaches a condition or a
// log line.
func firstError(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	line := lines[0]
	for _, l := range lines {
		if strings.Contains(l, "error:") {
			line = l
			break
		}
	}
	line = quoted.ReplaceAllString(line, `"…"`)
	if len(line) > 500 {
		line = line[:500] + "…"
	}
	return line
}
