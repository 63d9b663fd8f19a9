package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copied is one table of what a transfer copies: which rows (over the
// named sets of moving), which columns take the new id of a row copied
// before (null when the row they named stays behind), which are emptied.
type copied struct {
	table string
	where string
	refs  map[string]string
	clear []string
	// identity: the table numbers its rows (id); the copy gets new
	// numbers, in the same order.
	identity bool
}

// order is how a table's rows are read: by id, so that the new ids keep
// the order of the old ones.
func (t copied) order() string {
	if t.identity {
		return "id"
	}
	return "1"
}

// plan is every table a household takes with it, parents first. Columns
// are read from the receiving database, so a column added by a later
// migration travels without a change here.
var plan = []copied{
	// The old coordinates do not locate the new address.
	{table: "house", where: "id = @house", identity: true, clear: []string{"latitude", "longitude"}},
	{table: "household", where: "id = @household", identity: true, refs: map[string]string{"house_id": "house"}},
	{table: "person", where: "id = ANY (@persons)", identity: true},
	{table: "membership", where: "id = ANY (@memberships)", identity: true,
		refs: map[string]string{"person_id": "person", "household_id": "household"}},
	{table: "complaint", where: "id = ANY (@complaints)", identity: true,
		refs: map[string]string{"person_id": "person", "household_id": "household"}},
	{table: "assessment", where: "complaint_id = ANY (@complaints)", refs: map[string]string{"complaint_id": "complaint"}},
	{table: "complaint_event", where: "complaint_id = ANY (@complaints)", identity: true, refs: map[string]string{"complaint_id": "complaint"}},
	{table: "follow_up", where: "complaint_id = ANY (@complaints)", identity: true, refs: map[string]string{"complaint_id": "complaint"}},
	{table: "escalation", where: "complaint_id = ANY (@complaints)", identity: true, refs: map[string]string{"complaint_id": "complaint"}},
	{table: "referral", where: "id = ANY (@referrals)", identity: true,
		refs: map[string]string{"complaint_id": "complaint", "person_id": "person"}},
	{table: "referral_event", where: "referral_id = ANY (@referrals)", identity: true, refs: map[string]string{"referral_id": "referral"}},
	// The musyawarah that decided a proposal stays with its kelurahan.
	{table: "usulan", where: "id = ANY (@usulan)", identity: true, clear: []string{"musyawarah_id"},
		refs: map[string]string{"household_id": "household", "person_id": "person", "complaint_id": "complaint"}},
	{table: "usulan_event", where: "usulan_id = ANY (@usulan)", identity: true, clear: []string{"musyawarah_id"},
		refs: map[string]string{"usulan_id": "usulan"}},
	// entity_id takes the new id of the table its entity names (below).
	{table: "registry_change", identity: true, refs: map[string]string{"household_id": "household"},
		where: `(entity = 'household' AND entity_id = @household) OR (entity = 'house' AND entity_id = @house)
			OR (entity = 'person' AND entity_id = ANY (@persons)) OR (entity = 'membership' AND entity_id = ANY (@memberships))`},
}

// Arrival is the household a copy made in the receiving kecamatan.
type Arrival struct {
	Household  int64
	Members    int
	Complaints int
}

// Destination is where a household arrives.
type Destination struct {
	Kelurahan string
	Address
}

// Copy writes household, read from the sending kecamatan's database
// (from, best a read-only transaction so that it reads one moment), into
// the receiving one's transaction to, for transfer id; copied already, it
// returns what it made then. A member or family card already registered in
// the receiving kecamatan fails it (a unique violation).
func Copy(ctx context.Context, from DB, to pgx.Tx, id, fromKecamatan string, household int64, dest Destination) (*Arrival, error) {
	if a, err := arrived(ctx, to, id); err != nil || a != nil {
		return a, err
	}
	m, err := selectMoving(ctx, from, household, nil)
	if err != nil {
		return nil, err
	}
	if m.OpenUsulan > 0 {
		return nil, ErrOpenUsulan
	}
	columns, err := columnsOf(ctx, to)
	if err != nil {
		return nil, err
	}
	sets := pgx.NamedArgs{"household": m.Household, "house": m.House, "persons": m.Persons, "memberships": m.Memberships,
		"complaints": m.Complaints, "referrals": m.Referrals, "usulan": m.Usulan}
	ids := map[string]map[string]json.RawMessage{}
	for _, t := range plan {
		if ids[t.table], err = copyTable(ctx, from, to, t, sets, columns[t.table], ids, dest); err != nil {
			return nil, fmt.Errorf("while copying %s: %w", t.table, err)
		}
	}
	newID, err := strconv.ParseInt(string(ids["household"][strconv.FormatInt(household, 10)]), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("while reading the new household's id: %w", err)
	}
	// The history says where the household came from.
	batch := &pgx.Batch{}
	batch.Queue(`INSERT INTO household_arrival (transfer_id, household_id, from_kecamatan) VALUES ($1, $2, $3)`, id, newID, fromKecamatan)
	batch.Queue(`SELECT set_config('slrt.via', 'pindah', true), set_config('slrt.reason', $1, true)`, "pindah dari kecamatan "+fromKecamatan)
	batch.Queue(`SELECT registry_created('household', $1, $1, jsonb_build_object('fromKecamatan', $2::text))`, newID, fromKecamatan)
	if err := to.SendBatch(ctx, batch).Close(); err != nil {
		return nil, fmt.Errorf("while recording the arrival: %w", err)
	}
	return &Arrival{Household: newID, Members: len(m.Persons), Complaints: len(m.Complaints)}, nil
}

// arrived returns the household transfer id copied here, or nil.
func arrived(ctx context.Context, db DB, id string) (*Arrival, error) {
	var a Arrival
	err := db.QueryRow(ctx, `SELECT a.household_id,
			(SELECT count(*) FROM membership WHERE household_id = a.household_id AND until IS NULL),
			(SELECT count(*) FROM complaint c JOIN membership m ON m.person_id = c.person_id AND m.until IS NULL
			  WHERE m.household_id = a.household_id)
		FROM household_arrival a WHERE a.transfer_id = $1`, id).Scan(&a.Household, &a.Members, &a.Complaints)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("while checking whether transfer %s arrived: %w", id, err)
	}
	return &a, nil
}

// columnsOf lists the columns a copy writes, table by table: all but the
// numbering ones.
func columnsOf(ctx context.Context, db DB) (map[string][]string, error) {
	tables := make([]string, len(plan))
	for i, t := range plan {
		tables[i] = t.table
	}
	rows, err := db.Query(ctx, `SELECT table_name::text, array_agg(column_name::text ORDER BY ordinal_position)
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ANY ($1) AND is_identity = 'NO' AND is_generated = 'NEVER'
		GROUP BY 1`, tables)
	if err != nil {
		return nil, fmt.Errorf("while reading the columns to copy: %w", err)
	}
	out := map[string][]string{}
	var name string
	var cols []string
	_, err = pgx.ForEachRow(rows, []any{&name, &cols}, func() error {
		out[name] = cols
		return nil
	})
	return out, err
}

// copyTable copies t's rows and returns the new id of each old one.
func copyTable(ctx context.Context, from DB, to pgx.Tx, t copied, sets pgx.NamedArgs, cols []string,
	ids map[string]map[string]json.RawMessage, dest Destination) (map[string]json.RawMessage, error) {
	rows, err := from.Query(ctx, `SELECT to_jsonb(t) FROM `+t.table+` t WHERE `+t.where+` ORDER BY `+t.order(), sets)
	if err != nil {
		return nil, err
	}
	read, err := pgx.CollectRows(rows, pgx.RowTo[map[string]json.RawMessage])
	if err != nil || len(read) == 0 {
		return nil, err
	}
	list := strings.Join(cols, ", ")
	insert := `INSERT INTO ` + t.table + ` (` + list + `) SELECT ` + list + ` FROM jsonb_populate_record(NULL::` + t.table + `, $1)`
	if t.identity {
		insert += ` RETURNING id`
	}
	batch := &pgx.Batch{}
	for _, row := range read {
		if err := retarget(t, row, ids, dest); err != nil {
			return nil, err
		}
		batch.Queue(insert, row)
	}
	results := to.SendBatch(ctx, batch)
	defer results.Close()
	made := make(map[string]json.RawMessage, len(read))
	for _, row := range read {
		if !t.identity {
			if _, err := results.Exec(); err != nil {
				return nil, err
			}
			continue
		}
		var id int64
		if err := results.QueryRow().Scan(&id); err != nil {
			return nil, err
		}
		made[string(row["id"])] = json.RawMessage(strconv.FormatInt(id, 10))
	}
	return made, results.Close()
}

// null is JSON's null.
var null = json.RawMessage("null")

// retarget rewrites an old row for the receiving database: the receiving
// kelurahan, the new address, the new ids of what it refers to.
func retarget(t copied, row map[string]json.RawMessage, ids map[string]map[string]json.RawMessage, dest Destination) error {
	if _, ok := row["kelurahan_code"]; ok {
		row["kelurahan_code"] = jsonString(dest.Kelurahan)
	}
	for _, c := range t.clear {
		row[c] = null
	}
	refs := t.refs
	if t.table == "registry_change" {
		var entity string
		if err := json.Unmarshal(row["entity"], &entity); err != nil {
			return err
		}
		refs = map[string]string{"household_id": "household", "entity_id": entity}
	}
	if t.table == "house" {
		row["rt"], row["rw"], row["street"] = jsonString(dest.RT), jsonString(dest.RW), jsonString(dest.Street)
	}
	for col, parent := range refs {
		old, ok := row[col]
		if !ok || string(old) == "null" {
			continue
		}
		if id, ok := ids[parent][string(old)]; ok {
			row[col] = id
		} else {
			row[col] = null
		}
	}
	return nil
}

func jsonString(s string) json.RawMessage {
	data, _ := json.Marshal(s)
	return data
}

// NIKs lists the NIK of household's current members.
func NIKs(ctx context.Context, db DB, household int64) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT p.nik FROM membership m JOIN person p ON p.id = m.person_id
		WHERE m.household_id = $1 AND m.until IS NULL ORDER BY p.id`, household)
	if err == nil {
		var out []string
		if out, err = pgx.CollectRows(rows, pgx.RowTo[string]); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("while reading household %d's NIKs: %w", household, err)
}
