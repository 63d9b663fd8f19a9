package httpapi

import "net/http"

// adminGrantDelete withdraws a grant; it stops working on every replica as
// soon as the notification arrives.
func (s *Server) adminGrantDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	if err := s.app.Ungrant(r.Context(), &RequestOf(r).Caller, id); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
