package recommend

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// Signal is one thing a shopper did with a product.
type Signal struct {
	// Subject is the shopper: "u:<user ID>" or "s:<guest session>".
	Subject   string
	ProductID id.Product
	Kind      recmodel.Kind
	Value     int8 // stars for a rating; 0 otherwise
	At        time.Time
}

// Row is a stored signal with its place in the table.
type Row struct {
	Seq int64
	Signal
}

// UserSubject is the subject of a signed-in shopper's signals.
func UserSubject(u id.User) string { return "u:" + string(u) }

// SessionSubject is the subject of a guest session's signals.
func SessionSubject(session string) string { return "s:" + session }

// Store keeps the signals; *recommendsql.Store satisfies it.
type Store interface {
	// Insert appends signals (in batches).
	Insert(ctx context.Context, sigs []Signal) error
	// ApplyOnce appends sigs in the transaction that records that
	// consumer applied eventID, unless it had.
	ApplyOnce(ctx context.Context, consumer string, eventID id.Event, sigs []Signal) error
	// Since returns up to limit signals after seq, at or after notBefore,
	// in seq order.
	Since(ctx context.Context, seq int64, notBefore time.Time, limit int) ([]Row, error)
	// LastSeq is the highest seq so far (0 if none).
	LastSeq(ctx context.Context) (int64, error)
	// Purge deletes the signals older than before.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// Catalog is where products' content comes from: the catalog's Feed
// (catalog.Service.Feed) satisfies it.
type Catalog interface {
	// Product finds a product by ID or slug, whatever its status.
	Product(ctx context.Context, idOrSlug string) (catalog.Product, error)
	// Categories returns every category.
	Categories(ctx context.Context) ([]catalog.Category, error)
	// ProductsAfter scans the products with status in ID order.
	ProductsAfter(ctx context.Context, status catalog.Status, afterID id.Product, limit int) ([]catalog.Product, error)
}

// Stock tells how many units of each SKU are available; *inventory.Service
// satisfies it.
type Stock interface {
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}

// Sellers finds a store; *account.Service satisfies it. A suspended store
// answers NotFound.
type Sellers interface {
	Seller(ctx context.Context, id id.Seller) (account.Seller, error)
}

// Refs reads products' summaries in one batch; *catalog.Service satisfies
// it. Unknown products are absent from the map.
type Refs interface {
	ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error)
}

// The lists a shopper can ask for.
const (
	AlsoBought = "also_bought" // bought by those who bought this product
	AlsoViewed = "also_viewed" // viewed by those who viewed this product
	Similar    = "similar"     // like this product by its content
	ForYou     = "for_you"     // from the shopper's history and session
	Trending   = "trending"    // most popular lately, overall or in a category
	Cart       = "cart"        // bought or viewed with the cart's products
)

// ProductKinds are the lists about one product; ShopperKinds the others.
var (
	ProductKinds = []string{AlsoBought, AlsoViewed, Similar}
	ShopperKinds = []string{ForYou, Trending, Cart}
)

// Limits of a list.
const (
	DefaultLimit = 12
	MaxLimit     = 50
	MaxCart      = 20 // products a cart list may start from
)

// Reason codes.
const (
	ReasonBoughtWith = "bought_with"
	ReasonViewedWith = "viewed_with"
	ReasonSimilarTo  = "similar_to"
	ReasonViewed     = "viewed"
	ReasonBought     = "bought"
	ReasonTrending   = "trending"
	ReasonPopular    = "popular"
)

// List is a list of recommended products.
type List struct {
	Kind  string `json:"kind"`
	Items []Item `json:"items"`
}

// Item is one recommended product, with why.
type Item struct {
	ProductID  id.Product  `json:"product_id"`
	Slug       string      `json:"slug"`
	Title      string      `json:"title"`
	Brand      string      `json:"brand"`
	Image      string      `json:"image,omitempty"`
	PriceMin   money.Money `json:"price_min"`
	PriceMax   money.Money `json:"price_max"`
	SellerID   id.Seller   `json:"seller_id"`
	CategoryID id.Category `json:"category_id"`
	Reason     Reason      `json:"reason"`
	Score      float32     `json:"score"`
}

// Reason explains an Item.
type Reason struct {
	Code       string      `json:"code"`
	Text       string      `json:"text"`
	ProductID  id.Product  `json:"product_id,omitempty"`
	CategoryID id.Category `json:"category_id,omitempty"`
}

// ProductQuery asks for a list about one product.
type ProductQuery struct {
	Product string // an ID or slug
	Kind    string // AlsoBought, AlsoViewed or Similar
	Limit   int    // 1..MaxLimit; 0 for DefaultLimit
	User    id.User
	Session string
}

// ShopperQuery asks for a list for a shopper.
type ShopperQuery struct {
	Kind     string // ForYou, Trending or Cart
	Limit    int    // 1..MaxLimit; 0 for DefaultLimit
	User     id.User
	Session  string
	Category string       // Trending: an ID or slug, "" for every category
	Products []id.Product // Cart: the cart's products
}
