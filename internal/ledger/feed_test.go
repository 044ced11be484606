package ledger_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgertest"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// handlers is a Subscriber that keeps each topic's handler, to call them
// as the bus would.
type handlers map[string]event.Handler

func (h handlers) Subscribe(_, topic string, fn event.Handler) { h[topic] = fn }

func (h handlers) deliver(t *testing.T, topic, eventID string, payload any) error {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := h[topic]
	if !ok {
		t.Fatalf("no handler for %s", topic)
	}
	return fn(context.Background(), event.Event{ID: id.Event(eventID), Topic: topic, Payload: b})
}

type feedPayments struct{ gateway string }

func (f feedPayments) OrderPayments(context.Context, id.Order) ([]payment.Payment, error) {
	return []payment.Payment{{ID: "pay_1", Gateway: f.gateway, Status: payment.Succeeded}}, nil
}

type noOrders struct{}

func (noOrders) OrderOfPart(context.Context, id.SellerOrder) (order.Order, error) {
	return order.Order{}, nil
}

type noCatalog struct{}

func (noCatalog) ProductRefs(context.Context, []id.Product) (map[id.Product]catalog.ProductRef, error) {
	return nil, nil
}

type noReturns struct{}

func (noReturns) WindowDays(context.Context, id.Seller) (int, error) { return 30, nil }

// TestGoodwillFromRefundedEvents: payment.refunded.v1 of origin goodwill
// is booked (to the seller order it names, else the platform); refunds of
// other origins are left to the cancellation and return events; a replay
// changes nothing.
func TestGoodwillFromRefundedEvents(t *testing.T) {
	e := ledgertest.NewEnv(ledgertest.NewMemory())
	subs := handlers{}
	e.Svc.Subscribe(subs, ledger.Feed{Orders: noOrders{}, Catalog: noCatalog{}, Payments: feedPayments{"stripe"}, Returns: noReturns{}})
	ctx := context.Background()
	seller, so, ord := id.Make[id.Seller](), id.Make[id.SellerOrder](), id.Make[id.Order]()
	usd := func(n int64) money.Money { return money.New(n, "USD") }
	if _, err := e.Svc.RecordSale(ctx, ledger.Sale{SellerOrderID: so, OrderID: ord, SellerID: seller, Gateway: "stripe",
		Lines: []ledger.SaleLine{{Category: "cat_x", Amount: usd(5000)}}, Total: usd(5000)}); err != nil {
		t.Fatal(err)
	}
	topic := payment.TopicRefunded.Name()
	for i, ev := range []payment.RefundedEvent{
		{PaymentID: "pay_1", OrderID: ord, RefundID: "rfd_cancel", Amount: usd(100), Gateway: "stripe", Origin: payment.OriginCancellation, SellerOrderID: so},
		{PaymentID: "pay_1", OrderID: ord, RefundID: "rfd_return", Amount: usd(100), Gateway: "stripe", Origin: payment.OriginReturn},
		{PaymentID: "pay_1", OrderID: ord, RefundID: "rfd_old", Amount: usd(100)}, // before origins: booked by its cause
		{PaymentID: "pay_1", OrderID: ord, RefundID: "rfd_seller", Amount: usd(1000), Gateway: "stripe", Origin: payment.OriginGoodwill, SellerOrderID: so},
		{PaymentID: "pay_1", OrderID: ord, RefundID: "rfd_platform", Amount: usd(300), Origin: payment.OriginGoodwill}, // gateway from the payment
	} {
		for range 2 {
			if err := subs.deliver(t, topic, "evt_"+string(rune('a'+i)), ev); err != nil {
				t.Fatalf("deliver %s: %v", ev.RefundID, err)
			}
		}
	}
	st, err := e.Svc.Sale(ctx, so)
	if err != nil {
		t.Fatal(err)
	}
	// Default commission 10 %: the 1000 charged to the seller gives back 100.
	if st.Refunded != usd(1000) || st.CommissionReversed != usd(100) {
		t.Errorf("sale: refunded %v, commission reversed %v; want 10.00 and 1.00 USD", st.Refunded, st.CommissionReversed)
	}
	bals, err := e.Store.Balances(ctx, ledger.BalanceFilter{Kind: ledger.PlatformGoodwill})
	if err != nil || len(bals) != 1 || bals[0].Amount != 300 {
		t.Errorf("goodwill balances = %+v, %v; want 300 USD", bals, err)
	}
	gw, err := e.Store.Balances(ctx, ledger.BalanceFilter{Kind: ledger.Gateway, Owner: "stripe"})
	if err != nil || len(gw) != 1 || gw[0].Amount != 5000-1000-300 {
		t.Errorf("stripe balance = %+v, %v; want 3700", gw, err)
	}
}
