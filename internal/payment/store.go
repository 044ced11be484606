package payment

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps payments, their refunds and the webhook events already
// applied. Every method that changes a payment does it in one transaction
// with a conditional write (never moving a payment that changed since it was
// read) and publishes the Mutation's events in that transaction.
type Store interface {
	// StartAttempt begins a payment attempt for p.OrderID. If the order has
	// an open (pending or processing) attempt it is returned with false. If
	// it has a captured or authorised payment the answer is Conflict
	// "already_paid".
	// Otherwise p is stored with the next attempt number and its AttemptKey
	// and returned with true. Concurrent calls for one order make one
	// attempt.
	StartAttempt(ctx context.Context, p Payment) (Payment, bool, error)
	// Payment returns a payment with its refunds; NotFound if unknown.
	Payment(ctx context.Context, id id.Payment) (Payment, error)
	// PaymentByIntent finds a payment by its gateway intent; NotFound if none.
	PaymentByIntent(ctx context.Context, gateway, intentID string) (Payment, error)
	// OrderPayments lists an order's payments, first attempt first.
	OrderPayments(ctx context.Context, orderID id.Order) ([]Payment, error)
	// Update applies m to the payment and stores the result with m's
	// events. If m returns ErrUnchanged nothing is written and the payment
	// is returned as it is; another error is returned as it is.
	Update(ctx context.Context, id id.Payment, m Mutation) (Payment, error)
	// ApplyWebhook records the gateway's event ID and, the first time only,
	// applies m to the payment paymentID, in one transaction. It returns
	// false for an event already recorded. An empty or unknown paymentID
	// records the event and changes nothing. If m fails (other than with
	// ErrUnchanged) nothing is recorded, so a redelivery tries again.
	ApplyWebhook(ctx context.Context, gateway, eventID string, paymentID id.Payment, now time.Time, m Mutation) (bool, error)
	// Stuck lists up to limit payments that are open, or have a pending
	// refund, and were last updated before before; oldest first.
	Stuck(ctx context.Context, before time.Time, limit int) ([]Payment, error)
	// CODRefusing returns those of sellers that switched cash on delivery
	// off (every seller takes it until it does).
	CODRefusing(ctx context.Context, sellers []id.Seller) ([]id.Seller, error)
	// SetCOD switches cash on delivery on or off for seller.
	SetCOD(ctx context.Context, seller id.Seller, enabled bool, now time.Time) error
}
