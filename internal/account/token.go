package account

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Purpose is what a mailed token is good for. A token works for its own
// purpose only.
type Purpose string

// Token purposes.
const (
	PurposeVerifyEmail   Purpose = "verify_email"
	PurposeResetPassword Purpose = "reset_password"
	PurposeChangeEmail   Purpose = "change_email"
)

// How long a mailed link works.
const (
	VerifyEmailTTL   = 48 * time.Hour
	ResetPasswordTTL = time.Hour
	ChangeEmailTTL   = 24 * time.Hour
)

// Token is a single-use token sent by e-mail. Only its SHA-256 is stored.
// Email is the address it was sent to: for verification and reset the
// user's address then (the token dies if the address changes), for an
// e-mail change the new address.
type Token struct {
	Hash      string
	UserID    id.User
	Purpose   Purpose
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// newToken returns a fresh token (32 random bytes, base64url) for purpose,
// valid for ttl from now, and the row to store.
func newToken(userID id.User, purpose Purpose, email string, now time.Time, ttl time.Duration) (string, Token) {
	raw := randomToken()
	return raw, Token{Hash: hashValue(raw), UserID: userID, Purpose: purpose, Email: email, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// tokenInvalid is the answer to any token that cannot be used: unknown,
// expired, used, superseded, of another purpose or for an address the
// account no longer has. One answer for all, so it tells nothing.
func tokenInvalid() error {
	return apperr.Invalid("token_invalid", "this link is invalid, has expired or was already used",
		apperr.FieldError{Field: "token", Message: "is invalid, expired or already used"})
}
