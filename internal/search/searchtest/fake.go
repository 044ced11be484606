// Package searchtest has fakes for testing the search module without a
// database: an in-memory catalog and stock.
package searchtest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Catalog is an in-memory search.Catalog (and search.Counter).
type Catalog struct {
	mu       sync.Mutex
	cats     []catalog.Category
	products map[string]catalog.Product
	seq      int
}

var (
	_ search.Catalog = (*Catalog)(nil)
	_ search.Counter = (*Catalog)(nil)
)

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{products: make(map[string]catalog.Product)} }

// AddCategory adds a category under parentID ("" for a root) and returns
// its ID.
func (c *Catalog) AddCategory(name string, parentID id.Category) id.Category {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	cat := catalog.Category{ID: id.Category(fmt.Sprintf("cat_%04d", c.seq)), Name: name, Slug: catalog.Slugify(name, 80, "c") + fmt.Sprint(c.seq)}
	if parentID != "" {
		p := parentID
		cat.ParentID = &p
	}
	c.cats = append(c.cats, cat)
	return cat.ID
}

// Product is a short way to describe a test product.
type Product struct {
	ID                                          id.Product
	Title, Description, Brand, Category, Seller string
	Attrs                                       map[string]string
	Prices                                      []int64 // one variant per price; default one of 1000
	Status                                      catalog.Status
	Created                                     time.Time
}

// Put adds or replaces a product and returns it as the catalog has it.
// Variant SKUs are ID-1, ID-2, ...
func (c *Catalog) Put(p Product) catalog.Product {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.Status == "" {
		p.Status = catalog.Active
	}
	if len(p.Prices) == 0 {
		p.Prices = []int64{1000}
	}
	if p.Created.IsZero() {
		c.seq++
		p.Created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(c.seq) * time.Minute)
	}
	if p.Seller == "" {
		p.Seller = "sel_1"
	}
	cp := catalog.Product{
		ID: p.ID, Slug: catalog.Slugify(p.Title, 80, "p") + "-" + string(p.ID), SellerID: id.Seller(p.Seller), Title: p.Title,
		Description: p.Description, Brand: p.Brand, CategoryID: id.Category(p.Category), Attributes: maps.Clone(p.Attrs),
		Status: p.Status, Images: []catalog.Image{}, CreatedAt: p.Created, UpdatedAt: p.Created,
	}
	if cp.Attributes == nil {
		cp.Attributes = map[string]string{}
	}
	for i, price := range p.Prices {
		v := catalog.Variant{ID: id.Variant(fmt.Sprintf("var_%s_%d", p.ID, i)), SKU: fmt.Sprintf("%s-%d", p.ID, i+1),
			Options: map[string]string{}, Price: money.New(price, "USD")}
		if len(p.Prices) > 1 {
			v.Options["size"] = fmt.Sprint(i + 1)
		}
		cp.Variants = append(cp.Variants, v)
	}
	cp.PriceMin, cp.PriceMax = money.New(slices.Min(p.Prices), "USD"), money.New(slices.Max(p.Prices), "USD")
	c.products[string(cp.ID)] = cp
	return cp
}

// Remove deletes a product.
func (c *Catalog) Remove(id id.Product) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.products, string(id))
}

// Rename changes a category's name.
func (c *Catalog) Rename(catID id.Category, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.cats {
		if c.cats[i].ID == catID {
			c.cats[i].Name = name
		}
	}
}

// Product implements search.Catalog.
func (c *Catalog) Product(ctx context.Context, id string) (catalog.Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.products[id]
	if !ok {
		return catalog.Product{}, apperr.NotFound("product %s not found", id)
	}
	return p, nil
}

// Products implements search.Catalog (newest first only, as search uses it).
func (c *Catalog) Products(ctx context.Context, f catalog.Filter) ([]catalog.Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []catalog.Product
	for _, p := range c.products {
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, p.Status) ||
			f.SellerID != "" && p.SellerID != f.SellerID ||
			len(f.CategoryIDs) > 0 && !slices.Contains(f.CategoryIDs, p.CategoryID) {
			continue
		}
		if a := f.After; a != nil {
			k := p.CreatedAt.UnixMicro()
			if k > a.Key || k == a.Key && p.ID >= a.ID {
				continue
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b catalog.Product) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out[:min(len(out), max(f.Limit, 1))], nil
}

// Categories implements search.Catalog.
func (c *Catalog) Categories(ctx context.Context) ([]catalog.Category, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.cats), nil
}

// CountProducts implements search.Counter.
func (c *Catalog) CountProducts(ctx context.Context, status catalog.Status) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.products {
		if p.Status == status {
			n++
		}
	}
	return n, nil
}

// Stock is an in-memory search.Stock: units available per SKU.
type Stock struct {
	mu sync.Mutex
	n  map[string]int64
}

// Set sets a SKU's available units.
func (s *Stock) Set(sku string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = make(map[string]int64)
	}
	s.n[sku] = n
}

// Available implements search.Stock.
func (s *Stock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(skus))
	for _, k := range skus {
		out[k] = s.n[k]
	}
	return out, nil
}

// Signals is an in-memory search.Signals.
type Signals map[id.Product]search.Signal

// Signals implements search.Signals.
func (s Signals) Signals(ctx context.Context, ids []id.Product) (map[id.Product]search.Signal, error) {
	out := make(map[id.Product]search.Signal)
	for _, id := range ids {
		if sg, ok := s[id]; ok {
			out[id] = sg
		}
	}
	return out, nil
}

// PutProduct adds or replaces a product as it is.
func (c *Catalog) PutProduct(p catalog.Product) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.products[string(p.ID)] = p
}
