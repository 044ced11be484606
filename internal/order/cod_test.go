package order_test

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestCashOnDelivery: an order paid in cash is confirmed at once (stock
// committed, each seller order's cash due on order.paid.v1); when one parcel
// is delivered and the other refused at the door, the payment is captured
// for the delivered part only and the refused part's stock comes back.
func TestCashOnDelivery(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		before := levels(t, e, "TEE", "LAMP")
		o := place(t, e, alice, line("TEE", 2), line("LAMP", 1))
		p := pay(t, e, alice, o.ID, payment.MethodCOD)
		if p.Status != payment.Authorized || p.Gateway != payment.CODGateway {
			t.Fatalf("Pay cod = %s via %s, want authorized via cod", p.Status, p.Gateway)
		}
		got := get(t, e, o.ID)
		if got.Status != order.Paid || got.PaymentStatus != string(payment.Authorized) {
			t.Fatalf("after the authorisation the order is %s, payment %s; want paid, authorized", got.Status, got.PaymentStatus)
		}
		if l := levels(t, e, "TEE"); l["TEE"].OnHand != before["TEE"].OnHand-2 || l["TEE"].Reserved != 0 {
			t.Errorf("TEE stock after a cash order = %+v, want committed (on hand %d, reserved 0)", l["TEE"], before["TEE"].OnHand-2)
		}
		var paid order.PaidEvent
		payload(t, e, string(o.ID), order.TopicPaid.Name(), &paid)
		if !paid.CashOnDelivery || len(paid.SellerOrders) != 2 {
			t.Fatalf("order.paid.v1 = %+v, want cash on delivery with two seller orders", paid)
		}
		for i, so := range paid.SellerOrders {
			if so.CashDue == nil || *so.CashDue != got.SellerOrders[i].Total {
				t.Errorf("seller order %s cash due %v, want its total %v", so.SellerOrderID, so.CashDue, got.SellerOrders[i].Total)
			}
		}
		a, b := got.SellerOrders[0], got.SellerOrders[1]
		if err := e.Orders.ShipSellerOrder(bg, a.ID, "shp_a"); err != nil {
			t.Fatal(err)
		}
		if err := e.Orders.ShipSellerOrder(bg, b.ID, "shp_b"); err != nil {
			t.Fatal(err)
		}
		_ = shipment(t, e, o.ID, a.ID, "shp_a", "delivered")
		if got := get(t, e, o.ID); got.PaymentStatus != string(payment.Authorized) {
			t.Errorf("with a parcel still out the payment is %s, want still authorized", got.PaymentStatus)
		}
		_ = shipment(t, e, o.ID, b.ID, "shp_b", "returned_to_seller")
		got = get(t, e, o.ID)
		if got.PaymentStatus != string(payment.Succeeded) {
			t.Errorf("once every parcel is settled the payment is %s, want succeeded", got.PaymentStatus)
		}
		ps, err := e.Payments.OrderPayments(bg, o.ID)
		if err != nil || len(ps) != 1 || ps[0].Captured != a.Total {
			t.Fatalf("payments = %+v %v, want one captured for the delivered part, %v", ps, err, a.Total)
		}
		if got.SellerOrders[1].Status != order.SellerReturned {
			t.Errorf("the refused part is %s, want returned", got.SellerOrders[1].Status)
		}
		if l := levels(t, e, "LAMP"); l["LAMP"] != before["LAMP"] {
			t.Errorf("LAMP stock after the parcel came back = %+v, want %+v", l["LAMP"], before["LAMP"])
		}
		if got.Refunded != money.New(0, "USD") {
			t.Errorf("refunded = %v, want nothing (nothing of the refused part was paid)", got.Refunded)
		}
		if got.Status != order.Delivered {
			t.Errorf("with one part delivered and the other refused the order is %s, want delivered", got.Status)
		}

		// A cash order whose only parcel is refused ends cancelled, its
		// payment voided.
		one := place(t, e, alice, line("MUG", 1))
		pay(t, e, alice, one.ID, payment.MethodCOD)
		part := get(t, e, one.ID).SellerOrders[0]
		if err := e.Orders.ShipSellerOrder(bg, part.ID, "shp_one"); err != nil {
			t.Fatal(err)
		}
		_ = shipment(t, e, one.ID, part.ID, "shp_one", "returned_to_seller")
		got = get(t, e, one.ID)
		if got.Status != order.Cancelled || got.PaymentStatus != string(payment.Voided) || got.CancelReason != order.ReasonUndelivered {
			t.Errorf("refused cash order: %s, payment %s, reason %q; want cancelled, voided, undelivered", got.Status, got.PaymentStatus, got.CancelReason)
		}
	})
}
