package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgresURL names an existing PostgreSQL server to use instead of a
// private one: a superuser connection URI. Tests that stop the server skip.
const EnvPostgresURL = "SLRT_TEST_POSTGRES_URL"

// EnvPostgresBin names the folder of the PostgreSQL server binaries, when
// they are not in a standard place.
const EnvPostgresBin = "SLRT_TEST_POSTGRES_BIN"

// Postgres is a PostgreSQL server for tests.
type Postgres struct {
	// AdminURL connects as a superuser to the postgres database.
	AdminURL string
	Host     string
	Port     int
	User     string
	Password string

	external bool
	bin      string
	dir      string // holds data/ and the socket
	cred     *syscall.Credential
	cmd      *exec.Cmd
	exited   chan struct{}
}

// StartPostgres starts a private server on a free port, or connects to the
// one named by SLRT_TEST_POSTGRES_URL.
func StartPostgres() (*Postgres, error) {
	if raw := os.Getenv(EnvPostgresURL); raw != "" {
		return externalPostgres(raw)
	}
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	p := &Postgres{external: false, bin: bin, Host: "127.0.0.1", User: "postgres", Password: "slrt-test-admin"}
	if p.dir, err = os.MkdirTemp("", "slrt-pg-*"); err != nil {
		return nil, err
	}
	if err := guardDir(p.dir); err != nil {
		return nil, err
	}
	if p.cred, err = postgresCredential(); err != nil {
		return p, err
	}
	if err := p.initdb(); err != nil {
		return p, err
	}
	if p.Port, err = freePort(); err != nil {
		return p, err
	}
	p.AdminURL = p.URL(p.User, p.Password, "postgres")
	return p, p.Start()
}

func externalPostgres(raw string) (*Postgres, error) {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPostgresURL, err)
	}
	p := &Postgres{external: true, AdminURL: raw, Host: cfg.Host, Port: int(cfg.Port), User: cfg.User, Password: cfg.Password}
	return p, p.waitReady(30 * time.Second)
}

// External reports whether the server is not the tests' own, so it cannot be
// stopped and started.
func (p *Postgres) External() bool { return p.external }

// URL returns a connection URI to database db as user.
func (p *Postgres) URL(user, password, db string) string {
	u := url.URL{
		Scheme: "postgres", User: url.UserPassword(user, password),
		Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port)), Path: "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

func (p *Postgres) initdb() error {
	pwfile := filepath.Join(p.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(p.Password+"\n"), 0o600); err != nil {
		return err
	}
	if err := p.chown(p.dir, pwfile); err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(p.bin, "initdb"), "-D", filepath.Join(p.dir, "data"),
		"-U", p.User, "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// Start starts the server (again, after Stop) and waits until it accepts
// connections.
func (p *Postgres) Start() error {
	if p.external {
		return errors.New("cannot start an external PostgreSQL server")
	}
	cmd := exec.Command(filepath.Join(p.bin, "postgres"), "-D", filepath.Join(p.dir, "data"),
		"-p", strconv.Itoa(p.Port), "-k", p.dir, "-h", p.Host,
		// Durability is not what tests measure; speed is welcome.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=400", "-c", "shared_buffers=128MB",
	)
	logFile, err := os.OpenFile(filepath.Join(p.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("while starting postgres: %w", err)
	}
	if err := guardGroup(cmd.Process.Pid); err != nil {
		return err
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(p.exited)
	if err := p.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
		return fmt.Errorf("%w; server log:\n%s", err, log)
	}
	return nil
}

func (p *Postgres) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, p.AdminURL)
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL at %s:%d not ready after %s: %w", p.Host, p.Port, timeout, err)
		}
		if p.exited != nil {
			select {
			case <-p.exited:
				return fmt.Errorf("postgres exited while starting: %w", err)
			default:
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop shuts the server down (fast shutdown: open sessions are ended), as a
// crash or maintenance would; Start brings it back with its data.
func (p *Postgres) Stop() error {
	if p.external {
		return errors.New("cannot stop an external PostgreSQL server")
	}
	if p.cmd == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
	return nil
}

// Close stops the server and removes its files.
func (p *Postgres) Close() error {
	if p.external {
		return nil
	}
	err := p.Stop()
	if p.dir != "" {
		err = errors.Join(err, os.RemoveAll(p.dir))
	}
	return err
}

// Connect opens a connection as the admin to database db.
func (p *Postgres) Connect(ctx context.Context, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(p.AdminURL)
	if err != nil {
		return nil, err
	}
	cfg.Database = db
	return pgx.ConnectConfig(ctx, cfg)
}

// AdminConn opens an admin connection to the postgres database for a test,
// closed when the test ends.
func (p *Postgres) AdminConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := p.Connect(context.Background(), "postgres")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// postgresBin finds the server binaries: SLRT_TEST_POSTGRES_BIN, the newest
// /usr/lib/postgresql/*/bin (Debian), or the folder of postgres on PATH.
func postgresBin() (string, error) {
	if dir := os.Getenv(EnvPostgresBin); dir != "" {
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
	return "", errors.New("no PostgreSQL server binaries found; run `make postgres`, set " + EnvPostgresBin + ", or set " + EnvPostgresURL)
}

func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// postgresCredential returns who the server runs as: PostgreSQL refuses to
// run as root, so as root it runs as the postgres user.
func postgresCredential() (*syscall.Credential, error) {
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

func (p *Postgres) chown(paths ...string) error {
	if p.cred == nil {
		return nil
	}
	for _, path := range paths {
		if err := os.Chown(path, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
