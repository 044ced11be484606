package order

import (
	"context"
	"errors"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Effects are what a Mutation asks the store to do in the transaction that
// writes its change: the events to publish (the outbox commits with the
// order). Other modules are never written in that transaction: the service
// calls them before or after it, through Stock and Carts.
type Effects struct {
	Events []Event
}

// Mutation changes an order (with its seller orders) in a store
// transaction. It returns ErrUnchanged when there is nothing to do: the store
// then writes nothing and runs nothing.
type Mutation func(o *Order) (Effects, error)

// ErrUnchanged is returned by a Mutation that found nothing to change.
var ErrUnchanged = errors.New("order unchanged")

// Filter selects a page of orders (or seller orders), newest first.
type Filter struct {
	CustomerID id.User   // only this customer's orders ("" for any)
	SellerID   id.Seller // SellerOrders: only this seller's
	Statuses   []string  // only these statuses (none: any)
	After      *Cursor   // start after this position
	Limit      int
}

// Cursor is the keyset position of a page: the last item's placement time
// and ID.
type Cursor struct {
	PlacedAt int64    `json:"t"` // Unix microseconds
	ID       id.Order `json:"i"`
}

// Store keeps orders. Writes take the order's row first (a conditional
// update), so concurrent changes of one order run one after the other, and
// every seller order's status change is itself conditional on the status it
// was read with.
type Store interface {
	// StartPlacement records that orderID is being placed for customerID
	// with the Idempotency-Key key (none when ""), before its stock is
	// reserved, and returns the order ID the placement goes by and when it
	// started: those of an earlier placement with the same customer and key
	// if one was started and never ended (its process died before writing
	// the order), orderID and now otherwise.
	StartPlacement(ctx context.Context, customerID id.User, key string, orderID id.Order, now time.Time) (id.Order, time.Time, error)
	// DropPlacement ends a placement that did not become an order; false if
	// there was none (the order was written, or it was dropped before).
	DropPlacement(ctx context.Context, orderID id.Order) (bool, error)
	// StalePlacements lists up to limit placements started before before
	// and never ended, oldest first.
	StalePlacements(ctx context.Context, before time.Time, limit int) ([]id.Order, error)
	// Create stores a new order with its seller orders and lines, ends its
	// placement and publishes events, in one transaction. An order whose
	// RequestKey the customer already used is a Conflict with code
	// "request_key_used"; one whose placement is not there (never started,
	// or dropped by the expirer meanwhile) is Unavailable
	// "placement_expired". Either way nothing is written.
	Create(ctx context.Context, o Order, events []Event) error
	// Order returns an order with its seller orders and lines; NotFound if
	// unknown.
	Order(ctx context.Context, id id.Order) (Order, error)
	// OrderByRequestKey returns the customer's order placed with the
	// Idempotency-Key key; NotFound if none.
	OrderByRequestKey(ctx context.Context, customerID id.User, key string) (Order, error)
	// OrderOfSellerOrder returns the ID of the order a seller order belongs
	// to; NotFound if unknown.
	OrderOfSellerOrder(ctx context.Context, sellerOrderID id.SellerOrder) (id.Order, error)
	// Received reports whether a seller order holding productID has been
	// delivered to customerID (and not returned).
	Received(ctx context.Context, customerID id.User, productID id.Product) (bool, error)
	// Orders lists orders matching f (CustomerID, Statuses of the customer
	// order), newest first, with their seller orders and lines.
	Orders(ctx context.Context, f Filter) ([]Order, error)
	// SellerOrders lists the seller orders of f.SellerID matching f
	// (Statuses of the seller order), newest first. Each comes inside its
	// order, which holds only that seller order.
	SellerOrders(ctx context.Context, f Filter) ([]Order, error)
	// Update applies m to the order in one transaction and writes what it
	// changed and publishes its events there. It returns the order as
	// written (as read when m returned ErrUnchanged). Another error from m
	// rolls back and is returned as it is.
	Update(ctx context.Context, id id.Order, m Mutation) (Order, error)
	// ApplyOnce applies an event's effect exactly once for consumer: in one
	// transaction it records eventID as applied by consumer and runs fn
	// with a Store bound to that transaction (its writes join it, its reads
	// see them). If the event was applied before, fn is not run and applied
	// is false; an error from fn rolls everything back (the event counts as
	// not applied) and is returned as it is.
	ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(ctx context.Context, st Store) error) (applied bool, err error)
	// Expirable lists up to limit orders awaiting payment whose reservation
	// expired at or before now, without an open payment attempt; and those
	// with one whose reservation expired at or before now - grace.
	Expirable(ctx context.Context, now time.Time, grace time.Duration, limit int) ([]id.Order, error)
}
