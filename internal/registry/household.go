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

// House is a dwelling; several households (KK) can live in one.
type House struct {
	ID            int64    `json:"id,omitempty"`
	Kelurahan     string   `json:"kelurahan"`
	RT            string   `json:"rt"`
	RW            string   `json:"rw"`
	Street        string   `json:"street"`
	Latitude      *float64 `json:"latitude,omitempty"`
	Longitude     *float64 `json:"longitude,omitempty"`
	Ownership     *string  `json:"ownership,omitempty"`
	FloorAreaM2   *float64 `json:"floorAreaM2,omitempty"`
	FloorMaterial *string  `json:"floorMaterial,omitempty"`
	WallMaterial  *string  `json:"wallMaterial,omitempty"`
	RoofMaterial  *string  `json:"roofMaterial,omitempty"`
	Toilet        *string  `json:"toilet,omitempty"`
	WaterSource   *string  `json:"waterSource,omitempty"`
	Lighting      *string  `json:"lighting,omitempty"`
	CookingFuel   *string  `json:"cookingFuel,omitempty"`
}

// Socioeconomic is what a household has and earns, and what it receives.
type Socioeconomic struct {
	DTKSID          *string  `json:"dtksId,omitempty"`
	Desil           *int16   `json:"desil,omitempty"`
	Programmes      []string `json:"programmes,omitempty"`
	Assets          []string `json:"assets,omitempty"`
	MonthlyIncome   *int64   `json:"monthlyIncome,omitempty"`
	MonthlySpending *int64   `json:"monthlySpending,omitempty"`
}

// Household is a family card (KK) with its house and current members.
type Household struct {
	ID   int64  `json:"id"`
	NoKK string `json:"noKK"`
	House
	Socioeconomic
	HouseID int64 `json:"houseId"`
	// Members are the persons in the household now, with full NIK: a
	// household record is a full record, and reading it is audited.
	Members []Member `json:"members"`
	// SameHouse are the other households living in the same house.
	SameHouse []int64   `json:"sameHouse"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Member is a person in a household.
type Member struct {
	PersonID     int64  `json:"personId"`
	NIK          string `json:"nik"`
	Name         string `json:"name"`
	Sex          string `json:"sex"`
	BirthDate    Date   `json:"birthDate"`
	Relationship string `json:"relationship"`
	Presence     string `json:"presence"`
	Since        *Date  `json:"since,omitempty"`
}

// NewHousehold is a household to register: in a new house, or in the house
// of an existing household (HouseID).
type NewHousehold struct {
	NoKK    string `json:"noKK"`
	House   *House `json:"house,omitempty"`
	HouseID *int64 `json:"houseId,omitempty"`
	Socioeconomic
}

// Validate checks what the schema cannot: the No KK's structure and the
// choice of house.
func (in *NewHousehold) Validate(now time.Time) error {
	var fields []FieldError
	if p := nik.CheckKK(in.NoKK, now); p != nil {
		fields = append(fields, FieldError{"/noKK", p.Code, p.Message})
	}
	if (in.House == nil) == (in.HouseID == nil) {
		fields = append(fields, FieldError{"/house", "household.house", "give either a new house or the houseId of an existing one"})
	}
	if in.House != nil {
		fields = append(fields, in.House.check()...)
	}
	if fields != nil {
		return &InvalidError{Fields: fields}
	}
	return nil
}

// Kelurahan returns the kelurahan the new household will be in, reading
// the existing house when it joins one.
func (in *NewHousehold) Kelurahan(ctx context.Context, db DB, scope []string) (string, error) {
	if in.House != nil {
		return in.House.Kelurahan, nil
	}
	var code string
	err := db.QueryRow(ctx, `SELECT kelurahan_code FROM house WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))`,
		*in.HouseID, ScopeArg(scope)).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", &InvalidError{Fields: []FieldError{{"/houseId", "household.house_unknown", "no such house in your kelurahan"}}}
	}
	return code, err
}

// CreateHousehold registers a household. A No KK already registered in
// this kecamatan is a *ConflictError naming the existing household.
func CreateHousehold(ctx context.Context, tx pgx.Tx, in *NewHousehold, scope []string) (int64, error) {
	kel, err := in.Kelurahan(ctx, tx, scope)
	if err != nil {
		return 0, err
	}
	var existing int64
	err = tx.QueryRow(ctx, `SELECT id FROM household WHERE no_kk = $1`, in.NoKK).Scan(&existing)
	if err == nil {
		return 0, &ConflictError{Field: "/noKK", Message: "this No KK is already registered in this kecamatan", ExistingID: existing, Kind: "household"}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	houseID := int64(0)
	if in.HouseID != nil {
		houseID = *in.HouseID
	} else {
		h := in.House
		err = tx.QueryRow(ctx, `
			WITH h AS (INSERT INTO house (kelurahan_code, rt, rw, street, latitude, longitude, ownership, floor_area_m2,
				floor_material, wall_material, roof_material, toilet, water_source, lighting, cooking_fuel)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id)
			SELECT registry_created('house', id, NULL, NULL) FROM h`,
			h.Kelurahan, h.RT, h.RW, h.Street, h.Latitude, h.Longitude, h.Ownership, h.FloorAreaM2,
			h.FloorMaterial, h.WallMaterial, h.RoofMaterial, h.Toilet, h.WaterSource, h.Lighting, h.CookingFuel).Scan(&houseID)
		if foreignKeyViolation(err) {
			return 0, &InvalidError{Fields: []FieldError{{"/house/kelurahan", "household.kelurahan_unknown", "no such kelurahan in this kecamatan"}}}
		}
		if err != nil {
			return 0, fmt.Errorf("while registering the house: %w", err)
		}
	}
	s := in.Socioeconomic
	var id int64
	err = tx.QueryRow(ctx, `
		WITH h AS (INSERT INTO household (no_kk, house_id, kelurahan_code, dtks_id, desil, programmes, assets, monthly_income, monthly_spending)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id)
		SELECT registry_created('household', id, id, NULL) FROM h`,
		in.NoKK, houseID, kel, s.DTKSID, s.Desil, orEmpty(s.Programmes), orEmpty(s.Assets), s.MonthlyIncome, s.MonthlySpending).Scan(&id)
	if uniqueViolation(err) != "" {
		return 0, &ConflictError{Field: "/noKK", Message: "this No KK is already registered in this kecamatan", Kind: "household"}
	}
	if err != nil {
		return 0, fmt.Errorf("while registering the household: %w", err)
	}
	return id, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetHousehold reads a household with its house and current members.
func GetHousehold(ctx context.Context, db DB, id int64, scope []string) (*Household, error) {
	h := &Household{}
	err := db.QueryRow(ctx, `
		SELECT hh.id, hh.no_kk, hh.house_id, hh.dtks_id, hh.desil, hh.programmes, hh.assets, hh.monthly_income, hh.monthly_spending,
			hh.created_at, hh.updated_at, ho.kelurahan_code, ho.rt, ho.rw, ho.street, ho.latitude, ho.longitude, ho.ownership,
			ho.floor_area_m2::float8, ho.floor_material, ho.wall_material, ho.roof_material, ho.toilet, ho.water_source, ho.lighting, ho.cooking_fuel
		FROM household hh JOIN house ho ON ho.id = hh.house_id
		WHERE hh.id = $1 AND ($2::text[] IS NULL OR hh.kelurahan_code = ANY($2))`, id, ScopeArg(scope)).Scan(
		&h.ID, &h.NoKK, &h.HouseID, &h.DTKSID, &h.Desil, &h.Programmes, &h.Assets, &h.MonthlyIncome, &h.MonthlySpending,
		&h.CreatedAt, &h.UpdatedAt, &h.Kelurahan, &h.RT, &h.RW, &h.Street, &h.Latitude, &h.Longitude, &h.Ownership,
		&h.FloorAreaM2, &h.FloorMaterial, &h.WallMaterial, &h.RoofMaterial, &h.Toilet, &h.WaterSource, &h.Lighting, &h.CookingFuel)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading household %d: %w", id, err)
	}
	rows, err := db.Query(ctx, `
		SELECT p.id, p.nik, p.name, p.sex, p.birth_date, m.relationship, p.presence, m.since
		FROM membership m JOIN person p ON p.id = m.person_id
		WHERE m.household_id = $1 AND m.until IS NULL
		ORDER BY m.relationship <> 'kepala_keluarga', p.birth_date, p.id`, id)
	if err != nil {
		return nil, err
	}
	h.Members, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Member, error) {
		var m Member
		var since time.Time
		err := row.Scan(&m.PersonID, &m.NIK, &m.Name, &m.Sex, &m.BirthDate.Time, &m.Relationship, &m.Presence, &since)
		m.Since = &Date{Time: since}
		return m, err
	})
	if err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT id FROM household WHERE house_id = $1 AND id <> $2 ORDER BY id`, h.HouseID, id)
	if err != nil {
		return nil, err
	}
	if h.SameHouse, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return nil, err
	}
	return h, nil
}

// HouseholdChange is a partial update of a household; absent fields stay.
type HouseholdChange struct {
	Socioeconomic
	House *HouseChange `json:"house,omitempty"`
	// Reason says why, for the registry's history.
	Reason string `json:"reason,omitempty"`
	// Via says how the change comes (ViaEdit when empty).
	Via string `json:"-"`
}

// HouseChange updates the house (for every household living in it).
type HouseChange struct {
	RT            *string  `json:"rt,omitempty"`
	RW            *string  `json:"rw,omitempty"`
	Street        *string  `json:"street,omitempty"`
	Latitude      *float64 `json:"latitude,omitempty"`
	Longitude     *float64 `json:"longitude,omitempty"`
	Ownership     *string  `json:"ownership,omitempty"`
	FloorAreaM2   *float64 `json:"floorAreaM2,omitempty"`
	FloorMaterial *string  `json:"floorMaterial,omitempty"`
	WallMaterial  *string  `json:"wallMaterial,omitempty"`
	RoofMaterial  *string  `json:"roofMaterial,omitempty"`
	Toilet        *string  `json:"toilet,omitempty"`
	WaterSource   *string  `json:"waterSource,omitempty"`
	Lighting      *string  `json:"lighting,omitempty"`
	CookingFuel   *string  `json:"cookingFuel,omitempty"`
}

// UpdateHousehold applies a change to a household and its house.
func UpdateHousehold(ctx context.Context, tx pgx.Tx, id int64, ch *HouseholdChange, scope []string) error {
	var houseID int64
	err := tx.QueryRow(ctx, `SELECT house_id FROM household WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2)) FOR UPDATE`,
		id, ScopeArg(scope)).Scan(&houseID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := Because(ctx, tx, cmp.Or(ch.Via, ViaEdit), ch.Reason); err != nil {
		return err
	}
	s := ch.Socioeconomic
	var set setter
	set.add("dtks_id", s.DTKSID, s.DTKSID != nil)
	set.add("desil", s.Desil, s.Desil != nil)
	set.add("programmes", s.Programmes, s.Programmes != nil)
	set.add("assets", s.Assets, s.Assets != nil)
	set.add("monthly_income", s.MonthlyIncome, s.MonthlyIncome != nil)
	set.add("monthly_spending", s.MonthlySpending, s.MonthlySpending != nil)
	if err := set.apply(ctx, tx, "household", id); err != nil {
		return fmt.Errorf("while updating household %d: %w", id, err)
	}
	if h := ch.House; h != nil {
		var hs setter
		hs.add("rt", h.RT, h.RT != nil)
		hs.add("rw", h.RW, h.RW != nil)
		hs.add("street", h.Street, h.Street != nil)
		hs.add("latitude", h.Latitude, h.Latitude != nil)
		hs.add("longitude", h.Longitude, h.Longitude != nil)
		hs.add("ownership", h.Ownership, h.Ownership != nil)
		hs.add("floor_area_m2", h.FloorAreaM2, h.FloorAreaM2 != nil)
		hs.add("floor_material", h.FloorMaterial, h.FloorMaterial != nil)
		hs.add("wall_material", h.WallMaterial, h.WallMaterial != nil)
		hs.add("roof_material", h.RoofMaterial, h.RoofMaterial != nil)
		hs.add("toilet", h.Toilet, h.Toilet != nil)
		hs.add("water_source", h.WaterSource, h.WaterSource != nil)
		hs.add("lighting", h.Lighting, h.Lighting != nil)
		hs.add("cooking_fuel", h.CookingFuel, h.CookingFuel != nil)
		if err := hs.apply(ctx, tx, "house", houseID); err != nil {
			return fmt.Errorf("while updating the house of household %d: %w", id, err)
		}
	}
	return nil
}

// setter builds the SET list of a partial update.
type setter struct {
	cols []string
	args []any
}

func (s *setter) add(col string, v any, present bool) {
	if present {
		s.cols = append(s.cols, col)
		s.args = append(s.args, v)
	}
}

// apply updates row id of table (a constant name) with the collected
// columns, and its updated_at; nothing collected writes nothing.
func (s *setter) apply(ctx context.Context, db DB, table string, id int64) error {
	if len(s.cols) == 0 {
		return nil
	}
	sql := "UPDATE " + table + " SET updated_at = now()"
	for i, c := range s.cols {
		sql += fmt.Sprintf(", %s = $%d", c, i+2)
	}
	_, err := db.Exec(ctx, sql+" WHERE id = $1", append([]any{id}, s.args...)...)
	return err
}
