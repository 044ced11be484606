package ordertest

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/cart/carttest"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/orderhttp"
	"github.com/bazaar-market/bazaar/internal/order/ordersql"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/paymenttest"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Env is the order module wired as the server wires it, over one database:
// the real inventory, cart and payment modules, the test gateway delivering
// its signed webhooks to the payment webhook route, and the event bus with
// the order module's consumers. The catalog, address book and stores
// (sellers) are fakes.
type Env struct {
	DB        *sqldb.DB
	Bus       *event.Bus
	Clock     *Clock
	Catalog   *carttest.Catalog
	Sellers   *inventorytest.Sellers
	Addresses *Addresses
	Stock     *inventorysql.Store
	Inventory *inventory.Service
	Cart      *cart.Service
	Gateway   *testgateway.Gateway
	Charges   *paymenttest.Counting // counts the calls that reach the gateway
	Payments  *payment.Service
	Store     *ordersql.Store
	Orders    *order.Service
	// Router holds the order and payment routes (no middleware).
	Router *rest.Router
}

// NewEnv migrates db and wires the modules. opts.Now and opts.Logger are
// set to the Env's clock and a quiet logger when empty.
func NewEnv(t testing.TB, db *sqldb.DB, opts order.Options) *Env {
	t.Helper()
	return NewEnvWrapped(t, db, opts, Wrap{})
}

// Wrap replaces what the order module is given, for fault-injection tests:
// each function that is set gets the real dependency and returns what the
// module uses instead (a wrapper that fails on cue, say).
type Wrap struct {
	Stock func(order.Stock) order.Stock
	Carts func(order.Carts) order.Carts
	Store func(order.Store) order.Store
	// Payments changes the payment module's options (manual capture, say).
	Payments func(*payment.Options)
}

// NewEnvWrapped is NewEnv with the order module's stock, carts and store
// passed through w.
func NewEnvWrapped(t testing.TB, db *sqldb.DB, opts order.Options, w Wrap) *Env {
	t.Helper()
	ctx := context.Background()
	for _, m := range []func(context.Context, *sqldb.DB) error{
		event.Migrate, inventorysql.Migrate, cartsql.Migrate, paymentsql.Migrate, testgateway.Migrate, ordersql.Migrate,
	} {
		if err := m(ctx, db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	e := &Env{DB: db, Clock: &Clock{}, Catalog: carttest.NewCatalog(), Sellers: inventorytest.NewSellers(),
		Addresses: NewAddresses(), Stock: inventorysql.New(db), Store: ordersql.New(db), Router: rest.NewRouter()}
	if opts.Now == nil {
		opts.Now = e.Clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = Quiet
	}
	e.Bus = eventbrokertest.Bus(t, db, Quiet)
	e.Inventory = inventory.New(e.Stock, e.Catalog, e.Sellers, inventory.Options{Now: e.Clock.Now, Logger: Quiet})
	e.Cart = cart.New(cartsql.New(db), e.Catalog, e.Inventory, carttest.Sellers{}, cart.Options{Now: e.Clock.Now})
	e.Gateway = testgateway.New(db, testgateway.Options{Now: e.Clock.Now, Logger: Quiet, ProcessingDelay: time.Minute,
		Deliver: paymenthttp.Loopback(e.Router, testgateway.Name)})
	e.Charges = &paymenttest.Counting{Gateway: e.Gateway}
	popts := payment.Options{Now: e.Clock.Now, Logger: Quiet, COD: &payment.CODPolicy{Limits: map[string]int64{payment.AnyCurrency: 1_000_000}}}
	if w.Payments != nil {
		w.Payments(&popts)
	}
	e.Payments = payment.New(paymentsql.New(db), e.Charges, popts)
	var stock order.Stock = e.Inventory
	var carts order.Carts = e.Cart
	var store order.Store = e.Store
	if w.Stock != nil {
		stock = w.Stock(stock)
	}
	if w.Carts != nil {
		carts = w.Carts(carts)
	}
	if w.Store != nil {
		store = w.Store(store)
	}
	e.Orders = order.New(store, order.Deps{
		Catalog: e.Catalog, Carts: carts, Addresses: e.Addresses, Sellers: e.Sellers, Payments: e.Payments, Stock: stock,
	}, opts)
	e.Orders.Subscribe(e.Bus)
	paymenthttp.New(e.Payments).Routes(e.Router)
	orderhttp.New(e.Orders).Routes(e.Router)
	return e
}

// AddSKU puts a SKU in the catalog (active unless told) and sets its stock.
func (e *Env) AddSKU(t testing.TB, v catalog.SKU, onHand int64) {
	t.Helper()
	if v.ProductID == "" {
		v.ProductID = id.Product("prd_" + v.SKU)
	}
	if v.ProductTitle == "" {
		v.ProductTitle = "Product " + v.SKU
	}
	e.Catalog.PutSKU(v)
	e.Catalog.PutProduct(catalog.ProductRef{ID: v.ProductID, Title: v.ProductTitle, SellerID: v.SellerID, Active: v.Active})
	if _, err := e.Stock.SetOnHand(context.Background(), inventory.Item{SKU: v.SKU, ProductID: v.ProductID, SellerID: v.SellerID}, "", onHand, e.Clock.Now()); err != nil {
		t.Fatalf("set stock of %s: %v", v.SKU, err)
	}
}

// AddSeller registers a store run by userID.
func (e *Env) AddSeller(sellerID id.Seller, userID id.User) {
	e.Sellers.ByUser[userID] = account.Seller{ID: sellerID, UserID: userID, Name: "Store " + string(sellerID)}
}

// Level returns a SKU's on_hand and reserved, summed over warehouses.
func (e *Env) Level(t testing.TB, sku string) (onHand, reserved int64) {
	t.Helper()
	st, err := e.Stock.Stock(context.Background(), sku)
	if err != nil {
		t.Fatalf("stock of %s: %v", sku, err)
	}
	return st.OnHand, st.Reserved
}

// Settle lets the gateway settle what is due and deliver its webhooks, and
// delivers the outbox, until nothing moves any more.
func (e *Env) Settle(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	for range 50 {
		n, err := e.Gateway.Flush(ctx)
		if err != nil {
			t.Fatalf("gateway Flush: %v", err)
		}
		pending, err := e.Bus.Drain(ctx)
		if err != nil {
			t.Fatalf("bus Drain: %v", err)
		}
		if n == 0 && pending == 0 {
			return
		}
		if n == 0 && pending > 0 {
			// A handler failed and waits for its retry: say so.
			var last string
			_ = e.DB.Read().QueryRow(`SELECT COALESCE(MAX(last_error), '') FROM event_outbox WHERE published_at IS NULL`).Scan(&last)
			t.Fatalf("%d events are stuck in the outbox: %s", pending, last)
		}
	}
	t.Fatal("Settle: still moving after 50 rounds")
}

// Topics returns the topics of the events published about aggregate, oldest
// first.
func (e *Env) Topics(t testing.TB, aggregate string) []string {
	t.Helper()
	rows, err := e.DB.Read().Query(`SELECT topic FROM event_outbox WHERE aggregate = $1 ORDER BY seq`, aggregate)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// Publish writes an event to the outbox as another module would (the
// shipment module's, in tests).
func (e *Env) Publish(t testing.TB, topic, aggregate string, payload any) {
	t.Helper()
	if err := e.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		return event.PublishRaw(context.Background(), tx, topic, aggregate, payload)
	}); err != nil {
		t.Fatal(err)
	}
}

// Reservation returns an order's reservation status in inventory ("" if it
// has none).
func (e *Env) Reservation(t testing.TB, orderID id.Order) inventory.ReservationStatus {
	t.Helper()
	r, err := e.Inventory.Reservation(context.Background(), orderID)
	if err != nil {
		return ""
	}
	return r.Status
}
