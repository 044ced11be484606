package order_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

var (
	bg       = context.Background()
	alice    = ordertest.As(bg, "usr_alice", auth.Customer)
	bob      = ordertest.As(bg, "usr_bob", auth.Customer)
	sellerA  = ordertest.As(bg, "usr_sa", auth.Seller)
	sellerB  = ordertest.As(bg, "usr_sb", auth.Seller)
	sellerC  = ordertest.As(bg, "usr_sc", auth.Seller) // a store with no part in the orders
	admin    = ordertest.As(bg, "usr_admin", auth.Admin)
	support  = ordertest.As(bg, "usr_support", auth.Support)
	delivery = ordertest.As(bg, "usr_courier", auth.Delivery)
)

func usd(n int64) money.Money { return money.New(n, "USD") }

var home = order.Address{Name: "Alice", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}

// setup wires the module over db with two sellers: sel_a sells TEE (1500)
// and MUG (800); sel_b sells LAMP (6000), an inactive OLD and a EURO-priced
// item. Tax is 10%.
func setup(t *testing.T, db *sqldb.DB) *ordertest.Env {
	t.Helper()
	return setupWrapped(t, db, ordertest.Wrap{})
}

// setupWrapped is setup with the dependencies passed through w.
func setupWrapped(t *testing.T, db *sqldb.DB, w ordertest.Wrap) *ordertest.Env {
	t.Helper()
	e := ordertest.NewEnvWrapped(t, db, order.Options{TaxBasisPoints: 1000}, w)
	e.AddSeller("sel_a", "usr_sa")
	e.AddSeller("sel_b", "usr_sb")
	e.AddSeller("sel_c", "usr_sc")
	e.AddSKU(t, catalog.SKU{SKU: "TEE", SellerID: "sel_a", Price: usd(1500), Options: map[string]string{"size": "M"}, Active: true}, 10)
	e.AddSKU(t, catalog.SKU{SKU: "MUG", SellerID: "sel_a", Price: usd(800), Active: true}, 10)
	e.AddSKU(t, catalog.SKU{SKU: "LAMP", SellerID: "sel_b", Price: usd(6000), Active: true}, 5)
	e.AddSKU(t, catalog.SKU{SKU: "OLD", SellerID: "sel_b", Price: usd(100), Active: false}, 5)
	e.AddSKU(t, catalog.SKU{SKU: "EURO", SellerID: "sel_b", Price: money.New(900, "EUR"), Active: true}, 5)
	e.Addresses.Put(account.Address{ID: "adr_alice", UserID: "usr_alice", Name: "Alice", Line1: "1 Main St",
		City: "Springfield", PostalCode: "12345", Country: "US", Phone: "+1 555 0100"})
	e.Addresses.Put(account.Address{ID: "adr_bob", UserID: "usr_bob", Name: "Bob", Line1: "2 Side St", City: "Shelbyville", Country: "US"})
	return e
}

func place(t *testing.T, e *ordertest.Env, ctx context.Context, lines ...order.LineInput) order.Order {
	t.Helper()
	o, err := e.Orders.Place(ctx, order.PlaceInput{Lines: lines, ShippingAddress: &home})
	if err != nil {
		t.Fatalf("Place: %v", err)
	}
	return o
}

func line(sku string, q int64) order.LineInput { return order.LineInput{SKU: sku, Quantity: q} }

func get(t *testing.T, e *ordertest.Env, id id.Order) order.Order {
	t.Helper()
	d, err := e.Orders.Order(admin, id)
	if err != nil {
		t.Fatalf("Order(%s): %v", id, err)
	}
	return d.Order
}

func pay(t *testing.T, e *ordertest.Env, ctx context.Context, id id.Order, method string) payment.Payment {
	t.Helper()
	p, err := e.Orders.Pay(ctx, order.PayInput{OrderID: id, Method: method})
	if err != nil {
		t.Fatalf("Pay(%s, %s): %v", id, method, err)
	}
	e.Settle(t)
	return p
}

type level struct{ OnHand, Reserved int64 }

func levels(t *testing.T, e *ordertest.Env, skus ...string) map[string]level {
	t.Helper()
	m := map[string]level{}
	for _, s := range skus {
		on, res := e.Level(t, s)
		m[s] = level{on, res}
	}
	return m
}

func partStatuses(o order.Order) []order.SellerStatus {
	var out []order.SellerStatus
	for _, p := range o.SellerOrders {
		out = append(out, p.Status)
	}
	return out
}

func TestPlaceSplitsAndPrices(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		// TEE twice on two lines, from sel_a; LAMP from sel_b.
		o := place(t, e, alice, line("TEE", 1), line("LAMP", 1), line("TEE", 2), line("MUG", 1))
		got := get(t, e, o.ID)
		type part struct {
			Seller                         string
			Lines                          map[string]int64
			Subtotal, Shipping, Tax, Total int64
		}
		var parts []part
		for _, p := range got.SellerOrders {
			pt := part{string(p.SellerID), map[string]int64{}, p.Subtotal.Amount, p.Shipping.Amount, p.Tax.Amount, p.Total.Amount}
			for _, l := range p.Lines {
				pt.Lines[l.SKU] = l.Quantity
				if l.LineTotal.Amount != l.UnitPrice.Amount*l.Quantity {
					t.Errorf("line %s: total %v for %d x %v", l.SKU, l.LineTotal, l.Quantity, l.UnitPrice)
				}
			}
			parts = append(parts, pt)
		}
		// sel_a: 3 x 1500 + 800 = 5300, free shipping at 5000, tax 530.
		// sel_b: 6000, free shipping, tax 600.
		want := []part{
			{"sel_a", map[string]int64{"TEE": 3, "MUG": 1}, 5300, 0, 530, 5830},
			{"sel_b", map[string]int64{"LAMP": 1}, 6000, 0, 600, 6600},
		}
		if diff := cmp.Diff(want, parts); diff != "" {
			t.Errorf("seller orders (-want +got):\n%s", diff)
		}
		if got.Subtotal != usd(11300) || got.Shipping != usd(0) || got.Tax != usd(1130) || got.Total != usd(12430) {
			t.Errorf("totals = %v %v %v %v, want 11300 0 1130 12430", got.Subtotal, got.Shipping, got.Tax, got.Total)
		}
		if got.Status != order.PendingPayment || got.CustomerID != "usr_alice" || got.ShippingAddress != home {
			t.Errorf("order = %s of %s to %+v", got.Status, got.CustomerID, got.ShippingAddress)
		}
		if d := got.ReservationExpiresAt.Sub(got.PlacedAt); d != order.DefaultReservationTTL {
			t.Errorf("reservation lasts %v, want %v", d, order.DefaultReservationTTL)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 3}, "MUG": {10, 1}, "LAMP": {5, 1}}, levels(t, e, "TEE", "MUG", "LAMP")); diff != "" {
			t.Errorf("stock (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{order.TopicPlaced.Name()}, e.Topics(t, string(o.ID))); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		// A small order pays the flat shipping fee.
		small := place(t, e, bob, line("MUG", 1))
		if p := small.SellerOrders[0]; p.Shipping != usd(499) || p.Total != usd(800+499+80) {
			t.Errorf("small order: shipping %v, total %v; want 499 and 1379", p.Shipping, p.Total)
		}
	})
}

func TestPlaceFromCart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		if _, err := e.Orders.Place(alice, order.PlaceInput{AddressID: "adr_alice"}); apperr.CodeOf(err) != "cart_empty" {
			t.Fatalf("Place from an empty cart = %v, want cart_empty", err)
		}
		for _, it := range []cart.ItemInput{{SKU: "TEE", Quantity: 2}, {SKU: "LAMP", Quantity: 1}} {
			if _, err := e.Cart.AddItem(alice, "", it); err != nil {
				t.Fatalf("AddItem: %v", err)
			}
		}
		o, err := e.Orders.Place(alice, order.PlaceInput{AddressID: "adr_alice"})
		if err != nil {
			t.Fatalf("Place from cart: %v", err)
		}
		if len(o.SellerOrders) != 2 || o.ShippingAddress.Name != "Alice" || o.ShippingAddress.Phone != "+1 555 0100" {
			t.Errorf("order from cart = %+v", o)
		}
		if lines, _ := e.Cart.Lines(alice, "usr_alice"); len(lines) != 0 {
			t.Errorf("cart after placing holds %v, want it empty", lines)
		}
		// A refused placement leaves the cart as it was.
		if _, err := e.Cart.AddItem(alice, "", cart.ItemInput{SKU: "LAMP", Quantity: 4}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Stock.SetOnHand(bg, inventory.Item{SKU: "LAMP", ProductID: "prd_LAMP", SellerID: "sel_b"}, "", 2, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Orders.Place(alice, order.PlaceInput{AddressID: "adr_alice"}); apperr.CodeOf(err) != "insufficient_stock" {
			t.Fatalf("Place beyond stock = %v, want insufficient_stock", err)
		}
		if lines, _ := e.Cart.Lines(alice, "usr_alice"); len(lines) != 1 {
			t.Errorf("cart after a refused placement holds %v, want its line", lines)
		}
	})
}

func TestPlaceRefuses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		addr := &home
		bad := order.Address{Name: "X", Line1: "1", City: "C", PostalCode: "1", Country: "ZZ"}
		for _, c := range []struct {
			name string
			ctx  context.Context
			in   order.PlaceInput
			kind apperr.Kind
			code string
		}{
			{"anonymous", bg, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: addr}, apperr.KindUnauthorized, "unauthenticated"},
			{"seller", sellerA, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: addr}, apperr.KindForbidden, "forbidden"},
			{"admin", admin, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: addr}, apperr.KindForbidden, "forbidden"},
			{"delivery", delivery, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: addr}, apperr.KindForbidden, "forbidden"},
			{"support", support, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: addr}, apperr.KindForbidden, "forbidden"},
			{"no address", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}}, apperr.KindInvalid, "validation_failed"},
			{"two addresses", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, AddressID: "adr_alice", ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"bad inline address", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, ShippingAddress: &bad}, apperr.KindInvalid, "validation_failed"},
			{"another's address", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1)}, AddressID: "adr_bob"}, apperr.KindUnprocessable, "address_not_found"},
			{"empty lines", alice, order.PlaceInput{Lines: []order.LineInput{}, ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"zero quantity", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 0)}, ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"1000 units", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1000)}, ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"999 + 1 units", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 999), line("TEE", 1)}, ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"no SKU", alice, order.PlaceInput{Lines: []order.LineInput{line(" ", 1)}, ShippingAddress: addr}, apperr.KindInvalid, "validation_failed"},
			{"unknown SKU", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1), line("NOPE", 1)}, ShippingAddress: addr}, apperr.KindUnprocessable, "sku_unavailable"},
			{"inactive SKU", alice, order.PlaceInput{Lines: []order.LineInput{line("OLD", 1)}, ShippingAddress: addr}, apperr.KindUnprocessable, "sku_unavailable"},
			{"two currencies", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1), line("EURO", 1)}, ShippingAddress: addr}, apperr.KindUnprocessable, "currency_mismatch"},
			{"more than in stock", alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1), line("LAMP", 6)}, ShippingAddress: addr}, apperr.KindConflict, "insufficient_stock"},
			{"summed lines beyond stock", alice, order.PlaceInput{Lines: []order.LineInput{line("LAMP", 3), line("LAMP", 3)}, ShippingAddress: addr}, apperr.KindConflict, "insufficient_stock"},
		} {
			_, err := e.Orders.Place(c.ctx, c.in)
			if apperr.KindOf(err) != c.kind || apperr.CodeOf(err) != c.code {
				t.Errorf("%s: Place = %v (kind %d), want kind %d code %q", c.name, err, apperr.KindOf(err), c.kind, c.code)
			}
		}
		if e, ok := apperr.As(func() error {
			_, err := e.Orders.Place(alice, order.PlaceInput{Lines: []order.LineInput{line("TEE", 1), line("NOPE", 1)}, ShippingAddress: addr})
			return err
		}()); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "lines[1].sku" {
			t.Errorf("unknown SKU error fields = %+v, want lines[1].sku", e)
		}
		// Nothing was written: no order, no stock held.
		if page, err := e.Orders.Orders(admin, order.Query{}); err != nil || len(page.Items) != 0 {
			t.Errorf("orders after refused placements: %v, %v", page.Items, err)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 0}, "LAMP": {5, 0}}, levels(t, e, "TEE", "LAMP")); diff != "" {
			t.Errorf("stock (-want +got):\n%s", diff)
		}
	})
}

func TestPayCommitsStock(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("TEE", 2), line("LAMP", 1))
		if _, err := e.Orders.Pay(bob, order.PayInput{OrderID: o.ID, Method: "tok_visa"}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Pay for another's order = %v, want NotFound", err)
		}
		p := pay(t, e, alice, o.ID, "tok_visa")
		if p.Amount != o.Total || p.OrderID != o.ID {
			t.Errorf("payment = %v for %s, want %v for %s", p.Amount, p.OrderID, o.Total, o.ID)
		}
		got := get(t, e, o.ID)
		if got.Status != order.Paid || got.PaidAt == nil || got.PaymentStatus != "succeeded" {
			t.Errorf("after payment: %s, paid_at %v, payment %s", got.Status, got.PaidAt, got.PaymentStatus)
		}
		if diff := cmp.Diff([]order.SellerStatus{order.SellerAwaitingFulfillment, order.SellerAwaitingFulfillment}, partStatuses(got)); diff != "" {
			t.Errorf("seller orders (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {8, 0}, "LAMP": {4, 0}}, levels(t, e, "TEE", "LAMP")); diff != "" {
			t.Errorf("stock after payment (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{order.TopicPlaced.Name(), payment.TopicSucceeded.Name(), order.TopicPaid.Name(), order.TopicStatusChanged.Name()}, e.Topics(t, string(o.ID))); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		var paid order.PaidEvent
		payload(t, e, string(o.ID), order.TopicPaid.Name(), &paid)
		if len(paid.SellerOrders) != 2 || paid.ShippingAddress != home || paid.SellerOrders[0].Lines[0].Quantity != 2 {
			t.Errorf("order.paid.v1 = %+v", paid)
		}
		d, err := e.Orders.Order(alice, o.ID)
		if err != nil || len(d.Payments) != 1 || d.Payments[0].Status != payment.Succeeded {
			t.Errorf("Order shows payments %+v, %v", d.Payments, err)
		}
		if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "tok_visa"}); apperr.CodeOf(err) != "already_paid" {
			t.Errorf("Pay again = %v, want already_paid", err)
		}
		if creates, _ := e.Charges.Calls(); creates != 1 {
			t.Errorf("gateway charged %d times, want 1", creates)
		}
	})
}

func payload(t *testing.T, e *ordertest.Env, aggregate, topic string, v any) {
	t.Helper()
	var s string
	if err := e.DB.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = $1 AND topic = $2 ORDER BY seq DESC LIMIT 1`,
		aggregate, topic).Scan(&s); err != nil {
		t.Fatalf("no %s event for %s: %v", topic, aggregate, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}

func TestDeclinedThenRetry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("TEE", 1))
		pay(t, e, alice, o.ID, "tok_chargeDeclined")
		got := get(t, e, o.ID)
		if got.Status != order.PendingPayment || got.PaymentStatus != "failed" || got.LastPaymentError == nil || got.LastPaymentError.Code != "generic_decline" {
			t.Fatalf("after a decline: %s, payment %s, error %+v", got.Status, got.PaymentStatus, got.LastPaymentError)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 1}}, levels(t, e, "TEE")); diff != "" {
			t.Errorf("stock after a decline (-want +got):\n%s", diff)
		}
		// A refused method changes nothing on the order.
		if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "4242 4242 4242 4242"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("Pay with a card number = %v, want Invalid", err)
		}
		if got := get(t, e, o.ID); got.PaymentStatus != "failed" {
			t.Errorf("payment status after a refused method = %s, want failed", got.PaymentStatus)
		}
		pay(t, e, alice, o.ID, "tok_visa")
		got = get(t, e, o.ID)
		if got.Status != order.Paid || got.LastPaymentError != nil {
			t.Errorf("after the retry: %s, error %+v", got.Status, got.LastPaymentError)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {9, 0}}, levels(t, e, "TEE")); diff != "" {
			t.Errorf("stock after the retry (-want +got):\n%s", diff)
		}
	})
}

func TestExpiry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		unpaid := place(t, e, alice, line("TEE", 2))
		declined := place(t, e, alice, line("TEE", 1))
		pay(t, e, alice, declined.ID, "tok_chargeDeclined")
		processing := place(t, e, bob, line("MUG", 3))
		if _, err := e.Orders.Pay(bob, order.PayInput{OrderID: processing.ID, Method: "tok_processing"}); err != nil {
			t.Fatal(err)
		}
		paid := place(t, e, bob, line("LAMP", 1))
		pay(t, e, bob, paid.ID, "tok_visa")

		if n, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil || n != 0 {
			t.Fatalf("ExpireReservations before the expiry = %d, %v", n, err)
		}
		e.Clock.Advance(order.DefaultReservationTTL)
		if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: unpaid.ID, Method: "tok_visa"}); apperr.CodeOf(err) != "reservation_expired" {
			t.Errorf("Pay after the expiry = %v, want reservation_expired", err)
		}
		n, err := e.Orders.ExpireReservations(bg, e.Clock.Now())
		if err != nil || n != 2 {
			t.Fatalf("ExpireReservations = %d, %v; want 2 (the open payment keeps its grace)", n, err)
		}
		for _, c := range []struct {
			id   string
			want order.Status
		}{{string(unpaid.ID), order.Cancelled}, {string(declined.ID), order.Cancelled}, {string(processing.ID), order.PendingPayment}, {string(paid.ID), order.Paid}} {
			if got := get(t, e, id.Order(c.id)).Status; got != c.want {
				t.Errorf("order %s is %s, want %s", c.id, got, c.want)
			}
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 0}, "MUG": {10, 3}, "LAMP": {4, 0}}, levels(t, e, "TEE", "MUG", "LAMP")); diff != "" {
			t.Errorf("stock after the expiry (-want +got):\n%s", diff)
		}
		if st := e.Reservation(t, unpaid.ID); st != inventory.Released {
			t.Errorf("reservation of the expired order is %s", st)
		}
		var ev order.CancelledEvent
		payload(t, e, string(unpaid.ID), order.TopicCancelled.Name(), &ev)
		if !ev.Whole || ev.RefundRequired || ev.Reason != order.ReasonExpired || len(ev.SellerOrderIDs) != 1 {
			t.Errorf("order.cancelled.v1 = %+v", ev)
		}
		// After the grace the open payment's order goes too, and the
		// payment that then succeeds is refunded.
		e.Clock.Advance(order.DefaultPaymentGrace)
		if n, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil || n != 1 {
			t.Fatalf("ExpireReservations after the grace = %d, %v; want 1", n, err)
		}
		e.Settle(t) // the gateway settles tok_processing: a late success
		got := get(t, e, processing.ID)
		if got.Status != order.Refunded || got.Refunded != got.Total {
			t.Errorf("late-paid order: %s, refunded %v of %v; want refunded in full", got.Status, got.Refunded, got.Total)
		}
		if diff := cmp.Diff(map[string]level{"MUG": {10, 0}}, levels(t, e, "MUG")); diff != "" {
			t.Errorf("stock of the late-paid order (-want +got):\n%s", diff)
		}
		ps, _ := e.Payments.OrderPayments(bg, processing.ID)
		if len(ps) != 1 || ps[0].Status != payment.Refunded {
			t.Errorf("payments of the late-paid order: %+v", ps)
		}
		// Expiring again finds nothing.
		if n, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil || n != 0 {
			t.Errorf("ExpireReservations again = %d, %v", n, err)
		}
	})
}

func TestCancel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		pending := place(t, e, alice, line("TEE", 2))
		if _, err := e.Orders.Cancel(bob, pending.ID, order.CancelInput{}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Cancel of another's order = %v, want NotFound", err)
		}
		if _, err := e.Orders.Cancel(sellerA, pending.ID, order.CancelInput{}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Cancel by a seller = %v, want NotFound", err)
		}
		got, err := e.Orders.Cancel(alice, pending.ID, order.CancelInput{Reason: "changed my mind"})
		if err != nil || got.Status != order.Cancelled || got.CancelReason != "changed my mind" || got.CancelledAt == nil {
			t.Fatalf("Cancel = %+v, %v", got, err)
		}
		if _, err := e.Orders.Cancel(alice, pending.ID, order.CancelInput{}); apperr.CodeOf(err) != "order_cancelled" {
			t.Errorf("Cancel twice = %v, want order_cancelled", err)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 0}}, levels(t, e, "TEE")); diff != "" {
			t.Errorf("stock after cancelling an unpaid order (-want +got):\n%s", diff)
		}

		paid := place(t, e, alice, line("TEE", 1), line("LAMP", 1))
		pay(t, e, alice, paid.ID, "tok_visa")
		if _, err := e.Orders.Cancel(support, paid.ID, order.CancelInput{}); err != nil {
			t.Fatalf("Cancel by support: %v", err)
		}
		e.Settle(t)
		got = get(t, e, paid.ID)
		if got.Status != order.Refunded || got.Refunded != got.Total || got.CancelReason != order.ReasonStaff {
			t.Errorf("cancelled paid order: %s, refunded %v of %v, reason %q", got.Status, got.Refunded, got.Total, got.CancelReason)
		}
		if diff := cmp.Diff(map[string]level{"TEE": {10, 0}, "LAMP": {5, 0}}, levels(t, e, "TEE", "LAMP")); diff != "" {
			t.Errorf("stock after cancelling a paid order (-want +got):\n%s", diff)
		}

		shipped := place(t, e, alice, line("TEE", 1), line("LAMP", 1))
		pay(t, e, alice, shipped.ID, "tok_visa")
		if err := e.Orders.ShipSellerOrder(bg, shipped.SellerOrders[1].ID, "shp_1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Orders.Cancel(alice, shipped.ID, order.CancelInput{}); apperr.CodeOf(err) != "order_shipped" {
			t.Errorf("Cancel after shipping = %v, want order_shipped", err)
		}
		got = get(t, e, shipped.ID)
		if diff := cmp.Diff([]order.SellerStatus{order.SellerAwaitingFulfillment, order.SellerShipped}, partStatuses(got)); diff != "" || got.Status != order.PartiallyShipped {
			t.Errorf("after a refused cancel: %s (-want +got):\n%s", got.Status, diff)
		}
	})
}

func TestSellerCancel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		unpaid := place(t, e, alice, line("TEE", 1))
		if _, err := e.Orders.CancelSellerOrder(sellerA, unpaid.SellerOrders[0].ID, order.CancelInput{Reason: "no"}); apperr.CodeOf(err) != "not_paid" {
			t.Errorf("seller cancel of an unpaid order = %v, want not_paid", err)
		}
		o := place(t, e, alice, line("TEE", 2), line("LAMP", 1))
		pay(t, e, alice, o.ID, "tok_visa")
		partA, partB := o.SellerOrders[0], o.SellerOrders[1]
		for _, c := range []struct {
			name string
			ctx  context.Context
			id   string
			in   order.CancelInput
			kind apperr.Kind
		}{
			{"another seller's part", sellerB, string(partA.ID), order.CancelInput{Reason: "x"}, apperr.KindNotFound},
			{"a store with no part", sellerC, string(partA.ID), order.CancelInput{Reason: "x"}, apperr.KindNotFound},
			{"a customer", alice, string(partA.ID), order.CancelInput{Reason: "x"}, apperr.KindForbidden},
			{"no reason", sellerA, string(partA.ID), order.CancelInput{}, apperr.KindInvalid},
			{"unknown", sellerA, "sor_missing", order.CancelInput{Reason: "x"}, apperr.KindNotFound},
		} {
			if _, err := e.Orders.CancelSellerOrder(c.ctx, id.SellerOrder(c.id), c.in); apperr.KindOf(err) != c.kind {
				t.Errorf("%s: CancelSellerOrder = %v, want kind %d", c.name, err, c.kind)
			}
		}
		seen, err := e.Orders.CancelSellerOrder(sellerA, partA.ID, order.CancelInput{Reason: "out of stock"})
		if err != nil {
			t.Fatalf("CancelSellerOrder: %v", err)
		}
		if len(seen.SellerOrders) != 1 || seen.SellerOrders[0].Status != order.SellerCancelled || seen.Total != partA.Total {
			t.Errorf("the seller sees %+v", seen)
		}
		e.Settle(t)
		got := get(t, e, o.ID)
		if got.Status != order.Paid || got.Refunded != partA.Total {
			t.Errorf("after sel_a cancelled: %s, refunded %v; want paid, %v", got.Status, got.Refunded, partA.Total)
		}
		// TEE: 2 sold and restocked; 1 held by the unpaid order.
		if diff := cmp.Diff(map[string]level{"TEE": {10, 1}, "LAMP": {4, 0}}, levels(t, e, "TEE", "LAMP")); diff != "" {
			t.Errorf("stock after sel_a cancelled (-want +got):\n%s", diff)
		}
		// A redelivered cancellation refunds nothing more.
		if err := e.Payments.RefundOrderPart(bg, o.ID, string(partA.ID), partA.Total, "again"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Orders.CancelSellerOrder(sellerA, partA.ID, order.CancelInput{Reason: "again"}); apperr.CodeOf(err) != "order_cancelled" {
			t.Errorf("cancelling twice = %v, want order_cancelled", err)
		}
		if _, err := e.Orders.CancelSellerOrder(sellerB, partB.ID, order.CancelInput{Reason: "damaged"}); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
		got = get(t, e, o.ID)
		if got.Status != order.Refunded || got.Refunded != got.Total {
			t.Errorf("after both sellers cancelled: %s, refunded %v of %v", got.Status, got.Refunded, got.Total)
		}
		ps, _ := e.Payments.OrderPayments(bg, o.ID)
		if len(ps) != 1 || len(ps[0].Refunds) != 2 {
			t.Errorf("payments: %+v, want one payment with two refunds", ps)
		}
		// A shipped part cannot be cancelled.
		s := place(t, e, bob, line("MUG", 1))
		pay(t, e, bob, s.ID, "tok_visa")
		if err := e.Orders.ShipSellerOrder(bg, s.SellerOrders[0].ID, "shp_9"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Orders.CancelSellerOrder(sellerA, s.SellerOrders[0].ID, order.CancelInput{Reason: "x"}); apperr.CodeOf(err) != "order_shipped" {
			t.Errorf("seller cancel after shipping = %v, want order_shipped", err)
		}
	})
}

func TestShipAndDeliver(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("TEE", 1), line("LAMP", 1))
		a, b := o.SellerOrders[0].ID, o.SellerOrders[1].ID
		if err := e.Orders.ShipSellerOrder(bg, a, "shp_a"); apperr.CodeOf(err) != "not_shippable" {
			t.Errorf("shipping an unpaid order = %v, want not_shippable", err)
		}
		pay(t, e, alice, o.ID, "tok_visa")
		e.Publish(t, shipmentevent.TopicCreated.Name(), "shp_a", shipmentevent.Created{ShipmentID: "shp_a", OrderID: o.ID, SellerOrderID: a, TrackingID: "TRK-A", Status: "pending"})
		e.Publish(t, shipmentevent.TopicCreated.Name(), "shp_b", shipmentevent.Created{ShipmentID: "shp_b", OrderID: o.ID, SellerOrderID: b, TrackingID: "TRK-B", Status: "pending"})
		e.Settle(t)
		if sh := get(t, e, o.ID).SellerOrders[0].Shipment; sh == nil || *sh != (order.Shipment{ID: "shp_a", Status: "pending", TrackingID: "TRK-A"}) {
			t.Errorf("shipment projection = %+v", sh)
		}
		steps := []struct {
			name   string
			do     func() error
			code   string
			status order.Status
			parts  []order.SellerStatus
		}{
			{"ship a", func() error { return e.Orders.ShipSellerOrder(bg, a, "shp_a") }, "", order.PartiallyShipped,
				[]order.SellerStatus{order.SellerShipped, order.SellerAwaitingFulfillment}},
			{"ship a again", func() error { return e.Orders.ShipSellerOrder(bg, a, "shp_a") }, "", order.PartiallyShipped,
				[]order.SellerStatus{order.SellerShipped, order.SellerAwaitingFulfillment}},
			{"ship a with another shipment", func() error { return e.Orders.ShipSellerOrder(bg, a, "shp_x") }, "not_shippable", order.PartiallyShipped,
				[]order.SellerStatus{order.SellerShipped, order.SellerAwaitingFulfillment}},
			{"a delivered", func() error { return shipment(t, e, o.ID, a, "shp_a", "delivered") }, "", order.PartiallyDelivered,
				[]order.SellerStatus{order.SellerDelivered, order.SellerAwaitingFulfillment}},
			{"ship b", func() error { return e.Orders.ShipSellerOrder(bg, b, "shp_b") }, "", order.PartiallyDelivered,
				[]order.SellerStatus{order.SellerDelivered, order.SellerShipped}},
			{"b in transit", func() error { return shipment(t, e, o.ID, b, "shp_b", "in_transit") }, "", order.PartiallyDelivered,
				[]order.SellerStatus{order.SellerDelivered, order.SellerShipped}},
			{"b delivered", func() error { return shipment(t, e, o.ID, b, "shp_b", "delivered") }, "", order.Delivered,
				[]order.SellerStatus{order.SellerDelivered, order.SellerDelivered}},
			{"b delivered again", func() error { return shipment(t, e, o.ID, b, "shp_b", "delivered") }, "", order.Delivered,
				[]order.SellerStatus{order.SellerDelivered, order.SellerDelivered}},
		}
		for _, st := range steps {
			if err := st.do(); apperr.CodeOf(err) != st.code || st.code == "" && err != nil {
				t.Fatalf("%s: %v, want code %q", st.name, err, st.code)
			}
			got := get(t, e, o.ID)
			if got.Status != st.status {
				t.Errorf("%s: order is %s, want %s", st.name, got.Status, st.status)
			}
			if diff := cmp.Diff(st.parts, partStatuses(got)); diff != "" {
				t.Errorf("%s: seller orders (-want +got):\n%s", st.name, diff)
			}
		}
		delivered := 0
		for _, topic := range e.Topics(t, string(o.ID)) {
			if topic == order.TopicDelivered.Name() {
				delivered++
			}
		}
		if delivered != 1 {
			t.Errorf("order.delivered.v1 published %d times, want 1", delivered)
		}
		if sh := get(t, e, o.ID).SellerOrders[1].Shipment; sh == nil || *sh != (order.Shipment{ID: "shp_b", Status: "delivered", TrackingID: "TRK-B"}) {
			t.Errorf("shipment projection of b = %+v", sh)
		}

		// A parcel returned to its seller.
		r := place(t, e, bob, line("MUG", 1))
		pay(t, e, bob, r.ID, "tok_visa")
		if err := e.Orders.ShipSellerOrder(bg, r.SellerOrders[0].ID, "shp_r"); err != nil {
			t.Fatal(err)
		}
		if err := shipment(t, e, r.ID, r.SellerOrders[0].ID, "shp_r", "returned_to_seller"); err != nil {
			t.Fatal(err)
		}
		// Its only parcel came back: the order ends cancelled, then
		// refunded once its refund is done.
		got := get(t, e, r.ID)
		if got.SellerOrders[0].Status != order.SellerReturned || got.Status != order.Refunded || got.Refunded != r.Total ||
			got.CancelReason != order.ReasonUndelivered || got.CancelledAt == nil {
			t.Errorf("returned parcel: order %s (refunded %v, reason %q), seller order %s; want refunded %v, returned",
				got.Status, got.Refunded, got.CancelReason, got.SellerOrders[0].Status, r.Total)
		}
		var cancelled order.CancelledEvent
		payload(t, e, string(r.ID), order.TopicCancelled.Name(), &cancelled)
		if !cancelled.Whole || !cancelled.RefundRequired || cancelled.Reason != order.ReasonUndelivered {
			t.Errorf("order.cancelled.v1 = %+v, want whole, refund required, undelivered", cancelled)
		}
		// A cancelled seller order refuses to ship.
		c := place(t, e, bob, line("MUG", 1))
		pay(t, e, bob, c.ID, "tok_visa")
		if _, err := e.Orders.Cancel(bob, c.ID, order.CancelInput{}); err != nil {
			t.Fatal(err)
		}
		if err := e.Orders.ShipSellerOrder(bg, c.SellerOrders[0].ID, "shp_c"); apperr.CodeOf(err) != "order_cancelled" {
			t.Errorf("shipping a cancelled order = %v, want order_cancelled", err)
		}
		e.Settle(t)
	})
}

// shipment publishes a shipment.status_changed.v1 as the shipment module
// would and delivers it.
func shipment(t *testing.T, e *ordertest.Env, orderID id.Order, sellerOrderID id.SellerOrder, shipmentID id.Shipment, status string) error {
	t.Helper()
	e.Publish(t, shipmentevent.TopicStatusChanged.Name(), string(shipmentID), map[string]any{
		"shipment_id": shipmentID, "order_id": orderID, "seller_order_id": sellerOrderID, "status": status, "at": time.Now().UTC(),
	})
	e.Settle(t)
	return nil
}

func TestCancelRacesHandover(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		for i := range 10 {
			o := place(t, e, alice, line("MUG", 1))
			pay(t, e, alice, o.ID, "tok_visa")
			var cancelErr, shipErr error
			var wg sync.WaitGroup
			wg.Go(func() { _, cancelErr = e.Orders.Cancel(alice, o.ID, order.CancelInput{}) })
			wg.Go(func() { shipErr = e.Orders.ShipSellerOrder(bg, o.SellerOrders[0].ID, "shp_race") })
			wg.Wait()
			if (cancelErr == nil) == (shipErr == nil) {
				t.Fatalf("round %d: cancel = %v, ship = %v; want exactly one to win", i, cancelErr, shipErr)
			}
			got := get(t, e, o.ID)
			if cancelErr == nil && (got.Status != order.Cancelled || apperr.CodeOf(shipErr) != "order_cancelled") ||
				shipErr == nil && (got.Status != order.Shipped || apperr.CodeOf(cancelErr) != "order_shipped") {
				t.Errorf("round %d: order %s; cancel = %v, ship = %v", i, got.Status, cancelErr, shipErr)
			}
			e.Settle(t)
		}
	})
}

func TestVisibility(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("TEE", 1), line("LAMP", 1))
		pay(t, e, alice, o.ID, "tok_visa")
		place(t, e, bob, line("MUG", 1))
		for _, c := range []struct {
			who      string
			ctx      context.Context
			kind     apperr.Kind // 0: seen
			parts    int
			payments int
		}{
			{"owner", alice, 0, 2, 1},
			{"another customer", bob, apperr.KindNotFound, 0, 0},
			{"seller involved", sellerB, 0, 1, 0},
			{"another seller", sellerC, apperr.KindNotFound, 0, 0},
			{"support", support, 0, 2, 1},
			{"admin", admin, 0, 2, 1},
			{"delivery partner", delivery, apperr.KindNotFound, 0, 0},
			{"anonymous", bg, apperr.KindUnauthorized, 0, 0},
		} {
			d, err := e.Orders.Order(c.ctx, o.ID)
			if c.kind != 0 {
				if apperr.KindOf(err) != c.kind {
					t.Errorf("%s: Order = %v, want kind %d", c.who, err, c.kind)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: Order: %v", c.who, err)
				continue
			}
			if len(d.Order.SellerOrders) != c.parts || len(d.Payments) != c.payments {
				t.Errorf("%s sees %d parts and %d payments, want %d and %d", c.who, len(d.Order.SellerOrders), len(d.Payments), c.parts, c.payments)
			}
		}
		d, _ := e.Orders.Order(sellerB, o.ID)
		if p := d.Order.SellerOrders[0]; p.SellerID != "sel_b" || d.Order.Total != p.Total || d.Order.Subtotal != p.Subtotal {
			t.Errorf("seller view: part of %s, totals %v/%v vs part %v/%v", p.SellerID, d.Order.Subtotal, d.Order.Total, p.Subtotal, p.Total)
		}
		if _, err := e.Orders.Order(alice, "ord_missing"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("missing order = %v, want NotFound", err)
		}

		// Lists.
		count := func(ctx context.Context, q order.Query) int {
			t.Helper()
			p, err := e.Orders.Orders(ctx, q)
			if err != nil {
				t.Fatalf("Orders: %v", err)
			}
			return len(p.Items)
		}
		for _, c := range []struct {
			who  string
			ctx  context.Context
			q    order.Query
			want int
		}{
			{"alice", alice, order.Query{}, 1},
			{"alice, paid", alice, order.Query{Status: "paid"}, 1},
			{"alice, cancelled", alice, order.Query{Status: "cancelled"}, 0},
			{"bob", bob, order.Query{}, 1},
			{"admin", admin, order.Query{}, 2},
			{"support", support, order.Query{}, 2},
			{"sel_a", sellerA, order.Query{}, 2},
			{"sel_a awaiting", sellerA, order.Query{Status: "awaiting_fulfillment"}, 1},
			{"sel_b", sellerB, order.Query{}, 1},
			{"sel_c", sellerC, order.Query{}, 0},
		} {
			if got := count(c.ctx, c.q); got != c.want {
				t.Errorf("%s: %d orders, want %d", c.who, got, c.want)
			}
		}
		if _, err := e.Orders.Orders(delivery, order.Query{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("delivery lists orders: %v, want Forbidden", err)
		}
		if _, err := e.Orders.Orders(alice, order.Query{Status: "bogus"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("bad status filter = %v, want Invalid", err)
		}
		q, err := e.Orders.SellerOrders(sellerA, order.Query{Limit: 1})
		if err != nil || len(q.Items) != 1 || q.NextCursor == "" {
			t.Fatalf("SellerOrders page 1 = %+v, %v", q, err)
		}
		q2, err := e.Orders.SellerOrders(sellerA, order.Query{Limit: 1, Cursor: q.NextCursor})
		if err != nil || len(q2.Items) != 1 || q2.NextCursor != "" || q2.Items[0].ID == q.Items[0].ID {
			t.Errorf("SellerOrders page 2 = %+v, %v", q2, err)
		}
		for _, it := range append(q.Items, q2.Items...) {
			if it.SellerID != "sel_a" || len(it.Lines) == 0 || it.ShippingAddress.Name == "" {
				t.Errorf("queue item %+v", it)
			}
		}
		if _, err := e.Orders.SellerOrders(alice, order.Query{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a customer's seller queue = %v, want Forbidden", err)
		}
	})
}

// TestSweeperBackstop: inventory's own sweeper releases the stock of an
// order whose payment hung past the grace period; when the payment then
// succeeds the order is cancelled and refunded rather than paid without
// stock.
func TestSweeperBackstop(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("LAMP", 2))
		if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "tok_processing"}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(order.DefaultReservationTTL + order.DefaultPaymentGrace - time.Second)
		if n, err := e.Inventory.ReleaseExpired(bg, e.Clock.Now()); err != nil || n != 0 {
			t.Fatalf("inventory released %d reservations (%v) before the order's grace ran out", n, err)
		}
		e.Clock.Advance(time.Second)
		if n, err := e.Inventory.ReleaseExpired(bg, e.Clock.Now()); err != nil || n != 1 {
			t.Fatalf("inventory sweeper = %d, %v; want 1", n, err)
		}
		e.Settle(t) // the payment succeeds now
		got := get(t, e, o.ID)
		if got.Status != order.Refunded || got.Refunded != got.Total || got.PaidAt != nil {
			t.Errorf("order paid after its stock was swept: %s, refunded %v of %v, paid_at %v", got.Status, got.Refunded, got.Total, got.PaidAt)
		}
		if diff := cmp.Diff(map[string]level{"LAMP": {5, 0}}, levels(t, e, "LAMP")); diff != "" {
			t.Errorf("stock (-want +got):\n%s", diff)
		}
	})
}

// refundReturn publishes a return.refunded.v1 as the support module would
// and delivers it.
func refundReturn(t *testing.T, e *ordertest.Env, returnID id.Return, orderID id.Order, sellerOrderID id.SellerOrder, refund int64, lines ...supportevent.ReturnLine) {
	t.Helper()
	r := usd(refund)
	e.Publish(t, supportevent.TopicReturnRefunded.Name(), string(returnID), supportevent.Return{ReturnID: returnID, OrderID: orderID,
		SellerOrderID: sellerOrderID, CustomerID: "usr_alice", Status: "refunded", Lines: lines, Refund: &r, At: time.Now().UTC()})
	e.Settle(t)
}

func returned(sku string, q int64) supportevent.ReturnLine {
	return supportevent.ReturnLine{SKU: sku, ProductID: id.Product("prd_" + sku), Quantity: q, Reason: "damaged", Condition: "damaged"}
}

// returnedUnits maps each SKU of o to its returned units.
func returnedUnits(o order.Order) map[string]int64 {
	m := map[string]int64{}
	for _, p := range o.SellerOrders {
		for _, l := range p.Lines {
			m[l.SKU] = l.Returned
		}
	}
	return m
}

func TestReturns(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("TEE", 2), line("MUG", 1), line("LAMP", 1))
		a, b := o.SellerOrders[0].ID, o.SellerOrders[1].ID
		pay(t, e, alice, o.ID, "tok_visa")
		for _, so := range []id.SellerOrder{a, b} {
			if err := e.Orders.ShipSellerOrder(bg, so, id.Shipment("shp_"+so)); err != nil {
				t.Fatal(err)
			}
		}
		if err := shipment(t, e, o.ID, a, id.Shipment("shp_"+a), "delivered"); err != nil {
			t.Fatal(err)
		}

		// OrderOfPart: the whole order, for other modules.
		whole, err := e.Orders.OrderOfPart(bg, b)
		if err != nil || whole.ID != o.ID || len(whole.SellerOrders) != 2 || whole.Status != order.PartiallyDelivered {
			t.Errorf("OrderOfPart(%s) = %s (%s, %d parts), %v", b, whole.ID, whole.Status, len(whole.SellerOrders), err)
		}
		if _, err := e.Orders.OrderOfPart(bg, "sor_missing"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("OrderOfPart(missing) = %v, want NotFound", err)
		}

		steps := []struct {
			name     string
			do       func()
			status   order.Status
			returned map[string]int64
			refunded [2]int64 // of a and b
		}{
			{"one tee back", func() { refundReturn(t, e, "ret_1", o.ID, a, 1650, returned("TEE", 1)) },
				order.PartiallyReturned, map[string]int64{"TEE": 1, "MUG": 0, "LAMP": 0}, [2]int64{1650, 0}},
			{"unknown SKU, seller order and order", func() {
				refundReturn(t, e, "ret_2", o.ID, a, 0, returned("NOPE", 1))
				refundReturn(t, e, "ret_3", o.ID, "sor_missing", 100, returned("TEE", 1))
				refundReturn(t, e, "ret_4", "ord_missing", a, 100, returned("TEE", 1))
			}, order.PartiallyReturned, map[string]int64{"TEE": 1, "MUG": 0, "LAMP": 0}, [2]int64{1650, 0}},
			{"the other part delivered", func() {
				if err := shipment(t, e, o.ID, b, id.Shipment("shp_"+b), "delivered"); err != nil {
					t.Fatal(err)
				}
			}, order.PartiallyReturned, map[string]int64{"TEE": 1, "MUG": 0, "LAMP": 0}, [2]int64{1650, 0}},
			{"the rest of a, more tees than ordered", func() { refundReturn(t, e, "ret_5", "", a, 2530, returned("TEE", 5), returned("MUG", 1)) },
				order.PartiallyReturned, map[string]int64{"TEE": 2, "MUG": 1, "LAMP": 0}, [2]int64{4180, 0}},
			{"the lamp", func() { refundReturn(t, e, "ret_6", o.ID, b, 6600, returned("LAMP", 1)) },
				order.Returned, map[string]int64{"TEE": 2, "MUG": 1, "LAMP": 1}, [2]int64{4180, 6600}},
		}
		for _, st := range steps {
			st.do()
			got := get(t, e, o.ID)
			if got.Status != st.status {
				t.Errorf("%s: order is %s, want %s", st.name, got.Status, st.status)
			}
			if diff := cmp.Diff(st.returned, returnedUnits(got)); diff != "" {
				t.Errorf("%s: returned units (-want +got):\n%s", st.name, diff)
			}
			if r := [2]int64{got.SellerOrders[0].Refunded.Amount, got.SellerOrders[1].Refunded.Amount}; r != st.refunded {
				t.Errorf("%s: refunded %v, want %v", st.name, r, st.refunded)
			}
		}
		// The seller orders keep their status.
		if diff := cmp.Diff([]order.SellerStatus{order.SellerDelivered, order.SellerDelivered}, partStatuses(get(t, e, o.ID))); diff != "" {
			t.Errorf("seller orders (-want +got):\n%s", diff)
		}

		// The status moves were published, once each.
		var moves []string
		rows, err := e.DB.Read().Query(`SELECT payload FROM event_outbox WHERE aggregate = $1 AND topic = $2 ORDER BY seq`,
			o.ID, order.TopicStatusChanged.Name())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var ev order.StatusChanged
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(s), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.OrderID != o.ID || ev.CustomerID != "usr_alice" {
				t.Errorf("order.status_changed.v1 = %+v", ev)
			}
			moves = append(moves, string(ev.PreviousStatus)+" -> "+string(ev.Status))
		}
		rows.Close()
		if diff := cmp.Diff([]string{"pending_payment -> paid", "paid -> partially_shipped", "partially_shipped -> shipped",
			"shipped -> partially_delivered", "partially_delivered -> partially_returned", "partially_returned -> returned"}, moves); diff != "" {
			t.Errorf("status moves (-want +got):\n%s", diff)
		}

		// A redelivered event changes nothing: it was applied once.
		var ev event.Event
		var p string
		if err := e.DB.Read().QueryRow(`SELECT id, topic, aggregate, payload FROM event_outbox WHERE aggregate = $1 AND topic = $2`,
			"ret_1", supportevent.TopicReturnRefunded.Name()).Scan(&ev.ID, &ev.Topic, &ev.Aggregate, &p); err != nil {
			t.Fatal(err)
		}
		ev.Payload = json.RawMessage(p)
		ret, err := supportevent.TopicReturnRefunded.Decode(ev)
		if err != nil {
			t.Fatal(err)
		}
		before := get(t, e, o.ID)
		if err := e.Orders.OnReturnRefunded(bg, ev, ret); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
		if diff := cmp.Diff(before, get(t, e, o.ID)); diff != "" {
			t.Errorf("order after a redelivered return (-before +after):\n%s", diff)
		}
		// The same return under a new event ID would count again, capped.
		ev.ID = "evt_other"
		if err := e.Orders.OnReturnRefunded(bg, ev, ret); err != nil {
			t.Fatalf("another event: %v", err)
		}
		if got := get(t, e, o.ID); got.SellerOrders[0].Lines[0].Returned != 2 || got.Status != order.Returned {
			t.Errorf("after a second event: %d tees returned, order %s", got.SellerOrders[0].Lines[0].Returned, got.Status)
		}
	})
}

// TestReturnWhileShipping: a refund on a part that was never delivered (a
// lost parcel refunded without receipt) is recorded but leaves the status
// to the parts' deliveries.
func TestReturnWhileShipping(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		o := place(t, e, alice, line("MUG", 1))
		pay(t, e, alice, o.ID, "tok_visa")
		part := o.SellerOrders[0].ID
		if err := e.Orders.ShipSellerOrder(bg, part, "shp_1"); err != nil {
			t.Fatal(err)
		}
		refundReturn(t, e, "ret_1", o.ID, part, 880, returned("MUG", 1))
		if got := get(t, e, o.ID); got.Status != order.Shipped || got.SellerOrders[0].Lines[0].Returned != 1 {
			t.Errorf("refund of a parcel on its way: order %s, %d returned", got.Status, got.SellerOrders[0].Lines[0].Returned)
		}
		if err := shipment(t, e, o.ID, part, "shp_1", "delivered"); err != nil {
			t.Fatal(err)
		}
		if got := get(t, e, o.ID); got.Status != order.Returned {
			t.Errorf("delivered after its refund: order %s, want returned", got.Status)
		}
	})
}
