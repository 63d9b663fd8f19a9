package registry

import (
	"regexp"
	"strings"
	"unicode"
)

// NameKey folds a name for matching the spelling variants common in
// Indonesian names, so that trigram similarity compares what sounds alike:
// lower case, letters only, the old spelling (Soekarno, Djoko, Tjahjo) in the
// new, the many spellings of Muhammad (Muhamad, Mohammad, Mochamad, Moch.,
// M.) as one, doubled letters single, and a final y as i (Rizky, Rizki).
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		w = oldSpelling.Replace(w)
		if muhammad.MatchString(w) {
			w = "muhamad"
		}
		w = collapseDoubles(w)
		if len(w) > 2 && strings.HasSuffix(w, "y") {
			w = w[:len(w)-1] + "i"
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// The Ejaan Van Ophuijsen and Soewandi spellings still on identity cards.
var oldSpelling = strings.NewReplacer("oe", "u", "dj", "j", "tj", "c", "nj", "ny", "sj", "sy", "ch", "kh")

// muhammad matches the spellings and abbreviations of Muhammad, after the
// old-spelling pass turned "ch" into "kh".
var muhammad = regexp.MustCompile(`^(m|md|mhd|moh|mokh|muh|mukh|m[ou]k?h?am+[ae]?[dt]|m[ou]k?h?am+ad)$`)

func collapseDoubles(w string) string {
	out := make([]rune, 0, len(w))
	for _, r := range w {
		if n := len(out); n > 0 && out[n-1] == r {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
