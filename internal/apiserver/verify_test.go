package apiserver_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/proposal"
)

// agreeInMuskel submits the drafts and has the koordinator record a muskel
// of Babakan Ciparay that agrees them all; it returns the muskel's id.
func agreeInMuskel(t *testing.T, ids ...int64) int64 {
	t.Helper()
	openPeriod(t)
	decisions := make([]map[string]any, len(ids))
	for i, id := range ids {
		expectStatus(t, moveProposal(t, "petugas", id, "diajukan", ""), http.StatusOK)
		decisions[i] = map[string]any{"usulanId": id, "agreed": true}
	}
	resp := do(t, "koordinator", "POST", kec("32.73.03")+"/musyawarah", map[string]any{"kelurahan": "32.73.03.1001",
		"heldOn": time.Now().Format(time.DateOnly), "place": "Aula Kelurahan", "chair": "Lurah Babakan",
		"attendees": []map[string]any{{"name": "Lurah Babakan", "role": "lurah"}, {"name": "Pak TKSK", "role": "tksk"}},
		"decisions": decisions})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID
}

func verifyProposal(t *testing.T, who string, id int64, to, reason string) *response {
	t.Helper()
	body := map[string]any{"status": to}
	if reason != "" {
		body["reason"] = reason
	}
	return do(t, who, "POST", fmt.Sprintf("%s/usulan/%d/verifikasi", kec("32.73.03"), id), body)
}

// queueRefs lists the references in Dinas Sosial's queue of status, all
// pages.
func queueRefs(t *testing.T, status string) []string {
	t.Helper()
	var refs []string
	cursor := ""
	for {
		resp := do(t, "dinsos", "GET", "/api/v1/usulan/verifikasi?limit=2&status="+status+"&cursor="+cursor, nil)
		expectStatus(t, resp, http.StatusOK)
		var q struct {
			Items []struct {
				Kecamatan string
				ID        int64
				Status    string
			}
			NextCursor  string
			Unavailable []any
		}
		resp.json(t, &q)
		for _, it := range q.Items {
			if it.Status != status {
				t.Errorf("the %s queue holds a proposal %s", status, it.Status)
			}
			refs = append(refs, proposal.Ref(it.Kecamatan, it.ID))
		}
		if q.NextCursor == "" {
			return refs
		}
		cursor = q.NextCursor
	}
}

// Dinas Sosial sees what every kecamatan's muskel agreed, verifies,
// returns with a note or rejects it, and only Dinas Sosial may; a returned
// proposal goes back to the Puskesos, who may submit it again.
func TestDinasSosialVerifiesWhatTheMuskelAgreed(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Oman Verifikasi", "L", "1970-03-03", "kepala_keluarga"})
	verified := draftProposal(t, newHouseholdProposal("Iwan Verifikasi Baru"))
	returned := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})
	rejected := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "PBI_JK"})
	agreeInMuskel(t, verified, returned, rejected)

	refs := queueRefs(t, "disepakati")
	for _, id := range []int64{verified, returned, rejected} {
		if !slices.Contains(refs, proposal.Ref("32.73.03", id)) {
			t.Errorf("proposal %d is not in the queue %v", id, refs)
		}
	}
	expectStatus(t, do(t, "koordinator", "GET", "/api/v1/usulan/verifikasi", nil), http.StatusForbidden)

	// Only Dinas Sosial verifies; the koordinator may not.
	expectStatus(t, verifyProposal(t, "koordinator", verified, "diverifikasi", ""), http.StatusForbidden)
	expectStatus(t, verifyProposal(t, "dinsos", verified, "diverifikasi", ""), http.StatusOK)
	resp := verifyProposal(t, "dinsos", verified, "diverifikasi", "")
	if resp.status != http.StatusConflict || !strings.Contains(string(resp.body), "it can become: dikirim") {
		t.Errorf("verifying twice: %d %s", resp.status, resp.body)
	}
	expectStatus(t, verifyProposal(t, "dinsos", returned, "dikembalikan", ""), http.StatusUnprocessableEntity)
	expectStatus(t, verifyProposal(t, "dinsos", returned, "dikembalikan", "Lampirkan foto rumah dan SKTM"), http.StatusOK)
	expectStatus(t, verifyProposal(t, "dinsos", rejected, "ditolak_dinsos", "Sudah menerima PBI daerah"), http.StatusOK)

	p := proposalOf(t, "petugas", returned)
	last := p.History[len(p.History)-1]
	if p.Status != "dikembalikan" || last.Username != "dinsos" || last.Reason == nil || *last.Reason != "Lampirkan foto rumah dan SKTM" ||
		strings.Join(p.Next, ",") != "diajukan,dibatalkan" {
		t.Errorf("returned: %+v", p)
	}
	expectStatus(t, moveProposal(t, "petugas", returned, "diajukan", ""), http.StatusOK)
	if p := proposalOf(t, "petugas", rejected); p.Status != "ditolak_dinsos" || len(p.Next) != 0 {
		t.Errorf("rejected: %+v", p)
	}
	if !slices.Contains(queueRefs(t, "diverifikasi"), proposal.Ref("32.73.03", verified)) {
		t.Error("the verified proposal is not among those to send")
	}
	resp = do(t, "dinsos", "GET", "/api/v1/usulan/verifikasi?status=draft", nil)
	expectStatus(t, resp, http.StatusUnprocessableEntity)
}

// Dinas Sosial sends the verified proposals in a batch: each becomes
// dikirim with the batch's code, a retry is the same batch, and the batch's
// BNBA upload lists each proposal's persons with what it asks, in CSV and
// XLSX, its download audited.
func TestDinasSosialSendsTheVerifiedInABatch(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Ujang Batch", "L", "1968-04-04", "kepala_keluarga"})
	newHH := draftProposal(t, newHouseholdProposal("Dede Batch Baru"))
	correction := draftProposal(t, map[string]any{"kind": "perbaikan", "householdId": hh,
		"householdChange": map[string]any{"monthlyIncome": 450000}})
	waiting := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "PKH"})
	agreeInMuskel(t, newHH, correction, waiting)
	for _, id := range []int64{newHH, correction} {
		expectStatus(t, verifyProposal(t, "dinsos", id, "diverifikasi", ""), http.StatusOK)
	}

	expectStatus(t, do(t, "koordinator", "POST", "/api/v1/usulan/batch", map[string]any{}), http.StatusForbidden)
	first := do(t, "dinsos", "POST", "/api/v1/usulan/batch", map[string]any{}, "Idempotency-Key", "batch-uji-1")
	expectStatus(t, first, http.StatusCreated)
	var b struct {
		ID          int64
		Code        string
		Sent        map[string]int
		Unavailable []any
	}
	first.json(t, &b)
	// Other kecamatan of the test city may be provisioning, and named.
	if b.Sent["32.73.03"] < 2 || strings.Contains(fmt.Sprint(b.Unavailable), "32.73.03") || !strings.HasPrefix(b.Code, "BNBA-") {
		t.Errorf("the batch: %+v", b)
	}
	again := do(t, "dinsos", "POST", "/api/v1/usulan/batch", map[string]any{}, "Idempotency-Key", "batch-uji-1")
	expectStatus(t, again, http.StatusCreated)
	if again.header.Get("Location") != first.header.Get("Location") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retried batch is another batch: %s", again.body)
	}
	for _, id := range []int64{newHH, correction} {
		p := proposalOf(t, "petugas", id)
		if p.Status != "dikirim" {
			t.Errorf("proposal %d after the batch: %+v", id, p)
		}
	}
	if p := proposalOf(t, "petugas", waiting); p.Status != "disepakati" {
		t.Errorf("an unverified proposal went in the batch: %+v", p)
	}

	resp := do(t, "dinsos", "GET", fmt.Sprintf("/api/v1/usulan/batch/%d/bnba", b.ID), nil)
	expectStatus(t, resp, http.StatusOK)
	records, err := csv.NewReader(bytes.NewReader(resp.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[0], proposal.BatchColumns) {
		t.Errorf("the header: %v", records[0])
	}
	byRef := map[string][][]string{}
	for _, r := range records[1:] {
		if r[2] != b.Code {
			t.Errorf("a row of another batch: %v", r)
		}
		byRef[r[0]] = append(byRef[r[0]], r)
	}
	col := func(name string) int { return slices.Index(proposal.BatchColumns, name) }
	members := byRef[proposal.Ref("32.73.03", newHH)]
	if len(members) != 2 || members[0][col("nama")] != "Dede Batch Baru" || members[0][col("jenis_usulan")] != "keluarga_baru" ||
		members[0][col("kelurahan")] != "32.73.03.1001" {
		t.Errorf("the new household's rows: %v", members)
	}
	corr := byRef[proposal.Ref("32.73.03", correction)]
	if len(corr) != 1 || corr[0][col("perbaikan")] != "monthlyIncome: - -> 450000" {
		t.Errorf("the correction's rows: %v", corr)
	}
	if !strings.Contains(auditOf(t, "dinsos"), "GET /api/v1/usulan/batch/{id}/bnba") {
		t.Error("the batch file's download is not audited")
	}
	resp = do(t, "dinsos", "GET", fmt.Sprintf("/api/v1/usulan/batch/%d/bnba?format=xlsx", b.ID), nil)
	expectStatus(t, resp, http.StatusOK)
	if !bytes.HasPrefix(resp.body, []byte("PK")) {
		t.Error("the XLSX is not a workbook")
	}
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/usulan/batch/999999/bnba", nil), http.StatusNotFound)
}

// sendInBatch takes drafts through the muskel and verification into a new
// batch.
func sendInBatch(t *testing.T, ids ...int64) {
	t.Helper()
	agreeInMuskel(t, ids...)
	for _, id := range ids {
		expectStatus(t, verifyProposal(t, "dinsos", id, "diverifikasi", ""), http.StatusOK)
	}
	expectStatus(t, do(t, "dinsos", "POST", "/api/v1/usulan/batch", map[string]any{}), http.StatusCreated)
}

func importResult(t *testing.T, who, query, file string) *response {
	t.Helper()
	return do(t, who, "POST", "/api/v1/usulan/hasil"+query, file, "Content-Type", "text/csv")
}

// resultAnswer is the answer to a result import.
type resultAnswer struct {
	Rows, Decided, NotDecided, Already, Registered int
	Committed                                      bool
	Problems                                       []struct {
		Line        int
		Field, Code string
	}
}

// The centre's result comes back as a file: a bad row changes nothing
// (every problem named by line and field) unless skipped, a dry run keeps
// nothing, and the good file sets desil and programmes, registers the new
// household with its members, applies the correction and the
// deactivation, closes every proposal, and the registry's history names
// the proposal; importing it again changes nothing.
func TestTheCentresResultComesBack(t *testing.T) {
	hh, kk := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Karta Hasil", "L", "1958-05-05", "kepala_keluarga"})
	gone, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Nini Hasil", "P", "1931-06-06", "orang_tua"})
	newHH := draftProposal(t, newHouseholdProposal("Entis Hasil Baru"))
	correction := draftProposal(t, map[string]any{"kind": "perbaikan", "householdId": hh,
		"householdChange": map[string]any{"monthlyIncome": 350000}})
	deceased := draftProposal(t, map[string]any{"kind": "nonaktif", "householdId": hh, "personId": gone,
		"deactivationReason": "meninggal", "evidence": "Akta kematian 3273-KM-2026-0042"})
	programme := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})
	sendInBatch(t, newHH, correction, deceased, programme)
	newKK, _ := proposalOf(t, "petugas", newHH).Proposal["noKK"].(string)
	ref := func(id int64) string { return proposal.Ref("32.73.03", id) }

	good := "id_usulan,no_kk,hasil,desil,program,id_dtsen,keterangan\n" +
		ref(newHH) + "," + newKK + ",ditetapkan,1,PKH;BPNT,DTSEN-" + newKK[10:] + ",\n" +
		ref(correction) + "," + kk + ",ditetapkan,3,,,\n" +
		ref(deceased) + "," + kk + ",ditetapkan,,,,\n" +
		ref(programme) + "," + kk + ",tidak ditetapkan,,,,Kuota BPNT kecamatan penuh\n"
	bad := good + "32.73.03/999999," + kk + ",mungkin,11,,,\n" + ref(newHH) + ",3273000000000000,ditetapkan,,,,\n"

	expectStatus(t, importResult(t, "koordinator", "", good), http.StatusForbidden)
	resp := importResult(t, "dinsos", "", bad)
	var res resultAnswer
	resp.json(t, &res)
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Field, p.Code))
	}
	want := []string{"6 hasil result.decision", "6 desil bnba.desil", "7 no_kk kk.area", "7 id_usulan result.twice"}
	if resp.status != http.StatusUnprocessableEntity || res.Committed || !slices.Equal(got, want) {
		t.Errorf("a file with bad rows: %d %v, want %v", resp.status, got, want)
	}
	resp = importResult(t, "dinsos", "?dryRun=true", good)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &res)
	if res.Committed || res.Decided != 3 || res.NotDecided != 1 || res.Registered != 1 {
		t.Errorf("the dry run: %+v", res)
	}
	for _, id := range []int64{newHH, correction, deceased, programme} {
		if p := proposalOf(t, "petugas", id); p.Status != "dikirim" {
			t.Errorf("proposal %d changed before the result was kept: %s", id, p.Status)
		}
	}

	resp = importResult(t, "dinsos", "", good)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &res)
	if !res.Committed || res.Rows != 4 || res.Decided != 3 || res.NotDecided != 1 || res.Registered != 1 {
		t.Errorf("the import: %+v", res)
	}
	var registered struct {
		HouseholdID *int64
		Status      string
	}
	resp = do(t, "petugas", "GET", fmt.Sprintf("%s/usulan/%d", kec("32.73.03"), newHH), nil)
	resp.json(t, &registered)
	if registered.Status != "ditetapkan" || registered.HouseholdID == nil {
		t.Fatalf("the new household's proposal: %s", resp.body)
	}
	var h struct {
		NoKK       string
		Desil      *int
		Programmes []string
		DTKSID     *string `json:"dtksId"`
		Members    []struct{ Name, Presence string }
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), *registered.HouseholdID), nil).json(t, &h)
	if h.NoKK != newKK || h.Desil == nil || *h.Desil != 1 || strings.Join(h.Programmes, ",") != "PKH,BPNT" || h.DTKSID == nil ||
		len(h.Members) != 2 {
		t.Errorf("the household the centre registered: %+v", h)
	}
	for _, c := range historyOf(t, "petugas", "32.73.03", *registered.HouseholdID) {
		if c.Via != "usulan" || c.Reason == nil || !strings.Contains(*c.Reason, "usulan "+ref(newHH)) {
			t.Errorf("the new household's history does not name the proposal: %+v", c)
		}
	}

	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), nil).json(t, &h)
	presence := map[string]string{}
	for _, m := range h.Members {
		presence[m.Name] = m.Presence
	}
	if h.Desil == nil || *h.Desil != 3 || presence["Nini Hasil"] != "meninggal" || slices.Contains(h.Programmes, "BPNT") {
		t.Errorf("the household after its result: %+v", h)
	}
	named := 0
	for _, c := range historyOf(t, "petugas", "32.73.03", hh) {
		if c.Via == "usulan" && c.Reason != nil && strings.Contains(*c.Reason, "usulan 32.73.03/") {
			named++
			if c.Entity == "household" && c.After["monthly_income"] != nil && c.After["monthly_income"] != 350000.0 {
				t.Errorf("the correction applied: %+v", c)
			}
		}
	}
	if named < 3 {
		t.Errorf("the household's history names %d changes by a proposal, want the correction, the desil and the death", named)
	}
	p := proposalOf(t, "petugas", programme)
	last := p.History[len(p.History)-1]
	if p.Status != "tidak_ditetapkan" || last.Reason == nil || *last.Reason != "Kuota BPNT kecamatan penuh" || last.Username != "dinsos" {
		t.Errorf("the proposal not decided: %+v", p)
	}

	resp = importResult(t, "dinsos", "", good)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &res)
	if res.Already != 4 || res.Decided != 0 || res.Registered != 0 {
		t.Errorf("importing the result again: %+v", res)
	}
}

// A result naming several kecamatan applies each in its own database, at
// the same time, and still stands or falls whole: a bad row of one
// kecamatan keeps nothing in the other; without it both are decided.
func TestAResultAcrossKecamatanStandsOrFallsWhole(t *testing.T) {
	hh, kk := registerHousehold(t, "petugas", "32.73.03.1001")
	here := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})
	sendInBatch(t, here)
	hhBK, kkBK := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/usulan", map[string]any{"kind": "program", "householdId": hhBK, "programme": "BPNT"})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	there := c.ID
	// Bojongloa Kaler's muskel and verification are not what this is about:
	// its proposal is put in place as sent.
	ctx := context.Background()
	tdb, err := env.Postgres.Connect(ctx, "slrt_32_73_04")
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close(ctx)
	if _, err := tdb.Exec(ctx, `UPDATE usulan SET status = 'dikirim' WHERE id = $1`, there); err != nil {
		t.Fatal(err)
	}
	statusThere := func() string {
		var p proposalView
		do(t, "petugas-bk", "GET", fmt.Sprintf("%s/usulan/%d", kec("32.73.04"), there), nil).json(t, &p)
		return p.Status
	}

	good := "id_usulan,no_kk,hasil,desil,program,id_dtsen,keterangan\n" +
		proposal.Ref("32.73.03", here) + "," + kk + ",ditetapkan,3,,,\n" +
		proposal.Ref("32.73.04", there) + "," + kkBK + ",ditetapkan,4,,,\n"
	bad := good + proposal.Ref("32.73.04", there+100000) + "," + kkBK + ",ditetapkan,4,,,\n"
	resp = importResult(t, "dinsos", "", bad)
	var res resultAnswer
	resp.json(t, &res)
	if resp.status != http.StatusUnprocessableEntity || res.Committed || len(res.Problems) != 1 || res.Problems[0].Code != "result.unknown" {
		t.Errorf("a file with a bad row in one kecamatan: %d %s", resp.status, resp.body)
	}
	if a, b := proposalOf(t, "petugas", here).Status, statusThere(); a != "dikirim" || b != "dikirim" {
		t.Errorf("after the refused file the proposals are %s and %s, want both dikirim", a, b)
	}

	resp = importResult(t, "dinsos", "", good)
	expectStatus(t, resp, http.StatusOK)
	var kept struct {
		Committed bool
		Decided   int
		Kecamatan map[string]int
	}
	resp.json(t, &kept)
	if !kept.Committed || kept.Decided != 2 || kept.Kecamatan["32.73.03"] != 1 || kept.Kecamatan["32.73.04"] != 1 {
		t.Errorf("the good file: %s", resp.body)
	}
	if a, b := proposalOf(t, "petugas", here).Status, statusThere(); a != "ditetapkan" || b != "ditetapkan" {
		t.Errorf("after the good file the proposals are %s and %s, want both ditetapkan", a, b)
	}
}

// Two proposals of one household in one result file both take effect, one
// after the other: the household gains both programmes, and its history
// names each proposal for its own change.
func TestTwoProposalsOfOneHouseholdInOneResult(t *testing.T) {
	hh, kk := registerHousehold(t, "petugas", "32.73.03.1001")
	bpnt := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "BPNT"})
	pbi := draftProposal(t, map[string]any{"kind": "program", "householdId": hh, "programme": "PBI_JK"})
	sendInBatch(t, bpnt, pbi)
	file := "id_usulan,no_kk,hasil,desil,program,id_dtsen,keterangan\n" +
		proposal.Ref("32.73.03", bpnt) + "," + kk + ",ditetapkan,2,,,\n" +
		proposal.Ref("32.73.03", pbi) + "," + kk + ",ditetapkan,3,,,\n"
	resp := importResult(t, "dinsos", "", file)
	expectStatus(t, resp, http.StatusOK)
	var res resultAnswer
	resp.json(t, &res)
	if !res.Committed || res.Decided != 2 {
		t.Errorf("the import: %+v", res)
	}
	var h struct {
		Desil      *int
		Programmes []string
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), nil).json(t, &h)
	if h.Desil == nil || *h.Desil != 3 || !slices.Contains(h.Programmes, "BPNT") || !slices.Contains(h.Programmes, "PBI_JK") {
		t.Errorf("the household after both decisions: %+v", h)
	}
	named := map[string]bool{}
	for _, c := range historyOf(t, "petugas", "32.73.03", hh) {
		if c.Via == "usulan" && c.Reason != nil {
			named[*c.Reason] = true
		}
	}
	for _, id := range []int64{bpnt, pbi} {
		if why := "usulan " + proposal.Ref("32.73.03", id) + " ditetapkan"; !named[why] {
			t.Errorf("the history does not name %q: %v", why, named)
		}
		if p := proposalOf(t, "petugas", id); p.Status != "ditetapkan" {
			t.Errorf("proposal %d: %s", id, p.Status)
		}
	}
}
