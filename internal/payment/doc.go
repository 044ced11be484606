// Package payment takes payments for orders through a gateway driver (the
// built-in test gateway by default, Stripe later), refunds them, and learns
// outcomes from the gateway's signed webhooks and from reconciliation.
//
// The order module imports this package and calls Service.Start with the
// order's amount; it learns outcomes from the events below. Payment never
// imports order.
//
// # Attempts and idempotency
//
// A Payment is one attempt: one gateway intent created with the idempotency
// key "order:<order_id>:attempt:<n>". While an attempt is pending or
// processing, Start returns it instead of making another; after a failed
// attempt a new one may start. A unique index allows one open attempt and
// one captured payment per order. The payment row is committed (pending)
// before the gateway is called; the gateway is called outside any
// transaction; its answer is recorded after. Reconcile repairs a crash in
// between by calling again with the same key. Refunds are recorded pending
// first in the same way and sent with the key "payment:<id>:refund:<rfd>".
//
// # State machine
//
//	pending ──> processing ──> succeeded ──> partially_refunded ──> refunded
//	   │            │              └───────────────────────────────────^
//	   │            ├──> failed
//	   │            └──> authorized ──> succeeded (captured) | voided
//	   └──> authorized | succeeded | failed   (a webhook can overtake the create call)
//
// # Authorise now, capture later
//
// Cash on delivery (method "cod") and, with Options.ManualCapture (the
// flag --payment-capture, BAZAAR_PAYMENT_CAPTURE=manual or
// stripe:manual,...), card payments are authorised at checkout: the intent
// is created with manual capture, the payment becomes authorized and
// payment.authorized.v1 confirms the order (its stock committed). The
// order module settles it through SettleOnDelivery, the one path for both:
// cash is captured for what was delivered once every parcel is delivered
// or back; a card once no parcel awaits its seller's handover, for the
// seller orders handed over (a gateway captures an authorisation once, so
// a multi-seller order is captured at its last handover); with nothing to
// capture the authorisation is voided, at the gateway too (Voider).
// Gateways that cannot capture later (not a Capturer) capture at once
// whatever the configuration. Razorpay captures a payment whole, so a
// multi-seller order with a seller order cancelled cannot be captured
// there for less: the settlement is refused (capture_amount_mismatch) and
// its event retried until dead-lettered, and an admin captures the whole
// payment (POST /api/v1/payment/{id}/capture) and refunds the rest. A card
// authorisation expires at the gateway (Stripe: after 7 days), so manual
// capture suits sellers who hand parcels over within days.
//
// A payment the customer's browser confirms with the gateway's SDK (no
// method token) is not failed by a decline: the SDK lets the customer try
// another card on the same intent, so the payment stays processing with
// the decline in failure_code/failure_message until it succeeds or its
// order expires.
//
// Every transition is a conditional write; reports that are stale or
// repeated (webhooks arrive late, twice and out of order) change nothing.
// failed and refunded are final. Refunds: pending -> succeeded | failed.
//
// # Webhooks
//
// POST /api/v1/payment/webhook/<gateway>: the signature is the
// authentication (Bazaar-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
// "t.body">, several v1 while a secret rotates, 5 minutes' tolerance). The
// gateway's event ID is stored with the change it causes
// (payment_webhook_events), so duplicates are acknowledged and ignored.
//
// Tables: payment_payments, payment_refunds, payment_webhook_events; the
// test gateway's own payment_testgw_intents, payment_testgw_refunds,
// payment_testgw_webhooks.
//
// Events published (aggregate = the order ID, so an order's payment events
// arrive in order):
//   - payment.succeeded.v1 (SucceededEvent {payment_id, order_id,
//     customer_id, amount}): once, when a payment is captured.
//   - payment.failed.v1 (FailedEvent {payment_id, order_id, code, message}):
//     once per failed attempt; the order stays awaiting payment and may
//     retry with another method.
//   - payment.refunded.v1 (RefundedEvent {payment_id, order_id, refund_id,
//     amount, total_refunded, full, gateway, origin, seller_order_id}):
//     once per refund that succeeded. origin is "cancellation" (the order
//     module's RefundOrder and RefundOrderPart), "return" (the support
//     module's return refunds) or "goodwill" (an admin's or support's
//     refund through POST /api/v1/payment/{id}/refund, charged to the
//     seller_order_id it names, else the platform's); refunds made before
//     origins were recorded have none.
//
// Events consumed: none.
package payment
