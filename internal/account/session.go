package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Session is what a successful sign-in, registration or refresh answers: an
// access token for the API, the refresh token that renews it, and the user.
type Session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"` // always "Bearer"
	ExpiresIn    int64  `json:"expires_in"` // seconds until the access token expires
	User         User   `json:"user"`
	// Device is the remembered-device cookie the client should keep
	// (password sign-ins and registrations only).
	Device string `json:"-"`
}

// RefreshToken is a stored refresh token: only its SHA-256 is kept.
type RefreshToken struct {
	Hash      string     // hex SHA-256 of the token the client holds
	SessionID id.Session // the family it belongs to ("ses_...")
	UserID    id.User
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Grant is a refresh token accepted for rotation: the family and user it
// belongs to.
type Grant struct {
	SessionID id.Session
	UserID    id.User
}

// newRefreshToken returns a fresh opaque token (32 random bytes, base64url)
// and the hash to store.
func newRefreshToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a refresh token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validTokenShape reports whether s could be a refresh token we issued, so
// that garbage is refused before touching the store.
func validTokenShape(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
