package order_test

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// manual is an order module whose card payments (the test gateway's) are
// authorised at checkout and captured later.
func manual(t *testing.T, db *sqldb.DB) *ordertest.Env {
	return setupWrapped(t, db, ordertest.Wrap{Payments: func(o *payment.Options) {
		o.ManualCapture = map[string]bool{testgateway.Name: true}
	}})
}

// TestManualCapture: a card authorised at checkout confirms the order as
// cash on delivery does (stock committed, paid, payment authorized), but
// is captured when the parcels are handed over, for the seller orders
// handed over; a seller order cancelled meanwhile is left out (nothing of
// it was taken, so nothing is refunded); an order cancelled before any
// handover is voided at the gateway.
func TestManualCapture(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := manual(t, db)
		before := levels(t, e, "TEE", "LAMP")
		o := place(t, e, alice, line("TEE", 2), line("LAMP", 1))
		p := pay(t, e, alice, o.ID, "tok_visa")
		ps, err := e.Payments.OrderPayments(bg, o.ID)
		if err != nil || len(ps) != 1 || ps[0].Status != payment.Authorized || !ps[0].ManualCapture || ps[0].ID != p.ID {
			t.Fatalf("payments after paying = %+v, %v; want one authorized for manual capture", ps, err)
		}
		got := get(t, e, o.ID)
		if got.Status != order.Paid || got.PaymentStatus != string(payment.Authorized) || got.CashOnDelivery {
			t.Fatalf("order after the authorisation: %s, payment %s, cash %v; want paid, authorized, not cash", got.Status, got.PaymentStatus, got.CashOnDelivery)
		}
		if l := levels(t, e, "TEE"); l["TEE"].OnHand != before["TEE"].OnHand-2 || l["TEE"].Reserved != 0 {
			t.Errorf("TEE stock after the authorisation = %+v, want committed", l["TEE"])
		}
		var paid order.PaidEvent
		payload(t, e, string(o.ID), order.TopicPaid.Name(), &paid)
		if paid.CashOnDelivery || paid.SellerOrders[0].CashDue != nil {
			t.Errorf("order.paid.v1 = %+v, want no cash on delivery and no cash due", paid)
		}
		a, b := got.SellerOrders[0], got.SellerOrders[1]
		if err := e.Orders.ShipSellerOrder(bg, a.ID, "shp_a"); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
		if got := get(t, e, o.ID); got.PaymentStatus != string(payment.Authorized) {
			t.Errorf("with a seller order still to hand over the payment is %s, want authorized", got.PaymentStatus)
		}
		if _, err := e.Orders.CancelSellerOrder(sellerB, b.ID, order.CancelInput{Reason: "out of stock"}); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
		var cancelled order.CancelledEvent
		payload(t, e, string(o.ID), order.TopicCancelled.Name(), &cancelled)
		if cancelled.RefundRequired || !cancelled.Authorized || cancelled.CashOnDelivery {
			t.Errorf("order.cancelled.v1 = %+v, want authorized only: no refund, not cash", cancelled)
		}
		got = get(t, e, o.ID)
		if got.PaymentStatus != string(payment.Succeeded) || got.Refunded != money.New(0, "USD") {
			t.Errorf("after the last handover: payment %s, refunded %v; want succeeded, nothing refunded", got.PaymentStatus, got.Refunded)
		}
		ps, _ = e.Payments.OrderPayments(bg, o.ID)
		if ps[0].Status != payment.Succeeded || ps[0].Captured != a.Total {
			t.Errorf("payment %s captured %v, want succeeded for the handed-over part %v", ps[0].Status, ps[0].Captured, a.Total)
		}

		// A single-seller order is captured at its handover, in full.
		one := place(t, e, alice, line("MUG", 1))
		pay(t, e, alice, one.ID, "tok_visa")
		part := get(t, e, one.ID).SellerOrders[0]
		if err := e.Orders.ShipSellerOrder(bg, part.ID, "shp_one"); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
		if ps, _ := e.Payments.OrderPayments(bg, one.ID); ps[0].Status != payment.Succeeded || ps[0].Captured != one.Total {
			t.Errorf("single-seller order: payment %s captured %v, want succeeded for %v", ps[0].Status, ps[0].Captured, one.Total)
		}

		// Cancelled before any handover: voided, at the gateway too.
		gone := place(t, e, alice, line("MUG", 1))
		pay(t, e, alice, gone.ID, "tok_visa")
		if _, err := e.Orders.Cancel(alice, gone.ID, order.CancelInput{Reason: "changed my mind"}); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
		ps, _ = e.Payments.OrderPayments(bg, gone.ID)
		if ps[0].Status != payment.Voided {
			t.Fatalf("cancelled order's payment is %s, want voided", ps[0].Status)
		}
		in, err := e.Gateway.Intent(bg, ps[0].GatewayIntentID)
		if err != nil || in.Status != payment.IntentCanceled {
			t.Errorf("the gateway's intent = %+v, %v; want canceled", in, err)
		}
		if got := get(t, e, gone.ID); got.Refunded != money.New(0, "USD") {
			t.Errorf("cancelled order refunded %v, want nothing (nothing was taken)", got.Refunded)
		}
	})
}
