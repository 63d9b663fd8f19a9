package usecase

import (
	"crypto/rand"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/slrt-id/slrt/internal/registry"
)

// Password rules a kelurahan office can live with: long enough to resist
// guessing (NIST SP 800-63B style), no composition rules, not the username,
// not one of the passwords everybody tries first.
const (
	minPasswordLen = 10
	maxPasswordLen = 128
)

var commonPasswords = map[string]bool{
	"1234567890": true, "0123456789": true, "qwertyuiop": true, "password12": true, "password123": true,
	"passw0rd123": true, "bandung123": true, "bandung2024": true, "bandung2025": true, "bandung2026": true,
	"puskesos123": true, "admin12345": true, "indonesia1": true, "indonesia123": true, "rahasia123": true,
	"katasandi123": true, "1111111111": true, "abcdefghij": true, "iloveyou12": true, "sukses12345": true,
}

// checkPassword notes a password that breaks the rules.
func checkPassword(p *registry.Problems, field, password, username string) {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	switch {
	case n < minPasswordLen:
		p.Add(field, "password.too_short", "at least 10 characters")
	case n > maxPasswordLen:
		p.Add(field, "password.too_long", "at most 128 characters")
	case username != "" && strings.Contains(lower, strings.ToLower(username)):
		p.Add(field, "password.contains_username", "must not contain the username")
	case commonPasswords[lower]:
		p.Add(field, "password.common", "is too common; choose another")
	}
}

// oneTimeLetters are what a one-time password is made of: lower-case
// letters and digits without the ones read for each other (l, 1, o, 0, i).
const oneTimeLetters = "abcdefghjkmnpqrstuvwxyz23456789"

// newOneTimePassword makes a password city IT reads out or writes down for
// one sign-in: four groups of four (about 79 bits), easy to type on a phone.
func newOneTimePassword() string {
	b := make([]byte, 0, 19)
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b = append(b, '-')
		}
		// Uniform over the letters, from the system's random source.
		i, err := rand.Int(rand.Reader, oneTimeLetterCount)
		if err != nil {
			panic(err) // crypto/rand.Reader never fails: it ends the program itself
		}
		b = append(b, oneTimeLetters[i.Int64()])
	}
	return string(b)
}

var oneTimeLetterCount = big.NewInt(int64(len(oneTimeLetters)))
