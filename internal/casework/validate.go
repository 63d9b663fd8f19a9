package casework

import (
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

// Validate checks a complaint's fields (its category against the catalogue
// is the use case's check).
func (in *NewComplaint) Validate() error {
	var p registry.Problems
	if in.PersonID <= 0 {
		p.Add("/personId", "complaint.person", "the registered person the complaint is about")
	}
	p.OneOf("/channel", "complaint.channel", in.Channel, Channels)
	p.OneOf("/urgency", "complaint.urgency", in.Urgency, Urgencies)
	p.Text("/description", "complaint.description", in.Description, 1, MaxText)
	return p.Err()
}

// Validate checks a follow-up's kind and note.
func (in *NewFollowUp) Validate() error {
	var p registry.Problems
	p.OneOf("/kind", "followup.kind", in.Kind, FollowUpKinds)
	p.Text("/note", "followup.note", in.Note, 1, MaxText)
	return p.Err()
}

// Validate checks a closing's outcome and note.
func (in *Closing) Validate() error {
	var p registry.Problems
	p.OneOf("/outcome", "closing.outcome", in.Outcome, Outcomes)
	if in.Note != nil {
		p.Text("/note", "closing.note", *in.Note, 0, MaxClosingNote)
	}
	return p.Err()
}

// Validate checks an assessment's notes (its documents and service against
// the catalogue are the use case's check).
func (in *AssessmentInput) Validate() error {
	var p registry.Problems
	if in.Notes != nil {
		p.Text("/notes", "assessment.notes", *in.Notes, 0, MaxText)
	}
	return p.Err()
}
