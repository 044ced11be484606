package stripegw

import (
	"encoding/json"
	"errors"

	"github.com/stripe/stripe-go/v86"
	"github.com/stripe/stripe-go/v86/webhook"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// SignatureHeader is the header Stripe signs webhooks in.
const SignatureHeader = "Stripe-Signature"

// VerifyWebhook checks the Stripe-Signature header against each webhook
// secret in turn (two while a secret rotates) with 5 minutes' tolerance,
// and parses the event. A missing, bad or stale signature is Invalid
// "invalid_signature"; a body that is not a Stripe event, or an event of a
// known type whose object cannot be read, is Invalid "invalid_webhook".
//
// payment_intent.{succeeded, payment_failed, processing, requires_action,
// canceled, amount_capturable_updated} give an Intent; refund.{created,
// updated, failed} give a Refund; charge.refunded gives the charge's newest
// refund when the event includes the charge's refunds (Stripe has not
// included them since API version 2022-11-15, so it usually gives nothing
// and the refund.* events carry the news). Any other type gives an event
// with neither, to acknowledge and ignore.
//
// Events of another API version than stripe-go's are accepted (a warning
// is logged once per version): Stripe sends events in the version the
// webhook endpoint is pinned to, and refusing them would make Stripe retry
// every webhook for days and then disable the endpoint, while the fields
// read here (IDs, status, amounts, currency, metadata, last_payment_error,
// next_action, failure_reason) are the same in every version since 2019.
func (g *Gateway) VerifyWebhook(header payment.Header, body []byte) (payment.WebhookEvent, error) {
	bad := func(why string) error {
		return apperr.New(apperr.KindInvalid, "invalid_signature", "webhook signature rejected: %s", why)
	}
	sig := header.Get(SignatureHeader)
	if sig == "" {
		return payment.WebhookEvent{}, bad("no Stripe-Signature header")
	}
	if len(g.secrets) == 0 {
		g.log.Error("stripe: a webhook arrived but no webhook secret is configured")
		return payment.WebhookEvent{}, bad("no webhook secret configured")
	}
	var e stripe.Event
	err := webhook.ErrNoValidSignature
	for _, secret := range g.secrets {
		e, err = webhook.ConstructEventWithOptions(body, sig, secret, webhook.ConstructEventOptions{
			Tolerance:                payment.SignatureTolerance,
			IgnoreAPIVersionMismatch: true,
		})
		if !errors.Is(err, webhook.ErrNoValidSignature) {
			break // accepted, or refused for a reason no other secret changes
		}
	}
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader):
		return payment.WebhookEvent{}, bad("malformed Stripe-Signature header")
	case errors.Is(err, webhook.ErrTooOld):
		return payment.WebhookEvent{}, bad("timestamp outside the tolerance")
	case errors.Is(err, webhook.ErrNoValidSignature):
		return payment.WebhookEvent{}, bad("no signature matches")
	case err != nil:
		return payment.WebhookEvent{}, invalidWebhook("the webhook body is not a Stripe event", err)
	}
	if e.ID == "" || e.Data == nil {
		return payment.WebhookEvent{}, invalidWebhook("the Stripe event has no ID or no data", nil)
	}
	if e.APIVersion != stripe.APIVersion {
		if _, seen := g.warned.LoadOrStore(e.APIVersion, true); !seen {
			g.log.Warn("stripe: webhook of another API version than stripe-go's; pin the webhook endpoint to it",
				"event_api_version", e.APIVersion, "stripe_go_api_version", stripe.APIVersion)
		}
	}
	out := payment.WebhookEvent{ID: e.ID, Type: string(e.Type)}
	switch e.Type {
	case stripe.EventTypePaymentIntentSucceeded, stripe.EventTypePaymentIntentPaymentFailed,
		stripe.EventTypePaymentIntentProcessing, stripe.EventTypePaymentIntentRequiresAction,
		stripe.EventTypePaymentIntentCanceled, stripe.EventTypePaymentIntentAmountCapturableUpdated:
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(e.Data.Raw, &pi); err != nil || pi.Object != "payment_intent" || pi.ID == "" || pi.Currency == "" {
			return payment.WebhookEvent{}, invalidWebhook("the event's payment intent cannot be read", err)
		}
		in := g.intent(&pi)
		out.Intent = &in
	case stripe.EventTypeRefundCreated, stripe.EventTypeRefundUpdated, stripe.EventTypeRefundFailed:
		var r stripe.Refund
		if err := json.Unmarshal(e.Data.Raw, &r); err != nil || r.Object != "refund" || r.ID == "" || r.Currency == "" {
			return payment.WebhookEvent{}, invalidWebhook("the event's refund cannot be read", err)
		}
		gr := refund(&r)
		out.Refund = &gr
	case stripe.EventTypeChargeRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(e.Data.Raw, &ch); err != nil || ch.Object != "charge" || ch.ID == "" {
			return payment.WebhookEvent{}, invalidWebhook("the event's charge cannot be read", err)
		}
		if ch.Refunds != nil && len(ch.Refunds.Data) > 0 && ch.Refunds.Data[0] != nil && ch.Refunds.Data[0].ID != "" {
			gr := refund(ch.Refunds.Data[0]) // newest first
			if gr.IntentID == "" && ch.PaymentIntent != nil {
				gr.IntentID = ch.PaymentIntent.ID
			}
			out.Refund = &gr
		}
	}
	return out, nil
}

func invalidWebhook(msg string, cause error) error {
	return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_webhook", Message: msg, Err: cause}
}
