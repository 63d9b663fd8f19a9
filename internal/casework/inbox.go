package casework

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// InboxItem is a referral in an agency's inbox: the resident's name only
// when the service shares it, nothing else personal.
type InboxItem struct {
	Kecamatan         string        `json:"kecamatan"`
	ID                int64         `json:"id"`
	TrackingCode      string        `json:"trackingCode"`
	Kelurahan         string        `json:"kelurahan"`
	Service           string        `json:"service"`
	ServiceName       string        `json:"serviceName"`
	Status            string        `json:"status"`
	ResidentName      *string       `json:"residentName,omitempty"`
	RequestedAt       time.Time     `json:"requestedAt"`
	ResponseDue       registry.Date `json:"responseDue"`
	CompletionDue     registry.Date `json:"completionDue"`
	ResponseOverdue   bool          `json:"responseOverdue"`
	CompletionOverdue bool          `json:"completionOverdue"`
}

// InboxFilter narrows an agency's inbox. The inbox is ordered by completion
// deadline, then kecamatan, then id; After is the last item of the previous
// page.
type InboxFilter struct {
	Status    string
	DueBefore *time.Time
	Overdue   bool
	After     *InboxItem
	Limit     int
}

// Inbox lists the referrals sent to agency from one kecamatan (tenant).
func Inbox(ctx context.Context, db registry.DB, tenant, agency string, f InboxFilter, today time.Time) ([]InboxItem, error) {
	var afterDue *time.Time
	var afterTenant string
	var afterID int64
	if f.After != nil {
		afterDue, afterTenant, afterID = &f.After.CompletionDue.Time, f.After.Kecamatan, f.After.ID
	}
	rows, err := db.Query(ctx, `
		SELECT $2::text, r.id, r.tracking_code, r.kelurahan_code, r.service_code, r.service_name, r.status,
			CASE WHEN 'nama' = ANY (r.shared_fields) THEN p.name END, r.requested_at, r.response_due, r.completion_due,`+overdueColumns+`
		FROM referral r JOIN person p ON p.id = r.person_id
		WHERE r.agency_code = $3 AND r.requested_at IS NOT NULL AND ($4 = '' OR r.status = $4)
			AND ($5::date IS NULL OR r.completion_due <= $5)
			AND (NOT $6 OR (r.status = 'requested' AND r.response_due < $1::date)
				OR (r.status IN ('requested', 'accepted', 'in-progress') AND r.completion_due < $1::date))
			AND ($7::date IS NULL OR (r.completion_due, $2::text, r.id) > ($7::date, $8::text, $9::bigint))
		ORDER BY r.completion_due, r.id LIMIT $10`,
		today, tenant, agency, f.Status, f.DueBefore, f.Overdue, afterDue, afterTenant, afterID, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while reading the inbox of %s: %w", agency, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (InboxItem, error) {
		var it InboxItem
		err := row.Scan(&it.Kecamatan, &it.ID, &it.TrackingCode, &it.Kelurahan, &it.Service, &it.ServiceName, &it.Status,
			&it.ResidentName, &it.RequestedAt, &it.ResponseDue.Time, &it.CompletionDue.Time, &it.ResponseOverdue, &it.CompletionOverdue)
		return it, err
	})
}

// InboxLess orders inbox items as Inbox does, across kecamatan.
func InboxLess(a, b InboxItem) int {
	if c := a.CompletionDue.Compare(b.CompletionDue.Time); c != 0 {
		return c
	}
	if a.Kecamatan != b.Kecamatan {
		if a.Kecamatan < b.Kecamatan {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.ID, b.ID)
}

// AgencyReferral is what a receiving agency sees of one referral: the
// documents, the history, and of the resident only the fields the service
// shares.
type AgencyReferral struct {
	InboxItem
	Documents []Document     `json:"documents"`
	Note      *string        `json:"note,omitempty"`
	Result    *string        `json:"result,omitempty"`
	History   []Event        `json:"history"`
	Resident  map[string]any `json:"resident"`
}

// GetForAgency reads a referral sent to agency, with the resident's shared
// fields.
func GetForAgency(ctx context.Context, db registry.DB, tenant, agency string, id int64, today time.Time) (*AgencyReferral, error) {
	a := &AgencyReferral{}
	it := &a.InboxItem
	var shared []string
	var personID int64
	err := db.QueryRow(ctx, `
		SELECT $2::text, r.id, r.tracking_code, r.kelurahan_code, r.service_code, r.service_name, r.status,
			r.requested_at, r.response_due, r.completion_due,`+overdueColumns+`, r.documents, r.note, r.result, r.shared_fields, r.person_id
		FROM referral r WHERE r.id = $3 AND r.agency_code = $4 AND r.requested_at IS NOT NULL`, today, tenant, id, agency).Scan(
		&it.Kecamatan, &it.ID, &it.TrackingCode, &it.Kelurahan, &it.Service, &it.ServiceName, &it.Status,
		&it.RequestedAt, &it.ResponseDue.Time, &it.CompletionDue.Time, &it.ResponseOverdue, &it.CompletionOverdue,
		&a.Documents, &a.Note, &a.Result, &shared, &personID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading referral %d for %s: %w", id, agency, err)
	}
	if a.History, err = referralHistory(ctx, db, id); err != nil {
		return nil, err
	}
	a.Resident, err = sharedFields(ctx, db, personID, shared)
	if name, ok := a.Resident["nama"].(string); ok {
		it.ResidentName = &name
	}
	return a, err
}

// sharedFields reads the resident's fields a service shares with its agency.
func sharedFields(ctx context.Context, db registry.DB, personID int64, shared []string) (map[string]any, error) {
	var (
		name, nikNo, sex                  string
		birth                             time.Time
		education                         *string
		disabilities, illnesses, programs []string
		pregnant                          bool
		noKK, street, rt, rw, kel         *string
		desil                             *int16
	)
	err := db.QueryRow(ctx, `
		SELECT p.name, p.nik, p.sex, p.birth_date, p.education, p.disabilities, p.chronic_illnesses, p.pregnant,
			h.no_kk, ho.street, ho.rt, ho.rw, ho.kelurahan_code, h.desil, coalesce(h.programmes, '{}')
		FROM person p
		LEFT JOIN membership m ON m.person_id = p.id AND m.until IS NULL
		LEFT JOIN household h ON h.id = m.household_id
		LEFT JOIN house ho ON ho.id = h.house_id
		WHERE p.id = $1`, personID).Scan(&name, &nikNo, &sex, &birth, &education, &disabilities, &illnesses, &pregnant,
		&noKK, &street, &rt, &rw, &kel, &desil, &programs)
	if err != nil {
		return nil, fmt.Errorf("while reading the resident of a referral: %w", err)
	}
	all := map[string]any{
		"nama": name, "nik": nikNo, "jenis_kelamin": sex, "tanggal_lahir": registry.Date{Time: birth},
		"pendidikan": education, "disabilitas": disabilities, "penyakit_kronis": illnesses, "kehamilan": pregnant,
		"no_kk": noKK, "desil": desil, "program": programs,
	}
	if street != nil {
		all["alamat"] = map[string]string{"street": *street, "rt": *rt, "rw": *rw, "kelurahan": *kel}
	}
	out := map[string]any{}
	for k, v := range all {
		if slices.Contains(shared, k) {
			out[k] = v
		}
	}
	return out, nil
}
