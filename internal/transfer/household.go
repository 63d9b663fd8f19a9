package transfer

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// DB is a tenant database connection or transaction.
type DB = registry.DB

// finalUsulan are the statuses of a proposal that moves no more.
var finalUsulan = []string{"ditolak_muskel", "ditolak_dinsos", "ditetapkan", "tidak_ditetapkan", "dibatalkan"}

// moving is what of a kecamatan's database a household's transfer takes:
// the household, its house, its current members, their memberships in it,
// their complaints (with the referrals made from them) and the proposals
// about any of these.
type moving struct {
	Household, House int64
	Kelurahan        string
	Persons          []int64
	Memberships      []int64
	Complaints       []int64
	Referrals        []int64
	Usulan           []int64
	// OpenUsulan counts the proposals still under way.
	OpenUsulan int
}

// selectMoving reads what a transfer of household takes; ErrNotFound when
// it is not there (or not in scope, when scope is not nil).
func selectMoving(ctx context.Context, db DB, household int64, scope []string) (*moving, error) {
	m := &moving{Household: household}
	err := db.QueryRow(ctx, `
		WITH p AS (SELECT coalesce(array_agg(person_id ORDER BY person_id), '{}') AS ids
		           FROM membership WHERE household_id = $1 AND until IS NULL),
		     c AS (SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM complaint, p WHERE person_id = ANY (p.ids))
		SELECT h.house_id, h.kelurahan_code, p.ids,
		       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM membership WHERE household_id = $1 AND person_id = ANY (p.ids)),
		       c.ids,
		       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM referral WHERE complaint_id = ANY (c.ids)),
		       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM usulan
		         WHERE household_id = $1 OR person_id = ANY (p.ids) OR complaint_id = ANY (c.ids)),
		       (SELECT count(*) FROM usulan
		         WHERE (household_id = $1 OR person_id = ANY (p.ids) OR complaint_id = ANY (c.ids)) AND status <> ALL ($3))
		FROM household h, p, c
		WHERE h.id = $1 AND ($2::text[] IS NULL OR h.kelurahan_code = ANY ($2))`,
		household, registry.ScopeArg(scope), finalUsulan).
		Scan(&m.House, &m.Kelurahan, &m.Persons, &m.Memberships, &m.Complaints, &m.Referrals, &m.Usulan, &m.OpenUsulan)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading what household %d's transfer takes: %w", household, err)
	}
	return m, nil
}

// Outline is what the sides see of a household before it moves: where it
// is and how much goes with it. NIKs are for the use case to look the
// receiving kecamatan up in the NIK index; they are never shown.
type Outline struct {
	Kelurahan  string   `json:"kelurahan"`
	Members    int      `json:"members"`
	Complaints int      `json:"complaints"`
	OpenUsulan int      `json:"openUsulan"`
	NIKs       []string `json:"-"`
}

// Outlined describes household for a transfer; ErrNotFound when it is not
// in scope (nil: the whole kecamatan).
func Outlined(ctx context.Context, db DB, household int64, scope []string) (*Outline, error) {
	m, err := selectMoving(ctx, db, household, scope)
	if err != nil {
		return nil, err
	}
	o := &Outline{Kelurahan: m.Kelurahan, Members: len(m.Persons), Complaints: len(m.Complaints), OpenUsulan: m.OpenUsulan}
	rows, err := db.Query(ctx, `SELECT nik FROM person WHERE id = ANY ($1) ORDER BY id`, m.Persons)
	if err == nil {
		o.NIKs, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return nil, fmt.Errorf("while reading household %d's members: %w", household, err)
	}
	return o, nil
}

// HouseholdOfNIK returns the household the person with nik lives in now.
func HouseholdOfNIK(ctx context.Context, db DB, nik string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `SELECT m.household_id FROM person p JOIN membership m ON m.person_id = p.id AND m.until IS NULL
		WHERE p.nik = $1`, nik).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("while looking a NIK's household up: %w", err)
	}
	return id, nil
}

// Hold stops changes to household's rows for transfer id; held already,
// it does nothing. A proposal still under way refuses it (ErrOpenUsulan).
func Hold(ctx context.Context, tx pgx.Tx, id string, household int64) error {
	var held bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM transfer_hold WHERE transfer_id = $1)`, id).Scan(&held); err != nil || held {
		return err
	}
	m, err := selectMoving(ctx, tx, household, nil)
	if err != nil {
		return err
	}
	if m.OpenUsulan > 0 {
		return ErrOpenUsulan
	}
	if _, err := tx.Exec(ctx, `INSERT INTO transfer_hold (transfer_id, household_id, person_ids) VALUES ($1, $2, $3)`,
		id, household, m.Persons); err != nil {
		return fmt.Errorf("while holding household %d: %w", household, err)
	}
	return nil
}

// Release lets a held household change again (its transfer failed).
func Release(ctx context.Context, db DB, id string) error {
	if _, err := db.Exec(ctx, `DELETE FROM transfer_hold WHERE transfer_id = $1`, id); err != nil {
		return fmt.Errorf("while releasing the household of transfer %s: %w", id, err)
	}
	return nil
}

// Depart removes household from the sending kecamatan's database for
// transfer id, leaving its tombstone; gone already, it does nothing. Run
// it in one transaction: the rows go together or not at all.
func Depart(ctx context.Context, tx pgx.Tx, id string, household int64, to string) error {
	var gone bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM household_departure WHERE transfer_id = $1)`, id).Scan(&gone); err != nil || gone {
		return err
	}
	m, err := selectMoving(ctx, tx, household, nil)
	if err != nil {
		return err
	}
	// The hold goes first: the household's other complaints are
	// unlinked below, a change the hold would refuse.
	batch := &pgx.Batch{}
	q := func(sql string, args ...any) { batch.Queue(sql, args...) }
	q(`DELETE FROM transfer_hold WHERE transfer_id = $1`, id)
	q(`INSERT INTO household_departure (transfer_id, kelurahan_code, to_kecamatan, members, complaints, tracking_codes)
		SELECT $1, $2, $3, $4, $5, coalesce(array_agg(tracking_code ORDER BY id), '{}') FROM referral WHERE id = ANY ($6)`,
		id, m.Kelurahan, to, len(m.Persons), len(m.Complaints), m.Referrals)
	q(`DELETE FROM referral_event WHERE referral_id = ANY ($1)`, m.Referrals)
	q(`DELETE FROM referral WHERE id = ANY ($1)`, m.Referrals)
	for _, t := range []string{"assessment", "complaint_event", "follow_up", "escalation"} {
		q(`DELETE FROM `+t+` WHERE complaint_id = ANY ($1)`, m.Complaints)
	}
	q(`DELETE FROM usulan_event WHERE usulan_id = ANY ($1)`, m.Usulan)
	q(`DELETE FROM usulan WHERE id = ANY ($1)`, m.Usulan)
	// A complaint of a former member stays, no longer tied to the household.
	q(`UPDATE complaint SET household_id = NULL WHERE household_id = $1`, household)
	q(`DELETE FROM complaint WHERE id = ANY ($1)`, m.Complaints)
	// Every membership of the household and of its members: the history of
	// a former member's stay goes with the household it was in.
	q(`WITH gone AS (DELETE FROM membership WHERE household_id = $1 OR person_id = ANY ($2) RETURNING id)
		DELETE FROM registry_change WHERE (entity = 'membership' AND entity_id IN (SELECT id FROM gone))
			OR (entity = 'household' AND entity_id = $1) OR (entity = 'person' AND entity_id = ANY ($2)) OR household_id = $1`,
		household, m.Persons)
	q(`DELETE FROM person WHERE id = ANY ($1)`, m.Persons)
	q(`DELETE FROM household WHERE id = $1`, household)
	// The house stays while another household lives in it.
	q(`WITH gone AS (DELETE FROM house WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM household WHERE house_id = $1) RETURNING id)
		DELETE FROM registry_change WHERE entity = 'house' AND entity_id IN (SELECT id FROM gone)`, m.House)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("while removing household %d that moved: %w", household, err)
	}
	return nil
}

// Forwarded returns the kecamatan a referral's tracking code went to with
// its household, or false.
func Forwarded(ctx context.Context, db DB, code string) (string, bool, error) {
	var to string
	err := db.QueryRow(ctx, `SELECT to_kecamatan FROM household_departure WHERE tracking_codes @> ARRAY[$1] ORDER BY departed_at DESC LIMIT 1`, code).Scan(&to)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("while following a tracking code: %w", err)
	}
	return to, true, nil
}
