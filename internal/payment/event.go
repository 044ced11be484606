package payment

import "github.com/bazaar-market/bazaar/internal/money"

// Topics this module publishes. Every event's aggregate is the order ID, so
// a consumer sees an order's payment events in the order they happened.
const (
	TopicSucceeded = "payment.succeeded.v1" // SucceededEvent
	TopicFailed    = "payment.failed.v1"    // FailedEvent
	TopicRefunded  = "payment.refunded.v1"  // RefundedEvent
)

// Event is an event to publish with a change, in the change's transaction.
type Event struct {
	Topic   string
	Payload any
}

// SucceededEvent is published once when a payment is captured.
type SucceededEvent struct {
	PaymentID  string      `json:"payment_id"`
	OrderID    string      `json:"order_id"`
	CustomerID string      `json:"customer_id"`
	Amount     money.Money `json:"amount"`
}

// FailedEvent is published once when a payment attempt fails; the order may
// start another attempt.
type FailedEvent struct {
	PaymentID string `json:"payment_id"`
	OrderID   string `json:"order_id"`
	Code      string `json:"code"`    // the decline code ("insufficient_funds", "generic_decline", ...)
	Message   string `json:"message"` // safe to show to the customer
}

// RefundedEvent is published once per refund that succeeded.
type RefundedEvent struct {
	PaymentID     string      `json:"payment_id"`
	OrderID       string      `json:"order_id"`
	RefundID      string      `json:"refund_id"`
	Amount        money.Money `json:"amount"`         // this refund
	TotalRefunded money.Money `json:"total_refunded"` // all refunds of the payment so far
	Full          bool        `json:"full"`           // the payment is now refunded in full
}
