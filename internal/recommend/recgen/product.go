package recgen

import (
	"strings"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Product is what the generator needs of a product: where it sits, who
// makes and sells it, and what it costs.
type Product struct {
	ID         string   // the product's ID
	Categories []string // category path, root first, leaf last (names or IDs)
	// Kind is what the product is when its leaf holds several kinds of
	// thing ("Camp Stove" in a "Camping" leaf); "" when the leaf is the kind.
	// Bundles pair kinds.
	Kind    string
	Brand   string
	Seller  string
	Price   int64  // minor units
	Text    string // title and description, for content models
	Created int64  // unix seconds
}

// kindKey is the key of p's kind: its category path, and Kind if any.
func (p Product) kindKey() string {
	k := strings.Join(p.Categories, "/")
	if p.Kind != "" {
		k += "//" + p.Kind
	}
	return k
}

// groupKey is the group of kinds p's kind is bundled within: the kinds of
// its leaf when the leaf holds several, else its leaf's siblings.
func (p Product) groupKey() string {
	if p.Kind != "" {
		return strings.Join(p.Categories, "/")
	}
	if len(p.Categories) <= 1 {
		return ""
	}
	return strings.Join(p.Categories[:len(p.Categories)-1], "/")
}

// department is p's root category.
func (p Product) department() string {
	if len(p.Categories) == 0 {
		return ""
	}
	return p.Categories[0]
}

// FromCatalog makes the first n products of a cataloggen marketplace, with
// their category path by name, their seller by index and their title and
// description as text. Products are made in parallel on workers goroutines
// (0 for one).
func FromCatalog(g *cataloggen.Generator, n, workers int) []Product {
	cats := map[id.Category]string{}
	parent := map[id.Category]id.Category{}
	for _, c := range g.Categories() {
		cats[c.ID] = c.Name
		if c.ParentID != nil {
			parent[c.ID] = *c.ParentID
		}
	}
	paths := map[id.Category][]string{}
	for _, l := range g.Leaves() {
		var path []string
		for c, ok := l.CategoryID, true; ok; c, ok = parent[c] {
			path = append([]string{cats[c]}, path...)
		}
		paths[l.CategoryID] = path
	}
	sellers := make([]id.Seller, len(g.Sellers()))
	for i := range sellers {
		sellers[i] = id.Seller("seller-" + itoa(i))
	}
	out := make([]Product, n)
	parallel(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gp := g.Product(i, sellers, nil)
			p := gp.Product
			out[i] = Product{ID: string(p.ID), Categories: paths[p.CategoryID], Brand: p.Brand, Seller: string(p.SellerID),
				Price: p.PriceMin.Amount, Text: p.Title + ". " + p.Description, Created: p.CreatedAt.Unix()}
		}
	})
	return out
}
