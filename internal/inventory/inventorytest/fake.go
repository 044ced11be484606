// Package inventorytest holds the inventory Store contract suite, run against
// every Store implementation, and fakes of the interfaces inventory declares.
package inventorytest

import (
	"context"
	"sync"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Catalog is an in-memory inventory.Catalog.
type Catalog struct {
	mu   sync.Mutex
	SKUs map[string]catalog.SKU
}

// NewCatalog returns a catalog holding skus.
func NewCatalog(skus ...catalog.SKU) *Catalog {
	c := &Catalog{SKUs: map[string]catalog.SKU{}}
	for _, s := range skus {
		c.SKUs[s.SKU] = s
	}
	return c
}

// SKU returns the SKU, NotFound if unknown.
func (c *Catalog) SKU(_ context.Context, sku string) (catalog.SKU, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.SKUs[sku]
	if !ok {
		return catalog.SKU{}, apperr.NotFound("SKU %s not found", sku)
	}
	return s, nil
}

// Sellers is an in-memory inventory.Sellers.
type Sellers struct {
	ByUser map[id.User]account.Seller
}

// NewSellers returns sellers holding the given stores.
func NewSellers(sellers ...account.Seller) *Sellers {
	s := &Sellers{ByUser: map[id.User]account.Seller{}}
	for _, x := range sellers {
		s.ByUser[x.UserID] = x
	}
	return s
}

// SellerOfUser returns the user's store, NotFound if none.
func (s *Sellers) SellerOfUser(_ context.Context, userID id.User) (account.Seller, error) {
	x, ok := s.ByUser[userID]
	if !ok {
		return account.Seller{}, apperr.NotFound("user %s has no store", userID)
	}
	return x, nil
}
