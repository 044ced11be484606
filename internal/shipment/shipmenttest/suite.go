package shipmenttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// StoreSuite runs the shipment Store contract against stores made by open,
// each fresh and empty, with the database they keep their tables and outbox
// in (the event tables included: ApplyOnce records applied events there).
func StoreSuite(t *testing.T, open func(t *testing.T) (shipment.Store, *sqldb.DB)) {
	t.Run("Create", func(t *testing.T) { testCreate(open(t))(t) })
	t.Run("Move", func(t *testing.T) { testMove(open(t))(t) })
	t.Run("ConcurrentMove", func(t *testing.T) { testConcurrentMove(open(t))(t) })
	t.Run("Cancel", func(t *testing.T) { testCancel(open(t))(t) })
	t.Run("List", func(t *testing.T) { testList(open(t))(t) })
	t.Run("Loads", func(t *testing.T) { testLoads(open(t))(t) })
	t.Run("ApplyOnce", func(t *testing.T) { testApplyOnce(open(t))(t) })
}

// testApplyOnce: an event's effect is applied once per consumer, and a
// failing effect rolls back with the record of the event.
func testApplyOnce(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		boom := errors.New("effect failed")
		runs := 0
		apply := func(consumer string, eventID id.Event, shp shipment.Shipment, fail error) (bool, error) {
			return s.ApplyOnce(ctx, consumer, eventID, func(ctx context.Context, st shipment.Store) error {
				runs++
				if _, err := st.Create(ctx, []shipment.Shipment{shp}); err != nil {
					return err
				}
				// The bound store reads what its transaction wrote.
				if _, err := st.Shipment(ctx, shp.ID); err != nil {
					t.Errorf("Shipment inside ApplyOnce: %v", err)
				}
				return fail
			})
		}
		a, b := NewShipment("ord_1", "sel_a"), NewShipment("ord_1", "sel_b")
		if applied, err := apply("c1", "evt_1", a, nil); err != nil || !applied {
			t.Fatalf("ApplyOnce = %v, %v; want true", applied, err)
		}
		if applied, err := apply("c1", "evt_1", b, nil); err != nil || applied || runs != 1 {
			t.Errorf("ApplyOnce again = %v, %v after %d runs; want false after 1", applied, err, runs)
		}
		if applied, err := apply("c1", "evt_2", b, boom); !errors.Is(err, boom) || applied {
			t.Errorf("failing ApplyOnce = %v, %v; want %v", applied, err, boom)
		}
		if _, err := s.Shipment(ctx, b.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("the shipment of a failed ApplyOnce exists: %v", err)
		}
		if applied, err := apply("c1", "evt_2", b, nil); err != nil || !applied {
			t.Errorf("ApplyOnce after a failure = %v, %v; want true", applied, err)
		}
		if _, err := s.Shipment(ctx, b.ID); err != nil {
			t.Errorf("shipment of the retried event: %v", err)
		}
	}
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// NewShipment returns a pending shipment of a fresh seller order, as the
// paid-order consumer builds it.
func NewShipment(orderID id.Order, sellerID id.Seller) shipment.Shipment {
	return shipment.Shipment{
		ID: id.Make[id.Shipment](), OrderID: orderID, SellerOrderID: id.Make[id.SellerOrder](), SellerID: sellerID, CustomerID: "usr_cust",
		Status: shipment.Pending, Carrier: shipment.DefaultCarrier, TrackingID: shipment.NewTrackingID(),
		ShippingAddress: shipment.Address{Name: "Ana", Line1: "1 Main St", City: "Lisbon", PostalCode: "1000-001", Country: "PT", Phone: "+351 1"},
		Items:           []shipment.Item{{SKU: "SKU-1", ProductID: "prd_1", Title: "Mug", Quantity: 2}},
		CreatedAt:       t0, UpdatedAt: t0,
		Timeline: []shipment.Entry{{Status: shipment.Pending, Note: "label created", At: t0}},
	}
}

// OutboxRow is one published event, with its payload as a JSON object.
type OutboxRow struct {
	Topic, Aggregate string
	Payload          map[string]any
}

// Outbox returns the events published in db, oldest first.
func Outbox(t *testing.T, db *sqldb.DB) []OutboxRow {
	t.Helper()
	rows, err := db.Read().Query(`SELECT topic, aggregate, payload FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var p string
		if err := rows.Scan(&r.Topic, &r.Aggregate, &p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p), &r.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func create(t *testing.T, s shipment.Store, db *sqldb.DB, shps ...shipment.Shipment) []shipment.Shipment {
	t.Helper()
	got, err := s.Create(context.Background(), shps)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return got
}

func mustMove(t *testing.T, s shipment.Store, shipmentID id.Shipment, from, to shipment.Status, partner string) shipment.Shipment {
	t.Helper()
	shp, err := s.Move(context.Background(), shipment.Change{ID: shipmentID, From: from, PartnerID: id.User(partner),
		Entry: shipment.Entry{Status: to, At: t0.Add(time.Minute)}})
	if err != nil {
		t.Fatalf("Move %s %s->%s: %v", shipmentID, from, to, err)
	}
	return shp
}

func testCreate(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		a, b := NewShipment("ord_1", "sel_a"), NewShipment("ord_1", "sel_b")
		got := create(t, s, db, a, b)
		if diff := cmp.Diff([]shipment.Shipment{a, b}, got); diff != "" {
			t.Errorf("Create (-want +got):\n%s", diff)
		}
		stored, err := s.Shipment(ctx, a.ID)
		if err != nil {
			t.Fatalf("Shipment: %v", err)
		}
		if diff := cmp.Diff(a, stored); diff != "" {
			t.Errorf("Shipment (-want +got):\n%s", diff)
		}

		// The same seller orders again (a redelivered or republished event)
		// create nothing, even with new shipment IDs.
		again := a
		again.ID, again.TrackingID = id.Make[id.Shipment](), shipment.NewTrackingID()
		if got := create(t, s, db, again, b); len(got) != 0 {
			t.Errorf("Create again created %d shipments, want 0", len(got))
		}
		if _, err := s.Shipment(ctx, again.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Shipment(duplicate) = %v, want NotFound", err)
		}

		// A taken tracking ID is replaced, not an error.
		c := NewShipment("ord_2", "sel_a")
		c.TrackingID = a.TrackingID
		got = create(t, s, db, c)
		if len(got) != 1 || got[0].TrackingID == a.TrackingID || !strings.HasPrefix(got[0].TrackingID, "BZ") || len(got[0].TrackingID) != 14 {
			t.Errorf("Create with a taken tracking ID = %+v, want a fresh BZ tracking ID", got)
		}

		var topics []string
		for _, e := range Outbox(t, db) {
			topics = append(topics, e.Topic+" "+e.Aggregate)
		}
		want := []string{shipment.TopicCreated.Name() + " " + string(a.ID), shipment.TopicCreated.Name() + " " + string(b.ID), shipment.TopicCreated.Name() + " " + string(c.ID)}
		if diff := cmp.Diff(want, topics); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if p := Outbox(t, db)[0].Payload; p["tracking_id"] != a.TrackingID || p["seller_order_id"] != string(a.SellerOrderID) ||
			p["status"] != "pending" || p["customer_id"] != "usr_cust" || p["carrier"] != shipment.DefaultCarrier {
			t.Errorf("created payload = %v", p)
		}
	}
}

func testMove(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		a := create(t, s, db, NewShipment("ord_1", "sel_a"))[0]
		mustMove(t, s, a.ID, shipment.Pending, shipment.Packed, "")
		at := t0.Add(2 * time.Minute)
		got, err := s.Move(ctx, shipment.Change{ID: a.ID, From: shipment.Packed, PartnerID: "usr_p1",
			Entry: shipment.Entry{Status: shipment.HandedOver, Location: "Depot", Note: "n", Proof: "p", ActorID: "usr_s", At: at}})
		if err != nil {
			t.Fatalf("Move: %v", err)
		}
		if got.Status != shipment.HandedOver || got.PartnerID != "usr_p1" || !got.UpdatedAt.Equal(at) {
			t.Errorf("Move = %+v, want handed_over to usr_p1 at %v", got, at)
		}
		wantTL := []shipment.Entry{
			{Status: shipment.Pending, Note: "label created", At: t0},
			{Status: shipment.Packed, At: t0.Add(time.Minute)},
			{Status: shipment.HandedOver, Location: "Depot", Note: "n", Proof: "p", ActorID: "usr_s", At: at},
		}
		if diff := cmp.Diff(wantTL, got.Timeline); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		// A later move without a partner keeps the assigned one.
		if got := mustMove(t, s, a.ID, shipment.HandedOver, shipment.PickedUp, ""); got.PartnerID != "usr_p1" {
			t.Errorf("partner after pickup = %q, want usr_p1", got.PartnerID)
		}

		// The shipment is no longer in From.
		_, err = s.Move(ctx, shipment.Change{ID: a.ID, From: shipment.HandedOver, Entry: shipment.Entry{Status: shipment.PickedUp, At: at}})
		if !apperr.Is(err, apperr.KindConflict) || apperr.CodeOf(err) != "illegal_transition" {
			t.Errorf("Move from a stale status = %v, want Conflict illegal_transition", err)
		}
		_, err = s.Move(ctx, shipment.Change{ID: "shp_missing", From: shipment.Pending, Entry: shipment.Entry{Status: shipment.Packed, At: at}})
		if !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Move(missing) = %v, want NotFound", err)
		}
		if got, _ := s.Shipment(ctx, a.ID); len(got.Timeline) != 4 {
			t.Errorf("timeline after refused moves has %d events, want 4", len(got.Timeline))
		}

		evs := Outbox(t, db)
		var changes []map[string]any
		for _, e := range evs {
			if e.Topic == shipment.TopicStatusChanged.Name() {
				if id.Shipment(e.Aggregate) != a.ID {
					t.Errorf("status_changed aggregate = %s, want %s", e.Aggregate, a.ID)
				}
				changes = append(changes, e.Payload)
			}
		}
		if len(changes) != 3 {
			t.Fatalf("%d status_changed events, want 3", len(changes))
		}
		want := map[string]any{"shipment_id": string(a.ID), "order_id": "ord_1", "seller_order_id": string(a.SellerOrderID), "seller_id": "sel_a",
			"customer_id": "usr_cust", "partner_id": "usr_p1", "status": "handed_over", "previous_status": "packed",
			"location": "Depot", "at": at.Format(time.RFC3339Nano)}
		if diff := cmp.Diff(want, changes[1]); diff != "" {
			t.Errorf("status_changed payload (-want +got):\n%s", diff)
		}
	}
}

func testConcurrentMove(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		a := create(t, s, db, NewShipment("ord_1", "sel_a"))[0]
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Move(ctx, shipment.Change{ID: a.ID, From: shipment.Pending,
					Entry: shipment.Entry{Status: shipment.Packed, Note: fmt.Sprint(i), At: t0}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.CodeOf(err) != "illegal_transition":
				t.Errorf("concurrent Move = %v, want nil or illegal_transition", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent moves applied, want 1", ok, n)
		}
		got, _ := s.Shipment(ctx, a.ID)
		if len(got.Timeline) != 2 {
			t.Errorf("timeline has %d events, want 2", len(got.Timeline))
		}
	}
}

func testCancel(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		shps := create(t, s, db, NewShipment("ord_1", "sel_a"), NewShipment("ord_1", "sel_b"),
			NewShipment("ord_1", "sel_c"), NewShipment("ord_1", "sel_d"))
		pending, packed, handed, other := shps[0], shps[1], shps[2], shps[3]
		mustMove(t, s, packed.ID, shipment.Pending, shipment.Packed, "")
		mustMove(t, s, handed.ID, shipment.Pending, shipment.Packed, "")
		mustMove(t, s, handed.ID, shipment.Packed, shipment.HandedOver, "usr_p1")
		before := len(Outbox(t, db))

		got, err := s.Cancel(ctx, []id.SellerOrder{pending.SellerOrderID, packed.SellerOrderID, handed.SellerOrderID, "sor_unknown"},
			"order cancelled: changed my mind", t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		var ids []id.Shipment
		for _, shp := range got {
			ids = append(ids, shp.ID)
			if shp.Status != shipment.Cancelled {
				t.Errorf("cancelled shipment %s is %s", shp.ID, shp.Status)
			}
			last := shp.Timeline[len(shp.Timeline)-1]
			if last.Status != shipment.Cancelled || last.Note != "order cancelled: changed my mind" {
				t.Errorf("last timeline event of %s = %+v, want the cancellation", shp.ID, last)
			}
		}
		if diff := cmp.Diff([]id.Shipment{pending.ID, packed.ID}, ids); diff != "" {
			t.Errorf("cancelled (-want +got):\n%s", diff)
		}
		for _, x := range []struct {
			id   string
			want shipment.Status
		}{{string(handed.ID), shipment.HandedOver}, {string(other.ID), shipment.Pending}} {
			if got, _ := s.Shipment(ctx, id.Shipment(x.id)); got.Status != x.want {
				t.Errorf("%s after cancel = %s, want %s", x.id, got.Status, x.want)
			}
		}
		evs := Outbox(t, db)[before:]
		var prev []any
		for _, e := range evs {
			if e.Topic != shipment.TopicStatusChanged.Name() || e.Payload["status"] != "cancelled" {
				t.Errorf("event %s %v, want status_changed to cancelled", e.Topic, e.Payload)
			}
			prev = append(prev, e.Payload["previous_status"])
		}
		if diff := cmp.Diff([]any{"pending", "packed"}, prev); diff != "" {
			t.Errorf("previous statuses (-want +got):\n%s", diff)
		}
	}
}

func testList(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		var all []shipment.Shipment
		for i := range 5 {
			all = append(all, create(t, s, db, NewShipment(id.Order(fmt.Sprintf("ord_%d", i)), id.Seller([]string{"sel_a", "sel_b"}[i%2])))...)
		}
		// a: 0, 2, 4; b: 1, 3. Partner p1 gets 0 and 1, p2 gets 2.
		for i, p := range []string{"usr_p1", "usr_p1", "usr_p2"} {
			mustMove(t, s, all[i].ID, shipment.Pending, shipment.Packed, "")
			mustMove(t, s, all[i].ID, shipment.Packed, shipment.HandedOver, p)
		}
		ids := func(shps []shipment.Shipment) []id.Shipment {
			out := []id.Shipment{}
			for _, s := range shps {
				out = append(out, s.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    shipment.Filter
			want []id.Shipment
		}{
			{"seller a", shipment.Filter{SellerID: "sel_a", Limit: 10}, []id.Shipment{all[4].ID, all[2].ID, all[0].ID}},
			{"seller a, limit", shipment.Filter{SellerID: "sel_a", Limit: 2}, []id.Shipment{all[4].ID, all[2].ID}},
			{"seller a, before", shipment.Filter{SellerID: "sel_a", Before: string(all[2].ID), Limit: 10}, []id.Shipment{all[0].ID}},
			{"seller a, pending", shipment.Filter{SellerID: "sel_a", Status: shipment.Pending, Limit: 10}, []id.Shipment{all[4].ID}},
			{"partner p1", shipment.Filter{PartnerID: "usr_p1", Limit: 10}, []id.Shipment{all[1].ID, all[0].ID}},
			{"partner p1, seller b", shipment.Filter{PartnerID: "usr_p1", SellerID: "sel_b", Limit: 10}, []id.Shipment{all[1].ID}},
			{"partner none", shipment.Filter{PartnerID: "usr_nobody", Limit: 10}, []id.Shipment{}},
		}
		for _, tt := range tests {
			got, err := s.Shipments(ctx, tt.f)
			if err != nil {
				t.Errorf("%s: Shipments: %v", tt.name, err)
				continue
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("%s: Shipments (-want +got):\n%s", tt.name, diff)
			}
			for _, shp := range got {
				one, _ := s.Shipment(ctx, shp.ID)
				if diff := cmp.Diff(one, shp, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s: listed %s differs from Shipment (-one +listed):\n%s", tt.name, shp.ID, diff)
				}
			}
		}
	}
}

func testLoads(s shipment.Store, db *sqldb.DB) func(t *testing.T) {
	return func(t *testing.T) {
		ctx := context.Background()
		path := []shipment.Status{shipment.Packed, shipment.HandedOver, shipment.PickedUp, shipment.InTransit,
			shipment.OutForDelivery, shipment.Delivered}
		// p1 holds one shipment in each status along the path; p2 one
		// that failed an attempt and one returned.
		for i := range path {
			shp := create(t, s, db, NewShipment("ord_1", "sel_a"))[0]
			from := shipment.Pending
			for _, to := range path[:i+1] {
				p := ""
				if to == shipment.HandedOver {
					p = "usr_p1"
				}
				mustMove(t, s, shp.ID, from, to, p)
				from = to
			}
		}
		for _, end := range []shipment.Status{shipment.FailedAttempt, shipment.ReturnedToSeller} {
			shp := create(t, s, db, NewShipment("ord_2", "sel_a"))[0]
			mustMove(t, s, shp.ID, shipment.Pending, shipment.Packed, "")
			mustMove(t, s, shp.ID, shipment.Packed, shipment.HandedOver, "usr_p2")
			mustMove(t, s, shp.ID, shipment.HandedOver, shipment.PickedUp, "")
			mustMove(t, s, shp.ID, shipment.PickedUp, shipment.InTransit, "")
			mustMove(t, s, shp.ID, shipment.InTransit, shipment.OutForDelivery, "")
			mustMove(t, s, shp.ID, shipment.OutForDelivery, shipment.FailedAttempt, "")
			if end == shipment.ReturnedToSeller {
				mustMove(t, s, shp.ID, shipment.FailedAttempt, shipment.ReturnedToSeller, "")
			}
		}
		got, err := s.Loads(ctx)
		if err != nil {
			t.Fatalf("Loads: %v", err)
		}
		// p1: handed_over, picked_up, in_transit, out_for_delivery.
		if diff := cmp.Diff(map[id.User]int{"usr_p1": 4, "usr_p2": 1}, got); diff != "" {
			t.Errorf("Loads (-want +got):\n%s", diff)
		}
	}
}
