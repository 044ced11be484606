// Package stripegw is the Stripe driver for payment.Gateway, on stripe-go's
// stripe.Client: PaymentIntents for payments (server-confirmed with a
// method token, or confirmed by the browser with Stripe's SDK), manual
// capture, refunds, Connect transfers, and Stripe's signed webhooks.
//
// Every mutating call carries the caller's idempotency key as Stripe's
// Idempotency-Key, so repeating a call whose answer was lost never charges,
// refunds or transfers twice.
//
// Errors follow payment.Gateway: a request Stripe refused without making
// anything (400 or 404) is apperr Invalid or Unprocessable; a card decline
// (402 card_error) on CreateIntent is not an error but an intent with status
// requires_payment_method and the decline code; anything else (network
// errors, timeouts, 401/403, 409, 429, 5xx) is a plain error: the outcome
// is unknown and the call is safe to repeat with the same key.
//
// Keys and webhook secrets are never logged: Options prints them redacted,
// stripe-go's own logger is off (its error lines hold whole payment intents,
// client secrets included), and errors carry only Stripe's type, code,
// message and request ID.
package stripegw

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v86"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// Name is the gateway's name in webhook paths and on payments.
const Name = "stripe"

// DefaultTimeout bounds one Stripe call when Options.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// Options configures the driver.
type Options struct {
	SecretKey      string   // sk_live_... or sk_test_...; required
	PublishableKey string   // pk_...: handed to the browser for client-side confirmation
	WebhookSecrets []string // whsec_...: the endpoint's signing secrets, two while one rotates
	// APIBase is Stripe's API URL: "" for https://api.stripe.com, stripe-mock's URL in tests.
	APIBase string
	// ReturnURL is where the customer comes back to after a 3-D Secure
	// redirect of a server-confirmed intent. Empty: such intents ask for
	// Stripe's SDK (next action use_sdk) instead of a redirect.
	ReturnURL  string
	HTTPClient *http.Client  // nil: a client with Timeout
	Timeout    time.Duration // per call; DefaultTimeout when 0 (and HTTPClient has none)
	// Retries is how many times stripe-go itself retries a call that failed
	// on the network, with 409, 429 or 5xx (safe: every call carries an
	// idempotency key). 0: none; the caller retries with the same key.
	Retries int
	Logger  *slog.Logger // slog.Default() when nil
}

// String describes o with its keys and secrets redacted.
func (o Options) String() string {
	return fmt.Sprintf("stripegw.Options{SecretKey: %s, PublishableKey: %s, WebhookSecrets: %d redacted, APIBase: %q, ReturnURL: %q, Timeout: %v, Retries: %d}",
		redact(o.SecretKey), redact(o.PublishableKey), len(o.WebhookSecrets), o.APIBase, o.ReturnURL, o.Timeout, o.Retries)
}

// GoString is String, so %#v does not print the keys either.
func (o Options) GoString() string { return o.String() }

// LogValue is String, so slog does not print the keys either.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// redact keeps a key's kind ("sk_test_") and hides the rest.
func redact(key string) string {
	if key == "" {
		return `""`
	}
	if i := strings.LastIndexByte(key, '_'); i > 0 && i < 16 {
		return key[:i+1] + "[redacted]"
	}
	return "[redacted]"
}

// Gateway is the Stripe driver. It implements payment.Gateway,
// payment.Capturer and payment.MethodValidator, and Transfer for Connect
// payouts.
type Gateway struct {
	sc             *stripe.Client
	key            string // only to scrub it from error messages
	publishableKey string
	secrets        []string
	returnURL      string
	log            *slog.Logger
	warned         sync.Map // API versions of webhooks already warned about
}

var (
	_ payment.Gateway         = (*Gateway)(nil)
	_ payment.Capturer        = (*Gateway)(nil)
	_ payment.MethodValidator = (*Gateway)(nil)
	_ payment.ClientSide      = (*Gateway)(nil)
	_ payment.FeeReader       = (*Gateway)(nil)
	_ payment.Voider          = (*Gateway)(nil)
)

// New returns the driver. It refuses options without a secret key.
func New(opts Options) (*Gateway, error) {
	if opts.SecretKey == "" {
		return nil, fmt.Errorf("stripegw: no secret key")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := &http.Client{Timeout: timeout}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		if c.Timeout == 0 {
			c.Timeout = timeout
		}
		hc = &c
	}
	cfg := &stripe.BackendConfig{
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(int64(max(opts.Retries, 0))),
		// Off: stripe-go logs whole error bodies, which can hold client secrets.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if opts.APIBase != "" {
		cfg.URL = stripe.String(strings.TrimRight(opts.APIBase, "/"))
	}
	g := &Gateway{
		sc:             stripe.NewClient(opts.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg))),
		key:            opts.SecretKey,
		publishableKey: opts.PublishableKey,
		secrets:        opts.WebhookSecrets,
		returnURL:      opts.ReturnURL,
		log:            opts.Logger,
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	return g, nil
}

// Name is "stripe".
func (g *Gateway) Name() string { return Name }

// ScriptURL is Stripe.js, which the browser must load from Stripe.
const ScriptURL = "https://js.stripe.com/v3/"

// ClientConfig is what Stripe.js and its Payment Element are started with:
// the publishable key (public) and where Stripe.js is.
func (g *Gateway) ClientConfig() payment.ClientConfig {
	return payment.ClientConfig{Gateway: Name, PublishableKey: g.publishableKey, ScriptURL: ScriptURL}
}

// ValidateMethod accepts what Stripe takes as a payment method without a
// network call: PaymentMethod IDs (pm_..., including test ones such as
// pm_card_visa), card tokens (tok_...) and saved cards (card_...). Card
// numbers are refused without being repeated. Client-confirmed intents have
// no method and are not validated.
func (g *Gateway) ValidateMethod(method string) error {
	bad := func(msg string) error {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "method", Message: msg})
	}
	switch {
	case method == "":
		return bad("is required")
	case payment.LooksLikeCardNumber(method):
		return bad("card numbers are not accepted; send a payment method token from the gateway")
	case len(method) > payment.MaxMethod || strings.ContainsFunc(method, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}):
		return bad("is not a Stripe payment method ID")
	case strings.HasPrefix(method, "pm_"), strings.HasPrefix(method, "tok_"), strings.HasPrefix(method, "card_"):
		return nil
	}
	return bad("is not a Stripe payment method ID; send a PaymentMethod (pm_...) or a card token (tok_...)")
}

// CreateIntent creates a PaymentIntent for in.Amount with the idempotency
// key. With a method it is confirmed at once (server-side confirmation):
// the answer is succeeded, processing, requires_capture (ManualCapture),
// requires_action (3-D Secure: redirect_to_url, or use_sdk) or, for a
// decline, requires_payment_method with the decline code. With
// ClientConfirm it is left for Stripe's SDK to confirm and comes back
// requires_action with a use_sdk next action (client secret and publishable
// key); Method is then ignored.
func (g *Gateway) CreateIntent(ctx context.Context, in payment.IntentParams) (payment.Intent, error) {
	var f apperr.Fields
	f.Check(in.IdempotencyKey != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	if !in.ClientConfirm {
		if err := g.ValidateMethod(in.Method); err != nil {
			return payment.Intent{}, err
		}
	}
	p := &stripe.PaymentIntentCreateParams{
		Amount:        stripe.Int64(in.Amount.Amount),
		Currency:      stripe.String(strings.ToLower(in.Amount.Currency)),
		CaptureMethod: stripe.String(string(stripe.PaymentIntentCaptureMethodAutomatic)),
		Metadata:      metadata("order_id", in.OrderID, "payment_id", in.PaymentID, "customer_id", in.CustomerID),
	}
	if in.ManualCapture {
		p.CaptureMethod = stripe.String(string(stripe.PaymentIntentCaptureMethodManual))
	}
	switch {
	case in.ClientConfirm:
		// The Payment Element offers what the Dashboard enables.
		p.AutomaticPaymentMethods = &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)}
	case strings.HasPrefix(in.Method, "tok_"):
		// A legacy card token becomes the intent's card; stripe-go has no
		// typed field for it (Stripe keeps it out of its OpenAPI spec).
		p.Confirm = stripe.Bool(true)
		p.PaymentMethodTypes = []*string{stripe.String("card")}
		p.PaymentMethodData = &stripe.PaymentIntentCreatePaymentMethodDataParams{Type: stripe.String("card")}
		p.AddExtra("payment_method_data[card][token]", in.Method)
		if g.returnURL != "" {
			p.ReturnURL = stripe.String(g.returnURL)
		}
	default:
		p.Confirm = stripe.Bool(true)
		p.PaymentMethod = stripe.String(in.Method)
		apm := &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)}
		if g.returnURL != "" {
			p.ReturnURL = stripe.String(g.returnURL)
		} else {
			// Without a return URL Stripe refuses methods that redirect;
			// cards still authenticate through the SDK (use_sdk).
			apm.AllowRedirects = stripe.String("never")
		}
		p.AutomaticPaymentMethods = apm
	}
	p.AddExpand(expandFee)
	p.SetIdempotencyKey(in.IdempotencyKey)
	pi, err := g.sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		if d, ok := decline(err); ok {
			return g.declined(d, in), nil
		}
		return payment.Intent{}, g.classify("create payment intent", err)
	}
	out := g.intent(pi)
	if in.ClientConfirm && (pi.Status == stripe.PaymentIntentStatusRequiresPaymentMethod || pi.Status == stripe.PaymentIntentStatusRequiresConfirmation) {
		// Freshly made and waiting for the browser, whatever a replayed
		// answer says about an earlier error.
		out.Status, out.FailureCode, out.FailureMessage = payment.IntentRequiresAction, "", ""
		out.NextAction = g.useSDK(pi.ClientSecret)
	}
	fill(&out, in)
	return out, nil
}

// Intent retrieves an intent (for reconciliation). An unknown ID is Invalid
// "resource_missing".
func (g *Gateway) Intent(ctx context.Context, intentID string) (payment.Intent, error) {
	if intentID == "" {
		return payment.Intent{}, apperr.Invalid("validation_failed", "an intent ID is required")
	}
	p := &stripe.PaymentIntentRetrieveParams{}
	p.AddExpand(expandFee)
	pi, err := g.sc.V1PaymentIntents.Retrieve(ctx, intentID, p)
	if err != nil {
		return payment.Intent{}, g.classify("retrieve payment intent "+intentID, err)
	}
	return g.intent(pi), nil
}

// Capture captures an intent authorised with ManualCapture: in.Amount (up
// to what was authorised; zero captures all of it), once per idempotency
// key. Capturing an intent that is not requires_capture is Unprocessable.
func (g *Gateway) Capture(ctx context.Context, in payment.CaptureParams) (payment.Intent, error) {
	var f apperr.Fields
	f.Check(in.IntentID != "", "intent_id", "is required")
	f.Check(in.IdempotencyKey != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount >= 0, "amount", "must not be negative")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	p := &stripe.PaymentIntentCaptureParams{}
	if in.Amount.Amount > 0 {
		p.AmountToCapture = stripe.Int64(in.Amount.Amount)
	}
	p.AddExpand(expandFee)
	p.SetIdempotencyKey(in.IdempotencyKey)
	pi, err := g.sc.V1PaymentIntents.Capture(ctx, in.IntentID, p)
	if err != nil {
		return payment.Intent{}, g.classify("capture payment intent "+in.IntentID, err)
	}
	return g.intent(pi), nil
}

// Void cancels an intent authorised with ManualCapture that will not be
// captured (Stripe releases the hold), once per idempotency key. An intent
// that cannot be cancelled (succeeded) is Unprocessable.
func (g *Gateway) Void(ctx context.Context, intentID, idempotencyKey string) (payment.Intent, error) {
	var f apperr.Fields
	f.Check(intentID != "", "intent_id", "is required")
	f.Check(idempotencyKey != "", "idempotency_key", "is required")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	p := &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String(string(stripe.PaymentIntentCancellationReasonAbandoned))}
	p.SetIdempotencyKey(idempotencyKey)
	pi, err := g.sc.V1PaymentIntents.Cancel(ctx, intentID, p)
	if err != nil {
		return payment.Intent{}, g.classify("cancel payment intent "+intentID, err)
	}
	return g.intent(pi), nil
}

// Refund refunds in.Amount of a succeeded intent, once per idempotency key,
// with metadata payment_id and refund_id. Card refunds usually come back
// succeeded; a pending one is settled later by a refund.updated webhook.
func (g *Gateway) Refund(ctx context.Context, in payment.RefundParams) (payment.GatewayRefund, error) {
	var f apperr.Fields
	f.Check(in.IntentID != "", "intent_id", "is required")
	f.Check(in.IdempotencyKey != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return payment.GatewayRefund{}, err
	}
	p := &stripe.RefundCreateParams{
		PaymentIntent: stripe.String(in.IntentID),
		Amount:        stripe.Int64(in.Amount.Amount),
		Metadata:      metadata("payment_id", in.PaymentID, "refund_id", in.RefundID),
	}
	p.SetIdempotencyKey(in.IdempotencyKey)
	r, err := g.sc.V1Refunds.Create(ctx, p)
	if err != nil {
		return payment.GatewayRefund{}, g.classify("refund payment intent "+in.IntentID, err)
	}
	out := refund(r)
	if out.IntentID == "" {
		out.IntentID = in.IntentID
	}
	if out.PaymentID == "" && out.RefundID == "" { // it was made with ours
		out.PaymentID, out.RefundID = in.PaymentID, in.RefundID
	}
	return out, nil
}

// expandFee asks Stripe to return an intent's latest charge with its
// balance transaction, which holds Stripe's fee.
const expandFee = "latest_charge.balance_transaction"

// FeesOnRead marks the driver as one whose webhooks do not carry the fee
// (an event's latest_charge is an ID) but whose Intent does: the payment
// module reads a succeeded intent again before it books the success.
func (g *Gateway) FeesOnRead() {}

// fee is Stripe's fee on a succeeded intent, from its latest charge's
// balance transaction when it was expanded (zero otherwise). It is in the
// balance transaction's currency, which is the account's settlement
// currency and may differ from the payment's.
func fee(pi *stripe.PaymentIntent) money.Money {
	ch := pi.LatestCharge
	if ch == nil || ch.BalanceTransaction == nil || ch.BalanceTransaction.Fee <= 0 || ch.BalanceTransaction.Currency == "" {
		return money.Money{}
	}
	bt := ch.BalanceTransaction
	return money.New(bt.Fee, strings.ToUpper(string(bt.Currency)))
}

// metadata builds Stripe metadata from key, value pairs, leaving out empty
// values (which Stripe would read as "delete").
func metadata(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

// fill sets the metadata we gave when Stripe's answer lacks it.
func fill(out *payment.Intent, in payment.IntentParams) {
	if out.PaymentID == "" && out.OrderID == "" {
		out.PaymentID, out.OrderID = in.PaymentID, in.OrderID
	}
}

// intent maps a PaymentIntent. Stripe's statuses map one to one, except:
//   - requires_payment_method is a decline only with a last_payment_error;
//     without one the intent waits for the customer's browser (use_sdk).
//   - requires_confirmation waits for the browser too (use_sdk).
//   - requires_action carries Stripe's redirect when it gives one, else
//     use_sdk with the client secret.
//   - a succeeded intent's Amount is what was received, and its Fee
//     Stripe's fee when its latest charge's balance transaction was
//     expanded (every call of this driver asks for it; webhooks lack it).
func (g *Gateway) intent(pi *stripe.PaymentIntent) payment.Intent {
	out := payment.Intent{
		ID:        pi.ID,
		Amount:    money.New(pi.Amount, strings.ToUpper(string(pi.Currency))),
		PaymentID: pi.Metadata["payment_id"],
		OrderID:   pi.Metadata["order_id"],
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		out.Status = payment.IntentSucceeded
		if pi.AmountReceived > 0 {
			out.Amount.Amount = pi.AmountReceived
		}
		out.Fee = fee(pi)
	case stripe.PaymentIntentStatusProcessing:
		out.Status = payment.IntentProcessing
	case stripe.PaymentIntentStatusRequiresCapture:
		out.Status = payment.IntentRequiresCapture
	case stripe.PaymentIntentStatusCanceled:
		out.Status = payment.IntentCanceled
		out.FailureCode, out.FailureMessage = "canceled", "The payment was canceled."
		if pi.CancellationReason != "" {
			out.FailureMessage = "The payment was canceled (" + string(pi.CancellationReason) + ")."
		}
	case stripe.PaymentIntentStatusRequiresAction:
		out.Status = payment.IntentRequiresAction
		if na := pi.NextAction; na != nil && na.RedirectToURL != nil && na.RedirectToURL.URL != "" {
			out.NextAction = &payment.NextAction{Type: "redirect_to_url", RedirectURL: na.RedirectToURL.URL}
		} else {
			out.NextAction = g.useSDK(pi.ClientSecret)
		}
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		if e := pi.LastPaymentError; e != nil {
			out.Status = payment.IntentRequiresPaymentMethod
			out.FailureCode, out.FailureMessage = failure(e)
			break
		}
		out.Status, out.NextAction = payment.IntentRequiresAction, g.useSDK(pi.ClientSecret)
	case stripe.PaymentIntentStatusRequiresConfirmation:
		out.Status, out.NextAction = payment.IntentRequiresAction, g.useSDK(pi.ClientSecret)
	default:
		// A status this driver does not know: not final, so keep asking.
		g.log.Warn("stripe: unknown payment intent status; treating it as processing", "intent", pi.ID, "status", string(pi.Status))
		out.Status = payment.IntentProcessing
	}
	return out
}

func (g *Gateway) useSDK(clientSecret string) *payment.NextAction {
	return &payment.NextAction{Type: "use_sdk", Gateway: Name, ClientSecret: clientSecret, PublishableKey: g.publishableKey}
}

// failure is the decline code and message of a Stripe error: the issuer's
// decline_code ("insufficient_funds") when there is one, else Stripe's code
// ("expired_card", "incorrect_cvc").
func failure(e *stripe.Error) (code, message string) {
	code = string(e.DeclineCode)
	if code == "" {
		code = string(e.Code)
	}
	return code, e.Msg
}

// declined is the intent of a card error: Stripe's intent, declined.
func (g *Gateway) declined(e *stripe.Error, in payment.IntentParams) payment.Intent {
	out := g.intent(e.PaymentIntent)
	out.Status, out.NextAction = payment.IntentRequiresPaymentMethod, nil
	out.FailureCode, out.FailureMessage = failure(e)
	if out.FailureCode == "" {
		out.FailureCode = "card_declined"
	}
	if out.Amount.Currency == "" {
		out.Amount = in.Amount
	}
	fill(&out, in)
	return out
}

// refund maps a Stripe refund: pending and requires_action are pending;
// failed and canceled are failed, with Stripe's failure_reason.
func refund(r *stripe.Refund) payment.GatewayRefund {
	out := payment.GatewayRefund{
		ID:        r.ID,
		Amount:    money.New(r.Amount, strings.ToUpper(string(r.Currency))),
		PaymentID: r.Metadata["payment_id"],
		RefundID:  r.Metadata["refund_id"],
	}
	if r.PaymentIntent != nil {
		out.IntentID = r.PaymentIntent.ID
	}
	switch r.Status {
	case stripe.RefundStatusSucceeded:
		out.Status = payment.RefundSucceeded
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		out.Status = payment.RefundFailed
		out.FailureCode = string(r.FailureReason)
		if out.FailureCode == "" {
			out.FailureCode = "refund_" + string(r.Status)
		}
	default:
		out.Status = payment.RefundPending
	}
	return out
}
