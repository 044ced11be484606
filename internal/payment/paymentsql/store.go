// Package paymentsql is the payment Store on database/sql, for SQLite and
// PostgreSQL.
package paymentsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the payment tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "payment", sub)
}

// Store is the payment store.
type Store struct{ db *sqldb.DB }

var _ payment.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate; the event outbox too).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// errStale means the payment changed between read and write; the whole
// transaction is run again.
var errStale = errors.New("payment changed concurrently")

const retries = 10

// retry runs fn in a transaction until it does not fail with errStale or a
// unique violation from a concurrent insert (PostgreSQL; SQLite has one
// writer).
func (s *Store) retry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range retries {
		err = s.db.Tx(ctx, fn)
		if !errors.Is(err, errStale) && !(sqldb.IsUniqueViolation(err) && apperr.KindOf(err) == apperr.KindInternal) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

const paymentCols = `id, order_id, customer_id, attempt, idempotency_key, amount, currency, method, gateway,
	gateway_intent_id, status, failure_code, failure_message, next_action, captured, refunded, version, created_at, updated_at,
	manual_capture`

func scanPayment(row interface{ Scan(...any) error }) (payment.Payment, error) {
	var p payment.Payment
	var amount, captured, refunded, created, updated int64
	var currency, status, action string
	if err := row.Scan(&p.ID, &p.OrderID, &p.CustomerID, &p.Attempt, &p.IdempotencyKey, &amount, &currency, &p.Method, &p.Gateway,
		&p.GatewayIntentID, &status, &p.FailureCode, &p.FailureMessage, &action, &captured, &refunded, &p.Version, &created, &updated,
		&p.ManualCapture); err != nil {
		return p, err
	}
	p.Amount, p.Captured, p.Refunded = money.New(amount, currency), money.New(captured, currency), money.New(refunded, currency)
	p.Status, p.CreatedAt, p.UpdatedAt = payment.Status(status), sqldb.Time(created), sqldb.Time(updated)
	if action != "" {
		p.NextAction = new(payment.NextAction)
		if err := json.Unmarshal([]byte(action), p.NextAction); err != nil {
			return p, fmt.Errorf("payment %s next_action: %w", p.ID, err)
		}
	}
	return p, nil
}

const refundCols = `id, payment_id, amount, currency, reason, status, by_user, gateway_refund_id, failure_code, created_at, updated_at, origin, seller_order_id`

func refunds(ctx context.Context, q querier, paymentID id.Payment) ([]payment.Refund, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+refundCols+` FROM payment_refunds WHERE payment_id = $1 ORDER BY created_at, id`, paymentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []payment.Refund{}
	for rows.Next() {
		var r payment.Refund
		var amount, created, updated int64
		var currency, status, origin string
		if err := rows.Scan(&r.ID, &r.PaymentID, &amount, &currency, &r.Reason, &status, &r.By, &r.GatewayRefundID, &r.FailureCode, &created, &updated,
			&origin, &r.SellerOrderID); err != nil {
			return nil, err
		}
		r.Amount, r.Status, r.CreatedAt, r.UpdatedAt = money.New(amount, currency), payment.RefundStatus(status), sqldb.Time(created), sqldb.Time(updated)
		r.Origin = payment.RefundOrigin(origin)
		out = append(out, r)
	}
	return out, rows.Err()
}

func get(ctx context.Context, q querier, where string, args ...any) (payment.Payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payment_payments WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("payment not found")
	}
	if err != nil {
		return p, fmt.Errorf("read payment: %w", err)
	}
	if p.Refunds, err = refunds(ctx, q, p.ID); err != nil {
		return p, fmt.Errorf("read refunds of %s: %w", p.ID, err)
	}
	return p, nil
}

// Payment returns a payment with its refunds.
func (s *Store) Payment(ctx context.Context, id id.Payment) (payment.Payment, error) {
	p, err := get(ctx, s.db.Read(), `id = $1`, id)
	if apperr.Is(err, apperr.KindNotFound) {
		return p, apperr.NotFound("payment %s not found", id)
	}
	return p, err
}

// PaymentByIntent finds a payment by its gateway intent.
func (s *Store) PaymentByIntent(ctx context.Context, gateway, intentID string) (payment.Payment, error) {
	if intentID == "" {
		return payment.Payment{}, apperr.NotFound("payment not found")
	}
	return get(ctx, s.db.Read(), `gateway = $1 AND gateway_intent_id = $2`, gateway, intentID)
}

// OrderPayments lists an order's payments, first attempt first.
func (s *Store) OrderPayments(ctx context.Context, orderID id.Order) ([]payment.Payment, error) {
	return list(ctx, s.db.Read(), `SELECT id FROM payment_payments WHERE order_id = $1 ORDER BY attempt`, orderID)
}

// Stuck lists open payments and payments with a pending refund last
// updated before before.
func (s *Store) Stuck(ctx context.Context, before time.Time, limit int) ([]payment.Payment, error) {
	return list(ctx, s.db.Read(), `SELECT id FROM payment_payments
		WHERE (status IN ('pending', 'processing') AND updated_at < $1)
		   OR id IN (SELECT payment_id FROM payment_refunds WHERE status = 'pending' AND updated_at < $1)
		ORDER BY updated_at, id LIMIT $2`, sqldb.Micros(before), limit)
}

func list(ctx context.Context, q querier, query string, args ...any) ([]payment.Payment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list payments: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	out := make([]payment.Payment, 0, len(ids))
	for _, id := range ids {
		p, err := get(ctx, q, `id = $1`, id)
		if apperr.Is(err, apperr.KindNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// StartAttempt begins a payment attempt for p.OrderID, or returns the open one.
func (s *Store) StartAttempt(ctx context.Context, p payment.Payment) (payment.Payment, bool, error) {
	var out payment.Payment
	var created bool
	err := s.retry(ctx, func(tx *sql.Tx) error {
		created = false
		rows, err := tx.QueryContext(ctx, `SELECT id, status, attempt FROM payment_payments WHERE order_id = $1`, p.OrderID)
		if err != nil {
			return err
		}
		last, open := 0, ""
		var paid bool
		for rows.Next() {
			var id, status string
			var attempt int
			if err := rows.Scan(&id, &status, &attempt); err != nil {
				rows.Close()
				return err
			}
			last = max(last, attempt)
			paid = paid || payment.Status(status).Captured() || payment.Status(status) == payment.Authorized
			if payment.Status(status).Open() {
				open = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case paid:
			return apperr.Conflict("already_paid", "order %s is paid already", p.OrderID)
		case open != "":
			out, err = get(ctx, tx, `id = $1`, open)
			return err
		}
		q := p
		q.Attempt = last + 1
		q.IdempotencyKey = payment.AttemptKey(p.OrderID, q.Attempt)
		q.Version = 1
		q.Refunds = []payment.Refund{}
		action, err := actionJSON(q.NextAction)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_payments (`+paymentCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			q.ID, q.OrderID, q.CustomerID, q.Attempt, q.IdempotencyKey, q.Amount.Amount, q.Amount.Currency, q.Method, q.Gateway,
			q.GatewayIntentID, string(q.Status), q.FailureCode, q.FailureMessage, action, q.Captured.Amount, q.Refunded.Amount,
			q.Version, sqldb.Micros(q.CreatedAt), sqldb.Micros(q.UpdatedAt), q.ManualCapture); err != nil {
			return err // a concurrent attempt: retried, and then found open
		}
		out, created = q, true
		return nil
	})
	if err != nil {
		return payment.Payment{}, false, err
	}
	return out, created, nil
}

// Update applies m to a payment in one transaction.
func (s *Store) Update(ctx context.Context, id id.Payment, m payment.Mutation) (payment.Payment, error) {
	var out payment.Payment
	err := s.retry(ctx, func(tx *sql.Tx) error {
		p, err := get(ctx, tx, `id = $1`, id)
		if apperr.Is(err, apperr.KindNotFound) {
			return apperr.NotFound("payment %s not found", id)
		}
		if err != nil {
			return err
		}
		out, err = apply(ctx, tx, p, m)
		return err
	})
	return out, err
}

// ApplyWebhook records a gateway event and applies m the first time.
func (s *Store) ApplyWebhook(ctx context.Context, gateway, eventID string, paymentID id.Payment, now time.Time, m payment.Mutation) (bool, error) {
	var first bool
	err := s.retry(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO payment_webhook_events (gateway, event_id, received_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, gateway, eventID, sqldb.Micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if first = n == 1; !first || paymentID == "" {
			return nil
		}
		p, err := get(ctx, tx, `id = $1`, paymentID)
		if apperr.Is(err, apperr.KindNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = apply(ctx, tx, p, m)
		return err
	})
	return first, err
}

// apply runs m on p and writes the change with a conditional UPDATE on the
// version read.
func apply(ctx context.Context, tx *sql.Tx, p payment.Payment, m payment.Mutation) (payment.Payment, error) {
	orig := p
	orig.Refunds = slices.Clone(p.Refunds)
	p.Refunds = slices.Clone(p.Refunds)
	evs, err := m(&p)
	if errors.Is(err, payment.ErrUnchanged) {
		return orig, nil
	}
	if err != nil {
		return payment.Payment{}, err
	}
	if p.ID != orig.ID || p.OrderID != orig.OrderID || p.Amount != orig.Amount {
		return payment.Payment{}, fmt.Errorf("payment %s: a mutation may not change its identity or amount", orig.ID)
	}
	action, err := actionJSON(p.NextAction)
	if err != nil {
		return payment.Payment{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE payment_payments SET gateway_intent_id = $1, status = $2, failure_code = $3,
		failure_message = $4, next_action = $5, captured = $6, refunded = $7, updated_at = $8, version = version + 1
		WHERE id = $9 AND version = $10`,
		p.GatewayIntentID, string(p.Status), p.FailureCode, p.FailureMessage, action, p.Captured.Amount, p.Refunded.Amount,
		sqldb.Micros(p.UpdatedAt), p.ID, orig.Version)
	if sqldb.IsUniqueViolation(err) {
		return payment.Payment{}, &apperr.Error{Kind: apperr.KindConflict, Code: "already_paid",
			Message: fmt.Sprintf("order %s has another payment in this state", p.OrderID), Err: err}
	}
	if err != nil {
		return payment.Payment{}, fmt.Errorf("update payment %s: %w", p.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return payment.Payment{}, err
	} else if n != 1 {
		return payment.Payment{}, errStale
	}
	p.Version = orig.Version + 1
	if err := writeRefunds(ctx, tx, orig.Refunds, p.Refunds); err != nil {
		return payment.Payment{}, err
	}
	for _, e := range evs {
		if err := event.PublishRaw(ctx, tx, e.Topic, string(p.OrderID), e.Payload); err != nil {
			return payment.Payment{}, err
		}
	}
	return p, nil
}

func writeRefunds(ctx context.Context, tx *sql.Tx, before, after []payment.Refund) error {
	old := make(map[id.Refund]payment.Refund, len(before))
	for _, r := range before {
		old[r.ID] = r
	}
	for _, r := range after {
		prev, ok := old[r.ID]
		switch {
		case !ok:
			if _, err := tx.ExecContext(ctx, `INSERT INTO payment_refunds (`+refundCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				r.ID, r.PaymentID, r.Amount.Amount, r.Amount.Currency, r.Reason, string(r.Status), r.By, r.GatewayRefundID,
				r.FailureCode, sqldb.Micros(r.CreatedAt), sqldb.Micros(r.UpdatedAt), string(r.Origin), r.SellerOrderID); err != nil {
				return fmt.Errorf("insert refund %s: %w", r.ID, err)
			}
		case prev != r:
			if prev.Amount != r.Amount || prev.PaymentID != r.PaymentID || prev.Origin != r.Origin || prev.SellerOrderID != r.SellerOrderID {
				return fmt.Errorf("refund %s: its amount, payment, origin and seller order cannot change", r.ID)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE payment_refunds SET status = $1, gateway_refund_id = $2, failure_code = $3,
				updated_at = $4 WHERE id = $5`,
				string(r.Status), r.GatewayRefundID, r.FailureCode, sqldb.Micros(r.UpdatedAt), r.ID); err != nil {
				return fmt.Errorf("update refund %s: %w", r.ID, err)
			}
		}
	}
	return nil
}

func actionJSON(a *payment.NextAction) (string, error) {
	if a == nil {
		return "", nil
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// CODRefusing returns those of sellers that switched cash on delivery off.
func (s *Store) CODRefusing(ctx context.Context, sellers []id.Seller) ([]id.Seller, error) {
	if len(sellers) == 0 {
		return nil, nil
	}
	marks := make([]string, len(sellers))
	args := make([]any, len(sellers))
	for i, sel := range sellers {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), string(sel)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT seller_id FROM payment_cod_off WHERE seller_id IN (`+strings.Join(marks, ",")+`) ORDER BY seller_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read sellers' cash on delivery: %w", err)
	}
	defer rows.Close()
	var out []id.Seller
	for rows.Next() {
		var sel string
		if err := rows.Scan(&sel); err != nil {
			return nil, fmt.Errorf("read sellers' cash on delivery: %w", err)
		}
		out = append(out, id.Seller(sel))
	}
	return out, rows.Err()
}

// SetCOD switches cash on delivery on (no row) or off (a row) for seller.
func (s *Store) SetCOD(ctx context.Context, seller id.Seller, enabled bool, now time.Time) error {
	var err error
	if enabled {
		_, err = s.db.Exec(ctx, `DELETE FROM payment_cod_off WHERE seller_id = $1`, string(seller))
	} else {
		_, err = s.db.Exec(ctx, `INSERT INTO payment_cod_off (seller_id, updated_at) VALUES ($1, $2)
			ON CONFLICT (seller_id) DO UPDATE SET updated_at = excluded.updated_at`, string(seller), sqldb.Micros(now))
	}
	if err != nil {
		return fmt.Errorf("set cash on delivery of %s: %w", seller, err)
	}
	return nil
}
