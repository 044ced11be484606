package cart

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Wishlist returns the caller's wishlist, newest first, limit per page,
// continuing after cursor (from a previous page's NextCursor). Products since
// removed from the catalog are listed with their ID only and inactive.
func (s *Service) Wishlist(ctx context.Context, cursor string, limit int) (page.Page[WishItem], error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return page.Page[WishItem]{}, err
	}
	var after *WishCursor
	if cursor != "" {
		after = new(WishCursor)
		if err := page.DecodeCursor(cursor, after); err != nil {
			return page.Page[WishItem]{}, err
		}
	}
	limit = min(max(limit, 1), page.MaxLimit)
	wishes, err := s.store.Wishes(ctx, p.UserID, after, limit+1)
	if err != nil {
		return page.Page[WishItem]{}, fmt.Errorf("read wishlist: %w", err)
	}
	out := page.Page[WishItem]{Items: []WishItem{}}
	if len(wishes) > limit {
		wishes = wishes[:limit]
		last := wishes[limit-1]
		out.NextCursor = page.EncodeCursor(WishCursor{AddedAt: sqldb.Micros(last.AddedAt), ProductID: last.ProductID})
	}
	if len(wishes) == 0 {
		return out, nil
	}
	ids := make([]id.Product, len(wishes))
	for i, w := range wishes {
		ids[i] = w.ProductID
	}
	refs, err := s.catalog.ProductRefs(ctx, ids)
	if err != nil {
		return page.Page[WishItem]{}, fmt.Errorf("look up products: %w", err)
	}
	for _, w := range wishes {
		ref, ok := refs[w.ProductID]
		if !ok {
			ref = catalog.ProductRef{ID: w.ProductID}
		}
		out.Items = append(out.Items, WishItem{ProductRef: ref, AddedAt: w.AddedAt})
	}
	return out, nil
}

// AddToWishlist puts an active product on the caller's wishlist. It reports
// whether the product was added now (false: it was already there). Unknown
// and inactive products are NotFound.
func (s *Service) AddToWishlist(ctx context.Context, in WishInput) (WishItem, bool, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return WishItem{}, false, err
	}
	var f apperr.Fields
	f.Check(in.ProductID != "" && len(in.ProductID) <= 200, "product_id", "is required")
	if err := f.Err(); err != nil {
		return WishItem{}, false, err
	}
	missing := apperr.NotFound("product %q not found", in.ProductID)
	ref, err := s.catalog.ProductRef(ctx, in.ProductID)
	if apperr.Is(err, apperr.KindNotFound) || err == nil && !ref.Active {
		return WishItem{}, false, missing
	}
	if err != nil {
		return WishItem{}, false, fmt.Errorf("look up product %s: %w", in.ProductID, err)
	}
	w, added, err := s.store.AddWish(ctx, p.UserID, ref.ID, s.now())
	if err != nil {
		return WishItem{}, false, fmt.Errorf("add to wishlist: %w", err)
	}
	return WishItem{ProductRef: ref, AddedAt: w.AddedAt}, added, nil
}

// RemoveFromWishlist takes a product off the caller's wishlist. Removing a
// product that is not on it succeeds too (idempotent delete).
func (s *Service) RemoveFromWishlist(ctx context.Context, productID id.Product) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	return s.store.RemoveWish(ctx, p.UserID, productID)
}
