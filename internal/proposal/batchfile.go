package proposal

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/registryload"
	"github.com/slrt-id/slrt/internal/usulan"
)

// BatchColumns are the columns of a batch's BNBA upload: the proposal's
// reference, kind and batch, the registry extract's columns (the shape the
// import reads), then what the proposal asks (docs/import.md).
var BatchColumns = slices.Concat([]string{"id_usulan", "jenis_usulan", "batch"}, bnba.Columns,
	[]string{"program_usulan", "alasan_nonaktif", "bukti", "perbaikan", "alasan_usulan"})

// Ref is a proposal's reference in batch and result files: its kecamatan
// and id, as 32.73.03/15.
func Ref(kecamatan string, id int64) string { return kecamatan + "/" + strconv.FormatInt(id, 10) }

// ParseRef reads a reference Ref wrote.
func ParseRef(s string) (kecamatan string, id int64, ok bool) {
	kecamatan, n, found := strings.Cut(strings.TrimSpace(s), "/")
	id, err := strconv.ParseInt(n, 10, 64)
	return kecamatan, id, found && err == nil && id > 0 && authz.DomainLevel(kecamatan) == authz.LevelKecamatan
}

type sent struct {
	id        int64
	kind      usulan.Kind
	household *int64
	personNIK *string
	body      json.RawMessage
	reason    *string
}

// WriteBatch writes the kecamatan's proposals in batch as rows of the
// BNBA upload, proposal by proposal: a household's current members (the
// person's row alone when the proposal is about one person), or a
// proposed household's members as proposed.
func WriteBatch(ctx context.Context, db registry.DB, kecamatan, batch string, write func([]string) error) error {
	rows, err := db.Query(ctx, `SELECT u.id, u.kind, u.household_id, p.nik, u.proposal, u.reason
		FROM usulan u LEFT JOIN person p ON p.id = u.person_id WHERE u.batch = $1 ORDER BY u.id`, batch)
	if err != nil {
		return fmt.Errorf("while reading batch %s: %w", batch, err)
	}
	proposals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (sent, error) {
		var s sent
		return s, row.Scan(&s.id, &s.kind, &s.household, &s.personNIK, &s.body, &s.reason)
	})
	if err != nil {
		return err
	}
	var ids []int64
	for _, s := range proposals {
		if s.household != nil {
			ids = append(ids, *s.household)
		}
	}
	members := map[int64][]*bnba.Row{}
	err = registryload.Households(ctx, db, ids, func(h int64, r *bnba.Row) error {
		members[h] = append(members[h], r)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range proposals {
		var people []*bnba.Row
		switch {
		case s.household == nil:
			var h NewHousehold
			if err := json.Unmarshal(s.body, &h); err != nil {
				return fmt.Errorf("proposal %d: %w", s.id, err)
			}
			people = proposedRows(&h)
		case s.personNIK != nil:
			for _, r := range members[*s.household] {
				if r.NIK == *s.personNIK {
					people = append(people, r)
				}
			}
		default:
			people = members[*s.household]
		}
		asks := asked(s)
		for _, r := range people {
			record := slices.Concat([]string{Ref(kecamatan, s.id), string(s.kind), batch}, r.Record(), asks)
			if err := write(record); err != nil {
				return err
			}
		}
	}
	return nil
}

// proposedRows are a proposed household's members as extract rows.
func proposedRows(h *NewHousehold) []*bnba.Row {
	out := make([]*bnba.Row, len(h.Members))
	for i, m := range h.Members {
		out[i] = &bnba.Row{NoKK: h.NoKK, NIK: m.NIK, Name: m.Name, BirthPlace: m.BirthPlace, BirthDate: m.BirthDate.Time, Sex: m.Sex,
			Relationship: m.Relationship, Education: m.Education, Occupation: m.Occupation, Disabilities: m.Disabilities,
			ChronicIllnesses: m.ChronicIllnesses, Pregnant: m.Pregnant, Presence: m.Presence, Kelurahan: h.House.Kelurahan,
			RT: h.House.RT, RW: h.House.RW, Street: h.House.Street, DTKSID: h.DTKSID, Desil: h.Desil, Programmes: h.Programmes,
			Income: h.MonthlyIncome, Spending: h.MonthlySpending}
		if out[i].Presence == "" {
			out[i].Presence = "tinggal"
		}
	}
	return out
}

// asked is what a proposal asks, in the batch file's last columns.
func asked(s sent) []string {
	out := make([]string, 5)
	switch s.kind {
	case usulan.Programme:
		var p ProgrammeProposal
		_ = json.Unmarshal(s.body, &p)
		out[0] = p.Programme
	case usulan.Deactivation:
		var d Deactivation
		_ = json.Unmarshal(s.body, &d)
		out[1], out[2] = d.Reason, d.Evidence
	case usulan.Correction:
		var c Correction
		_ = json.Unmarshal(s.body, &c)
		keys := slices.Sorted(maps.Keys(c.After))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + plain(c.Before[k]) + " -> " + plain(c.After[k])
		}
		out[3] = strings.Join(parts, "; ")
	}
	if s.reason != nil {
		out[4] = *s.reason
	}
	return out
}

// plain is a JSON value as a cell shows it: a string without quotes, an
// absent value as "-".
func plain(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return "-"
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}
