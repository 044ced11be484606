package razorpaygw

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// Webhook headers.
const (
	SignatureHeader = "X-Razorpay-Signature"
	EventIDHeader   = "X-Razorpay-Event-Id"
)

// envelope is a Razorpay webhook body.
type envelope struct {
	Entity    string `json:"entity"`
	Event     string `json:"event"`
	CreatedAt int64  `json:"created_at"`
	Payload   struct {
		Payment *struct {
			Entity rzPayment `json:"entity"`
		} `json:"payment"`
		Order *struct {
			Entity order `json:"entity"`
		} `json:"order"`
		Refund *struct {
			Entity rzRefund `json:"entity"`
		} `json:"refund"`
	} `json:"payload"`
}

// VerifyWebhook checks X-Razorpay-Signature (the hex HMAC-SHA256 of the raw
// body with any of the webhook secrets) and the event's created_at (within
// WebhookTolerance of now), and parses the event. Failures are Invalid
// "invalid_signature". The event ID is the X-Razorpay-Event-Id header.
//
// payment.authorized, payment.captured, payment.failed and order.paid
// become an Intent (the Razorpay order), refund.created, refund.processed
// and refund.failed a Refund; other events have neither.
func (g *Gateway) VerifyWebhook(header payment.Header, body []byte) (payment.WebhookEvent, error) {
	bad := func(why string) error {
		return apperr.New(apperr.KindInvalid, "invalid_signature", "webhook signature rejected: %s", why)
	}
	sig, err := hex.DecodeString(strings.TrimSpace(header.Get(SignatureHeader)))
	switch {
	case header.Get(SignatureHeader) == "":
		return payment.WebhookEvent{}, bad("no " + SignatureHeader + " header")
	case err != nil || len(sig) != sha256.Size:
		return payment.WebhookEvent{}, bad("malformed signature")
	}
	ok := false
	for _, secret := range g.webhookSecrets {
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if hmac.Equal(m.Sum(nil), sig) { // constant time
			ok = true
		}
	}
	if !ok {
		return payment.WebhookEvent{}, bad("no signature matches")
	}
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.Entity != "event" || e.Event == "" {
		return payment.WebhookEvent{}, apperr.Invalid("invalid_webhook", "the webhook body is not a Razorpay event")
	}
	// Razorpay signs no timestamp: created_at, inside the signed body, is
	// what stops an old webhook being replayed.
	if d := g.now().Sub(time.Unix(e.CreatedAt, 0)); e.CreatedAt <= 0 || d > g.tolerance || d < -g.tolerance {
		return payment.WebhookEvent{}, bad("created_at outside the tolerance")
	}
	ev := payment.WebhookEvent{ID: header.Get(EventIDHeader), Type: e.Event}
	if ev.ID == "" {
		// Razorpay always sends the header; without it, the body's digest
		// still makes an exact redelivery a duplicate.
		sum := sha256.Sum256(body)
		ev.ID = "body_sha256_" + hex.EncodeToString(sum[:16])
	}
	pl := e.Payload
	switch e.Event {
	case "payment.authorized", "payment.captured", "payment.failed":
		if pl.Payment == nil || pl.Payment.Entity.OrderID == "" {
			return ev, nil // a payment without an order is not Bazaar's
		}
		p := pl.Payment.Entity
		in := &payment.Intent{ID: p.OrderID, Amount: money.New(p.Amount, p.Currency),
			PaymentID: p.Notes["payment_id"], OrderID: p.Notes["order_id"]}
		switch p.Status {
		case "captured", "refunded":
			in.Status, in.Fee = payment.IntentSucceeded, money.New(p.Fee, p.Currency)
		case "authorized":
			in.Status = payment.IntentRequiresCapture
		case "failed":
			in.Status = payment.IntentRequiresPaymentMethod
			in.FailureCode, in.FailureMessage = failure(p)
		default:
			in.Status = payment.IntentProcessing
		}
		ev.Intent = in
	case "order.paid":
		if pl.Order == nil {
			return payment.WebhookEvent{}, apperr.Invalid("invalid_webhook", "order.paid without an order")
		}
		o := pl.Order.Entity
		ev.Intent = &payment.Intent{ID: o.ID, Status: payment.IntentSucceeded, Amount: money.New(o.AmountPaid, o.Currency),
			PaymentID: o.Notes["payment_id"], OrderID: o.Notes["order_id"]}
	case "refund.created", "refund.processed", "refund.failed":
		if pl.Refund == nil {
			return payment.WebhookEvent{}, apperr.Invalid("invalid_webhook", e.Event+" without a refund")
		}
		intentID := ""
		if pl.Payment != nil {
			intentID = pl.Payment.Entity.OrderID
		}
		r := refundOf(pl.Refund.Entity, intentID)
		ev.Refund = &r
	}
	return ev, nil
}
