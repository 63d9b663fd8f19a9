// Package workflow is an explicit table of the transitions a record may
// make between its statuses, and which side may make each: the referral's
// (rujukan) and the proposal's (usulan) paths are tables of this kind. It
// answers what may come next and refuses the rest with what is allowed.
package workflow

import (
	"fmt"
	"strings"
)

// Step is one allowed transition of a record with statuses S, made by
// side D.
type Step[S, D ~string] struct {
	From, To S
	Side     D
	// Decision marks a step only a koordinator may take.
	Decision bool
	// NeedsReason marks a step that must say why.
	NeedsReason bool
}

// Table is every allowed step of a kind of record; Noun names the record
// in errors ("referral", "proposal").
type Table[S, D ~string] struct {
	Noun  string
	Steps []Step[S, D]
}

// Next lists the statuses side may move a record in status from to.
func (t *Table[S, D]) Next(from S, side D) []S {
	var out []S
	for _, st := range t.Steps {
		if st.From == from && st.Side == side {
			out = append(out, st.To)
		}
	}
	return out
}

// Check returns the step from -> to by side, or a *TransitionError naming
// what side may do instead.
func (t *Table[S, D]) Check(from, to S, side D) (Step[S, D], error) {
	for _, st := range t.Steps {
		if st.From == from && st.To == to && st.Side == side {
			return st, nil
		}
	}
	next := t.Next(from, side)
	allowed := make([]string, len(next))
	for i, n := range next {
		allowed[i] = string(n)
	}
	return Step[S, D]{}, &TransitionError{Noun: t.Noun, From: string(from), To: string(to), Side: string(side), Allowed: allowed}
}

// TransitionError says why a transition is not allowed, and what is.
type TransitionError struct {
	Noun           string
	From, To, Side string
	Allowed        []string
}

func (e *TransitionError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("a %s that is %s cannot be changed by the %s", e.Noun, e.From, e.Side)
	}
	return fmt.Sprintf("a %s that is %s cannot become %s by the %s; it can become: %s",
		e.Noun, e.From, e.To, e.Side, strings.Join(e.Allowed, ", "))
}
