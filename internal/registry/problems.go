package registry

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Invalid is one field of an input at fault.
func Invalid(field, code, message string) error {
	return &InvalidError{Fields: []FieldError{{field, code, message}}}
}

// Problems gathers the fields an input breaks. Their codes are catalogue
// keys (with "problem." before them) that the web app shows in the page's
// language, and the API returns as they are.
type Problems []FieldError

// Add notes a field at fault.
func (p *Problems) Add(field, code, message string) {
	*p = append(*p, FieldError{field, code, message})
}

// OneOf notes a value not among the allowed ones.
func (p *Problems) OneOf(field, code, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		p.Add(field, code, "one of "+strings.Join(allowed, ", "))
	}
}

// Text notes a text shorter than min or longer than max characters, with
// code+"_required" or code+"_length".
func (p *Problems) Text(field, code, value string, min, max int) {
	switch n := utf8.RuneCountInString(value); {
	case n < min:
		p.Add(field, code+"_required", "required")
	case n > max:
		p.Add(field, code+"_length", "at most "+strconv.Itoa(max)+" characters")
	}
}

// Merge adds the fields an *InvalidError names; other errors add nothing.
func (p *Problems) Merge(err error) {
	var inv *InvalidError
	if errors.As(err, &inv) {
		*p = append(*p, inv.Fields...)
	}
}

// Err is the problems as an *InvalidError, or nil when there are none.
func (p Problems) Err() error {
	if p == nil {
		return nil
	}
	return &InvalidError{Fields: p}
}
