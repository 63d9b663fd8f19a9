package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// kecamatanPage is what the pages of one kecamatan share.
type kecamatanPage struct {
	Code, KecamatanName string
	KelurahanNames      map[string]string
	CategoryNames       map[string]string
}

// kecamatanPage starts a page of the request's kecamatan, with its
// kelurahan and the complaint categories by name.
func (h *Handler) kecamatanPage(r *http.Request) (kecamatanPage, []store.Category, error) {
	cats, err := h.app.Categories(r.Context())
	return newKecamatanPage(caller(r).Kecamatan(), cats), cats, err
}

// newKecamatanPage starts a page of kecamatan code with its kelurahan and
// cats by name (none for a page that shows no complaint).
func newKecamatanPage(code string, cats []store.Category) kecamatanPage {
	k := kecamatanPage{Code: code, KecamatanName: areaName(code), KelurahanNames: map[string]string{}, CategoryNames: map[string]string{}}
	for _, kel := range wilayah.Default().Children(code) {
		k.KelurahanNames[kel.Code] = kel.Name
	}
	for _, c := range cats {
		k.CategoryNames[c.Code] = c.Name
	}
	return k
}

// areaName names a kecamatan or kelurahan by its code.
func areaName(code string) string {
	if a, ok := wilayah.Default().Lookup(code); ok {
		return a.Name
	}
	return code
}

// query writes key-value pairs as a query string, those with an empty
// value left out: "?a=1&b=2", or "" for none.
func query(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// caseFileURL is the web app's page of a complaint.
func caseFileURL(code string, complaint int64) string {
	return "/kecamatan/" + code + "/keluhan/" + strconv.FormatInt(complaint, 10)
}

// fieldProblems puts what an input's own checks refused next to the form's
// fields, in the page's language; the form names its fields by formField
// (the input's JSON pointer without its slash when absent). It reports
// false for an error that is not about the input.
func fieldProblems(v *webPage, err error, errs map[string]string, formField map[string]string) bool {
	var inv *registry.InvalidError
	if !errors.As(err, &inv) {
		return false
	}
	for _, f := range inv.Fields {
		name, ok := formField[f.Field]
		if !ok {
			name = strings.TrimPrefix(f.Field, "/")
		}
		if _, seen := errs[name]; !seen {
			errs[name] = problemText(v, f.Code, f.Message)
		}
	}
	return true
}

// problemText says a check's problem in the page's language when the
// catalogue has words for its code, else as the check wrote it.
func problemText(v *webPage, code, message string) string {
	if key := "problem." + code; i18n.Has(key) {
		return v.T(key)
	}
	return message
}

// readForm keeps a posted form's fields, trimmed, in into, and returns
// them encoded as a form (what an idempotency key's hash covers).
func readForm(r *http.Request, into map[string]string) url.Values {
	_ = r.ParseForm() // a malformed body leaves the fields empty: the checks say so
	form := url.Values{}
	for name := range r.PostForm {
		if name != "csrf_token" {
			into[name] = strings.TrimSpace(r.PostFormValue(name))
			form.Set(name, into[name])
		}
	}
	return form
}
