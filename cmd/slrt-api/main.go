// Command slrt-api serves the SLRT platform's HTTP API for every tenant.
// See docs/api.md.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/dbtrace"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/oidcsignin"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/internal/usecase"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "slrt-api:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("slrt-api", flag.ContinueOnError)
	httpCfg := httpapi.DefaultConfig()
	o := apiserver.Options{HTTP: httpCfg}
	listen := fs.String("listen", envOr("SLRT_LISTEN", ":8080"), "address to serve the API on (env SLRT_LISTEN)")
	fs.StringVar(&o.DatabaseURL, "database-url", os.Getenv("SLRT_DATABASE_URL"), "control database connection URI (env SLRT_DATABASE_URL)")
	fs.BoolVar(&o.Migrate, "migrate", true, "apply pending control database migrations at start-up, under a lock")
	budget := fs.Int("connection-budget", 200, "most connections all tenant pools together may hold")
	perTenant := fs.Int("connections-per-tenant", 4, "size of each tenant's pool")
	fs.DurationVar(&o.Tenants.IdleAfter, "pool-idle-timeout", 5*time.Minute, "close a tenant pool unused for this long")
	metricsAddr := fs.String("metrics-listen", envOr("SLRT_METRICS_LISTEN", ":9090"), "address of the Prometheus /metrics endpoint; empty turns it off (env SLRT_METRICS_LISTEN)")
	pprofAddr := fs.String("pprof-listen", os.Getenv("SLRT_PPROF_LISTEN"), "address of Go's profiling endpoints (/debug/pprof/), for diagnosing memory and CPU; empty (the default) turns them off (env SLRT_PPROF_LISTEN)")
	insecure := fs.Bool("insecure-cookies", false, "send the session cookie without Secure (plain-HTTP development only)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.HTTP.PublicURL, "public-url", os.Getenv("SLRT_PUBLIC_URL"),
		"where residents reach the platform, e.g. https://slrt.bandung.go.id: the QR code on letters points to its /lacak/ page (env SLRT_PUBLIC_URL)")
	fs.StringVar(&o.HTTP.CityName, "city-name", envOr("SLRT_CITY_NAME", httpCfg.CityName), "the city heading letters (env SLRT_CITY_NAME)")
	fs.IntVar(&o.HTTP.TrackPerIPPerMinute, "tracking-per-ip-per-minute", httpCfg.TrackPerIPPerMinute, "public tracking lookups allowed per client address and minute")
	fs.DurationVar(&o.HTTP.ReferralMetricsEvery, "referral-metrics-interval", httpCfg.ReferralMetricsEvery,
		"how often to recount open and overdue referrals in every kecamatan for the metrics; 0 turns it off")
	fs.DurationVar(&o.HTTP.RequestTimeout, "request-timeout", httpCfg.RequestTimeout,
		"how long a request may work before it is answered 503 (a database that does not answer)")
	fs.DurationVar(&o.Tenants.QuerySpansFrom, "trace-queries-from", dbtrace.DefaultSpansFrom,
		"a SQL statement of a traced request is a span when it takes this long, or fails; 0 makes every statement a span")
	jobs := usecase.DefaultJobOptions()
	fs.IntVar(&jobs.Workers, "job-workers", jobs.Workers, "background jobs (households moving between kecamatan) this replica runs at once")
	fs.DurationVar(&jobs.RetryAtMost, "job-retry-at-most", jobs.RetryAtMost, "longest pause before a job's failed step is tried again")
	fs.DurationVar(&jobs.RescueAfter, "job-rescue-after", jobs.RescueAfter,
		"when a job whose replica died is taken up by another (jobs running longer than half of it are stopped)")
	keyFile := fs.String("nik-index-key-file", os.Getenv("SLRT_NIK_INDEX_KEY_FILE"),
		"file holding the key (at least 32 bytes) of the cross-kecamatan NIK index, mounted from a Secret (env SLRT_NIK_INDEX_KEY_FILE)")
	var sso oidcsignin.Config
	fs.StringVar(&sso.Issuer, "oidc-issuer", os.Getenv("SLRT_OIDC_ISSUER"),
		"the city's OpenID Connect provider, e.g. https://sso.example.go.id/realms/pemkot; empty: passwords only (env SLRT_OIDC_ISSUER)")
	fs.StringVar(&sso.ClientID, "oidc-client-id", os.Getenv("SLRT_OIDC_CLIENT_ID"), "the web app's client at the provider (env SLRT_OIDC_CLIENT_ID)")
	secretFile := fs.String("oidc-client-secret-file", os.Getenv("SLRT_OIDC_CLIENT_SECRET_FILE"),
		"file holding the web app client's secret, mounted from a Secret (env SLRT_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&sso.CLIClientID, "oidc-cli-client-id", os.Getenv("SLRT_OIDC_CLI_CLIENT_ID"),
		"slrtctl's public client at the provider (PKCE, loopback redirect); empty: slrtctl signs in with passwords (env SLRT_OIDC_CLI_CLIENT_ID)")
	fs.StringVar(&sso.SubjectClaim, "oidc-subject-claim", "sub", "the ID token claim an account is linked by: sub, or e.g. preferred_username")
	fs.StringVar(&sso.DisplayName, "oidc-display-name", envOr("SLRT_OIDC_DISPLAY_NAME", "SSO"), "the provider's name on the sign-in page (env SLRT_OIDC_DISPLAY_NAME)")
	fs.BoolVar(&o.HTTP.PasswordSignIn, "password-sign-in", true, "allow signing in with a password; false leaves only single sign-on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sso.Issuer != "" {
		if *secretFile != "" {
			secret, err := os.ReadFile(*secretFile)
			if err != nil {
				return fmt.Errorf("--oidc-client-secret-file: %w", err)
			}
			sso.ClientSecret = string(bytes.TrimSpace(secret))
		}
		p, err := oidcsignin.New(sso)
		if err != nil {
			return err
		}
		o.HTTP.OIDC = p
	} else if !o.HTTP.PasswordSignIn {
		return errors.New("--password-sign-in=false needs --oidc-issuer: nobody could sign in")
	}
	if o.DatabaseURL == "" {
		return errors.New("--database-url (or SLRT_DATABASE_URL) is required")
	}
	if *keyFile == "" {
		return errors.New("--nik-index-key-file (or SLRT_NIK_INDEX_KEY_FILE) is required")
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("--nik-index-key-file: %w", err)
	}
	o.NIKIndexKey = bytes.TrimSpace(key)
	o.Tenants.Budget, o.Tenants.PerTenant = int32(*budget), int32(*perTenant)
	if jobs.Workers < 1 || jobs.RetryAtMost <= 0 || jobs.RescueAfter < 2*time.Second {
		return errors.New("--job-workers must be at least 1, --job-retry-at-most positive and --job-rescue-after at least 2s")
	}
	o.Jobs = jobs
	o.HTTP.SecureCookies = !*insecure

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := telemetry.NewLogger(os.Stderr, level)
	defer logger.Close()
	slog.SetDefault(logger.Logger)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tel, err := telemetry.Setup(ctx, "slrt-api", telemetry.Options{})
	if err != nil {
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(shutdownCtx)
	}()
	if *metricsAddr != "" {
		metricsSrv := &http.Server{Addr: *metricsAddr, Handler: tel.Metrics, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("metrics endpoint stopped", "error", err)
			}
		}()
		defer metricsSrv.Close()
	}

	if *pprofAddr != "" {
		pprofSrv := &http.Server{Addr: *pprofAddr, Handler: profiling(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := pprofSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("profiling endpoint stopped", "error", err)
			}
		}()
		defer pprofSrv.Close()
	}

	if o.Kube, err = ctrl.GetConfig(); err != nil {
		return fmt.Errorf("while loading the Kubernetes client configuration: %w", err)
	}
	app, err := apiserver.Start(ctx, o)
	if err != nil {
		return err
	}
	defer app.Close()

	srv := &http.Server{
		Addr:              *listen,
		Handler:           app.Handler.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("slrt-api serving", "listen", *listen)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, finish requests in flight.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	slog.Info("slrt-api shutting down")
	return srv.Shutdown(shutdownCtx)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// profiling serves net/http/pprof on a mux of its own: never on the API's
// port, and only when asked for.
func profiling() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
