package account

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/unit"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Register signs up a customer or a seller (other roles are made by an
// admin or the CLI), signs it in from client c and mails it a link to
// verify its address. Registrations are limited per client IP
// (Options.RegisterLimit). Until then it can shop (the web app reminds it) but
// a seller cannot list products.
func (s *Service) Register(ctx context.Context, in NewUser, c Client) (Session, error) {
	if err := s.limits.takeRegistration(ctx, c); err != nil {
		return Session{}, err
	}
	u, err := s.createUser(ctx, in, false, auth.Customer, auth.Seller)
	if err != nil {
		return Session{}, err
	}
	if err := s.sendVerification(ctx, u); err != nil {
		// The account exists: the user can ask for another link.
		s.opts.Logger.WarnContext(ctx, "verification mail not sent", "user", u.ID, "err", err)
	}
	sess, err := s.startSession(ctx, u)
	if err != nil {
		return Session{}, err
	}
	sess.Device = s.remember(ctx, u, c, false)
	return sess, nil
}

// CreateUser creates a user of any role, its address taken as verified
// (the operator vouches for it). It is privileged: no principal is needed
// (the CLI and demo seeding use it); AdminCreateUser is the checked door
// for the API.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return s.createUser(ctx, in, true, auth.Roles...)
}

// AdminCreateUser lets an admin create a user of any role. The new user's
// address is not verified yet: it is mailed a verification link.
func (s *Service) AdminCreateUser(ctx context.Context, in NewUser) (User, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return User{}, err
	}
	u, err := s.createUser(ctx, in, false, auth.Roles...)
	if err != nil {
		return User{}, err
	}
	if err := s.sendVerification(ctx, u); err != nil {
		s.opts.Logger.WarnContext(ctx, "verification mail not sent", "user", u.ID, "err", err)
	}
	return u, nil
}

func (s *Service) createUser(ctx context.Context, in NewUser, verified bool, roles ...auth.Role) (User, error) {
	if err := in.normalize(roles...); err != nil {
		return User{}, err
	}
	hash, err := s.hash.Hash(ctx, in.Password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	u := User{ID: id.Make[id.User](), Email: in.Email, Name: in.Name, Role: in.Role, Status: UserActive, EmailVerified: verified,
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserByEmail returns the user with email. It is privileged (for idempotent
// seeding); NotFound if there is none.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.store.UserByEmail(ctx, NormalizeEmail(email))
}

// Login signs a user in with its e-mail and password from client c.
// Failed attempts slow down the client that made them (an exponential
// backoff per client and account), any client of an address failing at
// many accounts, and, while an account is under attack, every client that
// has failed at it; over a limit Login answers RateLimited with the wait.
// A client that has not been failing is never refused, so nobody can lock
// an owner out. A sign-in from a device the user has not used
// before is mailed to the user.
func (s *Service) Login(ctx context.Context, in Credentials, c Client) (Session, error) {
	email := NormalizeEmail(in.Email)
	var f apperr.Fields
	f.Check(email != "", "email", "is required")
	f.Check(in.Password != "", "password", "is required")
	f.Check(utf8.RuneCountInString(in.Password) <= MaxPassword, "password", "must be at most 128 characters")
	if err := f.Err(); err != nil {
		return Session{}, err
	}
	known, err := s.knownDevice(ctx, email, c)
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	attempt, err := s.limits.begin(ctx, c, email, known)
	if err != nil {
		return Session{}, err
	}

	u, hash, err := s.store.UserCredentials(ctx, email)
	if err != nil && !apperr.Is(err, apperr.KindNotFound) {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	// An unknown e-mail is verified against a dummy hash (hash == ""), so
	// it costs as long as a wrong password.
	ok, verr := s.hash.Verify(ctx, in.Password, hash)
	if verr != nil {
		return Session{}, fmt.Errorf("login: verify password: %w", verr)
	}
	failed := err != nil || !ok
	if err := attempt.done(ctx, !failed); err != nil {
		return Session{}, err
	}
	if failed {
		return Session{}, apperr.Unauthorized("invalid_credentials", "the e-mail or password is not correct")
	}
	if u.Status != UserActive {
		return Session{}, apperr.Unauthorized("account_suspended", "this account is suspended")
	}
	sess, err := s.startSession(ctx, u)
	if err != nil {
		return Session{}, err
	}
	sess.Device = s.remember(ctx, u, c, true)
	return sess, nil
}

// knownDevice reports whether c's device cookie is one the account of
// email has signed in from: such a client is its owner's, and only its
// own failures slow it down.
func (s *Service) knownDevice(ctx context.Context, email string, c Client) (bool, error) {
	if !validTokenShape(c.Device) {
		return false, nil
	}
	u, err := s.store.UserByEmail(ctx, email)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.store.KnownDevice(ctx, u.ID, hashValue("cookie:"+c.Device))
}

func tooManyAttempts(wait time.Duration) error {
	return apperr.RateLimited(wait, "too many failed sign-in attempts; try again in %d seconds", int(wait.Seconds()+0.999))
}

// ipBucket is the rate-limit key of a client IP: the address itself for
// IPv4, its /64 network for IPv6 (one subscriber usually holds a whole /64).
func ipBucket(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil {
		return ip
	}
	if v4 := addr.To4(); v4 != nil {
		return v4.String()
	}
	return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func (s *Service) startSession(ctx context.Context, u User) (Session, error) {
	token, hash := newRefreshToken()
	now := s.now()
	rt := RefreshToken{Hash: hash, SessionID: id.Make[id.Session](), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.RefreshTTL)}
	if err := s.store.CreateSession(ctx, rt); err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return s.session(u, rt.SessionID, token)
}

func (s *Service) session(u User, sessionID id.Session, refresh string) (Session, error) {
	access, exp, err := s.tokens.Issue(auth.Principal{UserID: u.ID, Role: u.Role, SessionID: sessionID})
	if err != nil {
		return Session{}, err
	}
	return Session{
		AccessToken:  access,
		RefreshToken: refresh,
		TokenType:    "Bearer",
		ExpiresIn:    int64(exp.Sub(s.opts.Now()).Round(1e9).Seconds()),
		User:         u,
	}, nil
}

// Refresh exchanges a refresh token for a new access token and a new
// refresh token of the same session. A token presented a second time
// revokes its whole session (Unauthorized "refresh_token_reused"): one of
// the two holders is not the user.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	if refreshToken == "" {
		return Session{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "refresh_token", Message: "is required"})
	}
	if !validTokenShape(refreshToken) {
		return Session{}, apperr.Unauthorized("invalid_refresh_token", "the refresh token is not valid")
	}
	next, nextHash := newRefreshToken()
	now := s.now()
	g, err := s.store.RotateRefreshToken(ctx, HashToken(refreshToken), nextHash, now, now.Add(s.opts.RefreshTTL))
	if err != nil {
		if apperr.CodeOf(err) == "refresh_token_reused" {
			s.cache.forget("", g.SessionID)
		}
		return Session{}, err
	}
	u, err := s.store.User(ctx, g.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("refresh: %w", err)
	}
	if u.Status != UserActive {
		return Session{}, apperr.Unauthorized("account_suspended", "this account is suspended")
	}
	return s.session(u, g.SessionID, next)
}

// Logout ends the session the refresh token belongs to. An unknown token is
// not an error: the outcome the caller wants already holds.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "refresh_token", Message: "is required"})
	}
	if !validTokenShape(refreshToken) {
		return nil
	}
	g, found, err := s.store.RevokeSessionOf(ctx, HashToken(refreshToken), s.now())
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if found {
		s.cache.forget("", g.SessionID)
	}
	return nil
}

// Me returns the signed-in user.
func (s *Service) Me(ctx context.Context) (User, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return User{}, err
	}
	return s.store.User(ctx, p.UserID)
}

// UpdateMe changes the signed-in user's profile.
func (s *Service) UpdateMe(ctx context.Context, in ProfileUpdate) (User, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return User{}, err
	}
	var f apperr.Fields
	in.Name = strings.TrimSpace(in.Name)
	checkName(&f, "name", in.Name, true, maxName)
	if err := f.Err(); err != nil {
		return User{}, err
	}
	return s.store.SetUserName(ctx, p.UserID, in.Name, s.now())
}

// ChangePassword replaces the signed-in user's password after checking the
// current one, and ends all its sessions (this one too): the client signs in
// again. Wrong current passwords slow the user down (a backoff per user).
func (s *Service) ChangePassword(ctx context.Context, in PasswordChange) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	var f apperr.Fields
	f.Check(in.CurrentPassword != "", "current_password", "is required")
	checkPassword(&f, "new_password", in.NewPassword)
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	f = apperr.Fields{}
	checkPassword(&f, "new_password", in.NewPassword, contextWords(u.Email, u.Name)...)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.reauthenticate(ctx, u, in.CurrentPassword, "current_password", "the current password is not correct"); err != nil {
		return err
	}
	newHash, err := s.hash.Hash(ctx, in.NewPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := s.store.SetPassword(ctx, p.UserID, newHash, s.now()); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	s.cache.forget(p.UserID, "")
	return nil
}

// PurgeExpiredTokens deletes refresh tokens past their expiry (a periodic
// job may call it; expired tokens are refused either way).
func (s *Service) PurgeExpiredTokens(ctx context.Context) (int64, error) {
	n, err := s.store.DeleteExpiredTokens(ctx, s.now())
	if err != nil {
		return n, err
	}
	m, err := s.store.DeleteExpiredOIDC(ctx, s.now())
	if err != nil {
		return n + m, err
	}
	k, err := s.store.DeleteExpiredMailTokens(ctx, s.now())
	if err != nil {
		return n + m + k, err
	}
	// A device unused for a year is new again.
	d, err := s.store.ForgetDevices(ctx, s.now().Add(-DeviceMemory))
	return n + m + k + d, err
}

// Jobs are the module's background jobs: purging expired refresh tokens,
// hourly, in one process at a time.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "account.purge", Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
		_, err := s.PurgeExpiredTokens(ctx)
		return err
	}}}
}
