package accounthttp_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

type outbox struct {
	mu    sync.Mutex
	mails []account.Mail
}

func (o *outbox) SendAccountMail(_ context.Context, m account.Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mails = append(o.mails, m)
	return nil
}

// token returns the token of the last mail of kind to address ("" if none).
func (o *outbox) token(kind account.MailKind, to string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.mails) - 1; i >= 0; i-- {
		if m := o.mails[i]; m.Kind == kind && m.To == to {
			u, _ := url.Parse(m.Link)
			return u.Query().Get("token")
		}
	}
	return ""
}

func (o *outbox) count(kind account.MailKind) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range o.mails {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

type mailEnv struct {
	t   *testing.T
	h   http.Handler
	box *outbox
}

func newMailEnv(t *testing.T, db *sqldb.DB) mailEnv {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)), 15*time.Minute)
	box := &outbox{}
	svc := account.New(accountsql.New(db), tokens, account.Options{Mailer: box, ResetDelay: time.Millisecond, CheckTTL: -1})
	r := rest.NewRouter()
	accounthttp.New(svc, accounthttp.Options{PublicURL: "https://shop.example.com"}).Routes(r)
	return mailEnv{t: t, h: tokens.Middleware(svc.Check, rest.Error)(r), box: box}
}

func (e mailEnv) do(method, path, body, bearer string, cookies ...*http.Cookie) response {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "test-agent")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return response{w.Code, w.Header(), w.Body.String()}
}

func (e mailEnv) want(r response, status int, fragments ...string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	for _, f := range fragments {
		if !strings.Contains(r.body, f) {
			e.t.Errorf("body %s lacks %q", r.body, f)
		}
	}
}

func TestMailRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newMailEnv(t, db)
		reg := e.do("POST", "/api/v1/auth/register", `{"email":"gil@example.com","password":"password-123","name":"Gil","role":"seller"}`, "")
		e.want(reg, 201, `"email_verified":false`)
		var s account.Session
		reg.json(t, &s)
		device := (&http.Response{Header: reg.header}).Cookies()
		if len(device) != 1 || device[0].Name != "bazaar_device" || !device[0].HttpOnly || !device[0].Secure || device[0].Path != "/api/v1/auth" {
			t.Errorf("device cookie = %+v", device)
		}

		// Verification.
		e.want(e.do("POST", "/api/v1/auth/verify-email", `{"token":"garbage"}`, ""), 400, `"code":"token_invalid"`, `"field":"token"`)
		e.want(e.do("POST", "/api/v1/auth/verify-email/resend", ``, ""), 401)
		e.want(e.do("POST", "/api/v1/auth/verify-email/resend", ``, s.AccessToken), 202)
		tok := e.box.token(account.MailVerifyEmail, "gil@example.com")
		e.want(e.do("POST", "/api/v1/auth/verify-email", `{"token":"`+tok+`"}`, ""), 200, `"email_verified":true`, `"email":"gil@example.com"`)
		e.want(e.do("POST", "/api/v1/auth/verify-email", `{"token":"`+tok+`"}`, ""), 400, `"code":"token_invalid"`)
		e.want(e.do("GET", "/api/v1/me", ``, s.AccessToken), 200, `"email_verified":true`)
		e.want(e.do("POST", "/api/v1/auth/verify-email/resend", ``, s.AccessToken), 409, `"code":"already_verified"`)

		// Reset: the same answer for any address; unknown fields refused.
		known := e.do("POST", "/api/v1/auth/password-reset", `{"email":"gil@example.com"}`, "")
		unknown := e.do("POST", "/api/v1/auth/password-reset", `{"email":"nobody@example.com"}`, "")
		e.want(known, 202)
		e.want(unknown, 202)
		if known.body != unknown.body {
			t.Errorf("answers differ: %q vs %q", known.body, unknown.body)
		}
		e.want(e.do("POST", "/api/v1/auth/password-reset", `{"email":"nope"}`, ""), 400, `"field":"email"`)
		e.want(e.do("POST", "/api/v1/auth/password-reset", `{"email":"gil@example.com","admin":true}`, ""), 400)
		reset := e.box.token(account.MailResetPassword, "gil@example.com")
		e.want(e.do("POST", "/api/v1/auth/password-reset/confirm", `{"token":"`+reset+`","password":"short"}`, ""), 400, `"field":"password"`)
		e.want(e.do("POST", "/api/v1/auth/password-reset/confirm", `{"token":"`+reset+`","password":"brand-new-pass"}`, ""), 204)
		e.want(e.do("POST", "/api/v1/auth/password-reset/confirm", `{"token":"`+reset+`","password":"brand-new-pass"}`, ""), 400, `"code":"token_invalid"`)
		e.want(e.do("GET", "/api/v1/me", ``, s.AccessToken), 401, `"code":"session_revoked"`)
		e.want(e.do("POST", "/api/v1/auth/refresh", `{"refresh_token":"`+s.RefreshToken+`"}`, ""), 401, `"code":"session_revoked"`)

		// Signing in from the registering browser mails no notice; from
		// another device it does.
		login := e.do("POST", "/api/v1/auth/login", `{"email":"gil@example.com","password":"brand-new-pass"}`, "", device...)
		e.want(login, 200)
		if n := e.box.count(account.MailNewSignIn); n != 0 {
			t.Errorf("%d notices for the known browser", n)
		}
		var s2 account.Session
		login.json(t, &s2)

		// E-mail change.
		e.want(e.do("POST", "/api/v1/me/email", `{"email":"gil2@example.com","password":"wrong-password"}`, s2.AccessToken), 400, `"code":"wrong_password"`)
		e.want(e.do("POST", "/api/v1/me/email", `{"email":"gil2@example.com","password":"brand-new-pass"}`, s2.AccessToken), 202)
		change := e.box.token(account.MailConfirmEmail, "gil2@example.com")
		e.want(e.do("POST", "/api/v1/auth/verify-email", `{"token":"`+change+`"}`, ""), 200, `"email":"gil2@example.com"`)
		e.want(e.do("GET", "/api/v1/me", ``, s2.AccessToken), 200, `"email":"gil2@example.com"`)
	})
}
