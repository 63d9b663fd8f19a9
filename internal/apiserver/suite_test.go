package apiserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/oidcsignin"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/testplatform"
	"github.com/slrt-id/slrt/internal/usecase"
)

var (
	// spans and logs record what the API emits, for the telemetry tests.
	spans = tracetest.NewSpanRecorder()
	logs  = &testenv.SyncBuffer{}
	tel   *telemetry.Telemetry

	env      *testenv.Env
	platform *testplatform.Platform
	app      *apiserver.App
	api      *httptest.Server
	options  apiserver.Options
	// callers are the staff of the test city, by name, with their tokens.
	callers = map[string]*caller{}
)

type caller struct {
	username string
	token    string
	role     authz.Role
	domain   string
}

// The staff of the test city: one per role, working in Babakan Ciparay
// (32.73.03) where a role is local, plus an account with no grants.
var staff = []struct {
	name, role, domain string
}{
	{"petugas", "petugas", "32.73.03.1001"},
	{"koordinator", "koordinator", "32.73.03.1001"},
	{"supervisor", "supervisor", "32.73.03"},
	{"dinsos", "dinsos", "32.73"},
	{"dinkes", "agency", "agency:DINKES"},
	{"disdik", "agency", "agency:DISDIK"},
	{"petugas-bk", "petugas", "32.73.04.1001"}, // Bojongloa Kaler
	{"koordinator-bk", "koordinator", "32.73.04.1001"},
	{"admin", "admin", "32.73"},
	{"auditor", "auditor", "32.73"},
	{"nogrant", "", ""},
}

const testPassword = "kelurahan-sehat-2026"

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env, setup))
}

func setup(ctx context.Context, e *testenv.Env) error {
	// Telemetry first: instrumented packages bind to the first providers set.
	var err error
	if tel, err = telemetry.Setup(ctx, "slrt-api-test", telemetry.Options{SpanProcessor: spans}); err != nil {
		return err
	}
	if platform, err = testplatform.Start(ctx, e); err != nil {
		return err
	}
	slog.SetDefault(slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	for _, k := range [][2]string{{"32.73.03", "Babakan Ciparay"}, {"32.73.04", "Bojongloa Kaler"}} {
		if _, err := platform.Onboard(ctx, k[0], k[1]); err != nil {
			return err
		}
	}
	httpCfg := httpapi.DefaultConfig()
	httpCfg.LoginPerIPPerMinute = 1000 // the throttling test sets its own
	// No background recount here: it would keep every tenant pool busy, so
	// that pooled connections a test kills are never pinged before reuse.
	// The overdue test starts a replica that recounts.
	httpCfg.ReferralMetricsEvery = 0
	httpCfg.TrackPerIPPerMinute = 100000 // the tracking throttle test sets its own
	// Single sign-on with a provider that is never reachable: the pages
	// offer it (audited for accessibility), and it answers 503.
	// test/e2e signs in with a real provider.
	if httpCfg.OIDC, err = oidcsignin.New(oidcsignin.Config{Issuer: unreachableIssuer, ClientID: "slrt-web", DisplayName: "SSO Pemkot"}); err != nil {
		return err
	}
	if options, err = platform.APIOptions(ctx, e, tenantOptions(), httpCfg); err != nil {
		return err
	}
	// A transfer's step that failed is tried again soon.
	options.Jobs = usecase.JobOptions{Workers: 2, RetryAtMost: 300 * time.Millisecond, RescueAfter: 10 * time.Second}
	if app, err = apiserver.Start(ctx, options); err != nil {
		return err
	}
	e.Cleanup(app.Close)
	api = httptest.NewServer(app.Handler.Handler())
	e.Cleanup(api.Close)
	return seedStaff(ctx)
}

func seedStaff(ctx context.Context) error {
	hash, err := password.Hash(context.Background(), testPassword)
	if err != nil {
		return err
	}
	for _, s := range staff {
		acct, err := app.Store.CreateAccount(ctx, s.name, "Staf "+s.name, hash)
		if err != nil {
			return err
		}
		if s.role != "" {
			if _, err := app.Store.CreateGrant(ctx, acct.ID, authz.Role(s.role), s.domain, 0); err != nil {
				return err
			}
		}
		_, secret, err := app.Store.CreateToken(ctx, acct.ID, "test", time.Hour)
		if err != nil {
			return err
		}
		callers[s.name] = &caller{username: s.name, token: secret, role: authz.Role(s.role), domain: s.domain}
	}
	// The watcher reloads on the notification; wait until it has.
	return waitFor(10*time.Second, func() error {
		if !app.Authorizer.AllowedAnywhere(mustAccountID(ctx, "auditor"), "audit", "read") {
			return fmt.Errorf("grants not loaded yet")
		}
		return nil
	})
}

func mustAccountID(ctx context.Context, username string) int64 {
	a, err := app.Store.AccountByUsername(ctx, username)
	if err != nil {
		panic(err)
	}
	return a.ID
}

func waitFor(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// do sends a request as who (a caller name, or "" for anonymous).
func do(t testing.TB, who, method, path string, body any, headers ...string) *response {
	t.Helper()
	return doOn(t, api.URL, who, method, path, body, headers...)
}

func doOn(t testing.TB, base, who, method, path string, body any, headers ...string) *response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+callers[who].token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: data}
}

func expectStatus(t testing.TB, r *response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

func adminConn(t testing.TB) *pgx.Conn { return env.Postgres.AdminConn(t) }

func tenantOptions() tenant.Options {
	return tenant.Options{Budget: 40, PerTenant: 2, IdleAfter: time.Minute, RefreshEvery: 200 * time.Millisecond}
}

var errNotYet = errors.New("not yet")

func keyOf(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }

func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := password.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
