package search

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Sort orders search results.
type Sort string

const (
	SortRelevance Sort = "relevance"  // best match first; popularity for an empty query
	SortPriceAsc  Sort = "price_asc"  // lowest variant price ascending
	SortPriceDesc Sort = "price_desc" // highest variant price descending
	SortNewest    Sort = "newest"     // created time descending
	SortRating    Sort = "rating"     // best rated first, weighing how many reviews (see searchbleve's ratingRank)
	SortPopular   Sort = "popular"    // sales descending
)

// Sorts lists every sort.
var Sorts = []Sort{SortRelevance, SortPriceAsc, SortPriceDesc, SortNewest, SortRating, SortPopular}

// Valid reports whether s is a known sort.
func (s Sort) Valid() bool {
	for _, v := range Sorts {
		if s == v {
			return true
		}
	}
	return false
}

// Query is what a shopper asks for. Empty fields do not filter; an empty
// Text browses with facets.
type Query struct {
	Text      string              // free text: typos, synonyms, stemming, prefix on the last word
	Category  string              // category ID or slug; includes its sub-categories
	Brands    []string            // any of these brands (case-insensitive)
	Seller    string              // seller ID
	PriceMin  *int64              // some variant costs at least this (minor units)
	PriceMax  *int64              // some variant costs at most this (minor units)
	RatingMin *float64            // average rating at least this (0..5)
	InStock   bool                // only products with units available
	Attrs     map[string][]string // attribute name -> any of these values (case-insensitive)
	Sort      Sort                // default relevance
	Cursor    string              // from the previous page's NextCursor
	Limit     int                 // 1..100, default 20
}

// Result is one page of search results.
type Result struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
	Total      uint64 `json:"total"`
	Facets     Facets `json:"facets"`
	// Relaxed is set when less than a page of products matched every word
	// and the results also hold products matching all but one (after
	// those that match every word).
	Relaxed bool `json:"relaxed,omitempty"`
}

// Hit is one product in a result.
type Hit struct {
	ID           id.Product  `json:"id"`
	Title        string      `json:"title"`
	Slug         string      `json:"slug"`
	Brand        string      `json:"brand"`
	SellerID     id.Seller   `json:"seller_id"`
	SellerName   string      `json:"seller_name,omitempty"`
	CategoryID   id.Category `json:"category_id"`
	Price        PriceRange  `json:"price"`
	Image        string      `json:"image,omitempty"`
	Rating       float64     `json:"rating"`
	RatingCount  int64       `json:"rating_count"`
	Availability string      `json:"availability"` // in_stock or out_of_stock: follows every stock change
	// Available is the units over all variants when the product was last
	// indexed: catalog changes and going in or out of stock refresh it,
	// sales in between do not (the product page has the live count).
	Available  int64       `json:"available"`
	Highlights *Highlights `json:"highlights,omitempty"`
}

// PriceRange is the lowest and highest variant price of a product.
type PriceRange struct {
	Min money.Money `json:"min"`
	Max money.Money `json:"max"`
}

// Highlights are HTML snippets with the matched words in <mark> tags; the
// rest of the text is HTML-escaped.
type Highlights struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Availability values.
const (
	InStock    = "in_stock"
	OutOfStock = "out_of_stock"
)

// Facets are the counts of the matching products per value. Category lists
// the children of the selected category (the roots when none is selected);
// Attributes are those of the selected category. Facets are counted for the
// first page only: pages asked for with a cursor have empty facets.
type Facets struct {
	Category   []FacetValue     `json:"category"`
	Brand      []FacetValue     `json:"brand"`
	Price      []FacetValue     `json:"price"`
	Rating     []FacetValue     `json:"rating"`
	Attributes []AttributeFacet `json:"attributes"`
}

// FacetValue is one value of a facet: Value is what to send back as the
// filter parameter, Label what to show.
type FacetValue struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// AttributeFacet counts the values of one attribute (filter: attr.NAME=VALUE).
type AttributeFacet struct {
	Name   string       `json:"name"`
	Values []FacetValue `json:"values"`
}

// Suggestion is one completion of what a shopper is typing.
type Suggestion struct {
	Kind  string     `json:"kind"` // query, category, brand or product
	Text  string     `json:"text"`
	Value string     `json:"value,omitempty"` // category ID, brand, or product slug
	ID    id.Product `json:"id,omitempty"`    // product ID for products
}

// Suggestion kinds.
const (
	KindQuery    = "query"
	KindCategory = "category"
	KindBrand    = "brand"
	KindProduct  = "product"
)

// Doc is one product as the index holds it: everything searched, filtered,
// sorted, faceted and shown.
type Doc struct {
	ID           id.Product
	Slug         string
	Title        string
	Description  string
	Brand        string
	SellerID     id.Seller
	SellerName   string
	CategoryID   id.Category
	CategoryIDs  []id.Category       // the category and its ancestors, root first
	CategoryPath []string            // their names, root first, ending with the category's own
	Attributes   map[string][]string // attributes and variant options; lower-case names
	Prices       []int64             // every variant's price, minor units
	PriceMin     int64
	PriceMax     int64
	Currency     string
	Rating       float64 // average, 0 when unrated
	RatingCount  int64
	Sales        int64 // popularity
	Available    int64 // units available over all variants
	Image        string
	CreatedAt    time.Time
}

// Signal is what reviews and sales say about a product.
type Signal struct {
	ProductID   id.Product
	Rating      float64 // average, 0..5
	RatingCount int64
	Sales       int64
}

// Index is a search engine holding Docs. The embedded Bleve index
// (searchbleve) is one; a search-cluster driver can be another. Put and
// Delete are idempotent; documents are visible to Search when they return.
type Index interface {
	Put(ctx context.Context, docs []Doc) error
	Delete(ctx context.Context, ids []id.Product) error
	Search(ctx context.Context, r Request) (Response, error)
	// Count is the number of documents.
	Count() (uint64, error)
	// AttributeNames returns the attribute names of the products in any
	// of categoryIDs, the most common first.
	AttributeNames(categoryIDs []id.Category) []string
	// Terms returns the values of a keyword field ("brand", "category_ids")
	// with their document counts.
	Terms(field string) ([]TermCount, error)
	Close() error
}

// Staler is an Index that can tell it was built by an older version of
// its engine (other fields or analysis) and should be rebuilt.
type Staler interface {
	Stale() bool
}

// TermCount is a keyword with the number of documents that have it.
type TermCount struct {
	Term  string
	Count int
}

// Request is a validated query as an engine receives it.
type Request struct {
	Plan        Plan                // the free text, analysed; empty to browse
	CategoryIDs []id.Category       // products in any of these (one category's subtree)
	BrandKeys   []string            // BrandKey of any of these brands
	SellerID    id.Seller           // ""
	PriceMin    *int64              // some variant >= (minor units)
	PriceMax    *int64              // some variant <=
	RatingMin   *float64            // rating >=
	InStock     bool                // available > 0
	Attrs       map[string][]string // lower-case name -> lower-case values
	Sort        Sort                //
	After       string              // engine cursor from a previous Response
	Limit       int                 // 0: counts only (Total and facets), no documents
	Facets      FacetRequest        //
	Relax       bool                // match all but one clause of Plan
	// Disjunctive asks the engine to count each facet whose own filter is
	// set without that filter (Response.Disjunctive says it did; otherwise
	// the service recounts those facets itself).
	Disjunctive bool
}

// FacetRequest says which facets to count.
type FacetRequest struct {
	Categories bool     // counts per category ID (of the products' own categories)
	Brands     int      // top N brands
	Prices     []Bucket // price buckets on the lowest variant price: PriceBuckets (engines may bucket at index time)
	Ratings    []float64
	Attributes []string // attribute names
	AttrSize   int      // top N values per attribute
}

// Bucket is a price range [Min, Max) in minor units; nil ends are open.
type Bucket struct {
	Name     string
	Min, Max *int64
}

// Response is what an engine found.
type Response struct {
	Docs  []Doc
	Total uint64
	After string // cursor after the last doc, "" when there are no more
	// Facet counts: a product's own category ID -> count (the service
	// adds them up the tree), brand (as shown) -> count, bucket name ->
	// count, rating floor -> count, name -> value -> count.
	Categories map[string]int
	Brands     []TermCount
	Prices     map[string]int
	Ratings    map[float64]int
	Attributes map[string][]TermCount
	// Disjunctive: facets whose own filter is set were counted without it.
	Disjunctive bool
}
