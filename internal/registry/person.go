package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/nik"
)

// PersonFacts are the fields of a person staff record and change.
type PersonFacts struct {
	Name             string   `json:"name"`
	BirthPlace       string   `json:"birthPlace"`
	BirthDate        Date     `json:"birthDate"`
	Sex              string   `json:"sex"`
	Education        *string  `json:"education,omitempty"`
	Occupation       *string  `json:"occupation,omitempty"`
	Disabilities     []string `json:"disabilities"`
	ChronicIllnesses []string `json:"chronicIllnesses"`
	Pregnant         bool     `json:"pregnant"`
	Presence         string   `json:"presence"`
}

// Person is a full person record: reading it is audited.
type Person struct {
	ID  int64  `json:"id"`
	NIK string `json:"nik"`
	PersonFacts
	Kelurahan string `json:"kelurahan"`
	// Household is the current household, if any.
	Household *HouseholdRef `json:"household,omitempty"`
	// History lists every household the person belonged to, latest first.
	History   []Membership `json:"history"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// HouseholdRef points at a household.
type HouseholdRef struct {
	ID           int64  `json:"id"`
	NoKK         string `json:"noKK"`
	Relationship string `json:"relationship"`
}

// Membership is a period in a household.
type Membership struct {
	HouseholdID  int64      `json:"householdId"`
	NoKK         string     `json:"noKK"`
	Relationship string     `json:"relationship"`
	Since        time.Time  `json:"since"`
	Until        *time.Time `json:"until,omitempty"`
	Reason       *string    `json:"reason,omitempty"`
}

// NewPerson is a person to register into a household.
type NewPerson struct {
	NIK string `json:"nik"`
	PersonFacts
	HouseholdID  int64  `json:"householdId"`
	Relationship string `json:"relationship"`
	// AcknowledgeOtherKecamatan registers a NIK another kecamatan also
	// holds (a resident who moved), after staff have been told so.
	AcknowledgeOtherKecamatan bool `json:"acknowledgeOtherKecamatan,omitempty"`
}

// Validate checks the NIK against the person's sex and date of birth, and
// what the schema cannot.
func (in *NewPerson) Validate(now time.Time) error {
	var fields []FieldError
	birth := in.BirthDate.Time
	if !in.BirthDate.Valid() {
		birth = time.Time{} // reported on its own; the NIK is checked without it
	}
	if _, p := nik.CheckNIK(in.NIK, nik.Sex(in.Sex), birth, now); p != nil {
		fields = append(fields, FieldError{"/nik", p.Code, p.Message})
	}
	fields = append(fields, in.checkIdentity()...)
	fields = append(fields, in.check(now)...)
	if fields != nil {
		return &InvalidError{Fields: fields}
	}
	return nil
}

func (f *PersonFacts) check(now time.Time) []FieldError {
	var fields []FieldError
	if !f.BirthDate.Valid() {
		fields = append(fields, FieldError{"/birthDate", "person.birthdate", "not a real date (YYYY-MM-DD)"})
	}
	if f.BirthDate.After(now) {
		fields = append(fields, FieldError{"/birthDate", "person.birthdate_future", "the date of birth lies in the future"})
	}
	if f.Pregnant && f.Sex != string(nik.Female) {
		fields = append(fields, FieldError{"/pregnant", "person.pregnant_sex", "only a woman (sex P) can be recorded as pregnant"})
	}
	return fields
}

// CreatePerson registers a person into a household in the caller's scope.
// A NIK already registered in this kecamatan is a *ConflictError naming the
// person.
func CreatePerson(ctx context.Context, tx pgx.Tx, in *NewPerson, actor int64, scope []string) (int64, error) {
	kel, err := householdKelurahan(ctx, tx, in.HouseholdID, scope, "/householdId")
	if err != nil {
		return 0, err
	}
	var existing int64
	err = tx.QueryRow(ctx, `SELECT id FROM person WHERE nik = $1`, in.NIK).Scan(&existing)
	if err == nil {
		return 0, &ConflictError{Field: "/nik", Message: "this NIK is already registered in this kecamatan", ExistingID: existing, Kind: "person"}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	f := in.PersonFacts
	if f.Presence == "" {
		f.Presence = "tinggal"
	}
	var id int64
	err = tx.QueryRow(ctx, `
		WITH p AS (INSERT INTO person (nik, name, name_key, birth_place, birth_date, sex, education, occupation, disabilities,
			chronic_illnesses, pregnant, presence, kelurahan_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id)
		SELECT registry_created('person', id, NULL, NULL) FROM p`,
		in.NIK, f.Name, NameKey(f.Name), f.BirthPlace, f.BirthDate.Time, f.Sex, f.Education, f.Occupation,
		orEmpty(f.Disabilities), orEmpty(f.ChronicIllnesses), f.Pregnant, f.Presence, kel).Scan(&id)
	if uniqueViolation(err) != "" {
		return 0, &ConflictError{Field: "/nik", Message: "this NIK is already registered in this kecamatan", Kind: "person"}
	}
	if err != nil {
		return 0, fmt.Errorf("while registering the person: %w", err)
	}
	if err := join(ctx, tx, id, in.HouseholdID, in.Relationship, actor); err != nil {
		return 0, err
	}
	return id, nil
}

// householdKelurahan returns the kelurahan of a household in the caller's
// scope; one outside it is an invalid field.
func householdKelurahan(ctx context.Context, db DB, id int64, scope []string, field string) (string, error) {
	var kel string
	err := db.QueryRow(ctx, `SELECT kelurahan_code FROM household WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))`,
		id, ScopeArg(scope)).Scan(&kel)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", &InvalidError{Fields: []FieldError{{field, "person.household_unknown", "no such household in your kelurahan"}}}
	}
	return kel, err
}

// join opens the person's membership of a household.
func join(ctx context.Context, tx pgx.Tx, person, household int64, relationship string, actor int64) error {
	_, err := tx.Exec(ctx, `
		WITH m AS (INSERT INTO membership (person_id, household_id, relationship, recorded_by) VALUES ($1, $2, $3, $4)
			RETURNING id, household_id, relationship)
		SELECT registry_created('membership', id, household_id, jsonb_build_object('household_id', household_id, 'relationship', relationship)) FROM m`,
		person, household, relationship, actor)
	if uniqueViolation(err) == "membership_one_head" {
		return &ConflictError{Field: "/relationship", Message: "this household already has a head (kepala keluarga)", Kind: "household", ExistingID: household}
	}
	if err != nil {
		return fmt.Errorf("while adding person %d to household %d: %w", person, household, err)
	}
	return nil
}

// GetPerson reads a full person record with the household history.
func GetPerson(ctx context.Context, db DB, id int64, scope []string) (*Person, error) {
	p := &Person{}
	err := db.QueryRow(ctx, `
		SELECT id, nik, name, birth_place, birth_date, sex, education, occupation, disabilities, chronic_illnesses,
			pregnant, presence, kelurahan_code, created_at, updated_at
		FROM person WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))`, id, ScopeArg(scope)).Scan(
		&p.ID, &p.NIK, &p.Name, &p.BirthPlace, &p.BirthDate.Time, &p.Sex, &p.Education, &p.Occupation, &p.Disabilities,
		&p.ChronicIllnesses, &p.Pregnant, &p.Presence, &p.Kelurahan, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading person %d: %w", id, err)
	}
	rows, err := db.Query(ctx, `
		SELECT m.household_id, h.no_kk, m.relationship, m.since, m.until, m.reason
		FROM membership m JOIN household h ON h.id = m.household_id
		WHERE m.person_id = $1 ORDER BY m.since DESC, m.id DESC`, id)
	if err != nil {
		return nil, err
	}
	if p.History, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Membership]); err != nil {
		return nil, err
	}
	if len(p.History) > 0 && p.History[0].Until == nil {
		cur := p.History[0]
		p.Household = &HouseholdRef{ID: cur.HouseholdID, NoKK: cur.NoKK, Relationship: cur.Relationship}
	}
	return p, nil
}

// PersonChange is a partial update of a person; absent fields stay. Move
// takes the person into another household, closing the current membership.
type PersonChange struct {
	Name             *string  `json:"name,omitempty"`
	BirthPlace       *string  `json:"birthPlace,omitempty"`
	Education        *string  `json:"education,omitempty"`
	Occupation       *string  `json:"occupation,omitempty"`
	Disabilities     []string `json:"disabilities,omitempty"`
	ChronicIllnesses []string `json:"chronicIllnesses,omitempty"`
	Pregnant         *bool    `json:"pregnant,omitempty"`
	Presence         *string  `json:"presence,omitempty"`
	Move             *Move    `json:"move,omitempty"`
	// Reason says why, for the registry's history; a move's own reason
	// stands when it is empty.
	Reason string `json:"reason,omitempty"`
	// Via says how the change comes (ViaEdit when empty).
	Via string `json:"-"`
}

// Move is a person's move into another household of the kecamatan.
type Move struct {
	HouseholdID  int64  `json:"householdId"`
	Relationship string `json:"relationship"`
	Reason       string `json:"reason"`
}

// UpdatePerson applies a change to a person in the caller's scope; a move
// needs the destination household in the caller's scope too.
func UpdatePerson(ctx context.Context, tx pgx.Tx, id int64, ch *PersonChange, actor int64, scope []string) error {
	var sex string
	err := tx.QueryRow(ctx, `SELECT sex FROM person WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2)) FOR UPDATE`,
		id, ScopeArg(scope)).Scan(&sex)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if ch.Pregnant != nil && *ch.Pregnant && sex != string(nik.Female) {
		return &InvalidError{Fields: []FieldError{{"/pregnant", "person.pregnant_sex", "only a woman (sex P) can be recorded as pregnant"}}}
	}
	reason := ch.Reason
	if reason == "" && ch.Move != nil {
		reason = ch.Move.Reason
	}
	if err := Because(ctx, tx, cmp.Or(ch.Via, ViaEdit), reason); err != nil {
		return err
	}
	var set setter
	set.add("name", ch.Name, ch.Name != nil)
	if ch.Name != nil {
		set.add("name_key", NameKey(*ch.Name), true)
	}
	set.add("birth_place", ch.BirthPlace, ch.BirthPlace != nil)
	set.add("education", ch.Education, ch.Education != nil)
	set.add("occupation", ch.Occupation, ch.Occupation != nil)
	set.add("disabilities", ch.Disabilities, ch.Disabilities != nil)
	set.add("chronic_illnesses", ch.ChronicIllnesses, ch.ChronicIllnesses != nil)
	set.add("pregnant", ch.Pregnant, ch.Pregnant != nil)
	set.add("presence", ch.Presence, ch.Presence != nil)
	if m := ch.Move; m != nil {
		kel, err := householdKelurahan(ctx, tx, m.HouseholdID, scope, "/move/householdId")
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE membership SET until = now(), reason = $2 WHERE person_id = $1 AND until IS NULL AND household_id <> $3`,
			id, m.Reason, m.HouseholdID)
		if err != nil {
			return fmt.Errorf("while closing the membership of person %d: %w", id, err)
		}
		var stillThere bool
		if tag.RowsAffected() == 0 {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM membership WHERE person_id = $1 AND until IS NULL)`, id).Scan(&stillThere); err != nil {
				return err
			}
		}
		if stillThere {
			return &InvalidError{Fields: []FieldError{{"/move/householdId", "person.move_same", "the person is already in this household"}}}
		}
		if err := join(ctx, tx, id, m.HouseholdID, m.Relationship, actor); err != nil {
			return err
		}
		set.add("kelurahan_code", kel, true)
	}
	if err := set.apply(ctx, tx, "person", id); err != nil {
		return fmt.Errorf("while updating person %d: %w", id, err)
	}
	return nil
}
