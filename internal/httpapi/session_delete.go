package httpapi

import "net/http"

// sessionDelete signs the caller out: the session ends and the cookie goes.
func (s *Server) sessionDelete(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if p.Via != "session" {
		problem(w, r, http.StatusBadRequest, "This request was not made with a session; revoke the token instead.")
		return
	}
	if err := s.SignOut(w, r, p); err != nil {
		serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SignOut ends the caller's session and clears its cookie.
func (s *Server) SignOut(w http.ResponseWriter, r *http.Request, p *Principal) error {
	if err := s.store.DeleteSession(r.Context(), p.SessionID); err != nil {
		return err
	}
	s.auth.flush()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}
