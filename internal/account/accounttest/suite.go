// Package accounttest holds the contract suite every account.Store must pass
// and fixtures for tests of code that uses accounts.
package accounttest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// StoreSuite checks that the store made by open (a fresh, empty one per
// call) honours the account.Store contract.
func StoreSuite(t *testing.T, open func(t *testing.T) account.Store) {
	t.Run("users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("sellers", func(t *testing.T) { testSellers(t, open(t)) })
	t.Run("addresses", func(t *testing.T) { testAddresses(t, open(t)) })
	t.Run("mail tokens", func(t *testing.T) { testMailTokens(t, open(t)) })
	t.Run("devices", func(t *testing.T) { testDevices(t, open(t)) })
}

func testMailTokens(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s, auth.Seller)
	tok := func(hash string, p account.Purpose, email string, ttl time.Duration) account.Token {
		return account.Token{Hash: hash, UserID: u.ID, Purpose: p, Email: email, CreatedAt: t0, ExpiresAt: t0.Add(ttl)}
	}
	for _, tk := range []account.Token{
		tok("v1", account.PurposeVerifyEmail, u.Email, time.Hour),
		tok("v2", account.PurposeVerifyEmail, u.Email, time.Hour), // supersedes v1
		tok("r1", account.PurposeResetPassword, u.Email, time.Hour),
	} {
		if err := s.CreateToken(ctx, tk); err != nil {
			t.Fatalf("CreateToken(%s): %v", tk.Hash, err)
		}
	}
	_, err := s.Token(ctx, "v1")
	wantCode(t, "Token(superseded)", err, apperr.KindNotFound, "")
	if got, err := s.Token(ctx, "r1"); err != nil || got.Purpose != account.PurposeResetPassword || got.UsedAt != nil || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("Token(r1) = %+v, %v", got, err)
	}
	_, err = s.UseToken(ctx, "v2", account.PurposeResetPassword, t0, "h")
	wantCode(t, "UseToken(other purpose)", err, apperr.KindInvalid, "token_invalid")
	_, err = s.UseToken(ctx, "v2", account.PurposeVerifyEmail, t0.Add(time.Hour), "")
	wantCode(t, "UseToken(expired)", err, apperr.KindInvalid, "token_invalid")
	got, err := s.UseToken(ctx, "v2", account.PurposeVerifyEmail, t0.Add(time.Minute), "")
	if err != nil || !got.EmailVerified {
		t.Fatalf("UseToken(verify) = %+v, %v", got, err)
	}
	_, err = s.UseToken(ctx, "v2", account.PurposeVerifyEmail, t0.Add(time.Minute), "")
	wantCode(t, "UseToken(used)", err, apperr.KindInvalid, "token_invalid")

	// A reset sets the hash and ends every session.
	if err := s.CreateSession(ctx, account.RefreshToken{Hash: "rt-1", SessionID: "ses_reset", UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseToken(ctx, "r1", account.PurposeResetPassword, t0.Add(time.Minute), "new-hash"); err != nil {
		t.Fatalf("UseToken(reset) = %v", err)
	}
	if h, _ := s.PasswordHash(ctx, u.ID); h != "new-hash" {
		t.Errorf("hash after reset = %q", h)
	}
	if a, _ := s.Access(ctx, u.ID, "ses_reset"); a.SessionActive {
		t.Error("a session survived the reset")
	}

	// An e-mail change: a taken address is refused and the token stays; a
	// free one moves the user, and links to the old address die.
	other := mustCreateUser(t, s, auth.Customer)
	for _, tk := range []account.Token{tok("c1", account.PurposeChangeEmail, other.Email, time.Hour), tok("v3", account.PurposeVerifyEmail, u.Email, time.Hour)} {
		if err := s.CreateToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.UseToken(ctx, "c1", account.PurposeChangeEmail, t0.Add(time.Minute), "")
	wantCode(t, "UseToken(change to a taken address)", err, apperr.KindConflict, "email_taken")
	if tk, err := s.Token(ctx, "c1"); err != nil || tk.UsedAt != nil {
		t.Errorf("after a refused change the token = %+v, %v; want unused", tk, err)
	}
	if err := s.CreateToken(ctx, tok("c2", account.PurposeChangeEmail, "moved-"+u.Email, time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = s.UseToken(ctx, "c2", account.PurposeChangeEmail, t0.Add(time.Minute), "")
	if err != nil || got.Email != "moved-"+u.Email || !got.EmailVerified {
		t.Fatalf("UseToken(change) = %+v, %v", got, err)
	}
	_, err = s.Token(ctx, "v3")
	wantCode(t, "Token(a link to the old address)", err, apperr.KindNotFound, "")

	if _, err := s.SetEmailVerified(ctx, u.ID, "not-the-address@example.com", t0); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("SetEmailVerified(other address) = %v, want NotFound", err)
	}
	if err := s.CreateToken(ctx, tok("old", account.PurposeResetPassword, got.Email, time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredMailTokens(ctx, t0.Add(2*time.Minute)); err != nil || n < 1 {
		t.Errorf("DeleteExpiredMailTokens = %d, %v", n, err)
	}
	_, err = s.Token(ctx, "old")
	wantCode(t, "Token(expired, purged)", err, apperr.KindNotFound, "")
}

func testDevices(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s, auth.Customer)
	remember := func(at time.Time, keys ...string) (bool, bool) {
		t.Helper()
		known, first, err := s.RememberDevice(ctx, u.ID, keys, at)
		if err != nil {
			t.Fatalf("RememberDevice(%v): %v", keys, err)
		}
		return known, first
	}
	if known, first := remember(t0, "laptop", "laptop-net"); known || !first {
		t.Errorf("first device: known %v first %v, want false true", known, first)
	}
	if known, first := remember(t0.Add(time.Hour), "phone", "laptop-net"); !known || first {
		t.Errorf("a key seen before: known %v first %v, want true false", known, first)
	}
	if known, _ := remember(t0.Add(2*time.Hour), "tablet"); known {
		t.Error("a new device was known")
	}
	for key, want := range map[string]bool{"phone": true, "laptop-net": true, "toaster": false} {
		if got, err := s.KnownDevice(ctx, u.ID, key); err != nil || got != want {
			t.Errorf("KnownDevice(%s) = %v, %v; want %v", key, got, err, want)
		}
	}
	if n, err := s.ForgetDevices(ctx, t0.Add(24*time.Hour)); err != nil || n != 3 {
		t.Errorf("ForgetDevices = %d, %v; want 3 (the latest, tablet, kept)", n, err)
	}
	if known, first := remember(t0.Add(48*time.Hour), "tablet"); !known || first {
		t.Errorf("the latest device after forgetting: known %v first %v, want true false", known, first)
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// NewUser returns a user to store, with a fresh ID and e-mail.
func NewUser(role auth.Role) account.User {
	uid := id.Make[id.User]()
	return account.User{ID: uid, Email: string(uid + "@example.com"), Name: "User " + string(uid[len(uid)-4:]), Role: role,
		Status: account.UserActive, CreatedAt: t0, UpdatedAt: t0}
}

func mustCreateUser(t *testing.T, s account.Store, role auth.Role) account.User {
	t.Helper()
	u := NewUser(role)
	if err := s.CreateUser(context.Background(), u, "hash-"+string(u.ID)); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

func wantCode(t *testing.T, what string, err error, kind apperr.Kind, code string) {
	t.Helper()
	if !apperr.Is(err, kind) || (code != "" && apperr.CodeOf(err) != code) {
		t.Errorf("%s: err = %v (kind %v, code %q), want kind %v code %q", what, err, apperr.KindOf(err), apperr.CodeOf(err), kind, code)
	}
}

func testUsers(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s, auth.Customer)

	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("User mismatch (-want +got):\n%s", diff)
	}
	if got, err := s.UserByEmail(ctx, u.Email); err != nil || got.ID != u.ID {
		t.Errorf("UserByEmail = %v, %v, want %s", got.ID, err, u.ID)
	}
	gotU, hash, err := s.UserCredentials(ctx, u.Email)
	if err != nil || gotU.ID != u.ID || hash != "hash-"+string(u.ID) {
		t.Errorf("UserCredentials = %s, %q, %v; want %s, %q", gotU.ID, hash, err, u.ID, "hash-"+u.ID)
	}
	if h, err := s.PasswordHash(ctx, u.ID); err != nil || h != "hash-"+string(u.ID) {
		t.Errorf("PasswordHash = %q, %v", h, err)
	}

	_, err = s.User(ctx, "usr_missing")
	wantCode(t, "User(missing)", err, apperr.KindNotFound, "")
	_, err = s.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, "UserByEmail(missing)", err, apperr.KindNotFound, "")
	_, _, err = s.UserCredentials(ctx, "nobody@example.com")
	wantCode(t, "UserCredentials(missing)", err, apperr.KindNotFound, "")

	dup := NewUser(auth.Seller)
	dup.Email = u.Email
	wantCode(t, "CreateUser(same email)", s.CreateUser(ctx, dup, "h"), apperr.KindConflict, "email_taken")
	if _, err := s.User(ctx, dup.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("user with a taken e-mail was stored: %v", err)
	}

	// Name and password changes.
	t1 := t0.Add(time.Hour)
	renamed, err := s.SetUserName(ctx, u.ID, "Ana Lima", t1)
	if err != nil || renamed.Name != "Ana Lima" || !renamed.UpdatedAt.Equal(t1) {
		t.Errorf("SetUserName = %+v, %v", renamed, err)
	}
	_, err = s.SetUserName(ctx, "usr_missing", "x", t1)
	wantCode(t, "SetUserName(missing)", err, apperr.KindNotFound, "")
	wantCode(t, "SetPassword(missing)", s.SetPassword(ctx, "usr_missing", "h", t1), apperr.KindNotFound, "")

	// Status changes are idempotent.
	for _, st := range []account.UserStatus{account.UserSuspended, account.UserSuspended, account.UserActive} {
		got, err := s.SetUserStatus(ctx, u.ID, st, t1)
		if err != nil || got.Status != st {
			t.Errorf("SetUserStatus(%s) = %s, %v", st, got.Status, err)
		}
	}
	_, err = s.SetUserStatus(ctx, "usr_missing", account.UserSuspended, t1)
	wantCode(t, "SetUserStatus(missing)", err, apperr.KindNotFound, "")

	// Listing: filters and keyset paging.
	var sellers []id.User
	for range 3 {
		sellers = append(sellers, mustCreateUser(t, s, auth.Seller).ID)
	}
	if _, err := s.SetUserStatus(ctx, sellers[1], account.UserSuspended, t1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    account.UserFilter
		want []id.User
	}{
		{account.UserFilter{Limit: 10}, append([]id.User{u.ID}, sellers...)},
		{account.UserFilter{Role: auth.Seller, Limit: 10}, sellers},
		{account.UserFilter{Role: auth.Seller, Limit: 2}, sellers[:2]},
		{account.UserFilter{Role: auth.Seller, After: string(sellers[0]), Limit: 10}, sellers[1:]},
		{account.UserFilter{Status: account.UserSuspended, Limit: 10}, sellers[1:2]},
		{account.UserFilter{Role: auth.Admin, Limit: 10}, nil},
	}
	for _, tt := range tests {
		got, err := s.Users(ctx, tt.f)
		if err != nil {
			t.Fatalf("Users(%+v): %v", tt.f, err)
		}
		var ids []id.User
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("Users(%+v) mismatch (-want +got):\n%s", tt.f, diff)
		}
	}
}

func newToken(u account.User, session string, expires time.Time) account.RefreshToken {
	return account.RefreshToken{Hash: account.HashToken(id.New("tok")), SessionID: id.Session(session), UserID: u.ID, CreatedAt: t0, ExpiresAt: expires}
}

func testSessions(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s, auth.Customer)
	exp := t0.Add(24 * time.Hour)

	first := newToken(u, string(id.Make[id.Session]()), exp)
	if err := s.CreateSession(ctx, first); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	a, err := s.Access(ctx, u.ID, first.SessionID)
	if diff := cmp.Diff(account.Access{Role: auth.Customer, Status: account.UserActive, SessionActive: true}, a); err != nil || diff != "" {
		t.Errorf("Access = %v (-want +got):\n%s", err, diff)
	}
	if a, _ := s.Access(ctx, u.ID, "ses_other"); a.SessionActive {
		t.Errorf("Access(unknown session).SessionActive = true")
	}
	_, err = s.Access(ctx, "usr_missing", first.SessionID)
	wantCode(t, "Access(missing user)", err, apperr.KindNotFound, "")
	other := mustCreateUser(t, s, auth.Customer)
	if a, _ := s.Access(ctx, other.ID, first.SessionID); a.SessionActive {
		t.Errorf("Access(another user's session).SessionActive = true")
	}

	// Rotation: first -> second -> third.
	now := t0.Add(time.Minute)
	second := account.HashToken("second")
	g, err := s.RotateRefreshToken(ctx, first.Hash, second, now, exp)
	if diff := cmp.Diff(account.Grant{SessionID: first.SessionID, UserID: u.ID}, g); err != nil || diff != "" {
		t.Fatalf("Rotate(first) = %v (-want +got):\n%s", err, diff)
	}
	third := account.HashToken("third")
	if _, err := s.RotateRefreshToken(ctx, second, third, now, exp); err != nil {
		t.Fatalf("Rotate(second): %v", err)
	}
	_, err = s.RotateRefreshToken(ctx, account.HashToken("never issued"), account.HashToken("x"), now, exp)
	wantCode(t, "Rotate(unknown)", err, apperr.KindUnauthorized, "invalid_refresh_token")

	// Reusing first revokes the family: third stops working too.
	g, err = s.RotateRefreshToken(ctx, first.Hash, account.HashToken("x2"), now, exp)
	wantCode(t, "Rotate(reused)", err, apperr.KindUnauthorized, "refresh_token_reused")
	if g.SessionID != first.SessionID {
		t.Errorf("Rotate(reused) grant session = %q, want %q", g.SessionID, first.SessionID)
	}
	_, err = s.RotateRefreshToken(ctx, third, account.HashToken("x3"), now, exp)
	wantCode(t, "Rotate(after family revoked)", err, apperr.KindUnauthorized, "session_revoked")
	if a, _ := s.Access(ctx, u.ID, first.SessionID); a.SessionActive {
		t.Errorf("session still active after reuse")
	}

	// Expiry.
	short := newToken(u, string(id.Make[id.Session]()), t0.Add(time.Hour))
	if err := s.CreateSession(ctx, short); err != nil {
		t.Fatal(err)
	}
	_, err = s.RotateRefreshToken(ctx, short.Hash, account.HashToken("x4"), t0.Add(2*time.Hour), exp)
	wantCode(t, "Rotate(expired)", err, apperr.KindUnauthorized, "invalid_refresh_token")
	if n, err := s.DeleteExpiredTokens(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("DeleteExpiredTokens = %d, %v, want 1", n, err)
	}

	// Logout revokes the session of any of its tokens.
	lo := newToken(u, string(id.Make[id.Session]()), exp)
	if err := s.CreateSession(ctx, lo); err != nil {
		t.Fatal(err)
	}
	g, found, err := s.RevokeSessionOf(ctx, lo.Hash, now)
	if err != nil || !found || g.SessionID != lo.SessionID {
		t.Errorf("RevokeSessionOf = %+v, %v, %v", g, found, err)
	}
	_, err = s.RotateRefreshToken(ctx, lo.Hash, account.HashToken("x5"), now, exp)
	wantCode(t, "Rotate(after logout)", err, apperr.KindUnauthorized, "session_revoked")
	if _, found, err := s.RevokeSessionOf(ctx, account.HashToken("unknown"), now); err != nil || found {
		t.Errorf("RevokeSessionOf(unknown) = %v, %v, want not found", found, err)
	}

	// Password change and suspension revoke every session of the user.
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"SetPassword", func() error { return s.SetPassword(ctx, u.ID, "new-hash", now) }},
		{"SetUserStatus", func() error { _, err := s.SetUserStatus(ctx, u.ID, account.UserSuspended, now); return err }},
	} {
		a, b := newToken(u, string(id.Make[id.Session]()), exp), newToken(u, string(id.Make[id.Session]()), exp)
		for _, tok := range []account.RefreshToken{a, b} {
			if err := s.CreateSession(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if err := change.do(); err != nil {
			t.Fatalf("%s: %v", change.name, err)
		}
		for _, tok := range []account.RefreshToken{a, b} {
			_, err := s.RotateRefreshToken(ctx, tok.Hash, account.HashToken(id.New("x")), now, exp)
			wantCode(t, "Rotate after "+change.name, err, apperr.KindUnauthorized, "session_revoked")
		}
	}
	if a, _ := s.Access(ctx, u.ID, ""); a.Status != account.UserSuspended {
		t.Errorf("Access status = %s, want suspended", a.Status)
	}
}

func testSellers(t *testing.T, s account.Store) {
	ctx := context.Background()
	u1, u2, u3 := mustCreateUser(t, s, auth.Seller), mustCreateUser(t, s, auth.Seller), mustCreateUser(t, s, auth.Seller)
	newSeller := func(u account.User, slug string) account.Seller {
		return account.Seller{ID: id.Make[id.Seller](), UserID: u.ID, Name: "Store " + slug, Slug: slug, Description: "d",
			Status: account.SellerActive, CreatedAt: t0, UpdatedAt: t0}
	}
	s1 := newSeller(u1, "acme")
	if err := s.CreateSeller(ctx, s1); err != nil {
		t.Fatalf("CreateSeller: %v", err)
	}
	wantCode(t, "CreateSeller(second store)", s.CreateSeller(ctx, newSeller(u1, "acme-2")), apperr.KindConflict, "seller_exists")
	wantCode(t, "CreateSeller(taken slug)", s.CreateSeller(ctx, newSeller(u2, "acme")), apperr.KindConflict, "slug_taken")
	s2 := newSeller(u2, "acme-2")
	if err := s.CreateSeller(ctx, s2); err != nil {
		t.Fatalf("CreateSeller(s2): %v", err)
	}

	got, err := s.Seller(ctx, s1.ID)
	if diff := cmp.Diff(s1, got); err != nil || diff != "" {
		t.Errorf("Seller = %v (-want +got):\n%s", err, diff)
	}
	if got, err := s.SellerByUser(ctx, u2.ID); err != nil || got.ID != s2.ID {
		t.Errorf("SellerByUser = %s, %v, want %s", got.ID, err, s2.ID)
	}
	_, err = s.SellerByUser(ctx, u3.ID)
	wantCode(t, "SellerByUser(no store)", err, apperr.KindNotFound, "")
	_, err = s.Seller(ctx, "sel_missing")
	wantCode(t, "Seller(missing)", err, apperr.KindNotFound, "")
	byID, err := s.SellersByID(ctx, []id.Seller{s2.ID, "sel_missing", s1.ID, s1.ID})
	slices.SortFunc(byID, func(a, b account.Seller) int { return strings.Compare(string(a.ID), string(b.ID)) })
	wantBoth := []account.Seller{s1, s2}
	slices.SortFunc(wantBoth, func(a, b account.Seller) int { return strings.Compare(string(a.ID), string(b.ID)) })
	if diff := cmp.Diff(wantBoth, byID); err != nil || diff != "" {
		t.Errorf("SellersByID = %v (-want +got):\n%s", err, diff)
	}
	if got, err := s.SellersByID(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("SellersByID(none) = %v, %v, want none", got, err)
	}

	t1 := t0.Add(time.Hour)
	for _, st := range []account.SellerStatus{account.SellerSuspended, account.SellerSuspended} {
		got, err := s.SetSellerStatus(ctx, s1.ID, st, t1)
		if err != nil || got.Status != st {
			t.Errorf("SetSellerStatus(%s) = %s, %v", st, got.Status, err)
		}
	}
	_, err = s.SetSellerStatus(ctx, "sel_missing", account.SellerSuspended, t1)
	wantCode(t, "SetSellerStatus(missing)", err, apperr.KindNotFound, "")

	tests := []struct {
		f    account.SellerFilter
		want []id.Seller
	}{
		{account.SellerFilter{Limit: 10}, []id.Seller{s1.ID, s2.ID}},
		{account.SellerFilter{Limit: 1}, []id.Seller{s1.ID}},
		{account.SellerFilter{After: string(s1.ID), Limit: 10}, []id.Seller{s2.ID}},
		{account.SellerFilter{Status: account.SellerActive, Limit: 10}, []id.Seller{s2.ID}},
		{account.SellerFilter{Status: account.SellerSuspended, Limit: 10}, []id.Seller{s1.ID}},
	}
	for _, tt := range tests {
		got, err := s.Sellers(ctx, tt.f)
		if err != nil {
			t.Fatalf("Sellers(%+v): %v", tt.f, err)
		}
		var ids []id.Seller
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("Sellers(%+v) mismatch (-want +got):\n%s", tt.f, diff)
		}
	}
}

func testAddresses(t *testing.T, s account.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s, auth.Customer), mustCreateUser(t, s, auth.Customer)
	newAddr := func(u account.User, name string, def bool) account.Address {
		return account.Address{ID: id.Make[id.Address](), UserID: u.ID, Name: name, Line1: "1 Main St", City: "Springfield",
			Country: "US", IsDefault: def, CreatedAt: t0, UpdatedAt: t0}
	}
	defaults := func(u account.User) []string {
		t.Helper()
		all, err := s.Addresses(ctx, account.AddressFilter{UserID: u.ID, Limit: 100})
		if err != nil {
			t.Fatalf("Addresses: %v", err)
		}
		var out []string
		for _, a := range all {
			if a.IsDefault {
				out = append(out, a.Name)
			}
		}
		return out
	}

	a1, err := s.CreateAddress(ctx, newAddr(u, "home", false))
	if err != nil || !a1.IsDefault {
		t.Fatalf("CreateAddress(first) = default %v, %v; want the first address to be the default", a1.IsDefault, err)
	}
	a2, err := s.CreateAddress(ctx, newAddr(u, "work", false))
	if err != nil || a2.IsDefault {
		t.Fatalf("CreateAddress(second) = default %v, %v", a2.IsDefault, err)
	}
	if _, err := s.CreateAddress(ctx, newAddr(u, "cabin", true)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cabin"}, defaults(u)); diff != "" {
		t.Errorf("defaults after new default (-want +got):\n%s", diff)
	}
	if _, err := s.CreateAddress(ctx, newAddr(other, "theirs", false)); err != nil {
		t.Fatal(err)
	}

	got, err := s.Address(ctx, u.ID, a1.ID)
	a1.IsDefault = false // cleared by "cabin"
	if diff := cmp.Diff(a1, got); err != nil || diff != "" {
		t.Errorf("Address = %v (-want +got):\n%s", err, diff)
	}
	_, err = s.Address(ctx, other.ID, a1.ID)
	wantCode(t, "Address(another user's)", err, apperr.KindNotFound, "")

	upd := a2
	upd.Name, upd.IsDefault, upd.UpdatedAt = "office", true, t0.Add(time.Hour)
	got, err = s.UpdateAddress(ctx, upd)
	if diff := cmp.Diff(upd, got); err != nil || diff != "" {
		t.Errorf("UpdateAddress = %v (-want +got):\n%s", err, diff)
	}
	if diff := cmp.Diff([]string{"office"}, defaults(u)); diff != "" {
		t.Errorf("defaults after update (-want +got):\n%s", diff)
	}
	stolen := a2
	stolen.UserID, stolen.Name, stolen.IsDefault = other.ID, "stolen", true
	_, err = s.UpdateAddress(ctx, stolen)
	wantCode(t, "UpdateAddress(another user's)", err, apperr.KindNotFound, "")
	if diff := cmp.Diff([]string{"theirs"}, defaults(other)); diff != "" {
		t.Errorf("other's defaults changed by a refused update (-want +got):\n%s", diff)
	}

	wantCode(t, "DeleteAddress(another user's)", s.DeleteAddress(ctx, other.ID, a1.ID), apperr.KindNotFound, "")
	if err := s.DeleteAddress(ctx, u.ID, a1.ID); err != nil {
		t.Errorf("DeleteAddress: %v", err)
	}
	wantCode(t, "DeleteAddress(again)", s.DeleteAddress(ctx, u.ID, a1.ID), apperr.KindNotFound, "")

	list, err := s.Addresses(ctx, account.AddressFilter{UserID: u.ID, Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("Addresses(limit 1) = %d, %v", len(list), err)
	}
	rest, err := s.Addresses(ctx, account.AddressFilter{UserID: u.ID, After: string(list[0].ID), Limit: 10})
	if err != nil || len(rest) != 1 || rest[0].ID == list[0].ID {
		t.Errorf("Addresses(after) = %d, %v", len(rest), err)
	}

	for i := 2; i < account.MaxAddresses; i++ {
		if _, err := s.CreateAddress(ctx, newAddr(u, fmt.Sprint("a", i), false)); err != nil {
			t.Fatalf("CreateAddress #%d: %v", i, err)
		}
	}
	_, err = s.CreateAddress(ctx, newAddr(u, "one too many", false))
	wantCode(t, "CreateAddress(over limit)", err, apperr.KindConflict, "address_limit")
}
