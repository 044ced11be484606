// Package razorpaygw is the Razorpay payment gateway driver: plain HTTP
// against Razorpay's REST API (https://api.razorpay.com/v1, Basic auth
// key_id:key_secret, JSON, amounts in the currency's smallest unit).
//
// # Intents are orders
//
// An intent is a Razorpay order; the intent ID is the order ID
// ("order_..."). The order carries receipt = our payment ID and notes
// {order_id, payment_id, customer_id, idempotency_key, capture}, and
// payment_capture = !ManualCapture. The customer pays it in the browser with
// Razorpay Checkout (IntentParams.ClientConfirm): CreateIntent returns
// requires_action with NextAction{Type: "use_sdk", Gateway: "razorpay",
// PublishableKey: <key ID>, GatewayOrderID: <order ID>}, and Checkout hands
// back razorpay_order_id, razorpay_payment_id and razorpay_signature, which
// ConfirmClient verifies (hex HMAC-SHA256 of "order_id|payment_id" with
// the key secret, compared in constant time) before reading the payment
// and, for automatic capture, capturing it if it is only authorised.
//
// The intent's status is derived from the order and its payments: a
// captured payment (or a paid order) is succeeded, an authorised one
// requires_capture, a failed last payment requires_payment_method (code =
// the payment's error_reason, else its error_code; message =
// error_description), anything else requires_action. Intent captures an
// authorised payment of an automatic-capture order, as Razorpay itself
// would, and never one whose amount differs from the order's.
//
// # Idempotency without an idempotency header
//
// Razorpay takes no idempotency key, so the receipt is the key. Before
// creating an order CreateIntent looks it up (GET /orders?receipt=<payment
// ID>) and returns the one it finds (refusing one for another amount as
// "idempotency_key_reused"); refunds likewise carry receipt = our refund ID
// and are looked for among the payment's refunds first. Calls for the same
// receipt (orders) or the same order (refunds, captures) are serialised
// within the process, so a retry after a timeout, or the reconciler racing
// a request, finds what the first call made. Razorpay does not enforce
// unique receipts, so two processes could still race between lookup and
// create: for orders that is harmless (an order is not a charge; the second
// is never paid, and the lookup prefers the paid one), and for refunds the
// payment service makes each refund from one place at a time; Razorpay
// itself refuses refunds beyond what was captured. We chose the lookup
// over a local idempotency table because it needs no storage and holds
// across restarts and replicas.
//
// # Test method tokens
//
// Scripts and tests that have no browser pay with a method token instead
// of ClientConfirm: rzp_test_success, rzp_test_failure (payment_declined)
// and rzp_test_insufficient_funds. They need Options.TestTokens, which New
// refuses with Razorpay's own API: the token travels in the order's notes
// (TestMethodNote) and only the local fake (razorpayfake) acts on it,
// paying the order at once. This keeps the REST API usable from scripts
// against the fake while the server's Start still takes a method; against
// Razorpay every other method is Invalid and Checkout is the only way.
//
// # Errors
//
// Invalid: we refused before asking Razorpay (bad parameters, a method
// token, a Checkout proof that does not verify, a bad webhook signature).
// Unprocessable: Razorpay answered 4xx BAD_REQUEST_ERROR and made nothing
// (the code is Razorpay's reason), or the driver saw it would (a refund
// over what is left: "refund_exceeds_captured"). Anything else — network
// errors, timeouts (Options.Timeout, 30 s), 5xx, 429, a refused API key —
// is unclassified: the outcome is unknown and the call is safe to repeat.
//
// # Webhooks
//
// X-Razorpay-Signature is the hex HMAC-SHA256 of the raw body with the
// webhook secret; any of Options.WebhookSecrets is accepted (rotation).
// Razorpay signs no timestamp, so the payload's created_at must be within
// WebhookTolerance (5 minutes) of now; X-Razorpay-Event-Id is the event ID.
// Razorpay redelivers a webhook it could not deliver with its original
// created_at, so redeliveries later than the tolerance are refused: the
// reconciler (Intent) learns those outcomes instead. Secrets are never
// logged; Options prints them redacted.
package razorpaygw
