package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
)

// The OpenAPI description and the router hold the same routes, both ways.
func TestOpenAPIDescribesExactlyTheRouter(t *testing.T) {
	s := New(nil, nil, nil, nil, nil, DefaultConfig())
	inRouter := map[string]bool{}
	err := chi.Walk(s.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !s.pages[method+" "+route] { // the web app's pages are not the API
			inRouter[method+" "+route] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range sorted(inRouter) {
		if !inDoc[r] {
			t.Errorf("%s is served but not described in openapi.json", r)
		}
	}
	for _, r := range sorted(inDoc) {
		if !inRouter[r] {
			t.Errorf("%s is described in openapi.json but not served", r)
		}
	}
	if _, err := openAPIValidator(); err != nil {
		t.Fatal(err)
	}
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The enumerations of the description are the registry's.
func TestOpenAPIEnumsAreTheRegistrys(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum       []string `json:"enum"`
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"Relationship": registry.Relationships, "Education": registry.Educations, "Disability": registry.Disabilities,
		"ChronicIllness": registry.ChronicIllnesses, "Presence": registry.Presences, "Programme": registry.Programmes, "Asset": registry.Assets,
	} {
		if got := doc.Components.Schemas[name].Enum; !slices.Equal(got, want) {
			t.Errorf("%s: openapi.json has %v, the registry %v", name, got, want)
		}
	}
	for property, want := range map[string][]string{"ComplaintCreateRequest.channel": casework.Channels,
		"ComplaintCreateRequest.urgency": casework.Urgencies, "FollowUpCreateRequest.kind": casework.FollowUpKinds,
		"ClosingRequest.outcome": casework.Outcomes} {
		schema, field, _ := strings.Cut(property, ".")
		if got := doc.Components.Schemas[schema].Properties[field].Enum; !slices.Equal(got, want) {
			t.Errorf("%s: openapi.json has %v, casework %v", property, got, want)
		}
	}
}
