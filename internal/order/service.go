package order

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// Catalog is what ordering needs from the catalog; *catalog.Service
// satisfies it.
type Catalog interface {
	// SKUs returns the known SKUs among skus (unknown ones are left out).
	SKUs(ctx context.Context, skus []string) (map[string]catalog.SKU, error)
}

// Carts is what ordering needs from carts; *cart.Service satisfies it.
type Carts interface {
	// Lines returns the stored lines of the user's cart (the caller is that
	// user).
	Lines(ctx context.Context, userID id.User) ([]cart.Line, error)
	// RemoveOrdered takes the quantities an order was placed with out of
	// the user's cart, once per order (a repeat changes nothing); lines
	// added meanwhile stay.
	RemoveOrdered(ctx context.Context, userID id.User, orderID id.Order, lines []cart.Ordered) error
}

// Addresses is what ordering needs from accounts' address book;
// *account.Service satisfies it.
type Addresses interface {
	// Address returns one of the signed-in user's addresses; NotFound if it
	// is not theirs.
	Address(ctx context.Context, id id.Address) (account.Address, error)
}

// Sellers tells which store a seller user runs; *account.Service satisfies
// it.
type Sellers interface {
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
}

// Payments is what ordering needs from the payment module; *payment.Service
// satisfies it.
type Payments interface {
	// Start begins (or returns the open) payment attempt for an order.
	Start(ctx context.Context, in payment.Start) (payment.Payment, error)
	// OrderPayments lists an order's payment attempts.
	OrderPayments(ctx context.Context, orderID id.Order) ([]payment.Payment, error)
	// RefundOrder refunds everything captured for an order and not yet
	// refunded; idempotent.
	RefundOrder(ctx context.Context, orderID id.Order, reason string) error
	// RefundOrderPart refunds amount of an order's captured payment for one
	// part of it (a seller order), once per part; idempotent.
	RefundOrderPart(ctx context.Context, orderID id.Order, part string, amount money.Money, reason string) error
	// SettleOnDelivery captures an order's authorised payment (cash on
	// delivery) for amount, or voids it when amount is zero; an order with
	// no authorised payment is left alone. Idempotent.
	SettleOnDelivery(ctx context.Context, orderID id.Order, amount money.Money) (payment.Payment, error)
}

// Stock is what ordering needs from inventory; *inventory.Service
// satisfies it (and so would a remote client). Every method is its own
// transaction in inventory, never part of the order's, and idempotent per
// order ID, so a call may be repeated after a failure or a crash.
type Stock interface {
	// Reserve holds lines for the order until expiresAt, all or nothing;
	// Conflict "insufficient_stock" (with a field error per short SKU) when
	// it cannot. Reserving again with the same lines is a no-op.
	Reserve(ctx context.Context, orderID id.Order, lines []inventory.Line, expiresAt time.Time) error
	// Commit turns the held reservation into a sale; a no-op once
	// committed, Conflict "reservation_released" once released.
	Commit(ctx context.Context, orderID id.Order) error
	// Release gives a held reservation back; a no-op otherwise.
	Release(ctx context.Context, orderID id.Order) error
	// Return gives a cancelled order's stock back, whatever the
	// reservation became: held is released, committed units of skus are
	// restocked (once), released is left alone.
	Return(ctx context.Context, orderID id.Order, skus []string) error
}

// Deps are the other modules ordering works with.
type Deps struct {
	Catalog   Catalog
	Carts     Carts
	Addresses Addresses
	Sellers   Sellers
	Payments  Payments
	Stock     Stock
}

// Defaults of Options.
const (
	DefaultReservationTTL = 15 * time.Minute
	DefaultPaymentGrace   = 10 * time.Minute
)

// Options tunes a Service. The zero value is usable.
type Options struct {
	// ReservationTTL is how long an unpaid order holds its stock
	// (BAZAAR_RESERVATION_TTL); DefaultReservationTTL when 0.
	ReservationTTL time.Duration
	// PaymentGrace is how much longer an order whose payment attempt is
	// still open (the gateway has not answered yet) keeps its stock after
	// the reservation expired; DefaultPaymentGrace when 0. Inventory's own
	// reservation expires only after TTL + grace, so its sweeper is a
	// backstop that never overtakes the order's expiry.
	PaymentGrace time.Duration
	// ShippingFee is the shipping fee of one seller order given its
	// subtotal; StandardShipping when nil.
	ShippingFee func(subtotal money.Money) money.Money
	// TaxBasisPoints is the tax rate on goods (not on shipping), in 1/100 of
	// a percent: 1800 is 18%. Tax is computed per seller order and rounded
	// half up to the minor unit. 0 (the default) charges no tax.
	TaxBasisPoints int64
	Now            func() time.Time // clock; time.Now when nil
	Logger         *slog.Logger     // slog.Default() when nil
}

// StandardShipping is the default fee rule: a flat 499 minor units per
// seller order, free when the seller order's subtotal is 5000 or more.
func StandardShipping(subtotal money.Money) money.Money {
	if subtotal.Amount >= 5000 {
		return money.New(0, subtotal.Currency)
	}
	return money.New(499, subtotal.Currency)
}

// Service is the order module's use cases.
type Service struct {
	store Store
	deps  Deps
	ttl   time.Duration
	grace time.Duration
	fee   func(money.Money) money.Money
	tax   int64
	now   func() time.Time
	log   *slog.Logger
}

// New returns a Service.
func New(store Store, deps Deps, opts Options) *Service {
	s := &Service{store: store, deps: deps, ttl: opts.ReservationTTL, grace: opts.PaymentGrace,
		fee: opts.ShippingFee, tax: opts.TaxBasisPoints, now: opts.Now, log: opts.Logger}
	if s.ttl <= 0 {
		s.ttl = DefaultReservationTTL
	}
	if s.grace <= 0 {
		s.grace = DefaultPaymentGrace
	}
	if s.fee == nil {
		s.fee = StandardShipping
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// clock returns now in UTC at the microsecond precision the store keeps.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// taxOf returns the tax on a subtotal.
func (s *Service) taxOf(subtotal money.Money) money.Money {
	return money.New((subtotal.Amount*s.tax+5000)/10000, subtotal.Currency)
}

// viewer is who is looking at an order.
type viewer struct {
	p        auth.Principal
	sellerID id.Seller // the caller's store, for sellers
}

func (s *Service) viewer(ctx context.Context) (viewer, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return viewer{}, err
	}
	v := viewer{p: p}
	if p.Is(auth.Seller) {
		st, err := s.deps.Sellers.SellerOfUser(ctx, p.UserID)
		switch {
		case apperr.Is(err, apperr.KindNotFound):
		case err != nil:
			return viewer{}, fmt.Errorf("look up store of %s: %w", p.UserID, err)
		default:
			v.sellerID = st.ID
		}
	}
	return v, nil
}

// sees returns the part of o the viewer may see: all of it for its customer,
// admins and support; for a seller with a part in it, the order holding only
// that part, with that part's totals. ok is false for anyone else.
func (v viewer) sees(o Order) (Order, bool) {
	switch {
	case v.p.Is(auth.Admin, auth.Support), o.CustomerID == v.p.UserID:
		return o, true
	case v.sellerID != "":
		if part := o.PartOf(v.sellerID); part != nil {
			return sellerView(o, *part), true
		}
	}
	return Order{}, false
}

// full reports whether the viewer sees the whole order (and its payments).
func (v viewer) full(o Order) bool {
	return v.p.Is(auth.Admin, auth.Support) || o.CustomerID == v.p.UserID
}

// sellerView narrows o to one seller's part: the totals are the part's, and
// the payment details are left out.
func sellerView(o Order, part SellerOrder) Order {
	o.SellerOrders = []SellerOrder{part}
	o.Subtotal, o.Shipping, o.Tax, o.Total = part.Subtotal, part.Shipping, part.Tax, part.Total
	o.Refunded = money.New(0, o.Currency)
	o.PaymentStatus, o.LastPaymentError, o.PaymentID = "", nil, ""
	return o
}

// statusEvent returns the status_changed event for a change from prev, or
// nothing when the status did not change.
func statusEvent(o *Order, prev Status, now time.Time) []Event {
	if o.Status == prev {
		return nil
	}
	return []Event{eventOf(TopicStatusChanged, StatusChanged{
		OrderID: o.ID, CustomerID: o.CustomerID, Status: o.Status, PreviousStatus: prev, At: now})}
}
