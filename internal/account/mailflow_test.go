package account_test

import (
	"context"
	"crypto/ed25519"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu    sync.Mutex
	mails []account.Mail
}

func (b *mailbox) SendAccountMail(_ context.Context, m account.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails = append(b.mails, m)
	return nil
}

// last returns the last mail of kind to address, failing without one.
func (b *mailbox) last(t *testing.T, kind account.MailKind, to string) account.Mail {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.mails) - 1; i >= 0; i-- {
		if m := b.mails[i]; m.Kind == kind && m.To == to {
			return m
		}
	}
	t.Fatalf("no %s mail to %s among %d", kind, to, len(b.mails))
	return account.Mail{}
}

func (b *mailbox) count(kind account.MailKind, to string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.mails {
		if m.Kind == kind && m.To == to {
			n++
		}
	}
	return n
}

// token is the token in a mailed link.
func token(t *testing.T, m account.Mail) string {
	t.Helper()
	u, err := url.Parse(m.Link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q has no token", m.Link)
	}
	return u.Query().Get("token")
}

type flowEnv struct {
	svc   *account.Service
	box   *mailbox
	clock *time.Time
	mu    *sync.Mutex
}

func newFlowEnv(t *testing.T, db *sqldb.DB, opts account.Options) flowEnv {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	e := flowEnv{box: &mailbox{}, clock: &now, mu: &mu}
	opts.Mailer = e.box
	opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return *e.clock }
	opts.CheckTTL = -1
	if opts.ResetDelay == 0 {
		opts.ResetDelay = time.Millisecond
	}
	e.svc = account.New(accountsql.New(db), auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, 32)), time.Hour), opts)
	return e
}

func (e flowEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*e.clock = e.clock.Add(d)
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("%s: err = %v (code %q), want code %q", what, err, apperr.CodeOf(err), code)
	}
}

func signedIn(u account.User, s account.Session) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: u.ID, Role: u.Role})
}

func TestVerification(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newFlowEnv(t, db, account.Options{})
		ctx := context.Background()
		s, err := e.svc.Register(ctx, account.NewUser{Email: "Ana@Example.com", Password: "password-123", Name: "Ana", Role: auth.Seller}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		if s.User.EmailVerified {
			t.Fatal("a registered user is verified at once")
		}
		m := e.box.last(t, account.MailVerifyEmail, "ana@example.com")
		if !strings.HasPrefix(m.Link, "/verify-email?token=") || !m.Expires.Equal(e.clock.Add(account.VerifyEmailTTL)) {
			t.Errorf("verification mail = %+v", m)
		}
		first := token(t, m)
		if ok, _ := e.svc.EmailVerified(ctx, s.User.ID); ok {
			t.Error("EmailVerified before the link = true")
		}

		// A fresh link supersedes the first.
		uctx := signedIn(s.User, s)
		if err := e.svc.ResendVerification(uctx); err != nil {
			t.Fatal(err)
		}
		second := token(t, e.box.last(t, account.MailVerifyEmail, "ana@example.com"))
		if second == first {
			t.Fatal("resend mailed the same token")
		}
		_, err = e.svc.VerifyEmail(ctx, first)
		wantCode(t, "VerifyEmail(superseded)", err, "token_invalid")

		u, err := e.svc.VerifyEmail(ctx, second)
		if err != nil || !u.EmailVerified {
			t.Fatalf("VerifyEmail = %+v, %v", u, err)
		}
		if ok, _ := e.svc.EmailVerified(ctx, s.User.ID); !ok {
			t.Error("EmailVerified after the link = false")
		}
		_, err = e.svc.VerifyEmail(ctx, second)
		wantCode(t, "VerifyEmail(used twice)", err, "token_invalid")
		wantCode(t, "ResendVerification(verified)", e.svc.ResendVerification(uctx), "already_verified")

		// Garbage and expired tokens.
		_, err = e.svc.VerifyEmail(ctx, "nonsense")
		wantCode(t, "VerifyEmail(garbage)", err, "token_invalid")
		s2, err := e.svc.Register(ctx, account.NewUser{Email: "bo@example.com", Password: "password-123", Name: "Bo", Role: auth.Customer}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		late := token(t, e.box.last(t, account.MailVerifyEmail, "bo@example.com"))
		e.advance(account.VerifyEmailTTL + time.Second)
		_, err = e.svc.VerifyEmail(ctx, late)
		wantCode(t, "VerifyEmail(expired)", err, "token_invalid")
		if u, _ := e.svc.Me(signedIn(s2.User, s2)); u.EmailVerified {
			t.Error("an expired link verified the address")
		}

		// The CLI's users are verified; admin-made ones are mailed a link.
		op, err := e.svc.CreateUser(ctx, account.NewUser{Email: "op@example.com", Password: "password-123", Name: "Op", Role: auth.Admin})
		if err != nil || !op.EmailVerified {
			t.Errorf("CreateUser = %+v, %v; want verified", op, err)
		}
		made, err := e.svc.AdminCreateUser(auth.With(ctx, auth.Principal{UserID: op.ID, Role: auth.Admin}),
			account.NewUser{Email: "made@example.com", Password: "password-123", Name: "M", Role: auth.Delivery})
		if err != nil || made.EmailVerified {
			t.Errorf("AdminCreateUser = %+v, %v; want unverified", made, err)
		}
		e.box.last(t, account.MailVerifyEmail, "made@example.com")
	})
}

func TestPasswordReset(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newFlowEnv(t, db, account.Options{})
		ctx := context.Background()
		reg, err := e.svc.Register(ctx, account.NewUser{Email: "cy@example.com", Password: "old-password-1", Name: "Cy", Role: auth.Customer}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.svc.Login(ctx, account.Credentials{Email: "cy@example.com", Password: "old-password-1"}, account.Client{})
		if err != nil {
			t.Fatal(err)
		}

		// No enumeration: a missing address answers the same, mails nothing.
		if err := e.svc.RequestPasswordReset(ctx, "nobody@example.com", account.Client{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("RequestPasswordReset(unknown) = %v, want nil", err)
		}
		if err := e.svc.RequestPasswordReset(ctx, "CY@example.com", account.Client{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("RequestPasswordReset = %v", err)
		}
		if n := e.box.count(account.MailResetPassword, "nobody@example.com"); n != 0 {
			t.Errorf("%d reset mails to an unknown address", n)
		}
		m := e.box.last(t, account.MailResetPassword, "cy@example.com")
		if !strings.HasPrefix(m.Link, "/reset-password?token=") || !m.Expires.Equal(e.clock.Add(account.ResetPasswordTTL)) {
			t.Errorf("reset mail = %+v", m)
		}
		first := token(t, m)

		// A second request supersedes the first link.
		if err := e.svc.RequestPasswordReset(ctx, "cy@example.com", account.Client{IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		tok := token(t, e.box.last(t, account.MailResetPassword, "cy@example.com"))
		err = e.svc.ResetPassword(ctx, account.PasswordReset{Token: first, Password: "new-password-1"})
		wantCode(t, "ResetPassword(superseded)", err, "token_invalid")

		// The password rules of registration; a verification token is no reset token.
		err = e.svc.ResetPassword(ctx, account.PasswordReset{Token: tok, Password: "short"})
		wantCode(t, "ResetPassword(short)", err, "validation_failed")
		verify := token(t, e.box.last(t, account.MailVerifyEmail, "cy@example.com"))
		err = e.svc.ResetPassword(ctx, account.PasswordReset{Token: verify, Password: "new-password-1"})
		wantCode(t, "ResetPassword(verification token)", err, "token_invalid")

		// Two uses of one token at once: one wins.
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				errs <- e.svc.ResetPassword(ctx, account.PasswordReset{Token: tok, Password: "new-password-1"})
			}()
		}
		won := 0
		for range 2 {
			err := <-errs
			switch {
			case err == nil:
				won++
			case apperr.CodeOf(err) != "token_invalid":
				t.Errorf("concurrent ResetPassword = %v, want nil or token_invalid", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent resets with one token succeeded, want 1", won)
		}
		err = e.svc.ResetPassword(ctx, account.PasswordReset{Token: tok, Password: "newer-password-1"})
		wantCode(t, "ResetPassword(used twice)", err, "token_invalid")

		// Every session and refresh token is revoked.
		for _, s := range []account.Session{reg, other} {
			_, err := e.svc.Refresh(ctx, s.RefreshToken)
			wantCode(t, "Refresh after reset", err, "session_revoked")
			_, err = e.svc.Check(ctx, auth.Principal{UserID: s.User.ID, SessionID: id.Session(sessionOf(t, s))})
			wantCode(t, "Check after reset", err, "session_revoked")
		}
		_, err = e.svc.Login(ctx, account.Credentials{Email: "cy@example.com", Password: "old-password-1"}, account.Client{})
		wantCode(t, "Login(old password)", err, "invalid_credentials")
		s, err := e.svc.Login(ctx, account.Credentials{Email: "cy@example.com", Password: "new-password-1"}, account.Client{})
		if err != nil {
			t.Fatalf("Login(new password) = %v", err)
		}
		if !s.User.EmailVerified {
			t.Error("a reset through the mail left the address unverified")
		}

		// An expired link.
		if err := e.svc.RequestPasswordReset(ctx, "cy@example.com", account.Client{}); err != nil {
			t.Fatal(err)
		}
		late := token(t, e.box.last(t, account.MailResetPassword, "cy@example.com"))
		e.advance(account.ResetPasswordTTL)
		err = e.svc.ResetPassword(ctx, account.PasswordReset{Token: late, Password: "newer-password-1"})
		wantCode(t, "ResetPassword(expired)", err, "token_invalid")
	})
}

// sessionOf reads the session ID out of a session's access token.
func sessionOf(t *testing.T, s account.Session) string {
	t.Helper()
	p, err := auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, 32)), time.Hour).Verify(s.AccessToken)
	if err != nil {
		t.Fatalf("verify access token: %v", err)
	}
	return string(p.SessionID)
}

func TestPasswordResetLimitsAndTiming(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newFlowEnv(t, db, account.Options{
			MailLimit:   ratelimit.Rule{Limit: 2, Window: time.Hour},
			MailIPLimit: ratelimit.Rule{Limit: 4, Window: time.Hour},
			ResetDelay:  150 * time.Millisecond,
		})
		ctx := context.Background()
		if _, err := e.svc.CreateUser(ctx, account.NewUser{Email: "di@example.com", Password: "password-123", Name: "Di", Role: auth.Customer}); err != nil {
			t.Fatal(err)
		}
		for i, email := range []string{"di@example.com", "nobody@example.com", "di@example.com", "di@example.com"} {
			start := time.Now()
			if err := e.svc.RequestPasswordReset(ctx, email, account.Client{IP: "198.51.100.7"}); err != nil {
				t.Fatalf("request %d (%s) = %v", i, email, err)
			}
			if d := time.Since(start); d < 150*time.Millisecond {
				t.Errorf("request %d (%s) answered in %v, want at least the 150ms every answer takes", i, email, d)
			}
		}
		// The third request to di@ was over the address's limit: no mail, same answer.
		if n := e.box.count(account.MailResetPassword, "di@example.com"); n != 2 {
			t.Errorf("%d reset mails to di@, want 2 (the limit)", n)
		}
		// The fifth request from the IP is refused.
		err := e.svc.RequestPasswordReset(ctx, "nobody@example.com", account.Client{IP: "198.51.100.7"})
		if !apperr.Is(err, apperr.KindRateLimited) {
			t.Errorf("fifth request = %v, want RateLimited", err)
		}
		if err := e.svc.RequestPasswordReset(ctx, "nobody@example.com", account.Client{IP: "198.51.100.8"}); err != nil {
			t.Errorf("another IP = %v, want nil", err)
		}
	})
}

func TestChangeEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newFlowEnv(t, db, account.Options{})
		ctx := context.Background()
		ev, err := e.svc.CreateUser(ctx, account.NewUser{Email: "ev@example.com", Password: "password-123", Name: "Ev", Role: auth.Customer})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateUser(ctx, account.NewUser{Email: "taken@example.com", Password: "password-123", Name: "T", Role: auth.Customer}); err != nil {
			t.Fatal(err)
		}
		uctx := auth.With(ctx, auth.Principal{UserID: ev.ID, Role: auth.Customer})
		wantCode(t, "ChangeEmail(wrong password)", e.svc.ChangeEmail(uctx, account.EmailChange{Email: "new@example.com", Password: "wrong-password"}), "wrong_password")
		wantCode(t, "ChangeEmail(taken)", e.svc.ChangeEmail(uctx, account.EmailChange{Email: "taken@example.com", Password: "password-123"}), "email_taken")
		if err := e.svc.ChangeEmail(uctx, account.EmailChange{Email: "New@Example.com", Password: "password-123"}); err != nil {
			t.Fatalf("ChangeEmail = %v", err)
		}
		confirm := e.box.last(t, account.MailConfirmEmail, "new@example.com")
		notice := e.box.last(t, account.MailEmailChanging, "ev@example.com")
		if notice.NewEmail != "new@example.com" || notice.Link != "" {
			t.Errorf("notice to the old address = %+v", notice)
		}
		if u, _ := e.svc.Me(uctx); u.Email != "ev@example.com" {
			t.Errorf("address before confirmation = %s, want the old one", u.Email)
		}
		u, err := e.svc.VerifyEmail(ctx, token(t, confirm))
		if err != nil || u.Email != "new@example.com" || !u.EmailVerified {
			t.Fatalf("VerifyEmail(change) = %+v, %v", u, err)
		}
		if _, err := e.svc.Login(ctx, account.Credentials{Email: "new@example.com", Password: "password-123"}, account.Client{}); err != nil {
			t.Errorf("Login with the new address = %v", err)
		}

		// Two users racing for one address: the store's unique key decides.
		if err := e.svc.ChangeEmail(uctx, account.EmailChange{Email: "race@example.com", Password: "password-123"}); err != nil {
			t.Fatal(err)
		}
		tok := token(t, e.box.last(t, account.MailConfirmEmail, "race@example.com"))
		if _, err := e.svc.Register(ctx, account.NewUser{Email: "race@example.com", Password: "password-123", Name: "R", Role: auth.Customer}, account.Client{}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.VerifyEmail(ctx, tok)
		wantCode(t, "VerifyEmail(address taken meanwhile)", err, "email_taken")
		if u, _ := e.svc.Me(uctx); u.Email != "new@example.com" {
			t.Errorf("address after a lost race = %s", u.Email)
		}
	})
}

func TestNewSignInNotice(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newFlowEnv(t, db, account.Options{})
		ctx := context.Background()
		laptop := account.Client{IP: "203.0.113.5", UserAgent: "Firefox on Linux"}
		s, err := e.svc.Register(ctx, account.NewUser{Email: "fay@example.com", Password: "password-123", Name: "Fay", Role: auth.Customer}, laptop)
		if err != nil {
			t.Fatal(err)
		}
		if s.Device == "" {
			t.Fatal("Register gave no device cookie")
		}
		login := func(c account.Client) account.Session {
			t.Helper()
			s, err := e.svc.Login(ctx, account.Credentials{Email: "fay@example.com", Password: "password-123"}, c)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// The same browser (its cookie), the same browser elsewhere on the
		// network, a script on the same machine without cookies: known.
		laptop.Device = s.Device
		login(laptop)
		login(account.Client{IP: "203.0.113.77", UserAgent: "Firefox on Linux"})
		if n := e.box.count(account.MailNewSignIn, "fay@example.com"); n != 0 {
			t.Fatalf("%d new sign-in notices for known devices", n)
		}
		// A phone, a day later: new, once.
		e.advance(24 * time.Hour)
		phone := account.Client{IP: "198.51.100.9", UserAgent: "Safari on iPhone"}
		ps := login(phone)
		m := e.box.last(t, account.MailNewSignIn, "fay@example.com")
		if m.Device != "Safari on iPhone" || m.IP != "198.51.100.9" || m.Link != "" {
			t.Errorf("notice = %+v", m)
		}
		phone.Device = ps.Device
		login(phone)
		if n := e.box.count(account.MailNewSignIn, "fay@example.com"); n != 1 {
			t.Errorf("%d notices after signing in twice from the phone, want 1", n)
		}
		// Refreshing never mails.
		if _, err := e.svc.Refresh(ctx, ps.RefreshToken); err != nil {
			t.Fatal(err)
		}
		if n := e.box.count(account.MailNewSignIn, "fay@example.com"); n != 1 {
			t.Errorf("%d notices after a refresh, want 1", n)
		}
		// A device unused for a year is forgotten (the last one used is
		// kept, so the user is never "first" again): the laptop is new.
		e.advance(account.DeviceMemory + time.Hour)
		if _, err := e.svc.PurgeExpiredTokens(ctx); err != nil {
			t.Fatal(err)
		}
		login(laptop)
		if n := e.box.count(account.MailNewSignIn, "fay@example.com"); n != 2 {
			t.Errorf("%d notices after a year away, want 2", n)
		}
	})
}
