package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// builder turns catalog products into index documents, adding the category
// path, stock, store name and signals.
type builder struct {
	cat     Catalog
	stock   Stock
	sellers Sellers
	signals Signals

	mu      sync.Mutex
	tree    *catalog.Tree
	treeAt  time.Time
	sellerN map[id.Seller]sellerName
}

type sellerName struct {
	name   string
	active bool
	at     time.Time
}

// Caches bound how stale a category path or store name in the index may be
// when its change reached this process by no event.
const (
	treeTTL   = 30 * time.Second
	sellerTTL = 10 * time.Minute
)

func newBuilder(cat Catalog, stock Stock, sellers Sellers, signals Signals) *builder {
	return &builder{cat: cat, stock: stock, sellers: sellers, signals: signals, sellerN: make(map[id.Seller]sellerName)}
}

// Tree returns the category tree, cached.
func (b *builder) Tree(ctx context.Context) (*catalog.Tree, error) {
	b.mu.Lock()
	t, at := b.tree, b.treeAt
	b.mu.Unlock()
	if t != nil && time.Since(at) < treeTTL {
		return t, nil
	}
	cats, err := b.cat.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	t = catalog.NewTree(cats)
	b.mu.Lock()
	b.tree, b.treeAt = t, time.Now()
	b.mu.Unlock()
	return t, nil
}

func (b *builder) forgetTree() {
	b.mu.Lock()
	b.tree = nil
	b.mu.Unlock()
}

func (b *builder) forgetSeller(id id.Seller) {
	b.mu.Lock()
	delete(b.sellerN, id)
	b.mu.Unlock()
}

// seller returns a store's name and whether its products may be shown.
func (b *builder) seller(ctx context.Context, id id.Seller) (string, bool, error) {
	if b.sellers == nil {
		return "", true, nil
	}
	b.mu.Lock()
	n, ok := b.sellerN[id]
	b.mu.Unlock()
	if ok && time.Since(n.at) < sellerTTL {
		return n.name, n.active, nil
	}
	sel, err := b.sellers.Seller(ctx, id)
	switch {
	case apperr.Is(err, apperr.KindNotFound):
		n = sellerName{active: false, at: time.Now()}
	case err != nil:
		return "", false, fmt.Errorf("find store %s: %w", id, err)
	default:
		n = sellerName{name: sel.Name, active: true, at: time.Now()}
	}
	b.mu.Lock()
	b.sellerN[id] = n
	b.mu.Unlock()
	return n.name, n.active, nil
}

// docs builds the documents of ps. Products that must not be found (not
// active, or of a suspended store) are returned in del.
func (b *builder) docs(ctx context.Context, ps []catalog.Product) (put []Doc, del []id.Product, err error) {
	if len(ps) == 0 {
		return nil, nil, nil
	}
	t, err := b.Tree(ctx)
	if err != nil {
		return nil, nil, err
	}
	var skus []string
	var ids []id.Product
	for _, p := range ps {
		if p.Status != catalog.Active {
			continue
		}
		ids = append(ids, p.ID)
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
	}
	avail := map[string]int64{}
	if b.stock != nil && len(skus) > 0 {
		if avail, err = b.stock.Available(ctx, skus); err != nil {
			return nil, nil, fmt.Errorf("read stock: %w", err)
		}
	}
	sig := map[id.Product]Signal{}
	if b.signals != nil && len(ids) > 0 {
		if sig, err = b.signals.Signals(ctx, ids); err != nil {
			return nil, nil, fmt.Errorf("read signals: %w", err)
		}
	}
	for _, p := range ps {
		if p.Status != catalog.Active {
			del = append(del, p.ID)
			continue
		}
		name, active, err := b.seller(ctx, p.SellerID)
		if err != nil {
			return nil, nil, err
		}
		if !active {
			del = append(del, p.ID)
			continue
		}
		put = append(put, makeDoc(p, t, name, avail, sig[p.ID]))
	}
	return put, del, nil
}

func makeDoc(p catalog.Product, t *catalog.Tree, sellerName string, avail map[string]int64, sig Signal) Doc {
	d := Doc{
		ID: p.ID, Slug: p.Slug, Title: p.Title, Description: p.Description, Brand: strings.TrimSpace(p.Brand),
		SellerID: p.SellerID, SellerName: sellerName, CategoryID: p.CategoryID,
		PriceMin: p.PriceMin.Amount, PriceMax: p.PriceMax.Amount, Currency: p.PriceMin.Currency,
		Rating: sig.Rating, RatingCount: sig.RatingCount, Sales: sig.Sales, CreatedAt: p.CreatedAt,
		Attributes: make(map[string][]string),
	}
	d.CategoryIDs = t.Ancestors(p.CategoryID)
	if len(d.CategoryIDs) == 0 {
		d.CategoryIDs = []id.Category{p.CategoryID}
	}
	for _, id := range d.CategoryIDs {
		if c, ok := t.Get(string(id)); ok {
			d.CategoryPath = append(d.CategoryPath, c.Name)
		}
	}
	add := func(k, v string) {
		k, v = AttrName(k), strings.TrimSpace(v)
		if k == "" || v == "" || slices.ContainsFunc(d.Attributes[k], func(x string) bool { return strings.EqualFold(x, v) }) {
			return
		}
		d.Attributes[k] = append(d.Attributes[k], v)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Attributes)) {
		add(k, p.Attributes[k])
	}
	for _, v := range p.Variants {
		d.Prices = append(d.Prices, v.Price.Amount)
		d.Available += max(avail[v.SKU], 0)
		for _, k := range slices.Sorted(maps.Keys(v.Options)) {
			add(k, v.Options[k])
		}
	}
	if len(p.Images) > 0 {
		d.Image = p.Images[0].URL
		if d.Image == "" {
			d.Image = catalog.ImageURL(p.Images[0].ID)
		}
	}
	return d
}

// AttrName is the form attribute names are indexed and filtered by: trimmed,
// lower case, spaces and dots as underscores.
func AttrName(k string) string {
	return strings.NewReplacer(" ", "_", ".", "_").Replace(strings.ToLower(strings.TrimSpace(k)))
}
