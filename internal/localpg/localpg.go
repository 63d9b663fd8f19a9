// Package localpg runs a private PostgreSQL server from the machine's
// server binaries: for tests (a throwaway data folder) and for `make dev` (a
// data folder kept between runs). It can also stand for an existing server
// given by URL.
package localpg

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/procstat"
)

// EnvBin names the folder of the PostgreSQL server binaries, when they are
// not in a standard place.
const EnvBin = "SLRT_TEST_POSTGRES_BIN"

// Server is a PostgreSQL server.
type Server struct {
	// AdminURL connects as a superuser to the postgres database.
	AdminURL string
	Host     string
	Port     int
	User     string
	Password string
	// Dir holds data/, the socket, the password file and postgres.log.
	Dir string

	external bool
	opts     Options
	bin      string
	cred     *syscall.Credential
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Options shape a private server.
type Options struct {
	// Port to listen on; 0 picks a free one.
	Port int
	// Durable keeps fsync and full page writes on: data that must survive a
	// crash (make dev). Tests turn them off for speed.
	Durable bool
	// Guard, when set, is handed the process group of the server as soon as
	// it starts (tests use it to remove the server even if they are killed).
	Guard func(pgid int) error
	// Settings are server settings (name to value) beyond these defaults.
	Settings map[string]string
}

// Open prepares a private server in dir, creating its data folder with
// initdb unless one is already there (then its password is reused), and
// starts it.
func Open(dir string, opts Options) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, opts: opts, Host: "127.0.0.1", User: "postgres", Dir: dir}
	if s.cred, err = credential(); err != nil {
		return s, err
	}
	pwfile := filepath.Join(dir, "pwfile")
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err == nil {
		pw, err := os.ReadFile(pwfile)
		if err != nil {
			return s, fmt.Errorf("the data folder %s has no password file: %w", dir, err)
		}
		s.Password = strings.TrimSpace(string(pw))
	} else if err := s.initdb(pwfile); err != nil {
		return s, err
	}
	if s.Port = opts.Port; s.Port == 0 {
		if s.Port, err = FreePort(); err != nil {
			return s, err
		}
	}
	s.AdminURL = s.URL(s.User, s.Password, "postgres")
	return s, s.Start()
}

// OpenTemp starts a private server in a new temporary folder (named by
// pattern, as os.MkdirTemp does), for a test of one package; stop ends it
// and removes the folder.
func OpenTemp(pattern string) (s *Server, stop func(), err error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return nil, nil, err
	}
	stop = func() {
		if s != nil {
			_ = s.Stop()
		}
		_ = os.RemoveAll(dir)
	}
	// The server runs as its own user when we are root: it must reach in.
	if err = os.Chmod(dir, 0o755); err == nil {
		s, err = Open(dir, Options{})
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	return s, stop, nil
}

// Existing stands for a server someone else runs, given a superuser URL; it
// cannot be stopped or started.
func Existing(raw string) (*Server, error) {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	s := &Server{external: true, AdminURL: raw, Host: cfg.Host, Port: int(cfg.Port), User: cfg.User, Password: cfg.Password}
	return s, s.waitReady(30 * time.Second)
}

// Bin is the folder of the server's programs (pg_dump and pg_restore are
// there too); empty for a server someone else runs.
func (s *Server) Bin() string { return s.bin }

// External reports whether the server is not this process's own.
func (s *Server) External() bool { return s.external }

// URL returns a connection URI to database db as user.
func (s *Server) URL(user, password, db string) string {
	u := url.URL{
		Scheme: "postgres", User: url.UserPassword(user, password),
		Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), Path: "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

func (s *Server) initdb(pwfile string) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	pw := make([]byte, 18)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	s.Password = fmt.Sprintf("slrt-%x", pw)
	if err := os.WriteFile(pwfile, []byte(s.Password+"\n"), 0o600); err != nil {
		return err
	}
	if err := s.chown(s.Dir, pwfile); err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(s.bin, "initdb"), "-D", filepath.Join(s.Dir, "data"),
		"-U", s.User, "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// LogPath is where the server writes its log.
func (s *Server) LogPath() string { return filepath.Join(s.Dir, "postgres.log") }

// Start starts the server (again, after Stop) and waits until it accepts
// connections.
func (s *Server) Start() error {
	if s.external {
		return errors.New("cannot start an external PostgreSQL server")
	}
	args := []string{"-D", filepath.Join(s.Dir, "data"), "-p", strconv.Itoa(s.Port), "-k", s.Dir, "-h", s.Host,
		"-c", "max_connections=400", "-c", "shared_buffers=128MB"}
	if !s.opts.Durable {
		// Durability is not what tests measure; speed is welcome.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, name := range slices.Sorted(maps.Keys(s.opts.Settings)) {
		args = append(args, "-c", name+"="+s.opts.Settings[name])
	}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), args...)
	logFile, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	if err := s.chown(s.LogPath()); err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("while starting postgres: %w", err)
	}
	if s.opts.Guard != nil {
		if err := s.opts.Guard(cmd.Process.Pid); err != nil {
			return err
		}
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.exited)
	if err := s.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(s.LogPath())
		return fmt.Errorf("%w; server log:\n%s", err, lastLines(string(log), 20))
	}
	return nil
}

// Pid is the server's process id, 0 when it is not running here.
func (s *Server) Pid() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Exited is closed when the server process ends.
func (s *Server) Exited() <-chan struct{} { return s.exited }

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.AdminURL)
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL at %s:%d not ready after %s: %w", s.Host, s.Port, timeout, err)
		}
		if s.exited != nil {
			select {
			case <-s.exited:
				return fmt.Errorf("postgres exited while starting: %w", err)
			default:
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop shuts the server down (fast shutdown: open sessions are ended), as a
// crash or maintenance would; Start brings it back with its data.
func (s *Server) Stop() error {
	if s.external {
		return errors.New("cannot stop an external PostgreSQL server")
	}
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	return nil
}

// Connect opens a connection as the admin to database db.
func (s *Server) Connect(ctx context.Context, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(s.AdminURL)
	if err != nil {
		return nil, err
	}
	cfg.Database = db
	return pgx.ConnectConfig(ctx, cfg)
}

// findBin finds the server binaries: SLRT_TEST_POSTGRES_BIN, the newest
// /usr/lib/postgresql/*/bin (Debian), or the folder of postgres on PATH.
func findBin() (string, error) {
	if dir := os.Getenv(EnvBin); dir != "" {
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if path, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("no PostgreSQL server binaries found; run `make postgres`, or set " + EnvBin)
}

func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// credential returns who the server runs as: PostgreSQL refuses to run as
// root, so as root it runs as the postgres user.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user to run the server as (`make postgres` installs it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (s *Server) chown(paths ...string) error {
	if s.cred == nil {
		return nil
	}
	for _, path := range paths {
		if err := os.Chown(path, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return err
		}
	}
	return nil
}

// FreePort returns a TCP port nobody listens on now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Crash stops the server in immediate mode, as a power cut or an
// out-of-memory kill would: no checkpoint, sessions cut, recovery at the
// next Start.
func (s *Server) Crash() error {
	if s.external || s.cmd == nil {
		return errors.New("cannot crash a server not started here")
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	<-s.exited
	s.cmd = nil
	return nil
}

// Pause stops every process of the server (SIGSTOP to the postmaster and
// each of its children, which are in process groups of their own), as a
// stalled disk or a frozen virtual machine would; Resume goes on.
func (s *Server) Pause() error { return s.signalAll(syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() error { return s.signalAll(syscall.SIGCONT) }

func (s *Server) signalAll(sig syscall.Signal) error {
	if s.external || s.cmd == nil {
		return errors.New("cannot signal a server not started here")
	}
	postmaster := s.cmd.Process.Pid
	if err := syscall.Kill(postmaster, sig); err != nil {
		return err
	}
	procs, err := procstat.All()
	if err != nil {
		return err
	}
	for _, p := range procs {
		if p.PPID == postmaster {
			_ = syscall.Kill(p.PID, sig)
		}
	}
	return nil
}
