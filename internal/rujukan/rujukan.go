// Package rujukan is the life of a referral (rujukan): its statuses, the
// transitions between them, and which side may make each. It follows the
// FHIR Task model referral networks use: draft -> requested -> accepted |
// rejected -> in-progress -> completed | failed, and cancelled from any open
// status. It holds no storage; the API applies it in a transaction.
package rujukan

import (
	"slices"

	"github.com/slrt-id/slrt/internal/workflow"
)

// Status of a referral.
type Status string

// The statuses.
const (
	Draft      Status = "draft"
	Requested  Status = "requested"
	Accepted   Status = "accepted"
	Rejected   Status = "rejected"
	InProgress Status = "in-progress"
	Completed  Status = "completed"
	Failed     Status = "failed"
	Cancelled  Status = "cancelled"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Draft, Requested, Accepted, Rejected, InProgress, Completed, Failed, Cancelled}

// Side is who moves a referral: the Puskesos that referred, or the agency
// that receives it.
type Side string

// The two sides.
const (
	Puskesos Side = "puskesos"
	Agency   Side = "agency"
)

// Step is one allowed transition.
type Step = workflow.Step[Status, Side]

var table = &workflow.Table[Status, Side]{Noun: "referral", Steps: []Step{
	{From: Draft, To: Requested, Side: Puskesos, Decision: true},
	{From: Draft, To: Cancelled, Side: Puskesos, NeedsReason: true},
	{From: Requested, To: Cancelled, Side: Puskesos, Decision: true, NeedsReason: true},
	{From: Accepted, To: Cancelled, Side: Puskesos, Decision: true, NeedsReason: true},
	{From: InProgress, To: Cancelled, Side: Puskesos, Decision: true, NeedsReason: true},
	{From: Requested, To: Accepted, Side: Agency},
	{From: Requested, To: Rejected, Side: Agency, NeedsReason: true},
	{From: Accepted, To: InProgress, Side: Agency},
	{From: InProgress, To: Completed, Side: Agency},
	{From: InProgress, To: Failed, Side: Agency, NeedsReason: true},
}}

// Valid reports whether s is a status.
func Valid(s Status) bool { return slices.Contains(Statuses, s) }

// Open reports whether a referral in status s can still change.
func Open(s Status) bool {
	return s == Draft || s == Requested || s == Accepted || s == InProgress
}

// Next lists the statuses side may move a referral in status from to.
func Next(from Status, side Side) []Status { return table.Next(from, side) }

// TransitionError says why a transition is not allowed, and what is.
type TransitionError = workflow.TransitionError

// Check returns the step from -> to by side, or a *TransitionError.
func Check(from, to Status, side Side) (Step, error) { return table.Check(from, to, side) }
