package payment

import (
	"errors"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Status is where a payment is in its life.
type Status string

const (
	Pending           Status = "pending"            // written, the gateway not yet (known to be) called
	Processing        Status = "processing"         // the gateway holds an intent whose outcome is not known yet
	Authorized        Status = "authorized"         // authorised, to be captured later (cash on delivery: when delivered)
	Voided            Status = "voided"             // an authorisation given up: nothing was taken
	Succeeded         Status = "succeeded"          // captured
	Failed            Status = "failed"             // declined or refused; the order may retry with a new attempt
	PartiallyRefunded Status = "partially_refunded" // captured, part of it refunded
	Refunded          Status = "refunded"           // captured and refunded in full
)

// transitions is the state machine. Pending may jump straight to an outcome
// because a gateway's webhook can overtake the answer to the call that
// created its intent.
var transitions = map[Status][]Status{
	Pending:           {Processing, Authorized, Succeeded, Failed},
	Processing:        {Authorized, Succeeded, Failed},
	Authorized:        {Succeeded, Voided},
	Succeeded:         {PartiallyRefunded, Refunded},
	PartiallyRefunded: {Refunded},
}

// Statuses lists every status.
var Statuses = []Status{Pending, Processing, Authorized, Succeeded, Failed, PartiallyRefunded, Refunded, Voided}

// CanBecome reports whether a payment in status s may move to t. Staying in
// the same status is not a transition.
func (s Status) CanBecome(t Status) bool {
	for _, n := range transitions[s] {
		if n == t {
			return true
		}
	}
	return false
}

// Open reports whether the outcome is not known yet.
func (s Status) Open() bool { return s == Pending || s == Processing }

// Captured reports whether money was taken (and maybe given back).
func (s Status) Captured() bool { return s == Succeeded || s == PartiallyRefunded || s == Refunded }

// rank orders statuses along the path a payment takes, so that a stale
// report never moves a payment backwards.
func (s Status) rank() int {
	switch s {
	case Pending:
		return 0
	case Processing:
		return 1
	case Authorized:
		return 2
	}
	return 3
}

// NextAction is what the client has to do next, as the gateway says (for
// example a 3-D Secure redirect). Most payments have none.
type NextAction struct {
	Type         string `json:"type"`                    // "redirect_to_url", "use_sdk", ...
	RedirectURL  string `json:"redirect_url,omitempty"`  // for "redirect_to_url"
	ClientSecret string `json:"client_secret,omitempty"` // for "use_sdk": the intent's client secret
	// For "use_sdk": which SDK, and the public values it is started with.
	Gateway        string `json:"gateway,omitempty"`          // "stripe", "razorpay"
	PublishableKey string `json:"publishable_key,omitempty"`  // Stripe's publishable key, Razorpay's key ID
	GatewayOrderID string `json:"gateway_order_id,omitempty"` // Razorpay's order ID
}

// Payment is one attempt to pay for an order through a gateway: one gateway
// intent, created with the idempotency key "order:<order>:attempt:<n>".
type Payment struct {
	ID             id.Payment
	OrderID        id.Order
	CustomerID     id.User
	Attempt        int
	IdempotencyKey string
	Amount         money.Money
	Method         string // the gateway token the customer paid with (never a card number)
	Gateway        string
	// ManualCapture: the card is authorised at checkout and captured
	// later (when the seller hands the parcel over), like cash on delivery.
	ManualCapture   bool
	GatewayIntentID string // "" until the gateway answered
	Status          Status
	FailureCode     string
	FailureMessage  string
	NextAction      *NextAction
	Captured        money.Money
	Refunded        money.Money // refunds that succeeded
	Refunds         []Refund    // oldest first
	Version         int         // the store's optimistic lock; callers leave it alone
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// RefundStatus is where a refund is.
type RefundStatus string

const (
	RefundPending   RefundStatus = "pending" // recorded; the gateway not yet known to have done it
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund gives back part or all of a payment's captured amount.
type Refund struct {
	ID        id.Refund
	PaymentID id.Payment
	Amount    money.Money
	Reason    string
	Status    RefundStatus
	By        string // user ID of who asked, "system" for automatic refunds
	// Origin is why the money goes back; SellerOrderID the seller order it
	// is charged to, when known ("" for a goodwill refund the platform
	// bears, and for a return's: its return event names the seller order).
	Origin          RefundOrigin
	SellerOrderID   id.SellerOrder
	GatewayRefundID string
	FailureCode     string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// RefundOrigin is why a refund is made. The ledger books refunds by their
// origin: cancellations and returns from the order and return events that
// caused them, goodwill refunds from payment.refunded.v1.
type RefundOrigin string

const (
	// OriginCancellation: a cancelled (or undelivered) order or seller order.
	OriginCancellation RefundOrigin = "cancellation"
	// OriginReturn: a return's refund.
	OriginReturn RefundOrigin = "return"
	// OriginGoodwill: an admin's or support's refund through the payment
	// API, charged to a seller order when one is named and otherwise the
	// platform's expense.
	OriginGoodwill RefundOrigin = "goodwill"
)

// IdempotencyKey is the key the refund is sent to the gateway with.
func (r Refund) IdempotencyKey() string {
	return "payment:" + string(r.PaymentID) + ":refund:" + string(r.ID)
}

// AttemptKey is the gateway idempotency key of an order's nth attempt.
func AttemptKey(orderID id.Order, attempt int) string {
	return fmt.Sprintf("order:%s:attempt:%d", orderID, attempt)
}

// ErrUnchanged is returned by a Mutation that found nothing to change; the
// store then writes nothing (but commits whatever else the call records).
var ErrUnchanged = errors.New("payment unchanged")

// Mutation changes a payment in a store transaction and returns the events
// to publish with the change.
type Mutation func(p *Payment) ([]Event, error)

// to moves p to status t, refusing illegal transitions.
func (p *Payment) to(t Status, now time.Time) error {
	if !p.Status.CanBecome(t) {
		return apperr.Conflict("illegal_transition", "payment %s cannot go from %s to %s", p.ID, p.Status, t)
	}
	p.Status, p.UpdatedAt = t, now
	return nil
}

// ApplyIntent brings p up to date with what the gateway reports about its
// intent. Reports that are stale (behind p's status) or repeat what p
// already knows return ErrUnchanged, so webhooks arriving late, twice or out
// of order never move a payment backwards.
func (p *Payment) ApplyIntent(in Intent, now time.Time) ([]Event, error) {
	if in.ID == "" {
		return nil, fmt.Errorf("intent for payment %s has no ID", p.ID)
	}
	if p.GatewayIntentID != "" && p.GatewayIntentID != in.ID {
		return nil, apperr.Conflict("intent_mismatch", "payment %s has intent %s, not %s", p.ID, p.GatewayIntentID, in.ID)
	}
	changed := false
	if p.GatewayIntentID == "" {
		p.GatewayIntentID, p.UpdatedAt, changed = in.ID, now, true
	}
	target := in.Status.paymentStatus()
	if target == Authorized && !p.CapturesLater() {
		// A gateway's authorisation of a payment it captures at once
		// (Razorpay reports "authorized" before the capture) is a payment
		// still under way, not one to capture on delivery.
		target = Processing
	}
	if target == Failed && in.Status == IntentRequiresPaymentMethod && p.Method == "" && p.Status.Open() {
		// A decline in the browser: the gateway's SDK lets the customer try
		// another card on the same intent, so the payment stays open (and
		// shows why) rather than failing and leaving a later success on a
		// failed payment. An abandoned one ends with its order's expiry.
		return p.declinedInBrowser(in, now)
	}
	if target == p.Status || target.rank() < p.Status.rank() || !p.Status.CanBecome(target) {
		if target == Processing && p.Status == Processing && !sameAction(p.NextAction, in.NextAction) {
			p.NextAction, p.UpdatedAt, changed = in.NextAction, now, true
		}
		if !changed {
			return nil, ErrUnchanged
		}
		return nil, nil
	}
	switch target {
	case Processing:
		p.NextAction = in.NextAction
		return nil, p.to(Processing, now)
	case Authorized:
		if err := p.to(Authorized, now); err != nil {
			return nil, err
		}
		p.NextAction, p.FailureCode, p.FailureMessage = nil, "", ""
		return []Event{eventOf(TopicAuthorized, AuthorizedEvent{
			PaymentID: p.ID, OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Amount, Gateway: p.Gateway, Method: p.Method})}, nil
	case Succeeded:
		// An authorised payment may be captured for less than it was
		// authorised for (cash on delivery when part of the order was
		// cancelled or refused), never for more.
		partial := p.Status == Authorized && in.Amount.Currency == p.Amount.Currency && in.Amount.Amount > 0 && in.Amount.Amount <= p.Amount.Amount
		if in.Amount != p.Amount && !partial {
			return nil, apperr.Conflict("amount_mismatch", "intent %s captured %v, payment %s is for %v", in.ID, in.Amount, p.ID, p.Amount)
		}
		if err := p.to(Succeeded, now); err != nil {
			return nil, err
		}
		p.Captured, p.NextAction, p.FailureCode, p.FailureMessage = in.Amount, nil, "", ""
		ev := SucceededEvent{PaymentID: p.ID, OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Captured, Gateway: p.Gateway}
		if in.Fee.Amount > 0 && in.Fee.Currency == p.Captured.Currency {
			fee := in.Fee
			ev.Fee = &fee
		}
		return []Event{eventOf(TopicSucceeded, ev)}, nil
	default: // Failed
		if err := p.to(Failed, now); err != nil {
			return nil, err
		}
		p.FailureCode, p.FailureMessage, p.NextAction = in.FailureCode, in.FailureMessage, nil
		if p.FailureCode == "" {
			p.FailureCode = "payment_failed"
		}
		if p.FailureMessage == "" {
			p.FailureMessage = "The payment failed."
		}
		return []Event{eventOf(TopicFailed, FailedEvent{
			PaymentID: p.ID, OrderID: p.OrderID, Code: p.FailureCode, Message: p.FailureMessage})}, nil
	}
}

// declinedInBrowser records a decline of a client-confirmed intent: the
// payment stays open (processing), keeps what the SDK needs to try again,
// and shows the decline.
func (p *Payment) declinedInBrowser(in Intent, now time.Time) ([]Event, error) {
	code, msg := in.FailureCode, in.FailureMessage
	if code == "" {
		code = "payment_failed"
	}
	if msg == "" {
		msg = "The payment was declined; try another card."
	}
	if p.Status == Processing && p.FailureCode == code && p.FailureMessage == msg {
		return nil, ErrUnchanged
	}
	if p.Status == Pending {
		if err := p.to(Processing, now); err != nil {
			return nil, err
		}
	}
	if in.NextAction != nil {
		p.NextAction = in.NextAction
	}
	p.FailureCode, p.FailureMessage, p.UpdatedAt = code, msg, now
	return nil, nil
}

// CapturesLater reports whether p is authorised now and captured later:
// cash on delivery, captured for the cash collected, and cards authorised
// for manual capture, captured at handover.
func (p *Payment) CapturesLater() bool { return p.Method == MethodCOD || p.ManualCapture }

// Void gives up an authorised payment that will not be captured (its
// order was cancelled, or every parcel of a cash-on-delivery order was
// refused): nothing was taken. Voiding a voided payment is ErrUnchanged.
func (p *Payment) Void(now time.Time) ([]Event, error) {
	if p.Status == Voided {
		return nil, ErrUnchanged
	}
	if err := p.to(Voided, now); err != nil {
		return nil, err
	}
	p.NextAction = nil
	return []Event{eventOf(TopicVoided, VoidedEvent{PaymentID: p.ID, OrderID: p.OrderID})}, nil
}

// Fail records a refusal that happened before the gateway made an intent
// (such as an invalid method). It is a no-op unless p is still open.
func (p *Payment) Fail(code, message string, now time.Time) ([]Event, error) {
	if !p.Status.Open() {
		return nil, ErrUnchanged
	}
	if err := p.to(Failed, now); err != nil {
		return nil, err
	}
	p.FailureCode, p.FailureMessage, p.NextAction = code, message, nil
	return []Event{eventOf(TopicFailed, FailedEvent{PaymentID: p.ID, OrderID: p.OrderID, Code: code, Message: message})}, nil
}

func sameAction(a, b *NextAction) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Refundable is what may still be refunded: captured, minus refunds that
// succeeded or are still pending.
func (p *Payment) Refundable() money.Money {
	left := p.Captured.Amount - p.Refunded.Amount
	for _, r := range p.Refunds {
		if r.Status == RefundPending {
			left -= r.Amount.Amount
		}
	}
	return money.New(max(left, 0), p.Amount.Currency)
}

// AddRefund records r as a pending refund. It refuses payments that were not
// captured (Conflict "payment_not_captured"), are fully refunded or have
// refunds pending for the rest (Conflict "payment_fully_refunded"), and
// amounts over what is left (Unprocessable "refund_exceeds_captured").
func (p *Payment) AddRefund(r Refund, now time.Time) error {
	if !p.Status.Captured() {
		return apperr.Conflict("payment_not_captured", "payment %s is %s; only captured payments can be refunded", p.ID, p.Status)
	}
	if r.Amount.Currency != p.Amount.Currency {
		return apperr.Unprocessable("currency_mismatch", "the refund must be in %s, the payment's currency", p.Amount.Currency)
	}
	left := p.Refundable()
	if left.Amount == 0 {
		return apperr.Conflict("payment_fully_refunded", "payment %s has nothing left to refund", p.ID)
	}
	if r.Amount.Amount <= 0 {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "amount.amount", Message: "must be positive"})
	}
	if r.Amount.Amount > left.Amount {
		return apperr.Unprocessable("refund_exceeds_captured", "cannot refund %v: only %v of payment %s is left to refund", r.Amount, left, p.ID)
	}
	r.PaymentID, r.Status, r.CreatedAt, r.UpdatedAt = p.ID, RefundPending, now, now
	p.Refunds = append(p.Refunds, r)
	p.UpdatedAt = now
	return nil
}

// ApplyRefund brings the refund refundID up to date with the gateway's
// report. A refund that succeeds adds to Refunded, moves p to
// partially_refunded or refunded and publishes TopicRefunded. Reports about
// refunds already settled return ErrUnchanged.
func (p *Payment) ApplyRefund(refundID id.Refund, gr GatewayRefund, now time.Time) ([]Event, error) {
	i := -1
	for j := range p.Refunds {
		if p.Refunds[j].ID == refundID {
			i = j
		}
	}
	if i < 0 {
		return nil, apperr.NotFound("refund %s of payment %s not found", refundID, p.ID)
	}
	r := &p.Refunds[i]
	if r.Status != RefundPending {
		return nil, ErrUnchanged
	}
	switch gr.Status {
	case RefundSucceeded:
		if gr.Amount != r.Amount {
			return nil, apperr.Conflict("amount_mismatch", "gateway refunded %v for refund %s of %v", gr.Amount, r.ID, r.Amount)
		}
		next := PartiallyRefunded
		total := p.Refunded.Amount + r.Amount.Amount
		if total >= p.Captured.Amount {
			next = Refunded
		}
		if next != p.Status {
			if err := p.to(next, now); err != nil {
				return nil, err
			}
		}
		p.Refunded = money.New(total, p.Amount.Currency)
		r.Status, r.GatewayRefundID, r.UpdatedAt, p.UpdatedAt = RefundSucceeded, gr.ID, now, now
		return []Event{eventOf(TopicRefunded, RefundedEvent{
			PaymentID: p.ID, OrderID: p.OrderID, RefundID: r.ID, Amount: r.Amount,
			TotalRefunded: p.Refunded, Full: next == Refunded, Gateway: p.Gateway, Origin: r.Origin, SellerOrderID: r.SellerOrderID})}, nil
	case RefundFailed:
		r.Status, r.GatewayRefundID, r.FailureCode, r.UpdatedAt, p.UpdatedAt = RefundFailed, gr.ID, gr.FailureCode, now, now
		if r.FailureCode == "" {
			r.FailureCode = "refund_failed"
		}
		return nil, nil
	}
	if gr.ID != "" && r.GatewayRefundID == "" {
		r.GatewayRefundID, r.UpdatedAt, p.UpdatedAt = gr.ID, now, now
		return nil, nil
	}
	return nil, ErrUnchanged
}
