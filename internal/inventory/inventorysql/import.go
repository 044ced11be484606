package inventorysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Import is one SKU's opening stock in its seller's default warehouse.
type Import struct {
	inventory.Item
	OnHand int64
}

// ImportStock loads opening stock in bulk, for the catalog generator and
// migrations from other platforms: one transaction, many rows per
// statement, the sellers' default warehouses created as needed, and NO
// outbox events (rebuild the search index afterwards). A SKU that already
// has stock in the default warehouse keeps it, so an import can be re-run.
// Negative quantities are refused.
func (s *Store) ImportStock(ctx context.Context, levels []Import, now time.Time) error {
	for _, l := range levels {
		if l.OnHand < 0 || l.SKU == "" || l.SellerID == "" {
			return fmt.Errorf("import stock: SKU %q of seller %q: on hand %d", l.SKU, l.SellerID, l.OnHand)
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		warehouses := map[id.Seller]id.Warehouse{} // seller ID -> default warehouse ID
		rows := make([][]any, 0, len(levels))
		for _, l := range levels {
			wid, ok := warehouses[l.SellerID]
			if !ok {
				w, err := defaultWarehouseTx(ctx, tx, l.SellerID, now)
				if err != nil {
					return err
				}
				wid, warehouses[l.SellerID] = w.ID, w.ID
			}
			rows = append(rows, []any{l.SKU, wid, l.ProductID, l.SellerID, l.OnHand, sqldb.Micros(now)})
		}
		if err := s.db.InsertRows(ctx, tx, `INSERT INTO inventory_stock (sku, warehouse_id, product_id, seller_id, on_hand, updated_at) VALUES `,
			6, rows, ` ON CONFLICT (sku, warehouse_id) DO NOTHING`); err != nil {
			return fmt.Errorf("import stock: %w", err)
		}
		return nil
	})
}
