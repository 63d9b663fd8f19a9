package casework

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slrt-id/slrt/internal/registry"
)

// The longest texts, in characters, as openapi.json has them.
const (
	// MaxText bounds a complaint's description, a follow-up's note and an
	// assessment's notes.
	MaxText = 4000
	// MaxClosingNote bounds the note of a closing.
	MaxClosingNote = 2000
)

// problems gathers the fields an input breaks; their codes are catalogue
// keys (with "problem." before them) that the web app shows in the page's
// language, and the API returns as they are.
type problems []registry.FieldError

func (p *problems) add(field, code, message string) {
	*p = append(*p, registry.FieldError{Field: field, Code: code, Message: message})
}

func (p *problems) oneOf(field, code, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		p.add(field, code, "one of "+strings.Join(allowed, ", "))
	}
}

// text checks a text's length in characters, from min to max.
func (p *problems) text(field, code string, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min:
		p.add(field, code+"_required", "required")
	case n > max:
		p.add(field, code+"_length", "at most "+strconv.Itoa(max)+" characters")
	}
}

func (p problems) err() error {
	if p == nil {
		return nil
	}
	return &registry.InvalidError{Fields: p}
}

// Validate checks a complaint's fields (its category against the catalogue
// is the use case's check).
func (in *NewComplaint) Validate() error {
	var p problems
	if in.PersonID <= 0 {
		p.add("/personId", "complaint.person", "the registered person the complaint is about")
	}
	p.oneOf("/channel", "complaint.channel", in.Channel, Channels)
	p.oneOf("/urgency", "complaint.urgency", in.Urgency, Urgencies)
	p.text("/description", "complaint.description", in.Description, 1, MaxText)
	return p.err()
}

// Validate checks a follow-up's kind and note.
func (in *NewFollowUp) Validate() error {
	var p problems
	p.oneOf("/kind", "followup.kind", in.Kind, FollowUpKinds)
	p.text("/note", "followup.note", in.Note, 1, MaxText)
	return p.err()
}

// Validate checks a closing's outcome and note.
func (in *Closing) Validate() error {
	var p problems
	p.oneOf("/outcome", "closing.outcome", in.Outcome, Outcomes)
	if in.Note != nil {
		p.text("/note", "closing.note", *in.Note, 0, MaxClosingNote)
	}
	return p.err()
}

// Validate checks an assessment's notes (its documents and service against
// the catalogue are the use case's check).
func (in *AssessmentInput) Validate() error {
	var p problems
	if in.Notes != nil {
		p.text("/notes", "assessment.notes", *in.Notes, 0, MaxText)
	}
	return p.err()
}
