package razorpaygw

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// Name is the gateway's name.
const Name = "razorpay"

// DefaultAPIBase is Razorpay's API.
const DefaultAPIBase = "https://api.razorpay.com/v1"

// DefaultCheckoutScript is Razorpay Checkout's script.
const DefaultCheckoutScript = "https://checkout.razorpay.com/v1/checkout.js"

// TestMethodNote is the order note that carries a test method token to the
// local fake (razorpayfake.TestMethodNote, which must stay equal).
const TestMethodNote = "bazaar_test_method"

// Test method tokens, accepted only with Options.TestTokens (see the package doc).
const (
	TokenSuccess           = "rzp_test_success"
	TokenFailure           = "rzp_test_failure"
	TokenInsufficientFunds = "rzp_test_insufficient_funds"
)

var testTokens = []string{TokenSuccess, TokenFailure, TokenInsufficientFunds}

// Options configures the driver.
type Options struct {
	KeyID     string // Razorpay's key ID ("rzp_live_...", "rzp_test_..."); public: Checkout is started with it
	KeySecret string // Razorpay's key secret: API auth and Checkout signatures
	// WebhookSecrets verify webhooks; a webhook signed with any of them is
	// accepted, so two can be valid while the secret is rotated.
	WebhookSecrets []string
	// APIBase is Razorpay's API URL; DefaultAPIBase when empty. Tests give
	// the local fake's.
	APIBase string
	// TestTokens accepts the rzp_test_* method tokens. Only the local fake
	// acts on them, so New refuses TestTokens with Razorpay's own API.
	TestTokens bool
	Timeout    time.Duration // per request; 30 s when 0
	// Transport carries the API requests; http.DefaultTransport when nil.
	// A fake served in the same process gives its own (no network).
	Transport http.RoundTripper
	// CheckoutScript is where the browser loads Checkout from;
	// DefaultCheckoutScript when empty (a local fake's in demos).
	CheckoutScript string
	// WebhookTolerance is how far a webhook's created_at may be from now;
	// 5 minutes when 0.
	WebhookTolerance time.Duration
	Now              func() time.Time // clock; time.Now when nil
	Logger           *slog.Logger     // slog.Default() when nil
}

// String shows the options without their secrets.
func (o Options) String() string {
	return fmt.Sprintf("razorpaygw.Options{KeyID:%s KeySecret:%s WebhookSecrets:%d APIBase:%s TestTokens:%v Timeout:%s}",
		o.KeyID, redacted(o.KeySecret), len(o.WebhookSecrets), o.APIBase, o.TestTokens, o.Timeout)
}

// GoString shows the options without their secrets.
func (o Options) GoString() string { return o.String() }

// LogValue logs the options without their secrets.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key_id", o.KeyID), slog.String("key_secret", redacted(o.KeySecret)),
		slog.Int("webhook_secrets", len(o.WebhookSecrets)), slog.String("api_base", o.APIBase))
}

func redacted(s string) string {
	if s == "" {
		return "(none)"
	}
	return "(redacted)"
}

// Gateway is the Razorpay driver. It implements payment.Gateway,
// payment.ClientConfirmer, payment.Capturer and payment.MethodValidator.
type Gateway struct {
	keyID, keySecret string
	webhookSecrets   [][]byte
	base             string
	testTokens       bool
	tolerance        time.Duration
	http             *http.Client
	script           string
	now              func() time.Time
	log              *slog.Logger
	locks            keyedMutex
}

var (
	_ payment.Gateway         = (*Gateway)(nil)
	_ payment.ClientConfirmer = (*Gateway)(nil)
	_ payment.Capturer        = (*Gateway)(nil)
	_ payment.MethodValidator = (*Gateway)(nil)
	_ payment.ClientSide      = (*Gateway)(nil)
)

// New returns the driver. It needs a key ID and secret and at least one
// webhook secret.
func New(opts Options) (*Gateway, error) {
	var f apperr.Fields
	f.Check(opts.KeyID != "", "key_id", "is required")
	f.Check(opts.KeySecret != "", "key_secret", "is required")
	f.Check(len(opts.WebhookSecrets) > 0 && !slices.Contains(opts.WebhookSecrets, ""), "webhook_secrets", "needs at least one secret, none empty")
	base := strings.TrimRight(opts.APIBase, "/")
	if base == "" {
		base = DefaultAPIBase
	}
	u, err := url.Parse(base)
	f.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "api_base", "must be an http(s) URL")
	f.Check(!opts.TestTokens || (err == nil && !strings.HasSuffix(u.Hostname(), "razorpay.com")), "test_tokens",
		"work only against the local fake, not Razorpay's API")
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("razorpay gateway options: %w", err)
	}
	g := &Gateway{keyID: opts.KeyID, keySecret: opts.KeySecret, base: base, testTokens: opts.TestTokens,
		tolerance: opts.WebhookTolerance, now: opts.Now, log: opts.Logger, script: opts.CheckoutScript}
	if g.script == "" {
		g.script = DefaultCheckoutScript
	}
	for _, s := range opts.WebhookSecrets {
		g.webhookSecrets = append(g.webhookSecrets, []byte(s))
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	g.http = &http.Client{Timeout: timeout, Transport: opts.Transport}
	if g.tolerance <= 0 {
		g.tolerance = 5 * time.Minute
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	g.log = g.log.With("gateway", Name)
	return g, nil
}

// Name is "razorpay".
func (g *Gateway) Name() string { return Name }

// ClientConfig is what Razorpay Checkout is started with in the browser:
// the key ID (public; the secret never leaves the server), and where the
// Checkout script is.
func (g *Gateway) ClientConfig() payment.ClientConfig {
	return payment.ClientConfig{Gateway: Name, PublishableKey: g.keyID, ScriptURL: g.script}
}

// ValidateMethod accepts the test tokens when Options.TestTokens is set and
// refuses everything else: Razorpay payments are confirmed in the browser
// with Checkout (IntentParams.ClientConfirm, no method).
func (g *Gateway) ValidateMethod(method string) error {
	bad := func(msg string) error {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "method", Message: msg})
	}
	switch {
	case payment.LooksLikeCardNumber(method):
		return bad("card numbers are not accepted; Razorpay payments are made in Razorpay Checkout")
	case g.testTokens && slices.Contains(testTokens, method):
		return nil
	case g.testTokens:
		return bad("is not a Razorpay test token; use " + strings.Join(testTokens, ", ") + ", or pay with Razorpay Checkout")
	}
	return bad("Razorpay payments are made in Razorpay Checkout; method tokens are not accepted")
}

// receipt is the receipt an order or refund is made with, which is what
// makes creating it idempotent: ref (our payment or refund ID) when it fits
// Razorpay's 40 characters, else a digest of the idempotency key.
func receipt(ref, key string) string {
	if ref != "" && len(ref) <= 40 {
		return ref
	}
	sum := sha256.Sum256([]byte(key))
	return "k_" + hex.EncodeToString(sum[:])[:38]
}

// CreateIntent creates the Razorpay order that is the intent, or finds the
// one made for the same payment (by receipt; see the package doc).
//
// With ClientConfirm the intent comes back requires_action with a "use_sdk"
// NextAction for Razorpay Checkout. With a test token (Options.TestTokens)
// the fake pays the order at once and the intent comes back with the outcome.
func (g *Gateway) CreateIntent(ctx context.Context, in payment.IntentParams) (payment.Intent, error) {
	var f apperr.Fields
	f.Check(in.IdempotencyKey != "" || in.PaymentID != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	if !in.ClientConfirm {
		if err := g.ValidateMethod(in.Method); err != nil {
			return payment.Intent{}, err
		}
	}
	rcpt := receipt(in.PaymentID, in.IdempotencyKey)
	unlock, err := g.locks.lock(ctx, "receipt:"+rcpt)
	if err != nil {
		return payment.Intent{}, err
	}
	defer unlock()

	o, found, err := g.orderByReceipt(ctx, rcpt)
	if err != nil {
		return payment.Intent{}, err
	}
	if found {
		if o.Amount != in.Amount.Amount || o.Currency != in.Amount.Currency {
			return payment.Intent{}, apperr.Unprocessable("idempotency_key_reused",
				"razorpay order %s for receipt %s is for %d %s, not %v", o.ID, rcpt, o.Amount, o.Currency, in.Amount)
		}
	} else {
		capture := "automatic"
		if in.ManualCapture {
			capture = "manual"
		}
		n := map[string]string{"order_id": in.OrderID, "payment_id": in.PaymentID, "customer_id": in.CustomerID,
			"idempotency_key": in.IdempotencyKey, "capture": capture}
		if !in.ClientConfirm {
			n[TestMethodNote] = in.Method
		}
		for k, v := range n {
			if v == "" {
				delete(n, k)
			}
		}
		body := map[string]any{"amount": in.Amount.Amount, "currency": in.Amount.Currency, "receipt": rcpt,
			"notes": n, "payment_capture": !in.ManualCapture}
		if err := g.call(ctx, http.MethodPost, "/orders", nil, body, &o); err != nil {
			return payment.Intent{}, fmt.Errorf("create razorpay order for %s: %w", rcpt, err)
		}
	}
	if o.Status == "created" {
		return g.view(o, nil), nil // nothing paid yet: no need to list payments
	}
	return g.settle(ctx, o)
}

// orderByReceipt finds the order made with a receipt. Should two exist (two
// processes raced; see the package doc), the one paid or attempted wins,
// else the oldest.
func (g *Gateway) orderByReceipt(ctx context.Context, rcpt string) (order, bool, error) {
	var list collection[order]
	q := url.Values{"receipt": {rcpt}, "count": {"100"}}
	if err := g.call(ctx, http.MethodGet, "/orders", q, nil, &list); err != nil {
		return order{}, false, fmt.Errorf("find razorpay order by receipt %s: %w", rcpt, err)
	}
	var best *order
	for i := range list.Items {
		o := &list.Items[i]
		if o.Receipt != rcpt {
			continue
		}
		switch {
		case best == nil:
			best = o
		case (o.Status != "created") != (best.Status != "created"):
			if o.Status != "created" {
				best = o
			}
		case o.CreatedAt < best.CreatedAt:
			best = o
		}
	}
	if best == nil {
		return order{}, false, nil
	}
	return *best, true, nil
}

// Intent reads the order and its payments and derives the intent's state.
// An authorised payment of an order made for automatic capture is captured
// on the way, as Razorpay itself would have done.
func (g *Gateway) Intent(ctx context.Context, intentID string) (payment.Intent, error) {
	if !strings.HasPrefix(intentID, "order_") {
		return payment.Intent{}, apperr.Invalid("resource_missing", fmt.Sprintf("%q is not a Razorpay order ID", intentID))
	}
	var o order
	if err := g.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(intentID), nil, nil, &o); err != nil {
		return payment.Intent{}, fmt.Errorf("read razorpay order %s: %w", intentID, err)
	}
	return g.settle(ctx, o)
}

// settle lists o's payments, captures an authorised one if o wants
// automatic capture, and returns the intent.
func (g *Gateway) settle(ctx context.Context, o order) (payment.Intent, error) {
	ps, err := g.orderPayments(ctx, o.ID)
	if err != nil {
		return payment.Intent{}, err
	}
	return g.captureIfWanted(ctx, o, ps)
}

func (g *Gateway) orderPayments(ctx context.Context, orderID string) ([]rzPayment, error) {
	var list collection[rzPayment]
	if err := g.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(orderID)+"/payments", nil, nil, &list); err != nil {
		return nil, fmt.Errorf("list payments of razorpay order %s: %w", orderID, err)
	}
	return list.Items, nil
}

// captureIfWanted captures the authorised payment among ps when o was made
// for automatic capture, and returns the intent.
func (g *Gateway) captureIfWanted(ctx context.Context, o order, ps []rzPayment) (payment.Intent, error) {
	in := g.view(o, ps)
	if in.Status != payment.IntentRequiresCapture || o.Notes["capture"] == "manual" {
		return in, nil
	}
	p := authorized(ps)
	if p.Amount != o.Amount || p.Currency != o.Currency {
		// Never capture what the order did not ask for; a person decides.
		g.log.ErrorContext(ctx, "razorpay payment authorised for another amount than its order; not capturing",
			"order", o.ID, "razorpay_payment", p.ID, "authorised", p.Amount, "order_amount", o.Amount)
		return in, nil
	}
	return g.capture(ctx, o, ps, p)
}

// capture captures p (of o) and returns the intent. A capture Razorpay
// refuses because it happened already (a retry after a lost answer) reads
// the state again.
func (g *Gateway) capture(ctx context.Context, o order, ps []rzPayment, p rzPayment) (payment.Intent, error) {
	var got rzPayment
	err := g.call(ctx, http.MethodPost, "/payments/"+url.PathEscape(p.ID)+"/capture", nil,
		map[string]any{"amount": p.Amount, "currency": p.Currency}, &got)
	if refused(err) {
		ps, lerr := g.orderPayments(ctx, o.ID)
		if lerr != nil {
			return payment.Intent{}, lerr
		}
		if in := g.view(o, ps); in.Status == payment.IntentSucceeded {
			return in, nil
		}
		return payment.Intent{}, fmt.Errorf("capture razorpay payment %s: %w", p.ID, err)
	}
	if err != nil {
		return payment.Intent{}, fmt.Errorf("capture razorpay payment %s: %w", p.ID, err)
	}
	return g.view(o, replace(slices.Clone(ps), got, p)), nil
}

// replace puts got in the place of old in ps (or adds it).
func replace(ps []rzPayment, got, old rzPayment) []rzPayment {
	for i := range ps {
		if ps[i].ID == old.ID {
			ps[i] = got
			return ps
		}
	}
	return append(ps, got)
}

func authorized(ps []rzPayment) rzPayment {
	for _, p := range ps {
		if p.Status == "authorized" {
			return p
		}
	}
	return rzPayment{}
}

// view derives the intent from an order and its payments:
//
//	a payment captured (or refunded since)       succeeded, for what was captured
//	the order paid                               succeeded, for amount_paid
//	a payment authorised                         requires_capture
//	the latest payment failed                    requires_payment_method, with its error
//	otherwise (created, or a payment in flight)  requires_action: pay with Checkout
func (g *Gateway) view(o order, ps []rzPayment) payment.Intent {
	in := payment.Intent{ID: o.ID, Amount: money.New(o.Amount, o.Currency), PaymentID: o.Notes["payment_id"], OrderID: o.Notes["order_id"]}
	var latest *rzPayment
	for i := range ps {
		p := &ps[i]
		switch p.Status {
		case "captured", "refunded":
			in.Status, in.Amount, in.Fee = payment.IntentSucceeded, money.New(p.Amount, p.Currency), money.New(p.Fee, p.Currency)
			return in
		}
		if latest == nil || p.CreatedAt > latest.CreatedAt {
			latest = p
		}
	}
	switch {
	case o.Status == "paid":
		in.Status, in.Amount = payment.IntentSucceeded, money.New(o.AmountPaid, o.Currency)
	case authorized(ps).ID != "":
		in.Status = payment.IntentRequiresCapture
	case latest != nil && latest.Status == "failed":
		in.Status = payment.IntentRequiresPaymentMethod
		in.FailureCode, in.FailureMessage = failure(*latest)
	default:
		in.Status = payment.IntentRequiresAction
		in.NextAction = &payment.NextAction{Type: "use_sdk", Gateway: Name, PublishableKey: g.keyID, GatewayOrderID: o.ID}
	}
	return in
}

// failure is a failed payment's code (error_reason, else error_code) and message.
func failure(p rzPayment) (code, msg string) {
	code = p.ErrorReason
	if code == "" || code == "NA" {
		code = strings.ToLower(p.ErrorCode)
	}
	if code == "" {
		code = "payment_failed"
	}
	return code, p.ErrorDescription
}

// ConfirmClient verifies what Razorpay Checkout handed the browser
// (razorpay_order_id, razorpay_payment_id, razorpay_signature) and returns
// the intent's state, capturing the payment if the order was made for
// automatic capture and it is only authorised. The signature is the hex
// HMAC-SHA256 of "order_id|payment_id" with the key secret, and the order
// must be intentID. A proof that fails is Invalid ("invalid_signature",
// "order_mismatch", "validation_failed") and changes nothing.
func (g *Gateway) ConfirmClient(ctx context.Context, intentID string, proof payment.ClientProof) (payment.Intent, error) {
	orderID, payID, sig := proof["razorpay_order_id"], proof["razorpay_payment_id"], proof["razorpay_signature"]
	var f apperr.Fields
	f.Check(payID != "", "razorpay_payment_id", "is required")
	f.Check(sig != "", "razorpay_signature", "is required")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	if orderID != "" && orderID != intentID {
		return payment.Intent{}, apperr.Invalid("order_mismatch", "the Checkout result is for another order")
	}
	if !g.checkoutSignatureOK(intentID, payID, sig) {
		return payment.Intent{}, apperr.Invalid("invalid_signature", "the Checkout signature does not verify")
	}
	var p rzPayment
	if err := g.call(ctx, http.MethodGet, "/payments/"+url.PathEscape(payID), nil, nil, &p); err != nil {
		return payment.Intent{}, fmt.Errorf("read razorpay payment %s: %w", payID, err)
	}
	if p.OrderID != intentID {
		return payment.Intent{}, apperr.Invalid("order_mismatch", "the Checkout result is for another order")
	}
	var o order
	if err := g.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(intentID), nil, nil, &o); err != nil {
		return payment.Intent{}, fmt.Errorf("read razorpay order %s: %w", intentID, err)
	}
	return g.captureIfWanted(ctx, o, []rzPayment{p})
}

func (g *Gateway) checkoutSignatureOK(orderID, paymentID, sig string) bool {
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(g.keySecret))
	m.Write([]byte(orderID + "|" + paymentID))
	return hmac.Equal(m.Sum(nil), got) // constant time
}

// Capture captures the authorised payment of an order made with
// ManualCapture. Razorpay captures a payment whole: Amount must be what was
// authorised. Capturing again returns the succeeded intent.
func (g *Gateway) Capture(ctx context.Context, in payment.CaptureParams) (payment.Intent, error) {
	if in.Amount.Amount <= 0 || !money.ValidCurrency(in.Amount.Currency) {
		return payment.Intent{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "amount", Message: "must be a positive amount in a valid currency"})
	}
	unlock, err := g.locks.lock(ctx, "order:"+in.IntentID)
	if err != nil {
		return payment.Intent{}, err
	}
	defer unlock()
	var o order
	if err := g.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(in.IntentID), nil, nil, &o); err != nil {
		return payment.Intent{}, fmt.Errorf("read razorpay order %s: %w", in.IntentID, err)
	}
	ps, err := g.orderPayments(ctx, o.ID)
	if err != nil {
		return payment.Intent{}, err
	}
	cur := g.view(o, ps)
	switch {
	case cur.Status == payment.IntentSucceeded:
		return cur, nil
	case cur.Status != payment.IntentRequiresCapture:
		return payment.Intent{}, apperr.Unprocessable("not_authorized", "razorpay order %s has no authorised payment to capture", o.ID)
	}
	p := authorized(ps)
	if in.Amount.Amount != p.Amount || in.Amount.Currency != p.Currency {
		return payment.Intent{}, apperr.Unprocessable("capture_amount_mismatch",
			"razorpay captures whole payments: %d %s was authorised, not %v", p.Amount, p.Currency, in.Amount)
	}
	return g.capture(ctx, o, ps, p)
}

// errLocked is returned when ctx ends while waiting for another call on the
// same order or receipt.
var errLocked = errors.New("razorpay: gave up waiting for a concurrent call on the same order")
