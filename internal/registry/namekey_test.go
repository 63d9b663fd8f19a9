package registry

import "testing"

func TestSpellingVariantsFoldTogether(t *testing.T) {
	groups := [][]string{
		{"Muhammad", "Muhamad", "Mohammad", "Mohamad", "Mochamad", "Mochammad", "Moch.", "Moh", "M.", "Muhamat", "MUHAMMAD"},
		{"Soekarno", "Sukarno"},
		{"Djoko Soesilo", "Joko Susilo"},
		{"Tjahjo", "Cahjo"},
		{"Rizky", "Rizki", "Rizkky"},
		{"Siti Nurhayati", "Siti  Nurhayati", "siti nurhayati."},
		{"Achmad", "Akhmad"},
	}
	for _, g := range groups {
		want := NameKey(g[0])
		for _, v := range g[1:] {
			if got := NameKey(v); got != want {
				t.Errorf("NameKey(%q) = %q, want %q as for %q", v, got, want, g[0])
			}
		}
	}
	if NameKey("Muhammad Rizky Pratama") != "muhamad rizki pratama" {
		t.Errorf("got %q", NameKey("Muhammad Rizky Pratama"))
	}
	if NameKey("Maman") == NameKey("Muhammad") {
		t.Error("Maman is not Muhammad")
	}
}
