package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/registry"
)

// EscalationReasons are why a kelurahan escalates a case to Dinas Sosial.
var EscalationReasons = []string{"tidak_ada_layanan", "instansi_gagal", "darurat"}

// EscalationStatuses: waiting in the city's queue, taken by a Dinas
// Sosial officer, decided.
var EscalationStatuses = []string{"menunggu", "ditangani", "diputuskan"}

// failuresToEscalate is how many referrals of a case must have failed (or
// been rejected) before "agencies failed" is a reason.
const failuresToEscalate = 2

// NewEscalation is a case escalated by the koordinator.
type NewEscalation struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// Validate checks an escalation's fields.
func (in *NewEscalation) Validate() error {
	var p registry.Problems
	p.OneOf("/reason", "escalation.reason", in.Reason, EscalationReasons)
	p.Text("/note", "escalation.note", in.Note, 1, 2000)
	return p.Err()
}

// Escalation is a case's escalation to Dinas Sosial.
type Escalation struct {
	ID          int64      `json:"id"`
	Reason      string     `json:"reason"`
	Note        string     `json:"note"`
	Status      string     `json:"status"`
	EscalatedBy string     `json:"escalatedBy"`
	EscalatedAt time.Time  `json:"escalatedAt"`
	TakenBy     *string    `json:"takenBy,omitempty"`
	TakenAt     *time.Time `json:"takenAt,omitempty"`
	Decision    *string    `json:"decision,omitempty"`
	DecidedBy   *string    `json:"decidedBy,omitempty"`
	DecidedAt   *time.Time `json:"decidedAt,omitempty"`
}

const escalationColumns = `e.id, e.reason, e.note, e.status, e.escalated_name, e.escalated_at, e.taken_name, e.taken_at,
	e.decision, e.decided_name, e.decided_at`

func scanEscalation(row pgx.CollectableRow) (Escalation, error) {
	var e Escalation
	err := row.Scan(&e.ID, &e.Reason, &e.Note, &e.Status, &e.EscalatedBy, &e.EscalatedAt, &e.TakenBy, &e.TakenAt,
		&e.Decision, &e.DecidedBy, &e.DecidedAt)
	return e, err
}

// Escalations lists a case's escalations, oldest first.
func Escalations(ctx context.Context, db registry.DB, complaint int64) ([]Escalation, error) {
	rows, err := db.Query(ctx, `SELECT `+escalationColumns+` FROM escalation e WHERE e.complaint_id = $1 ORDER BY e.id`, complaint)
	if err != nil {
		return nil, fmt.Errorf("while reading the escalations of complaint %d: %w", complaint, err)
	}
	return pgx.CollectRows(rows, scanEscalation)
}

// Escalate sends an open case to Dinas Sosial's queue. A closed case, one
// already escalated and not decided, and "agencies failed" without two
// failed or rejected referrals are refused.
func Escalate(ctx context.Context, tx pgx.Tx, id int64, in *NewEscalation, actor Actor, scope []string) error {
	status, _, err := lockComplaint(ctx, tx, id, scope)
	if err != nil {
		return err
	}
	if status == "ditutup" {
		return &StateError{"the complaint is closed"}
	}
	if in.Reason == "instansi_gagal" {
		var failed int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM referral WHERE complaint_id = $1 AND status IN ('failed', 'rejected')`, id).
			Scan(&failed); err != nil {
			return err
		}
		if failed < failuresToEscalate {
			return registry.Invalid("/reason", "escalation.not_failed_twice",
				fmt.Sprintf("agencies failed or rejected %d referrals of this case; escalating for that needs %d", failed, failuresToEscalate))
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO escalation (complaint_id, reason, note, escalated_by, escalated_name) VALUES ($1, $2, $3, $4, $5)`,
		id, in.Reason, in.Note, actor.ID, actor.Username)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.ConstraintName == "escalation_one_open" {
		return &StateError{"the case is escalated already and Dinas Sosial has not decided yet"}
	}
	if err != nil {
		return fmt.Errorf("while escalating complaint %d: %w", id, err)
	}
	note := "eskalasi ke Dinas Sosial: " + in.Reason
	return complaintEvent(ctx, tx, id, actor, &status, status, &note)
}

// TakeEscalation is Dinas Sosial taking a case from its queue.
func TakeEscalation(ctx context.Context, tx pgx.Tx, id int64, actor Actor) error {
	tag, err := tx.Exec(ctx, `UPDATE escalation SET status = 'ditangani', taken_by = $2, taken_name = $3, taken_at = now()
		WHERE complaint_id = $1 AND status = 'menunggu'`, id, actor.ID, actor.Username)
	if err != nil {
		return fmt.Errorf("while taking the escalation of complaint %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return &StateError{"no escalation of this case waits to be taken"}
	}
	return nil
}

// DecideEscalation records Dinas Sosial's decision on a case it took.
func DecideEscalation(ctx context.Context, tx pgx.Tx, id int64, decision string, actor Actor) error {
	var p registry.Problems
	p.Text("/decision", "escalation.decision", decision, 1, 4000)
	if err := p.Err(); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE escalation SET status = 'diputuskan', decision = $2, decided_name = $3, decided_at = now()
		WHERE complaint_id = $1 AND status = 'ditangani'`, id, decision, actor.Username)
	if err != nil {
		return fmt.Errorf("while deciding the escalation of complaint %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return &StateError{"no escalation of this case is taken: take it first"}
	}
	status, _, err := lockComplaint(ctx, tx, id, nil)
	if err != nil {
		return err
	}
	note := "keputusan Dinas Sosial dicatat"
	return complaintEvent(ctx, tx, id, actor, &status, status, &note)
}

// QueueItem is an open escalation in Dinas Sosial's queue: what the case
// is, not who (the case file, read in its kecamatan, is audited).
type QueueItem struct {
	Kecamatan   string    `json:"kecamatan"`
	ComplaintID int64     `json:"complaintId"`
	Kelurahan   string    `json:"kelurahan"`
	Category    string    `json:"category"`
	Urgency     string    `json:"urgency"`
	Reason      string    `json:"reason"`
	Status      string    `json:"status"`
	EscalatedAt time.Time `json:"escalatedAt"`
	TakenBy     *string   `json:"takenBy,omitempty"`
}

// EscalationQueue lists a kecamatan's open escalations, oldest first.
func EscalationQueue(ctx context.Context, db registry.DB, kecamatan string) ([]QueueItem, error) {
	rows, err := db.Query(ctx, `SELECT $1::text, c.id, c.kelurahan_code, c.category, c.urgency, e.reason, e.status, e.escalated_at, e.taken_name
		FROM escalation e JOIN complaint c ON c.id = e.complaint_id WHERE e.status <> 'diputuskan' ORDER BY e.escalated_at, e.id`, kecamatan)
	if err != nil {
		return nil, fmt.Errorf("while reading the escalations: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[QueueItem])
}

// QueueLess orders a city's queue: emergencies first, then oldest.
func QueueLess(a, b QueueItem) int {
	if ea, eb := a.Reason == "darurat", b.Reason == "darurat"; ea != eb {
		if ea {
			return -1
		}
		return 1
	}
	if c := a.EscalatedAt.Compare(b.EscalatedAt); c != 0 {
		return c
	}
	return slices.Compare([]string{a.Kecamatan}, []string{b.Kecamatan})
}
