package inventory

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps warehouses, stock and reservations. Every method that changes
// on_hand or reserved publishes TopicStockChanged in the same transaction.
type Store interface {
	// Warehouses lists a seller's warehouses, the default first.
	Warehouses(ctx context.Context, sellerID id.Seller) ([]Warehouse, error)
	// DefaultWarehouse returns the seller's default warehouse, creating it
	// (named DefaultWarehouseName) if the seller has none.
	DefaultWarehouse(ctx context.Context, sellerID id.Seller, now time.Time) (Warehouse, error)
	// CreateWarehouse adds a warehouse for sellerID with a new ID; it
	// becomes the default if the seller has none yet.
	CreateWarehouse(ctx context.Context, sellerID id.Seller, name string, now time.Time) (Warehouse, error)

	// SetOnHand sets on_hand of item in warehouseID (the seller's default
	// warehouse, created if needed, when empty). A warehouse that is not
	// item.SellerID's is NotFound; on_hand below what is reserved there is a
	// Conflict "below_reserved".
	SetOnHand(ctx context.Context, item Item, warehouseID id.Warehouse, onHand int64, now time.Time) (Stock, error)
	// Stock returns a SKU's totals and rows; a SKU without rows has zeros.
	Stock(ctx context.Context, sku string) (Stock, error)
	// Available returns on_hand - reserved summed over warehouses for each
	// SKU asked for; SKUs without stock are 0.
	Available(ctx context.Context, skus []string) (map[string]int64, error)

	// Reserve, Commit and Release implement the Service methods of the
	// same names in one transaction each.
	Reserve(ctx context.Context, orderID id.Order, lines []Line, expiresAt, now time.Time) error
	Commit(ctx context.Context, orderID id.Order, now time.Time) error
	Release(ctx context.Context, orderID id.Order, now time.Time) error
	// Return gives an order's stock back after the order (or part of it)
	// was cancelled, in one transaction: a held reservation is released
	// whole; a committed one has the units of skus put back on hand in the
	// warehouses they came from, each (order, SKU, warehouse) at most once;
	// a released one is left alone. It returns the units given back. An
	// empty skus returns nothing; an order without a reservation is
	// NotFound.
	Return(ctx context.Context, orderID id.Order, skus []string, now time.Time) (int64, error)
	// ReleaseExpired releases every held reservation that expired at or
	// before now and returns how many it released.
	ReleaseExpired(ctx context.Context, now time.Time) (int, error)
	// Reservation returns an order's reservation (NotFound if none).
	Reservation(ctx context.Context, orderID id.Order) (Reservation, error)
}
