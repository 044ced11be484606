package accounthttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

func (e *env) login(email, pw, ip string) (account.Session, response) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", `{"email":"`+email+`","password":"`+pw+`"}`, "", ip)
	var s account.Session
	if r.status == 200 {
		r.json(e.t, &s)
	}
	return s, r
}

func (e *env) code(r response) string {
	e.t.Helper()
	var p rest.Problem
	if r.status >= 400 {
		r.json(e.t, &p)
	}
	return strconv.Itoa(r.status) + " " + p.Code
}

// TestRefreshRotationAndReuse: a refresh token works once; presenting it
// again ends the whole session, including the access token and the newer
// refresh token issued from it.
func TestRefreshRotationAndReuse(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s1, r := e.login("customer@example.com", password, "192.0.2.1")
		e.mustStatus(r, 200)
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("token response Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
		}
		r = e.do("POST", "/api/v1/auth/refresh", `{"refresh_token":"`+s1.RefreshToken+`"}`, "")
		e.mustStatus(r, 200)
		var s2 account.Session
		r.json(t, &s2)
		if s2.RefreshToken == s1.RefreshToken || s2.AccessToken == "" || s2.User.ID != id.User(e.ids["customer"]) {
			t.Fatalf("refresh gave %+v", s2)
		}
		e.tokens["s2"] = s2.AccessToken
		e.mustStatus(e.do("GET", "/api/v1/me", "", "s2"), 200)

		before := e.dump()
		r = e.do("POST", "/api/v1/auth/refresh", `{"refresh_token":"`+s1.RefreshToken+`"}`, "")
		if got := e.code(r); got != "401 refresh_token_reused" {
			t.Fatalf("reuse = %s, want 401 refresh_token_reused", got)
		}
		if e.dump() == before {
			t.Errorf("reuse did not revoke the session")
		}
		steps := []struct{ method, path, body, who, want string }{
			{"POST", "/api/v1/auth/refresh", `{"refresh_token":"` + s2.RefreshToken + `"}`, "", "401 session_revoked"},
			{"GET", "/api/v1/me", "", "s2", "401 session_revoked"},
			{"GET", "/api/v1/me", "", "customer", "200 "}, // another session of the user is untouched
		}
		for _, s := range steps {
			if got := e.code(e.do(s.method, s.path, s.body, s.who)); got != s.want {
				t.Errorf("%s %s as %s = %s, want %s", s.method, s.path, s.who, got, s.want)
			}
		}
	})
}

func TestLogout(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s, r := e.login("seller@example.com", password, "")
		e.mustStatus(r, 200)
		e.tokens["s"] = s.AccessToken
		e.mustStatus(e.do("POST", "/api/v1/auth/logout", `{"refresh_token":"`+s.RefreshToken+`"}`, ""), 204)
		for _, tc := range []struct{ method, path, body, who, want string }{
			{"POST", "/api/v1/auth/refresh", `{"refresh_token":"` + s.RefreshToken + `"}`, "", "401 session_revoked"},
			{"GET", "/api/v1/me", "", "s", "401 session_revoked"},
			{"POST", "/api/v1/auth/logout", `{"refresh_token":"` + s.RefreshToken + `"}`, "", "204 "},
		} {
			if got := e.code(e.do(tc.method, tc.path, tc.body, tc.who)); got != tc.want {
				t.Errorf("%s %s = %s, want %s", tc.method, tc.path, got, tc.want)
			}
		}
	})
}

// TestLoginRateLimits: failures slow down the client that made them (3
// free, then a backoff) and an IP failing at many accounts (5 here), never
// the owner signing in from elsewhere.
func TestLoginRateLimits(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		codes := func(steps [][3]string) []string {
			var out []string
			for _, s := range steps {
				_, r := e.login(s[0], s[1], s[2])
				c := e.code(r)
				if r.status == 429 {
					ra, err := strconv.Atoi(r.header.Get("Retry-After"))
					if err != nil || ra < 1 || ra > 60 {
						t.Errorf("Retry-After = %q, want 1..60 seconds", r.header.Get("Retry-After"))
					}
				}
				out = append(out, c)
			}
			return out
		}
		const a, b, c = "198.51.100.1", "198.51.100.2", "198.51.100.3"
		got := codes([][3]string{
			{"customer@example.com", "bad password", a},
			{"customer@example.com", password, a}, // success forgets a's failures
			{"customer@example.com", "bad password", b},
			{"customer@example.com", "bad password", b},
			{"customer@example.com", "bad password", b},
			{"customer@example.com", "bad password", b}, // b's 4th failure in a row: b waits
			{"customer@example.com", password, b},       // b still waits, even with the right password
			{"customer@example.com", password, c},       // the owner from elsewhere is not locked out
			{"nobody@example.com", "bad password", a},   // a fails at many accounts (unknown ones count too)
			{"nobody2@example.com", "bad password", a},
			{"nobody3@example.com", "bad password", a},
			{"nobody4@example.com", "bad password", a}, // 5th failure from a
			{"seller@example.com", password, a},        // the IP waits
			{"seller@example.com", password, c},
		})
		want := []string{"401 invalid_credentials", "200 ", "401 invalid_credentials", "401 invalid_credentials", "401 invalid_credentials",
			"429 rate_limited", "429 rate_limited", "200 ", "401 invalid_credentials", "401 invalid_credentials", "401 invalid_credentials",
			"401 invalid_credentials", "429 rate_limited", "200 "}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("login outcomes (-want +got):\n%s", diff)
		}
	})
}

// TestLoginCannotLockOutOwner: 50 wrong passwords from one IP (which waits
// longer after each) do not stop the owner signing in from another IP,
// nor, with the account under attack from many IPs, from a fresh one.
func TestLoginCannotLockOutOwner(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const attacker, owner = "203.0.113.66", "198.51.100.7"
		var waits []int
		for i := range 50 {
			_, r := e.login("customer@example.com", fmt.Sprintf("guess-%d-xyz", i), attacker)
			switch r.status {
			case 401:
			case 429:
				ra, err := strconv.Atoi(r.header.Get("Retry-After"))
				if err != nil || ra < 1 {
					t.Fatalf("attempt %d: Retry-After = %q, want whole seconds", i, r.header.Get("Retry-After"))
				}
				waits = append(waits, ra)
				e.clock.add(time.Duration(ra) * time.Second) // the attacker waits as told, then guesses again
			default:
				t.Fatalf("attempt %d from the attacker: status %d, want 401 or 429", i, r.status)
			}
		}
		if len(waits) < 10 {
			t.Fatalf("the attacker was refused %d times in 50 attempts, want most of them", len(waits))
		}
		for i := 1; i < len(waits); i++ {
			if waits[i] < waits[i-1] {
				t.Fatalf("Retry-After went down: %v", waits)
			}
		}
		if waits[0] != 1 || waits[len(waits)-1] < 60 {
			t.Errorf("Retry-After = %v, want 1 s at first, growing past a minute", waits)
		}
		if _, r := e.login("customer@example.com", password, owner); r.status != 200 {
			t.Fatalf("owner from another IP after the attack: status %d, want 200", r.status)
		}
		// The owner's success did not forgive the attacker: having waited
		// its last wait, it gets one guess, then waits at least as long.
		e.login("customer@example.com", "still-guessing", attacker)
		if _, r := e.login("customer@example.com", "still-guessing", attacker); r.status != 429 || atoi(r.header.Get("Retry-After")) < waits[len(waits)-1] {
			t.Fatalf("attacker after the owner's sign-in: status %d, Retry-After %s, want 429 after at least %d", r.status, r.header.Get("Retry-After"), waits[len(waits)-1])
		}

		// A distributed attack: 12 IPs, 2 guesses each, put the account
		// under attack; an attacking IP then waits after one failure, but
		// the owner from a fresh IP still signs in at its first try.
		for i := range 12 {
			for j := range 2 {
				e.login("customer2@example.com", fmt.Sprintf("guess-%d-%d-xyz", i, j), fmt.Sprintf("192.0.2.%d", 10+i))
			}
		}
		if _, r := e.login("customer2@example.com", "guess-again-xyz", "192.0.2.21"); r.status != 429 {
			t.Fatalf("attacking IP while the account is under attack: status %d, want 429", r.status)
		}
		if _, r := e.login("customer2@example.com", password, "198.51.100.99"); r.status != 200 {
			t.Fatalf("owner from a fresh IP during the attack: status %d, want 200", r.status)
		}
	})
}

// TestRegisterLimit: registrations are limited per client IP.
func TestRegisterLimit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for i := range 11 {
			r := e.do("POST", "/api/v1/auth/register", fmt.Sprintf(`{"email":"new%d@example.com","password":"%s","name":"New","role":"customer"}`, i, password), "", "198.51.100.20")
			want := 201
			if i == 10 {
				want = 429
			}
			if r.status != want {
				t.Fatalf("registration %d from one IP: status %d, want %d", i+1, r.status, want)
			}
		}
		if r := e.do("POST", "/api/v1/auth/register", `{"email":"other@example.com","password":"`+password+`","name":"Other","role":"customer"}`, "", "198.51.100.21"); r.status != 201 {
			t.Fatalf("registration from another IP: status %d, want 201", r.status)
		}
	})
}

func TestSuspendUser(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		steps := []struct{ method, path, body, who, want string }{
			{"GET", "/api/v1/me", "", "customer", "200 "},
			{"PUT", "/api/v1/admin/user/{customer}/suspend", "", "admin", "200 "},
			{"GET", "/api/v1/me", "", "customer", "401 account_suspended"}, // at once, despite the cache
			{"POST", "/api/v1/auth/login", `{"email":"customer@example.com","password":"` + password + `"}`, "", "401 account_suspended"},
			{"PUT", "/api/v1/admin/user/{customer}/suspend", "", "admin", "200 "}, // idempotent
			{"GET", "/api/v1/admin/user?status=suspended", "", "admin", "200 "},
			{"PUT", "/api/v1/admin/user/{customer}/reinstate", "", "admin", "200 "},
			{"GET", "/api/v1/me", "", "customer", "401 session_revoked"}, // suspension ended the sessions
			{"POST", "/api/v1/auth/login", `{"email":"customer@example.com","password":"` + password + `"}`, "", "200 "},
		}
		for _, s := range steps {
			r := e.do(s.method, s.path, s.body, s.who)
			if got := e.code(r); got != s.want {
				t.Errorf("%s %s = %s, want %s (%s)", s.method, s.path, got, s.want, r.body)
			}
			if strings.Contains(s.path, "status=suspended") && !strings.Contains(r.body, e.ids["customer"]) {
				t.Errorf("suspended list lacks the customer: %s", r.body)
			}
		}
	})
}

func TestChangePassword(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		steps := []struct{ method, path, body, who, want string }{
			{"PUT", "/api/v1/me/password", `{"current_password":"` + password + `","new_password":"a whole new one"}`, "customer", "204 "},
			{"GET", "/api/v1/me", "", "customer", "401 session_revoked"},
			{"POST", "/api/v1/auth/login", `{"email":"customer@example.com","password":"` + password + `"}`, "", "401 invalid_credentials"},
			{"POST", "/api/v1/auth/login", `{"email":"customer@example.com","password":"a whole new one"}`, "", "200 "},
		}
		for _, s := range steps {
			if got := e.code(e.do(s.method, s.path, s.body, s.who)); got != s.want {
				t.Errorf("%s %s = %s, want %s", s.method, s.path, got, s.want)
			}
		}
	})
}

func TestSellerLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("POST", "/api/v1/seller", `{"name":"Café Ünïcode"}`, "seller")
		e.mustStatus(r, 201)
		var s account.Seller
		r.json(t, &s)
		if s.Slug != "cafe-unicode" || !strings.HasPrefix(string(s.ID), "sel_") {
			t.Errorf("store = %+v, want slug cafe-unicode", s)
		}
		e.ids["store"] = string(s.ID)
		r = e.do("POST", "/api/v1/seller", `{"name":"Cafe Unicode"}`, "seller2")
		e.mustStatus(r, 201)
		var s2 account.Seller
		r.json(t, &s2)
		if s2.Slug == s.Slug || !strings.HasPrefix(s2.Slug, "cafe-unicode-") {
			t.Errorf("second slug = %q, want a unique cafe-unicode-...", s2.Slug)
		}
		for _, st := range []struct{ method, path, who, want string }{
			{"PUT", "/api/v1/admin/seller/{store}/suspend", "admin", "200 "},
			{"GET", "/api/v1/seller/{store}", "", "404 not_found"},
			{"GET", "/api/v1/seller/{store}", "seller", "404 not_found"},
			{"GET", "/api/v1/seller/{store}", "admin", "200 "},
			{"GET", "/api/v1/seller/me", "seller", "200 "},
			{"PUT", "/api/v1/admin/seller/{store}/reinstate", "admin", "200 "},
			{"GET", "/api/v1/seller/{store}", "", "200 "},
			{"PUT", "/api/v1/admin/seller/sel_nope/suspend", "admin", "404 not_found"},
		} {
			if got := e.code(e.do(st.method, st.path, "", st.who)); got != st.want {
				t.Errorf("%s %s as %q = %s, want %s", st.method, st.path, st.who, got, st.want)
			}
		}
	})
}

func TestAddressDefaultsAndPaging(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		create := func(name string, def bool) account.Address {
			t.Helper()
			r := e.do("POST", "/api/v1/address", `{"name":"`+name+`","line1":"1 A St","city":"Pune","country":"IN","phone":"+91 20 1234 5678","is_default":`+strconv.FormatBool(def)+`}`, "customer")
			e.mustStatus(r, 201)
			var a account.Address
			r.json(t, &a)
			return a
		}
		defaults := func() []string {
			t.Helper()
			r := e.do("GET", "/api/v1/address?limit=100", "", "customer")
			e.mustStatus(r, 200)
			var p page.Page[account.Address]
			r.json(t, &p)
			var out []string
			for _, a := range p.Items {
				if a.IsDefault {
					out = append(out, a.Name)
				}
			}
			return out
		}
		home := create("home", false)
		work := create("work", false)
		if diff := cmp.Diff([]string{"home"}, defaults()); diff != "" {
			t.Errorf("defaults (-want +got):\n%s", diff)
		}
		create("cabin", true)
		if diff := cmp.Diff([]string{"cabin"}, defaults()); diff != "" {
			t.Errorf("defaults after new default (-want +got):\n%s", diff)
		}
		r := e.do("PUT", string("/api/v1/address/"+work.ID), `{"name":"office","line1":"2 B St","city":"Pune","country":"IN","is_default":true}`, "customer")
		e.mustStatus(r, 200)
		if diff := cmp.Diff([]string{"office"}, defaults()); diff != "" {
			t.Errorf("defaults after update (-want +got):\n%s", diff)
		}
		e.mustStatus(e.do("DELETE", string("/api/v1/address/"+home.ID), "", "customer"), 204)
		e.mustStatus(e.do("GET", string("/api/v1/address/"+home.ID), "", "customer"), 404)

		// Paging walks every address exactly once.
		var seen []string
		cursor := ""
		for range 10 {
			r := e.do("GET", "/api/v1/address?limit=1&cursor="+cursor, "", "customer")
			e.mustStatus(r, 200)
			var p page.Page[account.Address]
			r.json(t, &p)
			for _, a := range p.Items {
				seen = append(seen, a.Name)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if diff := cmp.Diff([]string{"office", "cabin"}, seen); diff != "" {
			t.Errorf("paged addresses (-want +got):\n%s", diff)
		}
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestLoginKnownDeviceBehindFailingIP: an owner behind the same address as
// an attacker (one NAT) signs in from the device it used before, though
// the address is failing at many accounts; without its cookie it waits.
func TestLoginKnownDeviceBehindFailingIP(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const shared = "203.0.113.80"
		login := func(email, pw, cookie string) response {
			req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = shared + ":40000"
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: "bazaar_device", Value: cookie})
			}
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			return response{w.Code, w.Header(), w.Body.String()}
		}
		first := login("customer@example.com", password, "")
		var device string
		for _, c := range (&http.Response{Header: first.header}).Cookies() {
			if c.Name == "bazaar_device" {
				device = c.Value
			}
		}
		if first.status != 200 || device == "" {
			t.Fatalf("first sign-in: %d, device cookie %q", first.status, device)
		}
		for i := range 8 { // the address fails at many accounts: past its 5 free
			login(fmt.Sprintf("stuffed%d@example.com", i), "stuffed-guess-1", "")
		}
		if r := login("customer@example.com", password, ""); r.status != 429 {
			t.Fatalf("the owner without its cookie behind the failing address: %d, want 429", r.status)
		}
		if r := login("customer@example.com", password, device); r.status != 200 {
			t.Fatalf("the owner with its known device cookie: %d, want 200: %s", r.status, r.body)
		}
		if r := login("customer2@example.com", password, device); r.status != 429 {
			t.Fatalf("that cookie at another account (not a device it knows): %d, want 429", r.status)
		}
	})
}
