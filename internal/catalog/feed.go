package catalog

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Feed is the catalog as another module's read model (the search index)
// reads it: every product whatever its status, in bulk, read-only. It is for
// modules, never for callers of the API, and checks no caller. A split
// deployment passes a remote client with the same methods.
type Feed struct{ store Store }

// Feed returns the catalog's feed.
func (s *Service) Feed() Feed { return Feed{store: s.store} }

// Product returns a product by ID or slug, whatever its status; NotFound if
// absent.
func (f Feed) Product(ctx context.Context, idOrSlug string) (Product, error) {
	return f.store.Product(ctx, idOrSlug)
}

// Products lists the products matching filter, of any status unless it says.
func (f Feed) Products(ctx context.Context, filter Filter) ([]Product, error) {
	return f.store.Products(ctx, filter)
}

// Categories returns every category.
func (f Feed) Categories(ctx context.Context) ([]Category, error) {
	return f.store.Categories(ctx)
}

// bulk is what a Store may offer for reading the whole catalog quickly.
type bulk interface {
	CountProducts(ctx context.Context, status Status) (int, error)
	ProductsAfter(ctx context.Context, status Status, afterID id.Product, limit int) ([]Product, error)
}

// CountProducts counts the products with status (for a rebuild's progress).
func (f Feed) CountProducts(ctx context.Context, status Status) (int, error) {
	b, ok := f.store.(bulk)
	if !ok {
		return 0, fmt.Errorf("count products: the catalog store cannot count")
	}
	return b.CountProducts(ctx, status)
}

// ProductsAfter returns up to limit products with status after afterID, in
// ID order: a scan that stays cheap on every page, for rebuilding an index.
func (f Feed) ProductsAfter(ctx context.Context, status Status, afterID id.Product, limit int) ([]Product, error) {
	b, ok := f.store.(bulk)
	if !ok {
		return nil, fmt.Errorf("scan products: the catalog store cannot scan")
	}
	return b.ProductsAfter(ctx, status, afterID, limit)
}
