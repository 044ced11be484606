package testgateway

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/bazaar-market/bazaar/internal/unit"
	"net/http"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// envelope is a webhook body, shaped like Stripe's events.
type envelope struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object object `json:"object"`
	} `json:"data"`
}

// object is a payment intent or a refund.
type object struct {
	Object        string            `json:"object"` // "payment_intent" or "refund"
	ID            string            `json:"id"`
	Status        string            `json:"status"`
	Amount        int64             `json:"amount"`
	Received      int64             `json:"amount_received,omitempty"`
	Currency      string            `json:"currency"`
	PaymentIntent string            `json:"payment_intent,omitempty"`
	LastError     *lastError        `json:"last_payment_error,omitempty"`
	Metadata      map[string]string `json:"metadata"`
}

type lastError struct {
	DeclineCode string `json:"decline_code"`
	Message     string `json:"message"`
}

func intentObject(it intent) object {
	o := object{Object: "payment_intent", ID: it.ID, Status: it.Status, Amount: it.Amount.Amount, Currency: it.Amount.Currency,
		Metadata: map[string]string{"payment_id": it.PaymentID, "order_id": it.OrderID}}
	if it.Status == string(payment.IntentSucceeded) {
		o.Received = it.received().Amount
	}
	if it.Code != "" {
		o.LastError = &lastError{DeclineCode: it.Code, Message: it.Message}
	}
	return o
}

func refundObject(r refund) object {
	return object{Object: "refund", ID: r.ID, Status: r.Status, Amount: r.Amount.Amount, Currency: r.Amount.Currency,
		PaymentIntent: r.IntentID, Metadata: map[string]string{"payment_id": r.PaymentID, "refund_id": r.RefundID}}
}

// enqueue queues a webhook in tx; it is signed when sent.
func (g *Gateway) enqueue(ctx context.Context, tx *sql.Tx, typ string, obj object, now time.Time) error {
	var e envelope
	e.ID, e.Type, e.Created, e.Data.Object = id.New("evt"), typ, now.Unix(), obj
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO payment_testgw_webhooks (id, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)`,
		e.ID, string(b), sqldb.Micros(now))
	return err
}

// Sign returns the signature header for body at the current time, as the
// gateway sends it (for tests that forge or replay webhooks).
func (g *Gateway) Sign(body []byte) http.Header {
	h := http.Header{}
	h.Set(payment.SignatureHeader, payment.Sign(body, g.now(), g.secrets...))
	h.Set("Content-Type", "application/json")
	return h
}

// VerifyWebhook checks the Bazaar-Signature header (any current secret, 5
// minutes' tolerance) and parses the event.
func (g *Gateway) VerifyWebhook(header payment.Header, body []byte) (payment.WebhookEvent, error) {
	if err := payment.VerifySignature(header.Get(payment.SignatureHeader), body, g.now(), payment.SignatureTolerance, g.secrets...); err != nil {
		return payment.WebhookEvent{}, err
	}
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" {
		return payment.WebhookEvent{}, apperr.Invalid("invalid_webhook", "the webhook body is not a gateway event")
	}
	o := e.Data.Object
	ev := payment.WebhookEvent{ID: e.ID, Type: e.Type}
	amount := money.New(o.Amount, o.Currency)
	switch o.Object {
	case "payment_intent":
		in := &payment.Intent{ID: o.ID, Status: payment.IntentStatus(o.Status), Amount: amount,
			PaymentID: o.Metadata["payment_id"], OrderID: o.Metadata["order_id"]}
		if o.LastError != nil {
			in.FailureCode, in.FailureMessage = o.LastError.DeclineCode, o.LastError.Message
		}
		if in.Status == payment.IntentSucceeded {
			if o.Received > 0 {
				in.Amount = money.New(o.Received, o.Currency)
			}
			in.Fee = Fee(in.Amount)
		}
		ev.Intent = in
	case "refund":
		ev.Refund = &payment.GatewayRefund{ID: o.ID, IntentID: o.PaymentIntent, Amount: amount, Status: payment.RefundStatus(o.Status),
			PaymentID: o.Metadata["payment_id"], RefundID: o.Metadata["refund_id"]}
	}
	return ev, nil
}

// Kick wakes Run to settle and deliver now.
func (g *Gateway) Kick() {
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// Run settles due intents and delivers webhooks until ctx ends.
func (g *Gateway) Run(ctx context.Context) {
	t := time.NewTicker(g.poll)
	defer t.Stop()
	for {
		if _, err := g.Flush(ctx); err != nil && ctx.Err() == nil {
			g.log.Warn("test gateway", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-g.kick:
		case <-t.C:
		}
	}
}

// Flush settles every intent that is due and tries once to deliver every
// webhook that is due. It returns how many webhooks were delivered.
func (g *Gateway) Flush(ctx context.Context) (int, error) {
	g.flushMu.Lock()
	defer g.flushMu.Unlock()
	now := sqldb.Micros(g.now())
	due, err := ids(ctx, g.db.Read(), `SELECT id FROM payment_testgw_intents WHERE status = 'processing' AND settle_at <= $1 ORDER BY settle_at, id`, now)
	if err != nil {
		return 0, fmt.Errorf("test gateway: due intents: %w", err)
	}
	for _, id := range due {
		if err := g.settle(ctx, id); err != nil {
			return 0, err
		}
	}
	if g.deliver == nil {
		return 0, nil
	}
	rows, err := g.db.Read().QueryContext(ctx, `SELECT id, body, attempts FROM payment_testgw_webhooks
		WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY created_at, id LIMIT 100`, sqldb.Micros(g.now()))
	if err != nil {
		return 0, fmt.Errorf("test gateway: pending webhooks: %w", err)
	}
	type hook struct {
		id, body string
		attempts int
	}
	var hooks []hook
	for rows.Next() {
		var h hook
		if err := rows.Scan(&h.id, &h.body, &h.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		hooks = append(hooks, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	delivered := 0
	for _, h := range hooks {
		if ctx.Err() != nil {
			break
		}
		body := []byte(h.body)
		if err := g.deliver(ctx, g.Sign(body), body); err != nil {
			backoff := min(time.Duration(1<<min(h.attempts, 10))*500*time.Millisecond, 5*time.Minute)
			g.log.Warn("test gateway: webhook not delivered; will retry", "event", h.id, "attempt", h.attempts+1, "retry_in", backoff, "err", err)
			if _, err := g.db.Exec(ctx, `UPDATE payment_testgw_webhooks SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2`,
				sqldb.Micros(g.now().Add(backoff)), h.id); err != nil {
				return delivered, err
			}
			continue
		}
		if _, err := g.db.Exec(ctx, `UPDATE payment_testgw_webhooks SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2`,
			sqldb.Micros(g.now()), h.id); err != nil {
			return delivered, err
		}
		delivered++
	}
	return delivered, nil
}

func ids(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Jobs are the gateway's background jobs: settling intents and sending
// their webhooks, in one process at a time.
func (g *Gateway) Jobs() []unit.Job {
	return []unit.Job{{Name: "testgateway.deliver", Singleton: true, Run: g.Run}}
}
