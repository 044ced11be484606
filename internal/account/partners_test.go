package account_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// usersStore answers User and Users from a slice; the other Store methods
// are not used by DeliveryPartners and IsActiveUser.
type usersStore struct {
	account.Store
	users []account.User
}

func (s *usersStore) User(_ context.Context, id id.User) (account.User, error) {
	for _, u := range s.users {
		if u.ID == id {
			return u, nil
		}
	}
	return account.User{}, apperr.NotFound("user %s not found", id)
}

func (s *usersStore) Users(_ context.Context, f account.UserFilter) ([]account.User, error) {
	var out []account.User
	for _, u := range s.users {
		if (f.Role == "" || u.Role == f.Role) && (f.Status == "" || u.Status == f.Status) && string(u.ID) > f.After {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b account.User) int { return strings.Compare(string(a.ID), string(b.ID)) })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func TestDeliveryPartners(t *testing.T) {
	store := &usersStore{users: []account.User{
		{ID: "usr_d2", Role: auth.Delivery, Status: account.UserActive},
		{ID: "usr_d1", Role: auth.Delivery, Status: account.UserActive},
		{ID: "usr_d3", Role: auth.Delivery, Status: account.UserSuspended},
		{ID: "usr_c1", Role: auth.Customer, Status: account.UserActive},
	}}
	// Enough partners to need more than one page.
	for i := range 1203 {
		store.users = append(store.users, account.User{ID: id.User(fmt.Sprintf("usr_p%04d", i)), Role: auth.Delivery, Status: account.UserActive})
	}
	svc := account.New(store, auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, 32)), time.Minute), account.Options{})
	ctx := context.Background()

	got, err := svc.DeliveryPartners(ctx)
	if err != nil {
		t.Fatalf("DeliveryPartners: %v", err)
	}
	if len(got) != 1205 {
		t.Errorf("DeliveryPartners returned %d users, want 1205", len(got))
	}
	for i, u := range got {
		if u.Role != auth.Delivery || u.Status != account.UserActive {
			t.Errorf("DeliveryPartners()[%d] = %+v, want an active delivery user", i, u)
		}
		if i > 0 && got[i-1].ID >= u.ID {
			t.Errorf("DeliveryPartners not in ID order at %d: %s then %s", i, got[i-1].ID, u.ID)
		}
	}

	tests := []struct {
		id   string
		role auth.Role
		want bool
	}{
		{"usr_d1", auth.Delivery, true},
		{"usr_d3", auth.Delivery, false}, // suspended
		{"usr_c1", auth.Delivery, false}, // another role
		{"usr_c1", auth.Customer, true},
		{"usr_missing", auth.Delivery, false},
	}
	for _, tt := range tests {
		got, err := svc.IsActiveUser(ctx, id.User(tt.id), tt.role)
		if err != nil || got != tt.want {
			t.Errorf("IsActiveUser(%s, %s) = %v, %v, want %v", tt.id, tt.role, got, err, tt.want)
		}
	}
}
