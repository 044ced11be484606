package payment

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Gateway is a payment gateway driver (the built-in test gateway, Stripe).
//
// Errors: a driver returns an apperr of kind Invalid or Unprocessable when
// the gateway definitely refused the request and made nothing (an unknown
// token, a refund over the limit); any other error means the outcome is
// unknown and the call is safe to repeat with the same idempotency key.
type Gateway interface {
	// Name is the gateway's name in webhook paths and on payments: "test", "stripe".
	Name() string
	// CreateIntent creates and confirms a payment intent. The same
	// idempotency key always yields the same intent and never a second charge.
	CreateIntent(ctx context.Context, in IntentParams) (Intent, error)
	// Intent reads an intent's current state (for reconciliation).
	Intent(ctx context.Context, intentID string) (Intent, error)
	// Refund refunds part of a succeeded intent, once per idempotency key.
	Refund(ctx context.Context, in RefundParams) (GatewayRefund, error)
	// VerifyWebhook checks a webhook's signature and freshness and parses it.
	// A bad, missing or stale signature is an error of kind Invalid.
	VerifyWebhook(header Header, body []byte) (WebhookEvent, error)
}

// Header is what a gateway reads of a webhook's envelope: its header
// fields by name, in any case. An http.Header satisfies it; a door that is
// not HTTP passes its metadata through a small adapter.
type Header interface {
	Get(name string) string
}

// MethodValidator is implemented by gateways that can tell a usable method
// token from a bad one without a network call; Start then refuses bad
// methods before writing anything.
type MethodValidator interface {
	ValidateMethod(method string) error
}

// IntentParams is a request to create and confirm a payment intent.
type IntentParams struct {
	Amount         money.Money
	Method         string // the payment method token
	IdempotencyKey string
	OrderID        string // metadata
	PaymentID      string // metadata: lets webhooks find the payment
	CustomerID     string // metadata
	// ClientConfirm asks for an intent that the customer's browser confirms
	// with the gateway's own SDK (Stripe's Payment Element, Razorpay
	// Checkout): Method is empty, and the intent comes back
	// IntentRequiresAction with a NextAction of type "use_sdk" carrying what
	// the SDK needs. Card data then never reaches Bazaar.
	ClientConfirm bool
	// ManualCapture authorises only: the intent comes back
	// IntentRequiresCapture once authorised, and Capturer.Capture takes the
	// money later.
	ManualCapture bool
}

// Capturer is implemented by gateways that can authorise first and capture
// later (IntentParams.ManualCapture).
type Capturer interface {
	// Capture captures an authorised intent (up to its amount), once per
	// idempotency key.
	Capture(ctx context.Context, in CaptureParams) (Intent, error)
}

// FeeReader is implemented by gateways whose webhooks do not carry the fee
// of a succeeded intent while Gateway.Intent does (Stripe keeps it on the
// charge's balance transaction, which an event does not expand):
// HandleWebhook reads such an intent again before it applies its success,
// so payment.succeeded.v1 carries the fee.
type FeeReader interface {
	FeesOnRead()
}

// Voider is implemented by gateways that can cancel an authorisation that
// will not be captured.
type Voider interface {
	// Void cancels an authorised intent, once per idempotency key.
	Void(ctx context.Context, intentID, idempotencyKey string) (Intent, error)
}

// CaptureParams is a request to capture an authorised intent.
type CaptureParams struct {
	IntentID       string
	Amount         money.Money
	IdempotencyKey string
}

// ClientConfirmer is implemented by gateways whose client SDK finishes a
// payment and hands proof back to the server, which must verify it
// (Razorpay Checkout returns razorpay_payment_id, razorpay_order_id and
// razorpay_signature). A proof that does not verify is Invalid
// "invalid_signature" and changes nothing.
type ClientConfirmer interface {
	ConfirmClient(ctx context.Context, intentID string, proof ClientProof) (Intent, error)
}

// ClientSide is implemented by gateways whose customers pay in the browser
// with the gateway's own SDK (Stripe's Payment Element, Razorpay Checkout):
// a payment started with no method token gets an intent for the SDK to
// confirm. ClientConfig is what the web checkout needs to load the SDK
// (public values only).
type ClientSide interface {
	ClientConfig() ClientConfig
}

// ClientConfig is a gateway's public configuration for its browser SDK.
type ClientConfig struct {
	Gateway        string `json:"gateway"`         // "stripe", "razorpay"
	PublishableKey string `json:"publishable_key"` // Stripe's publishable key, Razorpay's key ID
	ScriptURL      string `json:"script_url"`      // where the browser loads the SDK from
}

// ClientProof is what a gateway's client SDK returned, by field name.
type ClientProof map[string]string

// IntentStatus is a gateway intent's status, in Stripe's terms.
type IntentStatus string

const (
	IntentProcessing            IntentStatus = "processing"
	IntentRequiresAction        IntentStatus = "requires_action"
	IntentRequiresCapture       IntentStatus = "requires_capture" // authorised, awaiting Capture
	IntentSucceeded             IntentStatus = "succeeded"
	IntentRequiresPaymentMethod IntentStatus = "requires_payment_method" // declined
	IntentCanceled              IntentStatus = "canceled"
)

func (s IntentStatus) paymentStatus() Status {
	switch s {
	case IntentSucceeded:
		return Succeeded
	case IntentRequiresCapture:
		return Authorized
	case IntentRequiresPaymentMethod, IntentCanceled:
		return Failed
	}
	return Processing
}

// Intent is a gateway's payment intent.
type Intent struct {
	ID     string
	Status IntentStatus
	Amount money.Money // the amount (received, once succeeded)
	// Fee is what the gateway charged the marketplace for a succeeded
	// intent, when the gateway says (zero otherwise).
	Fee            money.Money
	FailureCode    string // the decline code when declined: "insufficient_funds", ...
	FailureMessage string
	NextAction     *NextAction
	PaymentID      string // metadata given at creation
	OrderID        string
}

// RefundParams is a request to refund part of an intent.
type RefundParams struct {
	IntentID       string
	Amount         money.Money
	IdempotencyKey string
	PaymentID      string // metadata
	RefundID       string // metadata: lets webhooks find the refund
}

// GatewayRefund is a gateway's refund.
type GatewayRefund struct {
	ID          string
	IntentID    string
	Amount      money.Money
	Status      RefundStatus
	FailureCode string
	PaymentID   string // metadata given at creation
	RefundID    string
}

// WebhookEvent is one verified webhook: an update to an intent or a refund.
type WebhookEvent struct {
	ID     string // the gateway's event ID, for deduplication
	Type   string // "payment_intent.succeeded", "refund.updated", ...
	Intent *Intent
	Refund *GatewayRefund
}

// SignatureHeader is the header the built-in gateways sign webhooks in.
const SignatureHeader = "Bazaar-Signature"

// SignatureTolerance is how old a signed webhook may be.
const SignatureTolerance = 5 * time.Minute

// Sign returns a signature header value for body at t: "t=<unix>,v1=<hex
// HMAC-SHA256 of "<unix>.<body>">", with one v1 per secret.
func Sign(body []byte, t time.Time, secrets ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks a header made by Sign: some v1 signature must
// match one of secrets (several may be valid while a secret rotates), and t
// must be within tolerance of now. Failures are Invalid "invalid_signature".
func VerifySignature(header string, body []byte, now time.Time, tolerance time.Duration, secrets ...[]byte) error {
	bad := func(why string) error {
		return apperr.New(apperr.KindInvalid, "invalid_signature", "webhook signature rejected: %s", why)
	}
	if header == "" {
		return bad("no signature header")
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if s, err := hex.DecodeString(v); err == nil && len(s) == sha256.Size {
				sigs = append(sigs, s)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bad("no timestamp")
	}
	if len(sigs) == 0 {
		return bad("no v1 signature")
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return bad("timestamp outside the tolerance")
	}
	ok := false
	for _, secret := range secrets {
		want := mac(secret, ts, body)
		for _, s := range sigs {
			if hmac.Equal(want, s) { // constant time
				ok = true
			}
		}
	}
	if !ok {
		return bad("no signature matches")
	}
	return nil
}

// LooksLikeCardNumber reports whether s could be a primary account number:
// 13 to 19 digits, possibly grouped by spaces or dashes. Bazaar only takes
// gateway tokens and must never store or log one.
func LooksLikeCardNumber(s string) bool {
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-':
		default:
			return false
		}
	}
	return digits >= 13 && digits <= 19
}
