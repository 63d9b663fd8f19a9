package web

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/transfer"
	"github.com/slrt-id/slrt/internal/usecase"
)

// transfersPage lists the households moving from and to a kecamatan, with
// the form that asks another kecamatan for a household living here now.
type transfersPage struct {
	kecamatanPage
	Items      []transferRow
	Kelurahans []place // where the caller may take a household in
	CanAsk     bool
	Form       map[string]string
	Errors     map[string]string
	// Refused says, in words, why the request was refused as a whole.
	Refused        string
	IdempotencyKey string
}

// transferRow is a transfer in a list, in words.
type transferRow struct {
	ID, FromCode, From, To, Direction, Status, Step, Requested, Waiting string
}

// orCode is code, or else fallback.
func orCode(code, fallback string) string {
	if code != "" {
		return code
	}
	return fallback
}

// transferRowOf puts t in words, as the kecamatan code sees it ("" for
// the city's view).
func transferRowOf(v *webPage, t *transfer.Transfer, code string) transferRow {
	row := transferRow{ID: t.ID, FromCode: t.From, From: areaName(t.From), To: areaName(t.To), Status: v.T("pindah.status." + string(t.Status)),
		Requested: webDay(t.RequestedAt)}
	switch code {
	case t.From:
		row.Direction = v.T("pindah.out")
	case t.To:
		row.Direction = v.T("pindah.in")
	}
	if t.Status == transfer.Accepted {
		row.Step = v.T("pindah.step." + stepKey(t.Step))
	}
	if t.Waiting != nil {
		row.Waiting = v.T("pindah.waiting")
	}
	return row
}

func stepKey(s transfer.Step) string {
	if s == transfer.NotStarted {
		return "belum"
	}
	return string(s)
}

// transferFormField names the request form's field of each input field.
var transferFormField = map[string]string{"/nik": "nik", "/fromKecamatan": "kecamatan_asal", "/kelurahan": "kelurahan",
	"/rt": "rt", "/rw": "rw", "/street": "jalan", "/reason": "alasan", "/toKecamatan": "kecamatan_tujuan"}

// transferList is the kecamatan's transfers, newest first.
func (h *Handler) transferList(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newTransfersPage(w, r)
	if ok {
		render(w, r, http.StatusOK, pindahDaftar(v, d))
	}
}

func (h *Handler) newTransfersPage(w http.ResponseWriter, r *http.Request) (*webPage, *transfersPage, bool) {
	c := caller(r)
	v := newPage(r, "pindah.title")
	d := &transfersPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Form: map[string]string{}, Errors: map[string]string{},
		IdempotencyKey: rand.Text()}
	writes := h.authz.AllowedWithin(account(r), c.Kecamatan(), "pindah", "write")
	d.Kelurahans = kelurahanIn(d.kecamatanPage, writes)
	d.CanAsk = len(writes) > 0
	items, err := h.app.Transfers(r.Context(), c, false)
	if err != nil {
		h.http.Fail(w, r, err)
		return nil, nil, false
	}
	for i := range items {
		d.Items = append(d.Items, transferRowOf(v, &items[i], c.Kecamatan()))
	}
	return v, d, true
}

// transferAsk asks another kecamatan for the household of the NIK the form
// names (a POST: the NIK never travels in a URL).
func (h *Handler) transferAsk(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newTransfersPage(w, r)
	if !ok {
		return
	}
	readForm(r, d.Form)
	if key := d.Form["idempotency_key"]; key != "" {
		d.IdempotencyKey = key
	}
	f := d.Form
	in := &usecase.TransferRequest{NIK: f["nik"], FromKecamatan: f["kecamatan_asal"], Kelurahan: f["kelurahan"],
		Address: transfer.Address{RT: f["rt"], RW: f["rw"], Street: f["jalan"]}, Reason: f["alasan"]}
	t, _, err := h.app.RequestTransfer(r.Context(), caller(r), in, d.IdempotencyKey)
	if err == nil {
		http.Redirect(w, r, transferURL(d.Code, t.ID)+"?diminta=1", http.StatusSeeOther)
		return
	}
	if d.Refused = refusedWords(v, err); d.Refused == "" && !fieldProblems(v, err, d.Errors, transferFormField) {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusUnprocessableEntity, pindahDaftar(v, d))
}

// refusedWords says in the page's language why a transfer was refused as
// a whole, or "" for another error.
func refusedWords(v *webPage, err error) string {
	for e, key := range map[error]string{store.ErrTransferOpen: "pindah.refused.open", transfer.ErrOpenUsulan: "pindah.refused.usulan",
		usecase.ErrAlreadyHere: "pindah.refused.here", store.ErrTransferChanged: "pindah.refused.changed"} {
		if errors.Is(err, e) {
			return v.T(key)
		}
	}
	return ""
}

// transferOffer offers the household of the form to the kecamatan it
// moved to (from the household's page).
func (h *Handler) transferOffer(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	v := newPage(r, "pindah.title")
	household, err := strconv.ParseInt(r.PostFormValue("keluarga"), 10, 64)
	if err != nil {
		h.http.Fail(w, r, transfer.ErrNotFound)
		return
	}
	in := &usecase.TransferOffer{HouseholdID: household, ToKecamatan: strings.TrimSpace(r.PostFormValue("kecamatan_tujuan")),
		Reason: strings.TrimSpace(r.PostFormValue("alasan"))}
	t, _, err := h.app.OfferTransfer(r.Context(), c, in, r.PostFormValue("idempotency_key"))
	if err == nil {
		http.Redirect(w, r, transferURL(c.Kecamatan(), t.ID)+"?ditawarkan=1", http.StatusSeeOther)
		return
	}
	errs := map[string]string{}
	refused := refusedWords(v, err)
	if refused == "" && !fieldProblems(v, err, errs, transferFormField) {
		h.http.Fail(w, r, err)
		return
	}
	// Back to the household with what was wrong.
	q := url.Values{"pindah_galat": {refused + strings.Join(mapValues(errs), " ")}}
	http.Redirect(w, r, householdURL(c.Kecamatan(), household)+"?"+q.Encode()+"#pindah", http.StatusSeeOther)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// transferPage is one transfer with what the caller's side may do next.
type transferPage struct {
	kecamatanPage
	*transfer.Transfer
	Row transferRow
	// Steps are the transfer's path so far, in words, each done or not.
	Steps []transferStep
	// HouseholdURL leads to the household here, when it is here.
	HouseholdURL string
	CanDecide    bool
	NeedsPlace   bool // deciding an offer names where the household lives
	CanRevoke    bool
	Kelurahans   []place
	Form         map[string]string
	Errors       map[string]string
	Refused      string
	Notice       string
}

type transferStep struct {
	Words string
	Done  bool
}

func transferURL(code, id string) string { return "/kecamatan/" + code + "/pindah/" + id }

// transferShow is one transfer.
func (h *Handler) transferShow(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newTransferPage(w, r)
	if !ok {
		return
	}
	for key, words := range map[string]string{"diminta": "pindah.asked", "ditawarkan": "pindah.offered", "diputuskan": "pindah.decided",
		"dibatalkan": "pindah.revoked"} {
		if r.URL.Query().Get(key) != "" {
			d.Notice = v.T(words)
		}
	}
	render(w, r, http.StatusOK, pindahDetail(v, d))
}

func (h *Handler) newTransferPage(w http.ResponseWriter, r *http.Request) (*webPage, *transferPage, bool) {
	c := caller(r)
	t, err := h.app.Transfer(r.Context(), c, chi.URLParam(r, "id"))
	if err != nil {
		h.http.Fail(w, r, err)
		return nil, nil, false
	}
	if err := h.http.Audit(r); err != nil { // it holds the new address
		h.http.Fail(w, r, err)
		return nil, nil, false
	}
	v := newPage(r, "pindah.one_title")
	d := &transferPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Transfer: t, Row: transferRowOf(v, t, c.Kecamatan()),
		Form: map[string]string{}, Errors: map[string]string{}}
	mySide := transfer.Receiver
	if c.Kecamatan() == t.From {
		mySide = transfer.Sender
	}
	if t.Status == transfer.Requested {
		decides := h.authz.AllowedWithin(account(r), c.Kecamatan(), "pindah", "decide")
		d.CanDecide = mySide == t.DecidingSide() && len(decides) > 0
		d.NeedsPlace = d.CanDecide && mySide == transfer.Receiver
		d.Kelurahans = kelurahanIn(d.kecamatanPage, decides)
		d.CanRevoke = mySide == t.InitiatedBy && len(h.authz.AllowedWithin(account(r), c.Kecamatan(), "pindah", "write")) > 0
	}
	switch {
	case mySide == transfer.Sender && t.Status != transfer.Done:
		d.HouseholdURL = householdURL(t.From, t.HouseholdID)
	case mySide == transfer.Receiver && t.Status == transfer.Done && t.NewHouseholdID != nil:
		d.HouseholdURL = householdURL(t.To, *t.NewHouseholdID)
	}
	if t.Status == transfer.Accepted {
		v.Refresh = 5 // the job carries it out meanwhile
	}
	reached := map[transfer.Step]int{transfer.NotStarted: 0, transfer.Held: 1, transfer.Copied: 2, transfer.Indexed: 3}[t.Step]
	if t.Status == transfer.Done {
		reached = 4
	}
	if t.Status == transfer.Accepted || t.Status == transfer.Done {
		for i, s := range []transfer.Step{transfer.Held, transfer.Copied, transfer.Indexed, transfer.Finished} {
			d.Steps = append(d.Steps, transferStep{Words: v.T("pindah.step." + string(s)), Done: i < reached})
		}
	}
	return v, d, true
}

// transferDecide accepts or rejects the transfer (the koordinator).
func (h *Handler) transferDecide(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newTransferPage(w, r)
	if !ok {
		return
	}
	readForm(r, d.Form)
	f := d.Form
	in := &usecase.TransferDecision{Accept: f["keputusan"] == "terima", Reason: f["alasan"]}
	if d.NeedsPlace && in.Accept {
		kel := f["kelurahan"]
		in.Kelurahan, in.Address = &kel, &transfer.Address{RT: f["rt"], RW: f["rw"], Street: f["jalan"]}
	}
	_, err := h.app.DecideTransfer(r.Context(), caller(r), d.ID, in)
	h.afterTransferForm(w, r, v, d, err, "diputuskan")
}

// transferRevoke withdraws the transfer this side asked for.
func (h *Handler) transferRevoke(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newTransferPage(w, r)
	if !ok {
		return
	}
	readForm(r, d.Form)
	_, err := h.app.RevokeTransfer(r.Context(), caller(r), d.ID, d.Form["alasan_batal"])
	h.afterTransferForm(w, r, v, d, err, "dibatalkan")
}

// afterTransferForm goes back to the transfer, or shows its page again
// with what was wrong.
func (h *Handler) afterTransferForm(w http.ResponseWriter, r *http.Request, v *webPage, d *transferPage, err error, done string) {
	if err == nil {
		http.Redirect(w, r, transferURL(d.Code, d.ID)+"?"+done+"=1", http.StatusSeeOther)
		return
	}
	fields := map[string]string{"/reason": "alasan", "/kelurahan": "kelurahan", "/rt": "rt", "/rw": "rw", "/street": "jalan"}
	if done == "dibatalkan" {
		fields["/reason"] = "alasan_batal"
	}
	if d.Refused = refusedWords(v, err); d.Refused == "" && !fieldProblems(v, err, d.Errors, fields) {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusUnprocessableEntity, pindahDetail(v, d))
}

// cityTransfersPage is the transfers of the city's kecamatan (Dinas Sosial).
type cityTransfersPage struct {
	Items []transferRow
	Open  bool
}

// cityTransfers lists the transfers of every kecamatan of the caller's
// city, newest first (?status=terbuka: those under way).
func (h *Handler) cityTransfers(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "pindah.city_title")
	d := &cityTransfersPage{Open: r.URL.Query().Get("status") == "terbuka"}
	items, err := h.app.CityTransfers(r.Context(), caller(r), d.Open)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	for i := range items {
		d.Items = append(d.Items, transferRowOf(v, &items[i], ""))
	}
	render(w, r, http.StatusOK, pindahKota(v, d))
}
