package proposal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// Create drafts a proposal in the caller's scope: the household (and
// person) it is about must be in it; a correction keeps the fields as the
// registry has them now beside the new ones.
func Create(ctx context.Context, tx pgx.Tx, in *New, actor casework.Actor, scope []string) (int64, error) {
	var kel, subject string
	var body any
	switch {
	case in.Kind == usulan.NewHousehold && in.HouseholdID != nil:
		h, err := registered(ctx, tx, *in.HouseholdID, scope)
		if err != nil {
			return 0, err
		}
		if h.DTKSID != nil || h.Desil != nil {
			return 0, registry.Invalid("/householdId", "usulan.in_dtsen", "DTSEN holds this household; propose a correction or a programme")
		}
		kel, subject, body = h.Kelurahan, head(h), snapshot(h)
	case in.Kind == usulan.NewHousehold:
		// The only kind whose kelurahan is not read in scope.
		if kel = in.Household.House.Kelurahan; !registry.Allowed(scope, kel) {
			return 0, registry.Invalid("/household/house/kelurahan", "kelurahan.outside", "a kelurahan you work in")
		}
		body = in.Household
		for _, m := range in.Household.Members {
			if m.Relationship == "kepala_keluarga" {
				subject = m.Name
			}
		}
		if err := notRegistered(ctx, tx, in.Household); err != nil {
			return 0, err
		}
	default:
		h, err := registered(ctx, tx, *in.HouseholdID, scope)
		if err != nil {
			return 0, err
		}
		kel, subject = h.Kelurahan, head(h)
		var record any = h
		if in.PersonID != nil {
			m, ok := member(h, *in.PersonID)
			if !ok {
				return 0, registry.Invalid("/personId", "usulan.person_unknown", "not a member of the household")
			}
			subject = m.Name
			if in.Kind == usulan.Correction {
				if record, err = registry.GetPerson(ctx, tx, *in.PersonID, scope); err != nil {
					return 0, err
				}
			}
		}
		switch in.Kind {
		case usulan.Correction:
			body = correction(in, record)
		case usulan.Deactivation:
			body = Deactivation{Reason: in.DeactivationReason, Evidence: strings.TrimSpace(in.Evidence)}
		case usulan.Programme:
			body = ProgrammeProposal{Programme: in.Programme}
		}
	}
	if in.ComplaintID != nil {
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM complaint WHERE id = $1 AND kelurahan_code = $2)`, *in.ComplaintID, kel).Scan(&ok)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, registry.Invalid("/complaintId", "usulan.complaint_unknown", "no such complaint in the proposal's kelurahan")
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO usulan (kelurahan_code, kind, household_id, person_id, complaint_id, subject, proposal, reason, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9) RETURNING id`,
		kel, in.Kind, in.HouseholdID, in.PersonID, in.ComplaintID, subject, data, strings.TrimSpace(in.Reason), actor.ID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("while drafting a proposal: %w", err)
	}
	return id, event(ctx, tx, id, actor, nil, usulan.Draft, nil, nil)
}

// registered reads the household a proposal is about, in scope.
func registered(ctx context.Context, tx pgx.Tx, id int64, scope []string) (*registry.Household, error) {
	h, err := registry.GetHousehold(ctx, tx, id, scope)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, registry.Invalid("/householdId", "usulan.household_unknown", "no such household in your kelurahan")
	}
	return h, err
}

// snapshot is a registered household as a new household's proposal keeps
// it: what the centre registers, as it was when proposed.
func snapshot(h *registry.Household) *NewHousehold {
	out := &NewHousehold{NoKK: h.NoKK, House: h.House, Socioeconomic: h.Socioeconomic}
	out.House.ID = 0
	for _, m := range h.Members {
		out.Members = append(out.Members, ProposedMember{NIK: m.NIK, Relationship: m.Relationship,
			PersonFacts: registry.PersonFacts{Name: m.Name, Sex: m.Sex, BirthDate: m.BirthDate, Presence: m.Presence}})
	}
	return out
}

// notRegistered refuses a proposed household whose No KK or a member's
// NIK the kecamatan's registry already holds: that is a correction or a
// move, not a new household.
func notRegistered(ctx context.Context, tx pgx.Tx, h *NewHousehold) error {
	var p registry.Problems
	var kk bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM household WHERE no_kk = $1)`, h.NoKK).Scan(&kk); err != nil {
		return err
	}
	if kk {
		p.Add("/household/noKK", "usulan.kk_registered", "this No KK is registered here; propose a correction instead")
	}
	niks := make([]string, len(h.Members))
	for i, m := range h.Members {
		niks[i] = m.NIK
	}
	rows, err := tx.Query(ctx, `SELECT nik FROM person WHERE nik = ANY($1)`, niks)
	if err != nil {
		return err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for i, n := range niks {
		if slices.Contains(found, n) {
			p.Add(fmt.Sprintf("/household/members/%d/nik", i), "usulan.nik_registered", "this NIK is registered here; move the person instead")
		}
	}
	return p.Err()
}

func head(h *registry.Household) string {
	for _, m := range h.Members {
		if m.Relationship == "kepala_keluarga" {
			return m.Name
		}
	}
	if len(h.Members) > 0 {
		return h.Members[0].Name
	}
	return "KK " + h.NoKK[:6] + "…"
}

func member(h *registry.Household, person int64) (registry.Member, bool) {
	for _, m := range h.Members {
		if m.PersonID == person {
			return m, true
		}
	}
	return registry.Member{}, false
}

func event(ctx context.Context, tx pgx.Tx, id int64, actor casework.Actor, from *usulan.Status, to usulan.Status, reason *string, muskel *int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO usulan_event (usulan_id, from_status, to_status, actor, username, role, reason, musyawarah_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, from, to, actor.ID, actor.Username, actor.Role, reason, muskel)
	if err != nil {
		return fmt.Errorf("while recording a step of proposal %d: %w", id, err)
	}
	return nil
}

const summaryColumns = `u.id, u.kelurahan_code, u.kind, u.status, u.subject, u.household_id, u.person_id, u.period, u.musyawarah_id,
	u.batch, u.created_at, u.updated_at`

func scanSummary(row pgx.Row, s *Summary, extra ...any) error {
	return row.Scan(append([]any{&s.ID, &s.Kelurahan, &s.Kind, &s.Status, &s.Subject, &s.HouseholdID, &s.PersonID, &s.Period,
		&s.MusyawarahID, &s.Batch, &s.CreatedAt, &s.UpdatedAt}, extra...)...)
}

// List lists the proposals in scope, newest first, at most f.Limit+1 (the
// one more says there is a next page).
func List(ctx context.Context, db registry.DB, f Filter, scope []string) ([]Summary, error) {
	rows, err := db.Query(ctx, `SELECT `+summaryColumns+` FROM usulan u
		WHERE ($1::text[] IS NULL OR u.kelurahan_code = ANY($1))
			AND ($2 = '' OR u.status = $2) AND ($3 = '' OR u.kelurahan_code = $3) AND ($4 = '' OR u.kind = $4)
			AND ($5 = '' OR u.period = $5) AND ($6 = 0 OR u.household_id = $6) AND ($7 = 0 OR u.musyawarah_id = $7)
			AND ($8 = 0 OR u.id < $8)
		ORDER BY u.id DESC LIMIT $9`,
		registry.ScopeArg(scope), f.Status, f.Kelurahan, f.Kind, f.Period, f.Household, f.Musyawarah, f.After, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while listing proposals: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Summary, error) {
		var s Summary
		return s, scanSummary(row, &s)
	})
}

// Get reads a proposal with its steps.
func Get(ctx context.Context, db registry.DB, id int64, scope []string) (*Proposal, error) {
	p := &Proposal{}
	err := scanSummary(db.QueryRow(ctx, `SELECT `+summaryColumns+`, u.complaint_id, u.proposal, u.reason FROM usulan u
		WHERE u.id = $1 AND ($2::text[] IS NULL OR u.kelurahan_code = ANY($2))`, id, registry.ScopeArg(scope)),
		&p.Summary, &p.ComplaintID, &p.Proposal, &p.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, registry.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading proposal %d: %w", id, err)
	}
	rows, err := db.Query(ctx, `SELECT at, username, role, from_status, to_status, reason, musyawarah_id FROM usulan_event
		WHERE usulan_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if p.History, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Event]); err != nil {
		return nil, err
	}
	p.Next = usulan.Next(p.Status, usulan.Puskesos)
	if p.Next == nil {
		p.Next = []usulan.Status{}
	}
	return p, nil
}

// Change is a requested transition of a proposal.
type Change struct {
	Status usulan.Status `json:"status"`
	Reason *string       `json:"reason,omitempty"`
}

// ErrNotAllowed is a step the caller's role may not take (403).
var ErrNotAllowed = casework.ErrNotAllowed

// Move is a proposal's transition asked for by one side.
type Move struct {
	ID     int64
	Change *Change
	Side   usulan.Side
	Scope  []string
	Actor  casework.Actor
	// Decides reports whether the actor may take a koordinator's step in
	// the proposal's kelurahan.
	Decides func(kelurahan string) bool
	// Period is the proposal period open now ("" when none is): a
	// submission joins it.
	Period string
	// NextOpens says when the next period opens, for the answer to a
	// submission when none is open.
	NextOpens string
	// Musyawarah is the muskel a Muskel side's step is decided in.
	Musyawarah *int64
}

// Transition moves a proposal, keeping who, when and why.
func Transition(ctx context.Context, tx pgx.Tx, m *Move) error {
	var from usulan.Status
	var kel string
	err := tx.QueryRow(ctx, `SELECT status, kelurahan_code FROM usulan WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))
		FOR UPDATE`, m.ID, registry.ScopeArg(m.Scope)).Scan(&from, &kel)
	if errors.Is(err, pgx.ErrNoRows) {
		return registry.ErrNotFound
	}
	if err != nil {
		return err
	}
	step, err := usulan.Check(from, m.Change.Status, m.Side)
	if err != nil {
		return err
	}
	if step.Decision && (m.Decides == nil || !m.Decides(kel)) {
		return ErrNotAllowed
	}
	reason := m.Change.Reason
	if reason != nil {
		trimmed := strings.TrimSpace(*reason)
		if reason = &trimmed; trimmed == "" {
			reason = nil
		}
	}
	if step.NeedsReason && reason == nil {
		return registry.Invalid("/reason", "usulan.reason_required", "say why the proposal becomes "+string(m.Change.Status))
	}
	if reason != nil && len(*reason) > 1000 {
		return registry.Invalid("/reason", "usulan.reason_length", "at most 1000 characters")
	}
	sql := `UPDATE usulan SET status = $2, updated_at = now()`
	args := []any{m.ID, m.Change.Status}
	switch {
	case m.Change.Status == usulan.Submitted && m.Period == "":
		msg := "no proposal period is open today; it waits as a draft for the next"
		if m.NextOpens != "" {
			msg += ", which opens on " + m.NextOpens
		}
		return &casework.StateError{Message: msg}
	case m.Change.Status == usulan.Submitted:
		sql += `, period = $3, musyawarah_id = NULL`
		args = append(args, m.Period)
	case m.Side == usulan.Muskel:
		sql += `, musyawarah_id = $3`
		args = append(args, m.Musyawarah)
	}
	if _, err := tx.Exec(ctx, sql+` WHERE id = $1`, args...); err != nil {
		return fmt.Errorf("while moving proposal %d to %s: %w", m.ID, m.Change.Status, err)
	}
	return event(ctx, tx, m.ID, m.Actor, &from, m.Change.Status, reason, m.Musyawarah)
}
