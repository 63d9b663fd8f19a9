package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTransfersSurviveTheAPIKilledMidJob moves households from Cibeunying
// Kidul to Bandung Kulon through the shipped slrt-api, killing it (SIGKILL)
// at a different moment after each acceptance, while the transfer's job
// runs, and starting it again: another process takes the job up once its
// rescue time passes, and every transfer ends done, with the household
// once in the receiving kecamatan, its members and case there, nothing
// left or doubled in the sending one.
func TestTransfersSurviveTheAPIKilledMidJob(t *testing.T) {
	if env.Postgres.External() {
		t.Skip("counts rows in the tests' own PostgreSQL server's tenant databases")
	}
	p := runPlatform(t, "slrt_control_transfer", "--job-rescue-after", "3s", "--job-retry-at-most", "500ms")
	for _, k := range [][2]string{{"32.73.14", "Cibeunying Kidul"}, {"32.73.15", "Bandung Kulon"}} {
		mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", k[0], k[1]}, p.admin...)...)
	}
	for _, s := range [][3]string{{"euis", "petugas", "32.73.14.1001"}, {"ujang", "koordinator", "32.73.15.1001"}} {
		mustSlrtctl(t, "puskesos-pindah-2026\n", append([]string{"accounts", "create", s[0], "--display-name", s[0]}, p.admin...)...)
		mustSlrtctl(t, "", append([]string{"grants", "add", s[0], s[1], s[2]}, p.admin...)...)
	}
	waitReady(t, p.admin, "32.73.14")
	waitReady(t, p.admin, "32.73.15")
	login := func(name string) string {
		return strings.TrimSpace(mustSlrtctl(t, "puskesos-pindah-2026\n", "login", name, "--server", p.server))
	}
	petugas, koordinator := login("euis"), login("ujang")

	// The API is killed at three points of a transfer's job: at once
	// (before or in its first step); in the copy, the receiving database's
	// arrival table locked so that it waits there; in the removal, the
	// sending database's tombstone table locked. A job whose process died
	// is taken up by the next process's rescuer, which looks every 30
	// seconds: each kill costs up to a minute.
	kills := []struct {
		db, table string
		step      string // recorded when the job waits on the lock
	}{{}, {"slrt_32_73_15", "household_arrival", "ditahan"}, {"slrt_32_73_14", "household_departure", "diindeks"}}
	for i, kill := range kills {
		call := func(token, method, path string, body any, want int) map[string]any {
			t.Helper()
			return apiCall(t, token, method, p.server+path, body, want)
		}
		from := "/api/v1/kecamatan/32.73.14"
		hh := call(petugas, "POST", from+"/keluarga", map[string]any{"noKK": fmt.Sprintf("327314150410%04d", i+1),
			"house": map[string]any{"kelurahan": "32.73.14.1001", "rt": "002", "rw": "004", "street": "Jl. Padasuka"}}, http.StatusCreated)
		var niks []string
		for j, m := range []struct{ rel, sex string }{{"kepala_keluarga", "L"}, {"istri", "P"}, {"anak", "L"}} {
			day := 15 // a woman's NIK adds 40 to the day of birth
			if m.sex == "P" {
				day += 40
			}
			nik := fmt.Sprintf("327314%02d068%d%04d", day, 5+j, 10*i+j+1)
			niks = append(niks, nik)
			person := call(petugas, "POST", from+"/penduduk", map[string]any{"nik": nik, "name": fmt.Sprintf("Warga %d-%d", i, j),
				"birthPlace": "Bandung", "birthDate": fmt.Sprintf("198%d-06-15", 5+j), "sex": m.sex, "householdId": hh["id"], "relationship": m.rel},
				http.StatusCreated)
			if j == 0 {
				call(petugas, "POST", from+"/keluhan", map[string]any{"personId": person["id"], "channel": "datang_langsung",
					"category": "IURAN_BPJS", "description": "Tidak mampu membayar iuran", "urgency": "segera"}, http.StatusCreated)
			}
		}
		offered := call(petugas, "POST", from+"/pindah/tawaran", map[string]any{"householdId": hh["id"], "toKecamatan": "32.73.15",
			"reason": "Pindah ke Cijerah"}, http.StatusCreated)
		id := offered["id"].(string)
		release := func() {}
		if kill.db != "" {
			release = lockTable(t, kill.db, kill.table)
		}
		call(koordinator, "POST", "/api/v1/kecamatan/32.73.15/pindah/"+id+"/keputusan", map[string]any{"accept": true,
			"kelurahan": "32.73.15.1001", "rt": "005", "rw": "001", "street": "Jl. Cijerah"}, http.StatusOK)
		accepted := time.Now()
		if kill.db != "" {
			waitStep(t, id, kill.step)
			p.api.kill(t)
			release()
		} else {
			p.api.kill(t)
		}
		var status, step string
		count(t, "slrt_control_transfer", `SELECT status, step FROM transfer WHERE id = $1`, []any{id}, &status, &step)
		p.api = p.startAPI()

		var last map[string]any
		deadline := time.Now().Add(3 * time.Minute)
		for {
			last = call(koordinator, "GET", "/api/v1/kecamatan/32.73.15/pindah/"+id, nil, http.StatusOK)
			if last["status"] == "selesai" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if last["status"] != "selesai" || last["members"] != float64(3) || last["complaints"] != float64(1) {
			t.Fatalf("transfer killed with %s locked: %v", kill.table, last)
		}
		t.Logf("killed at %s/%q (%s locked): done %v after the acceptance", status, step, kill.table, time.Since(accepted).Round(time.Second))
		var sent, arrived, households, complaints, tombstones int
		count(t, "slrt_32_73_14", `SELECT (SELECT count(*) FROM person WHERE nik = ANY ($1)), 0, 0, 0,
			(SELECT count(*) FROM household_departure WHERE transfer_id = $2)`, []any{niks, id}, &sent, &arrived, &households, &complaints, &tombstones)
		count(t, "slrt_32_73_15", `SELECT 0, (SELECT count(*) FROM person WHERE nik = ANY ($1)),
			(SELECT count(DISTINCT m.household_id) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.nik = ANY ($1)),
			(SELECT count(*) FROM complaint c JOIN person p ON p.id = c.person_id WHERE p.nik = ANY ($1)),
			(SELECT count(*) FROM household_arrival WHERE transfer_id = $2)`, []any{niks, id}, &sent, &arrived, &households, &complaints, &tombstones)
		if sent != 0 || arrived != 3 || households != 1 || complaints != 1 || tombstones != 1 {
			t.Errorf("killed with %s locked: %d left behind, %d arrived in %d households with %d complaints, %d arrival records",
				kill.table, sent, arrived, households, complaints, tombstones)
		}
	}
}

// lockTable holds an exclusive lock on a table of a database of the tests'
// server until release is called: whatever needs it waits there.
func lockTable(t *testing.T, db, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := env.Postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE")
	}
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		_ = tx.Rollback(ctx)
		_ = conn.Close(ctx)
	}
}

// waitStep waits until the transfer's last step done is step.
func waitStep(t *testing.T, id, step string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var now string
		count(t, "slrt_control_transfer", `SELECT step FROM transfer WHERE id = $1`, []any{id}, &now)
		if now == step {
			return
		}
	}
	var jobs string
	count(t, "slrt_control_transfer", `SELECT coalesce(string_agg(format('%s %s attempt %s errors %s', state, args, attempt, errors), '; '), '')
		FROM river.river_job`, nil, &jobs)
	t.Fatalf("transfer %s never reached step %s; jobs: %s", id, step, jobs)
}

// count scans one row of a query on a database of the tests' server.
func count(t *testing.T, db, sql string, args []any, into ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := env.Postgres.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql, args...).Scan(into...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
