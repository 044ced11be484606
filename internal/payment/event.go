package payment

import (
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Topics this module publishes. Every event's aggregate is the order ID, so
// a consumer sees an order's payment events in the order they happened.
const (
	TopicSucceeded = event.Topic[SucceededEvent]("payment.succeeded.v1")
	// TopicAuthorized: the money is promised, to be captured later (cash on
	// delivery). The order is confirmed and its stock committed.
	TopicAuthorized = event.Topic[AuthorizedEvent]("payment.authorized.v1")
	// TopicVoided: an authorisation was given up; nothing was taken.
	TopicVoided   = event.Topic[VoidedEvent]("payment.voided.v1")
	TopicFailed   = event.Topic[FailedEvent]("payment.failed.v1")
	TopicRefunded = event.Topic[RefundedEvent]("payment.refunded.v1")
)

// Event is an event to publish with a change, in the change's transaction.
// Make one with eventOf, which checks the payload's type against the topic.
type Event struct {
	Topic   string
	Payload any
}

// eventOf is the event of topic t with payload p.
func eventOf[T any](t event.Topic[T], p T) Event { return Event{Topic: t.Name(), Payload: p} }

// SucceededEvent is published once when a payment is captured.
type SucceededEvent struct {
	PaymentID  id.Payment  `json:"payment_id"`
	OrderID    id.Order    `json:"order_id"`
	CustomerID id.User     `json:"customer_id"`
	Amount     money.Money `json:"amount"`
	// Gateway took the money; Fee is what it charged for it, when it
	// reported one with the capture.
	Gateway string       `json:"gateway,omitempty"`
	Fee     *money.Money `json:"fee,omitempty"`
}

// FailedEvent is published once when a payment attempt fails; the order may
// start another attempt.
type FailedEvent struct {
	PaymentID id.Payment `json:"payment_id"`
	OrderID   id.Order   `json:"order_id"`
	Code      string     `json:"code"`    // the decline code ("insufficient_funds", "generic_decline", ...)
	Message   string     `json:"message"` // safe to show to the customer
}

// RefundedEvent is published once per refund that succeeded.
type RefundedEvent struct {
	PaymentID     id.Payment  `json:"payment_id"`
	OrderID       id.Order    `json:"order_id"`
	RefundID      id.Refund   `json:"refund_id"`
	Amount        money.Money `json:"amount"`         // this refund
	TotalRefunded money.Money `json:"total_refunded"` // all refunds of the payment so far
	Full          bool        `json:"full"`           // the payment is now refunded in full
	// Gateway is where the money went back from; Origin why (absent on
	// refunds made before origins were recorded); SellerOrderID the
	// seller order it is charged to, when one is.
	Gateway       string         `json:"gateway,omitempty"`
	Origin        RefundOrigin   `json:"origin,omitempty"`
	SellerOrderID id.SellerOrder `json:"seller_order_id,omitempty"`
}

// AuthorizedEvent is published once when a payment is authorised for
// capture later: with the gateway "cod", the customer pays in cash when the
// order is delivered.
type AuthorizedEvent struct {
	PaymentID  id.Payment  `json:"payment_id"`
	OrderID    id.Order    `json:"order_id"`
	CustomerID id.User     `json:"customer_id"`
	Amount     money.Money `json:"amount"`
	Gateway    string      `json:"gateway"`
	Method     string      `json:"method"` // "cod" for cash on delivery
}

// CashOnDelivery reports whether the customer pays in cash on delivery.
func (e AuthorizedEvent) CashOnDelivery() bool { return e.Method == MethodCOD }

// VoidedEvent is published once when an authorised payment is given up.
type VoidedEvent struct {
	PaymentID id.Payment `json:"payment_id"`
	OrderID   id.Order   `json:"order_id"`
}
