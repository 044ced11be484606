// Package carttest holds the cart Store contract suite, run against every
// Store implementation, and fakes of the interfaces cart declares.
package carttest

import (
	"context"
	"sync"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Catalog is an in-memory cart.Catalog.
type Catalog struct {
	mu       sync.Mutex
	SKUMap   map[string]catalog.SKU
	Products map[id.Product]catalog.ProductRef
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{SKUMap: map[string]catalog.SKU{}, Products: map[id.Product]catalog.ProductRef{}}
}

// PutSKU adds or replaces a SKU.
func (c *Catalog) PutSKU(s catalog.SKU) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.SKUMap[s.SKU] = s
}

// PutProduct adds or replaces a product summary.
func (c *Catalog) PutProduct(p catalog.ProductRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Products[p.ID] = p
}

// SKU returns a SKU, NotFound if unknown.
func (c *Catalog) SKU(_ context.Context, sku string) (catalog.SKU, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.SKUMap[sku]
	if !ok {
		return s, apperr.NotFound("SKU %s not found", sku)
	}
	return s, nil
}

// SKUs returns the known SKUs among skus.
func (c *Catalog) SKUs(_ context.Context, skus []string) (map[string]catalog.SKU, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]catalog.SKU{}
	for _, s := range skus {
		if v, ok := c.SKUMap[s]; ok {
			out[s] = v
		}
	}
	return out, nil
}

// ProductRef returns a product summary, NotFound if unknown.
func (c *Catalog) ProductRef(_ context.Context, id id.Product) (catalog.ProductRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.Products[id]
	if !ok {
		return p, apperr.NotFound("product %s not found", id)
	}
	return p, nil
}

// ProductRefs returns the known products among ids.
func (c *Catalog) ProductRefs(_ context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[id.Product]catalog.ProductRef{}
	for _, id := range ids {
		if p, ok := c.Products[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// Stock is an in-memory cart.Stock.
type Stock struct {
	mu    sync.Mutex
	Units map[string]int64
}

// NewStock returns stock with nothing available.
func NewStock() *Stock { return &Stock{Units: map[string]int64{}} }

// Set makes n units of sku available.
func (s *Stock) Set(sku string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Units[sku] = n
}

// Available returns the units available per SKU, 0 if unknown.
func (s *Stock) Available(_ context.Context, skus []string) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, sku := range skus {
		out[sku] = s.Units[sku]
	}
	return out, nil
}

// Sellers is an in-memory cart.Sellers.
type Sellers map[id.Seller]account.Seller

// Seller returns a store by ID, NotFound if unknown.
func (s Sellers) Seller(_ context.Context, id id.Seller) (account.Seller, error) {
	x, ok := s[id]
	if !ok {
		return x, apperr.NotFound("seller %s not found", id)
	}
	return x, nil
}
