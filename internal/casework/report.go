package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// Table is one count of a report: dimension columns, then count columns.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Suppressed is how many cells were hidden because they counted fewer
	// than MinCell persons (only in views that leave the kecamatan).
	Suppressed int `json:"suppressed"`
	counts     int // the trailing columns that are counts
}

// NewTable is a table of rows whose last counts columns are counts.
func NewTable(name string, columns []string, counts int, rows [][]any) *Table {
	if rows == nil {
		rows = [][]any{}
	}
	return &Table{Name: name, Columns: columns, Rows: rows, counts: counts}
}

// Dims is how many leading columns name what is counted (kecamatan,
// kelurahan, category...); the rest are counts.
func (t *Table) Dims() int { return len(t.Columns) - t.counts }

// MinCell is the smallest count shown outside the kecamatan: a smaller one
// could point at a person.
const MinCell = 5

// Suppress hides counts from 1 to MinCell-1 (a zero says nothing about
// anyone).
func (t *Table) Suppress() {
	for _, row := range t.Rows {
		for i := len(row) - t.counts; i < len(row); i++ {
			if n, ok := row[i].(int64); ok && n > 0 && n < MinCell {
				row[i] = nil
				t.Suppressed++
			}
		}
	}
}

// Prepend puts a column (e.g. the kecamatan) in front of every row.
func (t *Table) Prepend(column string, value any) {
	t.Columns = append([]string{column}, t.Columns...)
	for i, row := range t.Rows {
		t.Rows[i] = append([]any{value}, row...)
	}
}

// Append adds another kecamatan's rows of the same table.
func (t *Table) Append(o *Table) {
	t.Rows = append(t.Rows, o.Rows...)
	t.Suppressed += o.Suppressed
}

// ReportTables names the tables of a report, in order.
var ReportTables = []string{"keluhan_per_kategori_kanal", "rujukan_per_instansi_status", "sla_rujukan_per_instansi", "keluarga_per_desil",
	"keluarga_per_program", "warga_per_ppks", "keluarga_pindah"}

// SortRows orders rows by their dimension columns.
func (t *Table) SortRows() {
	dims := len(t.Columns) - t.counts
	slices.SortStableFunc(t.Rows, func(a, b []any) int {
		for i := 0; i < dims; i++ {
			if c := strings.Compare(fmt.Sprint(a[i]), fmt.Sprint(b[i])); c != 0 {
				return c
			}
		}
		return 0
	})
}

// Report counts a kecamatan's work over [from, to), by kelurahan:
// complaints by category and channel, referrals by agency and status, the
// referral SLA by agency, households by desil and programme (as they are
// now), and households that moved out and in.
func Report(ctx context.Context, db registry.DB, scope []string, from, to, today time.Time) ([]*Table, error) {
	queries := []struct {
		name    string
		columns []string
		counts  int
		sql     string
	}{
		{"keluhan_per_kategori_kanal", []string{"kelurahan", "kategori", "kanal", "jumlah"}, 1, `
			SELECT kelurahan_code, category, channel, count(*) FROM complaint
			WHERE created_at >= $2 AND created_at < $3 AND ($1::text[] IS NULL OR kelurahan_code = ANY($1))
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
		{"rujukan_per_instansi_status", []string{"kelurahan", "instansi", "status", "jumlah"}, 1, `
			SELECT kelurahan_code, agency_code, status, count(*) FROM referral
			WHERE created_at >= $2 AND created_at < $3 AND ($1::text[] IS NULL OR kelurahan_code = ANY($1))
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
		{"sla_rujukan_per_instansi", []string{"kelurahan", "instansi", "dikirim", "selesai", "selesai_tepat_waktu", "terbuka_terlambat"}, 4, `
			SELECT kelurahan_code, agency_code, count(*),
				count(*) FILTER (WHERE status = 'completed'),
				count(*) FILTER (WHERE status = 'completed' AND (closed_at AT TIME ZONE 'Asia/Jakarta')::date <= completion_due),
				count(*) FILTER (WHERE status IN ('requested', 'accepted', 'in-progress') AND completion_due < $4::date)
			FROM referral
			WHERE requested_at >= $2 AND requested_at < $3 AND ($1::text[] IS NULL OR kelurahan_code = ANY($1))
			GROUP BY 1, 2 ORDER BY 1, 2`},
		{"keluarga_per_desil", []string{"kelurahan", "desil", "jumlah"}, 1, `
			SELECT kelurahan_code, coalesce(desil::text, '-'), count(*) FROM household
			WHERE ($1::text[] IS NULL OR kelurahan_code = ANY($1)) AND $2::timestamptz IS NOT NULL AND $3::timestamptz IS NOT NULL
			GROUP BY 1, 2 ORDER BY 1, 2`},
		{"keluarga_per_program", []string{"kelurahan", "program", "jumlah"}, 1, `
			SELECT kelurahan_code, p, count(*) FROM household, unnest(programmes) AS p
			WHERE ($1::text[] IS NULL OR kelurahan_code = ANY($1)) AND $2::timestamptz IS NOT NULL AND $3::timestamptz IS NOT NULL
			GROUP BY 1, 2 ORDER BY 1, 2`},
		// The residents assessed in the range, by their PPKS categories:
		// each household and person once per category.
		{"warga_per_ppks", []string{"kelurahan", "ppks", "keluarga", "jiwa"}, 2, `
			SELECT c.kelurahan_code, p, count(DISTINCT c.household_id), count(DISTINCT c.person_id)
			FROM complaint c JOIN assessment a ON a.complaint_id = c.id, unnest(a.ppks) AS p
			WHERE c.created_at >= $2 AND c.created_at < $3 AND ($1::text[] IS NULL OR c.kelurahan_code = ANY($1))
			GROUP BY 1, 2 ORDER BY 1, 2`},
		// Households that moved out (their tombstones) and in (their
		// arrival, members as they are now) in the range.
		{"keluarga_pindah", []string{"kelurahan", "arah", "keluarga", "jiwa"}, 2, `
			SELECT kelurahan_code, 'keluar', count(*), sum(members)::bigint FROM household_departure
			WHERE departed_at >= $2 AND departed_at < $3 AND ($1::text[] IS NULL OR kelurahan_code = ANY($1))
			GROUP BY 1
			UNION ALL
			SELECT h.kelurahan_code, 'masuk', count(*),
				sum((SELECT count(*) FROM membership m WHERE m.household_id = h.id AND m.until IS NULL))::bigint
			FROM household_arrival a JOIN household h ON h.id = a.household_id
			WHERE a.arrived_at >= $2 AND a.arrived_at < $3 AND ($1::text[] IS NULL OR h.kelurahan_code = ANY($1))
			GROUP BY 1
			ORDER BY 1, 2`},
	}
	var out []*Table
	for _, q := range queries {
		args := []any{registry.ScopeArg(scope), from, to}
		if strings.Contains(q.sql, "$4") {
			args = append(args, today)
		}
		rows, err := db.Query(ctx, q.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("while counting %s: %w", q.name, err)
		}
		values, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
		if err != nil {
			return nil, err
		}
		out = append(out, NewTable(q.name, q.columns, q.counts, values))
	}
	return out, nil
}
