package support

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
	"github.com/bazaar-market/bazaar/internal/unit"
)

// Orders is what support needs from the order module; *order.Service
// satisfies it.
type Orders interface {
	// Order returns an order as the caller in ctx may see it (NotFound
	// for another's).
	Order(ctx context.Context, id id.Order) (order.Detail, error)
	// OrderOfPart returns the whole order holding a seller order, for any
	// caller; NotFound when unknown.
	OrderOfPart(ctx context.Context, sellerOrderID id.SellerOrder) (order.Order, error)
	// PlaceReplacement places, once per key, a paid order at no charge:
	// the other variant a customer takes in exchange.
	PlaceReplacement(ctx context.Context, in order.ReplacementInput) (order.Order, error)
}

// Products is what support needs from the catalog; *catalog.Service
// satisfies it.
type Products interface {
	ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error)
	Categories(ctx context.Context) ([]catalog.Category, error)
	// Product returns a product with its variants, as the caller sees it.
	Product(ctx context.Context, idOrSlug string) (catalog.Product, error)
	// SKUs returns the known SKUs among skus.
	SKUs(ctx context.Context, skus []string) (map[string]catalog.SKU, error)
}

// Refunds is what support needs from the payment module; *payment.Service
// satisfies it. RefundOrderPart refunds amount of an order's payment once
// per part (capped at what is left to refund).
type Refunds interface {
	RefundOrderPart(ctx context.Context, orderID id.Order, part string, amount money.Money, reason string) error
}

// Stock is what support needs from inventory; *inventory.Service satisfies
// it. ReturnUnits puts returned units back on hand, once per return and SKU.
type Stock interface {
	ReturnUnits(ctx context.Context, orderID id.Order, returnID id.Return, lines []inventory.Line) (int64, error)
	// Available returns the units available now per SKU.
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}

// People is what support needs from accounts; *account.Service satisfies it.
type People interface {
	DeliveryPartners(ctx context.Context) ([]account.User, error)
	IsActiveUser(ctx context.Context, userID id.User, role auth.Role) (bool, error)
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
}

// Loads counts the outbound shipments under way per delivery partner, so
// pickups go to the least loaded partner overall; *shipment.Service
// satisfies it.
type Loads interface {
	PartnerLoads(ctx context.Context) (map[id.User]int, error)
}

// Deps are the modules support works with.
type Deps struct {
	Orders   Orders
	Products Products
	Refunds  Refunds
	Stock    Stock
	People   People
	Loads    Loads // optional
}

var _ People = (*account.Service)(nil)

// Options tune a Service.
type Options struct {
	// FileDir is where attachments are stored (required to upload).
	FileDir string
	Now     func() time.Time // clock; time.Now when nil
	Logger  *slog.Logger
}

// Service is the support module's use cases: tickets and returns. Every
// method checks the caller's rights itself; another's ticket or return is
// NotFound.
type Service struct {
	store Store
	deps  Deps
	dir   string
	now   func() time.Time
	log   *slog.Logger
}

// New returns a Service.
func New(store Store, deps Deps, opts Options) *Service {
	s := &Service{store: store, deps: deps, dir: opts.FileDir, now: opts.Now, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Consumer names.
const (
	// ConsumerSettle restocks and refunds received returns.
	ConsumerSettle = "support.settle"
)

// Subscribe registers the module's consumers.
func (s *Service) Subscribe(sub event.Subscriber) {
	event.On(sub, ConsumerSettle, supportevent.TopicReturnReceived, s.OnReceived)
}

// Jobs are the module's background jobs.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{
		{Name: "support.autoclose", Singleton: true, Every: 10 * time.Minute, Tick: func(ctx context.Context) error {
			_, err := s.CloseResolved(ctx)
			return err
		}},
		{Name: "support.orphans", Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
			_, err := s.PurgeOrphans(ctx)
			return err
		}},
	}
}

// who is the caller as support sees it: its principal and, for a seller,
// its store.
type who struct {
	auth.Principal
	sellerID id.Seller
}

func (w who) staff() bool { return w.Is(auth.Admin, auth.Support) }

// caller returns the signed-in caller with one of roles (any when none).
func (s *Service) caller(ctx context.Context, roles ...auth.Role) (who, error) {
	p, err := auth.Require(ctx, roles...)
	if err != nil {
		return who{}, err
	}
	w := who{Principal: p}
	if p.Is(auth.Seller) {
		sel, err := s.deps.People.SellerOfUser(ctx, p.UserID)
		if err != nil && !apperr.Is(err, apperr.KindNotFound) {
			return who{}, fmt.Errorf("look up store of %s: %w", p.UserID, err)
		}
		w.sellerID = sel.ID
	}
	return w, nil
}

// ErrUnchanged is returned by an update function that found nothing to
// change; the store writes nothing and returns no error.
var ErrUnchanged = apperr.New(apperr.KindConflict, "unchanged", "nothing to change")
