package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/store"
)

func TestAuditLogRecordsWritesAndDenialsAndIsAppendOnly(t *testing.T) {
	resp := do(t, "admin", "POST", "/api/v1/admin/accounts",
		map[string]any{"username": "petugas-baru", "displayName": "Petugas Baru", "password": "sehat-sejahtera-2026"},
		"X-Purpose", "onboarding staff")
	expectStatus(t, resp, http.StatusCreated)
	expectStatus(t, do(t, "petugas", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil), http.StatusForbidden)

	var page struct {
		Items      []store.AuditEntry `json:"items"`
		NextCursor string             `json:"nextCursor"`
	}
	do(t, "auditor", "GET", "/api/v1/audit?username=admin&action=POST+/api/v1/admin/accounts", nil).json(t, &page)
	if len(page.Items) == 0 {
		t.Fatal("the account creation was not audited")
	}
	e := page.Items[0]
	if e.Outcome != "success" || e.Purpose != "onboarding staff" || e.RequestID == "" || !strings.Contains(e.Roles, "admin@32.73") {
		t.Errorf("audit entry: %+v", e)
	}
	do(t, "auditor", "GET", "/api/v1/audit?username=petugas&outcome=denied&tenant=32.73.04", nil).json(t, &page)
	if len(page.Items) == 0 || page.Items[0].Action != "GET /api/v1/kecamatan/{code}/kelurahan" {
		t.Errorf("the denial was not audited: %+v", page.Items)
	}
	// Pages: one entry at a time, newest first, then the next.
	do(t, "auditor", "GET", "/api/v1/audit?limit=1", nil).json(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	first := page.Items[0].ID
	do(t, "auditor", "GET", "/api/v1/audit?limit=1&cursor="+page.NextCursor, nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID >= first {
		t.Errorf("second page: %+v after %d", page.Items, first)
	}
	expectField(t, do(t, "auditor", "GET", "/api/v1/audit?from=yesterday", nil), "from")

	// No role can change history: not through the API, not in the database.
	conn := adminConn(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	pool := app.Store.Pool()
	for _, stmt := range []string{`UPDATE audit_log SET outcome = 'success'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: want refused as append-only, got %v", stmt, err)
		}
	}
}

func TestBadInputGetsProblemJSONAndChangesNothing(t *testing.T) {
	resp := do(t, "admin", "POST", "/api/v1/admin/accounts", `{"username":"x","displayName":"","password":"short","role":"admin"}`)
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	if ct := resp.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q", ct)
	}
	expectField(t, resp, "/role") // unknown fields are refused, not ignored

	resp = do(t, "admin", "POST", "/api/v1/admin/accounts", map[string]any{"username": "x", "displayName": "", "password": "short"})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	for _, f := range []string{"/username", "/displayName", "/password"} {
		expectField(t, resp, f)
	}
	if _, err := app.Store.AccountByUsername(context.Background(), "x"); err != store.ErrNotFound {
		t.Errorf("a refused account exists: %v", err)
	}
	// The OpenAPI description is enforced on every request.
	resp = do(t, "admin", "POST", "/api/v1/admin/accounts", `{"username":5,"displayName":"Lima"}`)
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	expectField(t, resp, "/username")
	expectField(t, do(t, "auditor", "GET", "/api/v1/audit?outcome=bogus", nil), "outcome")
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/accounts", `{"username":`), http.StatusBadRequest)
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/accounts", strings.Repeat(" ", 2<<20)), http.StatusRequestEntityTooLarge)
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/accounts", "{}", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
	expectStatus(t, do(t, "admin", "GET", "/api/v1/admin/accounts?limit=100000", nil), http.StatusUnprocessableEntity)
	expectStatus(t, do(t, "admin", "GET", "/api/v1/no-such-thing", nil), http.StatusNotFound)
}

// City IT onboards a kecamatan through the admin API; the operator
// provisions it and the listing shows it Ready.
func TestOnboardingThroughTheAdminAPI(t *testing.T) {
	resp := do(t, "admin", "POST", "/api/v1/admin/kecamatan", map[string]any{"code": "32.73.15", "displayName": "Bandung Kulon"})
	expectStatus(t, resp, http.StatusAccepted)
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/kecamatan", map[string]any{"code": "32.73.15", "displayName": "Lagi"}), http.StatusConflict)
	expectField(t, do(t, "admin", "POST", "/api/v1/admin/kecamatan", map[string]any{"code": "32.73.1", "displayName": "X"}), "/code")

	if err := waitFor(time.Minute, func() error {
		var page struct {
			Items []struct {
				Code           string `json:"code"`
				Ready          bool   `json:"ready"`
				KelurahanCount int    `json:"kelurahanCount"`
			} `json:"items"`
		}
		do(t, "admin", "GET", "/api/v1/admin/kecamatan", nil).json(t, &page)
		for _, k := range page.Items {
			if k.Code == "32.73.15" && k.Ready && k.KelurahanCount == 8 {
				return nil
			}
		}
		return errNotYet
	}); err != nil {
		t.Fatal("Bandung Kulon did not become Ready through the admin API")
	}
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.15/kelurahan", nil), http.StatusOK)
}

func TestWorkGoesOnWhileTheControlDatabaseIsAwayAndNoAuditEntryIsLost(t *testing.T) {
	ctx := context.Background()
	admin := adminConn(t)
	expectStatus(t, do(t, "petugas", "GET", kec("32.73.03")+"/kelurahan", nil), http.StatusOK) // signed in before
	for _, stmt := range []string{`ALTER DATABASE slrt_control WITH ALLOW_CONNECTIONS false`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'slrt_control'`} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	back := func() {
		if _, err := admin.Exec(ctx, `ALTER DATABASE slrt_control WITH ALLOW_CONNECTIONS true`); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(back)

	resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{"noKK": newKK(),
		"house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "001", "rw": "001", "street": "Jl. Holis"}},
		"X-Request-Id", "control-away-write")
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	expectStatus(t, do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), c.ID), nil,
		"X-Request-Id", "control-away-read"), http.StatusOK)
	// Signing in needs the control database: 503 naming it, not 500.
	signIn := do(t, "", "POST", "/api/v1/session", map[string]any{"username": "petugas", "password": "x"})
	expectStatus(t, signIn, http.StatusServiceUnavailable)
	if !strings.Contains(string(signIn.body), "control database") || signIn.header.Get("Retry-After") == "" {
		t.Errorf("sign-in while the control database is away: %s %v", signIn.body, signIn.header)
	}

	tenantDB, err := env.Postgres.Connect(ctx, "slrt_32_73_03")
	if err != nil {
		t.Fatal(err)
	}
	defer tenantDB.Close(ctx)
	var staged int
	if err := tenantDB.QueryRow(ctx, `SELECT count(*) FROM audit_outbox
		WHERE entry->>'requestId' IN ('control-away-write', 'control-away-read')`).Scan(&staged); err != nil || staged != 2 {
		t.Fatalf("entries waiting in the kecamatan's outbox: %d, %v; want the write's and the read's", staged, err)
	}

	back()
	control, err := env.Postgres.Connect(ctx, "slrt_control")
	if err != nil {
		t.Fatal(err)
	}
	defer control.Close(ctx)
	if err := waitFor(30*time.Second, func() error {
		var n int
		if err := control.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE request_id IN ('control-away-write', 'control-away-read')
			AND outcome = 'success'`).Scan(&n); err != nil || n != 2 {
			return errNotYet
		}
		return nil
	}); err != nil {
		var shipping []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "audit") {
				shipping = append(shipping, l)
			}
		}
		t.Fatalf("the entries did not reach the audit log once the control database was back; the API said:\n%s",
			strings.Join(shipping, "\n"))
	}
}
