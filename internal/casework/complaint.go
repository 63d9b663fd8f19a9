// Package casework reads and writes the cases of one kecamatan (its tenant
// database): complaints (keluhan) with their assessment and follow-ups, and
// the referrals (rujukan) made for them. Like package registry, every
// function takes the kelurahan the caller may act in (nil: all of them).
package casework

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
)

// Actor is who makes a change, as the history records it.
type Actor struct {
	ID       int64
	Username string
	Role     string
}

// ErrNotFound is a case that does not exist, or not where the caller may see.
var ErrNotFound = registry.ErrNotFound

// StateError is a change the case's state does not allow (409).
type StateError struct{ Message string }

func (e *StateError) Error() string { return e.Message }

// NewComplaint is a complaint to record about a registered person.
type NewComplaint struct {
	PersonID    int64  `json:"personId"`
	Channel     string `json:"channel"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Urgency     string `json:"urgency"`
}

// Resident returns who a person is, with the NIK masked, when the person is
// within scope: enough to show whom a complaint is about, without the
// full (audited) record.
func Resident(ctx context.Context, db registry.DB, id int64, scope []string) (*PersonBrief, error) {
	p := &PersonBrief{}
	err := db.QueryRow(ctx, `SELECT id, nik, name FROM person WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))`,
		id, registry.ScopeArg(scope)).Scan(&p.ID, &p.NIK, &p.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading person %d: %w", id, err)
	}
	p.NIK = nik.Mask(p.NIK)
	return p, nil
}

// Complaint is a complaint with its case file.
type Complaint struct {
	ID          int64             `json:"id"`
	Kelurahan   string            `json:"kelurahan"`
	Person      PersonBrief       `json:"person"`
	HouseholdID *int64            `json:"householdId,omitempty"`
	Channel     string            `json:"channel"`
	Category    string            `json:"category"`
	Description string            `json:"description"`
	Urgency     string            `json:"urgency"`
	Status      string            `json:"status"`
	Outcome     *string           `json:"outcome,omitempty"`
	CreatedAt   time.Time         `json:"createdAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
	Assessment  *Assessment       `json:"assessment,omitempty"`
	History     []Event           `json:"history"`
	FollowUps   []FollowUp        `json:"followUps"`
	Referrals   []ReferralSummary `json:"referrals"`
	// Escalations to Dinas Sosial, oldest first.
	Escalations []Escalation `json:"escalations"`
}

// PersonBrief names the person of a case, NIK masked.
type PersonBrief struct {
	ID   int64  `json:"id"`
	NIK  string `json:"nik"`
	Name string `json:"name"`
}

// ComplaintSummary is a complaint in a list: no free text.
type ComplaintSummary struct {
	ID        int64       `json:"id"`
	Kelurahan string      `json:"kelurahan"`
	Person    PersonBrief `json:"person"`
	Channel   string      `json:"channel"`
	Category  string      `json:"category"`
	Urgency   string      `json:"urgency"`
	Status    string      `json:"status"`
	CreatedAt time.Time   `json:"createdAt"`
}

// Event is a status change in a case's history.
type Event struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Role  string    `json:"role,omitempty"`
	From  *string   `json:"from,omitempty"`
	To    string    `json:"to"`
	Note  *string   `json:"note,omitempty"`
}

// FollowUp is a tindak lanjut recorded on a case.
type FollowUp struct {
	ID    int64     `json:"id"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Kind  string    `json:"kind"`
	Note  string    `json:"note"`
}

// Assessment is the back office's assessment of a complaint.
type Assessment struct {
	InDTKS             bool     `json:"inDtks"`
	Desil              *int16   `json:"desil,omitempty"`
	Programmes         []string `json:"programmes"`
	DocumentsHeld      []string `json:"documentsHeld"`
	RecommendedService *string  `json:"recommendedService,omitempty"`
	Notes              *string  `json:"notes,omitempty"`
	// PPKS are the resident's categories of social welfare need.
	PPKS       []string  `json:"ppks"`
	AssessedBy string    `json:"assessedBy,omitempty"`
	AssessedAt time.Time `json:"assessedAt"`
}

// CreateComplaint records a complaint about a person in the caller's
// scope, in the person's kelurahan and current household.
func CreateComplaint(ctx context.Context, tx pgx.Tx, in *NewComplaint, actor Actor, scope []string) (int64, error) {
	var kel string
	var household *int64
	err := tx.QueryRow(ctx, `
		SELECT p.kelurahan_code, m.household_id FROM person p
		LEFT JOIN membership m ON m.person_id = p.id AND m.until IS NULL
		WHERE p.id = $1 AND ($2::text[] IS NULL OR p.kelurahan_code = ANY($2))`, in.PersonID, registry.ScopeArg(scope)).Scan(&kel, &household)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, registry.Invalid("/personId", "complaint.person_unknown", "no such person in your kelurahan; register the person first")
	}
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO complaint (kelurahan_code, person_id, household_id, channel, category, description, urgency, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		kel, in.PersonID, household, in.Channel, in.Category, in.Description, in.Urgency, actor.ID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("while recording the complaint: %w", err)
	}
	return id, complaintEvent(ctx, tx, id, actor, nil, "baru", nil)
}

func complaintEvent(ctx context.Context, tx pgx.Tx, id int64, actor Actor, from *string, to string, note *string) error {
	_, err := tx.Exec(ctx, `INSERT INTO complaint_event (complaint_id, actor_id, actor, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, actor.ID, actor.Username, from, to, note)
	if err != nil {
		return fmt.Errorf("while recording the history of complaint %d: %w", id, err)
	}
	return nil
}

// ComplaintFilter narrows a list of complaints.
type ComplaintFilter struct {
	Status    string
	Kelurahan string
	Category  string
	After     int64 // cursor: the last id of the previous page
	Limit     int
}

// ListComplaints lists complaints, newest first.
func ListComplaints(ctx context.Context, db registry.DB, f ComplaintFilter, scope []string) ([]ComplaintSummary, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id, c.kelurahan_code, p.id, p.nik, p.name, c.channel, c.category, c.urgency, c.status, c.created_at
		FROM complaint c JOIN person p ON p.id = c.person_id
		WHERE ($1::text[] IS NULL OR c.kelurahan_code = ANY($1))
			AND ($2 = '' OR c.status = $2) AND ($3 = '' OR c.kelurahan_code = $3) AND ($4 = '' OR c.category = $4)
			AND ($5 = 0 OR c.id < $5)
		ORDER BY c.id DESC LIMIT $6`, registry.ScopeArg(scope), f.Status, f.Kelurahan, f.Category, f.After, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while listing complaints: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ComplaintSummary, error) {
		var c ComplaintSummary
		err := row.Scan(&c.ID, &c.Kelurahan, &c.Person.ID, &c.Person.NIK, &c.Person.Name, &c.Channel, &c.Category, &c.Urgency, &c.Status, &c.CreatedAt)
		c.Person.NIK = nik.Mask(c.Person.NIK)
		return c, err
	})
}

// GetComplaint reads a complaint's case file: assessment, history,
// follow-ups and referrals.
func GetComplaint(ctx context.Context, db registry.DB, id int64, scope []string, today time.Time) (*Complaint, error) {
	c := &Complaint{}
	err := db.QueryRow(ctx, `
		SELECT c.id, c.kelurahan_code, p.id, p.nik, p.name, c.household_id, c.channel, c.category, c.description, c.urgency,
			c.status, c.outcome, c.created_at, c.updated_at
		FROM complaint c JOIN person p ON p.id = c.person_id
		WHERE c.id = $1 AND ($2::text[] IS NULL OR c.kelurahan_code = ANY($2))`, id, registry.ScopeArg(scope)).Scan(
		&c.ID, &c.Kelurahan, &c.Person.ID, &c.Person.NIK, &c.Person.Name, &c.HouseholdID, &c.Channel, &c.Category, &c.Description,
		&c.Urgency, &c.Status, &c.Outcome, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading complaint %d: %w", id, err)
	}
	c.Person.NIK = nik.Mask(c.Person.NIK)
	a := &Assessment{}
	err = db.QueryRow(ctx, `
		SELECT in_dtks, desil, programmes, documents_held, recommended_service, notes, ppks, assessed_at FROM assessment WHERE complaint_id = $1`, id).Scan(
		&a.InDTKS, &a.Desil, &a.Programmes, &a.DocumentsHeld, &a.RecommendedService, &a.Notes, &a.PPKS, &a.AssessedAt)
	switch {
	case err == nil:
		c.Assessment = a
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT at, actor, '', from_status, to_status, note FROM complaint_event WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if c.History, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Event]); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT id, at, actor, kind, note FROM follow_up WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if c.FollowUps, err = pgx.CollectRows(rows, pgx.RowToStructByPos[FollowUp]); err != nil {
		return nil, err
	}
	if c.Referrals, err = ListReferrals(ctx, db, ReferralFilter{Complaint: id, Limit: 1000}, scope, today); err != nil {
		return nil, err
	}
	c.Escalations, err = Escalations(ctx, db, id)
	return c, err
}

// lockComplaint locks a complaint in the caller's scope for a change.
func lockComplaint(ctx context.Context, tx pgx.Tx, id int64, scope []string) (status, kelurahan string, err error) {
	err = tx.QueryRow(ctx, `SELECT status, kelurahan_code FROM complaint WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2)) FOR UPDATE`,
		id, registry.ScopeArg(scope)).Scan(&status, &kelurahan)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrNotFound
	}
	return status, kelurahan, err
}

// setComplaintStatus moves a complaint to status, with history.
func setComplaintStatus(ctx context.Context, tx pgx.Tx, id int64, actor Actor, from, to string, outcome, note *string) error {
	if from == to {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE complaint SET status = $2, outcome = $3, updated_at = now() WHERE id = $1`, id, to, outcome); err != nil {
		return fmt.Errorf("while changing the status of complaint %d: %w", id, err)
	}
	return complaintEvent(ctx, tx, id, actor, &from, to, note)
}

// AssessmentInput is what the back office records; the registry facts (in
// DTKS, desil, programmes) are taken from the household record.
type AssessmentInput struct {
	DocumentsHeld      []string `json:"documentsHeld"`
	RecommendedService *string  `json:"recommendedService,omitempty"`
	Notes              *string  `json:"notes,omitempty"`
	// PPKS are the resident's categories (codes of GET /api/v1/ppks).
	PPKS []string `json:"ppks,omitempty"`
}

// Assess records (or revises) the assessment of an open complaint; a new
// complaint becomes dikaji.
func Assess(ctx context.Context, tx pgx.Tx, id int64, in *AssessmentInput, actor Actor, scope []string) error {
	status, _, err := lockComplaint(ctx, tx, id, scope)
	if err != nil {
		return err
	}
	if status == "ditutup" {
		return &StateError{"the complaint is closed"}
	}
	docs, ppks := in.DocumentsHeld, in.PPKS
	if docs == nil {
		docs = []string{}
	}
	if ppks == nil {
		ppks = []string{}
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO assessment (complaint_id, in_dtks, desil, programmes, documents_held, recommended_service, notes, ppks, assessed_by)
		SELECT c.id, coalesce(h.dtks_id IS NOT NULL, false), h.desil, coalesce(h.programmes, '{}'), $2, $3, $4, $5, $6
		FROM complaint c LEFT JOIN household h ON h.id = c.household_id WHERE c.id = $1
		ON CONFLICT (complaint_id) DO UPDATE SET in_dtks = EXCLUDED.in_dtks, desil = EXCLUDED.desil, programmes = EXCLUDED.programmes,
			documents_held = EXCLUDED.documents_held, recommended_service = EXCLUDED.recommended_service, notes = EXCLUDED.notes,
			ppks = EXCLUDED.ppks, assessed_by = EXCLUDED.assessed_by, assessed_at = now()`,
		id, docs, in.RecommendedService, in.Notes, ppks, actor.ID)
	if err != nil {
		return fmt.Errorf("while recording the assessment of complaint %d: %w", id, err)
	}
	if status == "baru" {
		return setComplaintStatus(ctx, tx, id, actor, status, "dikaji", nil, nil)
	}
	return nil
}

// NewFollowUp is a tindak lanjut to record.
type NewFollowUp struct {
	Kind string `json:"kind"`
	Note string `json:"note"`
}

// AddFollowUp records a follow-up on a complaint that is not closed.
func AddFollowUp(ctx context.Context, tx pgx.Tx, id int64, in *NewFollowUp, actor Actor, scope []string) (int64, error) {
	status, _, err := lockComplaint(ctx, tx, id, scope)
	if err != nil {
		return 0, err
	}
	if status == "ditutup" {
		return 0, &StateError{"the complaint is closed"}
	}
	var fid int64
	err = tx.QueryRow(ctx, `INSERT INTO follow_up (complaint_id, actor_id, actor, kind, note) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		id, actor.ID, actor.Username, in.Kind, in.Note).Scan(&fid)
	return fid, err
}

// Closing closes a case with its outcome.
type Closing struct {
	Outcome string  `json:"outcome"`
	Note    *string `json:"note,omitempty"`
}

// Close closes a complaint. A complaint with referrals still open cannot
// be closed: they are finished or cancelled first.
func Close(ctx context.Context, tx pgx.Tx, id int64, in *Closing, actor Actor, scope []string) error {
	status, _, err := lockComplaint(ctx, tx, id, scope)
	if err != nil {
		return err
	}
	if status == "ditutup" {
		return &StateError{"the complaint is already closed"}
	}
	rows, err := tx.Query(ctx, `SELECT tracking_code FROM referral WHERE complaint_id = $1 AND status IN ('draft', 'requested', 'accepted', 'in-progress') ORDER BY id`, id)
	if err != nil {
		return err
	}
	open, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return &StateError{"referrals of this complaint are still open (" + strings.Join(open, ", ") + "); finish or cancel them first"}
	}
	return setComplaintStatus(ctx, tx, id, actor, status, "ditutup", &in.Outcome, in.Note)
}
