package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// ErrorPage answers a browser: a sign-in for 401, else the error in its
// language, the fields at fault, and the request id to quote.
func (h *Handler) ErrorPage(w http.ResponseWriter, r *http.Request, status int, detail string, fields []httpapi.FieldError) {
	if status == http.StatusUnauthorized {
		next := "/"
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, "/masuk?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	if status == http.StatusForbidden && len(fields) == 1 && fields[0].Code == httpapi.MustChangePassword {
		next := "/"
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, "/sandi?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	key := "error.other"
	switch status {
	case http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusLocked,
		http.StatusTooManyRequests, http.StatusServiceUnavailable:
		key = "error." + strconv.Itoa(status)
	}
	v := newPage(r, "error.title")
	// The fields' problems in the page's language where the catalogue has
	// words for them.
	said := make([]httpapi.FieldError, len(fields))
	for i, f := range fields {
		f.Message = problemText(v, f.Code, f.Message)
		said[i] = f
	}
	d := errorData{Message: v.T(key), Fields: said, RequestID: httpapi.RequestID(r.Context())}
	if status == http.StatusConflict {
		d.Detail = detail // what the data is in the way of, e.g. the referrals still open
	}
	render(w, r, status, galat(v, d))
}

type errorData struct {
	Message   string
	Detail    string
	Fields    []httpapi.FieldError
	RequestID string
}
