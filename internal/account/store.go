package account

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps users, sessions, sellers and addresses. Every method that
// changes state is one transaction, and publishes its events in it. Errors
// are classified (apperr) where the store knows the cause: a missing row is
// NotFound, a duplicate a Conflict with the code named below.
type Store interface {
	// CreateUser inserts u with its password hash and publishes
	// account.user.registered.v1. A taken e-mail is Conflict "email_taken".
	CreateUser(ctx context.Context, u User, passwordHash string) error
	// User returns the user with id.
	User(ctx context.Context, id id.User) (User, error)
	// UserByEmail returns the user with the (normalised) e-mail.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserCredentials returns the user with email and its password hash.
	UserCredentials(ctx context.Context, email string) (User, string, error)
	// PasswordHash returns the password hash of user id.
	PasswordHash(ctx context.Context, id id.User) (string, error)
	// Users lists users matching f in ID order.
	Users(ctx context.Context, f UserFilter) ([]User, error)
	// SetUserName changes a user's name.
	SetUserName(ctx context.Context, id id.User, name string, now time.Time) (User, error)
	// SetPassword replaces a user's password hash and revokes all its sessions.
	SetPassword(ctx context.Context, id id.User, passwordHash string, now time.Time) error
	// SetUserStatus moves a user to status, publishing
	// account.user.suspended.v1 or account.user.reinstated.v1 if it changed.
	// Suspending revokes all the user's sessions.
	SetUserStatus(ctx context.Context, id id.User, status UserStatus, now time.Time) (User, error)

	// SetEmailVerified marks the user's address verified if it is still
	// email; NotFound otherwise.
	SetEmailVerified(ctx context.Context, id id.User, email string, now time.Time) (User, error)

	// CreateToken stores a mailed token and deletes the user's unused
	// tokens of the same purpose: a new link supersedes the older ones.
	CreateToken(ctx context.Context, t Token) error
	// Token returns the token with hash, used or not; NotFound if none.
	Token(ctx context.Context, hash string) (Token, error)
	// UseToken consumes the token with hash if it is of purpose, unused
	// and unexpired at now, and applies it in the same transaction:
	//   - PurposeVerifyEmail marks the user's address verified;
	//   - PurposeResetPassword sets passwordHash, marks the address
	//     verified and revokes every session of the user;
	//   - PurposeChangeEmail moves the user to the token's address,
	//     verified (a taken address is Conflict "email_taken" and the
	//     token stays unused).
	// Verification and reset tokens work only while the user's address is
	// the one they were sent to. A token that cannot be used is Invalid
	// "token_invalid". It returns the user as it now is.
	UseToken(ctx context.Context, hash string, purpose Purpose, now time.Time, passwordHash string) (User, error)
	// DeleteExpiredMailTokens removes mailed tokens that expired before t.
	DeleteExpiredMailTokens(ctx context.Context, before time.Time) (int64, error)
	// ForgetDevices removes sign-in devices last seen before t, except
	// each user's most recently seen one.
	ForgetDevices(ctx context.Context, before time.Time) (int64, error)
	// RememberDevice records that user signed in from the device known by
	// keys (hashes) at now. known says one of the keys had been seen for
	// the user before; first that the user had no device at all.
	RememberDevice(ctx context.Context, user id.User, keys []string, now time.Time) (known, first bool, err error)
	// KnownDevice reports whether user has signed in from the device known
	// by key (a hash) and not forgotten it since.
	KnownDevice(ctx context.Context, user id.User, key string) (bool, error)

	// CreateSession starts a session (refresh-token family) t.SessionID for
	// t.UserID with t as its first refresh token.
	CreateSession(ctx context.Context, t RefreshToken) error
	// RotateRefreshToken marks the token with oldHash used and stores next
	// (newHash, valid until expires) in the same session, returning the
	// session. An unknown or expired token is Unauthorized
	// "invalid_refresh_token"; one whose session was revoked is Unauthorized
	// "session_revoked"; one already used is Unauthorized
	// "refresh_token_reused" and revokes its session (that revocation is
	// committed, and the Grant names the session).
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, now, expires time.Time) (Grant, error)
	// RevokeSessionOf revokes the session the token with hash belongs to
	// (used or not). found is false for an unknown token.
	RevokeSessionOf(ctx context.Context, hash string, now time.Time) (g Grant, found bool, err error)
	// Access returns what Check needs about a user and one of its sessions.
	// A missing user is NotFound.
	Access(ctx context.Context, userID id.User, sessionID id.Session) (Access, error)
	// DeleteExpiredTokens removes refresh tokens that expired before t.
	DeleteExpiredTokens(ctx context.Context, before time.Time) (int64, error)

	// CreateOIDCFlow keeps a started OpenID Connect sign-in.
	CreateOIDCFlow(ctx context.Context, f OIDCFlow) error
	// TakeOIDCFlow deletes and returns the flow with stateHash, so that a
	// state is used at most once. A missing one is NotFound.
	TakeOIDCFlow(ctx context.Context, stateHash string) (OIDCFlow, error)
	// CreateOIDCHandoff keeps a finished sign-in's hand-off code.
	CreateOIDCHandoff(ctx context.Context, h OIDCHandoff) error
	// TakeOIDCHandoff deletes and returns the hand-off with codeHash. A
	// missing one is NotFound.
	TakeOIDCHandoff(ctx context.Context, codeHash string) (OIDCHandoff, error)
	// IdentityUser returns the user linked to a provider's subject;
	// NotFound if none is.
	IdentityUser(ctx context.Context, provider, subject string) (id.User, error)
	// LinkIdentity links l.Provider's l.Subject to l.UserID. An identity
	// already linked is Conflict "identity_linked".
	LinkIdentity(ctx context.Context, l IdentityLink) error
	// CreateUserWithIdentity inserts u without a password (it signs in
	// through its provider) and links l to it, publishing
	// account.user.registered.v1. A taken e-mail is Conflict
	// "email_taken"; a linked identity Conflict "identity_linked".
	CreateUserWithIdentity(ctx context.Context, u User, l IdentityLink) error
	// DeleteExpiredOIDC removes flows and hand-offs that expired before t.
	DeleteExpiredOIDC(ctx context.Context, before time.Time) (int64, error)

	// CreateSeller inserts s and publishes account.seller.created.v1. A user
	// that already has a store is Conflict "seller_exists"; a taken slug is
	// Conflict "slug_taken".
	CreateSeller(ctx context.Context, s Seller) error
	// Seller returns the store with id.
	Seller(ctx context.Context, id id.Seller) (Seller, error)
	// SellerByUser returns the store of user userID.
	SellerByUser(ctx context.Context, userID id.User) (Seller, error)
	// Sellers lists stores matching f in ID order.
	// SellersByID returns the stores of ids that exist, in no order.
	SellersByID(ctx context.Context, ids []id.Seller) ([]Seller, error)
	Sellers(ctx context.Context, f SellerFilter) ([]Seller, error)
	// SetSellerStatus moves a store to status, publishing
	// account.seller.suspended.v1 or account.seller.reinstated.v1 if it changed.
	SetSellerStatus(ctx context.Context, id id.Seller, status SellerStatus, now time.Time) (Seller, error)

	// Addresses lists a user's addresses in ID order.
	Addresses(ctx context.Context, f AddressFilter) ([]Address, error)
	// Address returns the address id if it belongs to userID.
	Address(ctx context.Context, userID id.User, id id.Address) (Address, error)
	// CreateAddress inserts a and returns it as stored. The user's first
	// address becomes its default; a new default clears the old one. A user
	// with MaxAddresses already is Conflict "address_limit".
	CreateAddress(ctx context.Context, a Address) (Address, error)
	// UpdateAddress replaces the fields of a.ID if it belongs to a.UserID;
	// a new default clears the old one.
	UpdateAddress(ctx context.Context, a Address) (Address, error)
	// DeleteAddress removes the address id if it belongs to userID.
	DeleteAddress(ctx context.Context, userID id.User, id id.Address) error
}

// Access is what Check needs about a user and a session.
type Access struct {
	Role   auth.Role
	Status UserStatus
	// SessionActive is false if the session is missing, revoked or not
	// the user's.
	SessionActive bool
}

// UserFilter selects users. Empty fields do not filter.
type UserFilter struct {
	Role   auth.Role
	Status UserStatus
	After  string // list users with IDs after this one
	Limit  int
}

// SellerFilter selects stores. Empty fields do not filter.
type SellerFilter struct {
	Status SellerStatus
	After  string
	Limit  int
}

// AddressFilter selects one user's addresses.
type AddressFilter struct {
	UserID id.User
	After  string
	Limit  int
}
