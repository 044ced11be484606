package catalog

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps the catalog. Every write is one transaction that also publishes
// the event the caller hands it (event.Publish), so the change and its event
// commit together. Reads return products with their variants and images in
// display order; they do not fill Product.Category, which the Service adds,
// or Variant.Available (FillAvailable, at the door).
type Store interface {
	// Categories returns every category (in any order).
	Categories(ctx context.Context) ([]Category, error)
	// CreateCategory serialises with other category writes, loads the tree,
	// and inserts the category fn returns, publishing fn's event.
	CreateCategory(ctx context.Context, fn func(tree *Tree) (Category, Event, error)) (Category, error)
	// UpdateCategory serialises with other category writes, loads the tree
	// and the category, lets fn change it and saves it. NotFound if absent.
	UpdateCategory(ctx context.Context, catID id.Category, fn func(tree *Tree, c *Category) (Event, error)) (Category, error)
	// DeleteCategory deletes a category that has no children and no
	// products (Conflict "category_in_use" otherwise). NotFound if absent.
	DeleteCategory(ctx context.Context, catID id.Category, fn func(tree *Tree, c Category) (Event, error)) error

	// Product finds a product by ID or slug. NotFound if absent.
	Product(ctx context.Context, idOrSlug string) (Product, error)
	// Products lists the products that match f, in f.Sort order, at most
	// f.Limit of them.
	Products(ctx context.Context, f Filter) ([]Product, error)
	// CreateProduct inserts p with its variants and images. A taken slug is
	// Conflict "slug_taken"; a SKU used by any product is Conflict
	// "sku_taken" with the offending fields.
	CreateProduct(ctx context.Context, p Product, e Event) error
	// UpdateProduct loads the product by ID, lets fn change it and saves the
	// product, its variants (by variant ID: new ones are inserted, missing
	// ones deleted) and its images (likewise), publishing fn's event. fn may
	// run more than once if the product changes concurrently. NotFound if
	// absent; SKU conflicts as in CreateProduct.
	UpdateProduct(ctx context.Context, productID id.Product, fn func(p *Product) (Event, error)) (Product, error)

	// SKUs returns what is known about each of skus that exists.
	SKUs(ctx context.Context, skus []string) (map[string]SKU, error)
	// ProductRefs returns the summaries of the products of ids that exist.
	ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]ProductRef, error)
	// Image returns an image's metadata. NotFound if absent.
	Image(ctx context.Context, imageID id.Image) (Image, error)
}

// Sort orders a product list.
type Sort string

const (
	SortNewest    Sort = "newest"     // created_at descending
	SortPriceAsc  Sort = "price_asc"  // lowest variant price ascending
	SortPriceDesc Sort = "price_desc" // highest variant price descending
)

// Valid reports whether s is a known sort.
func (s Sort) Valid() bool { return s == SortNewest || s == SortPriceAsc || s == SortPriceDesc }

// Filter selects products for Store.Products. Empty fields do not filter.
type Filter struct {
	Statuses    []Status
	SellerID    id.Seller
	CategoryIDs []id.Category // any of these categories
	BrandKey    string        // BrandKey(brand)
	TitleKey    string        // substring of TitleKey(title)
	Currency    string
	PriceMin    *int64 // some variant costs at least this (minor units)
	PriceMax    *int64 // some variant costs at most this (minor units)
	Sort        Sort
	After       *Cursor // keyset position: products after this one in Sort order
	Limit       int
}

// Cursor is a position in a sorted product list: the sort key of the last
// product seen and its ID (ties are broken by ID in the sort's direction).
type Cursor struct {
	Sort Sort       `json:"s"`
	Key  int64      `json:"k"`
	ID   id.Product `json:"i"`
}

// CursorFor returns the cursor just after p in sort order.
func CursorFor(s Sort, p Product) Cursor {
	switch s {
	case SortPriceAsc:
		return Cursor{Sort: s, Key: p.PriceMin.Amount, ID: p.ID}
	case SortPriceDesc:
		return Cursor{Sort: s, Key: p.PriceMax.Amount, ID: p.ID}
	}
	return Cursor{Sort: SortNewest, Key: p.CreatedAt.UnixMicro(), ID: p.ID}
}
