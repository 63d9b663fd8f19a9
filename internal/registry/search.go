package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/nik"
)

// Query finds persons: by exact NIK, by No KK (the household's members),
// by name tolerating spelling variants, or all, in a kelurahan or all the
// caller may see. Only one of NIK, NoKK and Name is used, in that order.
type Query struct {
	NIK       string `json:"nik,omitempty"`
	NoKK      string `json:"noKK,omitempty"`
	Name      string `json:"name,omitempty"`
	Kelurahan string `json:"kelurahan,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// Found is a person in a list: NIK and No KK masked.
type Found struct {
	ID           int64   `json:"id"`
	NIK          string  `json:"nik"`
	Name         string  `json:"name"`
	Sex          string  `json:"sex"`
	BirthDate    Date    `json:"birthDate"`
	Kelurahan    string  `json:"kelurahan"`
	Presence     string  `json:"presence"`
	HouseholdID  *int64  `json:"householdId,omitempty"`
	NoKK         *string `json:"noKK,omitempty"`
	Relationship *string `json:"relationship,omitempty"`
	// Score is the name similarity (0..1) in a name search.
	Score *float32 `json:"score,omitempty"`
}

// Search runs a query and returns up to Limit persons and the next page's
// cursor. Name results come best match first; the others by id.
func Search(ctx context.Context, db DB, q *Query, scope []string) ([]Found, string, error) {
	where := []string{"($1::text[] IS NULL OR p.kelurahan_code = ANY($1))"}
	args := []any{ScopeArg(scope)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Kelurahan != "" {
		where = append(where, "p.kelurahan_code = "+arg(q.Kelurahan))
	}
	score := "NULL::real"
	order := "p.id"
	switch {
	case q.NIK != "":
		where = append(where, "p.nik = "+arg(q.NIK))
	case q.NoKK != "":
		where = append(where, "h.no_kk = "+arg(q.NoKK))
	case q.Name != "":
		key := arg(NameKey(q.Name))
		// Word similarity: the query may be part of the full name. The
		// column stands left of the operator (%>, not <%) so that the
		// trigram index can serve it.
		where = append(where, "p.name_key %> "+key)
		score = "word_similarity(" + key + ", p.name_key)"
		order = "score DESC, p.id"
	}
	if q.Cursor != "" {
		s, id, err := parseCursor(q.Cursor)
		if err != nil {
			return nil, "", &InvalidError{Fields: []FieldError{{"/cursor", "page.cursor", "not a cursor this search returned"}}}
		}
		if q.Name != "" {
			sa, ida := arg(s), arg(id)
			where = append(where, fmt.Sprintf("(%s < %s::real OR (%s = %s::real AND p.id > %s))", score, sa, score, sa, ida))
		} else {
			where = append(where, "p.id > "+arg(id))
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	sql := `SELECT p.id, p.nik, p.name, p.sex, p.birth_date, p.kelurahan_code, p.presence, h.id, h.no_kk, m.relationship, ` + score + ` AS score
		FROM person p
		LEFT JOIN membership m ON m.person_id = p.id AND m.until IS NULL
		LEFT JOIN household h ON h.id = m.household_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + arg(limit+1)
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("while searching persons: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Found, error) {
		var f Found
		err := row.Scan(&f.ID, &f.NIK, &f.Name, &f.Sex, &f.BirthDate.Time, &f.Kelurahan, &f.Presence, &f.HouseholdID, &f.NoKK, &f.Relationship, &f.Score)
		return f, err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		next = makeCursor(last.Score, last.ID)
	}
	for i := range found {
		found[i].NIK = nik.Mask(found[i].NIK)
		if found[i].NoKK != nil {
			m := nik.Mask(*found[i].NoKK)
			found[i].NoKK = &m
		}
	}
	return found, next, nil
}

// A cursor holds the last row's score (exactly, as float32) and id.
func makeCursor(score *float32, id int64) string {
	s := ""
	if score != nil {
		s = strconv.FormatFloat(float64(*score), 'g', -1, 32)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s + ":" + strconv.FormatInt(id, 10)))
}

func parseCursor(c string) (float32, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, err
	}
	s, idText, ok := strings.Cut(string(raw), ":")
	if !ok {
		return 0, 0, fmt.Errorf("malformed cursor")
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	if s == "" {
		return 0, id, nil
	}
	f, err := strconv.ParseFloat(s, 32)
	return float32(f), id, err
}
