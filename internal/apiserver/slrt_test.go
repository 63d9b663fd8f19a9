package apiserver_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/testplatform"
	"github.com/slrt-id/slrt/internal/workdays"
)

// The whole loop with two Puskesos roles and an agency: a resident is
// registered, a complaint recorded and assessed, a referral drafted by the
// petugas, sent by the koordinator, accepted, worked and completed by
// Dinkes, followed up and the case closed.
func TestIntakeToCompletedReferral(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, nikHead := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Muhammad Rizky Pratama", "L", "1980-03-12", "kepala_keluarga"})
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Siti Nurhayati", "P", "1985-07-05", "istri"})
	complaint := newComplaint(t, person)

	resp := do(t, "petugas", "PUT", fmt.Sprintf("%s/keluhan/%d/asesmen", kec("32.73.03"), complaint), map[string]any{
		"documentsHeld": []string{"KTP", "PASPOR"}})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	resp = do(t, "petugas", "PUT", fmt.Sprintf("%s/keluhan/%d/asesmen", kec("32.73.03"), complaint), map[string]any{
		"documentsHeld": []string{"KTP", "KK"}, "recommendedService": "PBI_JK", "notes": "Belum terdaftar PBI",
	})
	expectStatus(t, resp, http.StatusOK)
	var assessed struct {
		Status     string `json:"status"`
		Assessment struct {
			InDTKS     bool     `json:"inDtks"`
			Desil      int      `json:"desil"`
			Programmes []string `json:"programmes"`
		} `json:"assessment"`
	}
	resp.json(t, &assessed)
	if assessed.Status != "dikaji" || !assessed.Assessment.InDTKS || assessed.Assessment.Desil != 2 || len(assessed.Assessment.Programmes) != 1 {
		t.Errorf("assessment did not take the registry facts: %s", resp.body)
	}

	id, tracking := newReferral(t, complaint, "PBI_JK", "KTP", "KK")
	if !strings.HasPrefix(tracking, "327303-") || len(tracking) != 15 {
		t.Errorf("tracking code %q", tracking)
	}
	var draft referralView
	resp = do(t, "petugas", "GET", fmt.Sprintf("%s/rujukan/%d", kec("32.73.03"), id), nil)
	resp.json(t, &draft)
	if draft.Status != "draft" || draft.ResponseDue != nil || len(draft.Documents) != 3 ||
		!draft.Documents[0].Provided || !draft.Documents[1].Provided || draft.Documents[2].Provided {
		t.Errorf("draft: %s", resp.body)
	}

	// Sending is the koordinator's decision.
	expectStatus(t, move(t, "petugas", id, "requested", ""), http.StatusForbidden)
	sent := expectMoved(t, "koordinator", id, "requested", "")
	holidays := cityHolidays(t)
	now := time.Now()
	cal := workdays.New(holidays)
	if want := cal.Due(now, 3).Format(time.DateOnly); sent.ResponseDue == nil || *sent.ResponseDue != want {
		t.Errorf("response due %v, want %s (3 working days)", sent.ResponseDue, want)
	}
	if want := cal.Due(now, 14).Format(time.DateOnly); sent.CompletionDue == nil || *sent.CompletionDue != want {
		t.Errorf("completion due %v, want %s (14 working days)", sent.CompletionDue, want)
	}
	var c struct {
		Status string `json:"status"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluhan/%d", kec("32.73.03"), complaint), nil).json(t, &c)
	if c.Status != "dirujuk" {
		t.Errorf("complaint %s after its referral was sent, want dirujuk", c.Status)
	}

	// Dinkes finds it in its inbox, with the name only.
	var inbox struct {
		Items []struct {
			Kecamatan    string  `json:"kecamatan"`
			ID           int64   `json:"id"`
			TrackingCode string  `json:"trackingCode"`
			ResidentName *string `json:"residentName"`
		} `json:"items"`
		Unavailable []any `json:"unavailable"`
	}
	resp = do(t, "dinkes", "GET", "/api/v1/instansi/DINKES/rujukan?status=requested&limit=500", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &inbox)
	found := false
	for _, it := range inbox.Items {
		if it.TrackingCode == tracking {
			found = it.Kecamatan == "32.73.03" && it.ID == id && it.ResidentName != nil && *it.ResidentName == "Muhammad Rizky Pratama"
		}
	}
	if !found || len(inbox.Unavailable) != 0 || strings.Contains(string(resp.body), nikHead) {
		t.Errorf("inbox: %s", resp.body)
	}
	// The detail shows what PBI-JK needs (NIK, No KK, ...), not disability.
	resp = do(t, "dinkes", "GET", fmt.Sprintf("/api/v1/instansi/DINKES/rujukan/32.73.03/%d", id), nil, "X-Purpose", "verifikasi PBI")
	expectStatus(t, resp, http.StatusOK)
	var detail referralView
	resp.json(t, &detail)
	if detail.Resident["nik"] != nikHead || detail.Resident["no_kk"] == nil || detail.Resident["disabilitas"] != nil || detail.Resident["pendidikan"] != nil {
		t.Errorf("resident data shared with Dinkes: %v", detail.Resident)
	}
	expectAudited(t, "dinkes", "GET /api/v1/instansi/{agency}/rujukan/{code}/{id}", "verifikasi PBI")
	// Disdik neither sees nor moves it.
	expectStatus(t, do(t, "disdik", "GET", fmt.Sprintf("/api/v1/instansi/DISDIK/rujukan/32.73.03/%d", id), nil), http.StatusNotFound)
	expectStatus(t, move(t, "disdik", id, "accepted", ""), http.StatusNotFound)

	// The case cannot close while the referral is open.
	expectStatus(t, do(t, "koordinator", "POST", fmt.Sprintf("%s/keluhan/%d/tutup", kec("32.73.03"), complaint),
		map[string]any{"outcome": "selesai_dirujuk"}), http.StatusConflict)

	expectMoved(t, "dinkes", id, "accepted", "")
	expectMoved(t, "dinkes", id, "in-progress", "")
	done := expectMoved(t, "dinkes", id, "completed", "Terdaftar PBI-JK APBD mulai bulan depan")
	wantHistory := []string{"draft", "requested", "accepted", "in-progress", "completed"}
	if len(done.History) != len(wantHistory) {
		t.Fatalf("history %+v", done.History)
	}
	for i, h := range done.History {
		if h.To != wantHistory[i] {
			t.Errorf("history[%d] to %s, want %s", i, h.To, wantHistory[i])
		}
	}
	if done.History[1].Actor != "koordinator" || done.History[2].Actor != "dinkes" || !strings.Contains(done.History[2].Role, "agency@agency:DINKES") {
		t.Errorf("history does not say who: %+v", done.History)
	}

	expectStatus(t, do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tindak-lanjut", kec("32.73.03"), complaint),
		map[string]any{"kind": "telepon", "note": "Warga mengonfirmasi kartu KIS sudah aktif"}), http.StatusCreated)
	expectStatus(t, do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tutup", kec("32.73.03"), complaint),
		map[string]any{"outcome": "selesai_dirujuk"}), http.StatusForbidden)
	resp = do(t, "koordinator", "POST", fmt.Sprintf("%s/keluhan/%d/tutup", kec("32.73.03"), complaint), map[string]any{"outcome": "selesai_dirujuk"})
	expectStatus(t, resp, http.StatusOK)
	var closed struct {
		Status    string `json:"status"`
		Outcome   string `json:"outcome"`
		FollowUps []any  `json:"followUps"`
		History   []any  `json:"history"`
		Referrals []any  `json:"referrals"`
	}
	resp.json(t, &closed)
	if closed.Status != "ditutup" || closed.Outcome != "selesai_dirujuk" || len(closed.FollowUps) != 1 || len(closed.History) != 4 || len(closed.Referrals) != 1 {
		t.Errorf("closed case: %s", resp.body)
	}
	expectStatus(t, do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tindak-lanjut", kec("32.73.03"), complaint),
		map[string]any{"kind": "telepon", "note": "lagi"}), http.StatusConflict)
}

func cityHolidays(t *testing.T) []time.Time {
	t.Helper()
	var page struct {
		Items []struct {
			Date string `json:"date"`
		} `json:"items"`
	}
	do(t, "petugas", "GET", "/api/v1/hari-libur", nil).json(t, &page)
	var out []time.Time
	for _, h := range page.Items {
		d, _ := time.Parse(time.DateOnly, h.Date)
		out = append(out, d)
	}
	return out
}

// A referral in every status, and from it every transition the workflow
// does not have, by either side: each gets a 409 naming what is allowed,
// and nothing changes.
func TestEveryForbiddenTransitionIsRefused(t *testing.T) {
	paths := map[string][][2]string{ // how to reach each status: (who, status) steps
		"draft":       nil,
		"requested":   {{"koordinator", "requested"}},
		"accepted":    {{"koordinator", "requested"}, {"dinkes", "accepted"}},
		"rejected":    {{"koordinator", "requested"}, {"dinkes", "rejected"}},
		"in-progress": {{"koordinator", "requested"}, {"dinkes", "accepted"}, {"dinkes", "in-progress"}},
		"completed":   {{"koordinator", "requested"}, {"dinkes", "accepted"}, {"dinkes", "in-progress"}, {"dinkes", "completed"}},
		"failed":      {{"koordinator", "requested"}, {"dinkes", "accepted"}, {"dinkes", "in-progress"}, {"dinkes", "failed"}},
		"cancelled":   {{"koordinator", "cancelled"}},
	}
	allowed := map[string]bool{
		"koordinator draft->requested": true, "koordinator draft->cancelled": true, "koordinator requested->cancelled": true,
		"koordinator accepted->cancelled": true, "koordinator in-progress->cancelled": true,
		"dinkes requested->accepted": true, "dinkes requested->rejected": true, "dinkes accepted->in-progress": true,
		"dinkes in-progress->completed": true, "dinkes in-progress->failed": true,
	}
	statuses := []string{"draft", "requested", "accepted", "rejected", "in-progress", "completed", "failed", "cancelled"}
	_, complaint := newCase(t)
	for from, steps := range paths {
		id, _ := newReferral(t, complaint, "PBI_JK")
		for _, st := range steps {
			expectMoved(t, st[0], id, st[1], "alasan uji")
		}
		for _, who := range []string{"koordinator", "dinkes"} {
			for _, to := range statuses {
				if allowed[who+" "+from+"->"+to] {
					continue
				}
				resp := move(t, who, id, to, "alasan uji")
				want := http.StatusConflict
				if who == "dinkes" && (from == "draft" || from == "cancelled") {
					want = http.StatusNotFound // never sent: not the agency's
				}
				if resp.status != want {
					t.Errorf("%s moving %s -> %s: status %d, want %d: %s", who, from, to, resp.status, want, resp.body)
				}
			}
		}
		var v referralView
		do(t, "petugas", "GET", fmt.Sprintf("%s/rujukan/%d", kec("32.73.03"), id), nil).json(t, &v)
		if v.Status != from || len(v.History) != len(steps)+1 {
			t.Errorf("referral %s changed by refused transitions: %s, %d events", from, v.Status, len(v.History))
		}
	}

	// The message says what the referral can become.
	id, _ := newReferral(t, complaint, "PBI_JK")
	expectMoved(t, "koordinator", id, "requested", "")
	resp := move(t, "dinkes", id, "completed", "")
	if !strings.Contains(string(resp.body), "it can become: accepted, rejected") {
		t.Errorf("409 does not say what is allowed: %s", resp.body)
	}
	// Rejection, failure and cancellation need a reason.
	resp = move(t, "dinkes", id, "rejected", "")
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(resp.body), `"field":"/reason"`) {
		t.Errorf("no /reason field error: %s", resp.body)
	}
	// The petugas cancels a draft, not a sent referral.
	draft, _ := newReferral(t, complaint, "KTP_EL")
	expectMoved(t, "petugas", draft, "cancelled", "salah layanan")
	expectStatus(t, move(t, "petugas", id, "cancelled", "berubah pikiran"), http.StatusForbidden)
}

// A retried create with the same Idempotency-Key makes one record and
// gets the first answer; the same key with another body is refused.
func TestRetriedCreatesMakeOneRecord(t *testing.T) {
	_, complaint := newCase(t)
	body := map[string]any{"complaintId": complaint, "service": "KTP_EL", "documentsProvided": []string{"KK"}}
	first := do(t, "petugas", "POST", kec("32.73.03")+"/rujukan", body, "Idempotency-Key", "rujukan-ktp-1")
	expectStatus(t, first, http.StatusCreated)
	again := do(t, "petugas", "POST", kec("32.73.03")+"/rujukan", body, "Idempotency-Key", "rujukan-ktp-1")
	expectStatus(t, again, http.StatusCreated)
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay %s, first %s", again.body, first.body)
	}
	var page struct {
		Items []any `json:"items"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluhan/%d", kec("32.73.03"), complaint), nil).json(t, &struct {
		Referrals *[]any `json:"referrals"`
	}{&page.Items})
	if len(page.Items) != 1 {
		t.Errorf("%d referrals after a retried create, want 1", len(page.Items))
	}
	body["documentsProvided"] = []string{}
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/rujukan", body, "Idempotency-Key", "rujukan-ktp-1")
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(resp.body), "idempotency.reused") {
		t.Errorf("reused key: %s", resp.body)
	}

	// Concurrent retries of a household create: one household.
	kk := newKK()
	hbody := map[string]any{"noKK": kk, "house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "001", "rw": "002", "street": "Jl. Terusan"}}
	results := make(chan *response, 4)
	for range 4 {
		go func() {
			results <- do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", hbody, "Idempotency-Key", "kk-"+kk)
		}()
	}
	ids := map[string]bool{}
	for range 4 {
		r := <-results
		expectStatus(t, r, http.StatusCreated)
		ids[string(r.body)] = true
	}
	if len(ids) != 1 {
		t.Errorf("concurrent retries answered differently: %v", ids)
	}
}

// Each NIK rule has its own field error, and nothing is written.
func TestNIKAndKKRulesAnswerWithTheirOwnFieldErrors(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	cases := map[string]struct {
		nik, sex, birth, code string
	}{
		"short":             {"327303120380001", "L", "1980-03-12", "nik.length"},
		"letters":           {"32730312038000AB", "L", "1980-03-12", "nik.digits"},
		"no such date":      {"3273033102800001", "L", "1980-02-31", "nik.date"}, // and /birthDate
		"woman without +40": {"3273031203800001", "P", "1980-03-12", "nik.sex_mismatch"},
		"man with +40":      {"3273035203800001", "L", "1980-03-12", "nik.sex_mismatch"},
		"other birth date":  {"3273031203800001", "L", "1981-03-12", "nik.birthdate_mismatch"},
		"serial 0000":       {"3273031203800000", "L", "1980-03-12", "nik.serial"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resp := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk", map[string]any{
				"nik": c.nik, "name": "Uji", "birthPlace": "Bandung", "birthDate": c.birth, "sex": c.sex,
				"householdId": hh, "relationship": "anak",
			})
			expectStatus(t, resp, http.StatusUnprocessableEntity)
			if !strings.Contains(string(resp.body), `"field":"/nik","code":"`+c.code+`"`) {
				t.Errorf("want %s on /nik: %s", c.code, resp.body)
			}
		})
	}
	var members struct {
		Members []any `json:"members"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), nil).json(t, &members)
	if len(members.Members) != 0 {
		t.Errorf("refused persons were written: %d members", len(members.Members))
	}
	for want, house := range map[string]map[string]any{
		`"field":"/noKK","code":"kk.date"`: {"kelurahan": "32.73.03.1001", "rt": "001", "rw": "002", "street": "Jl."},
		`"field":"/house/rt"`:              {"kelurahan": "32.73.03.1001", "rt": "1", "rw": "002", "street": "Jl."},
	} {
		resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{"noKK": "3273033102100001", "house": house})
		expectStatus(t, resp, http.StatusUnprocessableEntity)
		if !strings.Contains(string(resp.body), want) {
			t.Errorf("want %s: %s", want, resp.body)
		}
	}
}

// A NIK registered twice in one kecamatan is refused with a link to the
// person; one registered in another kecamatan is reported by kecamatan
// only, through an index that holds keyed hashes, never NIKs.
func TestDuplicateNIKWithinAndAcrossKecamatan(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, n := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Dedi Mulyadi", "L", "1990-01-02", "kepala_keluarga"})
	body := map[string]any{"nik": n, "name": "Dedi M", "birthPlace": "Bandung", "birthDate": "1990-01-02", "sex": "L",
		"householdId": hh, "relationship": "famili_lain"}
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk", body)
	expectStatus(t, resp, http.StatusConflict)
	var conflict struct {
		Existing       string   `json:"existing"`
		OtherKecamatan []string `json:"otherKecamatan"`
	}
	resp.json(t, &conflict)
	if conflict.Existing != fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person) {
		t.Errorf("conflict does not link the person: %s", resp.body)
	}

	// The same resident in Bojongloa Kaler.
	hhBK, _ := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	body["householdId"], body["relationship"] = hhBK, "kepala_keluarga"
	resp = do(t, "petugas-bk", "POST", kec("32.73.04")+"/penduduk", body)
	expectStatus(t, resp, http.StatusConflict)
	conflict.Existing, conflict.OtherKecamatan = "", nil
	resp.json(t, &conflict)
	if len(conflict.OtherKecamatan) != 1 || conflict.OtherKecamatan[0] != "32.73.03" || conflict.Existing != "" ||
		strings.Contains(string(resp.body), "Dedi Mulyadi") {
		t.Errorf("other kecamatan: %s", resp.body)
	}
	body["acknowledgeOtherKecamatan"] = true
	resp = do(t, "petugas-bk", "POST", kec("32.73.04")+"/penduduk", body)
	expectStatus(t, resp, http.StatusCreated)

	// The index holds the keyed hash, not the NIK nor its plain hash.
	ctx := context.Background()
	mac := hmac.New(sha256.New, []byte(testplatform.TestNIKIndexKey))
	mac.Write([]byte(n))
	plain := sha256.Sum256([]byte(n))
	var keyed, unkeyed, asText int
	err := adminControl(t).QueryRow(ctx, `SELECT count(*) FILTER (WHERE nik_hash = $1), count(*) FILTER (WHERE nik_hash = $2),
		count(*) FILTER (WHERE position($3::bytea IN nik_hash) > 0) FROM nik_index`, mac.Sum(nil), plain[:], []byte(n)).Scan(&keyed, &unkeyed, &asText)
	if err != nil {
		t.Fatal(err)
	}
	if keyed != 2 || unkeyed != 0 || asText != 0 {
		t.Errorf("nik_index: %d keyed rows (want 2: both kecamatan), %d plain-hash, %d holding the NIK", keyed, unkeyed, asText)
	}
}

// Name search finds the spellings of one name, masks NIK and No KK, stays
// in the caller's kelurahan, and pages with a cursor.
func TestNameSearchToleratesSpellingVariants(t *testing.T) {
	hh, kk := registerHousehold(t, "petugas", "32.73.03.1001")
	_, n := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Mochammad Soeryadi", "L", "1970-05-06", "kepala_keluarga"})
	for _, q := range []string{"Muhamad Suryadi", "mohammad suryady", "M. Soeryadi"} {
		resp := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"name": q})
		expectStatus(t, resp, http.StatusOK)
		if !strings.Contains(string(resp.body), "Mochammad Soeryadi") {
			t.Errorf("%q did not find Mochammad Soeryadi: %s", q, resp.body)
		}
		if strings.Contains(string(resp.body), n) || strings.Contains(string(resp.body), kk) ||
			!strings.Contains(string(resp.body), n[:4]+"••••••••"+n[12:]) {
			t.Errorf("list not masked: %s", resp.body)
		}
	}
	for _, q := range []map[string]any{{"nik": n}, {"noKK": kk}} {
		resp := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", q)
		var page struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		resp.json(t, &page)
		if len(page.Items) != 1 || page.Items[0].Name != "Mochammad Soeryadi" {
			t.Errorf("exact search %v: %s", q, resp.body)
		}
	}
	// A petugas of another kelurahan does not find them.
	other := addCaller(t, "petugas-1002", "petugas", "32.73.03.1002")
	resp := do(t, other, "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": n})
	if strings.Contains(string(resp.body), "Soeryadi") {
		t.Errorf("petugas of 1002 found a resident of 1001: %s", resp.body)
	}
	// Paging walks every match once.
	for i := range 3 {
		registerPerson(t, "petugas", "32.73.03", hh, personSpec{fmt.Sprintf("Muhamad Soeryadi %c", 'A'+i), "L", "1995-05-06", "anak"})
	}
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		q := map[string]any{"name": "Muhammad Suryadi", "limit": 2, "kelurahan": "32.73.03.1001"}
		if cursor != "" {
			q["cursor"] = cursor
		}
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			NextCursor string `json:"nextCursor"`
		}
		do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", q).json(t, &page)
		for _, it := range page.Items {
			key := fmt.Sprint(it.ID)
			if seen[key] {
				t.Errorf("person %s on two pages", key)
			}
			seen[key] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) < 4 {
		t.Errorf("paging found %d persons, want at least 4", len(seen))
	}
}

// Lists mask; opening a full record is audited with its purpose; a
// supervisor reads, a petugas of another kelurahan does not.
func TestFullRecordReadsAreAuditedAndScoped(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, n := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Euis Komariah", "P", "1965-11-30", "kepala_keluarga"})
	resp := do(t, "supervisor", "GET", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person), nil, "X-Purpose", "verifikasi keluhan")
	expectStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(resp.body), n) {
		t.Errorf("full record without the NIK: %s", resp.body)
	}
	expectAudited(t, "supervisor", "GET /api/v1/kecamatan/{code}/penduduk/{id}", "verifikasi keluhan")

	other := addCaller(t, "petugas-1002b", "petugas", "32.73.03.1002")
	for _, path := range []string{fmt.Sprintf("/penduduk/%d", person), fmt.Sprintf("/keluarga/%d", hh)} {
		expectStatus(t, do(t, other, "GET", kec("32.73.03")+path, nil), http.StatusNotFound)
	}
	expectStatus(t, do(t, other, "PATCH", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person), map[string]any{"presence": "pindah"}), http.StatusNotFound)
	// Registering into a kelurahan not one's own is forbidden.
	resp = do(t, other, "POST", kec("32.73.03")+"/keluarga", map[string]any{
		"noKK": newKK(), "house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "001", "rw": "001", "street": "Jl. Lain"}})
	expectStatus(t, resp, http.StatusForbidden)
}

// Moving a person into another household closes the old membership and
// keeps it as history; one head per household.
func TestMovesKeepHistory(t *testing.T) {
	from, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	to, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", from, personSpec{"Rina Marlina", "P", "2000-02-29", "anak"})
	registerPerson(t, "petugas", "32.73.03", to, personSpec{"Ujang Koswara", "L", "1998-04-01", "kepala_keluarga"})
	resp := do(t, "petugas", "PATCH", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person),
		map[string]any{"move": map[string]any{"householdId": to, "relationship": "kepala_keluarga", "reason": "menikah"}})
	expectStatus(t, resp, http.StatusConflict)
	resp = do(t, "petugas", "PATCH", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person),
		map[string]any{"move": map[string]any{"householdId": to, "relationship": "istri", "reason": "menikah"}, "pregnant": true})
	expectStatus(t, resp, http.StatusOK)
	var p struct {
		Pregnant  bool `json:"pregnant"`
		Household struct {
			ID int64 `json:"id"`
		} `json:"household"`
		History []struct {
			HouseholdID int64   `json:"householdId"`
			Until       *string `json:"until"`
			Reason      *string `json:"reason"`
		} `json:"history"`
	}
	resp.json(t, &p)
	if !p.Pregnant || p.Household.ID != to || len(p.History) != 2 || p.History[1].HouseholdID != from ||
		p.History[1].Until == nil || p.History[1].Reason == nil || *p.History[1].Reason != "menikah" {
		t.Errorf("after the move: %s", resp.body)
	}
	var old struct {
		Members []any `json:"members"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), from), nil).json(t, &old)
	if len(old.Members) != 0 {
		t.Errorf("the old household still lists %d members", len(old.Members))
	}
	// A second KK in the same house.
	resp = do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{"noKK": newKK(), "houseId": houseOf(t, from)})
	expectStatus(t, resp, http.StatusCreated)
	var second createdResp
	resp.json(t, &second)
	var shared struct {
		SameHouse []int64 `json:"sameHouse"`
		Street    string  `json:"street"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), from), nil).json(t, &shared)
	if len(shared.SameHouse) != 1 || shared.SameHouse[0] != second.ID || shared.Street == "" {
		t.Errorf("the first household does not see the second in its house: %+v", shared)
	}

	// A man cannot be recorded pregnant.
	resp = do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), to), nil)
	var hh struct {
		Members []struct {
			PersonID int64  `json:"personId"`
			Sex      string `json:"sex"`
		} `json:"members"`
	}
	resp.json(t, &hh)
	for _, m := range hh.Members {
		if m.Sex == "L" {
			resp := do(t, "petugas", "PATCH", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), m.PersonID), map[string]any{"pregnant": true})
			expectStatus(t, resp, http.StatusUnprocessableEntity)
		}
	}
}

func houseOf(t *testing.T, household int64) int64 {
	t.Helper()
	var h struct {
		HouseID int64 `json:"houseId"`
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), household), nil).json(t, &h)
	return h.HouseID
}

// The agency inbox reads every kecamatan; one whose database does not
// answer is named, the others are served.
func TestInboxServesWhenOneKecamatanIsDown(t *testing.T) {
	_, complaint := newCase(t)
	id, tracking := newReferral(t, complaint, "PBI_JK")
	expectMoved(t, "koordinator", id, "requested", "")
	// And one in Bojongloa Kaler.
	hhBK, _ := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	personBK, _ := registerPerson(t, "petugas-bk", "32.73.04", hhBK, personSpec{"Iwan Setiawan", "L", "1975-12-01", "kepala_keluarga"})
	resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/keluhan", map[string]any{
		"personId": personBK, "channel": "whatsapp", "category": "IURAN_BPJS", "description": "Kartu KIS nonaktif", "urgency": "biasa"})
	expectStatus(t, resp, http.StatusCreated)

	ctx := context.Background()
	admin := adminConn(t)
	if _, err := admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS true`) })
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'slrt_32_73_04'`); err != nil {
		t.Fatal(err)
	}
	resp = do(t, "dinkes", "GET", "/api/v1/instansi/DINKES/rujukan?limit=500", nil)
	expectStatus(t, resp, http.StatusOK)
	var inbox struct {
		Items []struct {
			TrackingCode string `json:"trackingCode"`
		} `json:"items"`
		Unavailable []struct {
			Kecamatan string `json:"kecamatan"`
			Reason    string `json:"reason"`
		} `json:"unavailable"`
	}
	resp.json(t, &inbox)
	if len(inbox.Unavailable) != 1 || inbox.Unavailable[0].Kecamatan != "32.73.04" || inbox.Unavailable[0].Reason != "unreachable" {
		t.Errorf("unavailable: %s", resp.body)
	}
	if !strings.Contains(string(resp.body), tracking) {
		t.Errorf("Babakan Ciparay's referral missing while Bojongloa Kaler is down: %s", resp.body)
	}
	if _, err := admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	err := waitFor(10*time.Second, func() error {
		resp := do(t, "dinkes", "GET", "/api/v1/instansi/DINKES/rujukan?limit=1", nil)
		if strings.Contains(string(resp.body), `"unavailable":[]`) {
			return nil
		}
		return fmt.Errorf("still unavailable: %s", resp.body)
	})
	if err != nil {
		t.Error(err)
	}
}

// Referrals past their response or completion target are flagged in lists
// and counted for the supervisor and for Dinas Sosial across the city.
func TestOverdueReferralsAreFlaggedAndCounted(t *testing.T) {
	_, complaint := newCase(t)
	late, _ := newReferral(t, complaint, "RTLH")
	expectMoved(t, "koordinator", late, "requested", "")
	onTime, _ := newReferral(t, complaint, "RTLH")
	expectMoved(t, "koordinator", onTime, "requested", "")
	makeLate(t, late)
	var list struct {
		Items []struct {
			ID                int64 `json:"id"`
			ResponseOverdue   bool  `json:"responseOverdue"`
			CompletionOverdue bool  `json:"completionOverdue"`
		} `json:"items"`
	}
	do(t, "supervisor", "GET", kec("32.73.03")+"/rujukan?overdue=true&agency=DISPERKIM&limit=500", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != late || !list.Items[0].ResponseOverdue || !list.Items[0].CompletionOverdue {
		t.Errorf("overdue list: %+v", list.Items)
	}
	type count struct {
		Kecamatan         string `json:"kecamatan"`
		Kelurahan         string `json:"kelurahan"`
		Agency            string `json:"agency"`
		Open              int    `json:"open"`
		ResponseOverdue   int    `json:"responseOverdue"`
		CompletionOverdue int    `json:"completionOverdue"`
	}
	var report struct {
		Items       []count `json:"items"`
		Unavailable []any   `json:"unavailable"`
	}
	find := func(kecamatan string) *count {
		for i, c := range report.Items {
			if c.Kelurahan == "32.73.03.1001" && c.Agency == "DISPERKIM" && c.Kecamatan == kecamatan {
				return &report.Items[i]
			}
		}
		return nil
	}
	do(t, "supervisor", "GET", kec("32.73.03")+"/rujukan/terlambat", nil).json(t, &report)
	if c := find(""); c == nil || c.Open != 2 || c.ResponseOverdue != 1 || c.CompletionOverdue != 1 {
		t.Errorf("kecamatan counts: %+v", report.Items)
	}
	resp := do(t, "dinsos", "GET", "/api/v1/rujukan/terlambat", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &report)
	if c := find("32.73.03"); c == nil || c.Open != 2 || c.ResponseOverdue != 1 || len(report.Unavailable) != 0 {
		t.Errorf("city counts: %s", resp.body)
	}
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/rujukan/terlambat", nil), http.StatusForbidden)

	// The metrics count them too, by kecamatan and agency, recounted in the
	// background by a replica that does so.
	o := options
	o.Migrate = false
	o.HTTP.ReferralMetricsEvery = 200 * time.Millisecond
	replica, err := apiserver.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	series := regexp.MustCompile(`slrt_referrals_overdue\{[^}]*slrt_agency="DISPERKIM"[^}]*slrt_target="completion"[^}]*slrt_tenant="32.73.03"[^}]*\} ([0-9]+)`)
	err = waitFor(10*time.Second, func() error {
		m := series.FindStringSubmatch(scrapeMetrics(t))
		if m == nil || m[1] == "0" {
			return fmt.Errorf("no overdue DISPERKIM referrals in the metrics yet: %v", m)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// scrapeMetrics reads the API's Prometheus endpoint.
func scrapeMetrics(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(tel.Metrics)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// Dinas Sosial keeps the catalogue; new referrals use its targets, and the
// holidays it enters push deadlines.
func TestDinsosKeepsTheCatalogue(t *testing.T) {
	resp := do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", map[string]any{
		"name": "Beasiswa kuliah bagi keluarga miskin", "agency": "DISDIK", "requiredDocuments": []string{"KTP", "KK"},
		"sharedFields": []string{"nama", "pendidikan"}, "responseDays": 5, "completionDays": 20})
	expectStatus(t, resp, http.StatusCreated)
	resp = do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", map[string]any{
		"name": "x", "agency": "NOPE", "responseDays": 5, "completionDays": 20})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	resp = do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", map[string]any{
		"name": "x", "agency": "DISDIK", "responseDays": 5, "completionDays": 2})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	resp = do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", map[string]any{
		"name": "x", "agency": "DISDIK", "requiredDocuments": []string{"IJAZAH_PALSU"}, "responseDays": 5, "completionDays": 20})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	expectStatus(t, do(t, "petugas", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", map[string]any{
		"name": "x", "agency": "DISDIK", "responseDays": 5, "completionDays": 20}), http.StatusForbidden)

	// Every change is kept with who, when, why and the service before and
	// after; sending the same service again records nothing.
	changed := map[string]any{"name": "Beasiswa kuliah bagi keluarga miskin", "agency": "DISDIK", "requiredDocuments": []string{"KTP", "KK"},
		"sharedFields": []string{"nama", "pendidikan"}, "responseDays": 5, "completionDays": 25, "reason": "SK Kadinsos 12/2026"}
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", changed), http.StatusOK)
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/layanan/BEASISWA_KULIAH", changed), http.StatusOK)
	var history struct {
		Items []struct {
			Username, Reason string
			Before, After    map[string]any
		} `json:"items"`
	}
	do(t, "auditor", "GET", "/api/v1/katalog/riwayat?kind=layanan&code=BEASISWA_KULIAH", nil).json(t, &history)
	if h := history.Items; len(h) != 2 || h[0].Username != "dinsos" || h[0].Reason != "SK Kadinsos 12/2026" ||
		h[0].Before["completion_days"] != 20.0 || h[0].After["completion_days"] != 25.0 || h[1].Before != nil || h[1].After["name"] == nil {
		t.Errorf("history of BEASISWA_KULIAH: %+v", h)
	}
	expectStatus(t, do(t, "petugas", "GET", "/api/v1/katalog/riwayat?kind=layanan", nil), http.StatusForbidden)
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/katalog/riwayat?kind=penduduk", nil), http.StatusUnprocessableEntity)

	// Tomorrow and the day after become holidays: a new referral's response
	// target moves past them.
	tomorrow := workdays.Today(time.Now()).AddDate(0, 0, 1)
	for _, d := range []time.Time{tomorrow, tomorrow.AddDate(0, 0, 1)} {
		day := d.Format(time.DateOnly)
		expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/hari-libur/"+day, map[string]any{"name": "Cuti bersama (uji)"}), http.StatusCreated)
		t.Cleanup(func() { do(t, "dinsos", "DELETE", "/api/v1/hari-libur/"+day, nil) })
	}
	// A holiday removed is in the calendar's history, with why.
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/hari-libur/2033-01-03", map[string]any{"name": "Libur sehari"}), http.StatusCreated)
	expectStatus(t, do(t, "dinsos", "DELETE", "/api/v1/hari-libur/2033-01-03?reason=Dibatalkan", nil), http.StatusNoContent)
	do(t, "dinsos", "GET", "/api/v1/katalog/riwayat?kind=libur&code=2033-01-03", nil).json(t, &history)
	if h := history.Items; len(h) != 2 || h[0].After != nil || h[0].Before["name"] != "Libur sehari" || h[0].Reason != "Dibatalkan" {
		t.Errorf("history of 2033-01-03: %+v", h)
	}
	_, complaint := newCase(t)
	id, _ := newReferral(t, complaint, "BEASISWA_KULIAH", "KTP")
	v := expectMoved(t, "koordinator", id, "requested", "")
	want := workdays.New(cityHolidays(t)).Due(time.Now(), 5)
	if v.ResponseDue == nil || *v.ResponseDue != want.Format(time.DateOnly) {
		t.Errorf("response due %v, want %s", v.ResponseDue, want.Format(time.DateOnly))
	}
	if due, _ := time.Parse(time.DateOnly, *v.ResponseDue); !due.After(workdays.New(nil).Due(time.Now(), 5).AddDate(0, 0, -1)) {
		t.Errorf("holidays did not push the deadline: %s", *v.ResponseDue)
	}
	// Categories: a retired one cannot be used for new complaints.
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/kategori-keluhan/UJI_PENSIUN", map[string]any{"name": "Kategori lama", "active": false}), http.StatusCreated)
	person, _ := newCase(t)
	resp = do(t, "petugas", "POST", kec("32.73.03")+"/keluhan", map[string]any{
		"personId": person, "channel": "telepon", "category": "UJI_PENSIUN", "description": "x", "urgency": "biasa"})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
}

// expectAudited finds an audit entry of who for action with purpose.
func expectAudited(t *testing.T, who, action, purpose string) {
	t.Helper()
	var page struct {
		Items []struct {
			Username string `json:"username"`
			Action   string `json:"action"`
			Purpose  string `json:"purpose"`
		} `json:"items"`
	}
	do(t, "auditor", "GET", "/api/v1/audit?username="+who+"&limit=500", nil).json(t, &page)
	for _, e := range page.Items {
		if e.Action == action && e.Purpose == purpose {
			return
		}
	}
	t.Errorf("no audit entry for %s %s (purpose %q)", who, action, purpose)
}

// addCaller makes an account with one grant, and waits until the API
// knows it.
func addCaller(t *testing.T, name, role, domain string) string {
	t.Helper()
	ctx := context.Background()
	if _, ok := callers[name]; ok {
		return name
	}
	acct, err := app.Store.CreateAccount(ctx, name, "Staf "+name, mustHash(t, testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.CreateGrant(ctx, acct.ID, authz.Role(role), domain, 0); err != nil {
		t.Fatal(err)
	}
	_, secret, err := app.Store.CreateToken(ctx, acct.ID, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	callers[name] = &caller{username: name, token: secret, role: authz.Role(role), domain: domain}
	err = waitFor(10*time.Second, func() error {
		if len(app.Authorizer.Grants(acct.ID)) == 0 {
			return errNotYet
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// adminControl connects to the control database as its superuser.
func adminControl(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := env.Postgres.Connect(ctx, "slrt_control")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}
