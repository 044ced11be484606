package searchsql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

var (
	_ search.Queue         = (*Store)(nil)
	_ search.SalesRecorder = (*Store)(nil)
	_ search.StockGate     = (*Store)(nil)
)

// StockFlippedTx records in tx whether sku is in stock and reports whether
// that changed (or the SKU is new) (search.StockGate).
func (s *Store) StockFlippedTx(ctx context.Context, tx *sql.Tx, sku string, inStock bool) (bool, error) {
	v := 0
	if inStock {
		v = 1
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO search_sku_stock (sku, in_stock) VALUES ($1, $2)
		ON CONFLICT (sku) DO UPDATE SET in_stock = excluded.in_stock WHERE search_sku_stock.in_stock <> excluded.in_stock`, sku, v)
	if err != nil {
		return false, fmt.Errorf("record stock state of %s: %w", sku, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// QueueTx adds products to the refresh queue in tx. A product already
// queued gets a later time (at least one microsecond later), so a worker
// that read the older entry leaves it queued.
func (s *Store) QueueTx(ctx context.Context, tx *sql.Tx, productIDs []string, now time.Time) error {
	rows := make([][]any, len(productIDs))
	at := sqldb.Micros(now)
	for i, id := range productIDs {
		rows[i] = []any{id, at}
	}
	if err := s.db.InsertRows(ctx, tx, `INSERT INTO search_pending (product_id, queued_at) VALUES `, 2, rows,
		` ON CONFLICT (product_id) DO UPDATE SET queued_at = CASE WHEN excluded.queued_at > search_pending.queued_at
			THEN excluded.queued_at ELSE search_pending.queued_at + 1 END`); err != nil {
		return fmt.Errorf("queue products for search: %w", err)
	}
	return nil
}

// Pending returns up to limit queued products, the longest waiting first.
func (s *Store) Pending(ctx context.Context, limit int) ([]search.Pending, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT product_id, queued_at FROM search_pending ORDER BY queued_at, product_id LIMIT $1`, limit)
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

// Done removes refreshed products from the queue, except those queued
// again since they were read.
func (s *Store) Done(ctx context.Context, done []search.Pending) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range done {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE product_id = $1 AND queued_at = $2`, p.ProductID, p.QueuedAt); err != nil {
				return fmt.Errorf("dequeue %s: %w", p.ProductID, err)
			}
		}
		return nil
	})
}

// AddSalesTx adds units sold (negative: taken back) to products' sales, in
// tx, never below zero (search.SalesRecorder).
func (s *Store) AddSalesTx(ctx context.Context, tx *sql.Tx, units map[string]int64, now time.Time) error {
	ids := make([]string, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a fixed lock order between concurrent orders
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_signals (product_id, rating_x100, rating_count, sales, updated_at)
			VALUES ($1, 0, 0, $2, $3)
			ON CONFLICT (product_id) DO UPDATE SET
				sales = CASE WHEN search_signals.sales + $4 > 0 THEN search_signals.sales + $4 ELSE 0 END,
				updated_at = excluded.updated_at`,
			id, max(units[id], 0), sqldb.Micros(now), units[id]); err != nil {
			return fmt.Errorf("count sales of %s: %w", id, err)
		}
	}
	return nil
}

// SetRatingTx sets a product's rating (average stars and how many reviews)
// as of the review module's sequence seq, in tx, unless a later sequence
// was applied already; it reports whether it changed anything
// (search.RatingRecorder).
func (s *Store) SetRatingTx(ctx context.Context, tx *sql.Tx, productID string, rating float64, count, seq int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO search_signals (product_id, rating_x100, rating_count, sales, updated_at, rating_seq)
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
