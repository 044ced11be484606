package account

import (
	"context"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Web paths the mailed links open; the web app reads the token from the
// query and posts it to the matching route.
const (
	VerifyEmailPath   = "/verify-email"
	ResetPasswordPath = "/reset-password"
)

// EmailChange asks to move the signed-in user to another address; the
// current password re-authenticates.
type EmailChange struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// PasswordReset sets a new password with a token from a reset mail.
type PasswordReset struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func link(path, token string) string { return path + "?token=" + url.QueryEscape(token) }

// sendVerification mails u a fresh verification link (superseding older
// ones).
func (s *Service) sendVerification(ctx context.Context, u User) error {
	now := s.now()
	raw, t := newToken(u.ID, PurposeVerifyEmail, u.Email, now, VerifyEmailTTL)
	if err := s.store.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("create verification token: %w", err)
	}
	return s.mail(ctx, Mail{Kind: MailVerifyEmail, UserID: u.ID, To: u.Email, Name: u.Name,
		Link: link(VerifyEmailPath, raw), Expires: t.ExpiresAt})
}

// takeMail counts one mail to address against the per-address limit and
// reports whether it may be sent.
func (s *Service) takeMail(ctx context.Context, address string) (time.Duration, error) {
	wait, err := s.opts.MailLimiter.Take(ctx, "mail:address:"+address)
	if err != nil {
		return 0, fmt.Errorf("mail rate limit: %w", err)
	}
	return wait, nil
}

func tooManyMails(wait time.Duration) error {
	return apperr.RateLimited(wait, "too many e-mails were sent to this address; try again in %d seconds", int(wait.Seconds()+0.999))
}

// ResendVerification mails the signed-in user a fresh verification link;
// the older ones stop working. An address already verified is Conflict
// "already_verified"; more than Options.MailLimit mails to one address is
// RateLimited.
func (s *Service) ResendVerification(ctx context.Context) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	if u.EmailVerified {
		return apperr.Conflict("already_verified", "this e-mail address is already verified")
	}
	if wait, err := s.takeMail(ctx, u.Email); err != nil {
		return err
	} else if wait > 0 {
		return tooManyMails(wait)
	}
	return s.sendVerification(ctx, u)
}

// VerifyEmail uses a token from a verification mail (the address is
// verified) or from the confirmation mail of an e-mail change (the
// account moves to the new, now verified, address; a taken address is
// Conflict "email_taken"). Any token that cannot be used is Invalid
// "token_invalid".
func (s *Service) VerifyEmail(ctx context.Context, token string) (User, error) {
	if !validTokenShape(token) {
		return User{}, tokenInvalid()
	}
	t, err := s.store.Token(ctx, hashValue(token))
	if apperr.Is(err, apperr.KindNotFound) {
		return User{}, tokenInvalid()
	} else if err != nil {
		return User{}, fmt.Errorf("verify e-mail: %w", err)
	}
	if t.Purpose != PurposeVerifyEmail && t.Purpose != PurposeChangeEmail {
		return User{}, tokenInvalid()
	}
	u, err := s.store.UseToken(ctx, t.Hash, t.Purpose, s.now(), "")
	if err != nil {
		return User{}, err
	}
	s.cache.forget(u.ID, "")
	return u, nil
}

// RequestPasswordReset mails a reset link to the account with email, if
// there is one and it is active. The answer is the same (nil) whatever
// the address, and takes at least Options.ResetDelay, so it tells no one
// whether an account exists. Requests are limited per client IP
// (RateLimited) and mails per address (beyond the limit nothing is sent,
// silently). A new link supersedes the older ones.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) error {
	email = NormalizeEmail(email)
	var f apperr.Fields
	checkEmail(&f, "email", email)
	if err := f.Err(); err != nil {
		return err
	}
	if c.IP != "" {
		wait, err := s.opts.MailIPLimiter.Take(ctx, "mail:ip:"+ipBucket(c.IP))
		if err != nil {
			return fmt.Errorf("reset rate limit: %w", err)
		}
		if wait > 0 {
			return apperr.RateLimited(wait, "too many password reset requests; try again in %d seconds", int(wait.Seconds()+0.999))
		}
	}
	start := time.Now()
	err := s.sendReset(ctx, email)
	// Pad the answer so that an existing account (a token and a mail
	// written) takes as long as a missing one.
	if d := s.opts.ResetDelay - time.Since(start); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	return err
}

func (s *Service) sendReset(ctx context.Context, email string) error {
	u, err := s.store.UserByEmail(ctx, email)
	if apperr.Is(err, apperr.KindNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("password reset: %w", err)
	}
	if u.Status != UserActive {
		return nil
	}
	if wait, err := s.takeMail(ctx, email); err != nil || wait > 0 {
		return err
	}
	now := s.now()
	raw, t := newToken(u.ID, PurposeResetPassword, u.Email, now, ResetPasswordTTL)
	if err := s.store.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("create reset token: %w", err)
	}
	return s.mail(ctx, Mail{Kind: MailResetPassword, UserID: u.ID, To: u.Email, Name: u.Name,
		Link: link(ResetPasswordPath, raw), Expires: t.ExpiresAt})
}

// ResetPassword sets a new password (the rules of registration) with a
// token from a reset mail, once. Every session and refresh token of the
// user is revoked and its address counts as verified (the mail reached
// it). Any token that cannot be used is Invalid "token_invalid".
func (s *Service) ResetPassword(ctx context.Context, in PasswordReset) error {
	var f apperr.Fields
	f.Check(in.Token != "", "token", "is required")
	checkPassword(&f, "password", in.Password)
	if err := f.Err(); err != nil {
		return err
	}
	if !validTokenShape(in.Token) {
		return tokenInvalid()
	}
	// Look first, so that garbage tokens cost no password hash.
	t, err := s.store.Token(ctx, hashValue(in.Token))
	if apperr.Is(err, apperr.KindNotFound) {
		return tokenInvalid()
	} else if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if t.Purpose != PurposeResetPassword || t.UsedAt != nil || !s.now().Before(t.ExpiresAt) {
		return tokenInvalid()
	}
	hash, err := s.hash.Hash(ctx, in.Password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	// UseToken consumes the token atomically: of two concurrent resets
	// with one token, one wins.
	u, err := s.store.UseToken(ctx, t.Hash, PurposeResetPassword, s.now(), hash)
	if err != nil {
		return err
	}
	s.cache.forget(u.ID, "")
	// The owner proved it holds the mailbox: its account is no longer
	// under attack as far as sign-ins go.
	if err := s.limits.account.Reset(ctx, u.Email); err != nil {
		return fmt.Errorf("reset rate limit: %w", err)
	}
	return nil
}

// ChangeEmail starts moving the signed-in user to another address: after
// checking the password it mails a confirmation link to the new address
// (VerifyEmail makes the change) and a notice to the current one. A
// wrong password is Invalid "wrong_password" and slows the user down; an address in use is Conflict "email_taken".
func (s *Service) ChangeEmail(ctx context.Context, in EmailChange) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	in.Email = NormalizeEmail(in.Email)
	var f apperr.Fields
	checkEmail(&f, "email", in.Email)
	f.Check(in.Password != "", "password", "is required")
	f.Check(utf8.RuneCountInString(in.Password) <= MaxPassword, "password", "must be at most 128 characters")
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u, in.Password, "password"); err != nil {
		return err
	}
	if in.Email == u.Email {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "email", Message: "is already your address"})
	}
	if _, err := s.store.UserByEmail(ctx, in.Email); err == nil {
		return apperr.Conflict("email_taken", "an account with this e-mail already exists")
	} else if !apperr.Is(err, apperr.KindNotFound) {
		return fmt.Errorf("change e-mail: %w", err)
	}
	if wait, err := s.takeMail(ctx, in.Email); err != nil {
		return err
	} else if wait > 0 {
		return tooManyMails(wait)
	}
	now := s.now()
	raw, t := newToken(u.ID, PurposeChangeEmail, in.Email, now, ChangeEmailTTL)
	if err := s.store.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("create e-mail change token: %w", err)
	}
	if err := s.mail(ctx, Mail{Kind: MailConfirmEmail, UserID: u.ID, To: in.Email, Name: u.Name,
		Link: link(VerifyEmailPath, raw), Expires: t.ExpiresAt, NewEmail: in.Email}); err != nil {
		return err
	}
	return s.mail(ctx, Mail{Kind: MailEmailChanging, UserID: u.ID, To: u.Email, Name: u.Name, NewEmail: in.Email, At: now})
}

// checkPassword re-authenticates u with password.
func (s *Service) checkPassword(ctx context.Context, u User, password, field string) error {
	return s.reauthenticate(ctx, u, password, field, "the password is not correct")
}

// reauthenticate checks the signed-in user u's password; wrong ones slow
// the user down (a backoff per user: the caller holds its session, so it
// is the client), and it answers Invalid "wrong_password" on field.
func (s *Service) reauthenticate(ctx context.Context, u User, password, field, message string) error {
	key := string(u.ID)
	wait, err := s.limits.reauth.Take(ctx, key)
	if err != nil {
		return fmt.Errorf("password rate limit: %w", err)
	}
	if wait > 0 {
		return tooManyAttempts(wait)
	}
	hash, err := s.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return err
	}
	ok, err := s.hash.Verify(ctx, password, hash)
	if err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return apperr.Invalid("wrong_password", message, apperr.FieldError{Field: field, Message: "is not correct"})
	}
	return s.limits.reauth.Reset(ctx, key)
}

// EmailVerified reports whether user's address is verified; privileged,
// for other modules in process (the catalog lets only verified sellers
// list products).
func (s *Service) EmailVerified(ctx context.Context, user id.User) (bool, error) {
	u, err := s.store.User(ctx, user)
	if err != nil {
		return false, err
	}
	return u.EmailVerified, nil
}
