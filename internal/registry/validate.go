package registry

import (
	"regexp"
	"strconv"
	"unicode/utf8"
)

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
)

// text checks a required text of at most max characters.
func text(fields []FieldError, field, code, value string, max int) []FieldError {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		return append(fields, FieldError{field, code + "_required", "required"})
	case n > max:
		return append(fields, FieldError{field, code + "_length", "at most " + strconv.Itoa(max) + " characters"})
	}
	return fields
}

// check checks a new house's address.
func (h *House) check() []FieldError {
	var fields []FieldError
	if !kelurahanCode.MatchString(h.Kelurahan) {
		fields = append(fields, FieldError{"/house/kelurahan", "house.kelurahan", "a kelurahan code, e.g. 32.73.03.1001"})
	}
	if !threeDigits.MatchString(h.RT) {
		fields = append(fields, FieldError{"/house/rt", "house.rt", "three digits, e.g. 003"})
	}
	if !threeDigits.MatchString(h.RW) {
		fields = append(fields, FieldError{"/house/rw", "house.rw", "three digits, e.g. 011"})
	}
	return text(fields, "/house/street", "house.street", h.Street, MaxStreet)
}

// checkIdentity checks who a new person is: name, place of birth, sex.
func (f *PersonFacts) checkIdentity() []FieldError {
	fields := text(nil, "/name", "person.name", f.Name, MaxName)
	fields = text(fields, "/birthPlace", "person.birthplace", f.BirthPlace, MaxBirthPlace)
	if f.Sex != "L" && f.Sex != "P" {
		fields = append(fields, FieldError{"/sex", "person.sex", "L or P"})
	}
	return fields
}
