package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/slrt-id/slrt/internal/testenv"
)

// A Puskesos officer works in the web app, in Chromium, against the
// slrt-api binary: signs in, lands on the kelurahan's complaints, finds a
// resident by a spelling of the name the registry holds in the old
// spelling, records the resident's complaint, refers it to a service with
// the documents brought, finds it in the list, registers a resident the
// registry does not have, switches to English, is refused another
// kecamatan, and signs out. The koordinator then sends the referral and
// Dinkes accepts it from its inbox, which the case file shows. No
// Puskesos page shows the full NIK.
func TestPuskesosOfficerRecordsAComplaintInTheBrowser(t *testing.T) {
	// Plain HTTP on the loopback address: cookies without Secure.
	server, admin := startPlatform(t, "slrt_control_web", "--insecure-cookies")
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.08", "Cidadap"}, admin...)...)
	const password = "puskesos-hegarmanah-2026"
	mustSlrtctl(t, password+"\n", append([]string{"accounts", "create", "ujang", "--display-name", "Ujang (Puskesos Hegarmanah)"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "ujang", "petugas", "32.73.08.1001"}, admin...)...)
	waitReady(t, admin, "32.73.08")

	// The resident is in the registry already (registered through the API).
	token := strings.TrimSpace(mustSlrtctl(t, password+"\n", "login", "ujang", "--server", server))
	base := server + "/api/v1/kecamatan/32.73.08"
	hh := apiCall(t, token, "POST", base+"/keluarga", map[string]any{"noKK": "3273081504100007",
		"house": map[string]any{"kelurahan": "32.73.08.1001", "rt": "002", "rw": "004", "street": "Jl. Hegarmanah Gg. Mesjid"}}, http.StatusCreated)
	const fullNIK = "3273085506900001"
	apiCall(t, token, "POST", base+"/penduduk", map[string]any{"nik": fullNIK, "name": "Euis Soenandar",
		"birthPlace": "Bandung", "birthDate": "1990-06-15", "sex": "P", "householdId": hh["id"], "relationship": "kepala_keluarga"}, http.StatusCreated)

	ctx := browser(t)
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	// page returns the page's HTML, and holds every page to never showing
	// the full NIK.
	page := func() string {
		t.Helper()
		html := get("reading the page", chromedp.OuterHTML(chromedp.CSS("html")))
		if strings.Contains(html, fullNIK) {
			t.Fatalf("a page shows the full NIK:\n%s", html)
		}
		return html
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(stepCtx, steps...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
			t.Fatalf("%s: %v\npage:\n%s", what, err, html)
		}
	}
	id := func(s string) chromedp.ID { return chromedp.ID(s) }

	do("signing in",
		chromedp.Navigate(server+"/"),
		chromedp.WaitVisible(id("username")),
		chromedp.SendKeys(id("username"), "ujang"),
		chromedp.SendKeys(id("password"), password),
		chromedp.Click(id("login")),
		chromedp.WaitVisible(id("empty")),
	)
	if location, html := get("location", chromedp.Location()), page(); !strings.HasSuffix(location, "/kecamatan/32.73.08/keluhan") ||
		!strings.Contains(html, "Belum ada keluhan.") {
		t.Fatalf("after signing in: %s\n%s", location, html)
	}

	do("finding the resident",
		chromedp.Click(id("new")),
		chromedp.WaitVisible(id("name")),
		chromedp.SetValue(id("name"), "Euis Sunandar"),
		chromedp.Click(id("search")),
		chromedp.WaitVisible(id("found")),
	)
	if location, html := get("location", chromedp.Location()), page(); !strings.Contains(html, "Euis Soenandar") ||
		!strings.Contains(html, "3273••••••••0001") || strings.Contains(location, "Euis") {
		t.Fatalf("search: %s\n%s", location, html)
	}

	const need = "Tidak mampu membayar iuran BPJS sejak suami sakit."
	do("recording the complaint",
		chromedp.Click(chromedp.CSS("#found a.button")),
		chromedp.WaitVisible(id("description")),
		chromedp.SetValue(id("category"), "IURAN_BPJS"),
		chromedp.SetValue(id("urgency"), "segera"),
		chromedp.SetValue(id("description"), need),
		chromedp.Click(id("save")),
		chromedp.WaitVisible(id("saved")),
	)
	if got, html := get("description", chromedp.Text(id("description"))), page(); got != need || !strings.Contains(html, "Segera") ||
		!strings.Contains(html, "Baru") {
		t.Fatalf("the case file: %q\n%s", got, html)
	}

	do("referring to a service",
		chromedp.SetValue(id("service"), "PBI_JK"),
		chromedp.Click(id("choose-service")),
		chromedp.WaitVisible(id("refer")),
		chromedp.Click(chromedp.CSS(`input[name="documents"][value="KTP"]`)),
		chromedp.Click(id("refer")),
		chromedp.WaitVisible(id("referred")),
	)
	if html := page(); !strings.Contains(html, "PBI") || !strings.Contains(html, "Draf") {
		t.Fatalf("the referral on the case file:\n%s", html)
	}
	caseFile, _, _ := strings.Cut(get("location", chromedp.Location()), "?")

	do("the list", chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan"), chromedp.WaitVisible(id("complaints")))
	if html := page(); !strings.Contains(html, "Euis Soenandar") || !strings.Contains(html, "Datang langsung") {
		t.Fatalf("the list lacks the complaint:\n%s", html)
	}

	do("registering a resident the registry does not have",
		chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan/baru"),
		chromedp.WaitVisible(id("name")),
		chromedp.SetValue(id("name"), "Imas Masitoh"),
		chromedp.Click(id("search")),
		chromedp.WaitVisible(id("no-match")),
		chromedp.Click(id("register-link")),
		chromedp.WaitVisible(id("no_kk")),
		chromedp.SetValue(id("no_kk"), "3273081504100008"),
		chromedp.SetValue(id("rt"), "5"),
		chromedp.SetValue(id("rw"), "2"),
		chromedp.SetValue(id("alamat"), "Jl. Ciumbuleuit Gg. Sukaresmi 4"),
		chromedp.SetValue(id("nik"), "3273084505750002"),
		chromedp.SetValue(id("nama"), "Imas Masitoh"),
		chromedp.SetValue(id("tempat_lahir"), "Garut"),
		chromedp.SetValue(id("tanggal_lahir"), "1975-05-05"),
		chromedp.SetValue(id("jenis_kelamin"), "P"),
		chromedp.Click(id("register")),
		chromedp.WaitVisible(id("description")),
	)
	if resident := get("resident", chromedp.Text(id("resident"))); resident != "Imas Masitoh" {
		t.Fatalf("after registering, the complaint form is for %q", resident)
	}

	do("the list again", chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan"), chromedp.WaitVisible(id("complaints")))
	do("English", chromedp.Click(id("lang")), chromedp.WaitVisible(id("complaints")))
	if heading, html := get("heading", chromedp.Text(chromedp.CSS("h1"))), page(); heading != "Complaints" || !strings.Contains(html, "Walk-in") {
		t.Fatalf("in English: %q\n%s", heading, html)
	}

	do("another kecamatan", chromedp.Navigate(server+"/kecamatan/32.73.04/keluhan"), chromedp.WaitVisible(id("error")))
	if refusal := get("refusal", chromedp.Text(id("error"))); refusal != "Your roles do not allow this here." {
		t.Fatalf("another kecamatan: %q", refusal)
	}

	do("signing out",
		chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan"),
		chromedp.WaitVisible(id("logout")),
		chromedp.Click(id("logout")),
		chromedp.WaitVisible(id("username")),
		chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan"),
		chromedp.WaitVisible(id("username")),
	)
	if location := get("location", chromedp.Location()); !strings.Contains(location, "/masuk?next=") {
		t.Fatalf("after signing out the list is at %s", location)
	}

	// The loop closes: the koordinator sends the referral, Dinkes accepts it
	// from its inbox, and the Puskesos case file shows it accepted.
	for _, a := range [][3]string{{"asep", "koordinator", "32.73.08.1001"}, {"rina", "agency", "agency:DINKES"}} {
		mustSlrtctl(t, password+"\n", append([]string{"accounts", "create", a[0], "--display-name", a[0]}, admin...)...)
		mustSlrtctl(t, "", append([]string{"grants", "add", a[0], a[1], a[2]}, admin...)...)
	}
	signIn := func(username string) {
		t.Helper()
		do("signing in as "+username,
			chromedp.Navigate(server+"/masuk"),
			chromedp.WaitVisible(id("username")),
			chromedp.SendKeys(id("username"), username),
			chromedp.SendKeys(id("password"), password),
			chromedp.Click(id("login")),
			chromedp.WaitVisible(id("logout")),
		)
	}
	signIn("asep")
	do("sending the referral",
		chromedp.Navigate(caseFile),
		chromedp.WaitVisible(chromedp.CSS("button.send")),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(id("sent")),
		chromedp.Click(id("logout")),
		chromedp.WaitVisible(id("username")),
	)
	signIn("rina")
	do("accepting it in the inbox",
		chromedp.Navigate(server+"/"),
		chromedp.WaitVisible(id("inbox")),
		// Other tests of this package share the control plane: their
		// kecamatan's referrals to Dinkes are in the inbox too.
		chromedp.Click(chromedp.CSS(`#inbox a[href*="/32.73.08/"]`)),
		chromedp.WaitVisible(id("to-accepted")),
		chromedp.Click(id("to-accepted")),
		chromedp.WaitVisible(id("moved")),
	)
	if status := get("status", chromedp.Text(id("status"))); status != "Accepted by the agency" && status != "Diterima instansi" {
		t.Fatalf("after accepting: %q", status)
	}
	do("signing out of Dinkes", chromedp.Click(id("logout")), chromedp.WaitVisible(id("username")))
	signIn("ujang")
	do("the case file after", chromedp.Navigate(caseFile), chromedp.WaitVisible(id("referrals")))
	if html := page(); !strings.Contains(html, "Accepted by the agency") && !strings.Contains(html, "Diterima instansi") {
		t.Fatalf("the Puskesos case file after Dinkes accepted:\n%s", html)
	}

	// Dinas Sosial brings in an office's CSV: a preview first, then the load.
	mustSlrtctl(t, password+"\n", append([]string{"accounts", "create", "dewi", "--display-name", "Dewi (Dinsos)"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "dewi", "dinsos", "32.73"}, admin...)...)
	extract := filepath.Join(t.TempDir(), "usulan-cidadap.csv")
	if err := os.WriteFile(extract, []byte("NO KK;NIK;NAMA;TEMPAT LAHIR;TGL LAHIR;JK;SHDK;KODE KELURAHAN;RT;RW;ALAMAT\n"+
		"3273081504100009;3273081203800009;Odang Supriatna;Bandung;12-03-1980;Laki-laki;Kepala Keluarga;32.73.08.1001;2;4;Jl. Hegarmanah 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	do("signing out of the Puskesos", chromedp.Click(id("logout")), chromedp.WaitVisible(id("username")))
	signIn("dewi")
	do("previewing the import",
		chromedp.Navigate(server+"/kecamatan/32.73.08/keluhan"),
		chromedp.Click(id("import-link")),
		chromedp.WaitVisible(id("berkas")),
		chromedp.SetUploadFiles(id("berkas"), []string{extract}),
		chromedp.Click(id("preview-button")),
		chromedp.WaitVisible(id("preview")),
	)
	if persons := get("persons", chromedp.Text(id("persons"))); persons != "1 baru, 0 diubah" && persons != "1 new, 0 changed" {
		t.Fatalf("the preview's persons: %q", persons)
	}
	do("loading it",
		chromedp.SetUploadFiles(id("berkas"), []string{extract}),
		chromedp.Click(id("load-button")),
		chromedp.WaitVisible(id("loaded")),
	)
}

// browser starts a headless Chromium for the test (Debian's, installed by
// make chromium; SLRT_TEST_CHROMIUM names another), with a fresh profile
// and nothing that reaches out to the network.
func browser(t *testing.T) context.Context {
	t.Helper()
	return testenv.Browser(t, 2*time.Minute)
}
