package recommend

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// product is what the lists show of a product and filter it by.
type product struct {
	id       id.Product
	slug     string
	title    string
	brand    string
	image    string // URL of the first image, "" if none
	priceMin money.Money
	priceMax money.Money
	seller   id.Seller
	category id.Category
	status   catalog.Status
	skus     []string
}

// content is every product the models know, by ID and slug, and the
// category tree.
type content struct {
	mu     sync.RWMutex
	byID   map[id.Product]*product
	bySlug map[string]id.Product
	tree   *catalog.Tree
}

func (c *content) init() {
	c.byID, c.bySlug, c.tree = map[id.Product]*product{}, map[string]id.Product{}, catalog.NewTree(nil)
}

// get returns the product with an ID or slug.
func (c *content) get(idOrSlug string) (*product, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if p, ok := c.byID[id.Product(idOrSlug)]; ok {
		return p, true
	}
	if pid, ok := c.bySlug[idOrSlug]; ok {
		return c.byID[pid], true
	}
	return nil, false
}

// category returns a category by ID or slug.
func (c *content) category(idOrSlug string) (catalog.Category, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tree.Get(idOrSlug)
}

// put adds or replaces a product.
func (c *content) put(p *product) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byID[p.id]; ok && old.slug != p.slug {
		delete(c.bySlug, old.slug)
	}
	c.byID[p.id] = p
	c.bySlug[p.slug] = p.id
}

// productDoc is the part of a product the module uses, from the catalog's
// Product or its events.
type productDoc struct {
	ID          id.Product
	Slug        string
	SellerID    id.Seller
	Title       string
	Description string
	Brand       string
	Status      catalog.Status
	CategoryIDs []id.Category // root first
	Attributes  map[string]string
	SKUs        []string
	PriceMin    money.Money
	PriceMax    money.Money
	Image       string
	Created     int64
}

// docOf is the doc of a product read from the catalog.
func docOf(p catalog.Product, tree *catalog.Tree) productDoc {
	d := productDoc{ID: p.ID, Slug: p.Slug, SellerID: p.SellerID, Title: p.Title, Description: p.Description, Brand: p.Brand,
		Status: p.Status, CategoryIDs: tree.Ancestors(p.CategoryID), Attributes: p.Attributes, PriceMin: p.PriceMin,
		PriceMax: p.PriceMax, Created: p.CreatedAt.Unix()}
	if len(d.CategoryIDs) == 0 && p.CategoryID != "" {
		d.CategoryIDs = []id.Category{p.CategoryID}
	}
	for _, v := range p.Variants {
		d.SKUs = append(d.SKUs, v.SKU)
	}
	if len(p.Images) > 0 {
		d.Image = catalog.ImageURL(p.Images[0].ID)
	}
	return d
}

// docOfEvent is the doc of a catalog.product.* event.
func docOfEvent(e catalog.ProductEvent) productDoc {
	d := productDoc{ID: e.ID, Slug: e.Slug, SellerID: e.SellerID, Title: e.Title, Description: e.Description, Brand: e.Brand,
		Status: e.Status, CategoryIDs: e.CategoryIDs, Attributes: e.Attributes, PriceMin: e.PriceMin, PriceMax: e.PriceMax,
		Created: e.CreatedAt.Unix()}
	if len(d.CategoryIDs) == 0 && e.Category.ID != "" {
		d.CategoryIDs = []id.Category{e.Category.ID}
	}
	for _, v := range e.Variants {
		d.SKUs = append(d.SKUs, v.SKU)
	}
	if len(e.Images) > 0 {
		d.Image = e.Images[0]
	}
	return d
}

// setProduct tells the models and the lists about a product.
func (s *Service) setProduct(d productDoc) {
	p := &product{id: d.ID, slug: d.Slug, title: d.Title, brand: d.Brand, image: d.Image, priceMin: d.PriceMin,
		priceMax: d.PriceMax, seller: d.SellerID, status: d.Status, skus: d.SKUs}
	if n := len(d.CategoryIDs); n > 0 {
		p.category = d.CategoryIDs[n-1]
	}
	s.content.put(p)
	mp := recmodel.Product{Item: s.items.ID(string(d.ID)), Brand: d.Brand, Seller: s.shops.ID(string(d.SellerID)),
		Price: d.PriceMin.Amount, Created: d.Created}
	for _, c := range d.CategoryIDs {
		mp.Categories = append(mp.Categories, s.cats.ID(string(c)))
	}
	var text strings.Builder
	text.WriteString(d.Title)
	text.WriteString("\n")
	text.WriteString(d.Description)
	for _, k := range slices.Sorted(maps.Keys(d.Attributes)) {
		text.WriteString("\n")
		text.WriteString(d.Attributes[k])
	}
	mp.Text = text.String()
	s.model.SetProduct(mp)
}

// loadCategories reads the category tree.
func (s *Service) loadCategories(ctx context.Context) (*catalog.Tree, error) {
	cats, err := s.cat.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	tree := catalog.NewTree(cats)
	s.content.mu.Lock()
	s.content.tree = tree
	s.content.mu.Unlock()
	return tree, nil
}

// loadProducts reads the category tree and every product (of every
// status: drafts and archived products are known but never shown).
func (s *Service) loadProducts(ctx context.Context) (int, error) {
	tree, err := s.loadCategories(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range []catalog.Status{catalog.Active, catalog.Draft, catalog.Archived} {
		var after id.Product
		for {
			ps, err := s.cat.ProductsAfter(ctx, st, after, 1000)
			if err != nil {
				return n, fmt.Errorf("read products: %w", err)
			}
			for _, p := range ps {
				s.setProduct(docOf(p, tree))
			}
			n += len(ps)
			if len(ps) < 1000 {
				break
			}
			after = ps[len(ps)-1].ID
			if n%20000 < 1000 {
				s.log.Info("recommend: loading products", "products", n)
			}
		}
	}
	return n, nil
}

// product returns a product by ID or slug, asking the catalog about one
// the module has not heard of. An unknown product is NotFound.
func (s *Service) product(ctx context.Context, idOrSlug string) (*product, error) {
	if p, ok := s.content.get(idOrSlug); ok {
		return p, nil
	}
	if idOrSlug == "" {
		return nil, notFound(idOrSlug)
	}
	cp, err := s.cat.Product(ctx, idOrSlug)
	if apperr.Is(err, apperr.KindNotFound) {
		return nil, notFound(idOrSlug)
	}
	if err != nil {
		return nil, err
	}
	s.content.mu.RLock()
	tree := s.content.tree
	s.content.mu.RUnlock()
	s.setProduct(docOf(cp, tree))
	p, _ := s.content.get(string(cp.ID))
	return p, nil
}

// notFound is the error of an unknown product.
func notFound(idOrSlug string) error {
	return apperr.New(apperr.KindNotFound, "product_not_found", "product %q not found", idOrSlug)
}
