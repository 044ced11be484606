package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

func newTokens(t *testing.T) *Tokens {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewTokens(key, 15*time.Minute)
}

func TestIssueVerify(t *testing.T) {
	tk := newTokens(t)
	p := Principal{UserID: "usr_1", Role: Seller, SessionID: "ses_1"}
	tok, exp, err := tk.Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("expiry in %v, want about 15m", d)
	}
	got, err := tk.Verify(tok)
	if err != nil || got != p {
		t.Errorf("Verify = %+v, %v; want %+v", got, err, p)
	}
}

func TestVerifyRejects(t *testing.T) {
	tk := newTokens(t)
	good, _, _ := tk.Issue(Principal{UserID: "usr_1", Role: Customer})
	parts := strings.Split(good, ".")

	other := newTokens(t)
	foreign, _, _ := other.Issue(Principal{UserID: "usr_1", Role: Admin})

	expired := newTokens(t)
	expired.key = tk.key
	expired.now = func() time.Time { return time.Now().Add(-time.Hour) }
	old, _, _ := expired.Issue(Principal{UserID: "usr_1", Role: Customer})

	// alg "none": header {"alg":"none","typ":"JWT"}, the same claims, no signature.
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	// HS256 signed with the public key as the HMAC secret (the classic
	// algorithm-confusion attack).
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "usr_1", "role": "admin", "iss": "bazaar", "aud": "bazaar-api", "exp": time.Now().Add(time.Hour).Unix()})
	confused, _ := hs.SignedString([]byte(tk.key.Public().(ed25519.PublicKey)))

	// A payload changed to claim the admin role, signature kept.
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(mustDecode(t, parts[1]), `"customer"`, `"admin"`, 1))) + "." + parts[2]

	wrongAud := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"sub": "usr_1", "role": "customer", "iss": "bazaar", "aud": "someone-else", "exp": time.Now().Add(time.Hour).Unix()})
	aud, _ := wrongAud.SignedString(tk.key)
	noExp := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"sub": "usr_1", "role": "customer", "iss": "bazaar", "aud": "bazaar-api"})
	forever, _ := noExp.SignedString(tk.key)
	badRole := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"sub": "usr_1", "role": "root", "iss": "bazaar", "aud": "bazaar-api", "exp": time.Now().Add(time.Hour).Unix()})
	root, _ := badRole.SignedString(tk.key)

	tests := map[string]struct {
		token, code string
	}{
		"other key":      {foreign, "invalid_token"},
		"expired":        {old, "token_expired"},
		"alg none":       {none, "invalid_token"},
		"alg confusion":  {confused, "invalid_token"},
		"tampered":       {tampered, "invalid_token"},
		"wrong audience": {aud, "invalid_token"},
		"no expiry":      {forever, "invalid_token"},
		"unknown role":   {root, "invalid_token"},
		"garbage":        {"not.a.token", "invalid_token"},
	}
	for name, tt := range tests {
		if _, err := tk.Verify(tt.token); apperr.CodeOf(err) != tt.code || !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("%s: Verify = %v, want unauthorized %s", name, err, tt.code)
		}
	}
}

func mustDecode(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMiddleware(t *testing.T) {
	tk := newTokens(t)
	var seen *Principal
	h := tk.Middleware(func(ctx context.Context, p Principal) (Principal, error) {
		if p.UserID == "usr_suspended" {
			return Principal{}, apperr.Unauthorized("account_suspended", "suspended")
		}
		return p, nil
	}, func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(apperr.CodeOf(err)))
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := From(r.Context())
		if ok {
			seen = &p
		}
	}))
	good, _, _ := tk.Issue(Principal{UserID: "usr_1", Role: Customer})
	suspended, _, _ := tk.Issue(Principal{UserID: "usr_suspended", Role: Customer})
	tests := []struct {
		header, wantCode string
		wantUser         id.User
	}{
		{"", "", ""},
		{"Bearer " + good, "", "usr_1"},
		{"bearer " + good, "", "usr_1"},
		{"Basic dXNlcjpwYXNz", "invalid_token", ""},
		{"Bearer ", "invalid_token", ""},
		{"Bearer " + suspended, "account_suspended", ""},
	}
	for _, tt := range tests {
		seen = nil
		req := httptest.NewRequest("GET", "/", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if tt.wantCode != "" {
			if rec.Code != 401 || rec.Body.String() != tt.wantCode {
				t.Errorf("%q: got %d %s, want 401 %s", tt.header, rec.Code, rec.Body, tt.wantCode)
			}
			continue
		}
		switch {
		case tt.wantUser == "" && seen != nil:
			t.Errorf("%q: principal %+v, want anonymous", tt.header, *seen)
		case tt.wantUser != "" && (seen == nil || seen.UserID != tt.wantUser):
			t.Errorf("%q: principal %v, want %s", tt.header, seen, tt.wantUser)
		}
	}
}

func TestRequire(t *testing.T) {
	if _, err := Require(context.Background()); !apperr.Is(err, apperr.KindUnauthorized) {
		t.Errorf("Require(anonymous) = %v, want unauthorized", err)
	}
	ctx := With(context.Background(), Principal{UserID: "usr_1", Role: Customer})
	if _, err := Require(ctx, Admin, Support); !apperr.Is(err, apperr.KindForbidden) {
		t.Errorf("Require(customer, admin|support) = %v, want forbidden", err)
	}
	if p, err := Require(ctx, Customer); err != nil || p.UserID != "usr_1" {
		t.Errorf("Require(customer, customer) = %+v, %v", p, err)
	}
}

func TestLoadKeyPersistsAndAcceptsEnv(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadKey("", dir)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second LoadKey = %v; want the same key from the file", err)
	}
	seed := make([]byte, 32)
	k3, err := LoadKey(base64.StdEncoding.EncodeToString(seed), dir)
	if err != nil || !k3.Equal(ed25519.NewKeyFromSeed(seed)) {
		t.Errorf("LoadKey(env) = %v; want the key from the seed", err)
	}
	if _, err := LoadKey("short", dir); err == nil {
		t.Error("LoadKey(bad env) succeeded, want error")
	}
}
