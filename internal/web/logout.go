package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// logout ends the session and goes back to the sign-in page.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if p := httpapi.RequestOf(r).Principal; p.Via == "session" {
		if err := h.http.SignOut(w, r, p); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}
