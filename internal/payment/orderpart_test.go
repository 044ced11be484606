package payment_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/paymenttest"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestRefundOrderPart checks the order module's partial refunds: once per
// part however often asked, capped at what is left, and RefundOrder takes
// the rest.
func TestRefundOrderPart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, paymentsql.Migrate, testgateway.Migrate} {
			if err := m(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		router := rest.NewRouter()
		gw := testgateway.New(db, testgateway.Options{Logger: log, Deliver: paymenthttp.Loopback(router, testgateway.Name)})
		count := &paymenttest.Counting{Gateway: gw}
		svc := payment.New(paymentsql.New(db), count, payment.Options{Logger: log})
		paymenthttp.New(svc).Routes(router)
		m := func(n int64) money.Money { return money.New(n, "USD") }

		if err := svc.RefundOrderPart(ctx, "ord_p", "sor_1", m(100), ""); err != nil {
			t.Fatalf("RefundOrderPart before any payment = %v, want nil", err)
		}
		p, err := svc.Start(ctx, payment.Start{OrderID: "ord_p", CustomerID: "usr_c", Amount: m(1000), Method: "tok_visa"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gw.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := svc.RefundOrderPart(ctx, "ord_p", "sor_1", m(300), "seller cancelled"); err != nil {
				t.Fatalf("RefundOrderPart #%d: %v", i, err)
			}
		}
		if err := svc.RefundOrderPart(ctx, "ord_p", "return:ret_1", m(200), "returned"); err != nil {
			t.Fatal(err)
		}
		if err := svc.RefundOrderPart(ctx, "ord_p", "sor_2", m(900), "seller cancelled"); err != nil {
			t.Fatal(err)
		}
		if err := svc.RefundOrderPart(ctx, "ord_p", "sor_3", m(100), ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.RefundOrderPart(ctx, "ord_p", "", m(100), ""); err == nil {
			t.Errorf("RefundOrderPart without a part succeeded")
		}
		ps, err := svc.OrderPayments(ctx, "ord_p")
		if err != nil || len(ps) != 1 {
			t.Fatalf("OrderPayments = %v, %v", ps, err)
		}
		got := ps[0]
		var amounts []int64
		for _, r := range got.Refunds {
			amounts = append(amounts, r.Amount.Amount)
			if r.Status != payment.RefundSucceeded {
				t.Errorf("refund %s is %s", r.ID, r.Status)
			}
		}
		// sor_1 once (300), the return 200, sor_2 capped at the 500 left,
		// sor_3 nothing left.
		if len(amounts) != 3 || amounts[0] != 300 || amounts[1] != 200 || amounts[2] != 500 || got.Status != payment.Refunded || got.ID != p.ID {
			t.Fatalf("refunds %v, status %s; want [300 200 500], refunded", amounts, got.Status)
		}
		// Each knows where it comes from: a seller order's cancellation
		// (charged to it) or a return (booked from its own event).
		for i, want := range []struct {
			origin payment.RefundOrigin
			so     id.SellerOrder
		}{{payment.OriginCancellation, "sor_1"}, {payment.OriginReturn, ""}, {payment.OriginCancellation, "sor_2"}} {
			if r := got.Refunds[i]; r.Origin != want.origin || r.SellerOrderID != want.so {
				t.Errorf("refund %d: origin %q seller order %q, want %q %q", i, r.Origin, r.SellerOrderID, want.origin, want.so)
			}
		}
		if got.Refunds[0].ID != id.Refund(payment.PartRefundID(p.ID, "sor_1")) {
			t.Errorf("refund ID %s, want the one derived from the part", got.Refunds[0].ID)
		}
		if _, refunds := count.Calls(); refunds != 3 {
			t.Errorf("gateway refund calls = %d, want 3", refunds)
		}
	})
}
