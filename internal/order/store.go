package order

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// TxStep is a write of another module (reserve, commit, release or restock
// stock; clear a cart) that must happen in the order's own transaction, so
// the order, the other module's rows and the outbox events commit together
// or not at all. When modules live in separate services this is the seam
// where a remote call and a saga step go.
type TxStep func(ctx context.Context, tx *sql.Tx) error

// Effects are what a Mutation asks the store to do in the transaction that
// writes its change: steps to run after the order rows are written and
// events to publish.
type Effects struct {
	Steps  []TxStep
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
	CustomerID string   // only this customer's orders ("" for any)
	SellerID   string   // SellerOrders: only this seller's
	Statuses   []string // only these statuses (none: any)
	After      *Cursor  // start after this position
	Limit      int
}

// Cursor is the keyset position of a page: the last item's placement time
// and ID.
type Cursor struct {
	PlacedAt int64  `json:"t"` // Unix microseconds
	ID       string `json:"i"`
}

// Store keeps orders. Writes take the order's row first (a conditional
// update), so concurrent changes of one order run one after the other, and
// every seller order's status change is itself conditional on the status it
// was read with.
type Store interface {
	// Create stores a new order with its seller orders and lines, runs
	// steps and publishes events, in one transaction. An error from a step
	// rolls everything back and is returned as it is. An order whose
	// RequestKey the customer already used is a Conflict with code
	// "request_key_used", and nothing is written.
	Create(ctx context.Context, o Order, steps []TxStep, events []Event) error
	// Order returns an order with its seller orders and lines; NotFound if
	// unknown.
	Order(ctx context.Context, id string) (Order, error)
	// OrderByRequestKey returns the customer's order placed with the
	// Idempotency-Key key; NotFound if none.
	OrderByRequestKey(ctx context.Context, customerID, key string) (Order, error)
	// OrderOfSellerOrder returns the ID of the order a seller order belongs
	// to; NotFound if unknown.
	OrderOfSellerOrder(ctx context.Context, sellerOrderID string) (string, error)
	// Received reports whether a seller order holding productID has been
	// delivered to customerID (and not returned).
	Received(ctx context.Context, customerID, productID string) (bool, error)
	// Orders lists orders matching f (CustomerID, Statuses of the customer
	// order), newest first, with their seller orders and lines.
	Orders(ctx context.Context, f Filter) ([]Order, error)
	// SellerOrders lists the seller orders of f.SellerID matching f
	// (Statuses of the seller order), newest first. Each comes inside its
	// order, which holds only that seller order.
	SellerOrders(ctx context.Context, f Filter) ([]Order, error)
	// Update applies m to the order in one transaction and writes what it
	// changed, then runs m's steps and publishes its events there. It
	// returns the order as written (as read when m returned ErrUnchanged).
	// Another error from m or a step rolls back and is returned as it is.
	Update(ctx context.Context, id string, m Mutation) (Order, error)
	// UpdateTx is Update inside tx (an event consumer's transaction).
	UpdateTx(ctx context.Context, tx *sql.Tx, id string, m Mutation) (Order, error)
	// Expirable lists up to limit orders awaiting payment whose reservation
	// expired at or before now, without an open payment attempt; and those
	// with one whose reservation expired at or before now - grace.
	Expirable(ctx context.Context, now time.Time, grace time.Duration, limit int) ([]string, error)
}
