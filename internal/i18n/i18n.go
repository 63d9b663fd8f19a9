// Package i18n holds the web app's words in Bahasa Indonesia and English
// and picks the language of a request. Indonesian comes first: it is the
// language unless the user chose English.
package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Languages the web app speaks, the first being the default.
var Languages = []language.Tag{language.Indonesian, language.English}

var (
	cat     = catalog.NewBuilder(catalog.Fallback(language.Indonesian))
	matcher = language.NewMatcher(Languages)
)

func init() {
	for key, m := range messages {
		// SetString only fails for a malformed message; the catalogue
		// test renders every one.
		_ = cat.SetString(language.Indonesian, key, m.id)
		_ = cat.SetString(language.English, key, m.en)
	}
	for _, lang := range Languages {
		printers[lang] = message.NewPrinter(lang, message.Catalog(cat))
	}
}

// Choose returns the language for a user's choice (a cookie's value, e.g.
// "en"); anything else, or nothing, is Indonesian.
func Choose(choice string) language.Tag {
	if choice == "" {
		return language.Indonesian
	}
	_, i, conf := matcher.Match(language.Make(choice))
	if conf == language.No {
		return language.Indonesian
	}
	return Languages[i]
}

// printers are made once: a Printer's Sprintf copies what it needs, so
// one serves every request in its language at once.
var printers = map[language.Tag]*message.Printer{}

// Printer writes messages in lang, one of Languages (what Choose returns).
func Printer(lang language.Tag) *message.Printer {
	if p, ok := printers[lang]; ok {
		return p
	}
	return message.NewPrinter(lang, message.Catalog(cat))
}

// Has reports whether key is in the catalogue, in both languages.
func Has(key string) bool {
	_, ok := messages[key]
	return ok
}

// Text returns a message without arguments in lang, as Printer would
// (the key itself when the catalogue lacks it), without formatting.
func Text(lang language.Tag, key string) string {
	m, ok := messages[key]
	switch {
	case !ok:
		return key
	case lang == language.English:
		return m.en
	}
	return m.id
}
