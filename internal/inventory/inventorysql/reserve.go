package inventorysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Reserve reserves stock for an order in its own transaction (see reserveTx).
func (s *Store) Reserve(ctx context.Context, orderID id.Order, lines []inventory.Line, expiresAt, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return reserveTx(ctx, tx, orderID, lines, expiresAt, now) })
}

// Commit commits an order's reservation in its own transaction (see commitTx).
func (s *Store) Commit(ctx context.Context, orderID id.Order, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return commitTx(ctx, tx, orderID, now) })
}

// Release releases an order's reservation in its own transaction (see releaseTx).
func (s *Store) Release(ctx context.Context, orderID id.Order, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := releaseTx(ctx, tx, orderID, now)
		return err
	})
}

// maxRounds bounds how often one SKU's warehouses are re-read when
// concurrent reservations take the stock a round counted on.
const maxRounds = 50

// reserveTx reserves stock for orderID inside tx, all or nothing: lines are
// summed per SKU and taken in SKU order (inventory.Normalize); each SKU takes
// from its warehouses in warehouse ID order with conditional updates
// (reserved = reserved + q WHERE on_hand - reserved >= q), so stock never goes
// below zero however many transactions race. If a SKU is short the error is
// inventory.InsufficientStock and the caller must roll tx back (Store.Reserve
// does). A second reservation for the same order is a no-op when its summed
// lines are the same and the first is held or committed, and a Conflict
// "already_reserved" otherwise. It publishes inventory.stock.changed.v1 per
// SKU.
func reserveTx(ctx context.Context, tx *sql.Tx, orderID id.Order, lines []inventory.Line, expiresAt, now time.Time) error {
	if orderID == "" {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "order_id", Message: "is required"})
	}
	lines, err := inventory.Normalize(lines)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO inventory_reservation (order_id, status, expires_at, created_at, updated_at)
		VALUES ($1, 'held', $2, $3, $3) ON CONFLICT (order_id) DO NOTHING`,
		orderID, sqldb.Micros(expiresAt), sqldb.Micros(now))
	if err != nil {
		return fmt.Errorf("insert reservation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return sameReservation(ctx, tx, orderID, lines)
	}
	var short []inventory.Shortage
	for _, l := range lines {
		got, err := reserveSKU(ctx, tx, orderID, l, now)
		if err != nil {
			return err
		}
		if got < l.Quantity {
			short = append(short, inventory.Shortage{SKU: l.SKU, Requested: l.Quantity, Available: got})
		}
	}
	if len(short) > 0 {
		return inventory.InsufficientStock(short)
	}
	for _, l := range lines {
		if err := publishChanged(ctx, tx, l.SKU); err != nil {
			return err
		}
	}
	return nil
}

// reserveSKU takes up to l.Quantity of l.SKU from its warehouses and returns
// how much it took. When it took less, the SKU is short (the caller rolls
// back, so a partial take never commits).
func reserveSKU(ctx context.Context, tx *sql.Tx, orderID id.Order, l inventory.Line, now time.Time) (int64, error) {
	remaining := l.Quantity
	for round := 0; remaining > 0 && round < maxRounds; round++ {
		type level struct {
			warehouse string
			available int64
		}
		rows, err := tx.QueryContext(ctx, `SELECT warehouse_id, on_hand - reserved FROM inventory_stock
			WHERE sku = $1 AND on_hand - reserved > 0 ORDER BY warehouse_id`, l.SKU)
		if err != nil {
			return 0, fmt.Errorf("read stock of %s: %w", l.SKU, err)
		}
		var levels []level
		for rows.Next() {
			var lv level
			if err := rows.Scan(&lv.warehouse, &lv.available); err != nil {
				rows.Close()
				return 0, err
			}
			levels = append(levels, lv)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(levels) == 0 {
			break
		}
		for _, lv := range levels {
			if remaining == 0 {
				break
			}
			take := min(lv.available, remaining)
			// The check and the decrement are one statement: a concurrent
			// reservation either went first (and this matches no row) or
			// waits for this one.
			res, err := tx.ExecContext(ctx, `UPDATE inventory_stock SET reserved = reserved + $1, updated_at = $2
				WHERE sku = $3 AND warehouse_id = $4 AND on_hand - reserved >= $1`,
				take, sqldb.Micros(now), l.SKU, lv.warehouse)
			if err != nil {
				return 0, fmt.Errorf("reserve %s: %w", l.SKU, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return 0, err
			}
			if n == 0 {
				continue // taken meanwhile; the next round re-reads
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO inventory_reservation_line (order_id, sku, warehouse_id, quantity)
				VALUES ($1, $2, $3, $4) ON CONFLICT (order_id, sku, warehouse_id)
				DO UPDATE SET quantity = inventory_reservation_line.quantity + excluded.quantity`,
				orderID, l.SKU, lv.warehouse, take); err != nil {
				return 0, fmt.Errorf("record reservation line: %w", err)
			}
			remaining -= take
		}
	}
	return l.Quantity - remaining, nil
}

// sameReservation decides a repeated Reserve for orderID.
func sameReservation(ctx context.Context, tx *sql.Tx, orderID id.Order, lines []inventory.Line) error {
	r, err := reservation(ctx, tx, orderID)
	if err != nil {
		return err
	}
	sum := map[string]int64{}
	for _, l := range r.Lines {
		sum[l.SKU] += l.Quantity
	}
	same := r.Status != inventory.Released && len(sum) == len(lines)
	for _, l := range lines {
		same = same && sum[l.SKU] == l.Quantity
	}
	if !same {
		return apperr.Conflict("already_reserved", "order %s already has a %s reservation", orderID, r.Status)
	}
	return nil
}

// commitTx commits orderID's held reservation inside tx: on_hand and reserved
// both go down by the reserved quantities. Committing a committed reservation
// is a no-op; a released one is a Conflict "reservation_released"; a missing
// one is NotFound. It publishes inventory.stock.changed.v1 per SKU.
func commitTx(ctx context.Context, tx *sql.Tx, orderID id.Order, now time.Time) error {
	ok, err := transition(ctx, tx, orderID, inventory.Committed, now)
	if err != nil || !ok {
		if err == nil {
			err = settled(ctx, tx, orderID, inventory.Committed)
		}
		return err
	}
	return applyLines(ctx, tx, orderID, now, `UPDATE inventory_stock SET on_hand = on_hand - $1, reserved = reserved - $1, updated_at = $2
		WHERE sku = $3 AND warehouse_id = $4`)
}

// releaseTx releases orderID's held reservation inside tx: reserved goes down.
// It reports whether it released anything; a reservation already released or
// committed, or none at all, is left alone without error. It publishes
// inventory.stock.changed.v1 per SKU.
func releaseTx(ctx context.Context, tx *sql.Tx, orderID id.Order, now time.Time) (bool, error) {
	ok, err := transition(ctx, tx, orderID, inventory.Released, now)
	if err != nil || !ok {
		return false, err
	}
	return true, applyLines(ctx, tx, orderID, now, `UPDATE inventory_stock SET reserved = reserved - $1, updated_at = $2
		WHERE sku = $3 AND warehouse_id = $4`)
}

// transition moves a held reservation to status; false if it was not held.
func transition(ctx context.Context, tx *sql.Tx, orderID id.Order, to inventory.ReservationStatus, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE inventory_reservation SET status = $1, updated_at = $2
		WHERE order_id = $3 AND status = 'held'`, string(to), sqldb.Micros(now), orderID)
	if err != nil {
		return false, fmt.Errorf("mark reservation %s: %w", to, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// settled explains why a reservation could not move to want.
func settled(ctx context.Context, tx *sql.Tx, orderID id.Order, want inventory.ReservationStatus) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM inventory_reservation WHERE order_id = $1`, orderID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("order %s has no stock reservation", orderID)
	}
	if err != nil {
		return err
	}
	if inventory.ReservationStatus(status) == want {
		return nil
	}
	return apperr.Conflict("reservation_"+status, "the stock reservation of order %s is already %s", orderID, status)
}

// applyLines runs stmt ($1 quantity, $2 now, $3 sku, $4 warehouse) for each
// of the order's reserved lines, in SKU and warehouse order, then publishes
// the SKUs' new totals.
func applyLines(ctx context.Context, tx *sql.Tx, orderID id.Order, now time.Time, stmt string) error {
	r, err := reservation(ctx, tx, orderID)
	if err != nil {
		return err
	}
	var skus []string
	for _, l := range r.Lines {
		res, err := tx.ExecContext(ctx, stmt, l.Quantity, sqldb.Micros(now), l.SKU, l.WarehouseID)
		if err != nil {
			return fmt.Errorf("update stock of %s: %w", l.SKU, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("stock row of %s in %s is missing", l.SKU, l.WarehouseID)
		}
		if len(skus) == 0 || skus[len(skus)-1] != l.SKU {
			skus = append(skus, l.SKU)
		}
	}
	for _, sku := range skus {
		if err := publishChanged(ctx, tx, sku); err != nil {
			return err
		}
	}
	return nil
}

// Reservation returns an order's reservation.
func (s *Store) Reservation(ctx context.Context, orderID id.Order) (inventory.Reservation, error) {
	return reservation(ctx, s.db.Read(), orderID)
}

func reservation(ctx context.Context, q querier, orderID id.Order) (inventory.Reservation, error) {
	r := inventory.Reservation{OrderID: orderID, Lines: []inventory.ReservedLine{}}
	var status string
	var expires int64
	err := q.QueryRowContext(ctx, `SELECT status, expires_at FROM inventory_reservation WHERE order_id = $1`, orderID).Scan(&status, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("order %s has no stock reservation", orderID)
	}
	if err != nil {
		return r, err
	}
	r.Status, r.ExpiresAt = inventory.ReservationStatus(status), sqldb.Time(expires)
	rows, err := q.QueryContext(ctx, `SELECT sku, warehouse_id, quantity FROM inventory_reservation_line
		WHERE order_id = $1 ORDER BY sku, warehouse_id`, orderID)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var l inventory.ReservedLine
		if err := rows.Scan(&l.SKU, &l.WarehouseID, &l.Quantity); err != nil {
			return r, err
		}
		r.Lines = append(r.Lines, l)
	}
	return r, rows.Err()
}

// ReleaseExpired releases held reservations that expired at or before now,
// each in its own transaction so the sweeper never holds many rows at once.
func (s *Store) ReleaseExpired(ctx context.Context, now time.Time) (int, error) {
	released := 0
	for {
		rows, err := s.db.Read().QueryContext(ctx, `SELECT order_id FROM inventory_reservation
			WHERE status = 'held' AND expires_at <= $1 ORDER BY expires_at, order_id LIMIT 100`, sqldb.Micros(now))
		if err != nil {
			return released, err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return released, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return released, err
		}
		progress := false
		for _, orderID := range ids {
			var did bool // set by the attempt that commits (Tx may retry)
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				did = false
				// Re-check the expiry inside the transaction: the order
				// may have committed it meanwhile.
				var expires int64
				var status string
				err := tx.QueryRowContext(ctx, `SELECT status, expires_at FROM inventory_reservation WHERE order_id = $1`, orderID).Scan(&status, &expires)
				if err != nil || status != string(inventory.Held) || expires > sqldb.Micros(now) {
					return err
				}
				did, err = releaseTx(ctx, tx, id.Order(orderID), now)
				return err
			})
			if err != nil {
				return released, fmt.Errorf("release %s: %w", orderID, err)
			}
			if did {
				released++
				progress = true
			}
		}
		if len(ids) < 100 || !progress {
			return released, nil
		}
	}
}
