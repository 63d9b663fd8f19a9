package casework

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/workdays"
)

// Service is a catalogue service as a referral keeps it: the catalogue may
// change later, the referral keeps what it was made with.
type Service struct {
	Code              string
	Name              string
	Agency            string
	RequiredDocuments []Document
	SharedFields      []string
	ResponseDays      int
	CompletionDays    int
}

// Document is a required document and whether the resident provided it.
type Document struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Provided bool   `json:"provided"`
}

// NewReferral is a referral to make for a complaint.
type NewReferral struct {
	ComplaintID       int64    `json:"complaintId"`
	Service           string   `json:"service"`
	DocumentsProvided []string `json:"documentsProvided"`
	Note              *string  `json:"note,omitempty"`
}

// ReferralSummary is a referral in a list.
type ReferralSummary struct {
	ID                int64          `json:"id"`
	TrackingCode      string         `json:"trackingCode"`
	ComplaintID       int64          `json:"complaintId"`
	Kelurahan         string         `json:"kelurahan"`
	Person            PersonBrief    `json:"person"`
	Service           string         `json:"service"`
	ServiceName       string         `json:"serviceName"`
	Agency            string         `json:"agency"`
	Status            string         `json:"status"`
	RequestedAt       *time.Time     `json:"requestedAt,omitempty"`
	ResponseDue       *registry.Date `json:"responseDue,omitempty"`
	CompletionDue     *registry.Date `json:"completionDue,omitempty"`
	ResponseOverdue   bool           `json:"responseOverdue"`
	CompletionOverdue bool           `json:"completionOverdue"`
	CreatedAt         time.Time      `json:"createdAt"`
}

// Referral is a referral with its documents and history.
type Referral struct {
	ReferralSummary
	Documents   []Document `json:"documents"`
	Note        *string    `json:"note,omitempty"`
	RespondedAt *time.Time `json:"respondedAt,omitempty"`
	ClosedAt    *time.Time `json:"closedAt,omitempty"`
	Result      *string    `json:"result,omitempty"`
	History     []Event    `json:"history"`
	// Next lists the statuses the Puskesos may move it to.
	Next []rujukan.Status `json:"next"`
}

// CreateReferral makes a draft referral for an open complaint in the
// caller's scope, with the service's documents checklist. tenantCode
// prefixes the tracking code, so that a code names its kecamatan.
func CreateReferral(ctx context.Context, tx pgx.Tx, in *NewReferral, svc *Service, tenantCode string, actor Actor, scope []string) (int64, string, error) {
	status, _, err := lockComplaint(ctx, tx, in.ComplaintID, scope)
	if errors.Is(err, ErrNotFound) {
		return 0, "", registry.Invalid("/complaintId", "referral.complaint_unknown", "no such complaint in your kelurahan")
	}
	if err != nil {
		return 0, "", err
	}
	if status == "ditutup" {
		return 0, "", &StateError{"the complaint is closed"}
	}
	provided := map[string]bool{}
	for _, d := range in.DocumentsProvided {
		provided[d] = true
	}
	docs := make([]Document, 0, len(svc.RequiredDocuments))
	for _, d := range svc.RequiredDocuments {
		docs = append(docs, Document{Code: d.Code, Name: d.Name, Provided: provided[d.Code]})
		delete(provided, d.Code)
	}
	for extra := range provided {
		return 0, "", registry.Invalid("/documentsProvided", "referral.document_not_required", extra+" is not a document this service asks for")
	}
	var id int64
	var code string
	for attempt := 0; ; attempt++ {
		code = TrackingCode(tenantCode)
		err = tx.QueryRow(ctx, `
			INSERT INTO referral (tracking_code, complaint_id, kelurahan_code, person_id, service_code, service_name, agency_code,
				shared_fields, response_days, completion_days, documents, note, created_by)
			SELECT $1, c.id, c.kelurahan_code, c.person_id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM complaint c WHERE c.id = $2
			RETURNING id`,
			code, in.ComplaintID, svc.Code, svc.Name, svc.Agency, svc.SharedFields, svc.ResponseDays, svc.CompletionDays, docs, in.Note, actor.ID).Scan(&id)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "tracking_code") {
			break
		}
	}
	if err != nil {
		return 0, "", fmt.Errorf("while making the referral: %w", err)
	}
	return id, code, referralEvent(ctx, tx, id, actor, nil, rujukan.Draft, nil)
}

// Crockford's base32 alphabet: no I, L, O or U to misread.
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// TrackingCode makes a tracking code for a resident: the kecamatan's digits
// and 8 random characters (40 bits), e.g. 327303-7KQ2M9XA.
func TrackingCode(tenantCode string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = trackingAlphabet[int(b[i])%len(trackingAlphabet)]
	}
	return strings.ReplaceAll(tenantCode, ".", "") + "-" + string(b)
}

func referralEvent(ctx context.Context, tx pgx.Tx, id int64, actor Actor, from *rujukan.Status, to rujukan.Status, reason *string) error {
	_, err := tx.Exec(ctx, `INSERT INTO referral_event (referral_id, actor_id, actor, actor_role, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, actor.ID, actor.Username, actor.Role, from, to, reason)
	if err != nil {
		return fmt.Errorf("while recording the history of referral %d: %w", id, err)
	}
	return nil
}

// ReferralFilter narrows a list of referrals.
type ReferralFilter struct {
	Status    string
	Kelurahan string
	Agency    string
	Overdue   bool
	Complaint int64
	After     int64
	Limit     int
}

const overdueColumns = `
	(r.status = 'requested' AND r.response_due < $1::date) AS response_overdue,
	(r.status IN ('requested', 'accepted', 'in-progress') AND r.completion_due < $1::date) AS completion_overdue`

const summaryColumns = `r.id, r.tracking_code, r.complaint_id, r.kelurahan_code, p.id, p.nik, p.name, r.service_code, r.service_name,
	r.agency_code, r.status, r.requested_at, r.response_due, r.completion_due, r.created_at,` + overdueColumns

func scanSummary(row pgx.Row, s *ReferralSummary, extra ...any) error {
	var responseDue, completionDue *time.Time
	err := row.Scan(append([]any{&s.ID, &s.TrackingCode, &s.ComplaintID, &s.Kelurahan, &s.Person.ID, &s.Person.NIK, &s.Person.Name,
		&s.Service, &s.ServiceName, &s.Agency, &s.Status, &s.RequestedAt, &responseDue, &completionDue, &s.CreatedAt,
		&s.ResponseOverdue, &s.CompletionOverdue}, extra...)...)
	s.ResponseDue, s.CompletionDue = dateOf(responseDue), dateOf(completionDue)
	s.Person.NIK = nik.Mask(s.Person.NIK)
	return err
}

func dateOf(t *time.Time) *registry.Date {
	if t == nil {
		return nil
	}
	return &registry.Date{Time: *t}
}

// ListReferrals lists referrals newest first, overdue ones flagged as of
// today (the city's date).
func ListReferrals(ctx context.Context, db registry.DB, f ReferralFilter, scope []string, today time.Time) ([]ReferralSummary, error) {
	rows, err := db.Query(ctx, `SELECT `+summaryColumns+`
		FROM referral r JOIN person p ON p.id = r.person_id
		WHERE ($2::text[] IS NULL OR r.kelurahan_code = ANY($2))
			AND ($3 = '' OR r.status = $3) AND ($4 = '' OR r.kelurahan_code = $4) AND ($5 = '' OR r.agency_code = $5)
			AND (NOT $6 OR (r.status = 'requested' AND r.response_due < $1::date)
				OR (r.status IN ('requested', 'accepted', 'in-progress') AND r.completion_due < $1::date))
			AND ($7 = 0 OR r.complaint_id = $7) AND ($8 = 0 OR r.id < $8)
		ORDER BY r.id DESC LIMIT $9`,
		today, registry.ScopeArg(scope), f.Status, f.Kelurahan, f.Agency, f.Overdue, f.Complaint, f.After, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while listing referrals: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReferralSummary, error) {
		var s ReferralSummary
		return s, scanSummary(row, &s)
	})
}

// GetReferral reads a referral with its documents and history.
func GetReferral(ctx context.Context, db registry.DB, id int64, scope []string, today time.Time) (*Referral, error) {
	r := &Referral{}
	err := scanSummary(db.QueryRow(ctx, `SELECT `+summaryColumns+`, r.documents, r.note, r.responded_at, r.closed_at, r.result
		FROM referral r JOIN person p ON p.id = r.person_id
		WHERE r.id = $2 AND ($3::text[] IS NULL OR r.kelurahan_code = ANY($3))`, today, id, registry.ScopeArg(scope)),
		&r.ReferralSummary, &r.Documents, &r.Note, &r.RespondedAt, &r.ClosedAt, &r.Result)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading referral %d: %w", id, err)
	}
	if r.History, err = referralHistory(ctx, db, id); err != nil {
		return nil, err
	}
	r.Next = rujukan.Next(rujukan.Status(r.Status), rujukan.Puskesos)
	if r.Next == nil {
		r.Next = []rujukan.Status{}
	}
	return r, nil
}

func referralHistory(ctx context.Context, db registry.DB, id int64) ([]Event, error) {
	rows, err := db.Query(ctx, `SELECT at, actor, actor_role, from_status, to_status, reason FROM referral_event WHERE referral_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
}

// Change is a requested transition of a referral.
type Change struct {
	Status rujukan.Status `json:"status"`
	Reason *string        `json:"reason,omitempty"`
}

// Where selects the referrals a side may move: the Puskesos in its
// kelurahan, an agency those addressed to it.
type Where struct {
	Scope  []string
	Agency string
}

// ErrNotAllowed is a transition the caller's role may not make (403).
var ErrNotAllowed = errors.New("your role does not allow this transition")

// Move is a referral transition asked for by one side.
type Move struct {
	ID     int64
	Change *Change
	Side   rujukan.Side
	// Where holds the referrals this side may move.
	Where Where
	Actor Actor
	// Calendar counts the deadlines a send sets, in working days from Now.
	Calendar *workdays.Calendar
	Now      time.Time
	// Decides reports whether the actor may take a decision step (a
	// koordinator's) in the referral's kelurahan.
	Decides func(step rujukan.Step, kelurahan string) bool
}

// Transition moves a referral, keeping who, when and why, and returns the
// agency it is addressed to. Sending starts the clock.
func Transition(ctx context.Context, tx pgx.Tx, m *Move) (string, error) {
	id, ch, where, actor, now := m.ID, m.Change, m.Where, m.Actor, m.Now
	var from rujukan.Status
	var kel, agency string
	var complaintID int64
	var responseDays, completionDays int
	err := tx.QueryRow(ctx, `
		SELECT status, kelurahan_code, agency_code, complaint_id, response_days, completion_days FROM referral
		WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2)) AND ($3 = '' OR (agency_code = $3 AND requested_at IS NOT NULL))
		FOR UPDATE`, id, registry.ScopeArg(where.Scope), where.Agency).Scan(&from, &kel, &agency, &complaintID, &responseDays, &completionDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	step, err := rujukan.Check(from, ch.Status, m.Side)
	if err != nil {
		return "", err
	}
	if step.Decision && !m.Decides(step, kel) {
		return "", ErrNotAllowed
	}
	if step.NeedsReason && (ch.Reason == nil || strings.TrimSpace(*ch.Reason) == "") {
		return "", registry.Invalid("/reason", "referral.reason_required", "say why the referral becomes "+string(ch.Status))
	}
	var set []string
	args := []any{id, ch.Status}
	switch ch.Status {
	case rujukan.Requested:
		set = append(set, "requested_at = $3", "response_due = $4", "completion_due = $5")
		args = append(args, now, m.Calendar.Due(now, responseDays), m.Calendar.Due(now, completionDays))
	case rujukan.Accepted, rujukan.Rejected:
		set = append(set, "responded_at = $3")
		args = append(args, now)
	}
	if !rujukan.Open(ch.Status) {
		set = append(set, fmt.Sprintf("closed_at = $%d, result = $%d", len(args)+1, len(args)+2))
		args = append(args, now, ch.Reason)
	}
	sql := "UPDATE referral SET status = $2, updated_at = now()"
	for _, s := range set {
		sql += ", " + s
	}
	if _, err := tx.Exec(ctx, sql+" WHERE id = $1", args...); err != nil {
		return "", fmt.Errorf("while moving referral %d to %s: %w", id, ch.Status, err)
	}
	if err := referralEvent(ctx, tx, id, actor, &from, ch.Status, ch.Reason); err != nil {
		return "", err
	}
	if ch.Status == rujukan.Requested {
		status, _, err := lockComplaint(ctx, tx, complaintID, nil)
		if err != nil {
			return "", err
		}
		if status == "baru" || status == "dikaji" {
			return agency, setComplaintStatus(ctx, tx, complaintID, actor, status, "dirujuk", nil, nil)
		}
	}
	return agency, nil
}

// OverdueCount counts a kelurahan's open referrals to one agency and those
// past their targets.
type OverdueCount struct {
	Kecamatan         string `json:"kecamatan,omitempty"`
	Kelurahan         string `json:"kelurahan"`
	Agency            string `json:"agency"`
	Open              int    `json:"open"`
	ResponseOverdue   int    `json:"responseOverdue"`
	CompletionOverdue int    `json:"completionOverdue"`
}

// CountOverdue counts open and overdue referrals by kelurahan and agency.
func CountOverdue(ctx context.Context, db registry.DB, scope []string, today time.Time) ([]OverdueCount, error) {
	rows, err := db.Query(ctx, `
		SELECT '', r.kelurahan_code, r.agency_code, count(*),
			count(*) FILTER (WHERE r.status = 'requested' AND r.response_due < $1::date),
			count(*) FILTER (WHERE r.completion_due < $1::date)
		FROM referral r
		WHERE r.status IN ('requested', 'accepted', 'in-progress') AND ($2::text[] IS NULL OR r.kelurahan_code = ANY($2))
		GROUP BY r.kelurahan_code, r.agency_code ORDER BY r.kelurahan_code, r.agency_code`, today, registry.ScopeArg(scope))
	if err != nil {
		return nil, fmt.Errorf("while counting overdue referrals: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[OverdueCount])
}

// SortOverdue orders counts by kecamatan, kelurahan and agency.
func SortOverdue(c []OverdueCount) {
	slices.SortFunc(c, func(a, b OverdueCount) int {
		return cmp.Or(strings.Compare(a.Kecamatan, b.Kecamatan), strings.Compare(a.Kelurahan, b.Kelurahan), strings.Compare(a.Agency, b.Agency))
	})
}

// A tracking code: the kecamatan's six digits and eight characters of
// Crockford's base32 (see TrackingCode).
var trackingCodeRe = regexp.MustCompile(`^([0-9]{2})([0-9]{2})([0-9]{2})-[0-9A-HJKMNP-TV-Z]{8}$`)

// TrackingKecamatan returns the kecamatan a tracking code names, or false
// for a string that is not a tracking code.
func TrackingKecamatan(code string) (string, bool) {
	m := trackingCodeRe.FindStringSubmatch(code)
	if m == nil {
		return "", false
	}
	return m[1] + "." + m[2] + "." + m[3], true
}
