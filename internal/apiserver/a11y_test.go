package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/testenv"
)

// visit is a page opened as the role that uses it.
type visit struct {
	who  string // "" for anonymous
	path string
}

// axeRules are the WCAG 2.1 A and AA rules of axe-core.
const axeRules = `["wcag2a","wcag2aa","wcag21a","wcag21aa"]`

// maxPageBytes bounds a page's HTML and stylesheet on the wire.
const maxPageBytes = 60 << 10

// Every page of the web app, opened in Chromium as the role that uses it,
// with data (a list of 50 complaints), in Bahasa Indonesia and English, at
// a phone's 360 and a desktop's 1280 pixels: axe-core finds no WCAG 2.1 A
// or AA violation, no page is wider than the screen, and no page weighs
// over 60 KB of HTML and CSS. The list
// of pages is the router's: a new page without a visit here fails. A
// screenshot of each is written to the folder the test logs.
func TestEveryPagePassesAnAccessibilityAudit(t *testing.T) {
	visits := pageVisits(t)
	var routes []string
	_ = chi.Walk(app.Handler.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet && app.Handler.IsPage(method+" "+route) && route != "/static/app.css" {
			routes = append(routes, route)
		}
		return nil
	})
	// The residents' page, served beside the API, the error page, and a
	// proposal as Dinas Sosial sees it to verify.
	routes = append(routes, "/lacak/{trackingCode}", "(error page)", "(proposal to verify)")
	for _, route := range routes {
		if _, ok := visits[route]; !ok {
			t.Errorf("page %s has no visit: add who opens it, and where, to pageVisits", route)
		}
	}

	shots := os.Getenv("SLRT_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	axe := testenv.Axe(t)
	ctx := testenv.Browser(t, 10*time.Minute)
	byWho := map[string][]string{}
	for _, route := range routes {
		if v, ok := visits[route]; ok {
			byWho[v.who] = append(byWho[v.who], route)
		}
	}
	for who, rs := range byWho {
		slices.Sort(rs)
		browseAs(t, ctx, who)
		for _, route := range rs {
			path := visits[route].path
			weighPage(t, who, path)
			for _, lang := range []string{"id", "en"} {
				for _, width := range []int64{360, 1280} {
					name := fmt.Sprintf("%s-%s-%d", strings.NewReplacer("/", "_", "{", "", "}", "", "(", "", ")", "", " ", "-").Replace(strings.TrimPrefix(route, "/")), lang, width)
					if name[0] == '-' {
						name = "beranda" + name
					}
					audit(t, ctx, axe, path, lang, width, filepath.Join(shots, name+".png"))
				}
			}
		}
	}

	// A form sent back with what its checks refused passes too, and each
	// refusal is inside its field's label (or its group's legend), so a
	// screen reader says it with the field.
	for _, f := range []struct {
		who, path, button string
		set               map[string]string
	}{
		{"petugas", visits["/kecamatan/{code}/keluarga/{id}/ubah"].path, "save-household", map[string]string{"luas_lantai": "dua puluh", "penghasilan": "banyak"}},
		{"petugas", "/kecamatan/32.73.03/keluarga/baru", "register", map[string]string{"no_kk": "123", "nik": "456"}},
		{"dinsos", "/katalog/layanan/baru", "save-service", map[string]string{"kode": "x", "nama": "", "hari_selesai": "0"}},
		{"dinsos", "/katalog/libur?tahun=2032", "save-holiday", map[string]string{"tanggal": "", "nama": ""}},
		{"admin", "/admin/akun", "create-account", map[string]string{"username": "X!", "nama": ""}},
		{"petugas", "/kecamatan/32.73.03/usulan/baru", "save-keluarga_baru", map[string]string{"no_kk": "12", "nik": "3"}},
		{"koordinator", "/kecamatan/32.73.03/musyawarah/baru", "record", map[string]string{"tempat": "", "hadir0_nama": ""}},
		{"dinsos", visits["(proposal to verify)"].path, "return", map[string]string{"alasan": ""}},
		{"dinsos", "/katalog/program", "save-programme", map[string]string{"batas": "11"}},
	} {
		browseAs(t, ctx, f.who)
		set, _ := json.Marshal(f.set)
		for _, view := range []struct {
			lang  string
			width int64
		}{{"id", 360}, {"en", 1280}} {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "slrt_lang", Value: view.lang, URL: api.URL + "/"})
			if err == nil {
				err = chromedp.Do(ctx, chromedp.EmulateViewport(view.width, 800), chromedp.Navigate(api.URL+f.path), chromedp.WaitReady(chromedp.CSS("body")))
			}
			if err == nil {
				_, err = chromedp.Run(ctx, chromedp.Evaluate[any](`(() => { for (const [k, v] of Object.entries(`+string(set)+`))
					document.querySelector('[name="' + k + '"]').value = v;
					const b = document.getElementById("`+f.button+`"); b.form.noValidate = true; b.click(); return true })()`))
			}
			if err == nil {
				err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("span.error")))
			}
			if err != nil {
				t.Fatalf("sending %s's form refused (%s): %v", f.path, view.lang, err)
			}
			auditShown(t, ctx, axe, f.path+" (refused)", view.lang, view.width, filepath.Join(shots, fmt.Sprintf("refused-%s-%s-%d.png", f.button, view.lang, view.width)))
			loose, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("span.error")].filter(e => !e.closest("label, legend")).map(e => e.textContent).join("; ")`))
			if err != nil || loose != "" {
				t.Errorf("%s: refusals outside their field's label: %q %v", f.path, loose, err)
			}
		}
	}
}

// browseAs signs the browser in as who, or out for "".
func browseAs(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if who == "" {
		return
	}
	err := chromedp.Do(ctx, chromedp.Navigate(api.URL+"/masuk"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), who), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login")), chromedp.WaitNotPresent(chromedp.ID("login")))
	if err != nil {
		t.Fatalf("signing in as %s: %v", who, err)
	}
}

// audit opens path in lang at width, saves a screenshot and fails the test
// with each axe-core violation.
func audit(t *testing.T, ctx context.Context, axe, path, lang string, width int64, shot string) {
	t.Helper()
	fail := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("auditing %s (%s, %d px): %v", path, lang, width, err)
		}
	}
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "slrt_lang", Value: lang, URL: api.URL + "/"})
	fail(err)
	_, err = chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}) // axe is injected
	fail(err)
	fail(chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(api.URL+path), chromedp.WaitReady(chromedp.CSS("body"))))
	auditShown(t, ctx, axe, path, lang, width, shot)
}

// auditShown audits the page the browser shows, as audit does.
func auditShown(t *testing.T, ctx context.Context, axe, path, lang string, width int64, shot string) {
	t.Helper()
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + axeRules + `}}).then(r => JSON.stringify({passes: r.passes.length,
		violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary)}))}))`
	fail := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("auditing %s (%s, %d px): %v", path, lang, width, err)
		}
	}
	_, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe))
	fail(err)
	found, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	fail(err)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	fail(err)
	// The page reflows to the screen: nothing but a table's own region
	// scrolls sideways.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	fail(err)
	if wide > 0 {
		culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.parentElement.closest(".scroll"))
			.slice(0, 5).map(e => e.tagName + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "") +
				" to " + Math.round(e.getBoundingClientRect().right) + "px").join(", ")`))
		t.Errorf("%s (%s, %d px) is %d px wider than the screen: %s", path, lang, width, wide, culprits)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	var result struct {
		Passes     int
		Violations []struct {
			ID, Impact, Help string
			Nodes            []string
		}
	}
	if err := json.Unmarshal([]byte(found), &result); err != nil || result.Passes == 0 {
		t.Fatalf("axe's answer on %s (no rule passed?): %v: %s", path, err, found)
	}
	for _, v := range result.Violations {
		t.Errorf("%s (%s, %d px): %s (%s, %s):\n  %s", path, lang, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}

// weighPage fails the test when a page's HTML and stylesheet together are
// over maxPageBytes as sent.
func weighPage(t *testing.T, who, path string) {
	t.Helper()
	b := newBrowser(t)
	if who != "" {
		b.signIn(who)
	}
	r := b.get(path)
	css := b.get("/static/app.css")
	if n := len(r.body) + len(css.body); n > maxPageBytes {
		t.Errorf("%s as %s weighs %d bytes of HTML and CSS, over %d", path, who, n, maxPageBytes)
	}
}

// pageVisits makes what the pages show (a household with a complaint and a
// referral sent to Dinkes, 50 complaints in all for the list) and says who
// opens each page, where.
func pageVisits(t *testing.T) map[string]visit {
	t.Helper()
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Nining Suhaeni", "P", "1975-08-17", "kepala_keluarga"})
	complaint := newComplaint(t, person)
	referral, tracking := newReferral(t, complaint, "PBI_JK", "KK")
	expectMoved(t, "koordinator", referral, "requested", "")
	for range 49 {
		newComplaint(t, person)
	}
	// A service, a category and a holiday with a history of changes.
	svc := map[string]any{"name": "Layanan uji aksesibilitas", "agency": "DINKES", "requiredDocuments": []string{"KTP"},
		"sharedFields": []string{"nama"}, "responseDays": 2, "completionDays": 10, "reason": "SK uji 1/2026"}
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/layanan/UJI_AKSES", svc), http.StatusCreated)
	svc["completionDays"], svc["reason"] = 12, "SK uji 2/2026"
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/layanan/UJI_AKSES", svc), http.StatusOK)
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/kategori-keluhan/UJI_AKSES", map[string]any{"name": "Kategori uji", "position": 5000, "active": false}), http.StatusCreated)
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/hari-libur/2032-03-11", map[string]any{"name": "Libur uji", "reason": "Keputusan uji"}), http.StatusCreated)
	// Proposals: one agreed and one rejected by a muskel, one waiting for
	// the next, one a draft.
	openPeriod(t)
	agreed := draftProposal(t, newHouseholdProposal("Odah Aksesibel"))
	rejected := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})
	waiting := draftProposal(t, map[string]any{"kind": "nonaktif", "householdId": hh, "personId": person, "deactivationReason": "pindah",
		"evidence": "Surat pindah 470/88"})
	draft := draftProposal(t, map[string]any{"kind": "perbaikan", "householdId": hh, "householdChange": map[string]any{"monthlyIncome": 750000}})
	for _, id := range []int64{agreed, rejected, waiting} {
		expectStatus(t, moveProposal(t, "petugas", id, "diajukan", ""), http.StatusOK)
	}
	resp := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", map[string]any{"kelurahan": "32.73.03.1001",
		"heldOn": time.Now().Format(time.DateOnly), "place": "Aula", "chair": "Lurah Uji", "attendees": []map[string]any{{"name": "Lurah Uji", "role": "lurah"}},
		"decisions": []map[string]any{{"usulanId": agreed, "agreed": true}, {"usulanId": rejected, "agreed": false, "reason": "Sudah menerima"}}})
	expectStatus(t, resp, http.StatusCreated)
	var muskel createdResp
	resp.json(t, &muskel)
	// A household offered to Bojongloa Kaler, waiting for its koordinator.
	moving, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", moving, personSpec{"Ujang Aksesibel", "L", "1970-01-05", "kepala_keluarga"})
	resp = do(t, "petugas", "POST", kec("32.73.03")+"/pindah/tawaran", map[string]any{"householdId": moving, "toKecamatan": "32.73.04",
		"reason": "Pindah ke rumah saudara"})
	expectStatus(t, resp, http.StatusCreated)
	var offered transferView
	resp.json(t, &offered)
	// The case escalated to Dinas Sosial: its page shows the escalation.
	expectStatus(t, do(t, "koordinator", "POST", fmt.Sprintf("%s/keluhan/%d/eskalasi", kec("32.73.03"), complaint),
		map[string]any{"reason": "darurat", "note": "Uji aksesibilitas"}), http.StatusOK)
	c, r := fmt.Sprint(complaint), fmt.Sprint(referral)
	return map[string]visit{
		"/kecamatan/{code}/pindah":               {"petugas", "/kecamatan/32.73.03/pindah"},
		"/kecamatan/{code}/pindah/{id}":          {"koordinator-bk", "/kecamatan/32.73.04/pindah/" + offered.ID},
		"/pindah":                                {"dinsos", "/pindah"},
		"/eskalasi":                              {"dinsos", "/eskalasi"},
		"/masuk":                                 {"", "/masuk"},
		"/masuk/sso":                             {"", "/masuk/sso"},
		"/masuk/sso/kembali":                     {"", "/masuk/sso/kembali?state=x&code=y"},
		"(error page)":                           {"petugas", "/admin/akun"},
		"/lacak/{trackingCode}":                  {"", "/lacak/" + tracking},
		"/":                                      {"admin", "/"},
		"/sandi":                                 {"petugas", "/sandi"},
		"/kecamatan/{code}/keluhan":              {"petugas", "/kecamatan/32.73.03/keluhan"},
		"/kecamatan/{code}/keluhan/baru":         {"petugas", "/kecamatan/32.73.03/keluhan/baru"},
		"/kecamatan/{code}/keluhan/{id}":         {"petugas", "/kecamatan/32.73.03/keluhan/" + c},
		"/kecamatan/{code}/keluarga/baru":        {"petugas", "/kecamatan/32.73.03/keluarga/baru"},
		"/kecamatan/{code}/keluarga/{id}":        {"petugas", fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", hh)},
		"/kecamatan/{code}/penduduk/{id}":        {"petugas", fmt.Sprintf("/kecamatan/32.73.03/penduduk/%d", person)},
		"/kecamatan/{code}/keluarga/{id}/ubah":   {"petugas", fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d/ubah", hh)},
		"/kecamatan/{code}/laporan":              {"supervisor", "/kecamatan/32.73.03/laporan"},
		"/kecamatan/{code}/rujukan/terlambat":    {"supervisor", "/kecamatan/32.73.03/rujukan/terlambat"},
		"/kecamatan/{code}/impor":                {"dinsos", "/kecamatan/32.73.03/impor"},
		"/laporan":                               {"dinsos", "/laporan"},
		"/rujukan/terlambat":                     {"dinsos", "/rujukan/terlambat"},
		"/instansi/{agency}/rujukan":             {"dinkes", "/instansi/DINKES/rujukan"},
		"/instansi/{agency}/rujukan/{code}/{id}": {"dinkes", "/instansi/DINKES/rujukan/32.73.03/" + r},
		"/audit":                                 {"auditor", "/audit"},
		"/admin/kecamatan":                       {"admin", "/admin/kecamatan"},
		"/admin/kecamatan/{code}/status":         {"admin", "/admin/kecamatan/32.73.03/status"},
		"/admin/kecamatan/{code}/cadangan":       {"admin", "/admin/kecamatan/32.73.03/cadangan"},
		"/admin/akun":                            {"admin", "/admin/akun"},
		"/admin/akun/{username}":                 {"admin", "/admin/akun/petugas?peran=petugas"},
		"/admin/akun/{username}/status":          {"admin", "/admin/akun/petugas/status"},
		"/katalog":                               {"dinsos", "/katalog"},
		"/katalog/layanan/baru":                  {"dinsos", "/katalog/layanan/baru"},
		"/katalog/layanan/{service}":             {"dinsos", "/katalog/layanan/UJI_AKSES"},
		"/katalog/kategori":                      {"dinsos", "/katalog/kategori"},
		"/katalog/kategori/{category}":           {"dinsos", "/katalog/kategori/UJI_AKSES"},
		"/katalog/libur":                         {"dinsos", "/katalog/libur?tahun=2032"},
		"/kecamatan/{code}/usulan":               {"petugas", "/kecamatan/32.73.03/usulan"},
		"/kecamatan/{code}/usulan/baru":          {"petugas", fmt.Sprintf("/kecamatan/32.73.03/usulan/baru?keluarga=%d", hh)},
		"/kecamatan/{code}/usulan/{id}":          {"petugas", fmt.Sprintf("/kecamatan/32.73.03/usulan/%d", draft)},
		"/kecamatan/{code}/musyawarah/baru":      {"koordinator", "/kecamatan/32.73.03/musyawarah/baru"},
		"/kecamatan/{code}/musyawarah/{id}":      {"supervisor", fmt.Sprintf("/kecamatan/32.73.03/musyawarah/%d", muskel.ID)},
		"/usulan/periode":                        {"dinsos", "/usulan/periode?tahun=2026"},
		"/usulan/verifikasi":                     {"dinsos", "/usulan/verifikasi"},
		"(proposal to verify)":                   {"dinsos", fmt.Sprintf("/kecamatan/32.73.03/usulan/%d", agreed)},
		"/usulan/hasil":                          {"dinsos", "/usulan/hasil"},
		"/kecamatan/{code}/sasaran":              {"supervisor", "/kecamatan/32.73.03/sasaran"},
		"/kecamatan/{code}/sasaran/keluarga":     {"petugas", "/kecamatan/32.73.03/sasaran/keluarga?program=BPNT&jenis=eksklusi&kelurahan=32.73.03.1001"},
		"/sasaran":                               {"dinsos", "/sasaran"},
		"/katalog/program":                       {"dinsos", "/katalog/program"},
	}
}
