package casework

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/registry"
)

// LetterFacts gathers what the referral letter of a sent referral says, from
// the tenant database: the agency's name and the signer's display name are
// the control database's, filled in by the caller from AgencyCode and
// SignerUsername.
type LetterFacts struct {
	letter.Letter
	AgencyCode     string
	SignerUsername string
}

// GetLetterFacts reads a sent referral's letter facts in the caller's scope.
// A draft has no letter yet (*StateError).
func GetLetterFacts(ctx context.Context, db registry.DB, id int64, scope []string) (*LetterFacts, error) {
	f := &LetterFacts{}
	var requestedAt *time.Time
	var responseDue, completionDue *time.Time
	var note, noKK, street, rt, rw *string
	var docs []Document
	err := db.QueryRow(ctx, `
		SELECT r.tracking_code, k.name, r.service_name, r.agency_code, r.documents, r.note, r.requested_at, r.response_due, r.completion_due,
			p.name, p.nik, p.birth_place, p.birth_date, h.no_kk, ho.street, ho.rt, ho.rw,
			coalesce((SELECT actor FROM referral_event e WHERE e.referral_id = r.id AND e.to_status = 'requested' ORDER BY e.id DESC LIMIT 1), '')
		FROM referral r
		JOIN kelurahan k ON k.code = r.kelurahan_code
		JOIN person p ON p.id = r.person_id
		LEFT JOIN membership m ON m.person_id = p.id AND m.until IS NULL
		LEFT JOIN household h ON h.id = m.household_id
		LEFT JOIN house ho ON ho.id = h.house_id
		WHERE r.id = $1 AND ($2::text[] IS NULL OR r.kelurahan_code = ANY($2))`, id, registry.ScopeArg(scope)).Scan(
		&f.TrackingCode, &f.Kelurahan, &f.Service, &f.AgencyCode, &docs, &note, &requestedAt, &responseDue, &completionDue,
		&f.Resident.Name, &f.Resident.NIK, &f.Resident.BirthPlace, &f.Resident.BirthDate, &noKK, &street, &rt, &rw, &f.SignerUsername)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading the letter of referral %d: %w", id, err)
	}
	if requestedAt == nil {
		return nil, &StateError{"a draft has no letter yet: the koordinator sends it first"}
	}
	f.SentAt, f.ResponseDue, f.CompletionDue = *requestedAt, *responseDue, *completionDue
	if note != nil {
		f.Note = *note
	}
	if noKK != nil {
		f.Resident.NoKK = *noKK
	}
	if street != nil {
		f.Resident.Address = fmt.Sprintf("%s, RT %s/RW %s, Kelurahan %s", *street, *rt, *rw, f.Kelurahan)
	}
	for _, d := range docs {
		f.Documents = append(f.Documents, letter.Document{Name: d.Name, Provided: d.Provided})
	}
	return f, nil
}

// Tracking is what the public may know of a referral by its code: status
// and dates; not the resident, and not the service either (a service can
// say something about health or disability).
type Tracking struct {
	TrackingCode  string          `json:"trackingCode"`
	Status        string          `json:"status"`
	SentAt        *time.Time      `json:"sentAt,omitempty"`
	ResponseDue   *registry.Date  `json:"responseDue,omitempty"`
	CompletionDue *registry.Date  `json:"completionDue,omitempty"`
	History       []TrackingEvent `json:"history"`
}

// TrackingEvent is a status change, without who made it or why.
type TrackingEvent struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// Track looks a sent referral up by its tracking code. A draft is not
// public yet.
func Track(ctx context.Context, db registry.DB, code string) (*Tracking, error) {
	t := &Tracking{}
	var id int64
	var responseDue, completionDue *time.Time
	err := db.QueryRow(ctx, `SELECT id, tracking_code, status, requested_at, response_due, completion_due
		FROM referral WHERE tracking_code = $1 AND requested_at IS NOT NULL`, code).Scan(
		&id, &t.TrackingCode, &t.Status, &t.SentAt, &responseDue, &completionDue)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while tracking a referral: %w", err)
	}
	t.ResponseDue, t.CompletionDue = dateOf(responseDue), dateOf(completionDue)
	rows, err := db.Query(ctx, `SELECT to_status, at FROM referral_event WHERE referral_id = $1 AND to_status <> 'draft' ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	t.History, err = pgx.CollectRows(rows, pgx.RowToStructByPos[TrackingEvent])
	return t, err
}
