// Package ordersql is the order Store on database/sql, for SQLite and
// PostgreSQL. Its transactions hold the order module's tables and its
// outbox only; ApplyOnce records the events the module's consumers applied
// in the same transaction as their effect.
package ordersql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the order tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "order", sub)
}

// Store is the order store. A Store made by ApplyOnce is bound to its
// transaction: its writes join it and its reads see them.
type Store struct {
	db *sqldb.DB
	tx *sql.Tx // nil unless bound
}

var _ order.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

// read returns the bound transaction, or the read pool.
func (s *Store) read() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.Read()
}

// inTx runs fn in the bound transaction, or in a new one.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.Tx(ctx, fn)
}

// ApplyOnce records eventID as applied by consumer and runs fn with a Store
// bound to the same transaction, unless the event was applied before.
func (s *Store) ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(ctx context.Context, st order.Store) error) (bool, error) {
	return event.ApplyOnceIn(ctx, s.inTx, consumer, eventID, func(tx *sql.Tx) error {
		return fn(ctx, &Store{db: s.db, tx: tx})
	})
}

// StartPlacement records a placement, or finds the earlier one with the
// same customer and key.
func (s *Store) StartPlacement(ctx context.Context, customerID id.User, key string, orderID id.Order, now time.Time) (id.Order, time.Time, error) {
	got, started := orderID, micros(now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// ON CONFLICT covers the (customer, key) index: a retry keeps the
		// first attempt's order ID.
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_placements (order_id, customer_id, request_key, started_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, orderID, customerID, key, micros(now)); err != nil {
			return fmt.Errorf("start placing order %s: %w", orderID, err)
		}
		if key == "" {
			return nil
		}
		return tx.QueryRowContext(ctx, `SELECT order_id, started_at FROM order_placements WHERE customer_id = $1 AND request_key = $2`,
			customerID, key).Scan(&got, &started)
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if got == orderID {
		return got, now, nil
	}
	return got, sqldb.Time(started), nil
}

// DropPlacement ends a placement that did not become an order.
func (s *Store) DropPlacement(ctx context.Context, orderID id.Order) (bool, error) {
	var dropped bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM order_placements WHERE order_id = $1`, orderID)
		if err != nil {
			return fmt.Errorf("drop placement of %s: %w", orderID, err)
		}
		n, err := res.RowsAffected()
		dropped = n == 1
		return err
	})
	return dropped, err
}

// StalePlacements lists placements started before before.
func (s *Store) StalePlacements(ctx context.Context, before time.Time, limit int) ([]id.Order, error) {
	return column[id.Order](ctx, s.read(), `SELECT order_id FROM order_placements WHERE started_at < $1
		ORDER BY started_at, order_id LIMIT $2`, micros(before), limit)
}

// Create writes a new order, ends its placement and publishes events in one
// transaction.
func (s *Store) Create(ctx context.Context, o order.Order, events []order.Event) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insert(ctx, tx, o); err != nil {
			return err
		}
		// Ending the placement is the order's claim on its reservation: the
		// expirer drops a stale placement (and releases its stock) with the
		// same conditional DELETE, so exactly one of them wins.
		res, err := tx.ExecContext(ctx, `DELETE FROM order_placements WHERE order_id = $1`, o.ID)
		if err := one(res, err, string("placement of "+o.ID)); err != nil {
			if errors.Is(err, errChanged) {
				return apperr.New(apperr.KindUnavailable, "placement_expired", "placing the order took too long; try again")
			}
			return err
		}
		return publish(ctx, tx, o.ID, events)
	})
}

func insert(ctx context.Context, tx *sql.Tx, o order.Order) error {
	addr, err := json.Marshal(o.ShippingAddress)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_orders (id, customer_id, status, currency, subtotal, shipping, tax, total,
		refunded, shipping_address, reservation_expires_at, placed_at, paid_at, cancelled_at, cancel_reason, payment_id,
		payment_status, payment_at, payment_error_code, payment_error_message, version, updated_at, request_key, cash_on_delivery)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, $21, $22, $23)`,
		o.ID, o.CustomerID, string(o.Status), o.Currency, o.Subtotal.Amount, o.Shipping.Amount, o.Tax.Amount, o.Total.Amount,
		o.Refunded.Amount, string(addr), micros(o.ReservationExpiresAt), micros(o.PlacedAt), microsPtr(o.PaidAt),
		microsPtr(o.CancelledAt), o.CancelReason, o.PaymentID, o.PaymentStatus, micros(o.PaymentAt),
		errCode(o.LastPaymentError), errMessage(o.LastPaymentError), micros(o.UpdatedAt), o.RequestKey, o.CashOnDelivery); err != nil {
		if o.RequestKey != "" && sqldb.IsUniqueViolation(err) {
			return apperr.Conflict("request_key_used", "an order was already placed with this Idempotency-Key")
		}
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	for i, p := range o.SellerOrders {
		sh := p.Shipment
		if sh == nil {
			sh = &order.Shipment{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_seller_orders (id, order_id, seller_id, position, status, subtotal,
			shipping, tax, total, placed_at, cancel_reason, cancelled_at, shipped_at, delivered_at, shipment_id, shipment_status,
			tracking_id, updated_at, refunded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			$18, $19)`,
			p.ID, o.ID, p.SellerID, i, string(p.Status), p.Subtotal.Amount, p.Shipping.Amount, p.Tax.Amount, p.Total.Amount,
			micros(o.PlacedAt), p.CancelReason, microsPtr(p.CancelledAt), microsPtr(p.ShippedAt), microsPtr(p.DeliveredAt),
			sh.ID, sh.Status, sh.TrackingID, micros(p.UpdatedAt), p.Refunded.Amount); err != nil {
			return fmt.Errorf("insert seller order %s: %w", p.ID, err)
		}
		for j, l := range p.Lines {
			opts, err := json.Marshal(l.Options)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines (id, order_id, seller_order_id, position, sku, product_id,
				title, options, quantity, unit_price, line_total, returned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				l.ID, o.ID, p.ID, j, l.SKU, l.ProductID, l.Title, string(opts), l.Quantity, l.UnitPrice.Amount,
				l.LineTotal.Amount, l.Returned); err != nil {
				return fmt.Errorf("insert order line %s: %w", l.SKU, err)
			}
		}
	}
	return nil
}

func publish(ctx context.Context, tx *sql.Tx, orderID id.Order, events []order.Event) error {
	for _, e := range events {
		if err := event.PublishRaw(ctx, tx, e.Topic, string(orderID), e.Payload); err != nil {
			return err
		}
	}
	return nil
}

// Order returns an order with its seller orders and lines.
func (s *Store) Order(ctx context.Context, orderID id.Order) (order.Order, error) {
	os, err := load(ctx, s.read(), []id.Order{orderID})
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, apperr.NotFound("order %s not found", orderID)
	}
	return os[0].Order, nil
}

// OrderByRequestKey returns the customer's order placed with key.
func (s *Store) OrderByRequestKey(ctx context.Context, customerID id.User, key string) (order.Order, error) {
	var orderID id.Order
	err := s.read().QueryRowContext(ctx, `SELECT id FROM order_orders WHERE customer_id = $1 AND request_key = $2`,
		customerID, key).Scan(&orderID)
	if errors.Is(err, sql.ErrNoRows) {
		return order.Order{}, apperr.NotFound("no order placed with this key")
	}
	if err != nil {
		return order.Order{}, err
	}
	return s.Order(ctx, orderID)
}

// OrderOfSellerOrder returns the order a seller order belongs to.
func (s *Store) OrderOfSellerOrder(ctx context.Context, sellerOrderID id.SellerOrder) (id.Order, error) {
	var oid id.Order
	err := s.read().QueryRowContext(ctx, `SELECT order_id FROM order_seller_orders WHERE id = $1`, sellerOrderID).Scan(&oid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("seller order %s not found", sellerOrderID)
	}
	return oid, err
}

// Received implements order.Store.
func (s *Store) Received(ctx context.Context, customerID id.User, productID id.Product) (bool, error) {
	var one int
	err := s.read().QueryRowContext(ctx, `SELECT 1 FROM order_orders o
		JOIN order_lines l ON l.order_id = o.id
		JOIN order_seller_orders so ON so.id = l.seller_order_id
		WHERE o.customer_id = $1 AND l.product_id = $2 AND so.status = 'delivered' LIMIT 1`, customerID, productID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("deliveries of %s to %s: %w", productID, customerID, err)
	}
	return true, nil
}

// Orders lists orders newest first: at most f.Limit+1, so the caller can
// tell whether another page follows.
func (s *Store) Orders(ctx context.Context, f order.Filter) ([]order.Order, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.CustomerID != "" {
		where = append(where, "customer_id = "+arg(f.CustomerID))
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+list(f.Statuses, arg)+")")
	}
	if f.After != nil {
		t, i := arg(f.After.PlacedAt), arg(f.After.ID)
		where = append(where, fmt.Sprintf("(placed_at < %s OR (placed_at = %s AND id < %s))", t, t, i))
	}
	q := `SELECT id FROM order_orders`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY placed_at DESC, id DESC LIMIT " + arg(f.Limit+1)
	ids, err := column[id.Order](ctx, s.read(), q, args...)
	if err != nil {
		return nil, err
	}
	os, err := load(ctx, s.read(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]order.Order, len(os))
	for i, o := range os {
		out[i] = o.Order
	}
	return out, nil
}

// SellerOrders lists a seller's seller orders newest first (at most
// f.Limit+1), each inside its order holding only that part.
func (s *Store) SellerOrders(ctx context.Context, f order.Filter) ([]order.Order, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"seller_id = " + arg(f.SellerID)}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+list(f.Statuses, arg)+")")
	}
	if f.After != nil {
		t, i := arg(f.After.PlacedAt), arg(f.After.ID)
		where = append(where, fmt.Sprintf("(placed_at < %s OR (placed_at = %s AND order_id < %s))", t, t, i))
	}
	ids, err := column[id.Order](ctx, s.read(), `SELECT order_id FROM order_seller_orders WHERE `+strings.Join(where, " AND ")+
		` ORDER BY placed_at DESC, order_id DESC LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, err
	}
	os, err := load(ctx, s.read(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]order.Order, 0, len(os))
	for _, o := range os {
		if part := o.PartOf(f.SellerID); part != nil {
			o.SellerOrders = []order.SellerOrder{*part}
			out = append(out, o.Order)
		}
	}
	return out, nil
}

// Expirable lists orders awaiting payment whose reservation ran out.
func (s *Store) Expirable(ctx context.Context, now time.Time, grace time.Duration, limit int) ([]id.Order, error) {
	return column[id.Order](ctx, s.read(), `SELECT id FROM order_orders
		WHERE status = 'pending_payment' AND reservation_expires_at <= $1
		AND (payment_status NOT IN ('pending', 'processing') OR reservation_expires_at <= $2)
		ORDER BY reservation_expires_at, id LIMIT $3`, micros(now), micros(now.Add(-grace)), limit)
}

// Update applies m to an order in its own transaction (or the bound one).
func (s *Store) Update(ctx context.Context, id id.Order, m order.Mutation) (order.Order, error) {
	var out order.Order
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = update(ctx, tx, id, m)
		return err
	})
	return out, err
}

func update(ctx context.Context, tx *sql.Tx, orderID id.Order, m order.Mutation) (order.Order, error) {
	// Take the order's row first: concurrent changes of one order queue
	// here, and each reads what the one before it wrote.
	res, err := tx.ExecContext(ctx, `UPDATE order_orders SET version = version WHERE id = $1`, orderID)
	if err != nil {
		return order.Order{}, fmt.Errorf("lock order %s: %w", orderID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return order.Order{}, err
	} else if n == 0 {
		return order.Order{}, apperr.NotFound("order %s not found", orderID)
	}
	os, err := load(ctx, tx, []id.Order{orderID})
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, apperr.NotFound("order %s not found", orderID)
	}
	before := os[0]
	o := clone(before.Order)
	eff, err := m(&o)
	if errors.Is(err, order.ErrUnchanged) {
		return before.Order, nil
	}
	if err != nil {
		return order.Order{}, err
	}
	if err := check(before.Order, o); err != nil {
		return order.Order{}, err
	}
	if err := write(ctx, tx, before, o); err != nil {
		return order.Order{}, err
	}
	if err := publish(ctx, tx, o.ID, eff.Events); err != nil {
		return order.Order{}, err
	}
	return o, nil
}

// check refuses changes a mutation must never make: to the order's
// identity, money or lines (but for their returned units, which only grow,
// up to the line's quantity, and the seller orders' refunds, which only
// grow), and status changes off the state machines.
func check(old, o order.Order) error {
	if o.ID != old.ID || o.CustomerID != old.CustomerID || o.Total != old.Total || len(o.SellerOrders) != len(old.SellerOrders) {
		return fmt.Errorf("order %s: a mutation changed what it may not", old.ID)
	}
	if o.Status != old.Status && !old.Status.CanBecome(o.Status) {
		return apperr.Conflict("illegal_transition", "order %s cannot go from %s to %s", o.ID, old.Status, o.Status)
	}
	for i, p := range o.SellerOrders {
		q := old.SellerOrders[i]
		if p.ID != q.ID || p.Total != q.Total || !sameLines(p.Lines, q.Lines) ||
			p.Refunded.Currency != q.Refunded.Currency || p.Refunded.Amount < q.Refunded.Amount {
			return fmt.Errorf("seller order %s: a mutation changed what it may not", q.ID)
		}
		for j, l := range p.Lines {
			if l.Returned < q.Lines[j].Returned || l.Returned > l.Quantity {
				return fmt.Errorf("line %s of seller order %s: %d of %d units returned (were %d): %w",
					l.SKU, p.ID, l.Returned, l.Quantity, q.Lines[j].Returned, errReturned)
			}
		}
		if p.Status != q.Status && !q.Status.CanBecome(p.Status) {
			return apperr.Conflict("illegal_transition", "seller order %s cannot go from %s to %s", p.ID, q.Status, p.Status)
		}
	}
	return nil
}

// errReturned is a mutation lowering a line's returned units or raising
// them past its quantity.
var errReturned = errors.New("returned units may only grow, up to the quantity")

// sameLines reports whether a and b are the same lines but for their
// returned units.
func sameLines(a, b []order.Line) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Returned, y.Returned = 0, 0
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// write stores what changed from before to o, each row conditional on the
// status it was read with.
func write(ctx context.Context, tx *sql.Tx, before loaded, o order.Order) error {
	res, err := tx.ExecContext(ctx, `UPDATE order_orders SET status = $1, refunded = $2, paid_at = $3, cancelled_at = $4,
		cancel_reason = $5, payment_id = $6, payment_status = $7, payment_at = $8, payment_error_code = $9,
		payment_error_message = $10, updated_at = $11, version = version + 1, cash_on_delivery = $15
		WHERE id = $12 AND status = $13 AND version = $14`,
		string(o.Status), o.Refunded.Amount, microsPtr(o.PaidAt), microsPtr(o.CancelledAt), o.CancelReason, o.PaymentID,
		o.PaymentStatus, micros(o.PaymentAt), errCode(o.LastPaymentError), errMessage(o.LastPaymentError), micros(o.UpdatedAt),
		o.ID, string(before.Status), before.version, o.CashOnDelivery)
	if err := one(res, err, string("order "+o.ID)); err != nil {
		return err
	}
	for i, p := range o.SellerOrders {
		q := before.SellerOrders[i]
		if reflect.DeepEqual(p, q) {
			continue
		}
		sh := p.Shipment
		if sh == nil {
			sh = &order.Shipment{}
		}
		res, err := tx.ExecContext(ctx, `UPDATE order_seller_orders SET status = $1, cancel_reason = $2, cancelled_at = $3,
			shipped_at = $4, delivered_at = $5, shipment_id = $6, shipment_status = $7, tracking_id = $8, updated_at = $9,
			refunded = $10 WHERE id = $11 AND status = $12`,
			string(p.Status), p.CancelReason, microsPtr(p.CancelledAt), microsPtr(p.ShippedAt), microsPtr(p.DeliveredAt),
			sh.ID, sh.Status, sh.TrackingID, micros(p.UpdatedAt), p.Refunded.Amount, p.ID, string(q.Status))
		if err := one(res, err, string("seller order "+p.ID)); err != nil {
			return err
		}
		for j, l := range p.Lines {
			was := q.Lines[j].Returned
			if l.Returned == was {
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE order_lines SET returned = $1 WHERE id = $2 AND returned = $3`, l.Returned, l.ID, was)
			if err := one(res, err, string("order line "+l.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// one checks that a conditional write changed exactly one row.
func one(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("write %s: %w", what, errChanged)
	}
	return nil
}

// errChanged is a conditional write that found its row changed or gone.
var errChanged = errors.New("it changed meanwhile")

// loaded is an order as read, with the version its row had.
type loaded struct {
	order.Order
	version int64
}

const orderCols = `id, customer_id, status, currency, subtotal, shipping, tax, total, refunded, shipping_address,
	reservation_expires_at, placed_at, paid_at, cancelled_at, cancel_reason, payment_id, payment_status, payment_at,
	payment_error_code, payment_error_message, version, updated_at, cash_on_delivery`

// load reads orders with their seller orders and lines, in the order of ids
// (missing ones are left out).
func load(ctx context.Context, q querier, ids []id.Order) ([]loaded, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	in := list(ids, arg)
	rows, err := q.QueryContext(ctx, `SELECT `+orderCols+` FROM order_orders WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	byID := map[id.Order]*loaded{}
	for rows.Next() {
		var o loaded
		var status, addr, errCode, errMsg string
		var sub, ship, tax, total, refunded, expires, placed, paid, cancelled, payAt, updated int64
		if err := rows.Scan(&o.ID, &o.CustomerID, &status, &o.Currency, &sub, &ship, &tax, &total, &refunded, &addr,
			&expires, &placed, &paid, &cancelled, &o.CancelReason, &o.PaymentID, &o.PaymentStatus, &payAt,
			&errCode, &errMsg, &o.version, &updated, &o.CashOnDelivery); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read orders: %w", err)
		}
		o.Status = order.Status(status)
		c := o.Currency
		o.Subtotal, o.Shipping, o.Tax, o.Total, o.Refunded = money.New(sub, c), money.New(ship, c), money.New(tax, c), money.New(total, c), money.New(refunded, c)
		if err := json.Unmarshal([]byte(addr), &o.ShippingAddress); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read address of order %s: %w", o.ID, err)
		}
		o.ReservationExpiresAt, o.PlacedAt, o.UpdatedAt = sqldb.Time(expires), sqldb.Time(placed), sqldb.Time(updated)
		o.PaidAt, o.CancelledAt = timePtr(paid), timePtr(cancelled)
		if payAt != 0 {
			o.PaymentAt = sqldb.Time(payAt)
		}
		if errCode != "" || errMsg != "" {
			o.LastPaymentError = &order.PaymentError{Code: errCode, Message: errMsg}
		}
		o.SellerOrders = []order.SellerOrder{}
		byID[o.ID] = &o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, order_id, seller_id, status, subtotal, shipping, tax, total, cancel_reason,
		cancelled_at, shipped_at, delivered_at, shipment_id, shipment_status, tracking_id, updated_at, refunded
		FROM order_seller_orders WHERE order_id IN (`+in+`) ORDER BY order_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read seller orders: %w", err)
	}
	parts := map[id.SellerOrder]*order.SellerOrder{}
	for rows.Next() {
		var p order.SellerOrder
		var status, shID, shStatus, tracking string
		var sub, ship, tax, total, cancelled, shipped, delivered, updated, refunded int64
		if err := rows.Scan(&p.ID, &p.OrderID, &p.SellerID, &status, &sub, &ship, &tax, &total, &p.CancelReason,
			&cancelled, &shipped, &delivered, &shID, &shStatus, &tracking, &updated, &refunded); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read seller orders: %w", err)
		}
		o := byID[p.OrderID]
		if o == nil {
			continue
		}
		c := o.Currency
		p.Status = order.SellerStatus(status)
		p.Subtotal, p.Shipping, p.Tax, p.Total = money.New(sub, c), money.New(ship, c), money.New(tax, c), money.New(total, c)
		p.Refunded = money.New(refunded, c)
		p.CancelledAt, p.ShippedAt, p.DeliveredAt, p.UpdatedAt = timePtr(cancelled), timePtr(shipped), timePtr(delivered), sqldb.Time(updated)
		if shID != "" {
			p.Shipment = &order.Shipment{ID: id.Shipment(shID), Status: shStatus, TrackingID: tracking}
		}
		p.Lines = []order.Line{}
		o.SellerOrders = append(o.SellerOrders, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read seller orders: %w", err)
	}
	for _, o := range byID {
		for i := range o.SellerOrders {
			parts[o.SellerOrders[i].ID] = &o.SellerOrders[i]
		}
	}

	rows, err = q.QueryContext(ctx, `SELECT id, seller_order_id, sku, product_id, title, options, quantity, unit_price, line_total,
		returned FROM order_lines WHERE order_id IN (`+in+`) ORDER BY seller_order_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	for rows.Next() {
		var l order.Line
		var partID id.SellerOrder
		var opts string
		var unit, lineTotal int64
		if err := rows.Scan(&l.ID, &partID, &l.SKU, &l.ProductID, &l.Title, &opts, &l.Quantity, &unit, &lineTotal, &l.Returned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read order lines: %w", err)
		}
		p := parts[partID]
		if p == nil {
			continue
		}
		c := byID[p.OrderID].Currency
		l.UnitPrice, l.LineTotal = money.New(unit, c), money.New(lineTotal, c)
		l.Options = map[string]string{}
		if err := json.Unmarshal([]byte(opts), &l.Options); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read options of line %s: %w", l.ID, err)
		}
		p.Lines = append(p.Lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	out := make([]loaded, 0, len(ids))
	for _, id := range ids {
		if o, ok := byID[id]; ok {
			out = append(out, *o)
		}
	}
	return out, nil
}

// clone copies an order deeply enough that a mutation of the copy leaves
// the original as read.
func clone(o order.Order) order.Order {
	o.SellerOrders = slices.Clone(o.SellerOrders)
	for i := range o.SellerOrders {
		p := &o.SellerOrders[i]
		p.Lines = slices.Clone(p.Lines)
		for j := range p.Lines {
			p.Lines[j].Options = maps.Clone(p.Lines[j].Options)
		}
		if p.Shipment != nil {
			sh := *p.Shipment
			p.Shipment = &sh
		}
	}
	if o.LastPaymentError != nil {
		e := *o.LastPaymentError
		o.LastPaymentError = &e
	}
	return o
}

func column[T ~string](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var s T
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func list[T ~string](vals []T, arg func(any) string) string {
	marks := make([]string, len(vals))
	for i, v := range vals {
		marks[i] = arg(string(v))
	}
	return strings.Join(marks, ", ")
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return sqldb.Micros(t)
}

func microsPtr(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return micros(*t)
}

func timePtr(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := sqldb.Time(us)
	return &t
}

func errCode(e *order.PaymentError) string {
	if e == nil {
		return ""
	}
	return e.Code
}

func errMessage(e *order.PaymentError) string {
	if e == nil {
		return ""
	}
	return e.Message
}
