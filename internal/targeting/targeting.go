// Package targeting finds who is eligible for a programme but missed
// (exclusion: a household at or under the programme's desil cut-off that
// does not receive it) and who receives it above the cut-off (inclusion),
// in a kecamatan's registry: counts by kelurahan and the lists Puskesos
// staff act on. A household without a desil is in none of the counts. Cut-offs are
// data Dinas Sosial keeps (store.ProgrammeRule), never code.
package targeting

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
)

// Rule is a programme and the highest desil it serves.
type Rule struct {
	Programme string
	MaxDesil  int16
}

// Kind is which side of a programme's cut-off a list shows.
type Kind string

// The kinds.
const (
	// Exclusion is eligible by desil but not receiving.
	Exclusion Kind = "eksklusi"
	// Inclusion is receiving above the cut-off.
	Inclusion Kind = "inklusi"
)

// TableName names the count of a kecamatan by kelurahan and programme.
const TableName = "sasaran_per_program"

// Columns are the count's columns: three that name the row, then counts
// of households (keluarga) and their current members (jiwa).
var Columns = []string{"kelurahan", "program", "batas_desil", "layak_keluarga", "penerima_keluarga",
	"eksklusi_keluarga", "eksklusi_jiwa", "inklusi_keluarga", "inklusi_jiwa"}

// Count counts, for every kelurahan in scope (nil: the kecamatan) and
// every rule, the households eligible by desil, those receiving, and the
// exclusion and inclusion in households and persons. It sums the
// registry's household profiles (kelurahan, desil, programmes; kept by
// the tenant database's triggers), a few hundred rows, so that a city of
// kecamatan is counted in milliseconds each.
func Count(ctx context.Context, db registry.DB, rules []Rule, scope []string) (*casework.Table, error) {
	codes, cutoffs := split(rules)
	rows, err := db.Query(ctx, `
		WITH r AS (SELECT * FROM unnest($2::text[], $3::smallint[]) AS r(code, max_desil))
		SELECT p.kelurahan_code, r.code, r.max_desil::bigint,
			coalesce(sum(p.households) FILTER (WHERE p.desil <= r.max_desil), 0)::bigint,
			coalesce(sum(p.households) FILTER (WHERE r.code = ANY(p.programmes)), 0)::bigint,
			coalesce(sum(p.households) FILTER (WHERE p.desil <= r.max_desil AND NOT r.code = ANY(p.programmes)), 0)::bigint,
			coalesce(sum(p.persons) FILTER (WHERE p.desil <= r.max_desil AND NOT r.code = ANY(p.programmes)), 0)::bigint,
			coalesce(sum(p.households) FILTER (WHERE p.desil > r.max_desil AND r.code = ANY(p.programmes)), 0)::bigint,
			coalesce(sum(p.persons) FILTER (WHERE p.desil > r.max_desil AND r.code = ANY(p.programmes)), 0)::bigint
		FROM household_profile p CROSS JOIN r
		WHERE ($1::text[] IS NULL OR p.kelurahan_code = ANY($1)) AND p.households <> 0
		GROUP BY 1, 2, 3 ORDER BY 1, 2`, registry.ScopeArg(scope), codes, cutoffs)
	if err != nil {
		return nil, fmt.Errorf("while counting targeting: %w", err)
	}
	values, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		return nil, err
	}
	return casework.NewTable(TableName, Columns, len(Columns)-3, values), nil
}

func split(rules []Rule) ([]string, []int16) {
	codes, cutoffs := make([]string, len(rules)), make([]int16, len(rules))
	for i, r := range rules {
		codes[i], cutoffs[i] = r.Programme, r.MaxDesil
	}
	return codes, cutoffs
}

// Household is a household of a list: whom to visit, no NIK.
type Household struct {
	ID         int64    `json:"id"`
	Kelurahan  string   `json:"kelurahan"`
	RT         string   `json:"rt"`
	RW         string   `json:"rw"`
	Head       string   `json:"head"`
	Members    int64    `json:"members"`
	Desil      int16    `json:"desil"`
	Programmes []string `json:"programmes"`
}

// Filter selects a list: a rule's exclusion or inclusion, in a kelurahan
// when Kelurahan is set, after the household After, at most Limit+1.
type Filter struct {
	Rule      Rule
	Kind      Kind
	Kelurahan string
	After     int64
	Limit     int
}

// Households lists the households of a rule's exclusion or inclusion in
// scope, by id.
func Households(ctx context.Context, db registry.DB, f Filter, scope []string) ([]Household, error) {
	side := `h.desil <= $2 AND NOT $3 = ANY(h.programmes)`
	if f.Kind == Inclusion {
		side = `h.desil > $2 AND $3 = ANY(h.programmes)`
	}
	rows, err := db.Query(ctx, `
		SELECT h.id, h.kelurahan_code, ho.rt, ho.rw, coalesce(hd.name, ''), coalesce(hd.n, 0), h.desil, h.programmes
		FROM household h JOIN house ho ON ho.id = h.house_id
		LEFT JOIN LATERAL (SELECT (array_agg(p.name ORDER BY m.relationship <> 'kepala_keluarga', p.birth_date))[1] AS name, count(*) AS n
			FROM membership m JOIN person p ON p.id = m.person_id WHERE m.household_id = h.id AND m.until IS NULL) hd ON true
		WHERE ($1::text[] IS NULL OR h.kelurahan_code = ANY($1)) AND `+side+`
			AND ($4 = '' OR h.kelurahan_code = $4) AND h.id > $5
		ORDER BY h.id LIMIT $6`, registry.ScopeArg(scope), f.Rule.MaxDesil, f.Rule.Programme, f.Kelurahan, f.After, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while listing the %s of %s: %w", f.Kind, f.Rule.Programme, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Household])
}

// Gap is a household's place against one programme's rule.
type Gap struct {
	Programme string
	Kind      Kind
	Desil     int16
	MaxDesil  int16
}

// Gaps lists the programmes a household with this desil and these
// programmes is eligible for but does not receive, and those it receives
// above their cut-off.
func Gaps(desil *int16, programmes []string, rules []Rule) []Gap {
	if desil == nil {
		return nil
	}
	var out []Gap
	for _, r := range rules {
		has := slices.Contains(programmes, r.Programme)
		switch {
		case *desil <= r.MaxDesil && !has:
			out = append(out, Gap{r.Programme, Exclusion, *desil, r.MaxDesil})
		case *desil > r.MaxDesil && has:
			out = append(out, Gap{r.Programme, Inclusion, *desil, r.MaxDesil})
		}
	}
	return out
}
