// Package id makes opaque, prefixed, time-sortable identifiers such as
// "ord_01jd8x4k6f7e2v9q3m5n8p0r1s": a type prefix, an underscore and the 16
// bytes of a UUIDv7 in lowercase Crockford base32 (26 characters). IDs made
// later sort after earlier ones, as strings, to the millisecond.
package id

import (
	"strings"

	"github.com/google/uuid"
)

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// New returns a new ID with the given prefix ("ord", "usr", ...).
func New(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	return prefix + "_" + encode(u)
}

// FromBytes returns the ID with the given prefix for 16 bytes, for IDs that
// must be reproducible (generated data); New is for everything else.
func FromBytes(prefix string, b [16]byte) string {
	return prefix + "_" + encode(b)
}

// encode writes 128 bits as 26 base32 digits, most significant first.
func encode(u uuid.UUID) string {
	var b strings.Builder
	b.Grow(26)
	// 130 bits of output: pad two zero bits at the top.
	var acc uint64
	bits := 2
	for _, c := range u {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b.WriteByte(crockford[(acc>>uint(bits))&31])
		}
	}
	return b.String()
}

// Valid reports whether s looks like an ID with the given prefix.
func Valid(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != 26 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(crockford, rest[i]) < 0 {
			return false
		}
	}
	return true
}
