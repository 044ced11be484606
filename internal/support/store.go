package support

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps tickets, messages, attachments, returns and return policies.
// Every write is one transaction with the events it is given.
type Store interface {
	// CreateTicket inserts t with its first message m, attaches m's
	// attachments (each must be the author's and unattached, else
	// NotFound) and publishes events.
	CreateTicket(ctx context.Context, t Ticket, m Message, events []Event) error
	// Ticket returns a ticket without its messages; NotFound if missing.
	Ticket(ctx context.Context, id id.Ticket) (Ticket, error)
	// Messages returns a ticket's thread, oldest first, internal notes
	// included, with attachments.
	Messages(ctx context.Context, ticketID id.Ticket) ([]Message, error)
	// UpdateTicket reads the ticket under a lock, lets fn change it and
	// writes it with fn's events. An error from fn is returned as it is
	// and nothing is written; ErrUnchanged writes nothing and is not an
	// error.
	UpdateTicket(ctx context.Context, id id.Ticket, fn func(t *Ticket) ([]Event, error)) (Ticket, error)
	// AddMessage is UpdateTicket that also inserts the message fn returns
	// (attaching its attachments as CreateTicket does).
	AddMessage(ctx context.Context, ticketID id.Ticket, fn func(t *Ticket) (Message, []Event, error)) (Ticket, Message, error)
	// Tickets lists tickets matching f in f.Sort order.
	Tickets(ctx context.Context, f TicketFilter) ([]Ticket, error)
	// ResolvedBefore returns up to limit IDs of tickets resolved before t.
	ResolvedBefore(ctx context.Context, t time.Time, limit int) ([]string, error)

	// SaveAttachment records an uploaded file (its bytes are stored by the
	// service).
	SaveAttachment(ctx context.Context, a Attachment) error
	// Attachment returns an attachment's record; NotFound if missing.
	Attachment(ctx context.Context, id id.Attachment) (Attachment, error)
	// DeleteOrphans deletes attachments never attached and uploaded before
	// t, and returns their IDs.
	DeleteOrphans(ctx context.Context, before time.Time, limit int) ([]string, error)

	// CreateReturn inserts r (attaching r.Photos as its photos) unless,
	// with the live returns of the same seller order, more units of a SKU
	// would be returned than limits allows: then Unprocessable
	// "quantity_exceeds_delivered". Concurrent creations for one seller
	// order are serialised.
	CreateReturn(ctx context.Context, r Return, limits map[string]int64, events []Event) error
	// Return returns a return with its photos; NotFound if missing.
	Return(ctx context.Context, id id.Return) (Return, error)
	// UpdateReturn is UpdateTicket for a return.
	UpdateReturn(ctx context.Context, id id.Return, fn func(r *Return) ([]Event, error)) (Return, error)
	// Returns lists returns matching f, newest first.
	Returns(ctx context.Context, f ReturnFilter) ([]Return, error)
	// Returned sums the units of each SKU in the live returns of a seller
	// order (neither rejected nor cancelled).
	Returned(ctx context.Context, sellerOrderID id.SellerOrder) (map[string]int64, error)
	// PartnerLoads counts, per delivery partner, the pickups scheduled or
	// under way.
	PartnerLoads(ctx context.Context) (map[id.User]int, error)

	// Policy returns a seller's return policy; the default one if it set none.
	Policy(ctx context.Context, sellerID id.Seller) (Policy, error)
	// SetPolicy writes a seller's return policy.
	SetPolicy(ctx context.Context, p Policy) error
	// NonReturnable returns the IDs of the categories marked non-returnable.
	NonReturnable(ctx context.Context) (map[id.Category]bool, error)
	// SetReturnable marks a category returnable or not.
	SetReturnable(ctx context.Context, categoryID id.Category, returnable bool, now time.Time) error
}

// TicketSort orders a ticket list.
type TicketSort string

const (
	// Newest lists the latest ticket first.
	Newest TicketSort = "newest"
	// Due lists tickets still awaiting a first response first, the
	// earliest due first (overdue ones lead), then the others by latest
	// activity.
	Due TicketSort = "due"
)

// TicketFilter selects tickets. Empty fields do not filter.
type TicketFilter struct {
	CustomerID    id.User
	SellerID      id.Seller
	Status        TicketStatus
	Open          bool // only tickets not resolved or closed
	AssigneeID    id.User
	Unassigned    bool
	Priority      Priority
	OverdueAt     time.Time // when set, only tickets without a first response due before it
	OrderID       id.Order
	SellerOrderID id.SellerOrder
	ReturnID      id.Return
	Sort          TicketSort
	After         *TicketCursor
	Limit         int
}

// TicketCursor is where a ticket page ends, in TicketFilter.Sort order.
type TicketCursor struct {
	Responded bool      `json:"r,omitempty"`
	Key       time.Time `json:"k"`
	ID        id.Ticket `json:"i"`
}

// ReturnFilter selects returns. Empty fields do not filter.
type ReturnFilter struct {
	CustomerID    id.User
	SellerID      id.Seller
	PartnerID     id.User
	Status        ReturnStatus
	SellerOrderID id.SellerOrder
	OrderID       id.Order
	Before        string // IDs before this one (the cursor)
	Limit         int
}
