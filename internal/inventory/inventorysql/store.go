// Package inventorysql is the inventory Store on database/sql, for SQLite and
// PostgreSQL. Every change of stock is a transaction of its own: the order
// module reaches it through inventory.Service (or a remote client), never
// inside its own transaction, so inventory may have a database of its own.
package inventorysql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the inventory tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "inventory", sub)
}

// Store is the inventory store.
type Store struct{ db *sqldb.DB }

var _ inventory.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

const warehouseCols = `id, seller_id, name, is_default, created_at`

func scanWarehouse(row interface{ Scan(...any) error }) (inventory.Warehouse, error) {
	var w inventory.Warehouse
	var def int
	var created int64
	if err := row.Scan(&w.ID, &w.SellerID, &w.Name, &def, &created); err != nil {
		return w, err
	}
	w.Default, w.CreatedAt = def == 1, sqldb.Time(created)
	return w, nil
}

// Warehouses lists a seller's warehouses, the default first.
func (s *Store) Warehouses(ctx context.Context, sellerID id.Seller) ([]inventory.Warehouse, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+warehouseCols+` FROM inventory_warehouse
		WHERE seller_id = $1 ORDER BY is_default DESC, created_at, id`, sellerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []inventory.Warehouse{}
	for rows.Next() {
		w, err := scanWarehouse(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DefaultWarehouse returns the seller's default warehouse, creating it first
// if needed.
func (s *Store) DefaultWarehouse(ctx context.Context, sellerID id.Seller, now time.Time) (inventory.Warehouse, error) {
	var w inventory.Warehouse
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = defaultWarehouseTx(ctx, tx, sellerID, now)
		return err
	})
	return w, err
}

func defaultWarehouseTx(ctx context.Context, tx *sql.Tx, sellerID id.Seller, now time.Time) (inventory.Warehouse, error) {
	w, err := scanWarehouse(tx.QueryRowContext(ctx, `SELECT `+warehouseCols+` FROM inventory_warehouse
		WHERE seller_id = $1 AND is_default = 1`, sellerID))
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return w, err
	}
	// A concurrent creator makes this insert do nothing; the re-read then
	// sees its row.
	if _, err := tx.ExecContext(ctx, `INSERT INTO inventory_warehouse (id, seller_id, name, is_default, created_at)
		VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING`,
		id.Make[id.Warehouse](), sellerID, inventory.DefaultWarehouseName, sqldb.Micros(now)); err != nil {
		return w, fmt.Errorf("create default warehouse: %w", err)
	}
	return scanWarehouse(tx.QueryRowContext(ctx, `SELECT `+warehouseCols+` FROM inventory_warehouse
		WHERE seller_id = $1 AND is_default = 1`, sellerID))
}

// CreateWarehouse adds a warehouse; the seller's first one is its default.
func (s *Store) CreateWarehouse(ctx context.Context, sellerID id.Seller, name string, now time.Time) (inventory.Warehouse, error) {
	w := inventory.Warehouse{ID: id.Make[id.Warehouse](), SellerID: sellerID, Name: name, CreatedAt: sqldb.Time(sqldb.Micros(now))}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO inventory_warehouse (id, seller_id, name, is_default, created_at)
			VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING`, w.ID, sellerID, name, sqldb.Micros(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			w.Default = true
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO inventory_warehouse (id, seller_id, name, is_default, created_at)
			VALUES ($1, $2, $3, 0, $4)`, w.ID, sellerID, name, sqldb.Micros(now))
		return err
	})
	return w, err
}

// SetOnHand sets on_hand in one warehouse, refusing to go below reserved.
func (s *Store) SetOnHand(ctx context.Context, item inventory.Item, warehouseID id.Warehouse, onHand int64, now time.Time) (inventory.Stock, error) {
	var st inventory.Stock
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if warehouseID == "" {
			w, err := defaultWarehouseTx(ctx, tx, item.SellerID, now)
			if err != nil {
				return err
			}
			warehouseID = w.ID
		} else {
			var owner string
			err := tx.QueryRowContext(ctx, `SELECT seller_id FROM inventory_warehouse WHERE id = $1`, warehouseID).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || err == nil && id.Seller(owner) != item.SellerID {
				return apperr.NotFound("warehouse %q not found", warehouseID)
			}
			if err != nil {
				return err
			}
		}
		// The conditional upsert changes nothing when on_hand would fall
		// below what is reserved; the CHECK constraint backs it up.
		res, err := tx.ExecContext(ctx, `INSERT INTO inventory_stock (sku, warehouse_id, product_id, seller_id, on_hand, reserved, updated_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6)
			ON CONFLICT (sku, warehouse_id) DO UPDATE SET on_hand = excluded.on_hand, product_id = excluded.product_id,
				seller_id = excluded.seller_id, updated_at = excluded.updated_at
			WHERE inventory_stock.reserved <= excluded.on_hand`,
			item.SKU, warehouseID, item.ProductID, item.SellerID, onHand, sqldb.Micros(now))
		if sqldb.IsCheckViolation(err) {
			return apperr.Conflict("below_reserved", "on_hand cannot go below the units reserved")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var reserved int64
			if err := tx.QueryRowContext(ctx, `SELECT reserved FROM inventory_stock WHERE sku = $1 AND warehouse_id = $2`,
				item.SKU, warehouseID).Scan(&reserved); err != nil {
				return err
			}
			return apperr.Conflict("below_reserved", "on_hand cannot be set to %d: %d units are reserved in this warehouse", onHand, reserved)
		}
		if err := publishChanged(ctx, tx, item.SKU); err != nil {
			return err
		}
		st, err = stock(ctx, tx, item.SKU)
		return err
	})
	return st, err
}

// Stock returns a SKU's totals and rows.
func (s *Store) Stock(ctx context.Context, sku string) (inventory.Stock, error) {
	return stock(ctx, s.db.Read(), sku)
}

func stock(ctx context.Context, q querier, sku string) (inventory.Stock, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.warehouse_id, w.name, s.on_hand, s.reserved, s.updated_at, s.product_id, s.seller_id
		FROM inventory_stock s JOIN inventory_warehouse w ON w.id = s.warehouse_id
		WHERE s.sku = $1 ORDER BY w.is_default DESC, w.created_at, w.id`, sku)
	if err != nil {
		return inventory.Stock{}, err
	}
	defer rows.Close()
	st := inventory.Stock{SKU: sku, Warehouses: []inventory.Level{}}
	for rows.Next() {
		var l inventory.Level
		var updated int64
		if err := rows.Scan(&l.WarehouseID, &l.WarehouseName, &l.OnHand, &l.Reserved, &updated, &st.ProductID, &st.SellerID); err != nil {
			return st, err
		}
		l.Available, l.UpdatedAt = l.OnHand-l.Reserved, sqldb.Time(updated)
		st.OnHand += l.OnHand
		st.Reserved += l.Reserved
		st.Warehouses = append(st.Warehouses, l)
	}
	st.Available = st.OnHand - st.Reserved
	return st, rows.Err()
}

// Available sums on_hand - reserved per SKU.
func (s *Store) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	const chunk = 500
	for start := 0; start < len(skus); start += chunk {
		part := skus[start:min(start+chunk, len(skus))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, sku := range part {
			args[i] = sku
			marks[i] = fmt.Sprintf("$%d", i+1)
			out[sku] = 0
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT sku, CAST(SUM(on_hand - reserved) AS BIGINT) FROM inventory_stock
			WHERE sku IN (`+strings.Join(marks, ", ")+`) GROUP BY sku`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sku string
			var n int64
			if err := rows.Scan(&sku, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[sku] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// publishChanged publishes the SKU's totals as they are in tx.
func publishChanged(ctx context.Context, tx *sql.Tx, sku string) error {
	e := inventory.StockChanged{SKU: sku}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(product_id), ''), COALESCE(MAX(seller_id), ''),
		CAST(COALESCE(SUM(on_hand), 0) AS BIGINT), CAST(COALESCE(SUM(reserved), 0) AS BIGINT)
		FROM inventory_stock WHERE sku = $1`, sku).Scan(&e.ProductID, &e.SellerID, &e.OnHand, &e.Reserved); err != nil {
		return fmt.Errorf("read totals of %s: %w", sku, err)
	}
	e.Available = e.OnHand - e.Reserved
	return event.Publish(ctx, tx, inventory.TopicStockChanged, sku, e)
}
