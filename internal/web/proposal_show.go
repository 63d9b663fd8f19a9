package web

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/usulan"
)

// proposalPage is a proposal: whom it is about, what it proposes in words
// (NIK masked), its steps, and the steps the caller may take.
type proposalPage struct {
	kecamatanPage
	*proposal.Proposal
	Row      proposalRow
	Proposes []fact // what it proposes, line by line
	Steps    []stepRow
	// CanSubmit and CanWithdraw offer the Puskesos's steps, CanVerify
	// Dinas Sosial's.
	CanSubmit, CanWithdraw, CanVerify bool
	// VerifyQueue links Dinas Sosial back to its queue.
	VerifyQueue    bool
	Created, Moved bool
	// Refused is why the last step was refused, shown above the forms.
	Refused string
	Errors  map[string]string
}

// fact is a labelled line.
type fact struct{ Label, Value string }

// stepRow is a step of a proposal in words.
type stepRow struct {
	At, Who, Step, Reason string
	Musyawarah            int64
}

// proposalShow is a proposal's page; reading it is audited (a new
// household's members' NIK are in it).
func (h *Handler) proposalShow(w http.ResponseWriter, r *http.Request) {
	p, ok := auditedRecord(h, w, r, h.app.Proposal)
	if !ok {
		return
	}
	v := newPage(r, "usulan.one_title", p.ID)
	d := h.newProposalPage(r, v, p)
	d.Created, d.Moved = r.URL.Query().Has("dibuat"), r.URL.Query().Has("diubah")
	render(w, r, http.StatusOK, usulanDetail(v, d))
}

func (h *Handler) newProposalPage(r *http.Request, v *webPage, p *proposal.Proposal) *proposalPage {
	d := &proposalPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil), Proposal: p, Errors: map[string]string{}}
	d.Row = proposalRowOf(v, d.kecamatanPage, p.Summary)
	d.Proposes = proposes(v, p)
	for _, e := range p.History {
		row := stepRow{At: webDate(e.At), Who: e.Username, Step: v.T("usulan.status." + string(e.To))}
		if e.Reason != nil {
			row.Reason = *e.Reason
		}
		if e.MusyawarahID != nil {
			row.Musyawarah = *e.MusyawarahID
		}
		d.Steps = append(d.Steps, row)
	}
	writes := h.may(r, p.Kelurahan, "usulan", "write")
	for _, next := range p.Next {
		switch {
		case next == usulan.Submitted && writes:
			d.CanSubmit = true
		case next == usulan.Withdrawn && writes && (p.Status != usulan.Submitted || h.may(r, p.Kelurahan, "usulan", "decide")):
			d.CanWithdraw = true
		}
	}
	d.CanVerify = p.Status == usulan.Agreed && h.may(r, p.Kelurahan, "usulan", "verify")
	d.VerifyQueue = h.authz.AllowedAnywhere(account(r), "usulan", "verify")
	return d
}

// proposes words what a proposal proposes, by kind.
func proposes(v *webPage, p *proposal.Proposal) []fact {
	var out []fact
	switch p.Kind {
	case usulan.NewHousehold:
		var h proposal.NewHousehold
		_ = json.Unmarshal(p.Proposal, &h)
		out = append(out, fact{v.T("register.no_kk"), nik.Mask(h.NoKK)},
			fact{v.T("household.address"), h.House.Street + ", RT " + h.House.RT + "/RW " + h.House.RW})
		for _, m := range h.Members {
			out = append(out, fact{v.T("relationship." + m.Relationship), m.Name + " (" + nik.Mask(m.NIK) + "), " +
				m.BirthPlace + ", " + m.BirthDate.Format("02-01-2006")})
		}
	case usulan.Correction:
		var c proposal.Correction
		_ = json.Unmarshal(p.Proposal, &c)
		for _, field := range slices.Sorted(maps.Keys(c.After)) {
			out = append(out, fact{fieldLabel(v, field), jsonWords(v, c.Before[field]) + " → " + jsonWords(v, c.After[field])})
		}
	case usulan.Deactivation:
		var dz proposal.Deactivation
		_ = json.Unmarshal(p.Proposal, &dz)
		out = append(out, fact{v.T("usulan.deactivation_reason"), v.T("usulan.deactivation." + dz.Reason)},
			fact{v.T("usulan.evidence"), dz.Evidence})
	case usulan.Programme:
		var g proposal.ProgrammeProposal
		_ = json.Unmarshal(p.Proposal, &g)
		out = append(out, fact{v.T("usulan.programme"), g.Programme})
	}
	return out
}

// fieldLabel names a record's field as the forms do, or by its JSON name.
func fieldLabel(v *webPage, field string) string {
	if key := "usulan.field." + field; i18n.Has(key) {
		return v.T(key)
	}
	return field
}

// jsonWords writes a JSON value for a page.
func jsonWords(v *webPage, raw json.RawMessage) string {
	var x any
	_ = json.Unmarshal(raw, &x)
	return valueWords(v, x, strings.TrimSpace)
}

// proposalStep takes a Puskesos step from the proposal's page: submit to
// the musyawarah kelurahan, or withdraw with the reason.
func (h *Handler) proposalStep(w http.ResponseWriter, r *http.Request) {
	h.moveFromPage(w, r, h.app.MoveProposal)
}

// moveFromPage takes a step of a proposal from its page with move (the
// Puskesos's or Dinas Sosial's). A step refused (no period open, a reason
// missing, not allowed from the status) is shown on the page again.
func (h *Handler) moveFromPage(w http.ResponseWriter, r *http.Request,
	move func(context.Context, *usecase.Caller, int64, *proposal.Change) (*proposal.Proposal, error)) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	c := caller(r)
	ch := &proposal.Change{Status: usulan.Status(r.PostFormValue("status"))}
	if reason := strings.TrimSpace(r.PostFormValue("alasan")); reason != "" {
		ch.Reason = &reason
	}
	_, err := move(r.Context(), c, id, ch)
	if err == nil {
		http.Redirect(w, r, proposalURL(c.Kecamatan(), id)+"?diubah=1", http.StatusSeeOther)
		return
	}
	var state *casework.StateError
	var transition *usulan.TransitionError
	var inv *registry.InvalidError
	if !errors.As(err, &state) && !errors.As(err, &transition) && !errors.As(err, &inv) {
		h.http.Fail(w, r, err)
		return
	}
	p, err2 := h.app.Proposal(r.Context(), c, id)
	if err2 == nil {
		err2 = h.http.Audit(r)
	}
	if err2 != nil {
		h.http.Fail(w, r, err2)
		return
	}
	v := newPage(r, "usulan.one_title", p.ID)
	d := h.newProposalPage(r, v, p)
	status := http.StatusConflict
	switch {
	case state != nil:
		d.Refused = v.T("usulan.no_period")
	case transition != nil:
		d.Refused = v.T("usulan.cannot_move")
	default:
		status = http.StatusUnprocessableEntity
		fieldProblems(v, err, d.Errors, map[string]string{"/reason": "alasan"})
	}
	render(w, r, status, usulanDetail(v, d))
}
