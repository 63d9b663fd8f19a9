package usecase

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// maxReadsShown bounds the reads of one resident's records answered at
// once; a data protection officer exports them as CSV.
const maxReadsShown = 5000

// PersonReads is who read or changed a resident's records, for a data
// protection officer answering a breach or the resident's own request.
type PersonReads struct {
	// Kecamatan hold the NIK; Unavailable could not be asked.
	Kecamatan   []string            `json:"kecamatan"`
	Unavailable []Unavailable       `json:"unavailable,omitempty"`
	Entries     []*store.AuditEntry `json:"entries"`
}

// ReadsOfPerson finds the kecamatan holding a NIK (the cross-kecamatan
// index), the resident's person, household, complaint and referral records
// in each, and the audit entries of requests that read or changed them. The
// NIK comes in a request body and goes nowhere else: not in the answer, the
// logs or the audit entry of the lookup itself.
func (a *App) ReadsOfPerson(ctx context.Context, c *Caller, nikValue string) (*PersonReads, error) {
	if !a.authz.AllowedAnywhere(c.Account, "audit", "read") {
		return nil, casework.ErrNotAllowed
	}
	if _, p := nik.CheckNIK(nikValue, "", time.Time{}, c.Now); p != nil {
		return nil, registry.Invalid("/nik", p.Code, p.Message)
	}
	codes, err := a.store.KecamatanWithNIK(ctx, a.nikHasher.Hash(nikValue), "")
	if err != nil {
		return nil, err
	}
	out := &PersonReads{Kecamatan: codes}
	if len(codes) == 0 {
		return out, nil
	}
	var (
		mu   sync.Mutex
		recs []store.Records
	)
	out.Unavailable, err = a.fanOut(ctx, func(code string) bool { return slices.Contains(codes, code) },
		func(ctx context.Context, code string, cn conn) error {
			r, err := recordsOf(ctx, cn, nikValue)
			if err != nil {
				return err
			}
			r.Tenant = code
			mu.Lock()
			recs = append(recs, r)
			mu.Unlock()
			return nil
		})
	if err != nil {
		return nil, err
	}
	out.Entries, err = a.store.ReadsOf(ctx, recs, maxReadsShown)
	return out, err
}

// recordsOf names a kecamatan's records of the resident with a NIK: the
// person, their household, their complaints and referrals.
func recordsOf(ctx context.Context, cn conn, nikValue string) (store.Records, error) {
	var r store.Records
	// Every household the person belonged to, not only the current one:
	// reading a past one read them too.
	err := cn.QueryRow(ctx, `WITH p AS (SELECT id FROM person WHERE nik = $1)
		SELECT coalesce((SELECT array_agg(id) FROM p), '{}'),
			coalesce((SELECT array_agg(DISTINCT household_id) FROM membership WHERE person_id IN (SELECT id FROM p)), '{}'),
			coalesce((SELECT array_agg(id) FROM complaint WHERE person_id IN (SELECT id FROM p)), '{}'),
			coalesce((SELECT array_agg(id) FROM referral WHERE person_id IN (SELECT id FROM p)), '{}')`,
		nikValue).Scan(&r.Persons, &r.Households, &r.Complaints, &r.Referrals)
	if err != nil {
		return r, fmt.Errorf("while finding a resident's records: %w", err)
	}
	return r, nil
}
