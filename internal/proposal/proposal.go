// Package proposal keeps a kecamatan's proposals (usulan) to the national
// registry and the musyawarah kelurahan that decides them, in the tenant
// database: drafting one of the four kinds, moving it along internal/usulan's
// path with who, when and why, and recording a muskel with its decisions.
package proposal

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// New is a proposal to draft. What it needs depends on its kind:
// keluarga_baru the Household, or the HouseholdID of one registered here
// that DTSEN does not hold yet; perbaikan the household (HouseholdID) and
// either HouseholdChange or, for one of its members (PersonID),
// PersonChange; nonaktif the household, optionally one member, the
// DeactivationReason and the Evidence; program the household and the
// Programme.
type New struct {
	Kind        usulan.Kind `json:"kind"`
	HouseholdID *int64      `json:"householdId,omitempty"`
	PersonID    *int64      `json:"personId,omitempty"`
	// ComplaintID is the complaint whose assessment led to the proposal.
	ComplaintID        *int64                    `json:"complaintId,omitempty"`
	Household          *NewHousehold             `json:"household,omitempty"`
	HouseholdChange    *registry.HouseholdChange `json:"householdChange,omitempty"`
	PersonChange       *registry.PersonChange    `json:"personChange,omitempty"`
	DeactivationReason string                    `json:"deactivationReason,omitempty"`
	Evidence           string                    `json:"evidence,omitempty"`
	Programme          string                    `json:"programme,omitempty"`
	// Reason says why, in the proposer's words.
	Reason string `json:"reason,omitempty"`
}

// NewHousehold is a household proposed for the registry, with its members,
// as registration takes them; it is not registered until the centre
// decides.
type NewHousehold struct {
	NoKK    string           `json:"noKK"`
	House   registry.House   `json:"house"`
	Members []ProposedMember `json:"members"`
	registry.Socioeconomic
}

// ProposedMember is a member of a proposed household.
type ProposedMember struct {
	NIK string `json:"nik"`
	registry.PersonFacts
	Relationship string `json:"relationship"`
}

// Validate checks what can be checked without the database.
func (in *New) Validate(now time.Time) error {
	var p registry.Problems
	p.OneOf("/kind", "usulan.kind", string(in.Kind), kinds())
	if len(in.Reason) > 1000 {
		p.Add("/reason", "usulan.reason_length", "at most 1000 characters")
	}
	needsHousehold := in.Kind != usulan.NewHousehold && in.Kind != ""
	if needsHousehold && in.HouseholdID == nil {
		p.Add("/householdId", "usulan.household_required", "the household the proposal is about")
	}
	switch in.Kind {
	case usulan.NewHousehold:
		// A household registered here but not in DTSEN is proposed as it
		// is registered; one not registered at all comes with its members.
		if in.HouseholdID == nil {
			in.validateHousehold(&p, now)
		} else if in.Household != nil {
			p.Add("/household", "usulan.household_twice", "give either householdId (registered here) or household, not both")
		}
	case usulan.Correction:
		switch {
		case (in.HouseholdChange == nil) == (in.PersonChange == nil):
			p.Add("/householdChange", "usulan.change_required", "give either householdChange or personChange")
		case in.HouseholdChange != nil:
			merge(&p, "/householdChange", in.HouseholdChange.Validate())
			if len(correctionAfter(in)) == 0 {
				p.Add("/householdChange", "usulan.change_empty", "say which fields change")
			}
		default:
			if in.PersonID == nil {
				p.Add("/personId", "usulan.person_required", "the member whose fields change")
			}
			if in.PersonChange.Move != nil {
				p.Add("/personChange/move", "usulan.move", "a move is recorded on the person, not proposed")
			}
			merge(&p, "/personChange", in.PersonChange.Validate())
			if len(correctionAfter(in)) == 0 {
				p.Add("/personChange", "usulan.change_empty", "say which fields change")
			}
		}
	case usulan.Deactivation:
		p.OneOf("/deactivationReason", "usulan.deactivation_reason", in.DeactivationReason, usulan.DeactivationReasons)
		p.Text("/evidence", "usulan.evidence", strings.TrimSpace(in.Evidence), 1, 500)
	case usulan.Programme:
		p.OneOf("/programme", "household.programme", in.Programme, registry.Programmes)
	}
	return p.Err()
}

func (in *New) validateHousehold(p *registry.Problems, now time.Time) {
	h := in.Household
	if h == nil {
		p.Add("/household", "usulan.household_missing", "the household proposed, with its members")
		return
	}
	nh := registry.NewHousehold{NoKK: h.NoKK, House: &h.House, Socioeconomic: h.Socioeconomic}
	merge(p, "/household", nh.Validate(now))
	heads := 0
	seen := map[string]bool{}
	for i, m := range h.Members {
		at := "/household/members/" + strconv.Itoa(i)
		np := registry.NewPerson{NIK: m.NIK, PersonFacts: m.PersonFacts, Relationship: m.Relationship}
		merge(p, at, np.Validate(now))
		p.OneOf(at+"/relationship", "person.relationship", m.Relationship, registry.Relationships)
		if m.Relationship == "kepala_keluarga" {
			heads++
		}
		if seen[m.NIK] {
			p.Add(at+"/nik", "usulan.nik_twice", "this NIK is already a member above")
		}
		seen[m.NIK] = true
	}
	if len(h.Members) == 0 || heads != 1 {
		p.Add("/household/members", "usulan.one_head", "the members, one of them the head (kepala_keluarga)")
	}
}

// merge adds an input's problems with their fields under prefix.
func merge(p *registry.Problems, prefix string, err error) {
	var sub registry.Problems
	sub.Merge(err)
	for _, f := range sub {
		p.Add(prefix+f.Field, f.Code, f.Message)
	}
}

func kinds() []string {
	out := make([]string, len(usulan.Kinds))
	for i, k := range usulan.Kinds {
		out[i] = string(k)
	}
	return out
}

// correctionAfter is a correction's new values by field, as the record's
// JSON names them (a house's fields flattened, as a household shows them).
func correctionAfter(in *New) map[string]json.RawMessage {
	var change any = in.PersonChange
	if in.HouseholdChange != nil {
		change = in.HouseholdChange
	}
	out := fields(change)
	if house, ok := out["house"]; ok {
		delete(out, "house")
		var hf map[string]json.RawMessage
		_ = json.Unmarshal(house, &hf)
		for k, v := range hf {
			out[k] = v
		}
	}
	delete(out, "reason")
	return out
}

// fields is a value's JSON object by key.
func fields(v any) map[string]json.RawMessage {
	data, _ := json.Marshal(v)
	out := map[string]json.RawMessage{}
	_ = json.Unmarshal(data, &out)
	return out
}

// Correction is what a correction proposes: the fields before (as the
// registry had them when it was drafted) and after.
type Correction struct {
	Entity string                     `json:"entity"` // household or person
	Before map[string]json.RawMessage `json:"before"`
	After  map[string]json.RawMessage `json:"after"`
	// Change is the change to apply when the centre decides, as the
	// household's or person's PATCH takes it.
	Change json.RawMessage `json:"change"`
}

// correction pairs a correction's new values with the record's current
// ones (record is the household or person as read).
func correction(in *New, record any) Correction {
	c := Correction{Entity: "household", After: correctionAfter(in), Before: map[string]json.RawMessage{}}
	var change any = in.HouseholdChange
	if in.PersonChange != nil {
		c.Entity, change = "person", in.PersonChange
	}
	c.Change, _ = json.Marshal(change)
	now := fields(record)
	for k := range c.After {
		if v, ok := now[k]; ok {
			c.Before[k] = v
		} else {
			c.Before[k] = json.RawMessage("null")
		}
	}
	return c
}

// Deactivation is what a deactivation proposes.
type Deactivation struct {
	Reason   string `json:"reason"`
	Evidence string `json:"evidence"`
}

// ProgrammeProposal is what a programme proposal proposes.
type ProgrammeProposal struct {
	Programme string `json:"programme"`
}

// Summary is a proposal in a list: no personal data but the subject's name.
type Summary struct {
	ID           int64         `json:"id"`
	Kelurahan    string        `json:"kelurahan"`
	Kind         usulan.Kind   `json:"kind"`
	Status       usulan.Status `json:"status"`
	Subject      string        `json:"subject"`
	HouseholdID  *int64        `json:"householdId,omitempty"`
	PersonID     *int64        `json:"personId,omitempty"`
	Period       *string       `json:"period,omitempty"`
	MusyawarahID *int64        `json:"musyawarahId,omitempty"`
	Batch        *string       `json:"batch,omitempty"`
	CreatedAt    time.Time     `json:"createdAt"`
	UpdatedAt    time.Time     `json:"updatedAt"`
}

// Proposal is a whole proposal with its steps: what it proposes may hold
// NIK, so reading it is audited.
type Proposal struct {
	Summary
	ComplaintID *int64          `json:"complaintId,omitempty"`
	Proposal    json.RawMessage `json:"proposal"`
	Reason      *string         `json:"reason,omitempty"`
	History     []Event         `json:"history"`
	// Next lists the statuses the Puskesos may move it to.
	Next []usulan.Status `json:"next"`
}

// Event is one step of a proposal.
type Event struct {
	At           time.Time      `json:"at"`
	Username     string         `json:"username"`
	Role         string         `json:"role"`
	From         *usulan.Status `json:"from,omitempty"`
	To           usulan.Status  `json:"to"`
	Reason       *string        `json:"reason,omitempty"`
	MusyawarahID *int64         `json:"musyawarahId,omitempty"`
}

// Filter narrows a list of proposals.
type Filter struct {
	Status     string
	Kelurahan  string
	Kind       string
	Period     string
	Household  int64
	Musyawarah int64
	After      int64
	Limit      int
}

// AttendeeRoles are the roles a muskel's attendees take.
var AttendeeRoles = []string{"lurah", "sekretaris_kelurahan", "ketua_rw", "ketua_rt", "tksk", "psm", "pendamping_pkh",
	"puskesos", "kader", "tokoh_masyarakat", "tokoh_agama", "lainnya"}

// ValidRole reports whether role is an attendee role.
func ValidRole(role string) bool { return slices.Contains(AttendeeRoles, role) }

// RoleNames name the attendee roles as minutes write them.
var RoleNames = map[string]string{"lurah": "Lurah", "sekretaris_kelurahan": "Sekretaris Kelurahan", "ketua_rw": "Ketua RW",
	"ketua_rt": "Ketua RT", "tksk": "TKSK", "psm": "PSM", "pendamping_pkh": "Pendamping PKH", "puskesos": "Petugas Puskesos",
	"kader": "Kader", "tokoh_masyarakat": "Tokoh Masyarakat", "tokoh_agama": "Tokoh Agama", "lainnya": "Peserta"}

// KindNames name the kinds as minutes write them.
var KindNames = map[usulan.Kind]string{usulan.NewHousehold: "Keluarga baru", usulan.Correction: "Perbaikan data",
	usulan.Deactivation: "Penonaktifan", usulan.Programme: "Usulan program"}
