package tenantbackup

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Table is one table's row count and checksum.
type Table struct {
	Name     string
	Rows     int64
	Checksum string
}

// Fingerprint counts and checksums every table outside PostgreSQL's own
// schemas. A row's checksum is the MD5 of its text form with the output
// settings fixed here, so the same rows give the same checksum on any server
// and session; a table's is the MD5 of its rows' in sorted order, so row
// order on disk does not matter. Run it in a transaction to read one snapshot.
func Fingerprint(ctx context.Context, q pgx.Tx) ([]Table, error) {
	// The text form of timestamps, dates, floats and intervals depends on
	// these settings.
	for _, set := range []string{
		`SET LOCAL TimeZone = 'UTC'`, `SET LOCAL DateStyle = 'ISO, YMD'`,
		`SET LOCAL IntervalStyle = 'postgres'`, `SET LOCAL extra_float_digits = 1`,
		`SET LOCAL bytea_output = 'hex'`,
	} {
		if _, err := q.Exec(ctx, set); err != nil {
			return nil, fmt.Errorf("while fixing the output settings: %w", err)
		}
	}
	rows, err := q.Query(ctx, `SELECT schemaname, tablename FROM pg_tables
		 WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\_temp%'`)
	if err != nil {
		return nil, fmt.Errorf("while listing the tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgx.Identifier, error) {
		var schema, table string
		err := r.Scan(&schema, &table)
		return pgx.Identifier{schema, table}, err
	})
	if err != nil {
		return nil, fmt.Errorf("while listing the tables: %w", err)
	}
	out := make([]Table, 0, len(names))
	for _, id := range names {
		t := Table{Name: strings.Join(id, ".")}
		err := q.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '')
			  FROM (SELECT md5(t::text) AS h FROM `+id.Sanitize()+` t) rows`).Scan(&t.Rows, &t.Checksum)
		if err != nil {
			return nil, fmt.Errorf("while fingerprinting table %s: %w", t.Name, err)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Compare lists how got differs from want, one line per table; none when equal.
func Compare(want, got []Table) []string {
	byName := map[string]Table{}
	for _, t := range got {
		byName[t.Name] = t
	}
	var diffs []string
	for _, w := range want {
		g, ok := byName[w.Name]
		delete(byName, w.Name)
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("table %s is missing", w.Name))
		case g.Rows != w.Rows:
			diffs = append(diffs, fmt.Sprintf("table %s has %d rows, the backup %d", w.Name, g.Rows, w.Rows))
		case g.Checksum != w.Checksum:
			diffs = append(diffs, fmt.Sprintf("table %s has the backup's %d rows but other contents (checksum %s, the backup %s)", w.Name, g.Rows, g.Checksum, w.Checksum))
		}
	}
	extra := make([]string, 0, len(byName))
	for name := range byName {
		extra = append(extra, fmt.Sprintf("table %s is not in the backup", name))
	}
	sort.Strings(extra)
	return append(diffs, extra...)
}
