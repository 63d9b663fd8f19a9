// Package registry reads and writes the social registry of one kecamatan
// (its tenant database): houses, households (KK), persons (NIK) and their
// membership over time. Every function takes the kelurahan the caller may act
// in (nil: the whole kecamatan); a row outside them is not found.
package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is a tenant database connection or transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ErrNotFound is a row that does not exist, or not where the caller may see.
var ErrNotFound = errors.New("not found")

// FieldError is a field of the input that breaks a rule.
type FieldError struct {
	Field, Code, Message string
}

// InvalidError lists what is wrong with an input.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%d invalid fields, first %s: %s", len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
}

// ConflictError is a write that collides with an existing row: a NIK or No
// KK already registered here, or a second head of a household.
type ConflictError struct {
	Field, Message string
	// ExistingID is the row it collides with, when the caller may follow it.
	ExistingID int64
	Kind       string // "person" or "household"
}

func (e *ConflictError) Error() string { return e.Message }

// ScopeArg builds the kelurahan filter argument of a query: NULL for the
// whole kecamatan.
func ScopeArg(kelurahan []string) any {
	if kelurahan == nil {
		return nil
	}
	return kelurahan
}

// Allowed reports whether a kelurahan lies within the caller's scope.
func Allowed(kelurahan []string, code string) bool {
	if kelurahan == nil {
		return true
	}
	for _, k := range kelurahan {
		if k == code {
			return true
		}
	}
	return false
}

// Date is a calendar date in JSON as YYYY-MM-DD. A string that is not a
// real date decodes without error and reports itself through Valid, so
// that the API can answer with a field error rather than a parse failure.
type Date struct {
	time.Time
	invalid bool
}

// Valid reports whether the date decoded was a real date.
func (d Date) Valid() bool { return !d.invalid }

// MarshalJSON writes YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.Format(time.DateOnly) + `"`), nil
}

// UnmarshalJSON reads YYYY-MM-DD.
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		return errors.New("a date must be a string YYYY-MM-DD")
	}
	*d = ParseDate(string(b[1 : len(b)-1]))
	return nil
}

// ParseDate reads YYYY-MM-DD; a string that is not a real date gives a
// Date that is not Valid.
func ParseDate(s string) Date {
	t, err := time.Parse(time.DateOnly, s)
	return Date{Time: t, invalid: err != nil}
}

// uniqueViolation returns the constraint a unique violation names, or "".
func uniqueViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName
	}
	return ""
}

// foreignKeyViolation reports an insert naming a row that does not exist.
func foreignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
