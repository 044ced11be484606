// Package shipmenttest holds the shipment Store contract suite, run against
// every Store implementation, and fakes of the interfaces shipment declares.
package shipmenttest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Orders is an in-memory shipment.Orders: it remembers which shipment each
// seller order shipped with and refuses the seller orders in Refuse.
type Orders struct {
	mu sync.Mutex
	// Refuse maps a seller order ID to the error ShipSellerOrder returns
	// for it (e.g. a Conflict "order_cancelled").
	Refuse map[string]error
	// Shipped maps a seller order ID to the shipment it shipped with.
	Shipped map[string]string
	// Calls counts ShipSellerOrder calls.
	Calls int
}

// NewOrders returns Orders that ship everything.
func NewOrders() *Orders {
	return &Orders{Refuse: map[string]error{}, Shipped: map[string]string{}}
}

// ShipSellerOrder marks the seller order shipped with shipmentID,
// idempotently; a different shipment for a shipped seller order is a
// Conflict "not_shippable", as the order module's is.
func (o *Orders) ShipSellerOrder(_ context.Context, sellerOrderID id.SellerOrder, shipmentID id.Shipment) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Calls++
	if err := o.Refuse[string(sellerOrderID)]; err != nil {
		return err
	}
	if prev, ok := o.Shipped[string(sellerOrderID)]; ok && id.Shipment(prev) != shipmentID {
		return apperr.Conflict("not_shippable", "seller order %s shipped with another shipment", sellerOrderID)
	}
	o.Shipped[string(sellerOrderID)] = string(shipmentID)
	return nil
}

// Cancel makes ShipSellerOrder refuse sellerOrderID as cancelled.
func (o *Orders) Cancel(sellerOrderID id.SellerOrder) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Refuse[string(sellerOrderID)] = apperr.Conflict("order_cancelled", "seller order %s was cancelled", sellerOrderID)
}

// Partners is an in-memory shipment.Partners.
type Partners struct {
	mu      sync.Mutex
	Users   map[string]account.User
	Sellers map[id.User]account.Seller // by user ID
}

// NewPartners returns Partners knowing users and the stores sellers.
func NewPartners(users []account.User, sellers ...account.Seller) *Partners {
	p := &Partners{Users: map[string]account.User{}, Sellers: map[id.User]account.Seller{}}
	for _, u := range users {
		p.Users[string(u.ID)] = u
	}
	for _, s := range sellers {
		p.Sellers[s.UserID] = s
	}
	return p
}

// DeliveryPartners returns the active delivery users, in ID order.
func (p *Partners) DeliveryPartners(_ context.Context) ([]account.User, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []account.User
	for _, u := range p.Users {
		if u.Role == auth.Delivery && u.Status == account.UserActive {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b account.User) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}

// IsActiveUser reports whether userID is an active user with role.
func (p *Partners) IsActiveUser(_ context.Context, userID id.User, role auth.Role) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.Users[string(userID)]
	return ok && u.Role == role && u.Status == account.UserActive, nil
}

// SellerOfUser returns the user's store, NotFound if none.
func (p *Partners) SellerOfUser(_ context.Context, userID id.User) (account.Seller, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.Sellers[userID]
	if !ok {
		return account.Seller{}, apperr.NotFound("user %s has no store", userID)
	}
	return s, nil
}

// SetStatus changes a user's status (e.g. suspends a partner).
func (p *Partners) SetStatus(userID id.User, st account.UserStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.Users[string(userID)]
	u.Status = st
	p.Users[string(userID)] = u
}
