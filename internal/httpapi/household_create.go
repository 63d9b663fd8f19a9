package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdCreate registers a household (KK), in a new house or in the
// house of another household (several KK in one house).
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request) {
	var in registry.NewHousehold
	body, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	if err := in.Validate(time.Now()); err != nil {
		caseProblem(w, r, err)
		return
	}
	scope := scopeOf(r.Context())
	if in.House != nil && !s.mayWriteIn(w, r, scope, in.House.Kelurahan, "/house/kelurahan") {
		return
	}
	s.createInTenant(w, r, body, func(tx pgx.Tx) (*created, error) {
		id, err := registry.CreateHousehold(r.Context(), tx, &in, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: id, Location: location(r, "keluarga", id)}, nil
	})
}

// mayWriteIn checks that a kelurahan named in a body is one the caller may
// write in: a kelurahan of another kecamatan is invalid, one of this
// kecamatan outside the caller's grants is forbidden.
func (s *Server) mayWriteIn(w http.ResponseWriter, r *http.Request, scope []string, kelurahan, field string) bool {
	code := chi.URLParam(r, "code")
	if !strings.HasPrefix(kelurahan, code+".") {
		invalid(w, r, FieldError{Field: field, Code: "kelurahan.other_kecamatan", Message: "a kelurahan of kecamatan " + code})
		return false
	}
	if !registry.Allowed(scope, kelurahan) {
		s.deny(w, r, code)
		return false
	}
	return true
}
