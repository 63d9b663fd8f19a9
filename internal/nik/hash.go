package nik

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
)

// Hasher turns a NIK into a keyed hash (HMAC-SHA256) for the cross-kecamatan
// index: without the key, which lives in a Secret and never in a database, a
// hash cannot be tested against the small space of possible NIKs.
type Hasher struct {
	key []byte
}

// MinKeyBytes is the shortest key accepted.
const MinKeyBytes = 32

// NewHasher makes a Hasher with key.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < MinKeyBytes {
		return nil, errors.New("the NIK index key must hold at least 32 bytes")
	}
	return &Hasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the keyed hash of a NIK (32 bytes).
func (h *Hasher) Hash(nik string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(nik))
	return m.Sum(nil)
}
