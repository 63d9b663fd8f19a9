package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/transfer"
)

// transferView is a transfer as the API answers it.
type transferView struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	Step           string  `json:"step"`
	Waiting        *string `json:"waiting"`
	NewHouseholdID *int64  `json:"newHouseholdId"`
	Members        *int    `json:"members"`
	Complaints     *int    `json:"complaints"`
	FromKecamatan  string  `json:"fromKecamatan"`
	ToKecamatan    string  `json:"toKecamatan"`
}

// movingHousehold is a household of Babakan Ciparay with three members,
// cases about two of them (one assessed, followed up and referred to
// Dinkes, sent), and its NIKs and tracking code.
type movingHousehold struct {
	id         int64
	niks       []string
	complaints []int64
	referral   int64
	tracking   string
}

func newMovingHousehold(t *testing.T) *movingHousehold {
	t.Helper()
	m := &movingHousehold{}
	m.id, _ = registerHousehold(t, "petugas", "32.73.03.1001")
	head, n1 := registerPerson(t, "petugas", "32.73.03", m.id, personSpec{"Dadang Suherman", "L", "1977-02-11", "kepala_keluarga"})
	wife, n2 := registerPerson(t, "petugas", "32.73.03", m.id, personSpec{"Euis Kurniasih", "P", "1981-10-23", "istri"})
	_, n3 := registerPerson(t, "petugas", "32.73.03", m.id, personSpec{"Rizal Suherman", "L", "2009-05-30", "anak"})
	m.niks = []string{n1, n2, n3}
	first := newComplaint(t, head)
	expectStatus(t, do(t, "petugas", "PUT", fmt.Sprintf("%s/keluhan/%d/asesmen", kec("32.73.03"), first), map[string]any{
		"documentsHeld": []string{"KTP", "KK"}, "recommendedService": "PBI_JK", "notes": "Belum terdaftar PBI"}), http.StatusOK)
	expectStatus(t, do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tindak-lanjut", kec("32.73.03"), first), map[string]any{
		"kind": "kunjungan_rumah", "note": "Rumah dikunjungi, keluarga bersiap pindah ke Bojongloa Kaler"}), http.StatusCreated)
	m.referral, m.tracking = newReferral(t, first, "PBI_JK", "KTP", "KK")
	expectMoved(t, "koordinator", m.referral, "requested", "")
	m.complaints = []int64{first, newComplaint(t, wife)}
	return m
}

// caseFile reads what a kecamatan's staff see of a household and its
// cases, without what names rows or places (ids, kelurahan, locations):
// what a transfer must carry over unchanged.
func caseFile(t *testing.T, who, code string, household int64, complaints []int64) map[string]any {
	t.Helper()
	out := map[string]any{}
	resp := do(t, who, "GET", fmt.Sprintf("%s/keluarga/%d", kec(code), household), nil)
	expectStatus(t, resp, http.StatusOK)
	out["household"] = withoutPlace(t, resp.body)
	for i, c := range complaints {
		resp := do(t, who, "GET", fmt.Sprintf("%s/keluhan/%d", kec(code), c), nil)
		expectStatus(t, resp, http.StatusOK)
		out[fmt.Sprint("complaint ", i)] = withoutPlace(t, resp.body)
	}
	return out
}

// withoutPlace decodes a JSON record and drops what a move changes: ids,
// the kelurahan and the address.
func withoutPlace(t *testing.T, body []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k := range x {
				if k == "id" || strings.HasSuffix(k, "Id") || k == "houseId" || k == "kelurahan" || k == "rt" || k == "rw" ||
					k == "street" || k == "sameHouse" || k == "location" {
					delete(x, k)
					continue
				}
				x[k] = strip(x[k])
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return v
	}
	return strip(v)
}

// inTenant runs a query on a kecamatan's database and scans one row.
func inTenant(t *testing.T, code, sql string, args []any, into ...any) {
	t.Helper()
	ctx := context.Background()
	tn, err := app.Tenants.Lookup(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	cn, err := app.Tenants.Acquire(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Release()
	if err := cn.QueryRow(ctx, sql, args...).Scan(into...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// complaintsOf lists the complaints about a household's current members,
// in the order they were made.
func complaintsOf(t *testing.T, code string, household int64) []int64 {
	t.Helper()
	var ids []int64
	inTenant(t, code, `SELECT coalesce(array_agg(c.id ORDER BY c.id), '{}') FROM complaint c
		JOIN membership m ON m.person_id = c.person_id AND m.until IS NULL WHERE m.household_id = $1`, []any{household}, &ids)
	return ids
}

func waitTransfer(t *testing.T, who, code, id string, done func(transferView) bool) transferView {
	t.Helper()
	var last transferView
	if err := waitFor(60*time.Second, func() error {
		resp := do(t, who, "GET", kec(code)+"/pindah/"+id, nil)
		expectStatus(t, resp, http.StatusOK)
		last = transferView{} // what the answer omits is not kept from the last
		resp.json(t, &last)
		if !done(last) {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("transfer %s: %+v", id, last)
	}
	return last
}

func finished(v transferView) bool {
	return v.Status == string(transfer.Done) || v.Status == string(transfer.Failed)
}

// expectArrived checks a household that moved from Babakan Ciparay to
// Bojongloa Kaler: its case file there equals the one it left, nothing is
// left or doubled behind, the NIK index, the agency's inbox and the
// tracking code follow it.
func expectArrived(t *testing.T, m *movingHousehold, before map[string]any, v transferView) {
	t.Helper()
	if v.Status != "selesai" || v.NewHouseholdID == nil || v.Members == nil || *v.Members != 3 || *v.Complaints != 2 {
		t.Fatalf("transfer ended %+v", v)
	}
	moved := complaintsOf(t, "32.73.04", *v.NewHouseholdID)
	if len(moved) != len(m.complaints) {
		t.Fatalf("%d complaints arrived, want %d", len(moved), len(m.complaints))
	}
	after := caseFile(t, "koordinator-bk", "32.73.04", *v.NewHouseholdID, moved)
	if !reflect.DeepEqual(before, after) {
		b, _ := json.MarshalIndent(before, "", " ")
		a, _ := json.MarshalIndent(after, "", " ")
		t.Errorf("the case file changed in the move:\nbefore %s\nafter %s", b, a)
	}
	var persons, households, referrals, departures int
	inTenant(t, "32.73.04", `SELECT (SELECT count(*) FROM person WHERE nik = ANY ($1)), (SELECT count(*) FROM household h
		JOIN membership x ON x.household_id = h.id JOIN person p ON p.id = x.person_id WHERE p.nik = $2),
		(SELECT count(*) FROM referral WHERE tracking_code = $3), 0`, []any{m.niks, m.niks[0], m.tracking},
		&persons, &households, &referrals, &departures)
	if persons != 3 || households != 1 || referrals != 1 {
		t.Errorf("in Bojongloa Kaler: %d persons, %d households, %d referrals", persons, households, referrals)
	}
	inTenant(t, "32.73.03", `SELECT (SELECT count(*) FROM person WHERE nik = ANY ($1)), (SELECT count(*) FROM household WHERE id = $2),
		(SELECT count(*) FROM referral WHERE tracking_code = $3), (SELECT count(*) FROM household_departure WHERE $3 = ANY (tracking_codes))`,
		[]any{m.niks, m.id, m.tracking}, &persons, &households, &referrals, &departures)
	if persons != 0 || households != 0 || referrals != 0 || departures != 1 {
		t.Errorf("left in Babakan Ciparay: %d persons, %d households, %d referrals, %d tombstones", persons, households, referrals, departures)
	}
	// The NIK index names the new kecamatan only.
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/penduduk", map[string]any{"nik": m.niks[2], "name": "Rizal Suherman",
		"birthPlace": "Bandung", "birthDate": "2009-05-30", "sex": "L", "householdId": newHouseholdFor(t), "relationship": "anak"})
	expectStatus(t, resp, http.StatusConflict)
	if !strings.Contains(string(resp.body), `"otherKecamatan":["32.73.04"]`) {
		t.Errorf("NIK index after the move: %s", resp.body)
	}
	// Dinkes sees the referral once, in its new kecamatan.
	var inbox struct {
		Items []struct {
			Kecamatan    string `json:"kecamatan"`
			TrackingCode string `json:"trackingCode"`
		} `json:"items"`
	}
	resp = do(t, "dinkes", "GET", "/api/v1/instansi/DINKES/rujukan?status=requested&limit=500", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &inbox)
	var seen []string
	for _, it := range inbox.Items {
		if it.TrackingCode == m.tracking {
			seen = append(seen, it.Kecamatan)
		}
	}
	if !reflect.DeepEqual(seen, []string{"32.73.04"}) {
		t.Errorf("Dinkes's inbox shows the referral in %v", seen)
	}
	// The resident's tracking code still answers.
	resp = do(t, "", "GET", "/api/v1/lacak/"+m.tracking, nil)
	expectStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(resp.body), `"requested"`) {
		t.Errorf("tracking after the move: %s", resp.body)
	}
}

// moves reads the households and persons a kecamatan's report counts as
// having moved in its kelurahan 1001 today, in direction (masuk, keluar).
func moves(t *testing.T, code, direction string) [2]float64 {
	t.Helper()
	var report reportJSON
	resp := do(t, "dinsos", "GET", kec(code)+"/laporan", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &report)
	row := report.row("keluarga_pindah", code+".1001", direction)
	if row == nil {
		return [2]float64{}
	}
	return [2]float64{row[2].(float64), row[3].(float64)}
}

// newHouseholdFor is a household of Babakan Ciparay to register into.
func newHouseholdFor(t *testing.T) int64 {
	t.Helper()
	id, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	return id
}

// The receiving Puskesos asks for a household by a member's NIK, the
// sending koordinator accepts, and the household arrives whole: members,
// history, cases, the open referral; the sending kecamatan keeps a
// tombstone only.
func TestAHouseholdAskedForMovesWithItsCases(t *testing.T) {
	m := newMovingHousehold(t)
	before := caseFile(t, "koordinator", "32.73.03", m.id, m.complaints)
	outBefore, inBefore := moves(t, "32.73.03", "keluar"), moves(t, "32.73.04", "masuk")
	ask := map[string]any{"nik": m.niks[1], "kelurahan": "32.73.04.1001", "rt": "002", "rw": "005",
		"street": "Jl. Bojongloa Gg. Mawar 4", "reason": "Keluarga pindah rumah sejak Oktober"}

	resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", map[string]any{"nik": m.niks[1], "kelurahan": "32.73.04.1001",
		"rt": "2", "rw": "005", "street": "Jl. Bojongloa", "reason": "pindah"})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	resp = do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", ask, "Idempotency-Key", "minta-"+m.niks[1])
	expectStatus(t, resp, http.StatusCreated)
	var asked transferView
	resp.json(t, &asked)
	if asked.Status != "diminta" || asked.FromKecamatan != "32.73.03" || asked.ToKecamatan != "32.73.04" {
		t.Fatalf("asked: %s", resp.body)
	}
	// A retry with its key gets the same transfer; a second ask is refused.
	resp = do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", ask, "Idempotency-Key", "minta-"+m.niks[1])
	expectStatus(t, resp, http.StatusCreated)
	if !strings.Contains(string(resp.body), asked.ID) || resp.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retried ask: %s", resp.body)
	}
	expectStatus(t, do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", ask), http.StatusConflict)

	// The sending side decides; the asking side may not.
	decide := func(who, code string, body any) *response {
		return do(t, who, "POST", kec(code)+"/pindah/"+asked.ID+"/keputusan", body)
	}
	expectStatus(t, decide("koordinator-bk", "32.73.04", map[string]any{"accept": true}), http.StatusConflict)
	expectStatus(t, decide("koordinator", "32.73.03", map[string]any{"accept": false}), http.StatusUnprocessableEntity)
	expectStatus(t, decide("koordinator", "32.73.03", map[string]any{"accept": true}), http.StatusOK)

	done := waitTransfer(t, "petugas-bk", "32.73.04", asked.ID, finished)
	expectArrived(t, m, before, done)
	// The sending side sees it done; its household is gone.
	waitTransfer(t, "koordinator", "32.73.03", asked.ID, finished)
	expectStatus(t, do(t, "koordinator", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), m.id), nil), http.StatusNotFound)
	// The reports count the departure and the arrival.
	if out, in := moves(t, "32.73.03", "keluar"), moves(t, "32.73.04", "masuk"); out != [2]float64{outBefore[0] + 1, outBefore[1] + 3} ||
		in != [2]float64{inBefore[0] + 1, inBefore[1] + 3} {
		t.Errorf("reported moves: out %v (before %v), in %v (before %v)", out, outBefore, in, inBefore)
	}
	// The history says where the household came from.
	resp = do(t, "koordinator-bk", "GET", fmt.Sprintf("%s/keluarga/%d/riwayat", kec("32.73.04"), *done.NewHouseholdID), nil)
	expectStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(resp.body), "pindah dari kecamatan 32.73.03") {
		t.Errorf("history of the arrived household: %s", resp.body)
	}
	// Dinas Sosial sees it in the city's list.
	resp = do(t, "dinsos", "GET", "/api/v1/pindah", nil)
	expectStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(resp.body), asked.ID) {
		t.Errorf("the city's transfers: %s", resp.body)
	}
	// Another kecamatan's staff do not see it.
	expectStatus(t, do(t, "petugas-bk", "GET", kec("32.73.03")+"/pindah/"+asked.ID, nil), http.StatusForbidden)
}

// An offered transfer, its job stopped after each step as by a crash and
// taken up again: it ends once, with nothing lost or doubled.
func TestATransferStoppedAfterEachStepEndsOnce(t *testing.T) {
	m := newMovingHousehold(t)
	before := caseFile(t, "koordinator", "32.73.03", m.id, m.complaints)
	var mu sync.Mutex
	stopped := map[transfer.Step]bool{}
	app.UseCases.AfterTransferStep = func(id string, step transfer.Step) error {
		mu.Lock()
		defer mu.Unlock()
		if stopped[step] {
			return nil
		}
		stopped[step] = true
		return fmt.Errorf("stopped after %s (test)", step)
	}
	t.Cleanup(func() { app.UseCases.AfterTransferStep = nil })

	resp := do(t, "petugas", "POST", kec("32.73.03")+"/pindah/tawaran", map[string]any{"householdId": m.id, "toKecamatan": "32.73.04",
		"reason": "Keluarga pindah ke Bojongloa Kaler"})
	expectStatus(t, resp, http.StatusCreated)
	var offered transferView
	resp.json(t, &offered)
	// Accepting an offer names where the household lives.
	path := kec("32.73.04") + "/pindah/" + offered.ID + "/keputusan"
	resp = do(t, "koordinator-bk", "POST", path, map[string]any{"accept": true})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	expectField(t, resp, "/kelurahan")
	expectStatus(t, do(t, "koordinator-bk", "POST", path, map[string]any{"accept": true, "kelurahan": "32.73.04.1001", "rt": "007",
		"rw": "002", "street": "Jl. Kopo Gg. Bakti 9"}), http.StatusOK)

	done := waitTransfer(t, "koordinator-bk", "32.73.04", offered.ID, finished)
	mu.Lock()
	if len(stopped) != 4 {
		t.Errorf("stopped after %v, want after each of the four steps", stopped)
	}
	mu.Unlock()
	expectArrived(t, m, before, done)
}

// A database that cannot be reached holds the transfer, saying why: the
// sending one before the first step, the receiving one after the hold
// (the household taking no change meanwhile). It completes when the
// database is back.
func TestATransferWaitsForAnUnreachableDatabase(t *testing.T) {
	for _, c := range []struct {
		side, database, waitsAfter string
	}{
		{"sending", "slrt_32_73_03", ""},
		{"receiving", "slrt_32_73_04", "ditahan"},
	} {
		t.Run("the "+c.side+" kecamatan's", func(t *testing.T) {
			ctx := context.Background()
			m := newMovingHousehold(t)
			before := caseFile(t, "koordinator", "32.73.03", m.id, m.complaints)
			resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", map[string]any{"nik": m.niks[0],
				"kelurahan": "32.73.04.1001", "rt": "001", "rw": "001", "street": "Jl. Pagarsih 20", "reason": "Pindah kontrakan"})
			expectStatus(t, resp, http.StatusCreated)
			var asked transferView
			resp.json(t, &asked)

			admin := adminConn(t)
			for _, stmt := range []string{`ALTER DATABASE ` + c.database + ` WITH ALLOW_CONNECTIONS false`,
				`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + c.database + `'`} {
				if _, err := admin.Exec(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
			reopen := sync.OnceFunc(func() {
				if _, err := admin.Exec(ctx, `ALTER DATABASE `+c.database+` WITH ALLOW_CONNECTIONS true`); err != nil {
					t.Error(err)
				}
			})
			t.Cleanup(reopen)
			// The decision is the control database's: it is taken either way.
			expectStatus(t, do(t, "koordinator", "POST", kec("32.73.03")+"/pindah/"+asked.ID+"/keputusan", map[string]any{"accept": true}), http.StatusOK)
			waiting := waitTransfer(t, "koordinator", "32.73.03", asked.ID, func(v transferView) bool { return v.Waiting != nil })
			if waiting.Status != "diterima" || waiting.Step != c.waitsAfter || !strings.Contains(*waiting.Waiting, "cannot be reached") {
				t.Errorf("waiting: %+v (%s)", waiting, *waiting.Waiting)
			}
			if c.side == "receiving" {
				// Held meanwhile: the household takes no change where it is.
				resp = do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tindak-lanjut", kec("32.73.03"), m.complaints[1]),
					map[string]any{"kind": "telepon", "note": "Ditelepon"})
				expectStatus(t, resp, http.StatusConflict)
			}

			reopen()
			done := waitTransfer(t, "koordinator", "32.73.03", asked.ID, finished)
			if done.Waiting != nil {
				t.Errorf("still says it waits: %s", *done.Waiting)
			}
			expectArrived(t, m, before, done)
		})
	}
}

// Two transfers of one household raced from both sides: one wins.
func TestTwoTransfersOfOneHouseholdRacedOneWins(t *testing.T) {
	m := newMovingHousehold(t)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		statuses[0] = do(t, "petugas", "POST", kec("32.73.03")+"/pindah/tawaran", map[string]any{"householdId": m.id,
			"toKecamatan": "32.73.04", "reason": "Pindah"}).status
	}()
	go func() {
		defer wg.Done()
		statuses[1] = do(t, "petugas-bk", "POST", kec("32.73.04")+"/pindah/permintaan", map[string]any{"nik": m.niks[0],
			"kelurahan": "32.73.04.1001", "rt": "001", "rw": "001", "street": "Jl. Pagarsih 21", "reason": "Pindah"}).status
	}()
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", s)
		}
	}
	if won != 1 {
		t.Errorf("statuses %v: want one transfer made", statuses)
	}
	var open int
	if err := app.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM transfer WHERE from_tenant = '32.73.03' AND household_id = $1`,
		m.id).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if open != 1 {
		t.Errorf("%d transfers recorded", open)
	}
}
