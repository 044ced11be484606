package shipment_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/order"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentsql"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenttest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// env is a Service over a real store with fake orders and accounts, and the
// real outbox bus (drained by hand).
type env struct {
	t        *testing.T
	db       *sqldb.DB
	store    *shipmentsql.Store
	bus      *event.Bus
	orders   *shipmenttest.Orders
	partners *shipmenttest.Partners
	svc      *shipment.Service
}

// Users of every test: two sellers with stores, one without, customers,
// three active delivery partners and a suspended one, support, admin.
var users = []account.User{
	{ID: "usr_sa", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_sb", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_snostore", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_cust", Role: auth.Customer, Status: account.UserActive},
	{ID: "usr_cust2", Role: auth.Customer, Status: account.UserActive},
	{ID: "usr_p1", Role: auth.Delivery, Status: account.UserActive},
	{ID: "usr_p2", Role: auth.Delivery, Status: account.UserActive},
	{ID: "usr_p3", Role: auth.Delivery, Status: account.UserActive},
	{ID: "usr_psusp", Role: auth.Delivery, Status: account.UserSuspended},
	{ID: "usr_sup", Role: auth.Support, Status: account.UserActive},
	{ID: "usr_adm", Role: auth.Admin, Status: account.UserActive},
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := shipmentsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, store: shipmentsql.New(db), orders: shipmenttest.NewOrders(),
		partners: shipmenttest.NewPartners(users,
			account.Seller{ID: "sel_a", UserID: "usr_sa"}, account.Seller{ID: "sel_b", UserID: "usr_sb"}),
		bus: eventbrokertest.Bus(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	e.svc = shipment.New(e.store, e.orders, e.partners, shipment.Options{Now: func() time.Time { return now }})
	e.svc.Subscribe(e.bus)
	return e
}

// as returns a context signed in as the user with id.
func as(userID id.User) context.Context {
	for _, u := range users {
		if u.ID == userID {
			return auth.With(context.Background(), auth.Principal{UserID: u.ID, Role: u.Role})
		}
	}
	panic("unknown user " + userID)
}

// publish commits an event as its publisher would and delivers it.
func (e *env) publish(topic, aggregate string, payload any) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return event.PublishRaw(ctx, tx, topic, aggregate, payload) }); err != nil {
		e.t.Fatal(err)
	}
	e.drain()
}

func (e *env) drain() {
	e.t.Helper()
	pending, err := e.bus.Drain(context.Background())
	if err != nil || pending != 0 {
		e.t.Fatalf("Drain = %d pending, %v; want 0, nil", pending, err)
	}
}

// paid publishes order.paid.v1 for an order of usr_cust with one seller
// order per seller and returns the new shipments, in seller order.
func (e *env) paid(sellers ...string) []shipment.Shipment {
	e.t.Helper()
	ev := paidEvent("usr_cust", sellers...)
	e.publish(order.TopicPaid.Name(), string(ev.OrderID), ev)
	return e.shipmentsOf(ev)
}

func paidEvent(customer string, sellers ...string) order.PaidEvent {
	ev := order.PaidEvent{OrderID: id.Make[id.Order](), CustomerID: id.User(customer), PaidAt: now,
		ShippingAddress: order.Address{Name: "Ana Lima", Line1: "1 Main St", City: "Lisbon", PostalCode: "1000-001", Country: "PT", Phone: "+351 21 000 0000"}}
	for i, sel := range sellers {
		ev.SellerOrders = append(ev.SellerOrders, order.PaidSeller{SellerOrderID: id.Make[id.SellerOrder](), SellerID: id.Seller(sel),
			Lines: []order.PaidLine{{SKU: fmt.Sprintf("SKU-%d", i), ProductID: "prd_1", Title: "Mug", Quantity: 2}}})
	}
	return ev
}

// shipmentsOf returns the shipments of ev's seller orders, in its order.
func (e *env) shipmentsOf(ev order.PaidEvent) []shipment.Shipment {
	e.t.Helper()
	var out []shipment.Shipment
	for _, so := range ev.SellerOrders {
		list, err := e.store.Shipments(context.Background(), shipment.Filter{SellerID: so.SellerID, Limit: 1000})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, shp := range list {
			if shp.SellerOrderID == so.SellerOrderID {
				out = append(out, shp)
			}
		}
	}
	return out
}

func (e *env) shipment(id id.Shipment) shipment.Shipment {
	e.t.Helper()
	shp, err := e.store.Shipment(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return shp
}

// pathTo lists the moves that take a new shipment to each status.
var pathTo = map[shipment.Status][]shipment.Status{
	shipment.Pending:          nil,
	shipment.Packed:           {shipment.Packed},
	shipment.HandedOver:       {shipment.Packed, shipment.HandedOver},
	shipment.PickedUp:         {shipment.Packed, shipment.HandedOver, shipment.PickedUp},
	shipment.InTransit:        {shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit},
	shipment.OutForDelivery:   {shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit, shipment.OutForDelivery},
	shipment.Delivered:        {shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit, shipment.OutForDelivery, shipment.Delivered},
	shipment.FailedAttempt:    {shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit, shipment.OutForDelivery, shipment.FailedAttempt},
	shipment.ReturnedToSeller: {shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit, shipment.ReturnedToSeller},
	shipment.Cancelled:        {shipment.Cancelled},
}

// at returns a new shipment of sel_a driven to status through the store,
// assigned to usr_p1 once handed over.
func (e *env) at(status shipment.Status) shipment.Shipment {
	e.t.Helper()
	shp := e.paid("sel_a")[0]
	from := shipment.Pending
	for _, to := range pathTo[status] {
		c := shipment.Change{ID: shp.ID, From: from, Entry: shipment.Entry{Status: to, At: now}}
		if to == shipment.HandedOver {
			c.PartnerID = "usr_p1"
		}
		var err error
		if shp, err = e.store.Move(context.Background(), c); err != nil {
			e.t.Fatalf("drive to %s: %v", status, err)
		}
		from = to
	}
	return shp
}

func wantErr(t *testing.T, what string, err error, kind apperr.Kind, code string) {
	t.Helper()
	if !apperr.Is(err, kind) || code != "" && apperr.CodeOf(err) != code {
		t.Errorf("%s: err = %v (kind %v, code %q), want kind %v code %q", what, err, apperr.KindOf(err), apperr.CodeOf(err), kind, code)
	}
}

// TestCanMove pins the state machine: exactly these moves are legal.
func TestCanMove(t *testing.T) {
	legal := map[string]bool{
		"seller pending->packed": true, "seller packed->handed_over": true,
		"partner handed_over->picked_up": true, "partner picked_up->in_transit": true,
		"partner in_transit->out_for_delivery": true, "partner out_for_delivery->delivered": true,
		"partner out_for_delivery->failed_attempt": true, "partner failed_attempt->out_for_delivery": true,
		"partner failed_attempt->returned_to_seller": true, "partner in_transit->returned_to_seller": true,
		"order pending->cancelled": true, "order packed->cancelled": true,
	}
	actors := map[shipment.Actor]string{shipment.BySeller: "seller", shipment.ByPartner: "partner", shipment.ByOrder: "order"}
	n := 0
	for actor, name := range actors {
		for _, from := range shipment.Statuses {
			for _, to := range shipment.Statuses {
				key := fmt.Sprintf("%s %s->%s", name, from, to)
				if got := shipment.CanMove(actor, from, to); got != legal[key] {
					t.Errorf("CanMove(%s) = %v, want %v", key, got, legal[key])
				}
				if legal[key] {
					n++
				}
			}
		}
	}
	if n != len(legal) {
		t.Errorf("%d legal moves checked, want %d", n, len(legal))
	}
}

// TestStateMachine tries every service move from every status, as the
// actor allowed to make it: the legal ones apply, the rest are 409
// illegal_transition and change nothing.
func TestStateMachine(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		for _, from := range shipment.Statuses {
			for _, to := range append([]shipment.Status{shipment.Packed, shipment.HandedOver}, shipment.PartnerStatuses...) {
				shp := e.at(from)
				var err error
				actor := shipment.ByPartner
				switch to {
				case shipment.Packed:
					actor = shipment.BySeller
					_, err = e.svc.Pack(as("usr_sa"), shp.ID)
				case shipment.HandedOver:
					actor = shipment.BySeller
					_, err = e.svc.Handover(as("usr_sa"), shp.ID, shipment.HandoverInput{})
				default:
					_, err = e.svc.RecordEvent(as("usr_p1"), shp.ID, shipment.EventInput{Status: to})
					if from == shipment.Pending || from == shipment.Packed || from == shipment.Cancelled {
						// Not assigned to anyone: the partner cannot see
						// it; an admin gets the state machine's answer.
						wantErr(t, fmt.Sprintf("partner %s->%s", from, to), err, apperr.KindNotFound, "")
						_, err = e.svc.RecordEvent(as("usr_adm"), shp.ID, shipment.EventInput{Status: to})
					}
				}
				after := e.shipment(shp.ID)
				if shipment.CanMove(actor, from, to) {
					if err != nil || after.Status != to || len(after.Timeline) != len(shp.Timeline)+1 {
						t.Errorf("%s->%s = %v, status %s with %d events; want it applied", from, to, err, after.Status, len(after.Timeline))
					}
					continue
				}
				wantErr(t, fmt.Sprintf("%s->%s", from, to), err, apperr.KindConflict, "illegal_transition")
				if after.Status != from || len(after.Timeline) != len(shp.Timeline) {
					t.Errorf("refused %s->%s changed the shipment to %s with %d events", from, to, after.Status, len(after.Timeline))
				}
			}
		}
	})
}

// TestPaidCreatesOnce delivers order.paid.v1 twice (the same event
// redelivered, and a second event for the same order) and expects one
// shipment per seller order.
func TestPaidCreatesOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ev := paidEvent("usr_cust", "sel_a", "sel_b")
		e.publish(order.TopicPaid.Name(), string(ev.OrderID), ev)
		// At-least-once delivery: the relay delivers it again.
		if _, err := db.Exec(ctx, `UPDATE event_outbox SET published_at = NULL`); err != nil {
			t.Fatal(err)
		}
		e.drain()
		// The order module publishing paid twice is absorbed too.
		e.publish(order.TopicPaid.Name(), string(ev.OrderID), ev)

		shps := e.shipmentsOf(ev)
		if len(shps) != 2 {
			t.Fatalf("%d shipments, want 2", len(shps))
		}
		for i, shp := range shps {
			so := ev.SellerOrders[i]
			want := shipment.Shipment{ID: shp.ID, OrderID: ev.OrderID, SellerOrderID: so.SellerOrderID, SellerID: so.SellerID,
				CustomerID: "usr_cust", Status: shipment.Pending, Carrier: shipment.DefaultCarrier, TrackingID: shp.TrackingID,
				ShippingAddress: shipment.Address(ev.ShippingAddress), Items: items(so.Lines), CreatedAt: now, UpdatedAt: now,
				Timeline: []shipment.Entry{{Status: shipment.Pending, Note: "label created", At: now}}}
			if diff := cmp.Diff(want, shp); diff != "" {
				t.Errorf("shipment %d (-want +got):\n%s", i, diff)
			}
			if len(shp.TrackingID) != 14 || !strings.HasPrefix(shp.TrackingID, "BZ") {
				t.Errorf("tracking ID %q, want BZ and 12 characters", shp.TrackingID)
			}
		}
		if shps[0].TrackingID == shps[1].TrackingID {
			t.Errorf("two shipments share tracking ID %s", shps[0].TrackingID)
		}
		created := 0
		for _, ob := range shipmenttest.Outbox(t, db) {
			if ob.Topic == shipment.TopicCreated.Name() {
				created++
			}
		}
		if created != 2 {
			t.Errorf("%d %s events, want 2", created, shipment.TopicCreated.Name())
		}
	})
}

func TestCancelledEvent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ev := paidEvent("usr_cust", "sel_a", "sel_a", "sel_a", "sel_b")
		e.publish(order.TopicPaid.Name(), string(ev.OrderID), ev)
		shps := e.shipmentsOf(ev)
		pending, packed, handed, untouched := shps[0], shps[1], shps[2], shps[3]
		if _, err := e.svc.Pack(as("usr_sa"), packed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Pack(as("usr_sa"), handed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Handover(as("usr_sa"), handed.ID, shipment.HandoverInput{}); err != nil {
			t.Fatal(err)
		}
		cancel := order.CancelledEvent{OrderID: ev.OrderID, CustomerID: "usr_cust", Reason: "changed my mind",
			SellerOrderIDs: []id.SellerOrder{pending.SellerOrderID, packed.SellerOrderID, handed.SellerOrderID}}
		e.publish(order.TopicCancelled.Name(), string(ev.OrderID), cancel)
		e.publish(order.TopicCancelled.Name(), string(ev.OrderID), cancel) // a second delivery changes nothing

		for _, x := range []struct {
			shp    shipment.Shipment
			want   shipment.Status
			events int
		}{
			{pending, shipment.Cancelled, 2},
			{packed, shipment.Cancelled, 3},
			{handed, shipment.HandedOver, 3},
			{untouched, shipment.Pending, 1},
		} {
			got := e.shipment(x.shp.ID)
			if got.Status != x.want || len(got.Timeline) != x.events {
				t.Errorf("%s after cancel: %s with %d events, want %s with %d", x.shp.ID, got.Status, len(got.Timeline), x.want, x.events)
			}
			if x.want == shipment.Cancelled {
				if last := got.Timeline[len(got.Timeline)-1]; last.Note != "order cancelled: changed my mind" {
					t.Errorf("cancel note = %q", last.Note)
				}
			}
		}
		cancelled := 0
		for _, ob := range shipmenttest.Outbox(t, db) {
			if ob.Topic == shipment.TopicStatusChanged.Name() && ob.Payload["status"] == "cancelled" {
				cancelled++
			}
		}
		if cancelled != 2 {
			t.Errorf("%d status_changed events to cancelled, want 2", cancelled)
		}
	})
}

func TestPackHandoverAuthorization(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		tests := []struct {
			who  string
			kind apperr.Kind // 0: allowed
		}{
			{"usr_sb", apperr.KindNotFound}, // another seller
			{"usr_snostore", apperr.KindNotFound},
			{"usr_cust", apperr.KindForbidden},
			{"usr_p1", apperr.KindForbidden},
			{"usr_sup", apperr.KindForbidden},
			{"usr_sa", 0},
			{"usr_adm", 0},
		}
		for _, tt := range tests {
			shp := e.paid("sel_a")[0]
			_, err := e.svc.Pack(as(id.User(tt.who)), shp.ID)
			if tt.kind != 0 {
				wantErr(t, "Pack as "+tt.who, err, tt.kind, "")
				// Handover of a packed shipment is refused the same way.
				if _, err := e.svc.Pack(as("usr_sa"), shp.ID); err != nil {
					t.Fatal(err)
				}
				_, err = e.svc.Handover(as(id.User(tt.who)), shp.ID, shipment.HandoverInput{})
				wantErr(t, "Handover as "+tt.who, err, tt.kind, "")
				if got := e.shipment(shp.ID); got.Status != shipment.Packed {
					t.Errorf("Handover as %s left the shipment %s", tt.who, got.Status)
				}
				continue
			}
			if err != nil {
				t.Errorf("Pack as %s: %v", tt.who, err)
				continue
			}
			if _, err := e.svc.Handover(as(id.User(tt.who)), shp.ID, shipment.HandoverInput{}); err != nil {
				t.Errorf("Handover as %s: %v", tt.who, err)
			}
		}
		_, err := e.svc.Pack(context.Background(), "shp_x")
		wantErr(t, "Pack anonymous", err, apperr.KindUnauthorized, "")
		_, err = e.svc.Pack(as("usr_sa"), "shp_missing")
		wantErr(t, "Pack missing", err, apperr.KindNotFound, "")
	})
}

func TestHandoverPartner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := as("usr_sa")
		packed := func() shipment.Shipment {
			t.Helper()
			shp := e.paid("sel_a")[0]
			if _, err := e.svc.Pack(ctx, shp.ID); err != nil {
				t.Fatal(err)
			}
			return shp
		}

		// Chosen partners.
		for _, tt := range []struct {
			partner string
			code    string
		}{
			{"usr_p3", ""},
			{"usr_psusp", "invalid_partner"},
			{"usr_cust", "invalid_partner"},
			{"usr_nobody", "invalid_partner"},
		} {
			shp := packed()
			got, err := e.svc.Handover(ctx, shp.ID, shipment.HandoverInput{PartnerID: id.User(tt.partner)})
			if tt.code != "" {
				wantErr(t, "Handover to "+tt.partner, err, apperr.KindUnprocessable, tt.code)
				if after := e.shipment(shp.ID); after.Status != shipment.Packed || after.PartnerID != "" {
					t.Errorf("refused handover changed the shipment: %s to %q", after.Status, after.PartnerID)
				}
				continue
			}
			if err != nil || got.PartnerID != id.User(tt.partner) || got.Status != shipment.HandedOver {
				t.Errorf("Handover to %s = %s to %q, %v", tt.partner, got.Status, got.PartnerID, err)
			}
			if id.Shipment(e.orders.Shipped[string(shp.SellerOrderID)]) != shp.ID {
				t.Errorf("ShipSellerOrder(%s) not called with %s", shp.SellerOrderID, shp.ID)
			}
		}

		// Least loaded: p3 has 1 (above); p1 and p2 none, p1 wins the tie.
		// Then p2 (0) wins, then p1/p2/p3 all have 1 and p1 wins again.
		for _, want := range []string{"usr_p1", "usr_p2", "usr_p1", "usr_p2", "usr_p3"} {
			got, err := e.svc.Handover(ctx, packed().ID, shipment.HandoverInput{})
			if err != nil || got.PartnerID != id.User(want) {
				t.Errorf("least-loaded Handover = %q, %v; want %s", got.PartnerID, err, want)
			}
		}
		// Delivered shipments no longer count: p1 delivers both of its own.
		for _, shp := range e.assigned("usr_p1") {
			for _, st := range []shipment.Status{shipment.PickedUp, shipment.InTransit, shipment.OutForDelivery, shipment.Delivered} {
				if _, err := e.svc.RecordEvent(as("usr_p1"), shp.ID, shipment.EventInput{Status: st}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got, err := e.svc.Handover(ctx, packed().ID, shipment.HandoverInput{}); err != nil || got.PartnerID != "usr_p1" {
			t.Errorf("Handover after p1 delivered = %q, %v; want usr_p1", got.PartnerID, err)
		}

		// Nobody to deliver.
		for _, p := range []string{"usr_p1", "usr_p2", "usr_p3"} {
			e.partners.SetStatus(id.User(p), account.UserSuspended)
		}
		shp := packed()
		_, err := e.svc.Handover(ctx, shp.ID, shipment.HandoverInput{})
		wantErr(t, "Handover without partners", err, apperr.KindConflict, "no_delivery_partner")
		if after := e.shipment(shp.ID); after.Status != shipment.Packed {
			t.Errorf("Handover without partners left %s", after.Status)
		}
	})
}

// assigned returns the shipments assigned to a delivery partner.
func (e *env) assigned(partner string) []shipment.Shipment {
	e.t.Helper()
	page, err := e.svc.AssignedShipments(as(id.User(partner)), shipment.ListQuery{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

// TestHandoverGate checks that the order module's refusal (the customer
// cancelled) leaves the shipment unchanged, and that a handover retried
// after the order module already shipped the seller order completes.
func TestHandoverGate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := as("usr_sa")
		shp := e.at(shipment.Packed)
		before := len(shipmenttest.Outbox(t, db))
		e.orders.Cancel(shp.SellerOrderID)
		_, err := e.svc.Handover(ctx, shp.ID, shipment.HandoverInput{})
		wantErr(t, "Handover of a cancelled seller order", err, apperr.KindConflict, "order_cancelled")
		if diff := cmp.Diff(shp, e.shipment(shp.ID)); diff != "" {
			t.Errorf("refused handover changed the shipment (-before +after):\n%s", diff)
		}
		if n := len(shipmenttest.Outbox(t, db)); n != before {
			t.Errorf("refused handover published %d events", n-before)
		}

		// The gate said yes before a crash; the retry goes through.
		shp = e.at(shipment.Packed)
		if err := e.orders.ShipSellerOrder(context.Background(), shp.SellerOrderID, shp.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Handover(ctx, shp.ID, shipment.HandoverInput{PartnerID: "usr_p2"})
		if err != nil || got.Status != shipment.HandedOver || got.PartnerID != "usr_p2" {
			t.Errorf("retried Handover = %s to %q, %v; want handed_over to usr_p2", got.Status, got.PartnerID, err)
		}
		// A second handover is refused before asking the order module.
		calls := e.orders.Calls
		_, err = e.svc.Handover(ctx, shp.ID, shipment.HandoverInput{})
		wantErr(t, "second Handover", err, apperr.KindConflict, "illegal_transition")
		if e.orders.Calls != calls {
			t.Errorf("second Handover asked the order module")
		}
	})
}

func TestPartnerEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		p1 := as("usr_p1")
		record := func(shp shipment.Shipment, ctx context.Context, in shipment.EventInput) (shipment.Shipment, error) {
			return e.svc.RecordEvent(ctx, shp.ID, in)
		}

		// failed_attempt -> out_for_delivery -> delivered, with places and proof.
		shp := e.at(shipment.HandedOver)
		steps := []shipment.EventInput{
			{Status: shipment.PickedUp, Location: "Lisbon hub"},
			{Status: shipment.InTransit, Location: "A1 motorway", Note: "  on the way  "},
			{Status: shipment.OutForDelivery, Location: "Lisbon"},
			{Status: shipment.FailedAttempt, Location: "1 Main St", Note: "nobody home"},
			{Status: shipment.OutForDelivery, Location: "Lisbon"},
			{Status: shipment.Delivered, Location: "1 Main St", Proof: "signed by A. Lima"},
		}
		var got shipment.Shipment
		for _, in := range steps {
			var err error
			if got, err = record(shp, p1, in); err != nil {
				t.Fatalf("RecordEvent(%s): %v", in.Status, err)
			}
		}
		tail := got.Timeline[len(got.Timeline)-len(steps):]
		var want []shipment.Entry
		for _, in := range steps {
			want = append(want, shipment.Entry{Status: in.Status, Location: in.Location, Note: strings.TrimSpace(in.Note), Proof: in.Proof, At: now})
		}
		if diff := cmp.Diff(want, tail); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		if got.Status != shipment.Delivered {
			t.Errorf("status = %s, want delivered", got.Status)
		}
		// Partners do not see who recorded events; staff do.
		if staff, _ := e.svc.Shipment(as("usr_sup"), shp.ID); staff.Timeline[len(staff.Timeline)-1].ActorID != "usr_p1" {
			t.Errorf("support sees actor %q, want usr_p1", staff.Timeline[len(staff.Timeline)-1].ActorID)
		}
		var changed []string
		for _, ob := range shipmenttest.Outbox(t, db) {
			if ob.Topic == shipment.TopicStatusChanged.Name() && id.Shipment(ob.Aggregate) == shp.ID {
				changed = append(changed, fmt.Sprintf("%s->%s@%s", ob.Payload["previous_status"], ob.Payload["status"], ob.Payload["location"]))
			}
		}
		wantChanged := []string{"pending->packed@", "packed->handed_over@", "handed_over->picked_up@Lisbon hub",
			"picked_up->in_transit@A1 motorway", "in_transit->out_for_delivery@Lisbon", "out_for_delivery->failed_attempt@1 Main St",
			"failed_attempt->out_for_delivery@Lisbon", "out_for_delivery->delivered@1 Main St"}
		if diff := cmp.Diff(wantChanged, changed); diff != "" {
			t.Errorf("status_changed events (-want +got):\n%s", diff)
		}

		// failed_attempt -> returned_to_seller, by an admin.
		shp = e.at(shipment.FailedAttempt)
		if got, err := record(shp, as("usr_adm"), shipment.EventInput{Status: shipment.ReturnedToSeller, Note: "refused"}); err != nil || got.Status != shipment.ReturnedToSeller {
			t.Errorf("admin returned_to_seller = %s, %v", got.Status, err)
		}

		// Who may post, and what.
		shp = e.at(shipment.HandedOver)
		long := strings.Repeat("x", shipment.MaxProof+1)
		for _, tt := range []struct {
			who   string
			in    shipment.EventInput
			kind  apperr.Kind
			field string
		}{
			{"usr_p2", shipment.EventInput{Status: shipment.PickedUp}, apperr.KindNotFound, ""},
			{"usr_sa", shipment.EventInput{Status: shipment.PickedUp}, apperr.KindForbidden, ""},
			{"usr_cust", shipment.EventInput{Status: shipment.PickedUp}, apperr.KindForbidden, ""},
			{"usr_sup", shipment.EventInput{Status: shipment.PickedUp}, apperr.KindForbidden, ""},
			{"usr_p1", shipment.EventInput{}, apperr.KindInvalid, "status"},
			{"usr_p1", shipment.EventInput{Status: shipment.Cancelled}, apperr.KindInvalid, "status"},
			{"usr_p1", shipment.EventInput{Status: shipment.Packed}, apperr.KindInvalid, "status"},
			{"usr_p1", shipment.EventInput{Status: shipment.PickedUp, Proof: long}, apperr.KindInvalid, "proof"},
			{"usr_p1", shipment.EventInput{Status: shipment.PickedUp, Location: strings.Repeat("x", shipment.MaxLocation+1)}, apperr.KindInvalid, "location"},
			{"usr_p1", shipment.EventInput{Status: shipment.PickedUp, Note: "a\x00b"}, apperr.KindInvalid, "note"},
		} {
			_, err := record(shp, as(id.User(tt.who)), tt.in)
			wantErr(t, fmt.Sprintf("RecordEvent as %s %+v", tt.who, tt.in.Status), err, tt.kind, "")
			if ae, ok := apperr.As(err); tt.field != "" && (!ok || len(ae.Fields) != 1 || ae.Fields[0].Field != tt.field) {
				t.Errorf("RecordEvent as %s: %v, want a field error on %s", tt.who, err, tt.field)
			}
		}
		if after := e.shipment(shp.ID); after.Status != shipment.HandedOver {
			t.Errorf("refused events moved the shipment to %s", after.Status)
		}
		_, err := e.svc.RecordEvent(context.Background(), shp.ID, shipment.EventInput{Status: shipment.PickedUp})
		wantErr(t, "anonymous", err, apperr.KindUnauthorized, "")
		_, err = e.svc.RecordEvent(p1, "shp_missing", shipment.EventInput{Status: shipment.PickedUp})
		wantErr(t, "missing", err, apperr.KindNotFound, "")
	})
}

// TestConcurrentEvents posts the same event many times at once: exactly one
// applies.
func TestConcurrentEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		shp := e.at(shipment.OutForDelivery)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Half try delivered, half failed_attempt: still only one wins.
				st := []shipment.Status{shipment.Delivered, shipment.FailedAttempt}[i%2]
				_, errs[i] = e.svc.RecordEvent(as("usr_p1"), shp.ID, shipment.EventInput{Status: st})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if apperr.CodeOf(err) != "illegal_transition" {
				t.Errorf("concurrent RecordEvent = %v, want nil or illegal_transition", err)
			}
		}
		after := e.shipment(shp.ID)
		if ok != 1 || len(after.Timeline) != len(shp.Timeline)+1 {
			t.Errorf("%d of %d concurrent events applied, timeline grew by %d; want 1 and 1", ok, n, len(after.Timeline)-len(shp.Timeline))
		}
	})
}

func TestVisibility(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		shp := e.at(shipment.HandedOver) // sel_a's, customer usr_cust, partner usr_p1
		pending := e.at(shipment.Pending)
		for _, tt := range []struct {
			who     string
			handed  apperr.Kind // 0: visible
			pending apperr.Kind
		}{
			{"usr_cust", 0, 0},
			{"usr_cust2", apperr.KindNotFound, apperr.KindNotFound},
			{"usr_sa", 0, 0},
			{"usr_sb", apperr.KindNotFound, apperr.KindNotFound},
			{"usr_snostore", apperr.KindNotFound, apperr.KindNotFound},
			{"usr_p1", 0, apperr.KindNotFound}, // sees only what is assigned to it
			{"usr_p2", apperr.KindNotFound, apperr.KindNotFound},
			{"usr_sup", 0, 0},
			{"usr_adm", 0, 0},
		} {
			for _, c := range []struct {
				shp  shipment.Shipment
				want apperr.Kind
			}{{shp, tt.handed}, {pending, tt.pending}} {
				got, err := e.svc.Shipment(as(id.User(tt.who)), c.shp.ID)
				if c.want != 0 {
					wantErr(t, fmt.Sprintf("Shipment(%s) as %s", c.shp.Status, tt.who), err, c.want, "")
					continue
				}
				if err != nil || got.ID != c.shp.ID || len(got.Timeline) != len(c.shp.Timeline) {
					t.Errorf("Shipment(%s) as %s = %s with %d events, %v", c.shp.Status, tt.who, got.ID, len(got.Timeline), err)
				}
			}
		}
		_, err := e.svc.Shipment(context.Background(), shp.ID)
		wantErr(t, "Shipment anonymous", err, apperr.KindUnauthorized, "")
		_, err = e.svc.Shipment(as("usr_adm"), "shp_missing")
		wantErr(t, "Shipment missing", err, apperr.KindNotFound, "")
	})
}

func TestLists(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		var mine []id.Shipment // usr_p1's, newest first
		for range 5 {
			mine = append([]id.Shipment{e.at(shipment.HandedOver).ID}, mine...)
		}
		delivered := e.at(shipment.Delivered)
		mine = append([]id.Shipment{delivered.ID}, mine...)
		e.paid("sel_b") // not p1's, not sel_a's

		var got []id.Shipment
		cur := ""
		for pages := 0; ; pages++ {
			page, err := e.svc.AssignedShipments(as("usr_p1"), shipment.ListQuery{Cursor: cur, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.Items {
				got = append(got, s.ID)
			}
			if cur = page.NextCursor; cur == "" || pages > 5 {
				break
			}
		}
		if diff := cmp.Diff(mine, got); diff != "" {
			t.Errorf("AssignedShipments pages (-want +got):\n%s", diff)
		}
		onlyDelivered, err := e.svc.AssignedShipments(as("usr_p1"), shipment.ListQuery{Status: shipment.Delivered})
		if err != nil || len(onlyDelivered.Items) != 1 || onlyDelivered.Items[0].ID != delivered.ID || onlyDelivered.NextCursor != "" {
			t.Errorf("AssignedShipments(delivered) = %+v, %v", onlyDelivered, err)
		}
		if page, err := e.svc.AssignedShipments(as("usr_p2"), shipment.ListQuery{}); err != nil || len(page.Items) != 0 {
			t.Errorf("AssignedShipments as p2 = %d items, %v; want none", len(page.Items), err)
		}

		seller, err := e.svc.SellerShipments(as("usr_sa"), shipment.ListQuery{Limit: 100})
		if err != nil || len(seller.Items) != 6 {
			t.Errorf("SellerShipments(sel_a) = %d items, %v; want 6", len(seller.Items), err)
		}
		for _, s := range seller.Items {
			if s.SellerID != "sel_a" {
				t.Errorf("SellerShipments(sel_a) lists %s of %s", s.ID, s.SellerID)
			}
		}
		if page, err := e.svc.SellerShipments(as("usr_sb"), shipment.ListQuery{Status: shipment.Pending}); err != nil || len(page.Items) != 1 {
			t.Errorf("SellerShipments(sel_b, pending) = %d items, %v; want 1", len(page.Items), err)
		}

		for _, tt := range []struct {
			name string
			list func() (page.Page[shipment.Shipment], error)
			kind apperr.Kind
		}{
			{"seller lists assigned", func() (page.Page[shipment.Shipment], error) {
				return e.svc.AssignedShipments(as("usr_sa"), shipment.ListQuery{})
			}, apperr.KindForbidden},
			{"partner lists seller's", func() (page.Page[shipment.Shipment], error) {
				return e.svc.SellerShipments(as("usr_p1"), shipment.ListQuery{})
			}, apperr.KindForbidden},
			{"no store", func() (page.Page[shipment.Shipment], error) {
				return e.svc.SellerShipments(as("usr_snostore"), shipment.ListQuery{})
			}, apperr.KindNotFound},
			{"bad status", func() (page.Page[shipment.Shipment], error) {
				return e.svc.AssignedShipments(as("usr_p1"), shipment.ListQuery{Status: "lost"})
			}, apperr.KindInvalid},
			{"bad cursor", func() (page.Page[shipment.Shipment], error) {
				return e.svc.AssignedShipments(as("usr_p1"), shipment.ListQuery{Cursor: "nope"})
			}, apperr.KindInvalid},
			{"anonymous", func() (page.Page[shipment.Shipment], error) {
				return e.svc.AssignedShipments(context.Background(), shipment.ListQuery{})
			}, apperr.KindUnauthorized},
		} {
			_, err := tt.list()
			wantErr(t, tt.name, err, tt.kind, "")
		}
	})
}

// items are the shipment's items for a paid seller order's lines.
func items(lines []order.PaidLine) []shipment.Item {
	out := make([]shipment.Item, len(lines))
	for i, l := range lines {
		out[i] = shipment.Item(l)
	}
	return out
}
