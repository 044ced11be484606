package account

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// maxDeliveryPartners caps how many partners DeliveryPartners reads, so a
// misconfigured marketplace cannot make one handover read every user.
const maxDeliveryPartners = 10_000

// DeliveryPartners returns the active users with the delivery role, in ID
// order. It is privileged, for other modules in process (the shipment module
// assigns shipments to them).
func (s *Service) DeliveryPartners(ctx context.Context) ([]User, error) {
	var out []User
	after := ""
	for len(out) < maxDeliveryPartners {
		page, err := s.store.Users(ctx, UserFilter{Role: auth.Delivery, Status: UserActive, After: after, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("list delivery partners: %w", err)
		}
		out = append(out, page...)
		if len(page) < 500 {
			break
		}
		after = string(page[len(page)-1].ID)
	}
	return out, nil
}

// LeastLoaded returns the partner among users with the fewest jobs in loads
// (ties to the lowest ID), "" when users is empty: how shipments and return
// pickups are shared out.
func LeastLoaded(users []User, loads map[id.User]int) id.User {
	var best id.User
	for _, u := range users {
		if best == "" || loads[u.ID] < loads[best] || loads[u.ID] == loads[best] && u.ID < best {
			best = u.ID
		}
	}
	return best
}

// IsActiveUser reports whether userID is an active user with role. A missing
// user is false, not an error. It is privileged, for other modules in
// process.
func (s *Service) IsActiveUser(ctx context.Context, userID id.User, role auth.Role) (bool, error) {
	u, err := s.store.User(ctx, userID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up user %s: %w", userID, err)
	}
	return u.Role == role && u.Status == UserActive, nil
}

// Contact returns a user whatever its status, for other modules in process
// that write to people (notify); it is privileged. NotFound if none.
func (s *Service) Contact(ctx context.Context, userID id.User) (User, error) {
	return s.store.User(ctx, userID)
}

// SellerOwner returns the user who runs a store, whatever the store's
// status; privileged, for other modules in process. NotFound if no such
// store.
func (s *Service) SellerOwner(ctx context.Context, sellerID id.Seller) (id.User, error) {
	sel, err := s.store.Seller(ctx, sellerID)
	if err != nil {
		return "", err
	}
	return sel.UserID, nil
}
