package httpapi

import "net/http"

// tokenList lists the caller's API tokens (never their secrets).
func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.store.ListTokens(r.Context(), principalFrom(r.Context()).Account.ID)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[any]{Items: anySlice(tokens)})
}

func anySlice[T any](in []T) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = v
	}
	return out
}
