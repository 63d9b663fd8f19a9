package apibench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/transfer"
)

// transferSample is how many households each arm moves.
const transferSample = 30

// BenchmarkTransfer moves households of 8 members and 20 cases (each
// assessed, with two status changes and a follow-up; 5 of them referred,
// each referral with two events) from Babakan Ciparay to Bojongloa Kaler
// two ways in one run: through the platform (an offer and its acceptance
// through the API, then the background job's four steps, timed from the
// acceptance until the transfer reads done) and by the floor of moving the
// same rows: read with COPY from the sending database, written with COPY
// into tables of the same shape in the receiving one in one transaction,
// deleted from the sending one in one statement: no new ids, hold,
// index, tombstone or history. It
// reports both p50 and p95 and the ratio of the p95s.
//
//	go test ./test/apibench -run '^$' -bench Transfer -benchtime 1x
func BenchmarkTransfer(b *testing.B) {
	ctx := context.Background()
	movers.once.Do(func() {
		if _, err := platform.Onboard(ctx, "32.73.04", "Bojongloa Kaler"); err != nil {
			b.Fatal(err)
		}
		if err := platform.WaitReady(ctx, "kec-32-73-04"); err != nil {
			b.Fatal(err)
		}
		movers.from, movers.to = tenantPool(b, "32.73.03"), tenantPool(b, "32.73.04")
		movers.offerer = staffToken(b, "pindah-petugas", authz.RolePetugas, "32.73.03.1001")
		movers.decider = staffToken(b, "pindah-koordinator", authz.RoleKoordinator, "32.73.04.1001")
		// The floor writes into tables shaped like the real ones, made once.
		for _, t := range floorTables {
			if _, err := movers.to.Exec(ctx, fmt.Sprintf("CREATE UNLOGGED TABLE floor_%s (LIKE %s)", t.table, t.table)); err != nil {
				b.Fatal(err)
			}
		}
	})
	from, to, offerer, decider := movers.from, movers.to, movers.offerer, movers.decider
	for range b.N {
		var platformTimes, floorTimes []time.Duration
		for range transferSample {
			// The arms take turns, so that both meet the same machine.
			household := seedMovingHousehold(b, from, int(seq.Add(1)))
			platformTimes = append(platformTimes, transferThroughThePlatform(b, offerer, decider, household))
			household = seedMovingHousehold(b, from, int(seq.Add(1)))
			floorTimes = append(floorTimes, copyFloor(b, from, to, household))
		}
		p50, p95 := testenv.Quantile(platformTimes, 0.5), testenv.Quantile(platformTimes, 0.95)
		f50, f95 := testenv.Quantile(floorTimes, 0.5), testenv.Quantile(floorTimes, 0.95)
		b.ReportMetric(testenv.Millis(p50), "transfer-p50-ms")
		b.ReportMetric(testenv.Millis(p95), "transfer-p95-ms")
		b.ReportMetric(testenv.Millis(f50), "floor-p50-ms")
		b.ReportMetric(testenv.Millis(f95), "floor-p95-ms")
		b.ReportMetric(float64(p95)/float64(f95), "p95-ratio")
	}
}

// movers is what every run of BenchmarkTransfer shares: the receiving
// kecamatan, pools to both databases, and the two sides' staff.
var movers struct {
	once             sync.Once
	from, to         *pgxpool.Pool
	offerer, decider string
}

// tenantPool connects to a kecamatan's database with its own credentials.
func tenantPool(b *testing.B, code string) *pgxpool.Pool {
	b.Helper()
	ctx := context.Background()
	t, err := app.Tenants.Lookup(ctx, code)
	if err != nil {
		b.Fatal(err)
	}
	cn, err := app.Tenants.Acquire(ctx, t)
	if err != nil {
		b.Fatal(err)
	}
	cfg := cn.Conn().Config().Copy()
	cn.Release()
	poolCfg, err := pgxpool.ParseConfig("")
	if err != nil {
		b.Fatal(err)
	}
	poolCfg.ConnConfig = cfg
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		b.Fatal(err)
	}
	env.Cleanup(pool.Close) // shared by the runs of one process
	return pool
}

// staffToken makes an account with one grant and returns its token.
func staffToken(b *testing.B, name string, role authz.Role, domain string) string {
	b.Helper()
	ctx := context.Background()
	acct, err := app.Store.CreateAccount(ctx, name, name, "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := app.Store.CreateGrant(ctx, acct.ID, role, domain, 0); err != nil {
		b.Fatal(err)
	}
	_, token, err := app.Store.CreateToken(ctx, acct.ID, "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !app.Authorizer.Allowed(acct.ID, domain, "pindah", "write") &&
		time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	return token
}

// seedMovingHousehold writes a household of 8 members with 20 cases into
// the sending kecamatan, in one script, and returns its id. n makes its
// NIKs and No KK unique in the run.
func seedMovingHousehold(b *testing.B, pool *pgxpool.Pool, n int) int64 {
	b.Helper()
	var id int64
	err := pool.QueryRow(context.Background(), `
		WITH h AS (INSERT INTO house (kelurahan_code, rt, rw, street, floor_material) VALUES ('32.73.03.1001', '001', '002', 'Jl. Uji Pindah', 'semen') RETURNING id),
		     k AS (INSERT INTO household (no_kk, house_id, kelurahan_code, desil, programmes)
		           SELECT lpad($1::text, 16, '7'), h.id, '32.73.03.1001', 3, '{PKH}' FROM h RETURNING id)
		SELECT id FROM k`, fmt.Sprintf("%08d", n)).Scan(&id)
	if err != nil {
		b.Fatal(err)
	}
	_, err = pool.Exec(context.Background(), `
		WITH p AS (INSERT INTO person (nik, name, name_key, birth_place, birth_date, sex, kelurahan_code)
		           SELECT '8' || lpad(($1::bigint * 8 + g)::text, 15, '0'), 'Warga Uji ' || g, 'warga uji', 'Bandung',
		                  date '1980-01-01' + g * 400, CASE WHEN g % 2 = 0 THEN 'L' ELSE 'P' END, '32.73.03.1001'
		           FROM generate_series(1, 8) g RETURNING id),
		     m AS (INSERT INTO membership (person_id, household_id, relationship, recorded_by)
		           SELECT id, $2, CASE WHEN row_number() OVER (ORDER BY id) = 1 THEN 'kepala_keluarga' ELSE 'anak' END, 1 FROM p RETURNING person_id),
		     c AS (INSERT INTO complaint (kelurahan_code, person_id, household_id, channel, category, description, urgency, status, created_by)
		           SELECT '32.73.03.1001', (SELECT person_id FROM m ORDER BY person_id OFFSET g % 8 LIMIT 1), $2, 'datang_langsung',
		                  'IURAN_BPJS', 'Keluhan uji ' || g, 'biasa', 'dikaji', 1
		           FROM generate_series(1, 20) g RETURNING id, person_id),
		     a AS (INSERT INTO assessment (complaint_id, in_dtks, desil, documents_held, assessed_by)
		           SELECT id, true, 3, '{KTP,KK}', 1 FROM c),
		     e AS (INSERT INTO complaint_event (complaint_id, actor_id, actor, from_status, to_status)
		           SELECT id, 1, 'uji', s.f, s.t FROM c, (VALUES (NULL, 'baru'), ('baru', 'dikaji')) s(f, t)),
		     f AS (INSERT INTO follow_up (complaint_id, actor_id, actor, kind, note) SELECT id, 1, 'uji', 'telepon', 'Ditelepon' FROM c),
		     r AS (INSERT INTO referral (tracking_code, complaint_id, kelurahan_code, person_id, service_code, service_name, agency_code,
		                                 response_days, completion_days, status, requested_at, response_due, completion_due, created_by)
		           SELECT '327303-U' || lpad(($1::bigint * 20 + row_number() OVER (ORDER BY id))::text, 7, '0'), id, '32.73.03.1001', person_id,
		                  'PBI_JK', 'PBI-JK', 'DINKES', 3, 14, 'requested', now(), current_date + 3, current_date + 14, 1
		           FROM c ORDER BY id LIMIT 5 RETURNING id)
		INSERT INTO referral_event (referral_id, actor_id, actor, actor_role, from_status, to_status)
		SELECT id, 1, 'uji', 'koordinator', s.f, s.t FROM r, (VALUES (NULL, 'draft'), ('draft', 'requested')) s(f, t)`, n, id)
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// call sends a JSON request with a token and decodes a transfer.
func call(b *testing.B, token, method, path string, body any) transfer.Transfer {
	b.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, api.URL+path, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var t transfer.Transfer
	if resp.StatusCode >= 300 {
		var p map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&p)
		b.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, p)
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		b.Fatal(err)
	}
	return t
}

// transferThroughThePlatform offers the household, accepts it, and times
// from the acceptance until the transfer reads done.
func transferThroughThePlatform(b *testing.B, offerer, decider string, household int64) time.Duration {
	b.Helper()
	offered := call(b, offerer, "POST", "/api/v1/kecamatan/32.73.03/pindah/tawaran",
		map[string]any{"householdId": household, "toKecamatan": "32.73.04", "reason": "Uji kecepatan"})
	start := time.Now()
	call(b, decider, "POST", "/api/v1/kecamatan/32.73.04/pindah/"+offered.ID+"/keputusan",
		map[string]any{"accept": true, "kelurahan": "32.73.04.1001", "rt": "001", "rw": "001", "street": "Jl. Tujuan"})
	for {
		t, err := app.Store.Transfer(context.Background(), offered.ID)
		if err != nil {
			b.Fatal(err)
		}
		if t.Status == transfer.Done {
			return time.Since(start)
		}
		if t.Status == transfer.Failed {
			b.Fatalf("transfer failed: %s", *t.Waiting)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// floorTables are the household's rows, table by table, as the floor
// selects them ($1 the household).
var floorTables = []struct{ table, where string }{
	{"house", "id = (SELECT house_id FROM household WHERE id = $1)"},
	{"household", "id = $1"},
	{"person", "id IN (SELECT person_id FROM membership WHERE household_id = $1)"},
	{"membership", "household_id = $1"},
	{"complaint", "household_id = $1"},
	{"assessment", "complaint_id IN (SELECT id FROM complaint WHERE household_id = $1)"},
	{"complaint_event", "complaint_id IN (SELECT id FROM complaint WHERE household_id = $1)"},
	{"follow_up", "complaint_id IN (SELECT id FROM complaint WHERE household_id = $1)"},
	{"referral", "complaint_id IN (SELECT id FROM complaint WHERE household_id = $1)"},
	{"referral_event", "referral_id IN (SELECT r.id FROM referral r JOIN complaint c ON c.id = r.complaint_id WHERE c.household_id = $1)"},
}

// floorDelete removes the household's rows ($1) in one statement.
const floorDelete = `
	WITH c AS (SELECT id FROM complaint WHERE household_id = $1),
	     r AS (SELECT id FROM referral WHERE complaint_id IN (SELECT id FROM c)),
	     p AS (SELECT person_id AS id FROM membership WHERE household_id = $1),
	     d1 AS (DELETE FROM referral_event WHERE referral_id IN (SELECT id FROM r)),
	     d2 AS (DELETE FROM referral WHERE id IN (SELECT id FROM r)),
	     d3 AS (DELETE FROM follow_up WHERE complaint_id IN (SELECT id FROM c)),
	     d4 AS (DELETE FROM complaint_event WHERE complaint_id IN (SELECT id FROM c)),
	     d5 AS (DELETE FROM assessment WHERE complaint_id IN (SELECT id FROM c)),
	     d6 AS (DELETE FROM complaint WHERE id IN (SELECT id FROM c)),
	     d7 AS (DELETE FROM membership WHERE household_id = $1),
	     d8 AS (DELETE FROM person WHERE id IN (SELECT id FROM p)),
	     d9 AS (DELETE FROM household WHERE id = $1 RETURNING house_id)
	DELETE FROM house WHERE id IN (SELECT house_id FROM d9)`

// copyFloor moves the household's rows with nothing but COPY and DELETE.
func copyFloor(b *testing.B, from, to *pgxpool.Pool, household int64) time.Duration {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	src, err := from.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Release()
	dumps := make([]bytes.Buffer, len(floorTables))
	for i, t := range floorTables {
		sql := fmt.Sprintf("COPY (SELECT * FROM %s WHERE %s) TO STDOUT", t.table, strings.ReplaceAll(t.where, "$1", fmt.Sprint(household)))
		if _, err := src.Conn().PgConn().CopyTo(ctx, &dumps[i], sql); err != nil {
			b.Fatal(err)
		}
	}
	err = pgx.BeginFunc(ctx, to, func(tx pgx.Tx) error {
		for i, t := range floorTables {
			if _, err := tx.Conn().PgConn().CopyFrom(ctx, &dumps[i], "COPY floor_"+t.table+" FROM STDIN"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// One statement: its foreign keys are checked at its end.
	if _, err := src.Exec(ctx, floorDelete, household); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
