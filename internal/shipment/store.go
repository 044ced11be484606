package shipment

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps shipments and their timelines. Every method that changes a
// shipment's status publishes TopicStatusChanged in the same transaction;
// creating one publishes TopicCreated. Each write is one transaction, or
// joins the one of a Store bound by ApplyOnce.
type Store interface {
	// ApplyOnce applies an event's effect exactly once for consumer: in one
	// transaction it records eventID as applied by consumer and runs fn
	// with a Store bound to that transaction. If the event was applied
	// before, fn is not run and applied is false; an error from fn rolls
	// everything back (the event counts as not applied) and is returned as
	// it is.
	ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(ctx context.Context, st Store) error) (applied bool, err error)
	// Create inserts each shipment whose seller order has none yet, with
	// its Timeline as the first events, and publishes TopicCreated for it,
	// in one transaction. A tracking ID that is taken is replaced with a
	// fresh one. It returns the shipments it inserted.
	Create(ctx context.Context, shipments []Shipment) ([]Shipment, error)
	// Cancel moves the pending or packed shipments of sellerOrderIDs to
	// cancelled, with a timeline event noting why, in one transaction, and
	// returns them. Shipments in other statuses, and seller orders without
	// a shipment, are left alone.
	Cancel(ctx context.Context, sellerOrderIDs []id.SellerOrder, note string, now time.Time) ([]Shipment, error)

	// Shipment returns a shipment with its timeline; NotFound if missing.
	Shipment(ctx context.Context, id id.Shipment) (Shipment, error)
	// Shipments lists shipments matching f, newest first, with timelines.
	Shipments(ctx context.Context, f Filter) ([]Shipment, error)
	// Move applies c if the shipment is still in c.From: it sets the status
	// (and the partner, if given), appends c.Entry to the timeline and
	// publishes TopicStatusChanged. A shipment no longer in c.From is a
	// Conflict "illegal_transition"; a missing one NotFound. Whether the
	// move is legal at all is the service's business (CanMove).
	Move(ctx context.Context, c Change) (Shipment, error)
	// Loads returns, per delivery partner with any, how many shipments in
	// an Active status are assigned to it.
	Loads(ctx context.Context) (map[id.User]int, error)
}

// Filter selects shipments. Empty fields do not filter; at least one of
// PartnerID and SellerID is set by the service.
type Filter struct {
	PartnerID id.User
	SellerID  id.Seller
	Status    Status
	Before    string // list shipments with IDs before this one (the cursor)
	Limit     int
}
