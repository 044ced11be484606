package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// MaxQuantity bounds on_hand and any quantity reserved at once.
const MaxQuantity = 1_000_000_000

// DefaultWarehouseName names the warehouse created for a seller on first need.
const DefaultWarehouseName = "Default"

// Warehouse is a place one seller keeps stock in.
type Warehouse struct {
	ID        id.Warehouse `json:"id"`
	SellerID  id.Seller    `json:"seller_id"`
	Name      string       `json:"name"`
	Default   bool         `json:"default"`
	CreatedAt time.Time    `json:"created_at"`
}

// Item names the SKU a stock row is for, with the catalog facts copied onto
// the row so events can carry them.
type Item struct {
	SKU       string
	ProductID id.Product
	SellerID  id.Seller
}

// Level is one warehouse's stock of a SKU.
type Level struct {
	WarehouseID   id.Warehouse `json:"warehouse_id"`
	WarehouseName string       `json:"warehouse_name"`
	OnHand        int64        `json:"on_hand"`
	Reserved      int64        `json:"reserved"`
	Available     int64        `json:"available"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// Stock is a SKU's stock: totals over its warehouses and the rows per
// warehouse.
type Stock struct {
	SKU        string     `json:"sku"`
	ProductID  id.Product `json:"product_id"`
	SellerID   id.Seller  `json:"seller_id"`
	OnHand     int64      `json:"on_hand"`
	Reserved   int64      `json:"reserved"`
	Available  int64      `json:"available"`
	Warehouses []Level    `json:"warehouses"`
}

// Line is a quantity of one SKU an order reserves.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// ReservationStatus is where a reservation is in its life.
type ReservationStatus string

const (
	Held      ReservationStatus = "held"
	Committed ReservationStatus = "committed"
	Released  ReservationStatus = "released"
)

// Reservation is the stock one order holds, per SKU and warehouse.
type Reservation struct {
	OrderID   id.Order          `json:"order_id"`
	Status    ReservationStatus `json:"status"`
	ExpiresAt time.Time         `json:"expires_at"`
	Lines     []ReservedLine    `json:"lines"`
}

// ReservedLine is the quantity of a SKU a reservation took from one warehouse.
type ReservedLine struct {
	SKU         string       `json:"sku"`
	WarehouseID id.Warehouse `json:"warehouse_id"`
	Quantity    int64        `json:"quantity"`
}

// Normalize validates lines and returns them summed per SKU, sorted by SKU:
// the order in which stock rows are locked, so that concurrent reservations
// never deadlock and two lines of one SKU are checked against one
// availability.
func Normalize(lines []Line) ([]Line, error) {
	var f apperr.Fields
	f.Check(len(lines) > 0, "lines", "must not be empty")
	sum := make(map[string]int64, len(lines))
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l.SKU) == "":
			f.Add(fmt.Sprintf("lines[%d].sku", i), "is required")
		case l.Quantity < 1 || l.Quantity > MaxQuantity:
			f.Add(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("must be from 1 to %d", MaxQuantity))
		default:
			sum[l.SKU] += l.Quantity
		}
	}
	for sku, q := range sum {
		f.Check(q <= MaxQuantity, sku, fmt.Sprintf("the total quantity must not exceed %d", MaxQuantity))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := make([]Line, 0, len(sum))
	for sku, q := range sum {
		out = append(out, Line{SKU: sku, Quantity: q})
	}
	slices.SortFunc(out, func(a, b Line) int { return strings.Compare(a.SKU, b.SKU) })
	return out, nil
}

// Shortage is a SKU a reservation could not get enough of.
type Shortage struct {
	SKU       string
	Requested int64
	Available int64
}

// InsufficientStock is the Conflict error a reservation fails with: code
// "insufficient_stock", one field error per short SKU, the field named by the
// SKU itself.
func InsufficientStock(short []Shortage) error {
	fields := make([]apperr.FieldError, len(short))
	skus := make([]string, len(short))
	for i, s := range short {
		fields[i] = apperr.FieldError{Field: s.SKU, Message: fmt.Sprintf("requested %d, available %d", s.Requested, s.Available)}
		skus[i] = s.SKU
	}
	return &apperr.Error{
		Kind:    apperr.KindConflict,
		Code:    "insufficient_stock",
		Message: "not enough stock for " + strings.Join(skus, ", "),
		Fields:  fields,
	}
}
