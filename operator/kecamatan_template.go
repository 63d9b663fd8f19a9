package operator

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/tenantschema"
)

// A new tenant database is a copy of its server's tenant template, a
// database already at the current schema version (pgadmin explains how the
// copy comes to belong to the tenant). Migrating each new database cost
// three times the CREATE DATABASE itself (docs/benchmarks.md): at national
// scale, that was most of the provisioning. Without a template (a server
// older than PostgreSQL 14, a build that failed) the database is made from
// template0 and migrated by the schema step as before.

// templatePrefix names the tenant templates; the schema version follows.
const templatePrefix = "slrt_tenant_template_v"

// templateRetry is how long a server whose template could not be built
// goes without one before the next try.
const templateRetry = time.Minute

// tenantTemplates remembers, per server, what stands in the way of its
// template.
type tenantTemplates struct {
	mu      sync.Mutex
	servers map[string]*serverTemplate
}

type serverTemplate struct {
	mu          sync.Mutex // one build at a time on a server
	unsupported bool
	failedAt    time.Time
}

func (t *tenantTemplates) of(server string) *serverTemplate {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.servers == nil {
		t.servers = map[string]*serverTemplate{}
	}
	st, ok := t.servers[server]
	if !ok {
		st = &serverTemplate{}
		t.servers[server] = st
	}
	return st
}

// templateName is the template of this build's schema version.
func templateName() string { return fmt.Sprintf("%s%d", templatePrefix, tenantschema.LatestVersion()) }

// tenantTemplate returns the database a new tenant database on srv is
// copied from, building it on first need over admin (the caller's
// connection: the other workers may hold the rest of the pool while they
// wait for the build), or "" for template0.
func (r *KecamatanReconciler) tenantTemplate(ctx context.Context, srv *server, admin *pgadmin.Admin) string {
	st := r.templates.of(srv.name)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.unsupported || time.Since(st.failedAt) < templateRetry {
		return ""
	}
	name := templateName()
	ready, err := admin.TemplateReady(ctx, name)
	if err == nil && !ready {
		var supported bool
		if supported, err = admin.TemplatesSupported(ctx); err == nil && !supported {
			st.unsupported = true
			return ""
		}
		if err == nil {
			err = buildTemplate(ctx, srv, admin, name)
		}
	}
	if err != nil {
		st.failedAt = time.Now()
		log.FromContext(ctx).Error(err, "no tenant template on this server for now: new tenant databases are migrated one by one", "server", srv.name)
		return ""
	}
	return name
}

// buildTemplate fills a new database at the current schema version, every
// object owned by pg_database_owner, and publishes it as name.
func buildTemplate(ctx context.Context, srv *server, admin *pgadmin.Admin, name string) error {
	building := name + "_build"
	if err := admin.StartTemplate(ctx, building); err != nil {
		return err
	}
	cfg := srv.admin.Config().ConnConfig.Copy()
	cfg.Database = building
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE pg_database_owner")
		return err
	}))
	db.SetMaxOpenConns(1)
	_, err := tenantschema.Migrate(ctx, db)
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("while migrating tenant template %s: %w", building, err)
	}
	// As the server's administrator, who owns the database (its owner may
	// rewrite the catalogue; pg_database_owner may not).
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		err = pgadmin.CompactTemplate(ctx, conn)
		_ = conn.Close(ctx)
	}
	if err != nil {
		return fmt.Errorf("while compacting tenant template %s: %w", building, err)
	}
	return admin.PublishTemplate(ctx, building, name, templatePrefix)
}
