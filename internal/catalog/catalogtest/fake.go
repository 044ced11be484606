// Package catalogtest has fakes of what the catalog depends on and the
// contract suite every catalog.Store must pass.
package catalogtest

import (
	"context"
	"sync"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Sellers is an in-memory catalog.Sellers.
type Sellers struct {
	mu     sync.Mutex
	byUser map[id.User]account.Seller
	Err    error // returned by every call when set
}

var _ catalog.Sellers = (*Sellers)(nil)

// NewSellers returns a fake holding ss.
func NewSellers(ss ...account.Seller) *Sellers {
	f := &Sellers{byUser: make(map[id.User]account.Seller)}
	for _, s := range ss {
		f.Put(s)
	}
	return f
}

// Put adds or replaces a store.
func (f *Sellers) Put(s account.Seller) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byUser[s.UserID] = s
}

// SellerOfUser implements catalog.Sellers.
func (f *Sellers) SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return account.Seller{}, f.Err
	}
	s, ok := f.byUser[userID]
	if !ok {
		return account.Seller{}, apperr.NotFound("user %s has no store", userID)
	}
	return s, nil
}

// Stock is an in-memory catalog.Availability.
type Stock struct {
	mu    sync.Mutex
	units map[string]int64
	calls int
}

var _ catalog.Availability = (*Stock)(nil)

// NewStock returns a fake with no stock.
func NewStock() *Stock { return &Stock{units: make(map[string]int64)} }

// Set sets the units available of sku.
func (f *Stock) Set(sku string, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.units[sku] = n
}

// Calls is how many times Available was called.
func (f *Stock) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Available implements catalog.Availability.
func (f *Stock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		if n, ok := f.units[s]; ok {
			out[s] = n
		}
	}
	return out, nil
}
