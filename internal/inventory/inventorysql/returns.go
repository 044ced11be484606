package inventorysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

var _ inventory.UnitReturner = (*Store)(nil)

// ReturnUnits puts a customer return's units back on hand in its own
// transaction (see returnUnitsTx).
func (s *Store) ReturnUnits(ctx context.Context, orderID id.Order, returnID id.Return, lines []inventory.Line, now time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = returnUnitsTx(ctx, tx, orderID, returnID, lines, now)
		return err
	})
	return n, err
}

// returnUnitsTx puts the units of return returnID of orderID back on hand
// inside tx and returns how many it put back (see inventory.UnitReturner).
//
// It first locks the order's reservation row, as restockTx does, so that the
// returns and restocks of one order run one after the other: each sees what
// the others put back, which makes both the cap (committed - restocked -
// returned) and the once-per-(return, SKU) rule hold under concurrent calls.
// The primary key (return_id, sku, warehouse_id) backs the latter up. Stock
// rows are then updated in SKU and warehouse order, as everywhere else.
func returnUnitsTx(ctx context.Context, tx *sql.Tx, orderID id.Order, returnID id.Return, lines []inventory.Line, now time.Time) (int64, error) {
	if err := lockReservation(ctx, tx, orderID); err != nil {
		return 0, err
	}
	r, err := reservation(ctx, tx, orderID)
	if err != nil {
		return 0, err
	}
	if r.Status != inventory.Committed {
		return 0, apperr.Conflict("reservation_not_committed", "the stock reservation of order %s is %s, not committed: nothing was sold to return", orderID, r.Status)
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(order_id), '') FROM inventory_return WHERE return_id = $1 AND order_id <> $2`,
		returnID, orderID).Scan(&other)
	if err != nil {
		return 0, fmt.Errorf("read return %s: %w", returnID, err)
	}
	if other != "" {
		return 0, apperr.Conflict("return_id_reused", "return %s is of order %s, not %s", returnID, other, orderID)
	}

	lines = slices.Clone(lines)
	slices.SortFunc(lines, func(a, b inventory.Line) int { return strings.Compare(a.SKU, b.SKU) })
	type put struct {
		sku, warehouse string
		quantity       int64
	}
	var puts []put
	var over []inventory.ReturnExceeds
	for _, l := range lines {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inventory_return WHERE return_id = $1 AND sku = $2`,
			returnID, l.SKU).Scan(&done); err != nil {
			return 0, fmt.Errorf("read return %s of %s: %w", returnID, l.SKU, err)
		}
		if done > 0 {
			continue // put back by an earlier call with this return ID
		}
		ws, err := givenBack(ctx, tx, orderID, l.SKU)
		if err != nil {
			return 0, err
		}
		ex := inventory.ReturnExceeds{SKU: l.SKU, Requested: l.Quantity}
		for _, w := range ws {
			ex.Committed += w.committed
			ex.Restocked += w.restocked
			ex.Returned += w.returned
		}
		if ex.Returned+l.Quantity > ex.Committed-ex.Restocked {
			over = append(over, ex)
			continue
		}
		remaining := l.Quantity
		for _, w := range ws { // in warehouse ID order
			room := w.committed - w.restocked - w.returned
			if room <= 0 || remaining == 0 {
				continue
			}
			q := min(room, remaining)
			puts = append(puts, put{l.SKU, w.id, q})
			remaining -= q
		}
		if remaining != 0 { // the totals above say there is room
			return 0, fmt.Errorf("return %s of %s: %d units found no warehouse", returnID, l.SKU, remaining)
		}
	}
	if len(over) > 0 {
		return 0, inventory.ReturnExceedsCommitted(over)
	}

	var total int64
	var changed []string
	for _, p := range puts { // in SKU and warehouse order
		_, err := tx.ExecContext(ctx, `INSERT INTO inventory_return (return_id, order_id, sku, warehouse_id, quantity, returned_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, returnID, orderID, p.sku, p.warehouse, p.quantity, sqldb.Micros(now))
		if sqldb.IsUniqueViolation(err) {
			// Only a concurrent call for another order with this return ID
			// can get here: calls for this order wait on its lock above.
			return 0, apperr.Conflict("return_id_reused", "return %s was recorded for another order meanwhile", returnID)
		}
		if err != nil {
			return 0, fmt.Errorf("record return of %s: %w", p.sku, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE inventory_stock SET on_hand = on_hand + $1, updated_at = $2
			WHERE sku = $3 AND warehouse_id = $4`, p.quantity, sqldb.Micros(now), p.sku, p.warehouse)
		if err != nil {
			return 0, fmt.Errorf("return %s to stock: %w", p.sku, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n != 1 {
			return 0, fmt.Errorf("stock row of %s in %s is missing", p.sku, p.warehouse)
		}
		total += p.quantity
		if len(changed) == 0 || changed[len(changed)-1] != p.sku {
			changed = append(changed, p.sku)
		}
	}
	for _, sku := range changed {
		if err := publishChanged(ctx, tx, sku); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// warehouseTake is what one warehouse gave to an order's committed
// reservation of a SKU and what it got back since.
type warehouseTake struct {
	id                             string
	committed, restocked, returned int64
}

// givenBack returns, per warehouse in ID order, the units of sku orderID's
// reservation took and the units Restock and returns put back since.
func givenBack(ctx context.Context, tx *sql.Tx, orderID id.Order, sku string) ([]warehouseTake, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.warehouse_id, l.quantity,
			CAST(COALESCE((SELECT SUM(k.quantity) FROM inventory_restock k
				WHERE k.order_id = l.order_id AND k.sku = l.sku AND k.warehouse_id = l.warehouse_id), 0) AS BIGINT),
			CAST(COALESCE((SELECT SUM(t.quantity) FROM inventory_return t
				WHERE t.order_id = l.order_id AND t.sku = l.sku AND t.warehouse_id = l.warehouse_id), 0) AS BIGINT)
		FROM inventory_reservation_line l WHERE l.order_id = $1 AND l.sku = $2 ORDER BY l.warehouse_id`, orderID, sku)
	if err != nil {
		return nil, fmt.Errorf("read what order %s took of %s: %w", orderID, sku, err)
	}
	defer rows.Close()
	var out []warehouseTake
	for rows.Next() {
		var w warehouseTake
		if err := rows.Scan(&w.id, &w.committed, &w.restocked, &w.returned); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// lockReservation takes the row lock of orderID's reservation until tx ends,
// so that the calls which put an order's units back (restockTx,
// returnUnitsTx) run one at a time per order. On SQLite every write
// transaction runs alone anyway. A missing reservation locks nothing; the
// caller's read of it then reports NotFound.
func lockReservation(ctx context.Context, tx *sql.Tx, orderID id.Order) error {
	if _, err := tx.ExecContext(ctx, `UPDATE inventory_reservation SET updated_at = updated_at WHERE order_id = $1`, orderID); err != nil {
		return fmt.Errorf("lock reservation of %s: %w", orderID, err)
	}
	return nil
}
