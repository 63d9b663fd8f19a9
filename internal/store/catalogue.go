package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Service is an entry of the service catalogue Dinas Sosial keeps.
type Service struct {
	Code              string    `json:"code"`
	Name              string    `json:"name"`
	Agency            string    `json:"agency"`
	RequiredDocuments []string  `json:"requiredDocuments"`
	SharedFields      []string  `json:"sharedFields"`
	ResponseDays      int       `json:"responseDays"`
	CompletionDays    int       `json:"completionDays"`
	Active            bool      `json:"active"`
	UpdatedAt         time.Time `json:"updatedAt"`
}

// DocumentType is a document a service can ask for.
type DocumentType struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Category is a complaint category.
type Category struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	Position  int       `json:"position"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Holiday is a day service targets skip besides weekends.
type Holiday struct {
	Day  time.Time `json:"-"`
	Date string    `json:"date"`
	Name string    `json:"name"`
}

// InvalidReferenceError is a write naming something that does not exist:
// an agency or a document type.
type InvalidReferenceError struct {
	Field, Message string
}

func (e *InvalidReferenceError) Error() string { return e.Message }

// Services lists the catalogue, active services first.
func (s *Store) Services(ctx context.Context) ([]Service, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, agency_code, required_documents, shared_fields, response_days,
		completion_days, active, updated_at FROM service ORDER BY NOT active, code`)
	if err != nil {
		return nil, fmt.Errorf("while listing services: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Service])
}

// Service returns one service of the catalogue.
func (s *Store) Service(ctx context.Context, code string) (*Service, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, agency_code, required_documents, shared_fields, response_days,
		completion_days, active, updated_at FROM service WHERE code = $1`, code)
	if err != nil {
		return nil, fmt.Errorf("while reading service %s: %w", code, err)
	}
	svc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByPos[Service])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return svc, err
}

// PutService creates or replaces a service, recording the change; it
// reports whether it created one.
func (s *Store) PutService(ctx context.Context, svc *Service, by Change) (bool, error) {
	var unknown []string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(array_agg(d), '{}') FROM unnest($1::text[]) d
		WHERE d NOT IN (SELECT code FROM document_type)`, svc.RequiredDocuments).Scan(&unknown)
	if err != nil {
		return false, err
	}
	if len(unknown) > 0 {
		return false, &InvalidReferenceError{Field: "/requiredDocuments", Message: fmt.Sprintf("unknown document types %v", unknown)}
	}
	created, err := s.recorded(ctx, KindService, svc.Code, by, `SELECT to_jsonb(t) - 'updated_at' FROM service t WHERE code = $1 FOR UPDATE`,
		func(tx pgx.Tx) ([]byte, error) {
			var after []byte
			err := tx.QueryRow(ctx, `
				INSERT INTO service (code, name, agency_code, required_documents, shared_fields, response_days, completion_days, active)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, agency_code = EXCLUDED.agency_code,
					required_documents = EXCLUDED.required_documents, shared_fields = EXCLUDED.shared_fields,
					response_days = EXCLUDED.response_days, completion_days = EXCLUDED.completion_days, active = EXCLUDED.active,
					updated_at = now()
				RETURNING to_jsonb(service) - 'updated_at'`,
				svc.Code, svc.Name, svc.Agency, svc.RequiredDocuments, svc.SharedFields, svc.ResponseDays, svc.CompletionDays, svc.Active).Scan(&after)
			return after, err
		})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return false, &InvalidReferenceError{Field: "/agency", Message: "no such agency"}
	}
	if errors.As(err, &pgErr) && pgErr.Code == "23514" {
		return false, &InvalidReferenceError{Field: "/completionDays", Message: "the completion target cannot be shorter than the response target"}
	}
	if err != nil {
		return false, fmt.Errorf("while saving service %s: %w", svc.Code, err)
	}
	return created, nil
}

// DocumentTypes returns the document types with the given codes (all when
// codes is nil), in the order given.
func (s *Store) DocumentTypes(ctx context.Context, codes []string) ([]DocumentType, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.code, d.name FROM document_type d
		LEFT JOIN unnest($1::text[]) WITH ORDINALITY AS w(code, n) ON w.code = d.code
		WHERE $1::text[] IS NULL OR w.code IS NOT NULL ORDER BY w.n, d.code`, codes)
	if err != nil {
		return nil, fmt.Errorf("while reading document types: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[DocumentType])
}

// Categories lists the complaint categories in display order.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, active, position, updated_at FROM complaint_category ORDER BY position, code`)
	if err != nil {
		return nil, fmt.Errorf("while listing complaint categories: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Category])
}

// ActiveCategory reports whether code is an active complaint category.
func (s *Store) ActiveCategory(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM complaint_category WHERE code = $1 AND active)`, code).Scan(&ok)
	return ok, err
}

// PutCategory creates or replaces a complaint category, recording the
// change; it reports whether it created one.
func (s *Store) PutCategory(ctx context.Context, c *Category, by Change) (bool, error) {
	created, err := s.recorded(ctx, KindCategory, c.Code, by, `SELECT to_jsonb(t) - 'updated_at' FROM complaint_category t WHERE code = $1 FOR UPDATE`,
		func(tx pgx.Tx) ([]byte, error) {
			var after []byte
			err := tx.QueryRow(ctx, `
				INSERT INTO complaint_category (code, name, active, position) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active, position = EXCLUDED.position, updated_at = now()
				RETURNING to_jsonb(complaint_category) - 'updated_at'`, c.Code, c.Name, c.Active, c.Position).Scan(&after)
			return after, err
		})
	if err != nil {
		return false, fmt.Errorf("while saving complaint category %s: %w", c.Code, err)
	}
	return created, nil
}

// Holidays lists the holidays of a year (all when year is 0).
func (s *Store) Holidays(ctx context.Context, year int) ([]Holiday, error) {
	rows, err := s.pool.Query(ctx, `SELECT day, name FROM holiday WHERE $1 = 0 OR extract(year FROM day) = $1 ORDER BY day`, year)
	if err != nil {
		return nil, fmt.Errorf("while listing holidays: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Holiday, error) {
		var h Holiday
		err := r.Scan(&h.Day, &h.Name)
		h.Date = h.Day.Format(time.DateOnly)
		return h, err
	})
}

// HolidaysFrom returns the holiday dates from a day on, for counting
// targets.
func (s *Store) HolidaysFrom(ctx context.Context, from time.Time) ([]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT day FROM holiday WHERE day >= $1::date ORDER BY day`, from)
	if err != nil {
		return nil, fmt.Errorf("while reading holidays: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[time.Time])
}

const holidayBefore = `SELECT to_jsonb(t) - 'updated_at' FROM holiday t WHERE day = $1::date FOR UPDATE`

// PutHoliday creates or renames a holiday, recording the change; it reports
// whether it created one.
func (s *Store) PutHoliday(ctx context.Context, day time.Time, name string, by Change) (bool, error) {
	date := day.Format(time.DateOnly)
	created, err := s.recorded(ctx, KindHoliday, date, by, holidayBefore, func(tx pgx.Tx) ([]byte, error) {
		var after []byte
		err := tx.QueryRow(ctx, `INSERT INTO holiday (day, name) VALUES ($1, $2)
			ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
			RETURNING to_jsonb(holiday) - 'updated_at'`, date, name).Scan(&after)
		return after, err
	})
	if err != nil {
		return false, fmt.Errorf("while saving holiday %s: %w", date, err)
	}
	return created, nil
}

// DeleteHoliday removes a holiday, recording the change.
func (s *Store) DeleteHoliday(ctx context.Context, day time.Time, by Change) error {
	date := day.Format(time.DateOnly)
	_, err := s.recorded(ctx, KindHoliday, date, by, holidayBefore, func(tx pgx.Tx) ([]byte, error) {
		tag, err := tx.Exec(ctx, `DELETE FROM holiday WHERE day = $1::date`, date)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		return nil, err
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("while deleting holiday %s: %w", date, err)
	}
	return nil
}

// AgencyNames returns every agency's name by its code.
func (s *Store) AgencyNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name FROM agency`)
	if err != nil {
		return nil, fmt.Errorf("while listing agencies: %w", err)
	}
	names := map[string]string{}
	var code, name string
	_, err = pgx.ForEachRow(rows, []any{&code, &name}, func() error {
		names[code] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("while listing agencies: %w", err)
	}
	return names, nil
}

// AgencyName returns an agency's name.
func (s *Store) AgencyName(ctx context.Context, code string) (string, error) {
	var name string
	err := s.pool.QueryRow(ctx, `SELECT name FROM agency WHERE code = $1`, code).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return name, err
}
