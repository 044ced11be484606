package support

import (
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// TicketStatus is where a ticket is in its life.
type TicketStatus = supportevent.TicketStatus

const (
	Open             TicketStatus = "open"
	AwaitingCustomer TicketStatus = "awaiting_customer"
	AwaitingSeller   TicketStatus = "awaiting_seller"
	AwaitingSupport  TicketStatus = "awaiting_support"
	Resolved         TicketStatus = "resolved"
	Closed           TicketStatus = "closed"
)

// TicketStatuses lists every ticket status.
var TicketStatuses = []TicketStatus{Open, AwaitingCustomer, AwaitingSeller, AwaitingSupport, Resolved, Closed}

// ValidTicketStatus reports whether s is a known ticket status.
func ValidTicketStatus(s TicketStatus) bool { return slices.Contains(TicketStatuses, s) }

// Priority orders the support queue and sets the first-response due time.
type Priority string

const (
	Low    Priority = "low"
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{Low, Normal, High, Urgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// FirstResponse is the first-response target (the SLA) per priority.
var FirstResponse = map[Priority]time.Duration{
	Urgent: time.Hour,
	High:   4 * time.Hour,
	Normal: 24 * time.Hour,
	Low:    72 * time.Hour,
}

// Category says what a ticket is about.
type Category string

const (
	CategoryOrder    Category = "order"
	CategoryShipping Category = "shipping"
	CategoryReturn   Category = "return"
	CategoryPayment  Category = "payment"
	CategoryProduct  Category = "product"
	CategoryAccount  Category = "account"
	CategoryGeneral  Category = "general"
)

// Categories lists every ticket category.
var Categories = []Category{CategoryOrder, CategoryShipping, CategoryReturn, CategoryPayment, CategoryProduct, CategoryAccount, CategoryGeneral}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// AutoCloseAfter is how long a resolved ticket stays open to a reopening
// before it is closed for good.
const AutoCloseAfter = 7 * 24 * time.Hour

// Ticket is a conversation between a customer, support, and the seller
// concerned when it is about a seller order or a product.
type Ticket struct {
	ID            id.Ticket      `json:"id"`
	Subject       string         `json:"subject"`
	Category      Category       `json:"category"`
	Status        TicketStatus   `json:"status"`
	Priority      Priority       `json:"priority"`
	CustomerID    id.User        `json:"customer_id"`
	SellerID      id.Seller      `json:"seller_id,omitempty"` // the seller concerned; "" when none is
	AssigneeID    id.User        `json:"assignee_id,omitempty"`
	OrderID       id.Order       `json:"order_id,omitempty"`
	SellerOrderID id.SellerOrder `json:"seller_order_id,omitempty"`
	ProductID     id.Product     `json:"product_id,omitempty"`
	ReturnID      id.Return      `json:"return_id,omitempty"`
	// FirstResponseDue is when someone other than the customer must have
	// answered; FirstResponseAt when someone did.
	FirstResponseDue time.Time  `json:"first_response_due"`
	FirstResponseAt  *time.Time `json:"first_response_at,omitempty"`
	// Overdue is computed when read: no first response and past due.
	Overdue bool `json:"overdue"`
	// MessageCount counts the messages the viewer sees.
	MessageCount int `json:"message_count"`
	// InternalCount counts the internal notes among all the messages.
	InternalCount int `json:"-"`
	// LastReplyBy is who last replied in public: customer, seller or support.
	LastReplyBy auth.Role  `json:"last_reply_by,omitempty"`
	LastMessage time.Time  `json:"last_message_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Messages is the thread, oldest first; filled by Service.Ticket only,
	// without internal notes for customers and sellers.
	Messages []Message `json:"messages,omitempty"`
}

// Open reports whether the ticket still expects an answer.
func (t *Ticket) open() bool { return t.Status != Resolved && t.Status != Closed }

// overdue reports whether the ticket missed its first-response target at now.
func (t *Ticket) overdue(now time.Time) bool {
	return t.FirstResponseAt == nil && t.open() && now.After(t.FirstResponseDue)
}

// Message is one message of a ticket's thread.
type Message struct {
	ID         id.Message `json:"id"`
	TicketID   id.Ticket  `json:"ticket_id"`
	AuthorID   id.User    `json:"author_id"`
	AuthorRole auth.Role  `json:"author_role"`
	// AuthorName is how the author is shown: "You", the store, "Support".
	AuthorName  string       `json:"author_name,omitempty"`
	Body        string       `json:"body"`
	Internal    bool         `json:"internal"`
	Attachments []Attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Attachment is a file uploaded by a user and attached to a message or a
// return (photos). Until attached it belongs to its uploader only.
type Attachment struct {
	ID          id.Attachment `json:"id"`
	Name        string        `json:"name"`
	ContentType string        `json:"content_type"`
	Size        int64         `json:"size"`
	SHA256      string        `json:"-"`
	URL         string        `json:"url"`
	OwnerID     id.User       `json:"-"`
	TicketID    id.Ticket     `json:"-"` // "" until attached to a ticket's message
	MessageID   id.Message    `json:"-"`
	ReturnID    id.Return     `json:"-"` // "" unless a return's photo
	CreatedAt   time.Time     `json:"created_at"`
}

// AttachmentURL is where an attachment's bytes are served.
func AttachmentURL(id id.Attachment) string { return "/api/v1/attachment/" + string(id) }

// ticketEvent is the payload of the ticket topics for t.
func ticketEvent(t Ticket, prev TicketStatus, at time.Time) supportevent.Ticket {
	return supportevent.Ticket{TicketID: t.ID, CustomerID: t.CustomerID, SellerID: t.SellerID, OrderID: t.OrderID,
		SellerOrderID: t.SellerOrderID, ProductID: t.ProductID, ReturnID: t.ReturnID, Subject: t.Subject,
		Category: string(t.Category), Priority: string(t.Priority), AssigneeID: t.AssigneeID, Status: t.Status,
		PreviousStatus: prev, At: at}
}
