package proposal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// Meeting is a musyawarah kelurahan to record: when and where it was held,
// who chaired and attended, and its decision on each proposal it
// discussed. Recording it is the only way a submitted proposal moves.
type Meeting struct {
	Kelurahan string        `json:"kelurahan"`
	HeldOn    registry.Date `json:"heldOn"`
	Place     string        `json:"place"`
	Chair     string        `json:"chair"`
	Attendees []Attendee    `json:"attendees"`
	Notes     string        `json:"notes,omitempty"`
	Decisions []Decision    `json:"decisions"`
}

// Attendee is a person at a muskel, with the role they came in.
type Attendee struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Decision is the muskel's word on one proposal: agreed, or rejected with
// the reason.
type Decision struct {
	UsulanID int64  `json:"usulanId"`
	Agreed   bool   `json:"agreed"`
	Reason   string `json:"reason,omitempty"`
}

// Validate checks what can be checked without the database.
func (m *Meeting) Validate(now time.Time) error {
	var p registry.Problems
	if m.Kelurahan == "" {
		p.Add("/kelurahan", "usulan.kelurahan_required", "the kelurahan whose muskel it was")
	}
	switch {
	case !m.HeldOn.Valid() || m.HeldOn.IsZero():
		p.Add("/heldOn", "muskel.held_on", "the date it was held (YYYY-MM-DD)")
	case m.HeldOn.After(now):
		p.Add("/heldOn", "muskel.held_on_future", "a muskel is recorded after it was held")
	}
	p.Text("/place", "muskel.place", strings.TrimSpace(m.Place), 1, 200)
	p.Text("/chair", "muskel.chair", strings.TrimSpace(m.Chair), 1, 150)
	if len(m.Notes) > 2000 {
		p.Add("/notes", "muskel.notes_length", "at most 2000 characters")
	}
	if len(m.Attendees) == 0 {
		p.Add("/attendees", "muskel.attendees_required", "who attended, with their roles")
	}
	for i, a := range m.Attendees {
		at := "/attendees/" + strconv.Itoa(i)
		p.Text(at+"/name", "muskel.attendee_name", strings.TrimSpace(a.Name), 1, 150)
		p.OneOf(at+"/role", "muskel.attendee_role", a.Role, AttendeeRoles)
	}
	if len(m.Decisions) == 0 {
		p.Add("/decisions", "muskel.decisions_required", "the decision on each proposal discussed")
	}
	seen := map[int64]bool{}
	for i, d := range m.Decisions {
		at := "/decisions/" + strconv.Itoa(i)
		if seen[d.UsulanID] {
			p.Add(at+"/usulanId", "muskel.decided_twice", "this proposal is decided above")
		}
		seen[d.UsulanID] = true
		if !d.Agreed && strings.TrimSpace(d.Reason) == "" {
			p.Add(at+"/reason", "usulan.reason_required", "say why the muskel rejected it")
		}
	}
	return p.Err()
}

// Record records a muskel of a kelurahan in scope and moves each proposal
// it decided (submitted, of that kelurahan, all of one period), in tx.
func Record(ctx context.Context, tx pgx.Tx, m *Meeting, actor casework.Actor, scope []string) (int64, error) {
	if !registry.Allowed(scope, m.Kelurahan) {
		return 0, registry.Invalid("/kelurahan", "kelurahan.outside", "a kelurahan you work in")
	}
	ids := make([]int64, len(m.Decisions))
	for i, d := range m.Decisions {
		ids[i] = d.UsulanID
	}
	// Locked in id order, so two muskel deciding the same proposals wait
	// for each other rather than deadlock.
	rows, err := tx.Query(ctx, `SELECT id, status, coalesce(period, '') FROM usulan WHERE id = ANY($1) AND kelurahan_code = $2 ORDER BY id FOR UPDATE`,
		ids, m.Kelurahan)
	if err != nil {
		return 0, err
	}
	type found struct {
		status usulan.Status
		period string
	}
	proposals := map[int64]found{}
	var proposal int64
	var f found
	_, err = pgx.ForEachRow(rows, []any{&proposal, &f.status, &f.period}, func() error {
		proposals[proposal] = f
		return nil
	})
	if err != nil {
		return 0, err
	}
	var p registry.Problems
	period := ""
	for i, d := range m.Decisions {
		at := "/decisions/" + strconv.Itoa(i) + "/usulanId"
		f, ok := proposals[d.UsulanID]
		switch {
		case !ok:
			p.Add(at, "muskel.usulan_unknown", "no such proposal of this kelurahan")
		case f.status != usulan.Submitted:
			// Only a submitted proposal waits for a muskel.
			_, err := usulan.Check(f.status, usulan.Agreed, usulan.Muskel)
			return 0, err
		case period == "":
			period = f.period
		case f.period != period:
			p.Add(at, "muskel.one_period", "a muskel decides the proposals of one period; this one is of "+f.period)
		}
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	attendees, err := json.Marshal(m.Attendees)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO musyawarah (kelurahan_code, period, held_on, place, chair, attendees, notes, recorded_by, recorded_name)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), $8, $9) RETURNING id`,
		m.Kelurahan, period, m.HeldOn.Time, strings.TrimSpace(m.Place), strings.TrimSpace(m.Chair), attendees,
		strings.TrimSpace(m.Notes), actor.ID, actor.Username).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("while recording a musyawarah: %w", err)
	}
	for _, d := range m.Decisions {
		ch := &Change{Status: usulan.Agreed}
		if !d.Agreed {
			ch = &Change{Status: usulan.RejectedByMuskel, Reason: &d.Reason}
		}
		err := Transition(ctx, tx, &Move{ID: d.UsulanID, Change: ch, Side: usulan.Muskel, Scope: []string{m.Kelurahan}, Actor: actor,
			Musyawarah: &id})
		if err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Musyawarah is a recorded muskel with the proposals it decided.
type Musyawarah struct {
	ID         int64         `json:"id"`
	Kelurahan  string        `json:"kelurahan"`
	Period     string        `json:"period"`
	HeldOn     registry.Date `json:"heldOn"`
	Place      string        `json:"place"`
	Chair      string        `json:"chair"`
	Attendees  []Attendee    `json:"attendees"`
	Notes      *string       `json:"notes,omitempty"`
	RecordedBy string        `json:"recordedBy"`
	RecordedAt time.Time     `json:"recordedAt"`
	// Decided lists the proposals it decided, with the decision's reason.
	Decided []Decided `json:"decided"`
}

// Decided is a proposal a muskel decided.
type Decided struct {
	Summary
	Agreed bool    `json:"agreed"`
	Reason *string `json:"reason,omitempty"`
}

const meetingColumns = `m.id, m.kelurahan_code, m.period, m.held_on, m.place, m.chair, m.attendees, m.notes, m.recorded_name, m.recorded_at`

func scanMeeting(row pgx.Row, m *Musyawarah) error {
	return row.Scan(&m.ID, &m.Kelurahan, &m.Period, &m.HeldOn.Time, &m.Place, &m.Chair, &m.Attendees, &m.Notes, &m.RecordedBy, &m.RecordedAt)
}

// GetMusyawarah reads a muskel in scope with its decisions.
func GetMusyawarah(ctx context.Context, db registry.DB, id int64, scope []string) (*Musyawarah, error) {
	m := &Musyawarah{}
	err := scanMeeting(db.QueryRow(ctx, `SELECT `+meetingColumns+` FROM musyawarah m
		WHERE m.id = $1 AND ($2::text[] IS NULL OR m.kelurahan_code = ANY($2))`, id, registry.ScopeArg(scope)), m)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, registry.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading musyawarah %d: %w", id, err)
	}
	rows, err := db.Query(ctx, `SELECT `+summaryColumns+`, e.to_status = 'disepakati', e.reason
		FROM usulan_event e JOIN usulan u ON u.id = e.usulan_id
		WHERE e.musyawarah_id = $1 ORDER BY u.id`, id)
	if err != nil {
		return nil, err
	}
	m.Decided, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Decided, error) {
		var d Decided
		return d, scanSummary(row, &d.Summary, &d.Agreed, &d.Reason)
	})
	return m, err
}

// ListMusyawarah lists the muskel in scope, latest first.
func ListMusyawarah(ctx context.Context, db registry.DB, kelurahan string, scope []string) ([]Musyawarah, error) {
	rows, err := db.Query(ctx, `SELECT `+meetingColumns+` FROM musyawarah m
		WHERE ($1::text[] IS NULL OR m.kelurahan_code = ANY($1)) AND ($2 = '' OR m.kelurahan_code = $2)
		ORDER BY m.held_on DESC, m.id DESC LIMIT 200`, registry.ScopeArg(scope), kelurahan)
	if err != nil {
		return nil, fmt.Errorf("while listing musyawarah: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Musyawarah, error) {
		var m Musyawarah
		err := scanMeeting(row, &m)
		m.Decided = []Decided{}
		return m, err
	})
}

// Late is a kelurahan whose muskel is late: proposals of a period still
// wait for it after the period's muskel deadline.
type Late struct {
	Kelurahan string        `json:"kelurahan"`
	Period    string        `json:"period"`
	MuskelBy  registry.Date `json:"muskelBy"`
	Waiting   int           `json:"waiting"`
}

// LateMusyawarah lists the kelurahan in scope with proposals still
// submitted (waiting for their muskel) in the periods of deadlines, each
// a period's code with its muskel deadline already past.
func LateMusyawarah(ctx context.Context, db registry.DB, deadlines map[string]time.Time, scope []string) ([]Late, error) {
	late := slices.Collect(maps.Keys(deadlines))
	rows, err := db.Query(ctx, `SELECT kelurahan_code, period, count(*) FROM usulan
		WHERE status = 'diajukan' AND period = ANY($1) AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))
		GROUP BY 1, 2 ORDER BY 2, 1`, late, registry.ScopeArg(scope))
	if err != nil {
		return nil, fmt.Errorf("while counting late musyawarah: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Late, error) {
		var l Late
		err := row.Scan(&l.Kelurahan, &l.Period, &l.Waiting)
		l.MuskelBy = registry.Date{Time: deadlines[l.Period]}
		return l, err
	})
}
