package accountoidc_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountoidc"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// zitadel starts the zitadel OIDC example server (go install
// github.com/zitadel/oidc/v3/example/server@v3.52.0) on a free port, with
// redirect as its web client's callback, and returns its issuer.
func zitadel(t *testing.T, redirect string) string {
	t.Helper()
	bin, err := exec.LookPath("server")
	if err != nil || !strings.Contains(bin, "go/bin") {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "server")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the zitadel example OIDC server is not installed (%s): go install github.com/zitadel/oidc/v3/example/server@v3.52.0", bin)
		}
		t.Skipf("the zitadel example OIDC server is not installed (%s): go install github.com/zitadel/oidc/v3/example/server@v3.52.0", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "REDIRECT_URI="+redirect)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	issuer := "http://localhost:" + port + "/"
	for i := 0; ; i++ {
		res, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return issuer
			}
		}
		if i > 100 {
			t.Fatalf("the OIDC server did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type env struct {
	t      *testing.T
	db     *sqldb.DB
	api    *httptest.Server
	issuer string
	// skew moves the service's clock ahead of real time (the provider's
	// stays real, so its tokens remain valid).
	skew atomic.Int64
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// The API's address must be known before the provider starts (its
	// redirect URI), and the provider's before the API is built.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	issuer := zitadel(t, base+"/api/v1/auth/oidc/zitadel/callback")
	e := &env{t: t, db: db, issuer: issuer}
	tokens := auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)), 15*time.Minute)
	svc := account.New(accountsql.New(db), tokens, account.Options{
		Providers: []account.IdentityProvider{
			accountoidc.New(accountoidc.Config{Name: "zitadel", Label: "Zitadel", Issuer: issuer, ClientID: "web", ClientSecret: "secret"}),
		},
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) },
	})
	r := rest.NewRouter()
	accounthttp.New(svc, accounthttp.Options{}).Routes(r)
	api := httptest.NewUnstartedServer(tokens.Middleware(svc.Check, rest.Error)(r))
	api.Listener.Close()
	api.Listener = l
	api.Start()
	t.Cleanup(api.Close)
	e.api = api
	return e
}

// browser is a cookie-keeping client that does not follow redirects into
// our web app (there is none here): it stops at them.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.Path, "/signin") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var hiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signIn starts a flow, lets tamper rewrite the provider's authorization
// URL, logs in at the provider and returns where our callback sent the
// browser (its Location) and the callback URL it served.
func (e *env) signIn(b *http.Client, tamper func(*url.URL)) (location string, callback string) {
	t := e.t
	t.Helper()
	noFollow := *b
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noFollow.Get(e.api.URL + "/api/v1/auth/oidc/zitadel")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 302 {
		t.Fatalf("start = %d, want 302", res.StatusCode)
	}
	to, _ := url.Parse(res.Header.Get("Location"))
	if tamper != nil {
		tamper(to)
	}
	q := to.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization URL %s lacks PKCE, nonce or state", to)
	}
	res, err = b.Get(to.String()) // follows to the login form
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := hiddenID.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no login form at %s: %s", res.Request.URL, page)
	}
	login := *res.Request.URL
	login.Path, login.RawQuery = "/login/username", ""
	var cb string
	b2 := *b
	b2.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.Contains(req.URL.Path, "/callback") {
			cb = req.URL.String()
		}
		return b.CheckRedirect(req, via)
	}
	res, err = b2.PostForm(login.String(), url.Values{"id": {string(m[1])}, "username": {"test-user@localhost"}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 {
		t.Fatalf("after the provider's login: %d at %s, want our 303", res.StatusCode, res.Request.URL)
	}
	return res.Header.Get("Location"), cb
}

func (e *env) exchange(b *http.Client, location string) (account.Session, int, string) {
	e.t.Helper()
	u, err := url.Parse(location)
	if err != nil || u.Path != "/signin/oidc" {
		e.t.Fatalf("landed on %q, want /signin/oidc#code=...", location)
	}
	frag, _ := url.ParseQuery(u.Fragment)
	res, err := b.Post(e.api.URL+"/api/v1/auth/oidc/exchange", "application/json", strings.NewReader(`{"code":"`+frag.Get("code")+`"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var s account.Session
	var p rest.Problem
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == 200 {
		_ = json.Unmarshal(body, &s)
	} else {
		_ = json.Unmarshal(body, &p)
	}
	return s, res.StatusCode, p.Code
}

func (e *env) me(token string) (account.User, int) {
	req, _ := http.NewRequest("GET", e.api.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var u account.User
	_ = json.NewDecoder(res.Body).Decode(&u)
	return u, res.StatusCode
}

func oidcError(location string) string {
	u, err := url.Parse(location)
	if err != nil || u.Path != "/signin" {
		return "landed on " + location
	}
	return u.Query().Get("oidc_error")
}

// TestSignInFlow drives the whole flow against a real OpenID Connect
// provider, on both engines.
func TestSignInFlow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)

		// The providers for the sign-in page.
		res, err := http.Get(e.api.URL + "/api/v1/auth/oidc")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := `{"items":[{"name":"zitadel","label":"Zitadel"}]}`; strings.TrimSpace(string(body)) != want {
			t.Errorf("GET /api/v1/auth/oidc = %s, want %s", body, want)
		}

		// First sign-in: a customer is created with the provider's e-mail.
		b := browser(t)
		loc, cb := e.signIn(b, nil)
		s, status, code := e.exchange(b, loc)
		if status != 200 {
			t.Fatalf("exchange = %d %s, want 200", status, code)
		}
		u, st := e.me(s.AccessToken)
		if st != 200 || u.Email != "test-user@zitadel.ch" || u.Role != auth.Customer {
			t.Fatalf("GET /api/v1/me = %d %+v, want the new customer test-user@zitadel.ch", st, u)
		}
		if !u.EmailVerified {
			t.Errorf("email_verified = false for a user whose provider verified the address")
		}
		// The hand-off code works once.
		if _, status, code := e.exchange(b, loc); status != 401 || code != "oidc_code_invalid" {
			t.Errorf("second exchange = %d %s, want 401 oidc_code_invalid", status, code)
		}
		// The callback URL replayed: its state was used.
		res, err = b.Get(cb)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := oidcError(res.Header.Get("Location")); got != "oidc_state_invalid" {
			t.Errorf("reused state: oidc_error = %q, want oidc_state_invalid", got)
		}

		// Second sign-in, another browser session: the same user.
		b2 := browser(t)
		loc, _ = e.signIn(b2, nil)
		s2, status, code := e.exchange(b2, loc)
		if status != 200 || s2.User.ID != u.ID {
			t.Fatalf("second sign-in = %d %s as %s, want 200 as %s", status, code, s2.User.ID, u.ID)
		}
		var links int
		if err := db.Read().QueryRow(`SELECT COUNT(*) FROM account_identities`).Scan(&links); err != nil || links != 1 {
			t.Errorf("identities = %d (%v), want 1", links, err)
		}

		// A nonce other than ours in the ID token is refused.
		loc, _ = e.signIn(browser(t), func(u *url.URL) {
			q := u.Query()
			q.Set("nonce", "attacker-chosen-nonce")
			u.RawQuery = q.Encode()
		})
		if got := oidcError(loc); got != "oidc_nonce_mismatch" {
			t.Errorf("tampered nonce: oidc_error = %q, want oidc_nonce_mismatch", got)
		}

		// A state we never issued is refused.
		loc, _ = e.signIn(browser(t), func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged-state")
			u.RawQuery = q.Encode()
		})
		if got := oidcError(loc); got != "oidc_state_invalid" {
			t.Errorf("unknown state: oidc_error = %q, want oidc_state_invalid", got)
		}

		// A flow whose state outlived OIDCFlowTTL while the user was at the
		// provider is refused, though the provider's answer is genuine.
		loc, _ = e.signIn(browser(t), func(*url.URL) {
			e.skew.Store(int64(account.OIDCFlowTTL + time.Second))
		})
		e.skew.Store(0)
		if got := oidcError(loc); got != "oidc_state_invalid" {
			t.Errorf("expired state: oidc_error = %q, want oidc_state_invalid", got)
		}
		// Just inside the lifetime it still works.
		loc, _ = e.signIn(browser(t), func(*url.URL) {
			e.skew.Store(int64(account.OIDCFlowTTL - time.Minute))
		})
		e.skew.Store(0)
		if u, err := url.Parse(loc); err != nil || u.Path != "/signin/oidc" {
			t.Errorf("state within its lifetime: landed on %q, want /signin/oidc#code=...", loc)
		}

		// An unknown provider.
		res, err = http.Get(e.api.URL + "/api/v1/auth/oidc/nope")
		if err != nil {
			t.Fatal(err)
		}
		var p rest.Problem
		_ = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != 404 || p.Code != "oidc_provider_unknown" {
			t.Errorf("unknown provider = %d %s, want 404 oidc_provider_unknown", res.StatusCode, p.Code)
		}
	})
}
