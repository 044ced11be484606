// Package supporttest has fakes of the modules support works with, and the
// scenarios every support Store must pass through the service.
package supporttest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/support"
)

// World is the fake neighbourhood of a support Service: orders, products,
// payments, stock and accounts, all in memory.
type World struct {
	mu         sync.Mutex
	Orders     map[string]order.Order // by order ID
	Products   map[string]catalog.ProductRef
	Cats       []catalog.Category
	Partners   []string          // active delivery partner IDs
	Staff      map[string]bool   // active support/admin user IDs
	SellerOf   map[string]string // seller user ID -> store ID
	Refunded   map[string]money.Money
	RefundErr  error               // returned by the next RefundOrderPart calls while set
	Restocked  map[[2]string]int64 // (return ID, SKU) -> units
	StockErr   error
	RefundCall int
	// Variants lists, per product, its SKUs (for exchanges); Stock the
	// units available per SKU.
	Variants map[string][]string
	Stock    map[string]int64
	// Replacements are the replacement orders placed, by key;
	// ReplacementErr is returned while set.
	Replacements   map[string]order.ReplacementInput
	ReplacementErr error
}

// NewWorld returns an empty World.
func NewWorld() *World {
	return &World{Orders: map[string]order.Order{}, Products: map[string]catalog.ProductRef{}, Staff: map[string]bool{},
		SellerOf: map[string]string{}, Refunded: map[string]money.Money{}, Restocked: map[[2]string]int64{},
		Variants: map[string][]string{}, Stock: map[string]int64{}, Replacements: map[string]order.ReplacementInput{}}
}

// Deps are the World as the service's dependencies.
func (w *World) Deps() support.Deps {
	return support.Deps{Orders: orders{w}, Products: products{w}, Refunds: refunds{w}, Stock: stock{w}, People: people{w}}
}

// DeliveredOrder adds a paid order of customer with one seller order per
// seller, each delivered at deliveredAt, with lines {sku: qty} at 1000 each
// and 10% tax; it returns the order.
func (w *World) DeliveredOrder(id, customer string, deliveredAt time.Time, parts map[string]map[string]int64) order.Order {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := order.Order{ID: id, CustomerID: customer, Status: order.Delivered, Currency: "USD",
		ShippingAddress: order.Address{Name: "Ann", Line1: "1 Main St", City: "Springfield", Country: "US"}}
	for seller, lines := range parts {
		d := deliveredAt
		so := order.SellerOrder{ID: "so_" + id + "_" + seller, OrderID: id, SellerID: seller, Status: order.SellerDelivered, DeliveredAt: &d}
		var sub int64
		for sku, q := range lines {
			so.Lines = append(so.Lines, order.Line{SKU: sku, ProductID: "prd_" + sku, Title: "Item " + sku, Quantity: q,
				UnitPrice: money.New(1000, "USD"), LineTotal: money.New(1000*q, "USD")})
			sub += 1000 * q
			w.Products["prd_"+sku] = catalog.ProductRef{ID: "prd_" + sku, Title: "Item " + sku, SellerID: seller, CategoryID: "cat_" + sku}
		}
		so.Subtotal, so.Tax = money.New(sub, "USD"), money.New(sub/10, "USD")
		so.Total = money.New(sub+sub/10, "USD")
		o.SellerOrders = append(o.SellerOrders, so)
	}
	w.Orders[id] = o
	return o
}

type orders struct{ w *World }

func (f orders) Order(ctx context.Context, id string) (order.Detail, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	o, ok := f.w.Orders[id]
	p, _ := auth.From(ctx)
	if !ok || p.Is(auth.Customer) && o.CustomerID != p.UserID {
		return order.Detail{}, apperr.NotFound("order %s not found", id)
	}
	return order.Detail{Order: o}, nil
}

func (f orders) OrderOfPart(_ context.Context, sellerOrderID string) (order.Order, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for _, o := range f.w.Orders {
		if o.Part(sellerOrderID) != nil {
			return o, nil
		}
	}
	return order.Order{}, apperr.NotFound("seller order %s not found", sellerOrderID)
}

func (f orders) PlaceReplacement(_ context.Context, in order.ReplacementInput) (order.Order, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if f.w.ReplacementErr != nil {
		return order.Order{}, f.w.ReplacementErr
	}
	if _, ok := f.w.Replacements[in.Key]; !ok {
		f.w.Replacements[in.Key] = in
	}
	return order.Order{ID: "ord_rep_" + in.Key, CustomerID: in.CustomerID, Status: order.Paid}, nil
}

type products struct{ w *World }

func (f products) Product(_ context.Context, id string) (catalog.Product, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	r, ok := f.w.Products[id]
	if !ok {
		return catalog.Product{}, apperr.NotFound("product %s not found", id)
	}
	p := catalog.Product{ID: id, Title: r.Title, SellerID: r.SellerID, CategoryID: r.CategoryID}
	for _, sku := range f.w.Variants[id] {
		p.Variants = append(p.Variants, catalog.Variant{SKU: sku, Options: map[string]string{"variant": sku}})
	}
	return p, nil
}

func (f products) SKUs(_ context.Context, skus []string) (map[string]catalog.SKU, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	out := map[string]catalog.SKU{}
	for pid, vs := range f.w.Variants {
		for _, v := range vs {
			for _, want := range skus {
				if v == want {
					out[v] = catalog.SKU{SKU: v, ProductID: pid, SellerID: f.w.Products[pid].SellerID, Active: true}
				}
			}
		}
	}
	return out, nil
}

func (f products) ProductRefs(_ context.Context, ids []string) (map[string]catalog.ProductRef, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	out := map[string]catalog.ProductRef{}
	for _, id := range ids {
		if r, ok := f.w.Products[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

func (f products) Categories(context.Context) ([]catalog.Category, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	return append([]catalog.Category(nil), f.w.Cats...), nil
}

type refunds struct{ w *World }

func (f refunds) RefundOrderPart(_ context.Context, orderID, part string, amount money.Money, _ string) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	f.w.RefundCall++
	if f.w.RefundErr != nil {
		return f.w.RefundErr
	}
	if _, done := f.w.Refunded[part]; done {
		return nil // once per part, as the payment module does
	}
	f.w.Refunded[part] = amount
	return nil
}

type stock struct{ w *World }

func (f stock) ReturnUnits(_ context.Context, _, returnID string, lines []inventory.Line) (int64, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if f.w.StockErr != nil {
		return 0, f.w.StockErr
	}
	var n int64
	for _, l := range lines {
		k := [2]string{returnID, l.SKU}
		if _, done := f.w.Restocked[k]; done {
			continue
		}
		f.w.Restocked[k] = l.Quantity
		n += l.Quantity
	}
	return n, nil
}

func (f stock) Available(_ context.Context, skus []string) (map[string]int64, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	out := map[string]int64{}
	for _, s := range skus {
		out[s] = f.w.Stock[s]
	}
	return out, nil
}

type people struct{ w *World }

func (f people) DeliveryPartners(context.Context) ([]account.User, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	var out []account.User
	for _, id := range f.w.Partners {
		out = append(out, account.User{ID: id})
	}
	return out, nil
}

func (f people) IsActiveUser(_ context.Context, userID string, role auth.Role) (bool, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if role == auth.Support || role == auth.Admin {
		return f.w.Staff[userID], nil
	}
	return false, nil
}

func (f people) SellerOfUser(_ context.Context, userID string) (account.Seller, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if id, ok := f.w.SellerOf[userID]; ok {
		return account.Seller{ID: id}, nil
	}
	return account.Seller{}, apperr.NotFound("user %s has no store", userID)
}

// ErrDown is a dependency that does not answer.
var ErrDown = errors.New("connection refused")
