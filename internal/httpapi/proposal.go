package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/usecase"
)

// proposalCreate drafts a proposal (usulan) to the national registry: a
// new household with its members, a correction, a deactivation or a
// programme proposal.
func (s *Server) proposalCreate(w http.ResponseWriter, r *http.Request) {
	var in proposal.New
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.DraftProposal(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "usulan"))
}

// proposalList lists the kecamatan's proposals newest first, by status,
// kind, kelurahan, period, household or musyawarah.
func (s *Server) proposalList(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := idPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := proposal.Filter{Status: q.Get("status"), Kind: q.Get("kind"), Kelurahan: q.Get("kelurahan"), Period: q.Get("periode"),
		After: after, Limit: limit}
	for name, into := range map[string]*int64{"household": &f.Household, "musyawarah": &f.Musyawarah} {
		if raw := q.Get(name); raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n <= 0 {
				invalid(w, r, FieldError{Field: name, Code: "usulan.filter", Message: "an id"})
				return
			}
			*into = n
		}
	}
	items, err := s.app.Proposals(r.Context(), &RequestOf(r).Caller, f)
	s.answer(w, r, pageOf(items, limit, func(p proposal.Summary) string { return strconv.FormatInt(p.ID, 10) }), err)
}

// proposalShow returns a proposal with its steps: what it proposes may hold
// NIK (a new household's members), so the read is audited.
func (s *Server) proposalShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	p, err := s.app.Proposal(r.Context(), &RequestOf(r).Caller, id)
	s.answerAudited(w, r, p, err)
}

// proposalTransition moves a proposal on the Puskesos side: submit to the
// musyawarah kelurahan, or withdraw with a reason.
func (s *Server) proposalTransition(w http.ResponseWriter, r *http.Request) {
	s.moveProposal(w, r, s.app.MoveProposal)
}

// moveProposal takes the step a request's body asks of the proposal {id}
// with move (one side's), and answers the proposal moved.
func (s *Server) moveProposal(w http.ResponseWriter, r *http.Request,
	move func(context.Context, *usecase.Caller, int64, *proposal.Change) (*proposal.Proposal, error)) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var ch proposal.Change
	if !decodeJSON(w, r, &ch) {
		return
	}
	p, err := move(r.Context(), &RequestOf(r).Caller, id, &ch)
	s.answer(w, r, p, err)
}

// musyawarahCreate records a musyawarah kelurahan and its decisions, which
// move the proposals it discussed.
func (s *Server) musyawarahCreate(w http.ResponseWriter, r *http.Request) {
	var in proposal.Meeting
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.RecordMusyawarah(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "musyawarah"))
}

// musyawarahList lists the recorded muskel, latest first (?kelurahan=).
func (s *Server) musyawarahList(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.MusyawarahList(r.Context(), &RequestOf(r).Caller, r.URL.Query().Get("kelurahan"))
	s.answer(w, r, Page[proposal.Musyawarah]{Items: items}, err)
}

// musyawarahShow returns a recorded muskel with the proposals it decided.
func (s *Server) musyawarahShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	m, err := s.app.Musyawarah(r.Context(), &RequestOf(r).Caller, id)
	s.answer(w, r, m, err)
}

// musyawarahLate lists the kelurahan whose proposals still wait for a
// muskel past their period's deadline.
func (s *Server) musyawarahLate(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.LateMusyawarah(r.Context(), &RequestOf(r).Caller)
	s.answer(w, r, Page[proposal.Late]{Items: items}, err)
}

// musyawarahMinutes renders the berita acara of a recorded muskel as PDF,
// for the kelurahan to print and sign. It names whom the proposals are
// about, so printing it is audited.
func (s *Server) musyawarahMinutes(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	b, err := s.app.BeritaAcara(r.Context(), &RequestOf(r).Caller, id, s.cfg.CityName)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := letter.RenderBeritaAcara(&buf, b); err != nil {
		serverError(w, r, err)
		return
	}
	if err := s.Audit(r); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="berita-acara-musyawarah-%d.pdf"`, id))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
