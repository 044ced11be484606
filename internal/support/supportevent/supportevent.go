// Package supportevent declares the events the support module publishes:
// their topics and payloads. It is a contract package of its own because
// the order module consumes return events and the support module builds on
// the order module (order <- support): order imports this package, never
// the support module.
package supportevent

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Topics of returns; aggregate = the return ID.
const (
	TopicReturnRequested = event.Topic[Return]("return.requested.v1")
	TopicReturnApproved  = event.Topic[Return]("return.approved.v1")
	TopicReturnRejected  = event.Topic[Return]("return.rejected.v1")
	TopicReturnCancelled = event.Topic[Return]("return.cancelled.v1")
	// TopicReturnInTransit: the delivery partner picked the parcel up.
	TopicReturnInTransit = event.Topic[Return]("return.in_transit.v1")
	// TopicReturnReceived: the seller received the parcel; Lines carry the
	// received quantities and their condition.
	TopicReturnReceived = event.Topic[Return]("return.received.v1")
	// TopicReturnRefunded: the refund went through; Lines carry the
	// quantities refunded (received ones, or the requested ones when staff
	// refunded without receipt) and Refund the amount.
	TopicReturnRefunded = event.Topic[Return]("return.refunded.v1")
)

// Topics of tickets; aggregate = the ticket ID.
const (
	TopicTicketOpened        = event.Topic[Ticket]("ticket.opened.v1")
	TopicTicketReplied       = event.Topic[TicketReplied]("ticket.replied.v1")
	TopicTicketStatusChanged = event.Topic[Ticket]("ticket.status_changed.v1")
)

// ReturnStatus is where a return is (support.ReturnStatus is this type).
type ReturnStatus string

// Return is the payload of every return topic.
type Return struct {
	ReturnID      id.Return      `json:"return_id"`
	OrderID       id.Order       `json:"order_id"`
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	SellerID      id.Seller      `json:"seller_id"`
	CustomerID    id.User        `json:"customer_id"`
	Status        ReturnStatus   `json:"status"`
	Lines         []ReturnLine   `json:"lines"`
	// Refund is the amount refunded (TopicReturnRefunded only).
	Refund *money.Money `json:"refund,omitempty"`
	At     time.Time    `json:"at"`
}

// ReturnLine is a quantity of one SKU of the seller order being returned.
type ReturnLine struct {
	SKU       string     `json:"sku"`
	ProductID id.Product `json:"product_id"`
	Quantity  int64      `json:"quantity"`
	Reason    string     `json:"reason"`
	// Condition is "sellable" or "damaged" once received, "" before.
	Condition string `json:"condition,omitempty"`
}

// TicketStatus is where a ticket is (support.TicketStatus is this type).
type TicketStatus string

// Ticket is the payload of TopicTicketOpened and TopicTicketStatusChanged.
type Ticket struct {
	TicketID       id.Ticket      `json:"ticket_id"`
	CustomerID     id.User        `json:"customer_id"`
	SellerID       id.Seller      `json:"seller_id,omitempty"`
	OrderID        id.Order       `json:"order_id,omitempty"`
	SellerOrderID  id.SellerOrder `json:"seller_order_id,omitempty"`
	ProductID      id.Product     `json:"product_id,omitempty"`
	ReturnID       id.Return      `json:"return_id,omitempty"`
	Subject        string         `json:"subject"`
	Category       string         `json:"category"`
	Priority       string         `json:"priority"`
	AssigneeID     id.User        `json:"assignee_id,omitempty"`
	Status         TicketStatus   `json:"status"`
	PreviousStatus TicketStatus   `json:"previous_status,omitempty"`
	At             time.Time      `json:"at"`
}

// TicketReplied is the payload of TopicTicketReplied: a message was added.
// Internal notes are published too (Internal true); a consumer that tells
// people must not show them to the customer or the seller.
type TicketReplied struct {
	TicketID   id.Ticket    `json:"ticket_id"`
	MessageID  id.Message   `json:"message_id"`
	CustomerID id.User      `json:"customer_id"`
	SellerID   id.Seller    `json:"seller_id,omitempty"`
	AuthorID   id.User      `json:"author_id"`
	AuthorRole string       `json:"author_role"`
	Internal   bool         `json:"internal"`
	Status     TicketStatus `json:"status"`
	At         time.Time    `json:"at"`
}
