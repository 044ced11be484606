package shipment

import (
	"context"
	"database/sql"
	"time"
)

// Store keeps shipments and their timelines. Every method that changes a
// shipment's status publishes TopicStatusChanged in the same transaction;
// creating one publishes TopicCreated. The ...Tx methods run inside a
// transaction the caller owns (the event consumer's).
type Store interface {
	// CreateTx inserts each shipment whose seller order has none yet, with
	// its Timeline as the first events, and publishes TopicCreated for it.
	// A tracking ID that is taken is replaced with a fresh one. It returns
	// the shipments it inserted.
	CreateTx(ctx context.Context, tx *sql.Tx, shipments []Shipment) ([]Shipment, error)
	// CancelTx moves the pending or packed shipments of sellerOrderIDs to
	// cancelled, with a timeline event noting why, and returns them.
	// Shipments in other statuses, and seller orders without a shipment,
	// are left alone.
	CancelTx(ctx context.Context, tx *sql.Tx, sellerOrderIDs []string, note string, now time.Time) ([]Shipment, error)

	// Shipment returns a shipment with its timeline; NotFound if missing.
	Shipment(ctx context.Context, id string) (Shipment, error)
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
	Loads(ctx context.Context) (map[string]int, error)
}

// Filter selects shipments. Empty fields do not filter; at least one of
// PartnerID and SellerID is set by the service.
type Filter struct {
	PartnerID string
	SellerID  string
	Status    Status
	Before    string // list shipments with IDs before this one (the cursor)
	Limit     int
}
