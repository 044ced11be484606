package accounthttp_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

const password = "correct horse battery"

type env struct {
	t      *testing.T
	db     *sqldb.DB
	svc    *account.Service
	key    ed25519.PrivateKey
	h      http.Handler
	tokens map[string]string // who -> access token
	users  map[string]account.User
	ids    map[string]string // placeholder -> ID
	clock  *testClock
}

// testClock is the wall clock plus an offset tests move forward.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	tokens := auth.NewTokens(key, 15*time.Minute)
	clock := &testClock{}
	svc := account.New(accountsql.New(db), tokens, account.Options{
		IPBackoff: ratelimit.Backoff{Free: 5, Base: time.Second, Max: time.Minute},
		Now:       clock.now,
	})
	r := rest.NewRouter()
	accounthttp.New(svc, accounthttp.Options{}).Routes(r)
	e := &env{t: t, db: db, svc: svc, key: key, h: tokens.Middleware(svc.Check, rest.Error)(r),
		tokens: map[string]string{}, users: map[string]account.User{}, ids: map[string]string{}, clock: clock}
	for who, role := range map[string]auth.Role{"admin": auth.Admin, "customer": auth.Customer, "customer2": auth.Customer,
		"seller": auth.Seller, "seller2": auth.Seller} {
		u, err := svc.CreateUser(ctx, account.NewUser{Email: who + "@example.com", Password: password, Name: who, Role: role})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", who, err)
		}
		s, err := svc.Login(ctx, account.Credentials{Email: u.Email, Password: password}, account.Client{})
		if err != nil {
			t.Fatalf("Login(%s): %v", who, err)
		}
		e.users[who], e.tokens[who], e.ids[who] = u, s.AccessToken, string(u.ID)
	}
	return e
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// do sends a request as who (a key of e.tokens, "" for anonymous, or a raw
// "Bearer ..." value) from ip.
func (e *env) do(method, path, body, who string, ip ...string) response {
	e.t.Helper()
	for k, v := range e.ids {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := e.tokens[who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if who != "" {
		req.Header.Set("Authorization", who)
	}
	if len(ip) > 0 {
		req.RemoteAddr = ip[0] + ":40000"
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return response{w.Code, w.Header(), w.Body.String()}
}

// dump is every account row and event, to prove a refused request changed
// nothing.
func (e *env) dump() string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, email, name, role, status, password_hash, updated_at FROM account_users ORDER BY id`,
		`SELECT id, user_id, revoked_at FROM account_sessions ORDER BY id`,
		`SELECT hash, session_id, used_at FROM account_refresh_tokens ORDER BY hash`,
		`SELECT id, user_id, slug, status, updated_at FROM account_sellers ORDER BY id`,
		`SELECT id, user_id, name, is_default, updated_at FROM account_addresses ORDER BY id`,
		`SELECT id, topic FROM event_outbox ORDER BY id`,
	} {
		rows, err := e.db.Read().Query(q)
		if err != nil {
			e.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func (e *env) mustStatus(r response, want int) {
	e.t.Helper()
	if r.status != want {
		e.t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
}

func jwtPart(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newEnv(t, db)) })
}

func TestScenarios(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Fixtures: a store for seller2, an address for customer2.
		sel, err := e.svc.OpenStore(auth.With(ctx, auth.Principal{UserID: id.User(e.ids["seller2"]), Role: auth.Seller}), account.NewSeller{Name: "Second Shop"})
		if err != nil {
			t.Fatal(err)
		}
		e.ids["store2"] = string(sel.ID)
		adr, err := e.svc.CreateAddress(auth.With(ctx, auth.Principal{UserID: id.User(e.ids["customer2"])}),
			account.AddressInput{Name: "C2", Line1: "2 Elm St", City: "Paris", Country: "FR"})
		if err != nil {
			t.Fatal(err)
		}
		e.ids["addr2"] = string(adr.ID)

		// Tokens that must be refused.
		expired, _, _ := auth.NewTokens(e.key, -time.Minute).Issue(auth.Principal{UserID: id.User(e.ids["customer"]), Role: auth.Customer, SessionID: "ses_x"})
		e.tokens["expired"] = expired
		good := e.tokens["customer"]
		parts := strings.Split(good, ".")
		claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := strings.Replace(string(claims), `"role":"customer"`, `"role":"admin"`, 1)
		e.tokens["tampered"] = parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
		e.tokens["alg_none"] = jwtPart(map[string]string{"alg": "none", "typ": "JWT"}) + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "."
		otherKey := ed25519.NewKeyFromSeed([]byte("another-key-another-key-another-"))
		e.tokens["wrong_key"], _, _ = auth.NewTokens(otherKey, time.Minute).Issue(auth.Principal{UserID: id.User(e.ids["admin"]), Role: auth.Admin})

		addr := `{"name":"Home","line1":"1 Main St","city":"Springfield","country":"us"}`
		tests := []struct {
			name      string
			method    string
			path      string
			body      string
			who       string
			status    int
			fragments []string
			changes   bool // the request may change state
		}{
			// Registration.
			{"register customer", "POST", "/api/v1/auth/register", `{"email":" New@Example.com ","password":"longenough","name":"New","role":"customer"}`, "", 201,
				[]string{`"token_type":"Bearer"`, `"expires_in":900`, `"email":"new@example.com"`, `"refresh_token":"`}, true},
			{"register taken email", "POST", "/api/v1/auth/register", `{"email":"CUSTOMER@example.com","password":"longenough","name":"X","role":"customer"}`, "", 409, []string{`"code":"email_taken"`}, false},
			{"register admin role", "POST", "/api/v1/auth/register", `{"email":"a@example.com","password":"longenough","name":"X","role":"admin"}`, "", 400, []string{`"field":"role"`}, false},
			{"register malformed json", "POST", "/api/v1/auth/register", `{"email":`, "", 400, []string{`"code":"malformed_json"`, "application/problem+json"}, false},
			{"register unknown field", "POST", "/api/v1/auth/register", `{"email":"u@example.com","password":"longenough","name":"X","role":"customer","status":"active"}`, "", 400, []string{`"code":"unknown_field"`, `"field":"status"`}, false},
			{"register missing fields", "POST", "/api/v1/auth/register", `{}`, "", 400,
				[]string{`"code":"validation_failed"`, `"field":"email"`, `"field":"password"`, `"field":"name"`, `"field":"role"`}, false},
			{"register bad email and short password", "POST", "/api/v1/auth/register", `{"email":"nope","password":"short","name":"X","role":"seller"}`, "", 400,
				[]string{`"field":"email"`, `"field":"password"`}, false},
			{"register empty body", "POST", "/api/v1/auth/register", ``, "", 400, []string{`"code":"empty_body"`}, false},

			// Login.
			{"login", "POST", "/api/v1/auth/login", `{"email":"Customer@Example.com","password":"` + password + `"}`, "", 200, []string{`"access_token":"`, `"role":"customer"`}, true},
			{"login wrong password", "POST", "/api/v1/auth/login", `{"email":"seller@example.com","password":"wrong password"}`, "", 401, []string{`"code":"invalid_credentials"`}, true},
			{"login unknown email", "POST", "/api/v1/auth/login", `{"email":"ghost@example.com","password":"wrong password"}`, "", 401, []string{`"code":"invalid_credentials"`}, true},
			{"login missing fields", "POST", "/api/v1/auth/login", `{}`, "", 400, []string{`"field":"email"`, `"field":"password"`}, false},
			{"login unknown field", "POST", "/api/v1/auth/login", `{"email":"x@example.com","password":"p","role":"admin"}`, "", 400, []string{`"code":"unknown_field"`}, false},

			// Refresh and logout input.
			{"refresh missing token", "POST", "/api/v1/auth/refresh", `{}`, "", 400, []string{`"field":"refresh_token"`}, false},
			{"refresh garbage token", "POST", "/api/v1/auth/refresh", `{"refresh_token":"abc"}`, "", 401, []string{`"code":"invalid_refresh_token"`}, false},
			{"refresh unknown token", "POST", "/api/v1/auth/refresh", `{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, "", 401, []string{`"code":"invalid_refresh_token"`}, false},
			{"logout unknown token", "POST", "/api/v1/auth/logout", `{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, "", 204, nil, false},
			{"logout malformed", "POST", "/api/v1/auth/logout", `[1]`, "", 400, []string{`"code":"validation_failed"`}, false},

			// Tokens.
			{"me", "GET", "/api/v1/me", "", "customer", 200, []string{`"email":"customer@example.com"`, `"status":"active"`}, false},
			{"me anonymous", "GET", "/api/v1/me", "", "", 401, []string{`"code":"unauthenticated"`}, false},
			{"me expired token", "GET", "/api/v1/me", "", "expired", 401, []string{`"code":"token_expired"`}, false},
			{"me tampered token", "GET", "/api/v1/me", "", "tampered", 401, []string{`"code":"invalid_token"`}, false},
			{"me alg none token", "GET", "/api/v1/me", "", "alg_none", 401, []string{`"code":"invalid_token"`}, false},
			{"me token of another key", "GET", "/api/v1/me", "", "wrong_key", 401, []string{`"code":"invalid_token"`}, false},
			{"me basic auth", "GET", "/api/v1/me", "", "Basic dXNlcjpwYXNz", 401, []string{`"code":"invalid_token"`}, false},
			{"admin route with tampered token", "GET", "/api/v1/admin/user", "", "tampered", 401, nil, false},
			{"update me", "PUT", "/api/v1/me", `{"name":"  Ana  "}`, "customer", 200, []string{`"name":"Ana"`}, true},
			{"update me cannot set role", "PUT", "/api/v1/me", `{"name":"Ana","role":"admin"}`, "customer", 400, []string{`"code":"unknown_field"`}, false},
			{"update me missing name", "PUT", "/api/v1/me", `{}`, "customer", 400, []string{`"field":"name"`}, false},
			{"change password wrong current", "PUT", "/api/v1/me/password", `{"current_password":"nope nope","new_password":"brand new pw"}`, "customer2", 400, []string{`"code":"wrong_password"`}, false},
			{"change password too short", "PUT", "/api/v1/me/password", `{"current_password":"` + password + `","new_password":"short"}`, "customer2", 400, []string{`"field":"new_password"`}, false},

			// Sellers.
			{"open store as customer", "POST", "/api/v1/seller", `{"name":"Shop"}`, "customer", 403, []string{`"code":"forbidden"`}, false},
			{"open store anonymous", "POST", "/api/v1/seller", `{"name":"Shop"}`, "", 401, nil, false},
			{"open store missing name", "POST", "/api/v1/seller", `{}`, "seller", 400, []string{`"field":"name"`}, false},
			{"open store cannot set status", "POST", "/api/v1/seller", `{"name":"Shop","status":"active"}`, "seller", 400, []string{`"code":"unknown_field"`}, false},
			{"open store cannot set owner", "POST", "/api/v1/seller", `{"name":"Shop","user_id":"{seller2}"}`, "seller", 400, []string{`"code":"unknown_field"`}, false},
			{"open store", "POST", "/api/v1/seller", `{"name":"Second Shop!","description":"Things"}`, "seller", 201,
				[]string{`"slug":"second-shop-`, `"status":"active"`, `"user_id":"` + e.ids["seller"] + `"`}, true},
			{"open second store", "POST", "/api/v1/seller", `{"name":"Third"}`, "seller2", 409, []string{`"code":"seller_exists"`}, false},
			{"seller public", "GET", "/api/v1/seller/{store2}", "", "", 200, []string{`"name":"Second Shop"`, `"slug":"second-shop"`}, false},
			{"seller missing", "GET", "/api/v1/seller/sel_nope", "", "", 404, []string{`"code":"not_found"`}, false},
			{"my seller", "GET", "/api/v1/seller/me", "", "seller2", 200, []string{`"id":"` + e.ids["store2"] + `"`}, false},
			{"my seller none", "GET", "/api/v1/seller/me", "", "customer", 404, nil, false},

			// Addresses.
			{"create address", "POST", "/api/v1/address", addr, "customer", 201, []string{`"country":"US"`, `"is_default":true`, `"id":"adr_`}, true},
			{"create address bad country", "POST", "/api/v1/address", `{"name":"H","line1":"1","city":"C","country":"XX"}`, "customer", 400, []string{`"field":"country"`}, false},
			{"create address missing fields", "POST", "/api/v1/address", `{}`, "customer", 400, []string{`"field":"name"`, `"field":"line1"`, `"field":"city"`, `"field":"country"`}, false},
			{"create address cannot set owner", "POST", "/api/v1/address", `{"name":"H","line1":"1","city":"C","country":"US","user_id":"{customer2}"}`, "customer", 400, []string{`"code":"unknown_field"`}, false},
			{"create address anonymous", "POST", "/api/v1/address", addr, "", 401, nil, false},
			{"get another's address", "GET", "/api/v1/address/{addr2}", "", "customer", 404, []string{`"code":"not_found"`}, false},
			{"update another's address", "PUT", "/api/v1/address/{addr2}", addr, "customer", 404, []string{`"code":"not_found"`}, false},
			{"delete another's address", "DELETE", "/api/v1/address/{addr2}", "", "customer", 404, []string{`"code":"not_found"`}, false},
			{"update missing address", "PUT", "/api/v1/address/adr_nope", addr, "customer", 404, nil, false},
			{"list addresses shows only mine", "GET", "/api/v1/address", "", "customer2", 200, []string{`"id":"` + e.ids["addr2"] + `"`}, false},
			{"get my address", "GET", "/api/v1/address/{addr2}", "", "customer2", 200, []string{`"city":"Paris"`}, false},
			{"address list bad limit", "GET", "/api/v1/address?limit=1000", "", "customer2", 400, []string{`"field":"limit"`}, false},
			{"address list bad cursor", "GET", "/api/v1/address?cursor=zzz", "", "customer2", 400, []string{`"field":"cursor"`}, false},

			// Admin.
			{"admin list users", "GET", "/api/v1/admin/user?role=seller", "", "admin", 200, []string{`"email":"seller@example.com"`, `"email":"seller2@example.com"`}, false},
			{"admin list bad role", "GET", "/api/v1/admin/user?role=king", "", "admin", 400, []string{`"field":"role"`}, false},
			{"customer lists users", "GET", "/api/v1/admin/user", "", "customer", 403, nil, false},
			{"anonymous lists users", "GET", "/api/v1/admin/user", "", "", 401, nil, false},
			{"customer suspends user", "PUT", "/api/v1/admin/user/{customer2}/suspend", "", "customer", 403, nil, false},
			{"seller suspends store", "PUT", "/api/v1/admin/seller/{store2}/suspend", "", "seller", 403, nil, false},
			{"admin suspends self", "PUT", "/api/v1/admin/user/{admin}/suspend", "", "admin", 409, []string{`"code":"cannot_suspend_self"`}, false},
			{"admin suspends missing", "PUT", "/api/v1/admin/user/usr_nope/suspend", "", "admin", 404, nil, false},
			{"admin creates support", "POST", "/api/v1/admin/user", `{"email":"help@example.com","password":"longenough","name":"Help","role":"support"}`, "admin", 201, []string{`"role":"support"`}, true},
			{"customer creates admin", "POST", "/api/v1/admin/user", `{"email":"evil@example.com","password":"longenough","name":"Evil","role":"admin"}`, "customer", 403, nil, false},
			{"admin lists sellers", "GET", "/api/v1/admin/seller", "", "admin", 200, []string{e.ids["store2"]}, false},
			{"unknown route", "GET", "/api/v1/me/nothing", "", "customer", 404, []string{`"code":"route_not_found"`}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				before := e.dump()
				r := e.do(tt.method, tt.path, tt.body, tt.who, "192.0.2.10")
				if r.status != tt.status {
					t.Fatalf("%s %s = %d, want %d; body %s", tt.method, tt.path, r.status, tt.status, r.body)
				}
				got := r.body + " " + r.header.Get("Content-Type")
				for _, f := range tt.fragments {
					if !strings.Contains(got, f) {
						t.Errorf("%s %s body lacks %s:\n%s", tt.method, tt.path, f, r.body)
					}
				}
				if r.status >= 400 && r.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("error Content-Type = %q, want application/problem+json", r.header.Get("Content-Type"))
				}
				if after := e.dump(); !tt.changes && after != before {
					t.Errorf("%s %s changed state:\nbefore:\n%s\nafter:\n%s", tt.method, tt.path, before, after)
				}
			})
		}
	})
}
