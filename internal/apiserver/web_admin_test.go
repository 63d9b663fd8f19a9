package apiserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// City IT finds the kecamatan from the home page and sees each tenant's
// state as the operator reports it, and nothing of any resident; other
// roles cannot open the page.
func TestWebCityITSeesEachKecamatansState(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/"); !strings.Contains(r.body, `href="/admin/kecamatan"`) {
		t.Fatalf("no link to the kecamatan on the home page: %d %s", r.status, r.body)
	}
	r := admin.get("/admin/kecamatan")
	row := rowOf(t, r.body, "kecamatan-32.73.03")
	if r.status != http.StatusOK || !strings.Contains(row, "Babakan Ciparay") || !strings.Contains(row, `class="state-ready">Siap</span>`) {
		t.Fatalf("Babakan Ciparay's row: %d %s", r.status, row)
	}
	if !strings.Contains(r.body, `id="kecamatan-32.73.04"`) {
		t.Errorf("Bojongloa Kaler missing: %s", r.body)
	}
	for _, personal := range []string{"3273", "NIK"} {
		if strings.Contains(strings.ReplaceAll(r.body, "32.73", ""), personal) {
			t.Errorf("the admin page holds %q", personal)
		}
	}
	for _, who := range []string{"petugas", "supervisor", "dinsos"} {
		b := newBrowser(t)
		b.signIn(who)
		if r := b.get("/admin/kecamatan"); r.status != http.StatusForbidden {
			t.Errorf("%s opened city IT's page: %d", who, r.status)
		}
		if r := b.post("/admin/kecamatan", url.Values{"code": {"32.73.11"}}); r.status != http.StatusForbidden {
			t.Errorf("%s onboarded a kecamatan: %d", who, r.status)
		}
	}
}

// City IT onboards a kecamatan chosen from the reference data and watches
// it become Ready on a page that refreshes itself meanwhile; a code that
// is not a kecamatan of the reference data is refused, and onboarding the
// same one again changes nothing.
func TestWebCityITOnboardsAKecamatan(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/admin/kecamatan"); !strings.Contains(r.body, `<option value="32.73.11">32.73.11 · Regol</option>`) ||
		strings.Contains(r.body, `<option value="32.73.03">`) {
		t.Fatalf("the kecamatan to onboard are not those not onboarded yet: %s", r.body)
	}
	if r := admin.post("/admin/kecamatan", url.Values{"code": {"32.73.99"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Pilih kecamatan dari daftar data wilayah.") {
		t.Fatalf("a code not in the reference data: %d %s", r.status, r.body)
	}
	r := admin.post("/admin/kecamatan", url.Values{"code": {"32.73.11"}})
	if r.status != http.StatusSeeOther || r.location != "/admin/kecamatan?baru=32.73.11" {
		t.Fatalf("onboarding: %d %q %s", r.status, r.location, r.body)
	}
	if err := waitFor(60*time.Second, func() error {
		r = admin.get("/admin/kecamatan?baru=32.73.11")
		if !strings.Contains(r.body, `id="kecamatan-32.73.11"`) {
			// Not in the operator's cache yet: the page says so and looks again.
			if !strings.Contains(r.body, `id="onboarding"`) || !strings.Contains(r.body, `<meta http-equiv="refresh" content="5">`) {
				t.Fatalf("Regol neither listed nor announced: %s", r.body)
			}
			return errNotYet
		}
		row := rowOf(t, r.body, "kecamatan-32.73.11")
		if strings.Contains(row, `class="state-provisioning"`) {
			if !strings.Contains(r.body, `<meta http-equiv="refresh" content="5">`) {
				t.Fatalf("a kecamatan provisioning and the page does not refresh itself: %s", r.body)
			}
			return errNotYet
		}
		if !strings.Contains(row, `class="state-ready">Siap</span>`) {
			t.Fatalf("Regol's row: %s", row)
		}
		return nil
	}); err != nil {
		t.Fatalf("Regol never became Ready: %s", r.body)
	}
	if again := admin.post("/admin/kecamatan", url.Values{"code": {"32.73.11"}}); again.status != http.StatusConflict {
		t.Errorf("onboarding Regol again: %d %s", again.status, again.body)
	}

	// Suspending asks first, and says what it does.
	if !strings.Contains(r.body, `id="suspend-32.73.11"`) {
		t.Fatalf("no way to suspend Regol: %s", rowOf(t, r.body, "kecamatan-32.73.11"))
	}
	confirm := admin.get("/admin/kecamatan/32.73.11/status")
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "Tangguhkan Kecamatan Regol?") ||
		!strings.Contains(confirm.body, `name="suspended" value="true"`) {
		t.Fatalf("the confirmation: %d %s", confirm.status, confirm.body)
	}
	for _, step := range []struct{ suspended, state string }{{"true", "state-suspended"}, {"false", "state-ready"}} {
		if r := admin.post("/admin/kecamatan/32.73.11/status", url.Values{"suspended": {step.suspended}}); r.status != http.StatusSeeOther {
			t.Fatalf("suspended=%s: %d %s", step.suspended, r.status, r.body)
		}
		if err := waitFor(30*time.Second, func() error {
			if !strings.Contains(rowOf(t, admin.get("/admin/kecamatan").body, "kecamatan-32.73.11"), step.state) {
				return errNotYet
			}
			return nil
		}); err != nil {
			t.Fatalf("Regol never showed %s", step.state)
		}
	}
}

// rowOf returns the table row with the id in a page.
func rowOf(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no row %s in the page: %s", id, page)
	}
	row := page[i:]
	return row[:strings.Index(row, "</tr>")]
}

// City IT lists the staff accounts with their roles in words, from the
// home page; nothing secret is on the page, and other roles cannot open it.
func TestWebCityITListsAccountsWithTheirRoles(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/"); !strings.Contains(r.body, `href="/admin/akun"`) {
		t.Fatalf("no link to the accounts on the home page: %s", r.body)
	}
	r := admin.get("/admin/akun")
	if r.status != http.StatusOK {
		t.Fatalf("accounts: %d %s", r.status, r.body)
	}
	row := rowOf(t, r.body, "account-petugas")
	if !strings.Contains(row, "Petugas Puskesos · ") || !strings.Contains(row, `class="state-ready">Aktif</span>`) {
		t.Errorf("the petugas's row: %s", row)
	}
	if row := rowOf(t, r.body, "account-supervisor"); !strings.Contains(row, "Supervisor kecamatan · Babakan Ciparay") {
		t.Errorf("the supervisor's row: %s", row)
	}
	if strings.Contains(r.body, "argon2id") || strings.Contains(r.body, testPassword) {
		t.Errorf("a password or its hash on the page")
	}
	for _, who := range []string{"petugas", "supervisor", "auditor"} {
		b := newBrowser(t)
		b.signIn(who)
		if r := b.get("/admin/akun"); r.status != http.StatusForbidden {
			t.Errorf("%s opened the accounts: %d", who, r.status)
		}
	}
}
