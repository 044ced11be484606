package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/unit"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Options tunes a Service. The zero value is usable.
type Options struct {
	Now    func() time.Time // clock; time.Now when nil
	Logger *slog.Logger     // slog.Default() when nil
	// Route sends payments in a currency (ISO code) through a gateway other
	// than the default one: {"INR": razorpay, "USD": stripe}.
	Route map[string]Gateway
	// COD is the cash-on-delivery rule; nil takes no cash on delivery.
	COD *CODPolicy
	// Sellers finds a seller user's store (the sellers' cash-on-delivery
	// switch); nil: nobody can set it.
	Sellers Sellers
	// Parts lists an order's seller orders (a goodwill refund charged to
	// one); nil: goodwill refunds cannot name a seller order.
	Parts Parts
	// ManualCapture names the gateways whose card payments are authorised
	// at checkout and captured later (SettleOnDelivery, when the parcels
	// are handed over) instead of at once; a gateway that cannot capture
	// later (not a Capturer) captures at once all the same.
	ManualCapture map[string]bool
}

// Service is the payment module's use cases.
type Service struct {
	store   Store
	def     Gateway            // payments in a currency Route does not name
	route   map[string]Gateway // by currency
	gws     map[string]Gateway // every gateway, by name: webhooks, reconciliation, refunds
	cod     *CODPolicy
	sellers Sellers
	parts   Parts
	manual  map[string]bool // gateways that capture later
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Service that takes payments through gw, or through the
// gateway opts.Route names for their currency.
func New(store Store, gw Gateway, opts Options) *Service {
	s := &Service{store: store, def: gw, route: map[string]Gateway{}, gws: map[string]Gateway{gw.Name(): gw, CODGateway: cashGateway{}},
		cod: opts.COD, sellers: opts.Sellers, parts: opts.Parts, manual: opts.ManualCapture, now: opts.Now, log: opts.Logger}
	for cur, g := range opts.Route {
		s.route[cur] = g
		s.gws[g.Name()] = g
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// gatewayFor is the gateway new payments in currency go through.
func (s *Service) gatewayFor(currency string) Gateway {
	if g, ok := s.route[currency]; ok {
		return g
	}
	return s.def
}

// gatewayOf is the gateway p went through. A payment of a gateway no longer
// configured is an error for whoever needs its gateway.
func (s *Service) gatewayOf(p Payment) (Gateway, error) {
	if g, ok := s.gws[p.Gateway]; ok {
		return g, nil
	}
	return nil, fmt.Errorf("payment %s went through gateway %q, which is not configured", p.ID, p.Gateway)
}

// Start is a request to pay for an order. The order module has checked that
// the customer owns the order and that it awaits payment, and gives its total.
type Start struct {
	OrderID    id.Order
	CustomerID id.User
	Amount     money.Money
	Method     string // a gateway payment method token such as "tok_visa", or MethodCOD
	// Sellers are the order's sellers: each must take cash on delivery for
	// a payment with MethodCOD.
	Sellers []id.Seller
}

// MaxMethod is the longest method token accepted.
const MaxMethod = 255

// Start begins paying for an order through the gateway and returns the
// payment. While an attempt for the order is still open, Start returns that
// attempt (whatever the method) and never creates a second intent; after a
// failed attempt it starts a new one. An order that is paid already is
// Conflict "already_paid".
//
// The payment is written (pending) before the gateway is called and the
// gateway's answer recorded after, outside any transaction; if the process
// dies in between, Reconcile finishes the job with the same idempotency key.
// When the gateway cannot be reached Start returns Unavailable
// "gateway_unavailable" and the payment stays pending: retrying Start (or
// the reconciler) carries on with the same key.
func (s *Service) Start(ctx context.Context, in Start) (Payment, error) {
	var f apperr.Fields
	f.Check(in.OrderID != "", "order_id", "is required")
	f.Check(in.CustomerID != "", "customer_id", "is required")
	gw := s.gatewayFor(in.Amount.Currency)
	if in.Method == MethodCOD {
		gw = cashGateway{}
	}
	_, sdk := gw.(ClientSide)
	switch {
	case in.Method == MethodCOD:
	case in.Method == "" && !sdk:
		f.Add("method", "is required")
	case in.Method == "":
		// The customer's browser confirms with the gateway's SDK.
	case LooksLikeCardNumber(in.Method):
		// Never echo or log it.
		f.Add("method", "card numbers are not accepted; send a payment method token from the gateway")
	case len(in.Method) > MaxMethod || !utf8.ValidString(in.Method) || strings.ContainsFunc(in.Method, isSpaceOrControl):
		f.Add("method", fmt.Sprintf("must be a payment method token of at most %d characters without spaces", MaxMethod))
	}
	if err := in.Amount.Validate("amount"); err != nil {
		return Payment{}, err
	}
	f.Check(in.Amount.Amount > 0, "amount.amount", "must be positive")
	if err := f.Err(); err != nil {
		return Payment{}, err
	}
	if in.Method == MethodCOD {
		if err := s.checkCOD(ctx, in); err != nil {
			return Payment{}, err
		}
	}
	if v, ok := gw.(MethodValidator); ok && in.Method != "" && in.Method != MethodCOD {
		if err := v.ValidateMethod(in.Method); err != nil {
			return Payment{}, err
		}
	}
	_, capturer := gw.(Capturer)
	manual := in.Method != MethodCOD && capturer && s.manual[gw.Name()]
	now := s.now()
	p, created, err := s.store.StartAttempt(ctx, Payment{
		ID: id.Make[id.Payment](), OrderID: in.OrderID, CustomerID: in.CustomerID, Amount: in.Amount,
		Method: in.Method, Gateway: gw.Name(), ManualCapture: manual, Status: Pending,
		Captured: money.New(0, in.Amount.Currency), Refunded: money.New(0, in.Amount.Currency),
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return Payment{}, fmt.Errorf("start payment for order %s: %w", in.OrderID, err)
	}
	if !created && p.Amount != in.Amount {
		return Payment{}, apperr.Conflict("payment_in_progress", "a payment of %v for order %s is in progress", p.Amount, p.OrderID)
	}
	if p.Status != Pending || p.GatewayIntentID != "" {
		return p, nil
	}
	return s.createIntent(ctx, p)
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// createIntent asks the gateway for p's intent (again: the key makes it the
// same one) and records the answer.
func (s *Service) createIntent(ctx context.Context, p Payment) (Payment, error) {
	gw, err := s.gatewayOf(p)
	if err != nil {
		return Payment{}, err
	}
	in, err := gw.CreateIntent(ctx, IntentParams{
		Amount: p.Amount, Method: p.Method, IdempotencyKey: p.IdempotencyKey, OrderID: string(p.OrderID), PaymentID: string(p.ID),
		CustomerID: string(p.CustomerID), ClientConfirm: p.Method == "", ManualCapture: p.ManualCapture,
	})
	switch {
	case definite(err):
		e, _ := apperr.As(err)
		if _, uerr := s.store.Update(ctx, p.ID, func(q *Payment) ([]Event, error) {
			return q.Fail(e.Code, e.Message, s.now())
		}); uerr != nil {
			return Payment{}, fmt.Errorf("record refused payment %s: %w", p.ID, uerr)
		}
		return Payment{}, err
	case err != nil:
		s.log.WarnContext(ctx, "payment gateway call failed; the payment stays pending", "payment", p.ID, "gateway", gw.Name(), "err", err)
		return Payment{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "gateway_unavailable",
			Message: "the payment gateway did not answer; retry shortly", Err: err}
	}
	return s.applyIntent(ctx, p.ID, in)
}

// definite reports whether a gateway error means the gateway refused and
// made nothing.
func definite(err error) bool {
	k := apperr.KindOf(err)
	return err != nil && (k == apperr.KindInvalid || k == apperr.KindUnprocessable)
}

func (s *Service) applyIntent(ctx context.Context, paymentID id.Payment, in Intent) (Payment, error) {
	p, err := s.store.Update(ctx, paymentID, s.intentMutation(ctx, in))
	if err != nil {
		return Payment{}, fmt.Errorf("record intent %s of payment %s: %w", in.ID, paymentID, err)
	}
	return p, nil
}

// intentMutation applies a gateway report. Reports that contradict the
// payment are logged and ignored rather than failing: the gateway would
// only report them again.
func (s *Service) intentMutation(ctx context.Context, in Intent) Mutation {
	return func(p *Payment) ([]Event, error) {
		if p.Status == Failed && in.Status == IntentSucceeded {
			s.log.ErrorContext(ctx, "gateway reports a charge for a failed payment; refund it by hand", "payment", p.ID, "intent", in.ID)
			return nil, ErrUnchanged
		}
		evs, err := p.ApplyIntent(in, s.now())
		if apperr.Is(err, apperr.KindConflict) {
			s.log.ErrorContext(ctx, "ignoring a gateway report that does not fit the payment", "payment", p.ID, "intent", in.ID, "err", err)
			return nil, ErrUnchanged
		}
		return evs, err
	}
}

// Payment returns a payment to its customer, admins and support; for anyone
// else it is NotFound.
func (s *Service) Payment(ctx context.Context, id id.Payment) (Payment, error) {
	who, err := auth.Require(ctx)
	if err != nil {
		return Payment{}, err
	}
	p, err := s.store.Payment(ctx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.CustomerID != who.UserID && !who.Is(auth.Admin, auth.Support) {
		return Payment{}, apperr.NotFound("payment %s not found", id)
	}
	return p, nil
}

// OrderPayments lists an order's payment attempts, first first. It checks no
// authorisation: the caller has checked that the order is visible.
func (s *Service) OrderPayments(ctx context.Context, orderID id.Order) ([]Payment, error) {
	return s.store.OrderPayments(ctx, orderID)
}

// HandleWebhook verifies a gateway's webhook and applies it. A bad or stale
// signature is Invalid "invalid_signature" and changes nothing; an unknown
// gateway is NotFound. Each gateway event is applied once: a duplicate is
// acknowledged (nil) and ignored, and a report behind what the payment
// already knows never moves it backwards.
func (s *Service) HandleWebhook(ctx context.Context, gateway string, header Header, body []byte) error {
	gw, ok := s.gws[gateway]
	if !ok {
		return apperr.NotFound("no payment gateway named %q", gateway)
	}
	ev, err := gw.VerifyWebhook(header, body)
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInvalid {
			err = &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_webhook", Message: "the webhook could not be read", Err: err}
		}
		return err
	}
	if ev.ID == "" {
		return apperr.Invalid("invalid_webhook", "the webhook has no event ID")
	}
	now := s.now()
	var paymentID id.Payment
	var m Mutation
	switch {
	case ev.Intent != nil:
		paymentID = s.resolve(ctx, gateway, id.Payment(ev.Intent.PaymentID), ev.Intent.ID)
		in := *ev.Intent
		if _, ok := gw.(FeeReader); ok && in.Status == IntentSucceeded && in.Fee.Amount == 0 && in.ID != "" {
			// The event lacks the gateway's fee; the intent read again has
			// it. If the read fails, the success is booked without a fee
			// rather than held back.
			if again, err := gw.Intent(ctx, in.ID); err == nil && again.Status == IntentSucceeded {
				in.Fee = again.Fee
			} else {
				s.log.WarnContext(ctx, "could not read the fee of a succeeded intent; booking it without one", "gateway", gateway, "intent", in.ID, "err", err)
			}
		}
		m = s.intentMutation(ctx, in)
	case ev.Refund != nil:
		paymentID = s.resolve(ctx, gateway, id.Payment(ev.Refund.PaymentID), ev.Refund.IntentID)
		gr := *ev.Refund
		m = func(p *Payment) ([]Event, error) {
			evs, err := p.ApplyRefund(id.Refund(gr.RefundID), gr, now)
			if apperr.Is(err, apperr.KindConflict) || apperr.Is(err, apperr.KindNotFound) {
				s.log.ErrorContext(ctx, "ignoring a refund report that does not fit the payment", "payment", p.ID, "refund", gr.RefundID, "err", err)
				return nil, ErrUnchanged
			}
			return evs, err
		}
	default:
		m = func(*Payment) ([]Event, error) { return nil, ErrUnchanged }
	}
	first, err := s.store.ApplyWebhook(ctx, gateway, ev.ID, paymentID, now, m)
	if err != nil {
		return fmt.Errorf("apply %s webhook %s: %w", gateway, ev.ID, err)
	}
	if !first {
		s.log.DebugContext(ctx, "duplicate webhook ignored", "gateway", gateway, "event", ev.ID)
	}
	return nil
}

// resolve finds the payment a webhook is about: by the metadata we gave the
// gateway, else by the intent. "" when unknown.
func (s *Service) resolve(ctx context.Context, gateway string, paymentID id.Payment, intentID string) id.Payment {
	if paymentID != "" {
		return paymentID
	}
	if intentID == "" {
		return ""
	}
	p, err := s.store.PaymentByIntent(ctx, gateway, intentID)
	if err != nil {
		return ""
	}
	return p.ID
}

// Reconcile drives every payment that has been open (or has had a refund
// pending) for longer than olderThan: the gateway is asked again (with the
// same idempotency key, so it is never charged twice) and its answer
// recorded. It returns how many payments it changed. Payments of a gateway
// that is no longer configured are left alone.
func (s *Service) Reconcile(ctx context.Context, olderThan time.Duration) (int, error) {
	const batch = 100
	stuck, err := s.store.Stuck(ctx, s.now().Add(-olderThan), batch)
	if err != nil {
		return 0, fmt.Errorf("find stuck payments: %w", err)
	}
	changed := 0
	var errs []error
	for _, p := range stuck {
		if ctx.Err() != nil {
			break
		}
		if _, ok := s.gws[p.Gateway]; !ok {
			continue
		}
		q, err := s.reconcile(ctx, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("reconcile %s: %w", p.ID, err))
			continue
		}
		if q.Version != p.Version {
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

func (s *Service) reconcile(ctx context.Context, p Payment) (Payment, error) {
	var err error
	switch {
	case p.Status == Pending && p.GatewayIntentID == "":
		var q Payment
		q, err = s.createIntent(ctx, p)
		if definite(err) { // recorded as failed
			return s.store.Payment(ctx, p.ID)
		}
		p = q
	case p.Status.Open():
		var in Intent
		var gw Gateway
		if gw, err = s.gatewayOf(p); err != nil {
			return Payment{}, err
		}
		if in, err = gw.Intent(ctx, p.GatewayIntentID); err == nil {
			p, err = s.applyIntent(ctx, p.ID, in)
		}
	}
	if err != nil {
		return Payment{}, err
	}
	for _, r := range p.Refunds {
		if r.Status != RefundPending {
			continue
		}
		q, err := s.completeRefund(ctx, p, r)
		switch {
		case err == nil:
			p = q
		case definite(err): // recorded as failed
			if p, err = s.store.Payment(ctx, p.ID); err != nil {
				return Payment{}, err
			}
		default:
			return Payment{}, err
		}
	}
	return p, nil
}

// RunReconciler calls Reconcile every interval (for payments open longer
// than every) until ctx ends, logging failures.
func (s *Service) RunReconciler(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.Reconcile(ctx, every)
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "payment reconciliation", "err", err)
		}
		if n > 0 {
			s.log.InfoContext(ctx, "payments reconciled", "changed", n)
		}
	}
}

// Gateways are the names of the configured gateways; each one's webhooks
// arrive at POST /api/v1/payment/webhook/<name>.
func (s *Service) Gateways() []string {
	names := make([]string, 0, len(s.gws))
	for n := range s.gws {
		if n != CODGateway { // cash has no webhooks
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// Jobs are the module's background jobs: the reconciler that asks the
// gateway about payments open for over a minute, in one process at a time.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "payment.reconciler", Singleton: true, Run: func(ctx context.Context) { s.RunReconciler(ctx, time.Minute) }}}
}
