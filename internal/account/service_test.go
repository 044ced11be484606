package account_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// accessStore answers Access from a table and counts the calls; the other
// Store methods are not used by Check.
type accessStore struct {
	account.Store
	access map[id.User]account.Access
	calls  int
}

func (s *accessStore) Access(_ context.Context, userID id.User, sessionID id.Session) (account.Access, error) {
	s.calls++
	a, ok := s.access[userID]
	if !ok {
		return account.Access{}, apperr.NotFound("no user")
	}
	a.SessionActive = a.SessionActive && sessionID == "ses_1"
	return a, nil
}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store := &accessStore{access: map[id.User]account.Access{
		"usr_active":    {Role: auth.Seller, Status: account.UserActive, SessionActive: true},
		"usr_suspended": {Role: auth.Customer, Status: account.UserSuspended, SessionActive: true},
	}}
	svc := account.New(store, auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, 32)), time.Minute),
		account.Options{Now: func() time.Time { return now }, CheckTTL: 2 * time.Second})
	ctx := context.Background()

	tests := []struct {
		p        auth.Principal
		wantRole auth.Role
		wantCode string
	}{
		// The token said customer; the user is a seller now.
		{auth.Principal{UserID: "usr_active", Role: auth.Customer, SessionID: "ses_1"}, auth.Seller, ""},
		{auth.Principal{UserID: "usr_active", Role: auth.Seller, SessionID: "ses_2"}, "", "session_revoked"},
		{auth.Principal{UserID: "usr_active", Role: auth.Seller}, "", "session_revoked"},
		{auth.Principal{UserID: "usr_suspended", Role: auth.Customer, SessionID: "ses_1"}, "", "account_suspended"},
		{auth.Principal{UserID: "usr_gone", Role: auth.Customer, SessionID: "ses_1"}, "", "invalid_token"},
	}
	for _, tt := range tests {
		got, err := svc.Check(ctx, tt.p)
		if apperr.CodeOf(err) != tt.wantCode || got.Role != tt.wantRole {
			t.Errorf("Check(%+v) = %+v, %v; want role %q, code %q", tt.p, got, err, tt.wantRole, tt.wantCode)
		}
		if err != nil && !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("Check(%+v) error kind = %v, want Unauthorized", tt.p, apperr.KindOf(err))
		}
	}

	// Answers are cached for CheckTTL.
	p := auth.Principal{UserID: "usr_active", SessionID: "ses_1"}
	store.calls = 0
	for range 5 {
		if _, err := svc.Check(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if store.calls != 0 {
		t.Errorf("Check within TTL read the store %d times, want 0", store.calls)
	}
	now = now.Add(3 * time.Second)
	store.access["usr_active"] = account.Access{Role: auth.Seller, Status: account.UserSuspended, SessionActive: true}
	if _, err := svc.Check(ctx, p); apperr.CodeOf(err) != "account_suspended" || store.calls != 1 {
		t.Errorf("Check after TTL = %v with %d store reads, want account_suspended after 1", err, store.calls)
	}
}
