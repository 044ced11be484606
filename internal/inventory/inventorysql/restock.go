package inventorysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Restock puts an order's committed stock back on hand in its own
// transaction (see restockTx).
func (s *Store) Restock(ctx context.Context, orderID id.Order, skus []string, now time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = restockTx(ctx, tx, orderID, skus, now)
		return err
	})
	return n, err
}

// restockTx puts the units a committed reservation took back on hand, inside
// tx, for a paid order (or one seller's part of it) cancelled before it
// shipped: on_hand goes up by the committed quantity of each of skus (every
// SKU of the reservation when skus is nil) in the warehouse it came from. It
// returns the units restocked.
//
// Each (order, SKU, warehouse) is restocked at most once, so calling it again
// restocks nothing. A released reservation (nothing was sold) and SKUs the
// reservation does not hold restock nothing; a held reservation is a
// Conflict "reservation_held" (release it instead); an order without a
// reservation is NotFound. It publishes inventory.stock.changed.v1 per SKU
// it restocked.
//
// It holds the reservation's row lock (lockReservation) so that a customer
// return of the same order (returnUnitsTx) sees its restock, or it theirs.
func restockTx(ctx context.Context, tx *sql.Tx, orderID id.Order, skus []string, now time.Time) (int64, error) {
	if err := lockReservation(ctx, tx, orderID); err != nil {
		return 0, err
	}
	r, err := reservation(ctx, tx, orderID)
	if err != nil {
		return 0, err
	}
	switch r.Status {
	case inventory.Released:
		return 0, nil
	case inventory.Held:
		return 0, apperr.Conflict("reservation_held", "the stock reservation of order %s is not committed; release it instead", orderID)
	}
	var total int64
	var changed []string
	for _, l := range r.Lines { // in SKU and warehouse order
		if skus != nil && !slices.Contains(skus, l.SKU) {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO inventory_restock (order_id, sku, warehouse_id, quantity, restocked_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, orderID, l.SKU, l.WarehouseID, l.Quantity, sqldb.Micros(now))
		if err != nil {
			return 0, fmt.Errorf("record restock of %s: %w", l.SKU, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			continue // restocked before
		}
		res, err = tx.ExecContext(ctx, `UPDATE inventory_stock SET on_hand = on_hand + $1, updated_at = $2
			WHERE sku = $3 AND warehouse_id = $4`, l.Quantity, sqldb.Micros(now), l.SKU, l.WarehouseID)
		if err != nil {
			return 0, fmt.Errorf("restock %s: %w", l.SKU, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n != 1 {
			return 0, fmt.Errorf("stock row of %s in %s is missing", l.SKU, l.WarehouseID)
		}
		total += l.Quantity
		if len(changed) == 0 || changed[len(changed)-1] != l.SKU {
			changed = append(changed, l.SKU)
		}
	}
	for _, sku := range changed {
		if err := publishChanged(ctx, tx, sku); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// Return gives a cancelled order's stock back in one transaction: a held
// reservation is released whole, a committed one has the units of skus
// restocked (restockTx), a released one is left alone. The conditional
// UPDATE that releases a held reservation also orders Return against a
// concurrent Commit: whichever takes the reservation's row first wins and
// the other sees its outcome (Commit then finds it released; Return finds it
// committed and restocks), so units are neither lost nor returned twice.
func (s *Store) Return(ctx context.Context, orderID id.Order, skus []string, now time.Time) (int64, error) {
	if len(skus) == 0 {
		return 0, nil
	}
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		released, err := releaseTx(ctx, tx, orderID, now)
		if err != nil {
			return err
		}
		if !released {
			n, err = restockTx(ctx, tx, orderID, skus, now)
			return err
		}
		r, err := reservation(ctx, tx, orderID)
		for _, l := range r.Lines {
			n += l.Quantity
		}
		return err
	})
	return n, err
}
