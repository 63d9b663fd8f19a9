package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// otherKecamatanError refuses a NIK that other kecamatan hold, until staff
// acknowledge it (a resident who moved).
type otherKecamatanError struct{ codes []string }

func (e *otherKecamatanError) Error() string {
	return "this NIK is registered in kecamatan " + strings.Join(e.codes, ", ")
}

// personCreate registers a person into a household. A NIK this kecamatan
// holds is refused with a link to the person; one that another kecamatan
// holds (found through the keyed-hash index) is refused naming the
// kecamatan, unless acknowledgeOtherKecamatan is set.
func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	var in registry.NewPerson
	body, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	if err := in.Validate(time.Now()); err != nil {
		caseProblem(w, r, err)
		return
	}
	code := chi.URLParam(r, "code")
	hash := s.nikHasher.Hash(in.NIK)
	scope := scopeOf(r.Context())
	s.createInTenant(w, r, body, func(tx pgx.Tx) (*created, error) {
		id, others, err := s.registerPerson(r, tx, &in, hash, code, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: id, Location: location(r, "penduduk", id), OtherKecamatan: others}, nil
	})
}

// registerPerson creates a person in tx and records the NIK in the
// cross-kecamatan index, refusing a NIK other kecamatan hold unless the
// caller acknowledged it. It returns those other kecamatan.
func (s *Server) registerPerson(r *http.Request, tx pgx.Tx, in *registry.NewPerson, hash []byte, code string, scope []string) (int64, []string, error) {
	id, err := registry.CreatePerson(r.Context(), tx, in, principalFrom(r.Context()).Account.ID, scope)
	if err != nil {
		return 0, nil, err
	}
	others, err := s.store.KecamatanWithNIK(r.Context(), hash, code)
	if err != nil {
		return 0, nil, err
	}
	if len(others) > 0 && !in.AcknowledgeOtherKecamatan {
		return 0, nil, &otherKecamatanError{codes: others}
	}
	// Indexed before the tenant commits: an entry can outlive a failed
	// commit (a harmless "also elsewhere"), never the reverse.
	if err := s.store.IndexNIK(r.Context(), hash, code); err != nil {
		return 0, nil, err
	}
	return id, others, nil
}
