package apiserver_test

import (
	"context"
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
