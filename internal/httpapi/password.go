package httpapi

import (
	"strings"
	"unicode/utf8"
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

// checkPassword returns a field error for a password that breaks the rules.
func checkPassword(field, password, username string) *FieldError {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	switch {
	case n < minPasswordLen:
		return &FieldError{Field: field, Code: "password.too_short", Message: "at least 10 characters"}
	case n > maxPasswordLen:
		return &FieldError{Field: field, Code: "password.too_long", Message: "at most 128 characters"}
	case username != "" && strings.Contains(lower, strings.ToLower(username)):
		return &FieldError{Field: field, Code: "password.contains_username", Message: "must not contain the username"}
	case commonPasswords[lower]:
		return &FieldError{Field: field, Code: "password.common", Message: "is too common; choose another"}
	}
	return nil
}
