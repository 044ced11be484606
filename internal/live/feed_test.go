package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
)

// handlers is an event.Subscriber that keeps the handlers by topic.
type handlers map[string]event.Handler

func (hs handlers) Subscribe(consumer, topic string, h event.Handler) {
	if consumer != "live.r1" {
		panic("consumer " + consumer)
	}
	hs[topic] = h
}

func deliver[T any](t *testing.T, hs handlers, topic event.Topic[T], p T, at time.Time) error {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	h := hs[topic.Name()]
	if h == nil {
		t.Fatalf("no handler for %s", topic.Name())
	}
	return h(context.Background(), event.Event{ID: id.Make[id.Event](), Topic: topic.Name(), Payload: b, Time: at})
}

// owners maps stores to their owners; a missing store is NotFound.
type owners map[id.Seller]id.User

func (o owners) SellerOwner(_ context.Context, s id.Seller) (id.User, error) {
	if s == "sel_broken" {
		return "", errors.New("database down")
	}
	u, ok := o[s]
	if !ok {
		return "", apperr.NotFound("seller %s not found", s)
	}
	return u, nil
}

func TestFeedTellsTheRightPeople(t *testing.T) {
	h := live.NewHub(live.Options{})
	hs := handlers{}
	live.Feed{Hub: h, Sellers: owners{"sel_a": "usr_seller_a", "sel_b": "usr_seller_b"}, Consumer: "live.r1"}.Subscribe(hs)
	cust := subscribe(t, h, "usr_cust", "")
	sellerA := subscribe(t, h, "usr_seller_a", "")
	sellerB := subscribe(t, h, "usr_seller_b", "")
	partner := subscribe(t, h, "usr_partner", "")
	stranger := subscribe(t, h, "usr_stranger", "")
	now := time.Now()

	if err := deliver(t, hs, order.TopicPaid, order.PaidEvent{OrderID: "ord_1", CustomerID: "usr_cust", SellerOrders: []order.PaidSeller{
		{SellerOrderID: "so_a", SellerID: "sel_a", Lines: []order.PaidLine{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 1}}},
		{SellerOrderID: "so_b", SellerID: "sel_b", Lines: []order.PaidLine{{SKU: "C", Quantity: 1}}},
		{SellerOrderID: "so_gone", SellerID: "sel_gone"}, // a store that is gone: nobody to tell
	}}, now); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, cust); m.Type != live.TypeOrder || string(m.Data) != `{"order_id":"ord_1","status":"paid"}` {
		t.Errorf("customer got %s %s, want order ord_1 paid", m.Type, m.Data)
	}
	if m := receive(t, sellerA); m.Type != live.TypeSellerOrder || string(m.Data) != `{"order_id":"ord_1","seller_order_id":"so_a","status":"paid","new":true,"items":3}` {
		t.Errorf("seller a got %s %s, want its new seller order so_a of 3 items", m.Type, m.Data)
	}
	if m := receive(t, sellerB); m.Type != live.TypeSellerOrder || string(m.Data) != `{"order_id":"ord_1","seller_order_id":"so_b","status":"paid","new":true,"items":1}` {
		t.Errorf("seller b got %s %s, want its new seller order so_b", m.Type, m.Data)
	}
	none(t, sellerA)

	if err := deliver(t, hs, shipmentevent.TopicStatusChanged, shipmentevent.StatusChanged{ShipmentID: "shp_1", OrderID: "ord_1",
		SellerOrderID: "so_a", SellerID: "sel_a", CustomerID: "usr_cust", PartnerID: "usr_partner", Status: "delivered"}, now); err != nil {
		t.Fatal(err)
	}
	want := `{"shipment_id":"shp_1","order_id":"ord_1","seller_order_id":"so_a","status":"delivered"}`
	for _, s := range []*live.Sub{cust, partner} {
		if m := receive(t, s); m.Type != live.TypeShipment || string(m.Data) != want {
			t.Errorf("%s got %s %s, want shipment %s", s.User, m.Type, m.Data, want)
		}
	}
	if m := receive(t, sellerA); m.Type != live.TypeSellerOrder || string(m.Data) != `{"order_id":"ord_1","seller_order_id":"so_a","status":"delivered","shipment_id":"shp_1"}` {
		t.Errorf("seller a got %s %s, want its seller order's parcel delivered", m.Type, m.Data)
	}
	none(t, sellerB)

	if err := deliver(t, hs, order.TopicStatusChanged, order.StatusChanged{OrderID: "ord_1", CustomerID: "usr_cust", Status: order.Delivered, PreviousStatus: order.Shipped}, now); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, cust); string(m.Data) != `{"order_id":"ord_1","status":"delivered","previous_status":"shipped"}` {
		t.Errorf("customer got %s, want the order delivered", m.Data)
	}
	if err := deliver(t, hs, order.TopicCancelled, order.CancelledEvent{OrderID: "ord_2", CustomerID: "usr_cust", SellerOrderIDs: []id.SellerOrder{"so_x"}, Whole: true}, now); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, cust); string(m.Data) != `{"order_id":"ord_2","status":"cancelled","seller_order_ids":["so_x"]}` {
		t.Errorf("customer got %s, want ord_2 cancelled", m.Data)
	}

	// An event from before the backlog's age (a process catching up)
	// tells nobody.
	if err := deliver(t, hs, order.TopicStatusChanged, order.StatusChanged{OrderID: "ord_1", CustomerID: "usr_cust", Status: order.Refunded}, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	none(t, cust)
	none(t, stranger)
	none(t, partner)

	// A failing owner lookup is an error: the bus retries the event.
	if err := deliver(t, hs, shipmentevent.TopicCreated, shipmentevent.Created{ShipmentID: "shp_2", SellerID: "sel_broken", CustomerID: "usr_cust"}, now); err == nil {
		t.Error("an owner lookup that failed was not reported")
	}
}

func TestNotifyPushesNotices(t *testing.T) {
	h := live.NewHub(live.Options{})
	alice := subscribe(t, h, "usr_alice", "")
	bob := subscribe(t, h, "usr_bob", "")
	h.Notify(live.Notice{ID: "ntf_1", Recipient: "usr_alice", Category: "shipment", Title: "Shipped", Body: "On its way", Link: "/orders/ord_1",
		CreatedAt: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}, live.Notice{ID: "ntf_x"})
	m := receive(t, alice)
	if m.Type != live.TypeNotification || string(m.Data) != `{"id":"ntf_1","category":"shipment","title":"Shipped","body":"On its way","link":"/orders/ord_1","created_at":"2026-12-07T10:00:00Z"}` {
		t.Errorf("alice got %s %s", m.Type, m.Data)
	}
	none(t, bob)
}
