// Package usulan is the life of a proposal (usulan) to the national social
// registry (DTSEN): its kinds, its statuses, the transitions between them,
// and which side may make each. The path is the field's: the Puskesos
// drafts and submits to the musyawarah kelurahan (diajukan), the muskel
// agrees or rejects, Dinas Sosial verifies, returns or rejects, sends the
// verified in a batch (dikirim), and the central result sets it ditetapkan
// or tidak ditetapkan. It holds no storage; the proposal package applies it
// in a transaction.
package usulan

import (
	"github.com/slrt-id/slrt/internal/workflow"
)

// Kind is what a proposal asks for.
type Kind string

// The kinds.
const (
	// NewHousehold proposes a household not in the registry, with its
	// members; it is not counted as registered until the result says so.
	NewHousehold Kind = "keluarga_baru"
	// Correction proposes new values for fields of a household or person.
	Correction Kind = "perbaikan"
	// Deactivation proposes taking a person or household out (deceased,
	// moved away, a duplicate, no longer eligible), naming the evidence.
	Deactivation Kind = "nonaktif"
	// Programme proposes a household for a programme (PKH, BPNT, PBI-JK...).
	Programme Kind = "program"
)

// Kinds lists every kind.
var Kinds = []Kind{NewHousehold, Correction, Deactivation, Programme}

// Why a person or household is proposed for deactivation.
var DeactivationReasons = []string{"meninggal", "pindah", "ganda", "tidak_layak"}

// Status of a proposal.
type Status string

// The statuses.
const (
	Draft            Status = "draft"
	Submitted        Status = "diajukan"
	Agreed           Status = "disepakati"
	RejectedByMuskel Status = "ditolak_muskel"
	Verified         Status = "diverifikasi"
	Returned         Status = "dikembalikan"
	RejectedByDinsos Status = "ditolak_dinsos"
	Sent             Status = "dikirim"
	Decided          Status = "ditetapkan"
	NotDecided       Status = "tidak_ditetapkan"
	Withdrawn        Status = "dibatalkan"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Draft, Submitted, Agreed, RejectedByMuskel, Verified, Returned, RejectedByDinsos, Sent, Decided,
	NotDecided, Withdrawn}

// Side is who moves a proposal.
type Side string

// The sides.
const (
	// Puskesos staff of the kelurahan draft, submit and withdraw.
	Puskesos Side = "puskesos"
	// Muskel is the musyawarah kelurahan, recorded by the koordinator:
	// a submitted proposal moves only through a recorded meeting.
	Muskel Side = "muskel"
	// Dinsos verifies, returns, rejects, and sends in a batch.
	Dinsos Side = "dinsos"
	// Pusat is the central result coming back (an import).
	Pusat Side = "pusat"
)

// Step is one allowed transition.
type Step = workflow.Step[Status, Side]

var table = &workflow.Table[Status, Side]{Noun: "proposal", Steps: []Step{
	{From: Draft, To: Submitted, Side: Puskesos},
	{From: Draft, To: Withdrawn, Side: Puskesos, NeedsReason: true},
	{From: Submitted, To: Withdrawn, Side: Puskesos, Decision: true, NeedsReason: true},
	{From: Submitted, To: Agreed, Side: Muskel},
	{From: Submitted, To: RejectedByMuskel, Side: Muskel, NeedsReason: true},
	{From: Agreed, To: Verified, Side: Dinsos},
	{From: Agreed, To: Returned, Side: Dinsos, NeedsReason: true},
	{From: Agreed, To: RejectedByDinsos, Side: Dinsos, NeedsReason: true},
	// A returned proposal, put right, goes to the next muskel again.
	{From: Returned, To: Submitted, Side: Puskesos},
	{From: Returned, To: Withdrawn, Side: Puskesos, NeedsReason: true},
	{From: Verified, To: Sent, Side: Dinsos},
	{From: Sent, To: Decided, Side: Pusat},
	{From: Sent, To: NotDecided, Side: Pusat},
}}

// Open reports whether a proposal in status s can still change.
func Open(s Status) bool {
	return s != RejectedByMuskel && s != RejectedByDinsos && s != Decided && s != NotDecided && s != Withdrawn
}

// Next lists the statuses side may move a proposal in status from to.
func Next(from Status, side Side) []Status { return table.Next(from, side) }

// TransitionError says why a transition is not allowed, and what is.
type TransitionError = workflow.TransitionError

// Check returns the step from -> to by side, or a *TransitionError.
func Check(from, to Status, side Side) (Step, error) { return table.Check(from, to, side) }
