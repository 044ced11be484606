package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// ProductQuery asks for a page of products. Empty fields do not filter.
type ProductQuery struct {
	Category string // ID or slug; includes its sub-categories
	Seller   string // seller ID
	Brand    string // case-insensitive exact match
	Q        string // case-insensitive substring of the title
	Currency string // only products priced in this currency
	PriceMin *int64 // some variant costs at least this many minor units
	PriceMax *int64 // some variant costs at most this many minor units
	Sort     Sort   // default newest
	Status   Status // Products: active unless an admin asks; SellerProducts: any unless given
	Cursor   string // from the previous page's NextCursor
	Limit    int    // 1..page.MaxLimit, default page.DefaultLimit
}

// Product returns one product by ID or slug. Drafts and archived products
// are seen only by their owner and admins; others get NotFound.
func (s *Service) Product(ctx context.Context, idOrSlug string) (Product, error) {
	p, err := s.store.Product(ctx, idOrSlug)
	if err != nil {
		return Product{}, err
	}
	ok, err := s.visible(ctx, p)
	if err != nil {
		return Product{}, err
	}
	if !ok {
		return Product{}, apperr.NotFound("product %s not found", idOrSlug)
	}
	ps := []Product{p}
	if err := s.fill(ctx, ps); err != nil {
		return Product{}, err
	}
	return ps[0], nil
}

// Products lists the marketplace's active products. Admins may list another
// status with q.Status; for anyone else a status other than active is a
// validation error (sellers see their drafts with SellerProducts).
func (s *Service) Products(ctx context.Context, q ProductQuery) (page.Page[Product], error) {
	var f apperr.Fields
	status := Active
	if q.Status != "" {
		pr, _ := auth.From(ctx)
		switch {
		case !q.Status.Valid():
			f.Add("status", "must be draft, active or archived")
		case q.Status != Active && !pr.Is(auth.Admin):
			f.Add("status", "only active products are listed here; sellers see their own with /api/v1/seller/product")
		default:
			status = q.Status
		}
	}
	return s.list(ctx, q, f, []Status{status}, id.Seller(q.Seller))
}

// SellerProducts lists the caller's own products, of every status unless
// q.Status names one (sellers with a store).
func (s *Service) SellerProducts(ctx context.Context, q ProductQuery) (page.Page[Product], error) {
	pr, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return page.Page[Product]{}, err
	}
	seller, err := s.sellerOf(ctx, pr.UserID)
	if err != nil {
		return page.Page[Product]{}, err
	}
	var f apperr.Fields
	statuses := []Status{Draft, Active, Archived}
	if q.Status != "" {
		f.Check(q.Status.Valid(), "status", "must be draft, active or archived")
		statuses = []Status{q.Status}
	}
	return s.list(ctx, q, f, statuses, seller.ID)
}

func (s *Service) list(ctx context.Context, q ProductQuery, f apperr.Fields, statuses []Status, sellerID id.Seller) (page.Page[Product], error) {
	flt := Filter{Statuses: statuses, SellerID: sellerID, Sort: q.Sort, Limit: q.Limit}
	if flt.Sort == "" {
		flt.Sort = SortNewest
	}
	f.Check(flt.Sort.Valid(), "sort", "must be newest, price_asc or price_desc")
	flt.Limit = page.Limit(&f, flt.Limit)
	f.Check(q.PriceMin == nil || *q.PriceMin >= 0, "price_min", "must not be negative")
	f.Check(q.PriceMax == nil || *q.PriceMax >= 0, "price_max", "must not be negative")
	f.Check(q.PriceMin == nil || q.PriceMax == nil || *q.PriceMin <= *q.PriceMax, "price_max", "must not be below price_min")
	flt.PriceMin, flt.PriceMax = q.PriceMin, q.PriceMax
	if q.Currency != "" {
		f.Check(money.ValidCurrency(q.Currency), "currency", "must be a three-letter ISO 4217 code such as USD")
		flt.Currency = q.Currency
	}
	f.Check(utf8.RuneCountInString(q.Q) <= 100, "q", "must be at most 100 characters")
	if t := strings.TrimSpace(q.Q); t != "" {
		flt.TitleKey = TitleKey(t)
	}
	f.Check(utf8.RuneCountInString(q.Brand) <= maxBrandLen, "brand", fmt.Sprintf("must be at most %d characters", maxBrandLen))
	flt.BrandKey = BrandKey(q.Brand)
	if q.Category != "" {
		c, t, ok, err := s.category(ctx, q.Category)
		if err != nil {
			return page.Page[Product]{}, err
		}
		if ok {
			flt.CategoryIDs = t.Subtree(c.ID)
		} else {
			f.Add("category", "no such category")
		}
	}
	if q.Cursor != "" {
		var c Cursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Product]{}, err
		}
		if c.Sort != flt.Sort || c.ID == "" {
			f.Add("cursor", "belongs to another sort order; start again without a cursor")
		}
		flt.After = &c
	}
	if err := f.Err(); err != nil {
		return page.Page[Product]{}, err
	}

	limit := flt.Limit
	flt.Limit++ // one more tells whether there is a next page
	ps, err := s.store.Products(ctx, flt)
	if err != nil {
		return page.Page[Product]{}, err
	}
	out := page.Page[Product]{Items: ps}
	if len(ps) > limit {
		out.Items = ps[:limit]
		out.NextCursor = page.EncodeCursor(CursorFor(flt.Sort, out.Items[limit-1]))
	}
	if err := s.fill(ctx, out.Items); err != nil {
		return page.Page[Product]{}, err
	}
	if out.Items == nil {
		out.Items = []Product{}
	}
	return out, nil
}

// SKU returns what other modules need to know about one variant, for any
// caller. Variants of inactive products come back with Active false.
func (s *Service) SKU(ctx context.Context, sku string) (SKU, error) {
	m, err := s.SKUs(ctx, []string{sku})
	if err != nil {
		return SKU{}, err
	}
	v, ok := m[sku]
	if !ok {
		return SKU{}, apperr.NotFound("sku %s not found", sku)
	}
	return v, nil
}

// SKUs is SKU for many at once; unknown SKUs are absent from the map.
func (s *Service) SKUs(ctx context.Context, skus []string) (map[string]SKU, error) {
	skus = compactValid(skus, ValidSKU)
	if len(skus) == 0 {
		return map[string]SKU{}, nil
	}
	return s.store.SKUs(ctx, skus)
}

// ProductRef returns a product's summary, for any caller. Inactive products
// come back with Active false.
func (s *Service) ProductRef(ctx context.Context, productID id.Product) (ProductRef, error) {
	m, err := s.ProductRefs(ctx, []id.Product{productID})
	if err != nil {
		return ProductRef{}, err
	}
	r, ok := m[productID]
	if !ok {
		return ProductRef{}, apperr.NotFound("product %s not found", productID)
	}
	return r, nil
}

// ProductRefs is ProductRef for many; unknown IDs are absent from the map.
func (s *Service) ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]ProductRef, error) {
	ids = compactValid(ids, func(s id.Product) bool { return s != "" && len(s) <= 64 })
	if len(ids) == 0 {
		return map[id.Product]ProductRef{}, nil
	}
	return s.store.ProductRefs(ctx, ids)
}

func compactValid[T ~string](in []T, ok func(T) bool) []T {
	out := make([]T, 0, len(in))
	for _, s := range in {
		if ok(s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
