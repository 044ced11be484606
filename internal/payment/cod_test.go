package payment_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// oneStore maps every seller user to the store named after it.
type oneStore struct{}

func (oneStore) SellerOfUser(_ context.Context, u id.User) (id.Seller, error) {
	return id.Seller("sel_" + string(u)), nil
}

func codService(t *testing.T, db *sqldb.DB) *payment.Service {
	t.Helper()
	e := newEnv(t, db)
	lim, err := payment.ParseCODLimits("USD:300,*:100")
	if err != nil {
		t.Fatal(err)
	}
	return payment.New(paymentsql.New(db), e.count, payment.Options{Now: e.clock.Now, Logger: quiet,
		COD: &payment.CODPolicy{Limits: lim}, Sellers: oneStore{}})
}

func codStart(orderID id.Order, amount int64, sellers ...id.Seller) payment.Start {
	return payment.Start{OrderID: orderID, CustomerID: "usr_c", Amount: usd(amount), Method: payment.MethodCOD, Sellers: sellers}
}

func TestCashOnDeliveryAuthorisesThenCapturesWhatWasCollected(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc := codService(t, db)
		p, err := svc.Start(bg, codStart("ord_cod1", 25000, "sel_a", "sel_b"))
		if err != nil {
			t.Fatalf("Start cod: %v", err)
		}
		if p.Status != payment.Authorized || p.Gateway != payment.CODGateway || p.Method != "cod" {
			t.Fatalf("Start cod = %s via %s (%s), want authorized via cod", p.Status, p.Gateway, p.Method)
		}
		var ev payment.AuthorizedEvent
		(&env{db: db}).payload(t, "ord_cod1", payment.TopicAuthorized.Name(), &ev)
		want := payment.AuthorizedEvent{PaymentID: p.ID, OrderID: "ord_cod1", CustomerID: "usr_c", Amount: usd(25000), Gateway: "cod", Method: "cod"}
		if diff := cmp.Diff(want, ev); diff != "" || !ev.CashOnDelivery() {
			t.Errorf("authorized event (-want +got):\n%s", diff)
		}
		if _, err := svc.Start(bg, codStart("ord_cod1", 25000)); apperr.CodeOf(err) != "already_paid" {
			t.Errorf("Start again on a confirmed order = %v, want already_paid", err)
		}
		// One seller order was refused at the door: the other's 180.00 was collected.
		got, err := svc.SettleOnDelivery(bg, "ord_cod1", usd(18000))
		if err != nil {
			t.Fatalf("SettleOnDelivery: %v", err)
		}
		if got.Status != payment.Succeeded || got.Captured != usd(18000) {
			t.Errorf("settled = %s captured %v, want succeeded 180.00 USD", got.Status, got.Captured)
		}
		again, err := svc.SettleOnDelivery(bg, "ord_cod1", usd(18000))
		if err != nil || again.Version != got.Version {
			t.Errorf("settling again = v%d %v, want the same payment unchanged (v%d)", again.Version, err, got.Version)
		}
		// A refund after delivery comes out of what was collected.
		fifty := usd(5000)
		r, err := svc.Refund(admin, got.ID, payment.RefundRequest{Amount: &fifty, Reason: "damaged"})
		if err != nil || r.Refunded != usd(5000) {
			t.Errorf("refund of a cash payment = %v refunded %v, want 50.00 USD", err, r.Refunded)
		}
	})
}

func TestCashOnDeliveryVoidedWhenNothingIsDelivered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc := codService(t, db)
		p, err := svc.Start(bg, codStart("ord_cod2", 1000))
		if err != nil {
			t.Fatal(err)
		}
		v, err := svc.SettleOnDelivery(bg, "ord_cod2", usd(0))
		if err != nil || v.Status != payment.Voided || v.ID != p.ID || v.Captured.Amount != 0 {
			t.Fatalf("void = %s captured %v (%v), want voided with nothing captured", v.Status, v.Captured, err)
		}
		if _, err := svc.SettleOnDelivery(bg, "ord_cod2", usd(1000)); err != nil {
			t.Errorf("settling a voided payment again: %v", err)
		}
		if got, _ := svc.Payment(staff, p.ID); got.Status != payment.Voided {
			t.Errorf("after a late capture the payment is %s, want still voided", got.Status)
		}
		// A prepaid order has nothing to settle.
		if got, err := svc.SettleOnDelivery(bg, "ord_none", usd(500)); err != nil || got.ID != "" {
			t.Errorf("settling an order with no payment = %+v %v, want nothing", got, err)
		}
	})
}

func TestCashOnDeliveryLimitsAndSellers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc := codService(t, db)
		if _, err := svc.Start(bg, codStart("ord_big", 30001)); apperr.CodeOf(err) != "cod_limit_exceeded" || apperr.KindOf(err) != apperr.KindUnprocessable {
			t.Errorf("Start over the USD limit = %v, want 422 cod_limit_exceeded", err)
		}
		eur := codStart("ord_eur", 10001)
		eur.Amount = money.New(10001, "EUR")
		if _, err := svc.Start(bg, eur); apperr.CodeOf(err) != "cod_limit_exceeded" {
			t.Errorf("Start over the * limit in EUR = %v, want cod_limit_exceeded", err)
		}
		seller := auth.With(bg, auth.Principal{UserID: "shop1", Role: auth.Seller})
		if c, err := svc.SellerCOD(seller); err != nil || !c.Enabled {
			t.Fatalf("a seller's COD by default = %+v %v, want enabled", c, err)
		}
		if _, err := svc.SetSellerCOD(seller, payment.SellerCOD{Enabled: false}); err != nil {
			t.Fatal(err)
		}
		if c, _ := svc.SellerCOD(seller); c.Enabled {
			t.Errorf("switched off, SellerCOD says enabled")
		}
		if _, err := svc.SellerCOD(customer); apperr.KindOf(err) != apperr.KindForbidden {
			t.Errorf("a customer reading the switch = %v, want forbidden", err)
		}
		if _, err := svc.Start(bg, codStart("ord_off", 1000, "sel_x", "sel_shop1")); apperr.CodeOf(err) != "cod_unavailable" {
			t.Errorf("Start with a seller that takes no cash = %v, want cod_unavailable", err)
		}
		c, err := svc.CheckoutFor(bg, payment.CheckoutQuery{Currency: "USD", Amount: 1000, Sellers: []id.Seller{"sel_x", "sel_shop1"}})
		if err != nil || c.CashOnDelivery == nil || c.CashOnDelivery.Available || c.CashOnDelivery.Reason == "" || c.CashOnDelivery.Limit != usd(30000) {
			t.Errorf("checkout with a seller that takes no cash = %+v %v, want unavailable with a reason and the limit", c.CashOnDelivery, err)
		}
		if _, err := svc.SetSellerCOD(seller, payment.SellerCOD{Enabled: true}); err != nil {
			t.Fatal(err)
		}
		c, err = svc.CheckoutFor(bg, payment.CheckoutQuery{Currency: "USD", Amount: 1000, Sellers: []id.Seller{"sel_shop1"}})
		if err != nil || c.CashOnDelivery == nil || !c.CashOnDelivery.Available {
			t.Errorf("checkout after switching back on = %+v %v, want available", c.CashOnDelivery, err)
		}
		if _, err := svc.Start(bg, codStart("ord_ok", 30000, "sel_shop1")); err != nil {
			t.Errorf("Start at the limit: %v", err)
		}
		// Without a policy the marketplace takes no cash.
		plain := payment.New(paymentsql.New(db), newEnv(t, db).count, payment.Options{Logger: quiet})
		if c, err := plain.CheckoutFor(bg, payment.CheckoutQuery{Currency: "USD"}); err != nil || c.CashOnDelivery != nil {
			t.Errorf("checkout without COD = %+v %v, want no cash_on_delivery", c.CashOnDelivery, err)
		}
		if _, err := plain.Start(bg, codStart("ord_plain", 1000)); apperr.CodeOf(err) != "cod_unavailable" {
			t.Errorf("Start cod without COD = %v, want cod_unavailable", err)
		}
	})
}

func TestParseCODLimits(t *testing.T) {
	got, err := payment.ParseCODLimits(" inr:50000 , USD:499.9,*:5")
	want := map[string]int64{"INR": 5000000, "USD": 49990, "*": 500}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("ParseCODLimits = %v %v, want %v", got, err, want)
	}
	for _, bad := range []string{"USD", "US:5", "USD:-1", "USD:1.234", "USD:abc", "USD:0"} {
		if _, err := payment.ParseCODLimits(bad); err == nil {
			t.Errorf("ParseCODLimits(%q) accepted", bad)
		}
	}
	if l, err := payment.ParseCODLimits("off"); err != nil || len(l) != 0 {
		t.Errorf("off = %v %v, want none", l, err)
	}
}
