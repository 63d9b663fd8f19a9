package registryload

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
)

// DB runs queries: a connection or a transaction.
type DB interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Export writes the kecamatan's registry (the persons' current households;
// in one kelurahan when given) as extract rows, household by household with
// the head first: the shape Load reads.
func Export(ctx context.Context, db DB, kelurahan string, write func(*bnba.Row) error) (int, error) {
	return export(ctx, db, kelurahan, nil, func(_ int64, r *bnba.Row) error { return write(r) })
}

// Households writes the current members of the households given as
// extract rows, as Export does, each with its household's id.
func Households(ctx context.Context, db DB, ids []int64, write func(household int64, r *bnba.Row) error) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := export(ctx, db, "", ids, write)
	return err
}

func export(ctx context.Context, db DB, kelurahan string, households []int64, write func(int64, *bnba.Row) error) (int, error) {
	rows, err := db.Query(ctx, `
		SELECT h.id, h.no_kk, p.nik, p.name, p.birth_place, p.birth_date, p.sex, m.relationship, p.education, p.occupation,
			p.disabilities, p.chronic_illnesses, p.pregnant, p.presence, ho.kelurahan_code, ho.rt, ho.rw, ho.street,
			h.dtks_id, h.desil, h.programmes, h.monthly_income, h.monthly_spending
		FROM membership m
		JOIN person p ON p.id = m.person_id
		JOIN household h ON h.id = m.household_id
		JOIN house ho ON ho.id = h.house_id
		WHERE m.until IS NULL AND ($1 = '' OR ho.kelurahan_code = $1) AND ($2::bigint[] IS NULL OR h.id = ANY($2))
		ORDER BY h.no_kk, m.relationship <> 'kepala_keluarga', p.birth_date, p.nik`, kelurahan, households)
	if err != nil {
		return 0, fmt.Errorf("while exporting the registry: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		r := &bnba.Row{}
		var household int64
		if err := rows.Scan(&household, &r.NoKK, &r.NIK, &r.Name, &r.BirthPlace, &r.BirthDate, &r.Sex, &r.Relationship, &r.Education, &r.Occupation,
			&r.Disabilities, &r.ChronicIllnesses, &r.Pregnant, &r.Presence, &r.Kelurahan, &r.RT, &r.RW, &r.Street,
			&r.DTKSID, &r.Desil, &r.Programmes, &r.Income, &r.Spending); err != nil {
			return n, err
		}
		if err := write(household, r); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
