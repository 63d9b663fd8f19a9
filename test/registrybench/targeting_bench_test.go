package registrybench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/testenv"
)

// targetingCount is the counts statement of internal/targeting, as psql
// runs it against one tenant for the floor.
const targetingCount = `WITH m AS (SELECT household_id, count(*) AS n FROM membership WHERE until IS NULL GROUP BY household_id),
r AS (SELECT * FROM unnest(ARRAY['BPNT','PBI_JK','PKH'], ARRAY[5,5,4]::smallint[]) AS r(code, max_desil))
SELECT h.kelurahan_code, r.code, r.max_desil,
	count(*) FILTER (WHERE h.desil <= r.max_desil),
	count(*) FILTER (WHERE r.code = ANY(h.programmes)),
	count(*) FILTER (WHERE h.desil <= r.max_desil AND NOT r.code = ANY(h.programmes)),
	coalesce(sum(m.n) FILTER (WHERE h.desil <= r.max_desil AND NOT r.code = ANY(h.programmes)), 0),
	count(*) FILTER (WHERE h.desil > r.max_desil AND r.code = ANY(h.programmes)),
	coalesce(sum(m.n) FILTER (WHERE h.desil > r.max_desil AND r.code = ANY(h.programmes)), 0)
FROM household h CROSS JOIN r LEFT JOIN m ON m.household_id = h.id GROUP BY 1, 2, 3`

// targetingAtCityScale checks the city's targeting view against an
// independent count of every kecamatan (exclusion and inclusion per
// kelurahan, written another way), small cells suppressed, then measures
// the view cold (after PostgreSQL restarts: its buffers empty, the OS
// cache not) and warm, against the floor: the same counts, one statement
// per tenant, run sequentially by psql.
func targetingAtCityScale(ctx context.Context, b *testing.B, base, token string, files []*kecamatanFile) {
	view := func() (time.Duration, map[string][]any) {
		t0 := time.Now()
		status, body := call(b, base, token, "GET", "/api/v1/sasaran", "", nil)
		took := time.Since(t0)
		var out struct {
			Tables []struct {
				Name string
				Rows [][]any
			}
			Unavailable []any
		}
		if status != http.StatusOK || json.Unmarshal(body, &out) != nil || len(out.Unavailable) > 0 {
			b.Fatalf("the city's targeting: %d %.300s", status, body)
		}
		cells := map[string][]any{}
		for _, t := range out.Tables {
			if t.Name == "sasaran_per_program" {
				for _, r := range t.Rows {
					cells[fmt.Sprint(r[0], "|", r[1], "|", r[2])] = r[4:]
				}
			}
		}
		return took, cells
	}
	_, cells := view()
	checked := 0
	for _, f := range files {
		db, err := env.Postgres.Connect(ctx, "slrt_"+strings.ReplaceAll(f.code, ".", "_"))
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range []struct {
			code string
			max  int
		}{{"PKH", 4}, {"BPNT", 5}, {"PBI_JK", 5}} {
			for col, where := range map[int]string{
				2: `desil <= $2 AND NOT EXISTS (SELECT 1 FROM unnest(programmes) x WHERE x = $1)`,
				4: `desil > $2 AND EXISTS (SELECT 1 FROM unnest(programmes) x WHERE x = $1)`} {
				rows, err := db.Query(ctx, `SELECT kelurahan_code, count(*) FROM household WHERE `+where+` GROUP BY 1`, p.code, p.max)
				if err != nil {
					b.Fatal(err)
				}
				counts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
					Kelurahan string
					N         int64
				}])
				if err != nil {
					b.Fatal(err)
				}
				for _, c := range counts {
					got := cells[f.code+"|"+c.Kelurahan+"|"+p.code]
					switch {
					case got == nil:
						b.Fatalf("%s %s has no row", c.Kelurahan, p.code)
					case c.N < 5 && got[col] != nil:
						b.Errorf("%s %s column %d shows %v, a cell under 5", c.Kelurahan, p.code, col, got[col])
					case c.N >= 5 && fmt.Sprint(got[col]) != fmt.Sprint(c.N):
						b.Errorf("%s %s column %d: %v, an independent count says %d", c.Kelurahan, p.code, col, got[col], c.N)
					}
					checked++
				}
			}
		}
		_ = db.Close(ctx)
	}
	b.Logf("targeting: %d cells checked against an independent count", checked)

	// Cold: PostgreSQL restarted before each request.
	var cold []time.Duration
	for range 5 {
		if err := env.Postgres.Stop(); err != nil {
			b.Fatal(err)
		}
		if err := env.Postgres.Start(); err != nil {
			b.Fatal(err)
		}
		time.Sleep(2 * time.Second) // pooled connections idle past the pool's ping
		took, _ := view()
		cold = append(cold, took)
	}
	var warm []time.Duration
	for range 50 {
		took, _ := view()
		warm = append(warm, took)
	}
	// The floor: one psql, connecting to each tenant in turn (\c) and
	// running the statement there, timed by psql itself too.
	var script strings.Builder
	script.WriteString("\\timing on\n")
	for _, f := range files {
		fmt.Fprintf(&script, "\\c %s\n%s;\n", "slrt_"+strings.ReplaceAll(f.code, ".", "_"), targetingCount)
	}
	path := filepath.Join(b.TempDir(), "targeting.sql")
	if err := os.WriteFile(path, []byte(script.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	out, err := psqlFile(b, "postgres", path)
	floor := time.Since(t0)
	if err != nil {
		b.Fatalf("psql: %v %s", err, out)
	}
	statements := timed(out)
	b.ReportMetric(testenv.Millis(testenv.Quantile(cold, 0.95)), "ms-targeting-cold-p95")
	b.ReportMetric(testenv.Millis(testenv.Quantile(warm, 0.5)), "ms-targeting-warm-p50")
	b.ReportMetric(testenv.Millis(testenv.Quantile(warm, 0.95)), "ms-targeting-warm-p95")
	b.ReportMetric(testenv.Millis(floor), "ms-targeting-psql-floor")
	b.ReportMetric(testenv.Millis(statements), "ms-targeting-psql-statements")
	b.ReportMetric(float64(testenv.Quantile(warm, 0.95))/float64(floor), "targeting-warm-p95/psql-floor")
	b.ReportMetric(float64(testenv.Quantile(cold, 0.95))/float64(floor), "targeting-cold-p95/psql-floor")
}

// timed sums the statements' own times that psql's \timing printed.
func timed(out string) time.Duration {
	var sum time.Duration
	for _, m := range regexp.MustCompile(`Time: ([0-9.]+) ms`).FindAllStringSubmatch(out, -1) {
		d, _ := time.ParseDuration(m[1] + "ms")
		sum += d
	}
	return sum
}

// resultImportAtCityScale imports a centre's result for 200 sent proposals
// of every kecamatan (programme proposals, put in place unmeasured), and
// reports its rows/s against the registry import's of the same run and
// against its floor: the same decisions for another 200 proposals of each
// kecamatan written by psql, one transaction per kecamatan, in the
// statements the import's own come down to (the households' fields, the
// proposals and their steps; the same triggers keep the history and the
// targeting counts), one kecamatan after another.
func resultImportAtCityScale(ctx context.Context, b *testing.B, base, token string, files []*kecamatanFile, importRate float64) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"id_usulan", "no_kk", "hasil", "desil", "program", "id_dtsen", "keterangan"})
	var script strings.Builder
	script.WriteString("\\timing on\n")
	rows, floorRows := 0, 0
	for _, f := range files {
		name := "slrt_" + strings.ReplaceAll(f.code, ".", "_")
		db, err := env.Postgres.Connect(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		first := 0 // the first set's size: the second follows it
		for set := range 2 {
			res, err := db.Query(ctx, `INSERT INTO usulan (kelurahan_code, kind, status, household_id, subject, proposal, period, batch, created_by)
				SELECT kelurahan_code, 'program', 'dikirim', id, 'Bench', '{"programme":"BPNT"}', '2026-BENCH', 'BNBA-BENCH', 1
				FROM household WHERE NOT 'BPNT' = ANY(programmes) ORDER BY id OFFSET $1
				LIMIT least(200, (SELECT count(*) FROM household WHERE NOT 'BPNT' = ANY(programmes)) / 2)
				RETURNING id, household_id, (SELECT no_kk FROM household h WHERE h.id = household_id)`, first)
			if err != nil {
				b.Fatal(err)
			}
			sent, err := pgx.CollectRows(res, pgx.RowToStructByPos[struct {
				ID, Household int64
				NoKK          string
			}])
			if err != nil {
				b.Fatal(err)
			}
			if set == 0 {
				first = len(sent)
			}
			var values []string
			for i, s := range sent {
				decision := "ditetapkan"
				if i%5 == 0 {
					decision = "tidak_ditetapkan"
				}
				if set == 0 {
					_ = w.Write([]string{f.code + "/" + fmt.Sprint(s.ID), s.NoKK, decision, fmt.Sprint(1 + i%6), "BPNT", "", ""})
					rows++
					continue
				}
				added := ""
				if decision == "ditetapkan" {
					added = "BPNT"
				}
				values = append(values, fmt.Sprintf("(%d, %d, '%s', %d, '%s', 'usulan %s/%d %s')", s.ID, s.Household, decision, 1+i%6, added, f.code, s.ID, decision))
				floorRows++
			}
			if set == 1 && len(values) > 0 {
				fmt.Fprintf(&script, resultFloor, name, strings.Join(values, ",\n"))
			}
		}
		_ = db.Close(ctx)
	}
	w.Flush()
	t0 := time.Now()
	status, body := call(b, base, token, "POST", "/api/v1/usulan/hasil", "text/csv", buf.Bytes())
	took := time.Since(t0)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"committed":true`)) {
		b.Fatalf("the result import: %d %.500s", status, body)
	}
	path := filepath.Join(b.TempDir(), "result.sql")
	if err := os.WriteFile(path, []byte(script.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	t0 = time.Now()
	out, err := psqlFile(b, "postgres", path)
	if err != nil {
		b.Fatalf("the result's floor: %v %.2000s", err, out)
	}
	floor := time.Since(t0)
	statements := timed(out)
	rate := float64(rows) / took.Seconds()
	floorRate, statementsRate := float64(floorRows)/floor.Seconds(), float64(floorRows)/statements.Seconds()
	b.ReportMetric(rate, "rows/s-result-import")
	b.ReportMetric(floorRate, "rows/s-result-psql-floor")
	b.ReportMetric(statementsRate, "rows/s-result-psql-statements")
	b.ReportMetric(rate/floorRate, "result-import/psql-floor-throughput")
	b.ReportMetric(rate/statementsRate, "result-import/psql-statements-throughput")
	b.ReportMetric(rate/importRate, "result-import/registry-import-throughput")
}

// resultFloor is one kecamatan's decisions as psql writes them: the
// database, then the rows (proposal, household, decision, desil, the
// programme added, the history's reason).
const resultFloor = `\c %s
BEGIN;
SELECT set_config('slrt.actor', '1', true), set_config('slrt.username', 'dinsos', true), set_config('slrt.via', 'usulan', true),
	set_config('slrt.reasons', 'on', true);
CREATE TEMP TABLE registry_reason (household_id bigint PRIMARY KEY, reason text) ON COMMIT DROP;
CREATE TEMP TABLE r (usulan_id bigint, household_id bigint, to_status text, desil smallint, added text, reason text) ON COMMIT DROP;
INSERT INTO r VALUES %s;
INSERT INTO registry_reason SELECT household_id, reason FROM r;
UPDATE household h SET desil = r.desil,
	programmes = CASE WHEN r.added <> '' AND NOT r.added = ANY(h.programmes) THEN array_append(h.programmes, r.added) ELSE h.programmes END,
	updated_at = now()
FROM r WHERE h.id = r.household_id;
WITH u AS (UPDATE usulan SET status = r.to_status, updated_at = now() FROM r WHERE usulan.id = r.usulan_id RETURNING usulan.id, r.to_status)
INSERT INTO usulan_event (usulan_id, from_status, to_status, actor, username, role)
SELECT id, 'dikirim', to_status, 1, 'dinsos', 'dinsos@32.73' FROM u;
COMMIT;
`
