// Package testgateway is Bazaar's built-in payment gateway, the default: it
// behaves like Stripe's test mode, so the whole payment flow runs with no
// account anywhere.
//
// Test tokens (the payment method):
//
//	tok_visa, tok_mastercard, tok_amex   succeed
//	tok_chargeDeclined                   declined: generic_decline
//	tok_insufficientFunds                declined: insufficient_funds
//	tok_expiredCard                      declined: expired_card
//	tok_processing                       stays processing, succeeds after ProcessingDelay
//
// It plays an external system: it keeps its own tables (payment_testgw_*),
// so it survives restarts, honours idempotency keys (the same key always
// gives the same intent and never a second charge), and reports every
// outcome only by signed webhook, handed to Options.Deliver (the server
// wires it to POST /api/v1/payment/webhook/test in process) and retried
// until delivered. An intent is created "processing"; Run (or Flush)
// settles it when due and sends the webhook; reading an intent settles it
// too, as a real gateway would have by then. Card numbers are refused
// without being logged or stored.
//
// Tables: payment_testgw_intents, payment_testgw_refunds,
// payment_testgw_webhooks (its outgoing webhook queue).
package testgateway

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Name is the gateway's name.
const Name = "test"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the gateway's tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "payment_testgw", sub)
}

// Deliver sends one signed webhook to Bazaar. An error (or a non-2xx answer)
// means it was not taken, and it is sent again later.
type Deliver func(ctx context.Context, header http.Header, body []byte) error

// Options configures the gateway. The zero value is usable, but without
// Deliver no webhook is ever sent.
type Options struct {
	// Secrets sign webhooks, each adding a v1 signature (several while a
	// secret rotates). Empty: one random secret for this process.
	Secrets         [][]byte
	Deliver         Deliver
	ProcessingDelay time.Duration    // how long tok_processing stays processing; 3 s when 0
	PollInterval    time.Duration    // how often Run looks for due work; 250 ms when 0
	Now             func() time.Time // clock; time.Now when nil
	Logger          *slog.Logger
}

// Gateway is the test gateway. It implements payment.Gateway,
// payment.MethodValidator, payment.Capturer and payment.Voider (manual
// capture).
type Gateway struct {
	db      *sqldb.DB
	secrets [][]byte
	deliver Deliver
	delay   time.Duration
	poll    time.Duration
	now     func() time.Time
	log     *slog.Logger
	kick    chan struct{}
	flushMu sync.Mutex
}

var (
	_ payment.Gateway         = (*Gateway)(nil)
	_ payment.MethodValidator = (*Gateway)(nil)
	_ payment.Capturer        = (*Gateway)(nil)
	_ payment.Voider          = (*Gateway)(nil)
)

// New returns the gateway on db (migrated with Migrate).
func New(db *sqldb.DB, opts Options) *Gateway {
	g := &Gateway{db: db, secrets: opts.Secrets, deliver: opts.Deliver, delay: opts.ProcessingDelay,
		poll: opts.PollInterval, now: opts.Now, log: opts.Logger, kick: make(chan struct{}, 1)}
	if len(g.secrets) == 0 {
		s := make([]byte, 32)
		_, _ = rand.Read(s)
		g.secrets = [][]byte{s}
	}
	if g.delay <= 0 {
		g.delay = 3 * time.Second
	}
	if g.poll <= 0 {
		g.poll = 250 * time.Millisecond
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	return g
}

// Name is "test".
func (g *Gateway) Name() string { return Name }

type outcome struct {
	status    payment.IntentStatus // final status
	code, msg string
	delayed   bool
}

var tokens = map[string]outcome{
	"tok_visa":              {status: payment.IntentSucceeded},
	"tok_mastercard":        {status: payment.IntentSucceeded},
	"tok_amex":              {status: payment.IntentSucceeded},
	"tok_chargeDeclined":    {status: payment.IntentRequiresPaymentMethod, code: "generic_decline", msg: "Your card was declined."},
	"tok_insufficientFunds": {status: payment.IntentRequiresPaymentMethod, code: "insufficient_funds", msg: "Your card has insufficient funds."},
	"tok_expiredCard":       {status: payment.IntentRequiresPaymentMethod, code: "expired_card", msg: "Your card has expired."},
	"tok_processing":        {status: payment.IntentSucceeded, delayed: true},
}

// ValidateMethod accepts the test tokens only. Card numbers are refused
// without being repeated.
func (g *Gateway) ValidateMethod(method string) error {
	if payment.LooksLikeCardNumber(method) {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "method",
			Message: "card numbers are not accepted; send a payment method token from the gateway"})
	}
	if _, ok := tokens[method]; !ok {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "method",
			Message: "is not a test gateway token; use tok_visa, tok_mastercard, tok_amex, tok_chargeDeclined, tok_insufficientFunds, tok_expiredCard or tok_processing"})
	}
	return nil
}

// intent is a stored intent.
type intent struct {
	ID, Key, Method, Status, Code, Message, PaymentID, OrderID string
	Amount                                                     money.Money
	Refunded                                                   int64
	SettleAt                                                   int64
	Manual                                                     bool  // authorised only: captured by Capture
	Received                                                   int64 // what a succeeded intent took
}

const intentCols = `id, idempotency_key, amount, currency, method, status, failure_code, failure_message, payment_id, order_id, refunded, settle_at,
	manual, received`

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

func getIntent(ctx context.Context, q querier, where string, arg any) (intent, error) {
	var it intent
	var amount int64
	var currency string
	err := q.QueryRowContext(ctx, `SELECT `+intentCols+` FROM payment_testgw_intents WHERE `+where, arg).Scan(
		&it.ID, &it.Key, &amount, &currency, &it.Method, &it.Status, &it.Code, &it.Message, &it.PaymentID, &it.OrderID, &it.Refunded, &it.SettleAt,
		&it.Manual, &it.Received)
	it.Amount = money.New(amount, currency)
	return it, err
}

func (it intent) view() payment.Intent {
	in := payment.Intent{ID: it.ID, Status: payment.IntentStatus(it.Status), Amount: it.Amount,
		FailureCode: it.Code, FailureMessage: it.Message, PaymentID: it.PaymentID, OrderID: it.OrderID}
	if in.Status == payment.IntentSucceeded {
		in.Amount = it.received()
		in.Fee = Fee(in.Amount)
	}
	return in
}

// received is what a succeeded intent took: all of it, unless a capture
// took less.
func (it intent) received() money.Money {
	if it.Received > 0 {
		return money.New(it.Received, it.Amount.Currency)
	}
	return it.Amount
}

// Fee is what the test gateway charges for a payment, as card gateways do:
// 2.9 % of the amount (rounded half up) plus 30 minor units.
func Fee(amount money.Money) money.Money {
	return money.New((amount.Amount*29+500)/1000+30, amount.Currency)
}

// CreateIntent creates a processing intent (or returns the one made with
// the same key) whose outcome arrives by webhook.
func (g *Gateway) CreateIntent(ctx context.Context, in payment.IntentParams) (payment.Intent, error) {
	if err := g.ValidateMethod(in.Method); err != nil {
		return payment.Intent{}, err
	}
	var f apperr.Fields
	f.Check(in.IdempotencyKey != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return payment.Intent{}, err
	}
	o := tokens[in.Method]
	var out intent
	err := g.db.Tx(ctx, func(tx *sql.Tx) error {
		it, err := getIntent(ctx, tx, `idempotency_key = $1`, in.IdempotencyKey)
		if err == nil {
			if it.Amount != in.Amount || it.Method != in.Method || it.PaymentID != in.PaymentID || it.Manual != in.ManualCapture {
				return apperr.Unprocessable("idempotency_key_reused", "this idempotency key was used with different parameters")
			}
			out = it
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := g.now()
		settle := now
		if o.delayed {
			settle = now.Add(g.delay)
		}
		out = intent{ID: id.New("pi"), Key: in.IdempotencyKey, Method: in.Method, Status: string(payment.IntentProcessing),
			PaymentID: in.PaymentID, OrderID: in.OrderID, Amount: in.Amount, SettleAt: sqldb.Micros(settle), Manual: in.ManualCapture}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_testgw_intents (`+intentCols+`, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, '', '', $7, $8, 0, $9, $11, 0, $10, $10)`,
			out.ID, out.Key, out.Amount.Amount, out.Amount.Currency, out.Method, out.Status, out.PaymentID, out.OrderID,
			out.SettleAt, sqldb.Micros(now), out.Manual); err != nil {
			return err
		}
		if o.delayed {
			return g.enqueue(ctx, tx, "payment_intent.processing", intentObject(out), now)
		}
		return nil
	})
	if sqldb.IsUniqueViolation(err) { // a concurrent request with the same key won
		it, gerr := getIntent(ctx, g.db.Read(), `idempotency_key = $1`, in.IdempotencyKey)
		if gerr == nil && it.Amount == in.Amount && it.Method == in.Method {
			return it.view(), nil
		}
	}
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInternal {
			return payment.Intent{}, err
		}
		return payment.Intent{}, fmt.Errorf("test gateway: create intent: %w", err)
	}
	g.Kick()
	return out.view(), nil
}

// Intent reads an intent, settling it first if it is due.
func (g *Gateway) Intent(ctx context.Context, intentID string) (payment.Intent, error) {
	it, err := getIntent(ctx, g.db.Read(), `id = $1`, intentID)
	if errors.Is(err, sql.ErrNoRows) {
		return payment.Intent{}, apperr.Invalid("resource_missing", fmt.Sprintf("no such payment intent: %s", intentID))
	}
	if err != nil {
		return payment.Intent{}, fmt.Errorf("test gateway: read intent: %w", err)
	}
	if it.Status == string(payment.IntentProcessing) && it.SettleAt <= sqldb.Micros(g.now()) {
		if err := g.settle(ctx, it.ID); err != nil {
			return payment.Intent{}, err
		}
		if it, err = getIntent(ctx, g.db.Read(), `id = $1`, intentID); err != nil {
			return payment.Intent{}, fmt.Errorf("test gateway: read intent: %w", err)
		}
	}
	return it.view(), nil
}

// settle gives a processing intent its outcome and queues the webhook.
func (g *Gateway) settle(ctx context.Context, intentID string) error {
	settled := false
	err := g.db.Tx(ctx, func(tx *sql.Tx) error {
		settled = false
		it, err := getIntent(ctx, tx, `id = $1`, intentID)
		if err != nil {
			return err
		}
		if it.Status != string(payment.IntentProcessing) {
			return nil
		}
		o := tokens[it.Method]
		if o.status == payment.IntentSucceeded && it.Manual {
			o.status = payment.IntentRequiresCapture // authorised; Capture takes it
		}
		now := g.now()
		res, err := tx.ExecContext(ctx, `UPDATE payment_testgw_intents SET status = $1, failure_code = $2, failure_message = $3, updated_at = $4
			WHERE id = $5 AND status = $6`, string(o.status), o.code, o.msg, sqldb.Micros(now), it.ID, it.Status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		it.Status, it.Code, it.Message = string(o.status), o.code, o.msg
		typ := "payment_intent.succeeded"
		switch o.status {
		case payment.IntentRequiresCapture:
			typ = "payment_intent.amount_capturable_updated"
		case payment.IntentRequiresPaymentMethod:
			typ = "payment_intent.payment_failed"
		}
		settled = true
		return g.enqueue(ctx, tx, typ, intentObject(it), now)
	})
	if err != nil {
		return fmt.Errorf("test gateway: settle %s: %w", intentID, err)
	}
	if settled {
		g.Kick()
	}
	return nil
}

// Capture captures an intent authorised with ManualCapture (status
// requires_capture) for in.Amount, at most what was authorised (zero: all
// of it), and reports it by webhook. Capturing a captured intent again
// answers it as it is (the capture is idempotent); capturing one that is
// not authorised is Unprocessable "payment_intent_unexpected_state".
func (g *Gateway) Capture(ctx context.Context, in payment.CaptureParams) (payment.Intent, error) {
	if in.IntentID == "" || in.IdempotencyKey == "" || in.Amount.Amount < 0 {
		return payment.Intent{}, apperr.Invalid("validation_failed", "a capture needs an intent, an idempotency key and an amount of 0 or more")
	}
	return g.transition(ctx, in.IntentID, func(it *intent) (string, error) {
		switch it.Status {
		case string(payment.IntentSucceeded):
			return "", nil
		case string(payment.IntentRequiresCapture):
		default:
			return "", apperr.Unprocessable("payment_intent_unexpected_state", "payment intent %s is %s and cannot be captured", it.ID, it.Status)
		}
		amount := it.Amount.Amount
		if in.Amount.Amount > 0 {
			if in.Amount.Currency != it.Amount.Currency || in.Amount.Amount > amount {
				return "", apperr.Unprocessable("amount_too_large", "cannot capture %v of %v authorised", in.Amount, it.Amount)
			}
			amount = in.Amount.Amount
		}
		it.Status, it.Received = string(payment.IntentSucceeded), amount
		return "payment_intent.succeeded", nil
	})
}

// Void cancels an authorised intent (nothing is taken) and reports it by
// webhook; voiding a cancelled one answers it as it is.
func (g *Gateway) Void(ctx context.Context, intentID, idempotencyKey string) (payment.Intent, error) {
	return g.transition(ctx, intentID, func(it *intent) (string, error) {
		switch it.Status {
		case string(payment.IntentCanceled):
			return "", nil
		case string(payment.IntentRequiresCapture), string(payment.IntentProcessing):
		default:
			return "", apperr.Unprocessable("payment_intent_unexpected_state", "payment intent %s is %s and cannot be cancelled", it.ID, it.Status)
		}
		it.Status, it.Code, it.Message = string(payment.IntentCanceled), "canceled", "The authorisation was cancelled."
		return "payment_intent.canceled", nil
	})
}

// transition applies change to an intent in one transaction and queues
// the webhook it names ("" changes nothing).
func (g *Gateway) transition(ctx context.Context, intentID string, change func(it *intent) (string, error)) (payment.Intent, error) {
	var out intent
	sent := false
	err := g.db.Tx(ctx, func(tx *sql.Tx) error {
		it, err := getIntent(ctx, tx, `id = $1`, intentID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("resource_missing", fmt.Sprintf("no such payment intent: %s", intentID))
		}
		if err != nil {
			return err
		}
		before := it.Status
		typ, err := change(&it)
		if err != nil || typ == "" {
			out = it
			return err
		}
		now := g.now()
		res, err := tx.ExecContext(ctx, `UPDATE payment_testgw_intents SET status = $1, received = $2, failure_code = $3, failure_message = $4,
			updated_at = $5 WHERE id = $6 AND status = $7`, it.Status, it.Received, it.Code, it.Message, sqldb.Micros(now), it.ID, before)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("intent %s changed meanwhile", it.ID)
		}
		out, sent = it, true
		return g.enqueue(ctx, tx, typ, intentObject(it), now)
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInternal {
			return payment.Intent{}, err
		}
		return payment.Intent{}, fmt.Errorf("test gateway: %s: %w", intentID, err)
	}
	if sent {
		g.Kick()
	}
	return out.view(), nil
}

// Refund refunds part of a succeeded intent, once per idempotency key.
func (g *Gateway) Refund(ctx context.Context, in payment.RefundParams) (payment.GatewayRefund, error) {
	if in.IdempotencyKey == "" || in.Amount.Amount <= 0 {
		return payment.GatewayRefund{}, apperr.Invalid("validation_failed", "a refund needs an idempotency key and a positive amount")
	}
	var out payment.GatewayRefund
	err := g.db.Tx(ctx, func(tx *sql.Tx) error {
		var r refund
		var amount int64
		var currency string
		err := tx.QueryRowContext(ctx, `SELECT id, intent_id, amount, currency, status, payment_id, refund_id FROM payment_testgw_refunds
			WHERE idempotency_key = $1`, in.IdempotencyKey).Scan(&r.ID, &r.IntentID, &amount, &currency, &r.Status, &r.PaymentID, &r.RefundID)
		if err == nil {
			r.Amount = money.New(amount, currency)
			if r.Amount != in.Amount || r.IntentID != in.IntentID {
				return apperr.Unprocessable("idempotency_key_reused", "this idempotency key was used with different parameters")
			}
			out = r.view()
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		it, err := getIntent(ctx, tx, `id = $1`, in.IntentID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("resource_missing", fmt.Sprintf("no such payment intent: %s", in.IntentID))
		}
		if err != nil {
			return err
		}
		switch {
		case it.Status != string(payment.IntentSucceeded):
			return apperr.Unprocessable("charge_not_captured", "payment intent %s has not succeeded", it.ID)
		case in.Amount.Currency != it.Amount.Currency:
			return apperr.Unprocessable("currency_mismatch", "the refund must be in %s", it.Amount.Currency)
		case it.Refunded+in.Amount.Amount > it.received().Amount:
			return apperr.Unprocessable("amount_too_large", "refund of %v exceeds what is left of %v", in.Amount, it.received())
		}
		now := g.now()
		r = refund{ID: id.New("re"), IntentID: it.ID, Amount: in.Amount, Status: string(payment.RefundSucceeded),
			PaymentID: in.PaymentID, RefundID: in.RefundID}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_testgw_refunds
			(id, intent_id, idempotency_key, amount, currency, status, payment_id, refund_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.IntentID, in.IdempotencyKey, r.Amount.Amount, r.Amount.Currency, r.Status, r.PaymentID, r.RefundID, sqldb.Micros(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_testgw_intents SET refunded = refunded + $1, updated_at = $2 WHERE id = $3`,
			r.Amount.Amount, sqldb.Micros(now), it.ID); err != nil {
			return err
		}
		out = r.view()
		return g.enqueue(ctx, tx, "refund.updated", refundObject(r), now)
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInternal {
			return payment.GatewayRefund{}, err
		}
		return payment.GatewayRefund{}, fmt.Errorf("test gateway: refund: %w", err)
	}
	g.Kick()
	return out, nil
}

type refund struct {
	ID, IntentID, Status, PaymentID, RefundID string
	Amount                                    money.Money
}

func (r refund) view() payment.GatewayRefund {
	return payment.GatewayRefund{ID: r.ID, IntentID: r.IntentID, Amount: r.Amount, Status: payment.RefundStatus(r.Status),
		PaymentID: r.PaymentID, RefundID: r.RefundID}
}
