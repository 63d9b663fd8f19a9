package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/reportfile"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/targeting"
	"github.com/slrt-id/slrt/internal/usecase"
)

// targetingPage is who is eligible for each programme but missed, and who
// receives it above the cut-off: a section per programme, a row per
// kelurahan (and kecamatan, for the city), with the lists linked inside a
// kecamatan.
type targetingPage struct {
	Scope       string
	Code        string // the kecamatan, or "" for the city
	Totals      []targetingTotal
	Programmes  []targetingProgramme
	Unavailable string
	Download    string
}

// targetingTotal is the city's line of a programme against its quota.
type targetingTotal struct {
	Programme, MaxDesil, Quota, Eligible, Receiving, Exclusion, Inclusion string
	// OverQuota says more households receive it than the quota allows.
	OverQuota bool
}

// targetingProgramme is a programme's rows.
type targetingProgramme struct {
	Code     string
	MaxDesil string
	Rows     []targetingRow
}

// targetingRow is a kelurahan's counts, as cells ("<5" when suppressed).
type targetingRow struct {
	Area                                                     string
	Eligible, Receiving                                      string
	Exclusion, ExclusionPersons, Inclusion, InclusionPersons string
	// ExclusionURL and InclusionURL open the lists, inside a kecamatan.
	ExclusionURL, InclusionURL string
}

// kecamatanTargeting is the kecamatan's targeting (the caller's kelurahan,
// for Puskesos staff).
func (h *Handler) kecamatanTargeting(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	t, err := h.app.KecamatanTargeting(r.Context(), c)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d := &targetingPage{Scope: "Kecamatan " + areaName(c.Kecamatan()), Code: c.Kecamatan(),
		Download: "/api/v1/kecamatan/" + c.Kecamatan() + "/sasaran"}
	d.fill(t, 0)
	render(w, r, http.StatusOK, sasaran(newPage(r, "targeting.title", d.Scope), d))
}

// cityTargeting is the city's, with small cells hidden and the totals
// against each quota.
func (h *Handler) cityTargeting(w http.ResponseWriter, r *http.Request) {
	t, err := h.app.CityTargeting(r.Context(), caller(r))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d := &targetingPage{Scope: h.cfg.CityName, Download: "/api/v1/sasaran", Unavailable: unavailableNames(t.Unavailable)}
	d.fill(t, 1)
	render(w, r, http.StatusOK, sasaran(newPage(r, "targeting.title", d.Scope), d))
}

// fill reads the tables: the by-kelurahan one with its leading dims
// (kecamatan first for the city) and, for the city, the totals.
func (d *targetingPage) fill(t *usecase.Targeting, lead int) {
	byCode := map[string]*targetingProgramme{}
	for _, rule := range t.Rules {
		d.Programmes = append(d.Programmes, targetingProgramme{Code: rule.Code, MaxDesil: strconv.Itoa(int(rule.MaxDesil))})
	}
	for i := range d.Programmes {
		byCode[d.Programmes[i].Code] = &d.Programmes[i]
	}
	for _, tb := range t.Tables {
		switch tb.Name {
		case targeting.TableName:
			for _, row := range tb.Rows {
				kel, prog := fmt.Sprint(row[lead]), fmt.Sprint(row[lead+1])
				p := byCode[prog]
				if p == nil {
					continue
				}
				n := cellsOf(row)[lead+3:]
				tr := targetingRow{Area: areaName(kel), Eligible: n[0], Receiving: n[1], Exclusion: n[2], ExclusionPersons: n[3],
					Inclusion: n[4], InclusionPersons: n[5]}
				if lead > 0 {
					tr.Area = areaName(fmt.Sprint(row[0])) + " · " + tr.Area
				} else {
					list := func(kind targeting.Kind) string {
						return "/kecamatan/" + d.Code + "/sasaran/keluarga" + query("program", prog, "jenis", string(kind), "kelurahan", kel)
					}
					tr.ExclusionURL, tr.InclusionURL = list(targeting.Exclusion), list(targeting.Inclusion)
				}
				p.Rows = append(p.Rows, tr)
			}
		case usecase.CityTableName:
			for _, row := range tb.Rows {
				cells := cellsOf(row)
				tot := targetingTotal{Programme: cells[0], MaxDesil: cells[1], Quota: cells[2], Eligible: cells[3], Receiving: cells[4],
					Exclusion: cells[5], Inclusion: cells[7]}
				if tot.Quota == "" {
					tot.Quota = "—"
				} else if q, err := strconv.Atoi(tot.Quota); err == nil {
					if n, ok := row[4].(int64); ok && n > int64(q) {
						tot.OverQuota = true
					}
				}
				d.Totals = append(d.Totals, tot)
			}
		}
	}
}

// cellsOf writes a table's row as its cells ("<5" when suppressed).
func cellsOf(row []any) []string {
	cells := make([]string, len(row))
	for i, v := range row {
		cells[i] = reportfile.Cell(v)
	}
	return cells
}

// targetListPage is a list of households to act on.
type targetListPage struct {
	kecamatanPage
	Programme, Kind, Kelurahan, MaxDesil string
	Items                                []targeting.Household
	NextPage                             string
	CanPropose                           bool
}

const targetsPerPage = 50

// targetList lists a programme's exclusion or inclusion in a kelurahan:
// whom to visit and propose. The read is audited: it says who is poor.
func (h *Handler) targetList(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	q := r.URL.Query()
	d := &targetListPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Programme: q.Get("program"), Kind: q.Get("jenis"),
		Kelurahan: q.Get("kelurahan"), CanPropose: len(h.authz.AllowedWithin(account(r), c.Kecamatan(), "usulan", "write")) > 0}
	after, _ := strconv.ParseInt(q.Get("sebelum"), 10, 64)
	items, err := h.app.TargetHouseholds(r.Context(), c, usecase.TargetQuery{Programme: d.Programme, Kind: targeting.Kind(d.Kind),
		Kelurahan: d.Kelurahan, After: after, Limit: targetsPerPage})
	if err == nil {
		err = h.http.Audit(r)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	rules, err := h.app.ProgrammeRules(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	for _, rule := range rules {
		if rule.Code == d.Programme {
			d.MaxDesil = strconv.Itoa(int(rule.MaxDesil))
		}
	}
	if len(items) > targetsPerPage {
		items = items[:targetsPerPage]
		d.NextPage = query("program", d.Programme, "jenis", d.Kind, "kelurahan", d.Kelurahan, "sebelum", strconv.FormatInt(items[len(items)-1].ID, 10))
	}
	d.Items = items
	v := newPage(r, "targeting.list_title."+d.Kind, d.Programme)
	render(w, r, http.StatusOK, sasaranKeluarga(v, d))
}

// gapSentences words a household's place against the programmes' rules,
// for its page.
func gapSentences(v *webPage, gaps []targeting.Gap) []string {
	out := make([]string, len(gaps))
	for i, g := range gaps {
		out[i] = v.T("targeting.gap."+string(g.Kind), g.Programme, g.Desil, g.MaxDesil)
	}
	return out
}

// programmesPage is Dinas Sosial's programme rules: each programme's desil
// cut-off and the city's quota, the form that changes one, and the
// history of their changes.
type programmesPage struct {
	Rules   []store.ProgrammeRule
	Form    map[string]string
	Errors  map[string]string
	Saved   bool
	History []changeRow
}

var programmeFormFields = map[string]string{"/code": "program", "/maxDesil": "batas", "/quota": "kuota", "/reason": "alasan"}

// programmes shows the programme rules.
func (h *Handler) programmes(w http.ResponseWriter, r *http.Request) {
	h.renderProgrammes(w, r, http.StatusOK, &programmesPage{Saved: r.URL.Query().Has("tersimpan"), Form: map[string]string{},
		Errors: map[string]string{}})
}

// programmeSave sets a programme's cut-off and quota from the form.
func (h *Handler) programmeSave(w http.ResponseWriter, r *http.Request) {
	d := &programmesPage{Form: map[string]string{}, Errors: map[string]string{}}
	for _, f := range programmeFormFields {
		d.Form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	in := &usecase.ProgrammeRuleEdit{Code: d.Form["program"], Reason: d.Form["alasan"]}
	v := newPage(r, "programme.title")
	if n, err := strconv.Atoi(d.Form["batas"]); err == nil {
		in.MaxDesil = int16(n)
	}
	if raw := d.Form["kuota"]; raw != "" {
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			d.Errors["kuota"] = v.T("problem.programme.quota")
			h.renderProgrammes(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		q := int32(n)
		in.Quota = &q
	}
	_, err := h.app.PutProgrammeRule(r.Context(), caller(r), in)
	if fieldProblems(v, err, d.Errors, programmeFormFields) {
		h.renderProgrammes(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/katalog/program?tersimpan=1", http.StatusSeeOther)
}

func (h *Handler) renderProgrammes(w http.ResponseWriter, r *http.Request, status int, d *programmesPage) {
	v := newPage(r, "programme.title")
	var err error
	if d.Rules, err = h.app.ProgrammeRules(r.Context()); err == nil {
		err = h.history(r, v, store.KindProgramme, "", &d.History)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, status, programRules(v, d))
}
