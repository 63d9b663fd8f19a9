// Package transfer moves a household from one kecamatan's database to
// another's (pindah): what a transfer is, and each database's part of
// carrying it out. Every part is keyed by the transfer's id and does nothing
// when done already, so that a step tried again after a crash is harmless:
//
//   - Hold (sender): the household's rows take no more change;
//   - Copy (receiver, one transaction): the household, its members, its
//     history, its cases with their referrals and its finished proposals,
//     with new ids, in the receiving kelurahan at the new address;
//   - Depart (sender, one transaction): the rows go, a tombstone stays.
//
// The control database's record (store) says which steps are done; the
// background job (usecase) runs them in order.
package transfer

import (
	"errors"
	"time"
)

// Status of a transfer.
type Status string

// The statuses: asked for, then accepted (and carried out) or not.
const (
	Requested Status = "diminta"
	Accepted  Status = "diterima"
	Rejected  Status = "ditolak"
	Revoked   Status = "dibatalkan"
	Done      Status = "selesai"
	Failed    Status = "gagal"
)

// Statuses lists every status.
var Statuses = []Status{Requested, Accepted, Rejected, Revoked, Done, Failed}

// Open reports whether a transfer in status s is still under way.
func Open(s Status) bool { return s == Requested || s == Accepted }

// Side is who asked: the receiving kecamatan (the resident lives there now)
// or the sending one (offering the household).
type Side string

// The two sides.
const (
	Receiver Side = "penerima"
	Sender   Side = "pengirim"
)

// Step is the last step done of an accepted transfer.
type Step string

// The steps, in order. Finished is never recorded as a step: the
// transfer's status says Done.
const (
	NotStarted Step = ""
	Held       Step = "ditahan"
	Copied     Step = "disalin"
	Indexed    Step = "diindeks"
	Finished   Step = "selesai"
)

// Address is where the household lives in the receiving kelurahan.
type Address struct {
	RT     string `json:"rt"`
	RW     string `json:"rw"`
	Street string `json:"street"`
}

// Transfer is one household's move as both sides and Dinas Sosial see it.
type Transfer struct {
	ID            string `json:"id"`
	From          string `json:"fromKecamatan"`
	HouseholdID   int64  `json:"householdId"`
	FromKelurahan string `json:"fromKelurahan"`
	To            string `json:"toKecamatan"`
	// ToKelurahan and Address are named by the receiving side; the address
	// is forgotten once the household has arrived.
	ToKelurahan *string  `json:"toKelurahan,omitempty"`
	Address     *Address `json:"address,omitempty"`
	InitiatedBy Side     `json:"initiatedBy"`
	Status      Status   `json:"status"`
	Step        Step     `json:"step"`
	Reason      string   `json:"reason"`
	// DecisionReason says why it was rejected or revoked.
	DecisionReason *string `json:"decisionReason,omitempty"`
	// Waiting says why the job waits (a database it cannot reach), or why
	// it failed.
	Waiting *string `json:"waiting,omitempty"`
	// Members and Complaints are what was copied.
	Members    *int `json:"members,omitempty"`
	Complaints *int `json:"complaints,omitempty"`
	// NewHouseholdID is the household in the receiving kecamatan.
	NewHouseholdID *int64     `json:"newHouseholdId,omitempty"`
	RequestedBy    string     `json:"requestedBy"`
	RequestedAt    time.Time  `json:"requestedAt"`
	DecidedBy      *string    `json:"decidedBy,omitempty"`
	DecidedAt      *time.Time `json:"decidedAt,omitempty"`
	CompletedAt    *time.Time `json:"completedAt,omitempty"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// DecidingSide is the side whose koordinator accepts or rejects: the one
// that did not ask.
func (t *Transfer) DecidingSide() Side {
	if t.InitiatedBy == Receiver {
		return Sender
	}
	return Receiver
}

var (
	// ErrNotFound is a household (or transfer) that does not exist where
	// the caller may see it.
	ErrNotFound = errors.New("not found")
	// ErrOpenUsulan refuses to move a household with a proposal still
	// under way: its musyawarah and Dinas Sosial's verification belong to
	// the sending kelurahan.
	ErrOpenUsulan = errors.New("the household has a proposal (usulan) still under way; finish or withdraw it first")
	// ErrHeld is a write to a household being moved (the hold's SQLSTATE).
	ErrHeld = errors.New("the household is being moved to another kecamatan")
)

// HeldCode is the SQLSTATE a write to a held household's rows fails with.
const HeldCode = "SL409"
