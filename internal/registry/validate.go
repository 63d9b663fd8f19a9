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
