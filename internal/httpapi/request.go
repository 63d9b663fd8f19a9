package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/usecase"
)

// Request is what the authorisation middleware resolves of a request,
// once: the caller, the kecamatan and kelurahan it acts in for the route's
// permission, the agency the path names, and the time. Handlers read it
// with RequestOf instead of parsing the path again.
type Request struct {
	// Caller is who acts, where and when, as the use cases take it.
	usecase.Caller
	// Principal is the signed-in caller, nil on a public route.
	Principal *Principal
	// Domains are where inside the tenant the caller holds the route's
	// permission: the kecamatan code itself, or kelurahan codes.
	Domains []string
	// Agency is the receiving agency an agency route names.
	Agency string
}

// RequestOf returns what authorisation resolved of the request.
func RequestOf(r *http.Request) *Request {
	if x := exchangeOf(r.Context()); x != nil && x.request != nil {
		return x.request
	}
	return &Request{} // a route without a rule: none is registered so
}

// scope is the kelurahan of domains the caller is limited to, or nil when
// it holds the permission in the whole kecamatan.
func scope(kecamatan string, domains []string) []string {
	for _, d := range domains {
		if d == kecamatan {
			return nil
		}
	}
	return domains
}
