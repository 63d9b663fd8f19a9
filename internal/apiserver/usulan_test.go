package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/letter/lettertest"
)

// proposalView is a proposal as the API answers.
type proposalView struct {
	ID           int64
	Kind, Status string
	Kelurahan    string
	Subject      string
	Period       *string
	MusyawarahID *int64
	Proposal     map[string]any
	History      []struct {
		From, To, Username string
		Reason             *string
		MusyawarahID       *int64
	}
	Next []string
}

// testPeriod is the proposal period the tests submit into: open from a
// month ago to a month ahead.
const testPeriod = "2026-UJI"

// openPeriod opens (or reopens) the test period as Dinas Sosial.
func openPeriod(t *testing.T) {
	t.Helper()
	today := time.Now()
	resp := do(t, "dinsos", "PUT", "/api/v1/usulan/periode/"+testPeriod, map[string]any{
		"opensOn": today.AddDate(0, -1, 0).Format(time.DateOnly), "closesOn": today.AddDate(0, 1, 0).Format(time.DateOnly),
		"muskelBy": today.AddDate(0, 1, 15).Format(time.DateOnly), "reason": "Pemutakhiran DTSEN uji"})
	if resp.status != http.StatusOK && resp.status != http.StatusCreated {
		t.Fatalf("opening the period: %d %s", resp.status, resp.body)
	}
}

func draftProposal(t *testing.T, body map[string]any, key ...string) int64 {
	t.Helper()
	var headers []string
	if len(key) > 0 {
		headers = []string{"Idempotency-Key", key[0]}
	}
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/usulan", body, headers...)
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID
}

func proposalOf(t *testing.T, who string, id int64) proposalView {
	t.Helper()
	resp := do(t, who, "GET", fmt.Sprintf("%s/usulan/%d", kec("32.73.03"), id), nil)
	expectStatus(t, resp, http.StatusOK)
	var p proposalView
	resp.json(t, &p)
	return p
}

func moveProposal(t *testing.T, who string, id int64, to, reason string) *response {
	t.Helper()
	body := map[string]any{"status": to}
	if reason != "" {
		body["reason"] = reason
	}
	return do(t, who, "POST", fmt.Sprintf("%s/usulan/%d/status", kec("32.73.03"), id), body)
}

// newHouseholdProposal is a proposed household of two in Babakan Ciparay.
func newHouseholdProposal(head string) map[string]any {
	return map[string]any{"kind": "keluarga_baru", "reason": "Warga miskin belum terdaftar, ditemukan saat kunjungan rumah",
		"household": map[string]any{
			"noKK":  newKK(),
			"house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "004", "rw": "002", "street": "Jl. Usulan Baru 7"},
			"members": []map[string]any{
				{"nik": newNIK("L", "1980-02-02"), "name": head, "birthPlace": "Bandung", "birthDate": "1980-02-02", "sex": "L",
					"relationship": "kepala_keluarga"},
				{"nik": newNIK("P", "2012-06-06"), "name": head + " Putri", "birthPlace": "Bandung", "birthDate": "2012-06-06", "sex": "P",
					"relationship": "anak"},
			}}}
}

// The Puskesos drafts proposals of the four kinds; each keeps whom it is
// about and what it proposes (a correction the fields before and after),
// a retried draft is one proposal, and what cannot be proposed is refused
// naming the field.
func TestThePuskesosDraftsProposalsOfFourKinds(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Dadang Usulan", "L", "1960-01-01", "kepala_keluarga"})

	newHH := draftProposal(t, newHouseholdProposal("Ujang Usulan Baru"))
	correction := draftProposal(t, map[string]any{"kind": "perbaikan", "householdId": hh,
		"householdChange": map[string]any{"monthlyIncome": 600000, "house": map[string]any{"floorMaterial": "tanah"}}})
	deactivation := draftProposal(t, map[string]any{"kind": "nonaktif", "householdId": hh, "personId": person,
		"deactivationReason": "meninggal", "evidence": "Surat keterangan kematian dari kelurahan no. 474/12"})
	programme := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})

	p := proposalOf(t, "petugas", newHH)
	if p.Kind != "keluarga_baru" || p.Status != "draft" || p.Subject != "Ujang Usulan Baru" || p.Kelurahan != "32.73.03.1001" ||
		len(p.History) != 1 || p.History[0].To != "draft" || strings.Join(p.Next, ",") != "diajukan,dibatalkan" {
		t.Errorf("new household proposal: %+v", p)
	}
	c := proposalOf(t, "supervisor", correction)
	before, _ := c.Proposal["before"].(map[string]any)
	after, _ := c.Proposal["after"].(map[string]any)
	if c.Subject != "Dadang Usulan" || before["floorMaterial"] != "semen" || after["floorMaterial"] != "tanah" ||
		before["monthlyIncome"] != nil || after["monthlyIncome"] != 600000.0 {
		t.Errorf("correction: %+v", c)
	}
	if d := proposalOf(t, "petugas", deactivation); d.Subject != "Dadang Usulan" || d.Proposal["reason"] != "meninggal" {
		t.Errorf("deactivation: %+v", d)
	}
	if g := proposalOf(t, "petugas", programme); g.Proposal["programme"] != "BPNT" {
		t.Errorf("programme: %+v", g)
	}
	if !strings.Contains(auditOf(t, "supervisor"), "GET /api/v1/kecamatan/{code}/usulan/{id}") {
		t.Error("reading a proposal is not audited")
	}

	// Retried with its key, a draft is the same proposal.
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/usulan", map[string]any{"kind": "program", "householdId": hh, "programme": "PBI_JK"},
		"Idempotency-Key", "usulan-pbi-1")
	again := do(t, "petugas", "POST", kec("32.73.03")+"/usulan", map[string]any{"kind": "program", "householdId": hh, "programme": "PBI_JK"},
		"Idempotency-Key", "usulan-pbi-1")
	expectStatus(t, again, http.StatusCreated)
	if resp.header.Get("Location") != again.header.Get("Location") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retried draft made another: %s, %s", resp.header.Get("Location"), again.header.Get("Location"))
	}

	registered := newHouseholdProposal("Ujang Sudah Terdaftar")
	registered["household"].(map[string]any)["members"].([]map[string]any)[0]["nik"] = mustNIKOf(t, person)
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"an unknown kind":             {map[string]any{"kind": "lainnya", "householdId": hh}, "/kind"},
		"a correction of nothing":     {map[string]any{"kind": "perbaikan", "householdId": hh, "householdChange": map[string]any{}}, "/householdChange"},
		"a deactivation without why":  {map[string]any{"kind": "nonaktif", "householdId": hh, "deactivationReason": "hilang"}, "/deactivationReason"},
		"a programme that is not one": {map[string]any{"kind": "program", "householdId": hh, "programme": "BANSOS_X"}, "/programme"},
		"a household not registered":  {map[string]any{"kind": "program", "householdId": 99999999, "programme": "PKH"}, "/householdId"},
		"a member already registered": {registered, "/household/members/0/nik"},
		"a household DTSEN holds":     {map[string]any{"kind": "keluarga_baru", "householdId": hh}, "/householdId"},
	} {
		resp := do(t, "petugas", "POST", kec("32.73.03")+"/usulan", tc.body)
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(string(resp.body), `"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", name, resp.status, resp.body, tc.field)
		}
	}
	// Another kecamatan's staff do not see it.
	expectStatus(t, do(t, "petugas-bk", "GET", fmt.Sprintf("%s/usulan/%d", kec("32.73.03"), newHH), nil), http.StatusForbidden)
}

func mustNIKOf(t *testing.T, person int64) string {
	t.Helper()
	var p struct{ NIK string }
	resp := do(t, "petugas", "GET", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person), nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &p)
	return p.NIK
}

// A proposal goes to the musyawarah kelurahan only in an open period;
// every step the path does not allow is refused naming the allowed ones;
// only the koordinator withdraws what the muskel has; and only a recorded
// muskel moves a submitted proposal, every decision with the meeting.
func TestAProposalGoesThroughTheMusyawarahKelurahan(t *testing.T) {
	openPeriod(t)
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Euis Musyawarah", "P", "1975-05-05", "kepala_keluarga"})
	agreed := draftProposal(t, newHouseholdProposal("Asep Muskel Setuju"))
	rejected := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "PBI_JK"})
	withdrawn := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})

	// No period open: the draft waits.
	today := time.Now()
	resp := do(t, "dinsos", "PUT", "/api/v1/usulan/periode/"+testPeriod, map[string]any{
		"opensOn": today.AddDate(0, -1, 0).Format(time.DateOnly), "closesOn": today.AddDate(0, 0, -1).Format(time.DateOnly),
		"muskelBy": today.AddDate(0, 1, 15).Format(time.DateOnly), "reason": "Ditutup lebih awal"})
	expectStatus(t, resp, http.StatusOK)
	resp = moveProposal(t, "petugas", agreed, "diajukan", "")
	if resp.status != http.StatusConflict || !strings.Contains(string(resp.body), "no proposal period is open") {
		t.Errorf("submitting with no period open: %d %s", resp.status, resp.body)
	}
	openPeriod(t)

	// Forbidden steps change nothing and say what is allowed.
	resp = moveProposal(t, "koordinator", agreed, "disepakati", "")
	if resp.status != http.StatusConflict || !strings.Contains(string(resp.body), "it can become: diajukan, dibatalkan") {
		t.Errorf("agreeing a draft outside a muskel: %d %s", resp.status, resp.body)
	}
	for _, id := range []int64{agreed, rejected, withdrawn} {
		resp := moveProposal(t, "petugas", id, "diajukan", "")
		expectStatus(t, resp, http.StatusOK)
	}
	if p := proposalOf(t, "petugas", agreed); p.Status != "diajukan" || p.Period == nil || *p.Period != testPeriod {
		t.Errorf("submitted: %+v", p)
	}
	expectStatus(t, moveProposal(t, "petugas", withdrawn, "dibatalkan", "Sudah menerima dari program daerah"), http.StatusForbidden)
	expectStatus(t, moveProposal(t, "koordinator", withdrawn, "dibatalkan", ""), http.StatusUnprocessableEntity)
	expectStatus(t, moveProposal(t, "koordinator", withdrawn, "dibatalkan", "Sudah menerima dari program daerah"), http.StatusOK)

	// The muskel: the petugas may not record it; the koordinator does.
	meeting := map[string]any{"kelurahan": "32.73.03.1001", "heldOn": today.Format(time.DateOnly), "place": "Aula Kelurahan",
		"chair": "Drs. H. Lurah Contoh", "attendees": []map[string]any{
			{"name": "Drs. H. Lurah Contoh", "role": "lurah"}, {"name": "Ibu Ketua RW 02", "role": "ketua_rw"}, {"name": "Pak TKSK", "role": "tksk"}},
		"decisions": []map[string]any{{"usulanId": agreed, "agreed": true},
			{"usulanId": rejected, "agreed": false, "reason": "Sudah terdaftar PBI daerah"}}}
	expectStatus(t, do(t, "petugas", "POST", kec("32.73.03")+"/musyawarah", meeting), http.StatusForbidden)
	withDraft := map[string]any{}
	for k, v := range meeting {
		withDraft[k] = v
	}
	withDraft["decisions"] = []map[string]any{{"usulanId": withdrawn, "agreed": true}}
	if resp := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", withDraft); resp.status != http.StatusConflict {
		t.Errorf("a muskel deciding a withdrawn proposal: %d %s", resp.status, resp.body)
	}
	noReason := map[string]any{}
	for k, v := range meeting {
		noReason[k] = v
	}
	noReason["decisions"] = []map[string]any{{"usulanId": rejected, "agreed": false}}
	if resp := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", noReason); resp.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(resp.body), `"/decisions/0/reason"`) {
		t.Errorf("a rejection without why: %d %s", resp.status, resp.body)
	}
	first := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", meeting, "Idempotency-Key", "muskel-1001-1")
	expectStatus(t, first, http.StatusCreated)
	again := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", meeting, "Idempotency-Key", "muskel-1001-1")
	expectStatus(t, again, http.StatusCreated)
	if first.header.Get("Location") != again.header.Get("Location") {
		t.Errorf("a retried muskel was recorded twice")
	}
	var created createdResp
	first.json(t, &created)

	a, r := proposalOf(t, "koordinator", agreed), proposalOf(t, "koordinator", rejected)
	if a.Status != "disepakati" || a.MusyawarahID == nil || *a.MusyawarahID != created.ID || len(a.Next) != 0 {
		t.Errorf("agreed: %+v", a)
	}
	last := r.History[len(r.History)-1]
	if r.Status != "ditolak_muskel" || last.Username != "koordinator" || last.Reason == nil || *last.Reason != "Sudah terdaftar PBI daerah" ||
		last.MusyawarahID == nil || *last.MusyawarahID != created.ID {
		t.Errorf("rejected: %+v", r)
	}
	var m struct {
		Period    string
		Attendees []struct{ Name, Role string }
		Decided   []struct {
			ID     int64
			Agreed bool
		}
	}
	resp = do(t, "supervisor", "GET", fmt.Sprintf("%s/musyawarah/%d", kec("32.73.03"), created.ID), nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &m)
	if m.Period != testPeriod || len(m.Attendees) != 3 || len(m.Decided) != 2 || !m.Decided[0].Agreed || m.Decided[1].Agreed {
		t.Errorf("the muskel: %+v", m)
	}
	expectStatus(t, do(t, "petugas-bk", "GET", fmt.Sprintf("%s/musyawarah/%d", kec("32.73.03"), created.ID), nil), http.StatusForbidden)

	// The berita acara: a PDF with the decisions and the attendees, its
	// printing audited.
	resp = do(t, "koordinator", "GET", fmt.Sprintf("%s/musyawarah/%d/berita-acara", kec("32.73.03"), created.ID), nil)
	expectStatus(t, resp, http.StatusOK)
	text := lettertest.PDFText(t, resp.body)
	for _, want := range []string{"BERITA ACARA MUSYAWARAH KELURAHAN", "Asep Muskel Setuju", "Disepakati", "Sudah terdaftar",
		"Ibu Ketua RW 02", "Ketua RW", "Aula Kelurahan"} {
		if !strings.Contains(text, want) {
			t.Errorf("the berita acara lacks %q", want)
		}
	}
	if !strings.Contains(auditOf(t, "koordinator"), "GET /api/v1/kecamatan/{code}/musyawarah/{id}/berita-acara") {
		t.Error("printing the berita acara is not audited")
	}
}

// A kelurahan whose proposals still wait for their muskel after the
// period's deadline is late, as the supervisor sees it.
func TestTheSupervisorSeesALateMusyawarah(t *testing.T) {
	openPeriod(t)
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	id := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "PKH"})
	expectStatus(t, moveProposal(t, "petugas", id, "diajukan", ""), http.StatusOK)
	resp := do(t, "dinsos", "PUT", "/api/v1/usulan/periode/2020-1", map[string]any{
		"opensOn": "2020-01-01", "closesOn": "2020-02-29", "muskelBy": "2020-03-20"})
	if resp.status != http.StatusCreated && resp.status != http.StatusOK {
		t.Fatalf("an old period: %d %s", resp.status, resp.body)
	}
	ctx := context.Background()
	tdb, err := env.Postgres.Connect(ctx, "slrt_32_73_03")
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close(ctx)
	if _, err := tdb.Exec(ctx, `UPDATE usulan SET period = '2020-1' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	var late struct {
		Items []struct {
			Kelurahan, Period, MuskelBy string
			Waiting                     int
		}
	}
	resp = do(t, "supervisor", "GET", kec("32.73.03")+"/musyawarah/terlambat", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &late)
	if len(late.Items) != 1 || late.Items[0].Kelurahan != "32.73.03.1001" || late.Items[0].Period != "2020-1" ||
		late.Items[0].MuskelBy != "2020-03-20" || late.Items[0].Waiting != 1 {
		t.Errorf("late: %+v", late.Items)
	}
}

// Periods are Dinas Sosial's: others may read them, not change them, and
// two periods never overlap.
func TestDinasSosialKeepsTheProposalPeriods(t *testing.T) {
	openPeriod(t)
	expectStatus(t, do(t, "koordinator", "PUT", "/api/v1/usulan/periode/2026-X", map[string]any{
		"opensOn": "2026-01-01", "closesOn": "2026-02-01", "muskelBy": "2026-03-01"}), http.StatusForbidden)
	today := time.Now()
	resp := do(t, "dinsos", "PUT", "/api/v1/usulan/periode/2026-TUMPANG", map[string]any{
		"opensOn": today.Format(time.DateOnly), "closesOn": today.AddDate(0, 0, 3).Format(time.DateOnly),
		"muskelBy": today.AddDate(0, 0, 10).Format(time.DateOnly)})
	if resp.status != http.StatusUnprocessableEntity || !strings.Contains(string(resp.body), "period.overlap") {
		t.Errorf("an overlapping period: %d %s", resp.status, resp.body)
	}
	resp = do(t, "dinsos", "PUT", "/api/v1/usulan/periode/2031-1", map[string]any{
		"opensOn": "2031-03-01", "closesOn": "2031-02-01", "muskelBy": "2031-01-01"})
	if resp.status != http.StatusUnprocessableEntity || !strings.Contains(string(resp.body), `"/closesOn"`) {
		t.Errorf("a period closing before it opens: %d %s", resp.status, resp.body)
	}
	var page struct{ Items []struct{ Code string } }
	resp = do(t, "petugas", "GET", "/api/v1/usulan/periode", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &page)
	found := false
	for _, p := range page.Items {
		found = found || p.Code == testPeriod
	}
	if !found {
		t.Errorf("periods: %+v", page.Items)
	}
	var changes struct {
		Items []struct{ Code, Reason string }
	}
	resp = do(t, "dinsos", "GET", "/api/v1/katalog/riwayat?kind=periode&code="+testPeriod, nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &changes)
	if len(changes.Items) == 0 || changes.Items[len(changes.Items)-1].Reason != "Pemutakhiran DTSEN uji" {
		t.Errorf("the period's history: %+v", changes.Items)
	}
}
