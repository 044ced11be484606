package graphql

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/support"
)

// The services the resolvers call, as the small interfaces this door needs:
// the modules' *Service types satisfy them, and so may remote clients.

// Accounts is the account module as GraphQL uses it.
type Accounts interface {
	Login(ctx context.Context, in account.Credentials, c account.Client) (account.Session, error)
	Register(ctx context.Context, in account.NewUser, c account.Client) (account.Session, error)
	Refresh(ctx context.Context, refreshToken string) (account.Session, error)
	Logout(ctx context.Context, refreshToken string) error
	Me(ctx context.Context) (account.User, error)
	Addresses(ctx context.Context, f account.AddressFilter) ([]account.Address, error)
	CreateAddress(ctx context.Context, in account.AddressInput) (account.Address, error)
	DeleteAddress(ctx context.Context, id id.Address) error
	Users(ctx context.Context, f account.UserFilter) ([]account.User, error)
	SuspendUser(ctx context.Context, id id.User) (account.User, error)
	ReinstateUser(ctx context.Context, id id.User) (account.User, error)
	Sellers(ctx context.Context, f account.SellerFilter) ([]account.Seller, error)
	SellersByID(ctx context.Context, ids []id.Seller) (map[id.Seller]account.Seller, error)
}

// Catalog is the catalog module as GraphQL uses it.
type Catalog interface {
	Product(ctx context.Context, idOrSlug string) (catalog.Product, error)
	Products(ctx context.Context, q catalog.ProductQuery) (page.Page[catalog.Product], error)
	SellerProducts(ctx context.Context, q catalog.ProductQuery) (page.Page[catalog.Product], error)
	CreateProduct(ctx context.Context, in catalog.NewProduct) (catalog.Product, error)
	UpdateProduct(ctx context.Context, idOrSlug string, in catalog.ProductUpdate) (catalog.Product, error)
	ArchiveProduct(ctx context.Context, idOrSlug string) error
	Categories(ctx context.Context) ([]catalog.Category, error)
	Category(ctx context.Context, idOrSlug string) (catalog.Category, error)
	CreateCategory(ctx context.Context, in catalog.NewCategory) (catalog.Category, error)
}

// Inventory is the inventory module as GraphQL uses it.
type Inventory interface {
	catalog.Availability
	SetOnHand(ctx context.Context, sku string, in inventory.StockInput) (inventory.Stock, error)
}

// Carts is the cart module as GraphQL uses it.
type Carts interface {
	Cart(ctx context.Context, token string) (cart.View, error)
	AddItem(ctx context.Context, token string, in cart.ItemInput) (cart.View, error)
	UpdateItem(ctx context.Context, token string, lineID id.CartLine, in cart.QuantityInput) (cart.View, error)
	RemoveItem(ctx context.Context, token string, lineID id.CartLine) error
	Wishlist(ctx context.Context, cursor string, limit int) (page.Page[cart.WishItem], error)
	AddToWishlist(ctx context.Context, in cart.WishInput) (cart.WishItem, bool, error)
	RemoveFromWishlist(ctx context.Context, productID id.Product) error
}

// Orders is the order module as GraphQL uses it.
type Orders interface {
	Place(ctx context.Context, in order.PlaceInput) (order.Order, error)
	Pay(ctx context.Context, in order.PayInput) (payment.Payment, error)
	Order(ctx context.Context, id id.Order) (order.Detail, error)
	Orders(ctx context.Context, q order.Query) (page.Page[order.Order], error)
	SellerOrders(ctx context.Context, q order.Query) (page.Page[order.Queued], error)
	Cancel(ctx context.Context, orderID id.Order, in order.CancelInput) (order.Order, error)
}

// Shipments is the shipment module as GraphQL uses it.
type Shipments interface {
	Shipment(ctx context.Context, id id.Shipment) (shipment.Shipment, error)
	Pack(ctx context.Context, shipmentID id.Shipment) (shipment.Shipment, error)
	Handover(ctx context.Context, shipmentID id.Shipment, in shipment.HandoverInput) (shipment.Shipment, error)
	RecordEvent(ctx context.Context, shipmentID id.Shipment, in shipment.EventInput) (shipment.Shipment, error)
	AssignedShipments(ctx context.Context, q shipment.ListQuery) (page.Page[shipment.Shipment], error)
	SellerShipments(ctx context.Context, q shipment.ListQuery) (page.Page[shipment.Shipment], error)
}

// Reviews is the review module as GraphQL uses it.
type Reviews interface {
	Reviews(ctx context.Context, productID id.Product, cursor string, limit int) (review.Page, error)
	Summaries(ctx context.Context, productIDs []id.Product) (map[id.Product]review.Summary, error)
	Moderate(ctx context.Context, reviewID id.Review, in review.ModerationInput) (review.Review, error)
}

// Search is the search module as GraphQL uses it.
type Search interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error)
}

// Recommend is the recommendation module as GraphQL uses it.
type Recommend interface {
	ForProduct(ctx context.Context, q recommend.ProductQuery) (recommend.List, error)
	ForShopper(ctx context.Context, q recommend.ShopperQuery) (recommend.List, error)
}

// Support is the support module (returns and tickets) as GraphQL uses it.
type Support interface {
	RequestReturn(ctx context.Context, in support.ReturnInput) (support.Return, error)
	Returns(ctx context.Context, q support.ReturnQuery) (page.Page[support.Return], error)
	OpenTicket(ctx context.Context, in support.TicketInput) (support.Ticket, error)
	Tickets(ctx context.Context, q support.TicketQuery) (page.Page[support.Ticket], error)
}

// Watch streams the live changes the user may see (orders and parcels)
// until ctx ends.
type Watch func(ctx context.Context, user id.User) (<-chan live.Message, error)

// Authenticate verifies an access token as the HTTP middleware does, for
// WebSocket subscriptions whose token comes in connection_init.
type Authenticate func(ctx context.Context, token string) (auth.Principal, error)

// Services are the modules the resolvers call.
type Services struct {
	Accounts  Accounts
	Catalog   Catalog
	Inventory Inventory
	Carts     Carts
	Orders    Orders
	Shipments Shipments
	Reviews   Reviews
	Search    Search
	Recommend Recommend
	Support   Support
	Watch     Watch
}

// Resolver is the root resolver: it translates GraphQL into service calls.
type Resolver struct {
	svc Services
}
