package apiserver_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browserClient is what a browser does to the web app: cookies kept,
// redirects seen rather than followed, pages asked for.
type browserClient struct {
	t    *testing.T
	c    *http.Client
	csrf string // from the last page's forms
}

type pageResp struct {
	status   int
	body     string
	location string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browserClient) send(method, path string, form url.Values, headers ...string) pageResp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, api.URL+path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(data)); m != nil {
		b.csrf = m[1]
	}
	return pageResp{resp.StatusCode, string(data), resp.Header.Get("Location")}
}

func (b *browserClient) get(path string) pageResp { return b.send("GET", path, nil) }

// post submits a form with the session's CSRF token, as the page's form
// would.
func (b *browserClient) post(path string, form url.Values, headers ...string) pageResp {
	if b.csrf != "" && form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf)
	}
	return b.send("POST", path, form, headers...)
}

func (b *browserClient) signIn(username string) {
	b.t.Helper()
	if r := b.post("/masuk", url.Values{"username": {username}, "password": {testPassword}}); r.status != http.StatusSeeOther {
		b.t.Fatalf("sign-in as %s: %d %s", username, r.status, r.body)
	}
}

// Signing in through the form: a wrong password says so on the page; the
// page asked for before signing in is where one lands after; a "next" that
// points at another site lands on the home page instead.
func TestWebSignIn(t *testing.T) {
	b := newBrowser(t)
	r := b.get("/kecamatan/32.73.03/keluhan")
	if r.status != http.StatusSeeOther || r.location != "/masuk?next=%2Fkecamatan%2F32.73.03%2Fkeluhan" {
		t.Fatalf("a page without signing in: %d %q", r.status, r.location)
	}
	r = b.post("/masuk", url.Values{"username": {"supervisor"}, "password": {"bukan-kata-sandinya"}, "next": {"/kecamatan/32.73.03/keluhan"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Nama pengguna atau kata sandi salah.") {
		t.Fatalf("wrong password: %d %s", r.status, r.body)
	}
	r = b.post("/masuk", url.Values{"username": {"supervisor"}, "password": {testPassword}, "next": {"/kecamatan/32.73.03/keluhan"}})
	if r.status != http.StatusSeeOther || r.location != "/kecamatan/32.73.03/keluhan" {
		t.Fatalf("sign-in: %d %q", r.status, r.location)
	}
	if r = b.get("/kecamatan/32.73.03/keluhan"); r.status != http.StatusOK || !strings.Contains(r.body, "Kecamatan Babakan Ciparay") {
		t.Fatalf("the list after signing in: %d %s", r.status, r.body)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		r = newBrowserSignedIn(t, "supervisor", next)
		if r.location != "/" {
			t.Errorf("next=%q sent the user to %q", next, r.location)
		}
	}
}

func newBrowserSignedIn(t *testing.T, username, next string) pageResp {
	return newBrowser(t).post("/masuk", url.Values{"username": {username}, "password": {testPassword}, "next": {next}})
}

// Recording a complaint through the form: a missing description is shown
// next to the field and records nothing; submitting the same form twice
// (a double click, a retry) records one complaint; its case file is shown,
// and reading it is audited.
func TestWebComplaintIntake(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Cucu Komariah", "P", "1961-03-04", "kepala_keluarga"})
	b := newBrowser(t)
	b.signIn("petugas")
	r := b.get("/kecamatan/32.73.03/keluhan/baru?penduduk=" + jsonNum(float64(person)))
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || key == nil || !strings.Contains(r.body, "Cucu Komariah") {
		t.Fatalf("the form: %d %s", r.status, r.body)
	}
	description := "Rumah bocor, butuh bantuan RTLH " + key[1][:6]
	form := func(description string) url.Values {
		return url.Values{"person": {jsonNum(float64(person))}, "category": {"RTLH"}, "channel": {"kunjungan_rumah"},
			"urgency": {"biasa"}, "description": {description}, "idempotency_key": {key[1]}}
	}
	r = b.post("/kecamatan/32.73.03/keluhan", form(""))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Wajib diisi.") || !strings.Contains(r.body, "Cucu Komariah") {
		t.Fatalf("without a description: %d %s", r.status, r.body)
	}
	first := b.post("/kecamatan/32.73.03/keluhan", form(description))
	again := b.post("/kecamatan/32.73.03/keluhan", form(description))
	if first.status != http.StatusSeeOther || again.status != http.StatusSeeOther || first.location != again.location {
		t.Fatalf("submitted twice: %d %q, %d %q", first.status, first.location, again.status, again.location)
	}
	var list struct {
		Items []struct {
			ID     int64 `json:"id"`
			Person struct {
				ID int64 `json:"id"`
			} `json:"person"`
		} `json:"items"`
	}
	do(t, "petugas", "GET", kec("32.73.03")+"/keluhan?limit=200", nil).json(t, &list)
	recorded := 0
	for _, c := range list.Items {
		if c.Person.ID == person {
			recorded++
		}
	}
	if recorded != 1 {
		t.Fatalf("%d complaints recorded for the resident, want 1", recorded)
	}
	r = b.get(first.location)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Keluhan tersimpan.") || !strings.Contains(r.body, description) ||
		!strings.Contains(r.body, "Kunjungan rumah") {
		t.Fatalf("the case file: %d %s", r.status, r.body)
	}
	expectAudited(t, "petugas", "GET /kecamatan/{code}/keluhan/{id}", "")
}

// Forms are refused when the browser says another site sent them, and
// without the session's CSRF token; refusals are pages for a browser and
// problem documents for an API client.
func TestWebRefusesForeignFormsAndAnswersBrowsersWithPages(t *testing.T) {
	b := newBrowser(t)
	b.signIn("petugas")
	b.get("/kecamatan/32.73.03/keluhan/baru")
	search := url.Values{"name": {"Asep"}}
	if r := b.post("/kecamatan/32.73.03/keluhan/baru", search, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("a form from another site: %d", r.status)
	}
	if r := b.send("POST", "/kecamatan/32.73.03/keluhan/baru", url.Values{"name": {"Asep"}}); r.status != http.StatusForbidden {
		t.Errorf("a form without the CSRF token: %d", r.status)
	}
	if r := b.post("/kecamatan/32.73.03/keluhan/baru", url.Values{"name": {"Asep"}}); r.status != http.StatusOK {
		t.Errorf("the same form from the page: %d %s", r.status, r.body)
	}

	r := b.get("/kecamatan/32.73.04/keluhan")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Peran Anda tidak mengizinkan ini di sini.") {
		t.Errorf("another kecamatan, as a browser: %d %s", r.status, r.body)
	}
	resp := do(t, "petugas", "GET", "/kecamatan/32.73.04/keluhan", nil)
	if resp.status != http.StatusForbidden || resp.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("another kecamatan, as an API client: %d %s", resp.status, resp.header.Get("Content-Type"))
	}
	if r := b.get("/?lang=en"); r.status != http.StatusSeeOther {
		t.Fatalf("choosing English: %d", r.status)
	}
	if r := b.get("/kecamatan/32.73.03/keluhan"); !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, "Record a new complaint") {
		t.Errorf("in English: %s", r.body)
	}
}

// Referring from the case file: the service first, then its documents;
// the draft shows with its letter; a double submit makes one referral; a
// petugas cannot send it, the koordinator can, from the same page.
func TestWebReferralFromTheCaseFile(t *testing.T) {
	_, complaint := newCase(t)
	caseFile := "/kecamatan/32.73.03/keluhan/" + jsonNum(float64(complaint))
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	r := petugas.get(caseFile + "?layanan=PBI_JK")
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || key == nil || !strings.Contains(r.body, `value="KTP"`) {
		t.Fatalf("the referral form: %d %s", r.status, r.body)
	}
	form := func() url.Values {
		return url.Values{"service": {"PBI_JK"}, "documents": {"KTP", "KK"}, "idempotency_key": {key[1]}}
	}
	first := petugas.post(caseFile+"/rujukan", form())
	again := petugas.post(caseFile+"/rujukan", form())
	if first.status != http.StatusSeeOther || first.location != caseFile+"?dirujuk=1" || again.location != first.location {
		t.Fatalf("referring twice: %d %q, %d %q", first.status, first.location, again.status, again.location)
	}
	r = petugas.get(first.location)
	if !strings.Contains(r.body, "Draf") || !strings.Contains(r.body, "<td>Dinas Kesehatan Kota Bandung</td>") ||
		strings.Contains(r.body, "/surat") || strings.Contains(r.body, "Kirim ke instansi") ||
		!strings.Contains(r.body, "dikirim ke instansi oleh koordinator") {
		t.Fatalf("the petugas's case file after referring: %s", r.body)
	}
	koordinator := newBrowser(t)
	koordinator.signIn("koordinator")
	r = koordinator.get(caseFile)
	sendForms := regexp.MustCompile(`action="(/kecamatan/32\.73\.03/rujukan/[0-9]+/kirim)"`).FindAllStringSubmatch(r.body, -1)
	if len(sendForms) != 1 {
		t.Fatalf("the koordinator's case file has %d referrals to send: %s", len(sendForms), r.body)
	}
	send := sendForms[0][1]
	if r := petugas.post(send, url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("a petugas sending: %d", r.status)
	}
	r = koordinator.post(send, url.Values{})
	if r.status != http.StatusSeeOther || r.location != caseFile+"?terkirim=1" {
		t.Fatalf("sending: %d %q", r.status, r.location)
	}
	r = koordinator.get(r.location)
	letter := regexp.MustCompile(`href="(/api/v1/kecamatan/32\.73\.03/rujukan/[0-9]+/surat)"`).FindStringSubmatch(r.body)
	if !strings.Contains(r.body, "Rujukan dikirim ke instansi.") || !strings.Contains(r.body, "Dikirim ke instansi") || letter == nil {
		t.Fatalf("after sending: %s", r.body)
	}
	if pdf := petugas.get(letter[1]); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("the letter through the session: %d %.40q", pdf.status, pdf.body)
	}
}

// Registering a resident the search did not find: the form is checked by
// the import's rules and says what is wrong in Indonesian, loading
// nothing; a good form registers the household with its head and goes on
// to the complaint; a No KK twice is refused next to its field; a NIK
// another kecamatan holds needs the move acknowledged.
func TestWebRegistersAHouseholdAndItsHead(t *testing.T) {
	b := newBrowser(t)
	b.signIn("petugas")
	r := b.get("/kecamatan/32.73.03/keluarga/baru")
	if r.status != http.StatusOK || !strings.Contains(r.body, `value="32.73.03.1001"`) || strings.Contains(r.body, `value="32.73.03.1002"`) {
		t.Fatalf("the form offers other kelurahan than the petugas's: %d %s", r.status, r.body)
	}
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	kk, head := newKK(), newNIK("P", "1975-05-05")
	form := func(nik, rt, key string) url.Values {
		return url.Values{"no_kk": {kk}, "kelurahan": {"32.73.03.1001"}, "rt": {rt}, "rw": {"7"}, "alamat": {"Jl. Cibaduyut Gg. Bakti 3"},
			"nik": {nik}, "nama": {"Imas Masitoh"}, "tempat_lahir": {"Garut"}, "tanggal_lahir": {"1975-05-05"}, "jenis_kelamin": {"P"},
			"idempotency_key": {key}}
	}
	r = b.post("/kecamatan/32.73.03/keluarga", form(newNIK("L", "1975-05-05"), "12345", key))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "NIK tidak cocok dengan jenis kelamin") ||
		!strings.Contains(r.body, "RT paling banyak 3 digit.") || !strings.Contains(r.body, "Imas Masitoh") {
		t.Fatalf("a bad form: %d %s", r.status, r.body)
	}
	if found := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"name": "Imas Masitoh"}); strings.Contains(string(found.body), `"id"`) {
		t.Fatalf("a refused form registered someone: %s", found.body)
	}
	r = b.post("/kecamatan/32.73.03/keluarga", form(head, "3", key))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/kecamatan/32.73.03/keluhan/baru?penduduk=") {
		t.Fatalf("registering: %d %q %s", r.status, r.location, r.body)
	}
	if next := b.get(r.location); !strings.Contains(next.body, "Imas Masitoh") || !strings.Contains(next.body, `id="description"`) {
		t.Fatalf("on to the complaint: %s", next.body)
	}
	r = b.post("/kecamatan/32.73.03/keluarga", form(newNIK("P", "1975-05-05"), "3", key+"2"))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Nomor KK ini sudah terdaftar di kecamatan ini.") {
		t.Fatalf("the same No KK again: %d %s", r.status, r.body)
	}

	// A resident registered in Bojongloa Kaler who moved to Babakan Ciparay.
	hhBK, _ := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	_, moved := registerPerson(t, "petugas-bk", "32.73.04", hhBK, personSpec{"Dede Kurniawan", "L", "1988-08-08", "kepala_keluarga"})
	kk = newKK()
	movedForm := url.Values{"no_kk": {kk}, "kelurahan": {"32.73.03.1001"}, "rt": {"1"}, "rw": {"1"}, "alamat": {"Jl. Holis 10"},
		"nik": {moved}, "nama": {"Dede Kurniawan"}, "tempat_lahir": {"Bandung"}, "tanggal_lahir": {"1988-08-08"}, "jenis_kelamin": {"L"},
		"idempotency_key": {key + "3"}}
	r = b.post("/kecamatan/32.73.03/keluarga", movedForm)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "terdaftar di kecamatan 32.73.04") || !strings.Contains(r.body, `name="pindahan"`) {
		t.Fatalf("a NIK held elsewhere: %d %s", r.status, r.body)
	}
	movedForm.Set("pindahan", "ya")
	movedForm.Set("idempotency_key", key+"4")
	if r = b.post("/kecamatan/32.73.03/keluarga", movedForm); r.status != http.StatusSeeOther {
		t.Fatalf("the move acknowledged: %d %s", r.status, r.body)
	}
}

// The receiving agency works its inbox in the browser: Dinkes staff land
// on the referrals sent to Dinkes from every kecamatan, open one (the
// resident's shared fields only; the read audited), accept it, start it,
// and complete it with the result, which the Puskesos case file then
// shows; another agency's inbox is refused.
func TestWebAgencyInbox(t *testing.T) {
	_, complaint := newCase(t)
	ref, tracking := newReferral(t, complaint, "PBI_JK", "KTP")
	expectStatus(t, do(t, "koordinator", "POST", kec("32.73.03")+"/rujukan/"+jsonNum(float64(ref))+"/status",
		map[string]any{"status": "requested"}), http.StatusOK)

	b := newBrowser(t)
	b.signIn("dinkes")
	if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/instansi/DINKES/rujukan" {
		t.Fatalf("Dinkes's home: %d %q", r.status, r.location)
	}
	r := b.get("/instansi/DINKES/rujukan?status=requested")
	detail := "/instansi/DINKES/rujukan/32.73.03/" + jsonNum(float64(ref))
	if r.status != http.StatusOK || !strings.Contains(r.body, tracking) || !strings.Contains(r.body, `href="`+detail+`"`) {
		t.Fatalf("the inbox: %d %s", r.status, r.body)
	}
	r = b.get(detail)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Asep Sunandar") || strings.Contains(r.body, "Pekerjaan") ||
		!strings.Contains(r.body, `id="to-accepted"`) || !strings.Contains(r.body, `id="to-rejected"`) {
		t.Fatalf("the referral: %d %s", r.status, r.body)
	}
	expectAudited(t, "dinkes", "GET /instansi/{agency}/rujukan/{code}/{id}", "")
	for _, step := range []url.Values{{"status": {"accepted"}}, {"status": {"in-progress"}},
		{"status": {"completed"}, "reason": {"Terdaftar PBI-JK APBD mulai bulan depan"}}} {
		r = b.post(detail+"/status", step)
		if r.status != http.StatusSeeOther || r.location != detail+"?diubah=1" {
			t.Fatalf("%s: %d %q %s", step.Get("status"), r.status, r.location, r.body)
		}
	}
	if r = b.get(detail + "?diubah=1"); !strings.Contains(r.body, "Status rujukan diperbarui.") || strings.Contains(r.body, `id="to-`) {
		t.Errorf("after completing: %s", r.body)
	}
	if r := b.post(detail+"/status", url.Values{"status": {"rejected"}}); r.status != http.StatusConflict {
		t.Errorf("rejecting a completed referral: %d", r.status)
	}
	if r := b.get("/instansi/DISDIK/rujukan"); r.status != http.StatusForbidden {
		t.Errorf("another agency's inbox: %d", r.status)
	}
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	if r := petugas.get("/kecamatan/32.73.03/keluhan/" + jsonNum(float64(complaint))); !strings.Contains(r.body, "Selesai") {
		t.Errorf("the Puskesos case file after the agency completed: %s", r.body)
	}
}

// Assessing a case, following it up and closing it from its file: the
// petugas assesses it and records a home visit (a double submit records
// one); the petugas has no close form and is refused; the koordinator
// cannot close while a referral is open (the page names it); the petugas
// cancels the draft referral with a reason; the koordinator closes the
// case.
func TestWebFollowUpAndClose(t *testing.T) {
	_, complaint := newCase(t)
	ref, tracking := newReferral(t, complaint, "PBI_JK")
	caseFile := "/kecamatan/32.73.03/keluhan/" + jsonNum(float64(complaint))
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	r := petugas.get(caseFile)
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(r.body)
	if key == nil || !strings.Contains(r.body, `id="followup-save"`) || strings.Contains(r.body, `id="close"`) {
		t.Fatalf("the petugas's case file: %s", r.body)
	}
	// The assessment: documents held (an unknown code is dropped), the
	// service recommended; the registry's facts come from the household.
	r = petugas.post(caseFile+"/asesmen", url.Values{"documents": {"KTP", "KK", "BUKAN_DOKUMEN"}, "service": {"PBI_JK"}, "notes": {"Belum punya SKTM"}})
	if r.status != http.StatusSeeOther || r.location != caseFile+"?dikaji=1" {
		t.Fatalf("assessing: %d %q %s", r.status, r.location, r.body)
	}
	if r = petugas.get(r.location); !strings.Contains(r.body, "Asesmen tersimpan.") || !strings.Contains(r.body, "KTP, KK") ||
		strings.Contains(r.body, "BUKAN_DOKUMEN") || !strings.Contains(r.body, "<td>Pendaftaran PBI-JK / KIS (APBN atau APBD)</td>") ||
		!strings.Contains(r.body, "Dikaji") {
		t.Fatalf("after assessing: %s", r.body)
	}
	if r = petugas.post(caseFile+"/asesmen", url.Values{"service": {"TIDAK_ADA"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown service: %d", r.status)
	}
	visit := url.Values{"kind": {"kunjungan_rumah"}, "note": {"Rumah dikunjungi, atap bocor di dua titik"}, "idempotency_key": {key[1]}}
	for range 2 {
		if r = petugas.post(caseFile+"/tindak-lanjut", visit); r.status != http.StatusSeeOther || r.location != caseFile+"?dicatat=1" {
			t.Fatalf("recording the visit: %d %q %s", r.status, r.location, r.body)
		}
	}
	if r = petugas.get(caseFile + "?dicatat=1"); strings.Count(r.body, "Rumah dikunjungi, atap bocor") != 1 || !strings.Contains(r.body, "Tindak lanjut tercatat.") {
		t.Fatalf("the follow-ups: %s", r.body)
	}
	if r = petugas.post(caseFile+"/tutup", url.Values{"outcome": {"selesai_di_kelurahan"}}); r.status != http.StatusForbidden {
		t.Errorf("a petugas closing: %d", r.status)
	}

	koordinator := newBrowser(t)
	koordinator.signIn("koordinator")
	if r = koordinator.get(caseFile); !strings.Contains(r.body, `id="close"`) {
		t.Fatalf("the koordinator's case file: %s", r.body)
	}
	r = koordinator.post(caseFile+"/tutup", url.Values{"outcome": {"selesai_di_kelurahan"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, tracking) {
		t.Fatalf("closing with a referral open: %d %s", r.status, r.body)
	}
	// A draft is cancelled by any Puskesos staff, with the reason.
	cancel := "/kecamatan/32.73.03/rujukan/" + jsonNum(float64(ref)) + "/batal"
	if r = petugas.post(cancel, url.Values{}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("cancelling without a reason: %d", r.status)
	}
	if r = petugas.post(cancel, url.Values{"reason": {"warga sudah terdaftar PBI"}}); r.status != http.StatusSeeOther || r.location != caseFile+"?dibatalkan=1" {
		t.Fatalf("cancelling: %d %q %s", r.status, r.location, r.body)
	}
	if r = petugas.get(r.location); !strings.Contains(r.body, "Rujukan dibatalkan.") || !strings.Contains(r.body, "<td>Dibatalkan") {
		t.Fatalf("after cancelling: %s", r.body)
	}
	r = koordinator.post(caseFile+"/tutup", url.Values{"outcome": {"selesai_di_kelurahan"}, "note": {"Diselesaikan lurah"}})
	if r.status != http.StatusSeeOther || r.location != caseFile+"?ditutup=1" {
		t.Fatalf("closing: %d %q %s", r.status, r.location, r.body)
	}
	if r = koordinator.get(r.location); !strings.Contains(r.body, "Keluhan ditutup.") || !strings.Contains(r.body, "Selesai di kelurahan") ||
		strings.Contains(r.body, `id="followup-save"`) || strings.Contains(r.body, `id="close"`) {
		t.Errorf("the closed case: %s", r.body)
	}
}

// Reports as pages: Dinas Sosial reads the city's counts with small cells
// hidden and downloads the same as CSV; the Puskesos reads its
// kecamatan's counts, not the city's; every heading and column has its
// words; a bad date is refused.
func TestWebReports(t *testing.T) {
	newCase(t) // at least one complaint in the range
	dinsos := newBrowser(t)
	dinsos.signIn("dinsos")
	if r := dinsos.get("/"); !strings.Contains(r.body, `href="/laporan"`) || !strings.Contains(r.body, `href="/kecamatan/32.73.03/keluhan"`) ||
		strings.Contains(r.body, `href="/kecamatan/32.73.08/keluhan"`) {
		t.Fatalf("Dinsos's home: the city report and the onboarded kecamatan only: %s", r.body)
	}
	r := dinsos.get("/laporan")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Keluhan per kategori dan saluran") || !strings.Contains(r.body, "Babakan Ciparay") ||
		!strings.Contains(r.body, "<td>Datang langsung</td>") ||
		!strings.Contains(r.body, "&lt;5") || !strings.Contains(r.body, "disembunyikan") {
		t.Fatalf("the city report: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "reportcol.") || strings.Contains(r.body, ">report.") {
		t.Errorf("a heading without words: %s", r.body)
	}
	csvLink := regexp.MustCompile(`href="(/api/v1/laporan\?[^"]+)" id="csv"`).FindStringSubmatch(r.body)
	if csvLink == nil {
		t.Fatalf("no CSV link: %s", r.body)
	}
	if dl := dinsos.get(strings.ReplaceAll(csvLink[1], "&amp;", "&")); dl.status != http.StatusOK || !strings.HasPrefix(dl.body, "tabel,kecamatan,kelurahan") {
		t.Errorf("the CSV download: %d %.80q", dl.status, dl.body)
	}
	if r := dinsos.get("/laporan?from=kemarin"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a bad date: %d", r.status)
	}

	petugas := newBrowser(t)
	petugas.signIn("petugas")
	if r := petugas.get("/kecamatan/32.73.03/laporan"); r.status != http.StatusOK || !strings.Contains(r.body, "Kecamatan Babakan Ciparay") ||
		strings.Contains(r.body, "disembunyikan") {
		t.Errorf("the kecamatan report: %d %s", r.status, r.body)
	}
	// Each table with counts has its bar chart, drawn on the server and
	// named for screen readers, beside the table.
	supervisor := newBrowser(t)
	supervisor.signIn("supervisor")
	kecReport := supervisor.get("/kecamatan/32.73.03/laporan")
	if !regexp.MustCompile(`<figure class="chart"><svg viewBox="0 0 400 \d+" role="img" aria-label="[^"]+"`).MatchString(kecReport.body) ||
		!strings.Contains(kecReport.body, `<rect x="0" y="18"`) || strings.Contains(kecReport.body, "<script") {
		t.Errorf("the kecamatan report has no chart: %s", kecReport.body)
	}
	if r := petugas.get("/laporan"); r.status != http.StatusForbidden {
		t.Errorf("a petugas reading the city report: %d", r.status)
	}
}
