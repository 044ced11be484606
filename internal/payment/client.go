package payment

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Checkout is how the web checkout pays in a currency: through a gateway's
// browser SDK (ClientSide true, with its public key), or with a method
// token sent to POST /api/v1/payment (the built-in test gateway).
type Checkout struct {
	Currency   string `json:"currency"`
	Gateway    string `json:"gateway"`
	ClientSide bool   `json:"client_side"`
	// PublishableKey is Stripe's publishable key or Razorpay's key ID: public.
	PublishableKey string `json:"publishable_key,omitempty"`
	// ScriptURL is where the browser loads the gateway's SDK from: the
	// gateway's own URL, or a local fake's (bazaar serve --payment-fakes).
	ScriptURL string `json:"script_url,omitempty"`
	// CashOnDelivery says whether the order can be paid in cash on
	// delivery (method "cod"); absent when the currency takes no cash.
	CashOnDelivery *CODInfo `json:"cash_on_delivery,omitempty"`
}

// CheckoutQuery asks how an order would be paid: its currency, and
// optionally its total and sellers (for cash on delivery).
type CheckoutQuery struct {
	Currency string
	Amount   int64
	Sellers  []id.Seller
}

// CheckoutFor says how payments in a currency are taken, and whether an
// order of the amount from the sellers can be paid in cash on delivery.
func (s *Service) CheckoutFor(ctx context.Context, q CheckoutQuery) (Checkout, error) {
	var f apperr.Fields
	f.Check(money.ValidCurrency(q.Currency), "currency", "must be a three-letter ISO 4217 code such as USD")
	f.Check(q.Amount >= 0 && q.Amount < 1e12, "amount", "must be an amount in minor units, 0 or more")
	f.Check(len(q.Sellers) <= 100, "seller", "at most 100 sellers")
	if err := f.Err(); err != nil {
		return Checkout{}, err
	}
	gw := s.gatewayFor(q.Currency)
	c := Checkout{Currency: q.Currency, Gateway: gw.Name()}
	if cs, ok := gw.(ClientSide); ok {
		cfg := cs.ClientConfig()
		c.ClientSide, c.PublishableKey, c.ScriptURL = true, cfg.PublishableKey, cfg.ScriptURL
	}
	cod, err := s.COD(ctx, money.New(q.Amount, q.Currency), q.Sellers)
	if err != nil {
		return Checkout{}, err
	}
	c.CashOnDelivery = cod
	return c, nil
}

// Confirm hands the gateway the proof its browser SDK returned for payment
// id (Razorpay Checkout's payment ID and signature) and records the
// outcome. Only the payment's customer may confirm it. A proof that does not
// verify is Invalid and changes nothing (the customer may try again); when
// the gateway cannot be reached the payment stays open and the reconciler
// settles it.
func (s *Service) Confirm(ctx context.Context, pid id.Payment, proof ClientProof) (Payment, error) {
	who, err := auth.Require(ctx)
	if err != nil {
		return Payment{}, err
	}
	p, err := s.store.Payment(ctx, pid)
	if err != nil {
		return Payment{}, err
	}
	if p.CustomerID != who.UserID {
		return Payment{}, apperr.NotFound("payment %s not found", pid)
	}
	if !p.Status.Open() {
		return p, nil // settled already (by a webhook, say): nothing to confirm
	}
	gw, err := s.gatewayOf(p)
	if err != nil {
		return Payment{}, err
	}
	cc, ok := gw.(ClientConfirmer)
	if !ok || p.GatewayIntentID == "" {
		return Payment{}, apperr.Conflict("not_confirmable", "payment %s is not waiting for the browser's confirmation", pid)
	}
	in, err := cc.ConfirmClient(ctx, p.GatewayIntentID, proof)
	switch {
	case definite(err):
		return Payment{}, err // a forged or mismatched proof: the payment is untouched
	case err != nil:
		s.log.WarnContext(ctx, "confirm payment: gateway call failed; the reconciler will settle it", "payment", p.ID, "gateway", gw.Name(), "err", err)
		return Payment{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "gateway_unavailable",
			Message: "the payment gateway did not answer; the payment will be settled shortly", Err: err}
	}
	return s.applyIntent(ctx, p.ID, in)
}

// Capture takes the money of an authorised payment (a gateway configured
// for manual capture): admins and support, or the capture job.
func (s *Service) Capture(ctx context.Context, pid id.Payment) (Payment, error) {
	who, err := auth.Require(ctx)
	if err != nil {
		return Payment{}, err
	}
	if !who.Is(auth.Admin, auth.Support) {
		return Payment{}, apperr.Forbidden("only admins and support capture payments")
	}
	return s.capture(ctx, pid, money.Money{})
}

// capture captures an authorised payment for amount (zero: all of it).
func (s *Service) capture(ctx context.Context, pid id.Payment, amount money.Money) (Payment, error) {
	p, err := s.store.Payment(ctx, pid)
	if err != nil {
		return Payment{}, err
	}
	if amount.Amount == 0 {
		amount = p.Amount
	}
	if (p.Status != Authorized && p.Status != Processing) || p.GatewayIntentID == "" {
		return Payment{}, apperr.Conflict("not_capturable", "payment %s is %s, not awaiting capture", pid, p.Status)
	}
	gw, err := s.gatewayOf(p)
	if err != nil {
		return Payment{}, err
	}
	c, ok := gw.(Capturer)
	if !ok {
		return Payment{}, apperr.Conflict("not_capturable", "gateway %s captures automatically", gw.Name())
	}
	in, err := c.Capture(ctx, CaptureParams{IntentID: p.GatewayIntentID, Amount: amount, IdempotencyKey: p.IdempotencyKey + ":capture"})
	switch {
	case definite(err):
		return Payment{}, err
	case err != nil:
		return Payment{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "gateway_unavailable",
			Message: "the payment gateway did not answer; retry shortly", Err: fmt.Errorf("capture %s: %w", pid, err)}
	}
	return s.applyIntent(ctx, p.ID, in)
}
