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
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/support"
)

// World is the fake neighbourhood of a support Service: orders, products,
// payments, stock and accounts, all in memory.
type World struct {
	mu         sync.Mutex
	Orders     map[id.Order]order.Order // by order ID
	Products   map[id.Product]catalog.ProductRef
	Cats       []catalog.Category
	Partners   []id.User             // active delivery partner IDs
	Staff      map[id.User]bool      // active support/admin user IDs
	SellerOf   map[id.User]id.Seller // seller user ID -> store ID
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
	return &World{Orders: map[id.Order]order.Order{}, Products: map[id.Product]catalog.ProductRef{}, Staff: map[id.User]bool{},
		SellerOf: map[id.User]id.Seller{}, Refunded: map[string]money.Money{}, Restocked: map[[2]string]int64{},
		Variants: map[string][]string{}, Stock: map[string]int64{}, Replacements: map[string]order.ReplacementInput{}}
}

// Deps are the World as the service's dependencies.
func (w *World) Deps() support.Deps {
	return support.Deps{Orders: orders{w}, Products: products{w}, Refunds: refunds{w}, Stock: stock{w}, People: people{w}}
}

// DeliveredOrder adds a paid order of customer with one seller order per
// seller, each delivered at deliveredAt, with lines {sku: qty} at 1000 each
// and 10% tax; it returns the order.
func (w *World) DeliveredOrder(orderID id.Order, customer string, deliveredAt time.Time, parts map[string]map[string]int64) order.Order {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := order.Order{ID: orderID, CustomerID: id.User(customer), Status: order.Delivered, Currency: "USD",
		ShippingAddress: order.Address{Name: "Ann", Line1: "1 Main St", City: "Springfield", Country: "US"}}
	for seller, lines := range parts {
		d := deliveredAt
		so := order.SellerOrder{ID: id.SellerOrder("so_" + string(orderID) + "_" + seller), OrderID: orderID, SellerID: id.Seller(seller), Status: order.SellerDelivered, DeliveredAt: &d}
		var sub int64
		for sku, q := range lines {
			so.Lines = append(so.Lines, order.Line{SKU: sku, ProductID: id.Product("prd_" + sku), Title: "Item " + sku, Quantity: q,
				UnitPrice: money.New(1000, "USD"), LineTotal: money.New(1000*q, "USD")})
			sub += 1000 * q
			w.Products[id.Product("prd_"+sku)] = catalog.ProductRef{ID: id.Product("prd_" + sku), Title: "Item " + sku, SellerID: id.Seller(seller), CategoryID: id.Category("cat_" + sku)}
		}
		so.Subtotal, so.Tax = money.New(sub, "USD"), money.New(sub/10, "USD")
		so.Total = money.New(sub+sub/10, "USD")
		o.SellerOrders = append(o.SellerOrders, so)
	}
	w.Orders[orderID] = o
	return o
}

type orders struct{ w *World }

func (f orders) Order(ctx context.Context, id id.Order) (order.Detail, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	o, ok := f.w.Orders[id]
	p, _ := auth.From(ctx)
	if !ok || p.Is(auth.Customer) && o.CustomerID != p.UserID {
		return order.Detail{}, apperr.NotFound("order %s not found", id)
	}
	return order.Detail{Order: o}, nil
}

func (f orders) OrderOfPart(_ context.Context, sellerOrderID id.SellerOrder) (order.Order, error) {
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
	return order.Order{ID: id.Order("ord_rep_" + in.Key), CustomerID: in.CustomerID, Status: order.Paid}, nil
}

type products struct{ w *World }

func (f products) Product(_ context.Context, idOrSlug string) (catalog.Product, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	pid := id.Product(idOrSlug)
	r, ok := f.w.Products[pid]
	if !ok {
		return catalog.Product{}, apperr.NotFound("product %s not found", idOrSlug)
	}
	p := catalog.Product{ID: pid, Title: r.Title, SellerID: r.SellerID, CategoryID: r.CategoryID}
	for _, sku := range f.w.Variants[idOrSlug] {
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
					out[v] = catalog.SKU{SKU: v, ProductID: id.Product(pid), SellerID: f.w.Products[id.Product(pid)].SellerID, Active: true}
				}
			}
		}
	}
	return out, nil
}

func (f products) ProductRefs(_ context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	out := map[id.Product]catalog.ProductRef{}
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

func (f refunds) RefundOrderPart(_ context.Context, orderID id.Order, part string, amount money.Money, _ string) error {
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

func (f stock) ReturnUnits(_ context.Context, _ id.Order, returnID id.Return, lines []inventory.Line) (int64, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if f.w.StockErr != nil {
		return 0, f.w.StockErr
	}
	var n int64
	for _, l := range lines {
		k := [2]string{string(returnID), l.SKU}
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
	for _, uid := range f.w.Partners {
		out = append(out, account.User{ID: uid})
	}
	return out, nil
}

func (f people) IsActiveUser(_ context.Context, userID id.User, role auth.Role) (bool, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if role == auth.Support || role == auth.Admin {
		return f.w.Staff[userID], nil
	}
	return false, nil
}

func (f people) SellerOfUser(_ context.Context, userID id.User) (account.Seller, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if sid, ok := f.w.SellerOf[userID]; ok {
		return account.Seller{ID: sid}, nil
	}
	return account.Seller{}, apperr.NotFound("user %s has no store", userID)
}

// ErrDown is a dependency that does not answer.
var ErrDown = errors.New("connection refused")
