package apibench

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/testplatform"
)

var (
	env             *testenv.Env
	platform        *testplatform.Platform
	app             *apiserver.App
	api             *httptest.Server
	supervisorToken string
)

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env, setup))
}

// setup starts the stack the way slrt-api does, with the telemetry an empty
// environment gives, and one supervisor of Babakan Ciparay with a token.
func setup(ctx context.Context, e *testenv.Env) error {
	// Tests must not be steered by the machine's OTEL_* settings.
	for _, k := range []string{"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		os.Unsetenv(k)
	}
	if _, err := telemetry.Setup(ctx, "slrt-api-bench", telemetry.Options{}); err != nil {
		return err
	}
	var err error
	if platform, err = testplatform.Start(ctx, e); err != nil {
		return err
	}
	if _, err := platform.Onboard(ctx, "32.73.03", "Babakan Ciparay"); err != nil {
		return err
	}
	opts, err := platform.APIOptions(ctx, e, tenant.Options{Budget: 200, PerTenant: 4}, httpapi.DefaultConfig())
	if err != nil {
		return err
	}
	app, err = apiserver.Start(ctx, opts)
	if err != nil {
		return err
	}
	e.Cleanup(app.Close)
	// Log as slrt-api does (JSON through its buffer, info and above), to a
	// file that keeps nothing: a request's log line costs what it costs
	// in production, not what a discarding handler costs.
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	logger := telemetry.NewLogger(devNull, slog.LevelInfo)
	slog.SetDefault(logger.Logger)
	e.Cleanup(func() { _ = logger.Close(); _ = devNull.Close() })
	api = httptest.NewServer(app.Handler.Handler())
	e.Cleanup(api.Close)

	hash, err := password.Hash(context.Background(), "pengawas-kecamatan-2026")
	if err != nil {
		return err
	}
	acct, err := app.Store.CreateAccount(ctx, "supervisor", "Supervisor", hash)
	if err != nil {
		return err
	}
	if _, err := app.Store.CreateGrant(ctx, acct.ID, authz.RoleSupervisor, "32.73.03", 0); err != nil {
		return err
	}
	if _, supervisorToken, err = app.Store.CreateToken(ctx, acct.ID, "bench", time.Hour); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for !app.Authorizer.Allowed(acct.ID, "32.73.03", "kelurahan", "read") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// The harness itself works: the benchmark's caller reads its kecamatan.
func TestTheBenchmarkCallerIsServed(t *testing.T) {
	req := httptest.NewRequest("GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil)
	req.Header.Set("Authorization", "Bearer "+supervisorToken)
	rec := httptest.NewRecorder()
	app.Handler.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}
