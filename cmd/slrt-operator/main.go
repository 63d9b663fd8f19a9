// Command slrt-operator provisions SLRT tenants: it reconciles each Kecamatan
// resource into a namespace and a PostgreSQL database. See docs/operator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/operator"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "slrt-operator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("slrt-operator", flag.ContinueOnError)
	cfg := operator.Config{}
	fs.StringVar(&cfg.PlatformNamespace, "namespace", envOr("POD_NAMESPACE", "slrt-system"),
		"namespace the platform runs in: DatabaseServer admin Secrets are read from it and tenant namespaces admit traffic from it (env POD_NAMESPACE)")
	fs.StringVar(&cfg.APIServiceAccount, "api-service-account", envOr("SLRT_API_SERVICE_ACCOUNT", "slrt-api"),
		"the API's ServiceAccount in --namespace, granted read access to each tenant's credentials Secret (env SLRT_API_SERVICE_ACCOUNT)")
	fs.StringVar(&cfg.CredentialsReaderRole, "credentials-reader-role", envOr("SLRT_CREDENTIALS_READER_ROLE", operator.DefaultCredentialsReaderRole),
		"the ClusterRole that reads a tenant's credentials Secret, bound to --api-service-account in each tenant namespace (env SLRT_CREDENTIALS_READER_ROLE)")
	fs.IntVar(&cfg.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "tenants worked on at once")
	fs.StringVar(&cfg.Backups.Dir, "backup-dir", os.Getenv("SLRT_BACKUP_DIR"),
		"folder (a mounted volume) where KecamatanBackup dumps are kept; backups fail without it (env SLRT_BACKUP_DIR)")
	fs.StringVar(&cfg.PGTools.BinDir, "pg-bin-dir", os.Getenv("SLRT_PG_BIN_DIR"),
		"folder of pg_dump and pg_restore, at least as new as the database servers; default: PATH, then the newest /usr/lib/postgresql/*/bin (env SLRT_PG_BIN_DIR)")
	metricsAddr := fs.String("metrics-bind-address", ":8080", "address of the Prometheus metrics endpoint; 0 disables it")
	probeAddr := fs.String("health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	pprofAddr := fs.String("pprof-bind-address", "0", "address of Go's profiling endpoints (/debug/pprof/), for diagnosing memory and CPU; 0 (the default) disables them")
	leaderElect := fs.Bool("leader-elect", false, "elect a leader, so that only one replica reconciles")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	slog.SetDefault(logger)
	ctrl.SetLogger(logr.FromSlogHandler(logger.Handler()))

	// Metrics go out on controller-runtime's endpoint, beside its own.
	ctx := ctrl.SetupSignalHandler()
	tel, err := telemetry.Setup(ctx, "slrt-operator", telemetry.Options{Registerer: ctrlmetrics.Registry, Gatherer: ctrlmetrics.Registry})
	if err != nil {
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(shutdownCtx)
	}()

	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		return fmt.Errorf("while building the scheme: %w", err)
	}
	restCfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("while loading the Kubernetes client configuration: %w", err)
	}
	mgr, err := ctrl.NewManager(restCfg, operator.ManagerOptions(scheme, operator.ManagerSettings{
		MetricsAddr:      *metricsAddr,
		ProbeAddr:        *probeAddr,
		PprofAddr:        *pprofAddr,
		LeaderElection:   *leaderElect,
		LeaderElectionNS: cfg.PlatformNamespace,
	}))
	if err != nil {
		return fmt.Errorf("while creating the manager: %w", err)
	}
	r, err := operator.NewReconciler(mgr, cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := errors.Join(mgr.AddHealthzCheck("healthz", healthz.Ping), mgr.AddReadyzCheck("readyz", healthz.Ping)); err != nil {
		return fmt.Errorf("while adding health checks: %w", err)
	}
	slog.Info("starting slrt-operator", "namespace", cfg.PlatformNamespace, "backupDir", cfg.Backups.Dir)
	return mgr.Start(ctx)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
