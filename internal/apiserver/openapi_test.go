package apiserver_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// The OpenAPI description and the router hold the same routes, both ways.
func TestOpenAPIDescribesExactlyTheRouter(t *testing.T) {
	inRouter := map[string]bool{}
	err := chi.Walk(app.Handler.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !app.Handler.IsPage(method + " " + route) { // the web app's pages are not the API
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
	if err := json.Unmarshal(httpapi.OpenAPIDocument(), &doc); err != nil {
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
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
