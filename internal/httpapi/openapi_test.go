package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
)

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
		"ClosingRequest.outcome": casework.Outcomes, "HouseChange.ownership": registry.Ownerships,
		"HouseChange.floorMaterial": registry.FloorMaterials, "HouseChange.wallMaterial": registry.WallMaterials,
		"HouseChange.roofMaterial": registry.RoofMaterials, "HouseChange.toilet": registry.Toilets,
		"HouseChange.waterSource": registry.WaterSources, "HouseChange.lighting": registry.Lightings,
		"HouseChange.cookingFuel": registry.CookingFuels} {
		schema, field, _ := strings.Cut(property, ".")
		if got := doc.Components.Schemas[schema].Properties[field].Enum; !slices.Equal(got, want) {
			t.Errorf("%s: openapi.json has %v, the code %v", property, got, want)
		}
	}
}

// The description is one a validator can be built from.
func TestOpenAPIDescriptionLoads(t *testing.T) {
	if _, err := openAPIValidator(); err != nil {
		t.Fatal(err)
	}
}
