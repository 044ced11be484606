package ordertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
)

// StoreSuite runs the order Store contract against stores made by newStore,
// each fresh and empty.
func StoreSuite(t *testing.T, newStore func(t *testing.T) order.Store) {
	t.Run("CreateRead", func(t *testing.T) { testCreateRead(t, newStore(t)) })
	t.Run("ApplyOnce", func(t *testing.T) { testApplyOnce(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newStore(t)) })
	t.Run("IllegalTransitions", func(t *testing.T) { testIllegal(t, newStore(t)) })
	t.Run("Lists", func(t *testing.T) { testLists(t, newStore(t)) })
	t.Run("Expirable", func(t *testing.T) { testExpirable(t, newStore(t)) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("RequestKey", func(t *testing.T) { testRequestKey(t, newStore(t)) })
	t.Run("Placements", func(t *testing.T) { testPlacements(t, newStore(t)) })
	t.Run("Returned", func(t *testing.T) { testReturned(t, newStore(t)) })
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func usd(n int64) money.Money { return money.New(n, "USD") }

// Sample returns a new order of customer placed at placed, with one seller
// order per seller, each with one line of 2 x 1000.
func Sample(customer string, placed time.Time, sellers ...string) order.Order {
	o := order.Order{ID: id.Make[id.Order](), Status: order.PendingPayment, CustomerID: id.User(customer), Currency: "USD",
		Subtotal: usd(0), Shipping: usd(0), Tax: usd(0), Total: usd(0), Refunded: usd(0),
		ShippingAddress:      order.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		ReservationExpiresAt: placed.Add(15 * time.Minute), PlacedAt: placed, UpdatedAt: placed, SellerOrders: []order.SellerOrder{}}
	for i, s := range sellers {
		p := order.SellerOrder{ID: id.Make[id.SellerOrder](), OrderID: o.ID, SellerID: id.Seller(s), Status: order.SellerPendingPayment,
			Subtotal: usd(2000), Shipping: usd(499), Tax: usd(100), Total: usd(2599), Refunded: usd(0), UpdatedAt: placed,
			Lines: []order.Line{{ID: id.Make[id.OrderLine](), SKU: fmt.Sprintf("SKU-%s-%d", s, i), ProductID: id.Product("prd_" + s), Title: "Thing",
				Options: map[string]string{"size": "M"}, Quantity: 2, UnitPrice: usd(1000), LineTotal: usd(2000)}}}
		o.SellerOrders = append(o.SellerOrders, p)
		o.Subtotal.Amount += 2000
		o.Shipping.Amount += 499
		o.Tax.Amount += 100
		o.Total.Amount += 2599
	}
	return o
}

func create(t *testing.T, s order.Store, o order.Order) {
	t.Helper()
	start(t, s, o)
	if err := s.Create(context.Background(), o, nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

// start starts placing o, as the service does before reserving its stock.
func start(t *testing.T, s order.Store, o order.Order) {
	t.Helper()
	if got, _, err := s.StartPlacement(context.Background(), o.CustomerID, o.RequestKey, o.ID, o.PlacedAt); err != nil || got != o.ID {
		t.Fatalf("StartPlacement(%s) = %s, %v", o.ID, got, err)
	}
}

func read(t *testing.T, s order.Store, id id.Order) order.Order {
	t.Helper()
	o, err := s.Order(context.Background(), id)
	if err != nil {
		t.Fatalf("Order(%s): %v", id, err)
	}
	return o
}

func testCreateRead(t *testing.T, s order.Store) {
	ctx := context.Background()
	o := Sample("usr_1", t0, "sel_a", "sel_b")
	o.SellerOrders[1].Lines = append(o.SellerOrders[1].Lines, order.Line{ID: id.Make[id.OrderLine](), SKU: "EXTRA", ProductID: "prd_x",
		Title: "Extra", Options: map[string]string{}, Quantity: 1, UnitPrice: usd(0), LineTotal: usd(0)})
	create(t, s, o)
	if diff := cmp.Diff(o, read(t, s, o.ID)); diff != "" {
		t.Errorf("Order after Create (-want +got):\n%s", diff)
	}
	if _, err := s.Order(ctx, "ord_missing"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Order(missing) = %v, want NotFound", err)
	}
	got, err := s.OrderOfSellerOrder(ctx, o.SellerOrders[1].ID)
	if err != nil || got != o.ID {
		t.Errorf("OrderOfSellerOrder = %q, %v; want %q", got, err, o.ID)
	}
	if _, err := s.OrderOfSellerOrder(ctx, "sor_missing"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("OrderOfSellerOrder(missing) = %v, want NotFound", err)
	}
	if err := s.Create(ctx, o, nil); err == nil {
		t.Errorf("Create of the same order twice succeeded")
	}

	// Received: only a delivered seller order counts.
	d := Sample("usr_2", t0, "sel_c", "sel_d")
	d.Status = order.PartiallyDelivered
	d.SellerOrders[0].Status = order.SellerDelivered
	d.SellerOrders[1].Status = order.SellerShipped
	create(t, s, d)
	for _, c := range []struct {
		customer, product string
		want              bool
	}{
		{"usr_2", "prd_sel_c", true},
		{"usr_2", "prd_sel_d", false}, // shipped, not delivered
		{"usr_1", "prd_sel_a", false}, // awaiting payment
		{"usr_1", "prd_sel_c", false}, // another customer's delivery
	} {
		if got, err := s.Received(ctx, id.User(c.customer), id.Product(c.product)); err != nil || got != c.want {
			t.Errorf("Received(%s, %s) = %v, %v; want %v", c.customer, c.product, got, err, c.want)
		}
	}
}

func testApplyOnce(t *testing.T, s order.Store) {
	ctx := context.Background()
	boom := errors.New("effect failed")
	o := Sample("usr_1", t0, "sel_a")
	create(t, s, o)
	reason := func(st order.Store, r string) error {
		_, err := st.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
			o.CancelReason = r
			return order.Effects{}, nil
		})
		return err
	}
	runs := 0
	apply := func(consumer string, eventID id.Event, r string, fail error) (bool, error) {
		return s.ApplyOnce(ctx, consumer, eventID, func(ctx context.Context, st order.Store) error {
			runs++
			if err := reason(st, r); err != nil {
				return err
			}
			// The bound store reads what its transaction wrote.
			if got, err := st.Order(ctx, o.ID); err != nil || got.CancelReason != r {
				t.Errorf("Order inside ApplyOnce = %q, %v; want %q", got.CancelReason, err, r)
			}
			return fail
		})
	}
	steps := []struct {
		name, consumer string
		event          id.Event
		reason         string
		fail           error
		applied        bool
		runs           int
		want           string
	}{
		{"first", "c1", "evt_1", "one", nil, true, 1, "one"},
		{"again", "c1", "evt_1", "again", nil, false, 1, "one"},
		{"failing", "c1", "evt_2", "two", boom, false, 2, "one"},
		{"after a failure", "c1", "evt_2", "two", nil, true, 3, "two"},
		{"another consumer", "c2", "evt_1", "three", nil, true, 4, "three"},
	}
	for _, st := range steps {
		applied, err := apply(st.consumer, st.event, st.reason, st.fail)
		if !errors.Is(err, st.fail) || applied != st.applied {
			t.Errorf("%s: ApplyOnce = %v, %v; want %v, %v", st.name, applied, err, st.applied, st.fail)
		}
		if runs != st.runs {
			t.Errorf("%s: fn ran %d times in all, want %d", st.name, runs, st.runs)
		}
		if got := read(t, s, o.ID); got.CancelReason != st.want {
			t.Errorf("%s: cancel_reason %q, want %q", st.name, got.CancelReason, st.want)
		}
	}
	// A Create inside a failing ApplyOnce is rolled back with it.
	o2 := Sample("usr_1", t0, "sel_b")
	if _, err := s.ApplyOnce(ctx, "c1", "evt_3", func(ctx context.Context, st order.Store) error {
		start(t, st, o2)
		if err := st.Create(ctx, o2, nil); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("ApplyOnce with a failing Create = %v, want %v", err, boom)
	}
	if _, err := s.Order(ctx, o2.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("the order created in a failed ApplyOnce exists: %v", err)
	}
}

func testUpdate(t *testing.T, s order.Store) {
	ctx := context.Background()
	o := Sample("usr_1", t0, "sel_a", "sel_b")
	create(t, s, o)
	now := t0.Add(time.Minute)
	got, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
		o.Status, o.PaidAt, o.UpdatedAt = order.Paid, &now, now
		o.PaymentID, o.PaymentStatus, o.PaymentAt = "pay_1", "succeeded", now
		o.LastPaymentError = &order.PaymentError{Code: "generic_decline", Message: "Declined."}
		for i := range o.SellerOrders {
			o.SellerOrders[i].Status, o.SellerOrders[i].UpdatedAt = order.SellerAwaitingFulfillment, now
		}
		o.SellerOrders[1].Shipment = &order.Shipment{ID: "shp_1", Status: "pending", TrackingID: "TRK1"}
		return order.Effects{}, nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if diff := cmp.Diff(got, read(t, s, o.ID)); diff != "" {
		t.Errorf("Order after Update differs from what Update returned (-returned +read):\n%s", diff)
	}
	if got.Status != order.Paid || got.SellerOrders[1].Shipment == nil || got.LastPaymentError == nil {
		t.Errorf("Update did not keep the change: %+v", got)
	}
	// ErrUnchanged writes nothing and returns the order as read.
	same, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
		o.CancelReason = "not written"
		return order.Effects{}, order.ErrUnchanged
	})
	if err != nil || same.CancelReason != "" {
		t.Errorf("Update with ErrUnchanged = %q, %v; want the order as read", same.CancelReason, err)
	}
	// A mutation's own error rolls back.
	refused := apperr.Conflict("nope", "no")
	if _, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
		o.Status = order.Cancelled
		return order.Effects{}, refused
	}); !errors.Is(err, refused) {
		t.Errorf("Update = %v, want %v", err, refused)
	}
	if st := read(t, s, o.ID).Status; st != order.Paid {
		t.Errorf("status after a refused Update = %s, want paid", st)
	}
	if _, err := s.Update(ctx, "ord_missing", func(*order.Order) (order.Effects, error) { return order.Effects{}, nil }); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Update(missing) = %v, want NotFound", err)
	}
	// Money, lines and identity are not a mutation's to change.
	if _, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
		o.SellerOrders[0].Lines[0].Quantity = 99
		return order.Effects{}, nil
	}); err == nil {
		t.Errorf("Update changing a line succeeded")
	}
}

// testIllegal checks that the store refuses every status change off the
// state machines, for customer orders and seller orders, and writes nothing.
func testIllegal(t *testing.T, s order.Store) {
	ctx := context.Background()
	for _, from := range order.Statuses {
		for _, to := range order.Statuses {
			if from == to {
				continue
			}
			o := Sample("usr_1", t0, "sel_a")
			o.Status = from
			create(t, s, o)
			_, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
				o.Status = to
				return order.Effects{}, nil
			})
			if legal := from.CanBecome(to); legal != (err == nil) {
				t.Errorf("order %s -> %s: Update = %v, legal = %v", from, to, err, legal)
			} else if !legal && apperr.CodeOf(err) != "illegal_transition" {
				t.Errorf("order %s -> %s: Update = %v, want illegal_transition", from, to, err)
			}
			if want := map[bool]order.Status{true: to, false: from}[from.CanBecome(to)]; read(t, s, o.ID).Status != want {
				t.Errorf("order %s -> %s: status is %s, want %s", from, to, read(t, s, o.ID).Status, want)
			}
		}
	}
	for _, from := range order.SellerStatuses {
		for _, to := range order.SellerStatuses {
			if from == to {
				continue
			}
			o := Sample("usr_1", t0, "sel_a")
			o.SellerOrders[0].Status = from
			create(t, s, o)
			_, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
				o.SellerOrders[0].Status = to
				return order.Effects{}, nil
			})
			legal := from.CanBecome(to)
			if legal != (err == nil) || !legal && apperr.CodeOf(err) != "illegal_transition" {
				t.Errorf("seller order %s -> %s: Update = %v, legal = %v", from, to, err, legal)
			}
			want := from
			if legal {
				want = to
			}
			if got := read(t, s, o.ID).SellerOrders[0].Status; got != want {
				t.Errorf("seller order %s -> %s: status is %s, want %s", from, to, got, want)
			}
		}
	}
}

func testLists(t *testing.T, s order.Store) {
	ctx := context.Background()
	var mine []order.Order
	for i := range 5 {
		o := Sample("usr_1", t0.Add(time.Duration(i)*time.Minute), "sel_a", "sel_b")
		if i%2 == 1 {
			o.Status = order.Cancelled
			o.SellerOrders[0].Status = order.SellerCancelled
		}
		create(t, s, o)
		mine = append(mine, o)
	}
	other := Sample("usr_2", t0.Add(time.Hour), "sel_b")
	create(t, s, other)
	ids := func(os []order.Order) []id.Order {
		out := []id.Order{}
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	// Newest first, a page plus one, then the rest after the cursor.
	page, err := s.Orders(ctx, order.Filter{CustomerID: "usr_1", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{mine[4].ID, mine[3].ID, mine[2].ID}, ids(page)); diff != "" {
		t.Errorf("Orders page 1 (-want +got):\n%s", diff)
	}
	last := page[1]
	page, err = s.Orders(ctx, order.Filter{CustomerID: "usr_1", Limit: 10, After: &order.Cursor{PlacedAt: last.PlacedAt.UnixMicro(), ID: last.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{mine[2].ID, mine[1].ID, mine[0].ID}, ids(page)); diff != "" {
		t.Errorf("Orders page 2 (-want +got):\n%s", diff)
	}
	page, err = s.Orders(ctx, order.Filter{CustomerID: "usr_1", Statuses: []string{"cancelled"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{mine[3].ID, mine[1].ID}, ids(page)); diff != "" {
		t.Errorf("Orders(cancelled) (-want +got):\n%s", diff)
	}
	page, err = s.Orders(ctx, order.Filter{Limit: 100})
	if err != nil || len(page) != 6 {
		t.Errorf("Orders(all) = %d orders, %v; want 6", len(page), err)
	}
	// A seller's list holds its own part only, filtered by its status.
	page, err = s.SellerOrders(ctx, order.Filter{SellerID: "sel_b", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{other.ID, mine[4].ID, mine[3].ID, mine[2].ID}, ids(page)); diff != "" {
		t.Errorf("SellerOrders(sel_b) (-want +got):\n%s", diff)
	}
	for _, o := range page {
		if len(o.SellerOrders) != 1 || o.SellerOrders[0].SellerID != "sel_b" {
			t.Errorf("SellerOrders(sel_b) gave order %s with parts %+v", o.ID, o.SellerOrders)
		}
	}
	page, err = s.SellerOrders(ctx, order.Filter{SellerID: "sel_a", Statuses: []string{"cancelled"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{mine[3].ID, mine[1].ID}, ids(page)); diff != "" {
		t.Errorf("SellerOrders(sel_a, cancelled) (-want +got):\n%s", diff)
	}
	last = mine[3]
	page, err = s.SellerOrders(ctx, order.Filter{SellerID: "sel_a", Limit: 10, After: &order.Cursor{PlacedAt: last.PlacedAt.UnixMicro(), ID: last.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{mine[2].ID, mine[1].ID, mine[0].ID}, ids(page)); diff != "" {
		t.Errorf("SellerOrders(sel_a) after a cursor (-want +got):\n%s", diff)
	}
}

func testExpirable(t *testing.T, s order.Store) {
	ctx := context.Background()
	grace := 10 * time.Minute
	mk := func(expires time.Time, status order.Status, payment string) string {
		o := Sample("usr_1", t0, "sel_a")
		o.ReservationExpiresAt, o.Status, o.PaymentStatus = expires, status, payment
		create(t, s, o)
		return string(o.ID)
	}
	now := t0.Add(time.Hour)
	due := mk(now.Add(-time.Second), order.PendingPayment, "")
	failed := mk(now, order.PendingPayment, "failed")
	mk(now.Add(time.Second), order.PendingPayment, "")               // not yet
	mk(now.Add(-time.Minute), order.PendingPayment, "processing")    // an open payment, in its grace
	openLong := mk(now.Add(-grace), order.PendingPayment, "pending") // grace over
	mk(now.Add(-time.Hour), order.Paid, "succeeded")                 // paid
	mk(now.Add(-time.Hour), order.Cancelled, "")                     // gone
	got, err := s.Expirable(ctx, now, grace, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{due: true, failed: true, openLong: true}
	if len(got) != len(want) {
		t.Errorf("Expirable = %v, want %d orders", got, len(want))
	}
	for _, id := range got {
		if !want[string(id)] {
			t.Errorf("Expirable lists %s, which is not expired", id)
		}
	}
	if got, _ := s.Expirable(ctx, now, grace, 1); len(got) != 1 {
		t.Errorf("Expirable with limit 1 = %v", got)
	}
}

// testConcurrent checks that concurrent updates of one order never lose
// each other's changes.
func testConcurrent(t *testing.T, s order.Store) {
	ctx := context.Background()
	o := Sample("usr_1", t0, "sel_a")
	create(t, s, o)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
				o.Refunded.Amount++
				return order.Effects{}, nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Update: %v", err)
		}
	}
	if got := read(t, s, o.ID).Refunded.Amount; got != n {
		t.Errorf("after %d concurrent increments refunded = %d", n, got)
	}
}

// testRequestKey: an Idempotency-Key places at most one order per customer,
// so a retry after a crash finds the order instead of placing another.
func testRequestKey(t *testing.T, s order.Store) {
	ctx := context.Background()
	first := Sample("usr_1", t0, "sel_a")
	first.RequestKey = "key-1"
	create(t, s, first)
	again := Sample("usr_1", t0, "sel_a")
	again.RequestKey = "key-1"
	if err := s.Create(ctx, again, nil); apperr.CodeOf(err) != "request_key_used" {
		t.Errorf("Create with a used request key = %v, want request_key_used", err)
	}
	if _, err := s.Order(ctx, again.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("the refused order was stored: %v", err)
	}
	got, err := s.OrderByRequestKey(ctx, "usr_1", "key-1")
	if err != nil || got.ID != first.ID {
		t.Errorf("OrderByRequestKey = %s, %v; want %s", got.ID, err, first.ID)
	}
	// Keys are per customer, and orders without a key never collide.
	other := Sample("usr_2", t0, "sel_a")
	other.RequestKey = "key-1"
	create(t, s, other)
	create(t, s, Sample("usr_1", t0, "sel_a"))
	create(t, s, Sample("usr_1", t0, "sel_a"))
	if _, err := s.OrderByRequestKey(ctx, "usr_1", "key-2"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("OrderByRequestKey(unused) = %v, want NotFound", err)
	}
}

// testPlacements: a placement is started before the stock is reserved and
// ended by the order's Create; a retry with the same key takes over an
// unfinished one; the expirer finds and drops stale ones, after which
// Create refuses the order.
func testPlacements(t *testing.T, s order.Store) {
	ctx := context.Background()
	startAs := func(customer id.User, key string, orderID id.Order, at time.Time) id.Order {
		t.Helper()
		got, started, err := s.StartPlacement(ctx, customer, key, orderID, at)
		if err != nil {
			t.Fatalf("StartPlacement(%s, %q, %s): %v", customer, key, orderID, err)
		}
		if got == orderID && !started.Equal(at) {
			t.Errorf("StartPlacement(%s) started at %v, want %v", orderID, started, at)
		}
		return got
	}
	first := Sample("usr_1", t0, "sel_a")
	first.RequestKey = "key-1"
	if got := startAs("usr_1", "key-1", first.ID, t0); got != first.ID {
		t.Errorf("StartPlacement = %s, want %s", got, first.ID)
	}
	if got, started, err := s.StartPlacement(ctx, "usr_1", "key-1", "ord_retry", t0.Add(time.Second)); err != nil || got != first.ID || !started.Equal(t0) {
		t.Errorf("StartPlacement of a retry = %s, %v, %v; want the first attempt's %s, %v", got, started, err, first.ID, t0)
	}
	if got := startAs("usr_2", "key-1", "ord_other", t0); got != "ord_other" {
		t.Errorf("StartPlacement of another customer's key = %s, want ord_other", got)
	}
	if got := startAs("usr_1", "", "ord_nokey", t0.Add(time.Minute)); got != "ord_nokey" {
		t.Errorf("StartPlacement without a key = %s, want ord_nokey", got)
	}
	stale, err := s.StalePlacements(ctx, t0.Add(time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]id.Order{"ord_other", first.ID}, stale, cmpopts.SortSlices(func(a, b id.Order) bool { return a < b })); diff != "" {
		t.Errorf("StalePlacements (-want +got):\n%s", diff)
	}
	if err := s.Create(ctx, first, nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
	// The order's Create ended the placement: a later retry is a new one
	// (the service finds the order by its key before that).
	if got := startAs("usr_1", "key-1", "ord_later", t0.Add(2*time.Second)); got != "ord_later" {
		t.Errorf("StartPlacement after the order was written = %s, want ord_later", got)
	}
	if dropped, err := s.DropPlacement(ctx, "ord_later"); err != nil || !dropped {
		t.Errorf("DropPlacement = %v, %v; want true", dropped, err)
	}
	if dropped, err := s.DropPlacement(ctx, "ord_later"); err != nil || dropped {
		t.Errorf("DropPlacement again = %v, %v; want false", dropped, err)
	}
	// An order whose placement was dropped (or never started) is refused.
	orphan := Sample("usr_3", t0, "sel_a")
	if err := s.Create(ctx, orphan, nil); apperr.CodeOf(err) != "placement_expired" {
		t.Errorf("Create without a placement = %v, want placement_expired", err)
	}
	if _, err := s.Order(ctx, orphan.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("the refused order was stored: %v", err)
	}
	if stale, err := s.StalePlacements(ctx, t0.Add(time.Hour), 10); err != nil || len(stale) != 2 {
		t.Errorf("StalePlacements at the end = %v, %v; want ord_other and ord_nokey", stale, err)
	}
}

// testReturned: a line's returned units and a seller order's refunds are
// stored with the order and changed by Update, the units only upwards and
// never past the line's quantity, the refunds only upwards.
func testReturned(t *testing.T, s order.Store) {
	ctx := context.Background()
	o := Sample("usr_1", t0, "sel_a", "sel_b")
	o.Status = order.PartiallyReturned
	for i := range o.SellerOrders {
		o.SellerOrders[i].Status = order.SellerDelivered
	}
	o.SellerOrders[0].Lines[0].Returned = 1
	o.SellerOrders[0].Refunded = usd(1000)
	create(t, s, o)
	if diff := cmp.Diff(o, read(t, s, o.ID)); diff != "" {
		t.Errorf("Order after Create (-want +got):\n%s", diff)
	}
	got, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
		o.SellerOrders[0].Lines[0].Returned = 2
		o.SellerOrders[0].Refunded = usd(2000)
		o.SellerOrders[1].Lines[0].Returned = 2
		o.SellerOrders[1].Refunded = usd(2599)
		o.Status = order.Returned
		return order.Effects{}, nil
	})
	if err != nil {
		t.Fatalf("Update returning every unit: %v", err)
	}
	if diff := cmp.Diff(got, read(t, s, o.ID)); diff != "" {
		t.Errorf("Order after Update differs from what Update returned (-returned +read):\n%s", diff)
	}
	for i, p := range read(t, s, o.ID).SellerOrders {
		if p.Lines[0].Returned != 2 {
			t.Errorf("seller order %d: %d units returned, want 2", i, p.Lines[0].Returned)
		}
	}
	if p := read(t, s, o.ID).SellerOrders; p[0].Refunded != usd(2000) || p[1].Refunded != usd(2599) {
		t.Errorf("refunded = %v and %v, want 20.00 and 25.99 USD", p[0].Refunded, p[1].Refunded)
	}
	for _, c := range []struct {
		name string
		m    func(o *order.Order)
	}{
		{"more than the quantity", func(o *order.Order) { o.SellerOrders[0].Lines[0].Returned = 3 }},
		{"fewer than before", func(o *order.Order) { o.SellerOrders[0].Lines[0].Returned = 1 }},
		{"negative", func(o *order.Order) { o.SellerOrders[1].Lines[0].Returned = -1 }},
		{"a refund taken back", func(o *order.Order) { o.SellerOrders[0].Refunded = usd(1) }},
		{"a refund in another currency", func(o *order.Order) { o.SellerOrders[0].Refunded = money.New(5000, "EUR") }},
	} {
		if _, err := s.Update(ctx, o.ID, func(o *order.Order) (order.Effects, error) {
			c.m(o)
			return order.Effects{}, nil
		}); err == nil {
			t.Errorf("Update with %s succeeded", c.name)
		}
	}
	if diff := cmp.Diff(got, read(t, s, o.ID)); diff != "" {
		t.Errorf("Order after refused Updates (-want +got):\n%s", diff)
	}
}
