package searchsql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

var (
	_ search.Queue       = (*Store)(nil)
	_ search.QueueWriter = (*writer)(nil)
)

// ApplyOnce runs fn in one transaction that also records that consumer
// applied eventID; an event the consumer applied before is skipped
// (search.Queue).
func (s *Store) ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(w search.QueueWriter) error) error {
	_, err := event.ApplyOnceIn(ctx, s.db.Tx, consumer, eventID, func(tx *sql.Tx) error {
		return fn(&writer{s: s, tx: tx})
	})
	return err
}

// writer is the queue inside one transaction.
type writer struct {
	s  *Store
	tx *sql.Tx
}

// StockFlipped records whether sku is in stock for the replica and reports
// whether that changed (or the SKU is new).
func (w *writer) StockFlipped(ctx context.Context, sku string, inStock bool) (bool, error) {
	v := 0
	if inStock {
		v = 1
	}
	res, err := w.tx.ExecContext(ctx, `INSERT INTO search_sku_stock (replica, sku, in_stock) VALUES ($1, $2, $3)
		ON CONFLICT (replica, sku) DO UPDATE SET in_stock = excluded.in_stock WHERE search_sku_stock.in_stock <> excluded.in_stock`,
		w.s.replica, sku, v)
	if err != nil {
		return false, fmt.Errorf("record stock state of %s: %w", sku, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Queue adds products to the replica's refresh queue. A product already
// queued gets a later time (at least one microsecond later), so a worker
// that read the older entry leaves it queued.
func (w *writer) Queue(ctx context.Context, productIDs []id.Product, now time.Time) error {
	rows := make([][]any, len(productIDs))
	at := sqldb.Micros(now)
	for i, id := range productIDs {
		rows[i] = []any{w.s.replica, id, at}
	}
	if err := w.s.db.InsertRows(ctx, w.tx, `INSERT INTO search_pending (replica, product_id, queued_at) VALUES `, 3, rows,
		` ON CONFLICT (replica, product_id) DO UPDATE SET queued_at = CASE WHEN excluded.queued_at > search_pending.queued_at
			THEN excluded.queued_at ELSE search_pending.queued_at + 1 END`); err != nil {
		return fmt.Errorf("queue products for search: %w", err)
	}
	return nil
}

// AddSales adds units sold (negative: taken back) to products' sales,
// never below zero.
func (w *writer) AddSales(ctx context.Context, units map[id.Product]int64, now time.Time) error {
	ids := make([]id.Product, 0, len(units))
	for pid := range units {
		ids = append(ids, pid)
	}
	slices.Sort(ids) // a fixed lock order between concurrent orders
	for _, pid := range ids {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO search_signals (product_id, rating_x100, rating_count, sales, updated_at)
			VALUES ($1, 0, 0, $2, $3)
			ON CONFLICT (product_id) DO UPDATE SET
				sales = CASE WHEN search_signals.sales + $4 > 0 THEN search_signals.sales + $4 ELSE 0 END,
				updated_at = excluded.updated_at`,
			pid, max(units[pid], 0), sqldb.Micros(now), units[pid]); err != nil {
			return fmt.Errorf("count sales of %s: %w", pid, err)
		}
	}
	return nil
}

// SetRating sets a product's rating (average stars and how many reviews)
// as of the review module's sequence seq, unless a later sequence was
// applied already; it reports whether it changed anything.
func (w *writer) SetRating(ctx context.Context, productID id.Product, rating float64, count, seq int64, now time.Time) (bool, error) {
	res, err := w.tx.ExecContext(ctx, `INSERT INTO search_signals (product_id, rating_x100, rating_count, sales, updated_at, rating_seq)
		VALUES ($1, $2, $3, 0, $4, $5)
		ON CONFLICT (product_id) DO UPDATE SET rating_x100 = excluded.rating_x100, rating_count = excluded.rating_count,
			rating_seq = excluded.rating_seq, updated_at = excluded.updated_at
		WHERE search_signals.rating_seq < excluded.rating_seq`,
		productID, ratingX100(rating), max(count, 0), sqldb.Micros(now), seq)
	if err != nil {
		return false, fmt.Errorf("set the rating of %s: %w", productID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// SignalsChanged publishes search.signals_changed.v1 for productIDs.
func (w *writer) SignalsChanged(ctx context.Context, productIDs []id.Product) error {
	if len(productIDs) == 0 {
		return nil
	}
	return event.Publish(ctx, w.tx, search.TopicSignalsChanged, string(productIDs[0]), search.SignalsChanged{ProductIDs: productIDs})
}

// Pending returns up to limit of the replica's queued products, the
// longest waiting first.
func (s *Store) Pending(ctx context.Context, limit int) ([]search.Pending, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT product_id, queued_at FROM search_pending WHERE replica = $1
		ORDER BY queued_at, product_id LIMIT $2`, s.replica, limit)
	if err != nil {
		return nil, fmt.Errorf("read search queue: %w", err)
	}
	defer rows.Close()
	var out []search.Pending
	for rows.Next() {
		var p search.Pending
		if err := rows.Scan(&p.ProductID, &p.QueuedAt); err != nil {
			return nil, fmt.Errorf("read search queue: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Done removes refreshed products from the replica's queue, except those
// queued again since they were read.
func (s *Store) Done(ctx context.Context, done []search.Pending) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range done {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE replica = $1 AND product_id = $2 AND queued_at = $3`,
				s.replica, p.ProductID, p.QueuedAt); err != nil {
				return fmt.Errorf("dequeue %s: %w", p.ProductID, err)
			}
		}
		return nil
	})
}
