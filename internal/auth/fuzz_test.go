package auth

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// FuzzVerify: any string is either a valid token we issued or an
// Unauthorized error; never a panic, never another kind of error.
func FuzzVerify(f *testing.F) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	tk := NewTokens(key, 15*time.Minute)
	good, _, _ := tk.Issue(Principal{UserID: "usr_1", Role: Customer})
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := tk.Verify(s)
		if err != nil && !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("Verify(%q) = %v, want unauthorized", s, err)
		}
		if err == nil && (p.UserID == "" || !p.Role.Valid()) {
			t.Errorf("Verify(%q) accepted an empty principal %+v", s, p)
		}
	})
}
