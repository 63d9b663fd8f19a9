package apiserver_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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
	if r.status != http.StatusOK || !strings.Contains(row, "Babakan Ciparay") || !strings.Contains(row, `class="state-ready">Siap</span>`) ||
		!strings.Contains(row, "<td>default</td>") {
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

// oneTimePasswordIn finds the one-time password a page shows.
var oneTimePasswordIn = regexp.MustCompile(`<code id="one-time-password">([a-z2-9-]+)</code>`)

func oneTimePassword(t *testing.T, r pageResp) string {
	t.Helper()
	m := oneTimePasswordIn.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("no one-time password shown: %d %s", r.status, r.body)
	}
	return m[1]
}

// City IT creates an account from the web app and hands its one-time
// password over; its holder can do nothing but set their own at the first
// sign-in; city IT grants a role chosen from lists (never typed codes),
// withdraws it, revokes a token, resets the password and disables the
// account, each seen by the holder at once.
func TestWebCityITManagesAnAccount(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/admin/akun"); !strings.Contains(r.body, `id="new-account"`) {
		t.Fatalf("no form to create an account: %s", r.body)
	}
	if r := admin.post("/admin/akun", url.Values{"username": {"Siti Rahma"}, "nama": {""}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "3 sampai 64 huruf kecil") || !strings.Contains(r.body, "Isi nama") {
		t.Fatalf("a bad username and no name: %d %s", r.status, r.body)
	}
	created := admin.post("/admin/akun", url.Values{"username": {"siti.rahma"}, "nama": {"Siti Rahma"}})
	first := oneTimePassword(t, created)
	if r := admin.post("/admin/akun", url.Values{"username": {"siti.rahma"}, "nama": {"Siti Rahma"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Nama pengguna ini sudah dipakai.") {
		t.Fatalf("the same username again: %d %s", r.status, r.body)
	}

	// The holder signs in and is sent to set a password of their own.
	siti := newBrowser(t)
	if r := siti.post("/masuk", url.Values{"username": {"siti.rahma"}, "password": {first}, "next": {"/audit"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in with the one-time password: %d %s", r.status, r.body)
	}
	if r := siti.get("/audit"); r.status != http.StatusSeeOther || r.location != "/sandi?next=%2Faudit" {
		t.Fatalf("a page before setting a password: %d %q", r.status, r.location)
	}
	if r := siti.get("/sandi?next=%2F"); r.status != http.StatusOK || !strings.Contains(r.body, `id="one-time"`) {
		t.Fatalf("the password page: %d %s", r.status, r.body)
	}
	if r := siti.post("/sandi", url.Values{"sandi_lama": {first}, "sandi_baru": {"pendek"}, "sandi_ulang": {"pendek"}, "next": {"/"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Paling sedikit 10 karakter.") {
		t.Fatalf("a short password: %d %s", r.status, r.body)
	}
	own := "gedung-sate-biru-17"
	if r := siti.post("/sandi", url.Values{"sandi_lama": {first}, "sandi_baru": {own}, "sandi_ulang": {own}, "next": {"/"}}); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("setting a password: %d %q %s", r.status, r.location, r.body)
	}
	if r := siti.get("/"); r.status != http.StatusOK || !strings.Contains(r.body, "Akun Anda belum memiliki peran") {
		t.Fatalf("home after setting a password: %d %s", r.status, r.body)
	}

	// A role chosen in two steps: the role, then where among the places of
	// its level (kelurahan of the kecamatan onboarded, by name).
	page := admin.get("/admin/akun/siti.rahma")
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="no-grants"`) || !strings.Contains(page.body, `<option value="petugas">`) {
		t.Fatalf("the account's page: %d %s", page.status, page.body)
	}
	step := admin.get("/admin/akun/siti.rahma?peran=petugas")
	if !strings.Contains(step.body, `<optgroup label="Kecamatan Babakan Ciparay">`) || !strings.Contains(step.body, `<option value="32.73.03.1001">`) {
		t.Fatalf("the kelurahan to choose from: %s", step.body)
	}
	if r := admin.post("/admin/akun/siti.rahma/peran", url.Values{"peran": {"petugas"}, "tempat": {"32.73.03"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a petugas granted a whole kecamatan: %d %s", r.status, r.body)
	}
	if r := admin.post("/admin/akun/siti.rahma/peran", url.Values{"peran": {"petugas"}, "tempat": {"32.73.03.1001"}}); r.status != http.StatusSeeOther {
		t.Fatalf("granting: %d %s", r.status, r.body)
	}
	if err := waitFor(10*time.Second, func() error {
		if r := siti.get("/"); r.location != "/kecamatan/32.73.03/keluhan" {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("the grant did not reach the holder: %v", err)
	}
	page = admin.get("/admin/akun/siti.rahma")
	grant := regexp.MustCompile(`id="grant-(\d+)"`).FindStringSubmatch(page.body)
	if grant == nil || !strings.Contains(page.body, "Petugas Puskesos · ") {
		t.Fatalf("the grant is not listed: %s", page.body)
	}
	if r := admin.post("/admin/akun/siti.rahma/peran/"+grant[1]+"/hapus", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d %s", r.status, r.body)
	}
	if r := admin.get("/admin/akun/siti.rahma"); !strings.Contains(r.body, `id="no-grants"`) {
		t.Fatalf("the grant is still listed: %s", r.body)
	}

	// A token of the holder's, revoked by city IT.
	acct, err := app.Store.AccountByUsername(t.Context(), "siti.rahma")
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := app.Store.CreateToken(t.Context(), acct.ID, "laptop kantor", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tokenRow := "token-" + strconv.FormatInt(tok.ID, 10)
	if row := rowOf(t, admin.get("/admin/akun/siti.rahma").body, tokenRow); !strings.Contains(row, "laptop kantor") || !strings.Contains(row, "Berlaku") {
		t.Fatalf("the token's row: %s", row)
	}
	if r := admin.post("/admin/akun/siti.rahma/token/"+strconv.FormatInt(tok.ID, 10)+"/cabut", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("revoking: %d %s", r.status, r.body)
	}
	if row := rowOf(t, admin.get("/admin/akun/siti.rahma").body, tokenRow); !strings.Contains(row, "Dicabut") {
		t.Fatalf("the token's row after revoking: %s", row)
	}
	if r := withToken(t, secret, "GET", "/api/v1/me", nil); r.status != http.StatusUnauthorized {
		t.Errorf("a revoked token still works: %d", r.status)
	}

	// A reset: the password the holder set stops working, a new one-time
	// one is shown once and must be replaced again.
	reset := admin.post("/admin/akun/siti.rahma/sandi", url.Values{})
	second := oneTimePassword(t, reset)
	if second == first {
		t.Fatal("the reset gave the same password")
	}
	if r := newBrowser(t).post("/masuk", url.Values{"username": {"siti.rahma"}, "password": {own}}); r.status != http.StatusUnauthorized {
		t.Fatalf("the old password after a reset: %d", r.status)
	}
	again := newBrowser(t)
	again.post("/masuk", url.Values{"username": {"siti.rahma"}, "password": {second}})
	if r := again.get("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sandi") {
		t.Fatalf("home with a reset password: %d %q", r.status, r.location)
	}

	// Disabling, confirmed first, ends the holder's session at once.
	if r := admin.get("/admin/akun/siti.rahma/status"); r.status != http.StatusOK || !strings.Contains(r.body, "Ya, nonaktifkan") {
		t.Fatalf("the confirmation: %d %s", r.status, r.body)
	}
	if r := admin.post("/admin/akun/siti.rahma/status", url.Values{"disabled": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("disabling: %d %s", r.status, r.body)
	}
	if r := admin.get("/admin/akun/siti.rahma"); !strings.Contains(r.body, `id="state">Dinonaktifkan</span>`) {
		t.Fatalf("the state after disabling: %s", r.body)
	}
	if r := again.get("/sandi"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/masuk") {
		t.Fatalf("a disabled account's session: %d %q", r.status, r.location)
	}
	for _, personal := range []string{"NIK", "3273"} {
		if strings.Contains(page.body, personal) {
			t.Errorf("the account page holds %q", personal)
		}
	}
}

// The API's one-time passwords: a reset answers one, and its holder's
// token is refused everything but who-am-I and setting a password, with a
// field code a client can act on.
func TestAPIOneTimePasswordMustBeReplaced(t *testing.T) {
	resp := do(t, "admin", "POST", "/api/v1/admin/accounts", map[string]any{"username": "asep.api", "displayName": "Asep", "oneTimePassword": true})
	expectStatus(t, resp, http.StatusCreated)
	var created struct {
		OneTimePassword    string `json:"oneTimePassword"`
		MustChangePassword bool   `json:"mustChangePassword"`
	}
	resp.json(t, &created)
	if created.OneTimePassword == "" || !created.MustChangePassword {
		t.Fatalf("created: %s", resp.body)
	}
	acct, err := app.Store.AccountByUsername(t.Context(), "asep.api")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := app.Store.CreateToken(t.Context(), acct.ID, "cli", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r := withToken(t, secret, "GET", "/api/v1/layanan", nil); r.status != http.StatusForbidden || !strings.Contains(string(r.body), `"password.must_change"`) {
		t.Fatalf("a one-time password's token reading the catalogue: %d %s", r.status, r.body)
	}
	if r := withToken(t, secret, "GET", "/api/v1/me", nil); r.status != http.StatusOK {
		t.Fatalf("who am I: %d %s", r.status, r.body)
	}
	bad := withToken(t, secret, "PUT", "/api/v1/me/password", map[string]any{"currentPassword": "salah-sekali-123", "newPassword": "asep-punya-sandi-1"})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.body), `"/currentPassword"`) {
		t.Fatalf("a wrong current password: %d %s", bad.status, bad.body)
	}
	if r := withToken(t, secret, "PUT", "/api/v1/me/password", map[string]any{"currentPassword": created.OneTimePassword, "newPassword": "asep-punya-sandi-1"}); r.status != http.StatusNoContent {
		t.Fatalf("setting a password: %d %s", r.status, r.body)
	}
	if r := withToken(t, secret, "GET", "/api/v1/layanan", nil); r.status != http.StatusOK {
		t.Fatalf("the catalogue after setting a password: %d %s", r.status, r.body)
	}
	resp = do(t, "admin", "POST", "/api/v1/admin/accounts/asep.api/password-reset", nil)
	expectStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(resp.body), `"oneTimePassword"`) {
		t.Fatalf("reset: %s", resp.body)
	}
	if r := withToken(t, secret, "GET", "/api/v1/layanan", nil); r.status != http.StatusForbidden {
		t.Fatalf("after a reset: %d %s", r.status, r.body)
	}
}

// withToken sends a request with an API token's secret.
func withToken(t *testing.T, secret, method, path string, body any) *response {
	t.Helper()
	return do(t, "", method, path, body, "Authorization", "Bearer "+secret)
}

// City IT opens a kecamatan's backups from the list, asks for one, and
// watches it complete on a page that refreshes itself meanwhile; sending
// the form twice asks once.
func TestWebCityITBacksUpAKecamatan(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/admin/kecamatan"); !strings.Contains(rowOf(t, r.body, "kecamatan-32.73.04"), `href="/admin/kecamatan/32.73.04/cadangan"`) {
		t.Fatalf("no link to Bojongloa Kaler's backups: %s", rowOf(t, r.body, "kecamatan-32.73.04"))
	}
	page := admin.get("/admin/kecamatan/32.73.04/cadangan")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Cadangan basis data Kecamatan Bojongloa Kaler") ||
		!strings.Contains(page.body, `id="backup-now"`) || !strings.Contains(page.body, "belum punya jadwal pencadangan") {
		t.Fatalf("the backups page: %d %s", page.status, page.body)
	}
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page.body)
	if key == nil {
		t.Fatal("the form has no idempotency key")
	}
	before := strings.Count(page.body, `<tr id="backup-`)
	var location string
	for range 2 {
		r := admin.post("/admin/kecamatan/32.73.04/cadangan", url.Values{"idempotency_key": {key[1]}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("backing up: %d %s", r.status, r.body)
		}
		if location != "" && r.location != location {
			t.Fatalf("the form sent again asked for another backup: %s then %s", location, r.location)
		}
		location = r.location
	}
	name := strings.TrimPrefix(location, "/admin/kecamatan/32.73.04/cadangan?diminta=")
	if err := waitFor(60*time.Second, func() error {
		r := admin.get(location)
		if !strings.Contains(r.body, `id="backup-`+name+`"`) || !strings.Contains(rowOf(t, r.body, "backup-"+name), `class="state-ready">Selesai</span>`) {
			return errNotYet
		}
		if strings.Contains(r.body, `id="refreshing"`) {
			return errNotYet
		}
		row := rowOf(t, r.body, "backup-"+name)
		if !regexp.MustCompile(`<td>[0-9.]+ [kM]B</td>`).MatchString(row) || !strings.Contains(row, "admin") {
			t.Fatalf("the completed backup's row lacks its size or who asked: %s", row)
		}
		return nil
	}); err != nil {
		t.Fatalf("the backup never completed: %s", admin.get(location).body)
	}
	if n := strings.Count(admin.get(location).body, `<tr id="backup-`); n != before+1 {
		t.Errorf("%d backups listed, want %d", n, before+1)
	}
}

// Through the API: a backup asked for with an Idempotency-Key is asked for
// once, and listed.
func TestAPICityITBacksUpAKecamatan(t *testing.T) {
	first := do(t, "admin", "POST", "/api/v1/admin/kecamatan/32.73.03/backups", nil, "Idempotency-Key", "nightly-test-1")
	expectStatus(t, first, http.StatusAccepted)
	var b struct {
		Name, Phase string
	}
	first.json(t, &b)
	again := do(t, "admin", "POST", "/api/v1/admin/kecamatan/32.73.03/backups", nil, "Idempotency-Key", "nightly-test-1")
	expectStatus(t, again, http.StatusAccepted)
	var b2 struct{ Name string }
	again.json(t, &b2)
	if b2.Name != b.Name || again.header.Get("Idempotent-Replayed") != "true" || b.Phase != "Pending" {
		t.Fatalf("first %+v, again %s (replayed %q)", b, b2.Name, again.header.Get("Idempotent-Replayed"))
	}
	list := do(t, "admin", "GET", "/api/v1/admin/kecamatan/32.73.03/backups", nil)
	expectStatus(t, list, http.StatusOK)
	if !strings.Contains(string(list.body), `"name":"`+b.Name+`"`) {
		t.Fatalf("the list lacks %s: %s", b.Name, list.body)
	}
	expectStatus(t, do(t, "admin", "GET", "/api/v1/admin/kecamatan/32.73.29/backups", nil), http.StatusNotFound)
}
