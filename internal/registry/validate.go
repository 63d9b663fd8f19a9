package registry

import "regexp"

// The checks openapi.json's schemas make, made again on the input types so
// that every surface (the API, the web app's forms) refuses the same
// inputs with the same codes. A code is a catalogue key after "problem.".

var (
	kelurahanCode = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$`)
	threeDigits   = regexp.MustCompile(`^[0-9]{3}$`)
)

// The longest texts, in characters.
const (
	MaxName       = 150
	MaxBirthPlace = 100
	MaxStreet     = 200
	MaxOccupation = 100
	MaxReason     = 500
)

// Check checks a house's address: kelurahan, RT, RW and street.
func (h *House) Check() []FieldError { return h.check() }

// check checks a new house's address.
func (h *House) check() []FieldError {
	var p Problems
	if !kelurahanCode.MatchString(h.Kelurahan) {
		p.Add("/house/kelurahan", "house.kelurahan", "a kelurahan code, e.g. 32.73.03.1001")
	}
	if !threeDigits.MatchString(h.RT) {
		p.Add("/house/rt", "house.rt", "three digits, e.g. 003")
	}
	if !threeDigits.MatchString(h.RW) {
		p.Add("/house/rw", "house.rw", "three digits, e.g. 011")
	}
	p.Text("/house/street", "house.street", h.Street, 1, MaxStreet)
	return p
}

// checkIdentity checks who a new person is: name, place of birth, sex.
func (f *PersonFacts) checkIdentity() []FieldError {
	var p Problems
	p.Text("/name", "person.name", f.Name, 1, MaxName)
	p.Text("/birthPlace", "person.birthplace", f.BirthPlace, 1, MaxBirthPlace)
	if f.Sex != "L" && f.Sex != "P" {
		p.Add("/sex", "person.sex", "L or P")
	}
	return p
}

// Validate checks a change of a person the way a new person's fields are
// checked: every field given must be one the schema accepts.
func (ch *PersonChange) Validate() error {
	var p Problems
	p.Text("/reason", "change.reason", ch.Reason, 0, MaxReason)
	if ch.Name != nil {
		p.Text("/name", "person.name", *ch.Name, 1, MaxName)
	}
	if ch.BirthPlace != nil {
		p.Text("/birthPlace", "person.birthplace", *ch.BirthPlace, 1, MaxBirthPlace)
	}
	if ch.Education != nil {
		p.OneOf("/education", "person.education", *ch.Education, Educations)
	}
	if ch.Occupation != nil {
		p.Text("/occupation", "person.occupation", *ch.Occupation, 1, MaxOccupation)
	}
	if ch.Presence != nil {
		p.OneOf("/presence", "person.presence", *ch.Presence, Presences)
	}
	if m := ch.Move; m != nil {
		p.OneOf("/move/relationship", "person.relationship", m.Relationship, Relationships)
		p.Text("/move/reason", "person.move_reason", m.Reason, 1, MaxReason)
	}
	return p.Err()
}

// MaxDTKSID is the longest DTKS id.
const MaxDTKSID = 40

// Validate checks a change of a household and its house as the schema
// does: every field given must be one it accepts.
func (ch *HouseholdChange) Validate() error {
	var p Problems
	p.Text("/reason", "change.reason", ch.Reason, 0, MaxReason)
	s := ch.Socioeconomic
	if s.DTKSID != nil {
		p.Text("/dtksId", "household.dtks_id", *s.DTKSID, 1, MaxDTKSID)
	}
	if s.Desil != nil && (*s.Desil < 1 || *s.Desil > 10) {
		p.Add("/desil", "household.desil", "1 to 10")
	}
	for _, prog := range s.Programmes {
		p.OneOf("/programmes", "household.programme", prog, Programmes)
	}
	for _, asset := range s.Assets {
		p.OneOf("/assets", "household.asset", asset, Assets)
	}
	if s.MonthlyIncome != nil && *s.MonthlyIncome < 0 {
		p.Add("/monthlyIncome", "household.rupiah", "0 or more rupiah")
	}
	if s.MonthlySpending != nil && *s.MonthlySpending < 0 {
		p.Add("/monthlySpending", "household.rupiah", "0 or more rupiah")
	}
	if h := ch.House; h != nil {
		if h.RT != nil && !threeDigits.MatchString(*h.RT) {
			p.Add("/house/rt", "house.rt", "three digits, e.g. 003")
		}
		if h.RW != nil && !threeDigits.MatchString(*h.RW) {
			p.Add("/house/rw", "house.rw", "three digits, e.g. 011")
		}
		if h.Street != nil {
			p.Text("/house/street", "house.street", *h.Street, 1, MaxStreet)
		}
		if h.Latitude != nil && (*h.Latitude < -90 || *h.Latitude > 90) {
			p.Add("/house/latitude", "house.latitude", "-90 to 90")
		}
		if h.Longitude != nil && (*h.Longitude < -180 || *h.Longitude > 180) {
			p.Add("/house/longitude", "house.longitude", "-180 to 180")
		}
		if h.FloorAreaM2 != nil && (*h.FloorAreaM2 <= 0 || *h.FloorAreaM2 > 100000) {
			p.Add("/house/floorAreaM2", "house.floor_area", "more than 0, at most 100000 square metres")
		}
		for _, e := range []struct {
			field   string
			value   *string
			allowed []string
		}{{"ownership", h.Ownership, Ownerships}, {"floorMaterial", h.FloorMaterial, FloorMaterials},
			{"wallMaterial", h.WallMaterial, WallMaterials}, {"roofMaterial", h.RoofMaterial, RoofMaterials},
			{"toilet", h.Toilet, Toilets}, {"waterSource", h.WaterSource, WaterSources},
			{"lighting", h.Lighting, Lightings}, {"cookingFuel", h.CookingFuel, CookingFuels}} {
			if e.value != nil {
				p.OneOf("/house/"+e.field, "house.choice", *e.value, e.allowed)
			}
		}
	}
	return p.Err()
}
