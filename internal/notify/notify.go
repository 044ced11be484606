package notify

import (
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// ID identifies a notification ("ntf_...").
type ID string

// MailID identifies an outbox mail ("mal_...").
type MailID string

// Category groups notifications for preferences.
type Category string

// Categories.
const (
	CategoryOrder       Category = "order"        // the customer's orders: confirmations, cancellations, refunds
	CategoryShipment    Category = "shipment"     // where the customer's parcels are
	CategorySupport     Category = "support"      // returns and tickets, for customers and sellers
	CategorySellerOrder Category = "seller_order" // a seller's new orders to fulfil
	CategoryReview      Category = "review"       // what moderation did to the customer's reviews
	CategoryStock       Category = "stock"        // a seller's products running low
)

// CategoryAccount is the account's own mail (verification and reset
// links, security notices): transactional, outside the preferences.
const CategoryAccount Category = "account"

// Categories lists every category, in the order preferences show them.
var Categories = []Category{CategoryOrder, CategoryShipment, CategorySupport, CategoryReview, CategorySellerOrder, CategoryStock}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Transactional reports whether the category's e-mail is transactional
// (order confirmations, cancellations, refunds): it cannot be turned off
// and carries no List-Unsubscribe header.
func (c Category) Transactional() bool { return c == CategoryOrder || c == CategoryAccount }

// Notification is one message in a user's in-app inbox.
type Notification struct {
	ID        ID         `json:"id"`
	Recipient id.User    `json:"-"`
	Category  Category   `json:"category"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`     // a web path: /orders/ord_...
	EventID   id.Event   `json:"event_id"` // the event that caused it
	ReadAt    *time.Time `json:"read_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// Inbox is one page of a user's notifications, newest first, with the
// number of unread ones in the whole inbox.
type Inbox struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
	Unread     int            `json:"unread"`
}

// Preference is which channels a user receives a category on.
type Preference struct {
	Category Category `json:"category"`
	InApp    bool     `json:"in_app"`
	Email    bool     `json:"email"`
	// EmailRequired says the category's e-mail is transactional: Email
	// cannot be set to false.
	EmailRequired bool `json:"email_required"`
}

// Preferences is a user's preference for every category.
type Preferences struct {
	Items []Preference `json:"items"`
}

// defaultPreference is a category's preference until the user sets one:
// every channel on.
func defaultPreference(c Category) Preference {
	return Preference{Category: c, InApp: true, Email: true, EmailRequired: c.Transactional()}
}

// MailStatus is where an outbox mail is.
type MailStatus string

// Mail statuses.
const (
	MailPending MailStatus = "pending" // waiting to be sent (again, after a failure)
	MailSent    MailStatus = "sent"    // handed to the SMTP server, or logged without one
	MailDead    MailStatus = "dead"    // every attempt failed; LastError says why
)

// MailStatuses lists every mail status.
var MailStatuses = []MailStatus{MailPending, MailSent, MailDead}

// Mail is one e-mail in the outbox, both parts rendered.
type Mail struct {
	ID          MailID     `json:"id"`
	EventID     id.Event   `json:"event_id"`
	Recipient   id.User    `json:"recipient_id"`
	To          string     `json:"to"`
	Subject     string     `json:"subject"`
	Text        string     `json:"text,omitempty"`
	HTML        string     `json:"html,omitempty"`
	Category    Category   `json:"category"`
	Unsubscribe string     `json:"unsubscribe,omitempty"` // the List-Unsubscribe target; empty for transactional mail
	Status      MailStatus `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	NextAt      time.Time  `json:"next_attempt_at"`
	SentAt      *time.Time `json:"sent_at"`
	CreatedAt   time.Time  `json:"created_at"`
}
