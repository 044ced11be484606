package order_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// errInjected is the failure the fakes below inject.
var errInjected = errors.New("injected fault")

// faults fails named steps of checkout on cue: arm(step, n) makes the next n
// calls of step fail; on(step, f) runs f once just before the next call of
// step (to interleave another actor there).
type faults struct {
	mu    sync.Mutex
	armed map[string]int
	hooks map[string]func()
	calls map[string]int
}

func newFaults() *faults {
	return &faults{armed: map[string]int{}, hooks: map[string]func(){}, calls: map[string]int{}}
}

func (f *faults) arm(step string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed[step] += n
}

func (f *faults) on(step string, hook func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[step] = hook
}

// hit records a call of step, runs its hook and fails if armed.
func (f *faults) hit(step string) error {
	f.mu.Lock()
	f.calls[step]++
	hook := f.hooks[step]
	delete(f.hooks, step)
	fail := f.armed[step] > 0
	if fail {
		f.armed[step]--
	}
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	if fail {
		return fmt.Errorf("%s: %w", step, errInjected)
	}
	return nil
}

// spent checks that every armed fault fired and every hook ran: a scenario
// whose fault never happened proves nothing.
func (f *faults) spent(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for step, n := range f.armed {
		if n > 0 {
			t.Errorf("%d armed faults of %s never fired", n, step)
		}
	}
	for step := range f.hooks {
		t.Errorf("the hook on %s never ran", step)
	}
}

// faultStock is inventory as the order module sees it, failing on cue:
// "reserve", "commit", "release" and "return" fail before the call reaches
// inventory; "reserve.lost" and "commit.lost" after it did its work (the
// answer was lost on the way back).
type faultStock struct {
	order.Stock
	f *faults
}

func (s faultStock) Reserve(ctx context.Context, orderID id.Order, lines []inventory.Line, expiresAt time.Time) error {
	if err := s.f.hit("reserve"); err != nil {
		return err
	}
	if err := s.Stock.Reserve(ctx, orderID, lines, expiresAt); err != nil {
		return err
	}
	return s.f.hit("reserve.lost")
}

func (s faultStock) Commit(ctx context.Context, orderID id.Order) error {
	if err := s.f.hit("commit"); err != nil {
		return err
	}
	if err := s.Stock.Commit(ctx, orderID); err != nil {
		return err
	}
	return s.f.hit("commit.lost")
}

func (s faultStock) Release(ctx context.Context, orderID id.Order) error {
	if err := s.f.hit("release"); err != nil {
		return err
	}
	return s.Stock.Release(ctx, orderID)
}

func (s faultStock) Return(ctx context.Context, orderID id.Order, skus []string) error {
	if err := s.f.hit("return"); err != nil {
		return err
	}
	return s.Stock.Return(ctx, orderID, skus)
}

// faultCarts fails "cart" (the removal of an order's lines) on cue; "lines"
// is hit after the cart was read, for a second tab to act there.
type faultCarts struct {
	order.Carts
	f *faults
}

func (c faultCarts) Lines(ctx context.Context, userID id.User) ([]cart.Line, error) {
	ls, err := c.Carts.Lines(ctx, userID)
	if err != nil {
		return nil, err
	}
	return ls, c.f.hit("lines")
}

func (c faultCarts) RemoveOrdered(ctx context.Context, userID id.User, orderID id.Order, lines []cart.Ordered) error {
	if err := c.f.hit("cart"); err != nil {
		return err
	}
	return c.Carts.RemoveOrdered(ctx, userID, orderID, lines)
}

// faultStore fails "create" (writing a new order), "drop" (ending a
// placement) and "apply" (an order change made by an event consumer, inside
// ApplyOnce) on cue.
type faultStore struct {
	order.Store
	f     *faults
	bound bool
}

func (s faultStore) Create(ctx context.Context, o order.Order, events []order.Event) error {
	if err := s.f.hit("create"); err != nil {
		return err
	}
	return s.Store.Create(ctx, o, events)
}

func (s faultStore) DropPlacement(ctx context.Context, orderID id.Order) (bool, error) {
	if err := s.f.hit("drop"); err != nil {
		return false, err
	}
	return s.Store.DropPlacement(ctx, orderID)
}

func (s faultStore) ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(ctx context.Context, st order.Store) error) (bool, error) {
	return s.Store.ApplyOnce(ctx, consumer, eventID, func(ctx context.Context, st order.Store) error {
		return fn(ctx, faultStore{Store: st, f: s.f, bound: true})
	})
}

func (s faultStore) Update(ctx context.Context, id id.Order, m order.Mutation) (order.Order, error) {
	if s.bound {
		if err := s.f.hit("apply"); err != nil {
			return order.Order{}, err
		}
	}
	return s.Store.Update(ctx, id, m)
}

// initial is the stock every fault scenario starts with.
var initial = map[string]int64{"TEE": 10, "LAMP": 5}

// faultEnv wires the module with its stock, carts and store behind faults,
// and the order routes behind the Idempotency-Key middleware.
func faultEnv(t *testing.T, db *sqldb.DB) (*ordertest.Env, *faults, http.Handler) {
	t.Helper()
	f := newFaults()
	e := ordertest.NewEnvWrapped(t, db, order.Options{}, ordertest.Wrap{
		Stock: func(s order.Stock) order.Stock { return faultStock{Stock: s, f: f} },
		Carts: func(c order.Carts) order.Carts { return faultCarts{Carts: c, f: f} },
		Store: func(s order.Store) order.Store { return faultStore{Store: s, f: f} },
	})
	if err := idempotency.Migrate(bg, db); err != nil {
		t.Fatal(err)
	}
	e.AddSKU(t, catalog.SKU{SKU: "TEE", SellerID: "sel_a", Price: usd(1500), Active: true}, initial["TEE"])
	e.AddSKU(t, catalog.SKU{SKU: "LAMP", SellerID: "sel_b", Price: usd(6000), Active: true}, initial["LAMP"])
	e.Addresses.Put(account.Address{ID: "adr_alice", UserID: "usr_alice", Name: "Alice", Line1: "1 Main St",
		City: "Springfield", PostalCode: "12345", Country: "US"})
	keys := idempotency.New(db)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Signed in as alice, as the auth middleware would have it.
		keys.Middleware(e.Router).ServeHTTP(w, r.WithContext(alice))
	})
	return e, f, h
}

// placeHTTP posts an order as alice with an Idempotency-Key, as a client
// does (and does again after an error).
func placeHTTP(t *testing.T, h http.Handler, key string, in order.PlaceInput) (int, order.Order) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/v1/order", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(idempotency.Header, key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var o order.Order
	if rec.Code == http.StatusCreated {
		if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil {
			t.Fatalf("decode order: %v\n%s", err, rec.Body)
		}
	}
	return rec.Code, o
}

// fromCart is a placement of alice's cart.
var fromCart = order.PlaceInput{AddressID: "adr_alice"}

func fillCart(t *testing.T, e *ordertest.Env, items map[string]int64) {
	t.Helper()
	for sku, n := range items {
		if _, err := e.Cart.AddItem(alice, "", cart.ItemInput{SKU: sku, Quantity: n}); err != nil {
			t.Fatalf("AddItem(%s): %v", sku, err)
		}
	}
}

func cartOf(t *testing.T, e *ordertest.Env) map[string]int64 {
	t.Helper()
	ls, err := e.Cart.Lines(alice, "usr_alice")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, l := range ls {
		m[l.SKU] = l.Quantity
	}
	return m
}

// recoverAll lets the system heal as it does in production: the gateway
// settles and the outbox redelivers (with its backoff) until nothing is
// pending.
func recoverAll(t *testing.T, e *ordertest.Env) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := e.Gateway.Flush(bg)
		if err != nil {
			t.Fatalf("gateway Flush: %v", err)
		}
		pending, err := e.Bus.Drain(bg)
		if err != nil {
			t.Fatalf("bus Drain: %v", err)
		}
		if n == 0 && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			var last string
			_ = e.DB.Read().QueryRow(`SELECT COALESCE(MAX(last_error), '') FROM event_outbox WHERE published_at IS NULL`).Scan(&last)
			t.Fatalf("%d events still pending: %s", pending, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consistent checks the invariants checkout keeps across modules: per SKU,
// on hand is the initial stock less what live paid seller orders bought, and
// reserved is exactly what orders awaiting payment hold (so available +
// reserved + sold = initial: nothing leaked, nothing committed for a
// cancelled order); every order awaiting payment has its reservation held
// and every paid one has it committed; no order was paid (or charged) twice;
// no placement is left unfinished.
func consistent(t *testing.T, e *ordertest.Env) {
	t.Helper()
	q := e.DB.Read()
	rows, err := q.Query(`SELECT o.id, o.status, so.status, l.sku, l.quantity FROM order_lines l
		JOIN order_seller_orders so ON so.id = l.seller_order_id JOIN order_orders o ON o.id = l.order_id`)
	if err != nil {
		t.Fatal(err)
	}
	sold, held := map[string]int64{}, map[string]int64{}
	status := map[string]order.Status{}
	for rows.Next() {
		var id, st, part, sku string
		var n int64
		if err := rows.Scan(&id, &st, &part, &sku, &n); err != nil {
			t.Fatal(err)
		}
		status[id] = order.Status(st)
		switch {
		case st == string(order.PendingPayment):
			held[sku] += n
		case part != string(order.SellerCancelled):
			sold[sku] += n
		}
	}
	rows.Close()
	for sku, start := range initial {
		onHand, reserved := e.Level(t, sku)
		if onHand != start-sold[sku] || reserved != held[sku] {
			t.Errorf("%s: on hand %d, reserved %d; want %d (%d sold) and %d (held by orders awaiting payment)",
				sku, onHand, reserved, start-sold[sku], sold[sku], held[sku])
		}
	}
	for oid, st := range status {
		r := e.Reservation(t, id.Order(oid))
		switch st {
		case order.PendingPayment:
			if r != inventory.Held {
				t.Errorf("order %s awaits payment with its reservation %q", oid, r)
			}
		case order.Cancelled, order.Refunded:
		default:
			if r != inventory.Committed {
				t.Errorf("order %s is %s with its reservation %q", oid, st, r)
			}
		}
	}
	count := func(query string) int {
		t.Helper()
		var n int
		if err := q.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM (SELECT aggregate FROM event_outbox WHERE topic = 'order.paid.v1'
		GROUP BY aggregate HAVING COUNT(*) > 1) d`); n != 0 {
		t.Errorf("%d orders were paid more than once", n)
	}
	if n := count(`SELECT COUNT(*) FROM (SELECT order_id FROM payment_payments WHERE status IN ('succeeded', 'refunded')
		GROUP BY order_id HAVING COUNT(*) > 1) d`); n != 0 {
		t.Errorf("%d orders were charged more than once", n)
	}
	if n := count(`SELECT COUNT(*) FROM order_placements`); n != 0 {
		t.Errorf("%d placements were never finished", n)
	}
}

// payAndRecover pays for alice's order and lets the outbox redeliver what
// failed until everything is applied.
func payAndRecover(t *testing.T, e *ordertest.Env, orderID id.Order) {
	t.Helper()
	if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: orderID, Method: "tok_visa"}); err != nil {
		t.Fatalf("Pay: %v", err)
	}
	recoverAll(t, e)
}

func orderStatus(t *testing.T, e *ordertest.Env, id id.Order) order.Status {
	t.Helper()
	return get(t, e, id).Status
}

// TestCheckoutFaults fails each step of checkout in turn, lets the system
// recover as it would in production (the client's retry with the same
// Idempotency-Key, the outbox's redelivery, the expirer, inventory's
// sweeper) and checks that the modules agree afterwards (consistent), and
// that the cart lost exactly what was ordered.
func TestCheckoutFaults(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler)
	}{
		{"reserve fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			fillCart(t, e, map[string]int64{"TEE": 2, "LAMP": 1})
			f.arm("reserve", 1)
			if code, _ := placeHTTP(t, h, "k1", fromCart); code != http.StatusInternalServerError {
				t.Fatalf("place with reserve failing = %d, want 500", code)
			}
			consistent(t, e)
			if diff := cmp.Diff(map[string]int64{"TEE": 2, "LAMP": 1}, cartOf(t, e)); diff != "" {
				t.Errorf("cart after a failed placement (-want +got):\n%s", diff)
			}
			code, o := placeHTTP(t, h, "k1", fromCart)
			if code != http.StatusCreated {
				t.Fatalf("retry = %d, want 201", code)
			}
			recoverAll(t, e)
			consistent(t, e)
			if got := cartOf(t, e); len(got) != 0 {
				t.Errorf("cart after the retry holds %v", got)
			}
			if orderStatus(t, e, o.ID) != order.PendingPayment {
				t.Errorf("order %s is not awaiting payment", o.ID)
			}
		}},
		{"reserve's answer lost", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			f.arm("reserve.lost", 1)
			in := order.PlaceInput{Lines: []order.LineInput{line("LAMP", 5)}, AddressID: "adr_alice"}
			if code, _ := placeHTTP(t, h, "k1", in); code != http.StatusInternalServerError {
				t.Fatalf("place with reserve's answer lost = %d, want 500", code)
			}
			consistent(t, e) // the reservation made was given back
			if code, _ := placeHTTP(t, h, "k1", in); code != http.StatusCreated {
				t.Fatalf("retry = %d, want 201 (all 5 lamps are free again)", code)
			}
			consistent(t, e)
		}},
		{"writing the order fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			fillCart(t, e, map[string]int64{"LAMP": 5})
			f.arm("create", 1)
			if code, _ := placeHTTP(t, h, "k1", fromCart); code != http.StatusInternalServerError {
				t.Fatalf("place with the order's write failing = %d, want 500", code)
			}
			consistent(t, e)
			if diff := cmp.Diff(map[string]int64{"LAMP": 5}, cartOf(t, e)); diff != "" {
				t.Errorf("cart after a failed placement (-want +got):\n%s", diff)
			}
			if code, _ := placeHTTP(t, h, "k1", fromCart); code != http.StatusCreated {
				t.Fatalf("retry = %d, want 201", code)
			}
			recoverAll(t, e)
			consistent(t, e)
			if got := cartOf(t, e); len(got) != 0 {
				t.Errorf("cart after the retry holds %v", got)
			}
		}},
		{"the process dies between reserving and writing; the client retries", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			// Writing fails and so does everything that would clean up
			// (as if the process died): the reservation stays.
			f.arm("create", 1)
			f.arm("drop", 1)
			in := order.PlaceInput{Lines: []order.LineInput{line("LAMP", 3)}, AddressID: "adr_alice"}
			if code, _ := placeHTTP(t, h, "k1", in); code != http.StatusInternalServerError {
				t.Fatalf("place = %d, want 500", code)
			}
			if _, reserved := e.Level(t, "LAMP"); reserved != 3 {
				t.Fatalf("reserved after the crash = %d, want 3 (held by the unfinished placement)", reserved)
			}
			// The retry, a minute later, takes over the placement and its
			// reservation rather than holding 3 more; the order dates from
			// the first attempt, so it expires with its reservation.
			e.Clock.Advance(time.Minute)
			code, o := placeHTTP(t, h, "k1", in)
			if code != http.StatusCreated {
				t.Fatalf("retry = %d, want 201", code)
			}
			consistent(t, e)
			if _, reserved := e.Level(t, "LAMP"); reserved != 3 {
				t.Errorf("reserved after the retry = %d, want 3", reserved)
			}
			r, err := e.Inventory.Reservation(bg, o.ID)
			if err != nil || !r.ExpiresAt.Equal(o.ReservationExpiresAt.Add(order.DefaultPaymentGrace)) {
				t.Errorf("reservation expires %v (%v), want the order's expiry %v + the grace", r.ExpiresAt, err, o.ReservationExpiresAt)
			}
			pay(t, e, alice, o.ID, "tok_visa")
			consistent(t, e)
		}},
		{"the process dies between reserving and writing; nobody retries", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			f.arm("create", 1)
			f.arm("release", 1)
			in := order.PlaceInput{Lines: []order.LineInput{line("LAMP", 3)}, AddressID: "adr_alice"}
			if code, _ := placeHTTP(t, h, "k1", in); code != http.StatusInternalServerError {
				t.Fatalf("place = %d, want 500", code)
			}
			// The placement was dropped but its release failed: the
			// reservation is inventory's sweeper's to release.
			e.Clock.Advance(order.DefaultReservationTTL + order.DefaultPaymentGrace)
			if n, err := e.Inventory.ReleaseExpired(bg, e.Clock.Now()); err != nil || n != 1 {
				t.Fatalf("sweeper = %d, %v; want 1", n, err)
			}
			consistent(t, e)

			f.arm("create", 1)
			f.arm("drop", 1)
			if code, _ := placeHTTP(t, h, "k2", in); code != http.StatusInternalServerError {
				t.Fatalf("place = %d, want 500", code)
			}
			// The placement stays: the expirer ends it and releases its
			// stock once it is PlacementTimeout old.
			if _, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			if _, reserved := e.Level(t, "LAMP"); reserved != 3 {
				t.Fatalf("reserved before the placement timed out = %d, want 3", reserved)
			}
			e.Clock.Advance(order.PlacementTimeout + time.Second)
			if _, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			consistent(t, e)
		}},
		{"removing the lines from the cart fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			fillCart(t, e, map[string]int64{"TEE": 2})
			f.arm("cart", 1)
			code, _ := placeHTTP(t, h, "k1", fromCart)
			if code != http.StatusCreated {
				t.Fatalf("place = %d, want 201 (the cart is the consumer's to fix)", code)
			}
			if diff := cmp.Diff(map[string]int64{"TEE": 2}, cartOf(t, e)); diff != "" {
				t.Errorf("cart before redelivery (-want +got):\n%s", diff)
			}
			// Meanwhile, another tab adds to the cart.
			fillCart(t, e, map[string]int64{"TEE": 1, "LAMP": 1})
			recoverAll(t, e)
			if diff := cmp.Diff(map[string]int64{"TEE": 1, "LAMP": 1}, cartOf(t, e)); diff != "" {
				t.Errorf("cart after redelivery (-want +got):\n%s", diff)
			}
			consistent(t, e)
		}},
		{"committing the stock fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("TEE", 2), line("LAMP", 1))
			f.arm("commit", 2)
			payAndRecover(t, e, o.ID) // the consumer fails twice, then commits
			if got := orderStatus(t, e, o.ID); got != order.Paid {
				t.Errorf("order is %s, want paid", got)
			}
			consistent(t, e)
		}},
		{"commit's answer lost", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("TEE", 2))
			f.arm("commit.lost", 1)
			payAndRecover(t, e, o.ID)
			if got := orderStatus(t, e, o.ID); got != order.Paid {
				t.Errorf("order is %s, want paid", got)
			}
			consistent(t, e)
		}},
		{"marking the order paid fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("LAMP", 2))
			f.arm("apply", 1)
			if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "tok_visa"}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Gateway.Flush(bg); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Bus.Drain(bg); err != nil {
				t.Fatal(err)
			}
			// Stock committed, order not yet paid: the event is redelivered.
			if got, r := orderStatus(t, e, o.ID), e.Reservation(t, o.ID); got != order.PendingPayment || r != inventory.Committed {
				t.Fatalf("after the failure: order %s, reservation %s; want pending_payment, committed", got, r)
			}
			recoverAll(t, e)
			if got := orderStatus(t, e, o.ID); got != order.Paid {
				t.Errorf("order is %s, want paid", got)
			}
			consistent(t, e)
		}},
		{"releasing on cancel fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("TEE", 3))
			f.arm("return", 2) // the call after the commit and the first redelivery
			if _, err := e.Orders.Cancel(alice, o.ID, order.CancelInput{}); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			if _, reserved := e.Level(t, "TEE"); reserved != 3 {
				t.Fatalf("reserved right after the failed return = %d, want 3 (the consumer's to give back)", reserved)
			}
			recoverAll(t, e)
			consistent(t, e)
		}},
		{"restocking on cancel fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("TEE", 3), line("LAMP", 1))
			pay(t, e, alice, o.ID, "tok_visa")
			f.arm("return", 1)
			if _, err := e.Orders.Cancel(alice, o.ID, order.CancelInput{}); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			recoverAll(t, e)
			got := get(t, e, o.ID)
			if got.Status != order.Refunded || got.Refunded != got.Total {
				t.Errorf("cancelled paid order: %s, refunded %v of %v", got.Status, got.Refunded, got.Total)
			}
			consistent(t, e)
		}},
		{"releasing on expiry fails", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("LAMP", 4))
			e.Clock.Advance(order.DefaultReservationTTL)
			f.arm("return", 1)
			if n, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil || n != 1 {
				t.Fatalf("ExpireReservations = %d, %v; want 1", n, err)
			}
			recoverAll(t, e)
			if got := orderStatus(t, e, o.ID); got != order.Cancelled {
				t.Errorf("order is %s, want cancelled", got)
			}
			consistent(t, e)
		}},
		{"the customer cancels just before the payment commits", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("LAMP", 2))
			f.on("commit", func() {
				if _, err := e.Orders.Cancel(alice, o.ID, order.CancelInput{}); err != nil {
					t.Errorf("Cancel: %v", err)
				}
			})
			if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "tok_visa"}); err != nil {
				t.Fatal(err)
			}
			recoverAll(t, e)
			got := get(t, e, o.ID)
			if got.Status != order.Refunded || got.Refunded != got.Total {
				t.Errorf("order: %s, refunded %v of %v; want refunded in full", got.Status, got.Refunded, got.Total)
			}
			if r := e.Reservation(t, o.ID); r != inventory.Released {
				t.Errorf("reservation is %s, want released (the commit lost)", r)
			}
			consistent(t, e)
		}},
		{"the customer cancels just after the payment committed", func(t *testing.T, e *ordertest.Env, f *faults, h http.Handler) {
			o := place(t, e, alice, line("LAMP", 2))
			f.on("commit.lost", func() {
				f.arm("return", 1) // and the prompt return fails too
				if _, err := e.Orders.Cancel(alice, o.ID, order.CancelInput{}); err != nil {
					t.Errorf("Cancel: %v", err)
				}
			})
			if _, err := e.Orders.Pay(alice, order.PayInput{OrderID: o.ID, Method: "tok_visa"}); err != nil {
				t.Fatal(err)
			}
			recoverAll(t, e)
			got := get(t, e, o.ID)
			if got.Status != order.Refunded || got.Refunded != got.Total || got.PaidAt != nil {
				t.Errorf("order: %s, refunded %v of %v, paid_at %v; want refunded in full, never paid", got.Status, got.Refunded, got.Total, got.PaidAt)
			}
			if r := e.Reservation(t, o.ID); r != inventory.Committed {
				t.Errorf("reservation is %s, want committed (and restocked)", r)
			}
			ps, _ := e.Payments.OrderPayments(bg, o.ID)
			if len(ps) != 1 || ps[0].Status != payment.Refunded {
				t.Errorf("payments: %+v, want one refunded", ps)
			}
			consistent(t, e)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				e, f, h := faultEnv(t, db)
				c.run(t, e, f, h)
				f.spent(t)
			})
		})
	}
}

// TestInsufficientStockWritesNothing: a refused reservation answers
// Conflict "insufficient_stock" with a field error per short SKU, and
// leaves no order, no reservation, no placement and the cart as it was.
func TestInsufficientStockWritesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e, _, _ := faultEnv(t, db)
		fillCart(t, e, map[string]int64{"TEE": 2, "LAMP": 5})
		place(t, e, bob, line("LAMP", 1)) // one lamp goes meanwhile
		_, err := e.Orders.Place(alice, fromCart)
		ae, ok := apperr.As(err)
		if !ok || ae.Code != "insufficient_stock" || ae.Kind != apperr.KindConflict {
			t.Fatalf("Place beyond stock = %v, want Conflict insufficient_stock", err)
		}
		want := []apperr.FieldError{{Field: "LAMP", Message: "requested 5, available 4"}}
		if diff := cmp.Diff(want, ae.Fields); diff != "" {
			t.Errorf("field errors (-want +got):\n%s", diff)
		}
		if page, err := e.Orders.Orders(alice, order.Query{}); err != nil || len(page.Items) != 0 {
			t.Errorf("alice's orders after a refused placement: %v, %v", page.Items, err)
		}
		if diff := cmp.Diff(map[string]int64{"TEE": 2, "LAMP": 5}, cartOf(t, e)); diff != "" {
			t.Errorf("cart (-want +got):\n%s", diff)
		}
		var reservations int
		if err := e.DB.Read().QueryRow(`SELECT COUNT(*) FROM inventory_reservation`).Scan(&reservations); err != nil || reservations != 1 {
			t.Errorf("%d reservations (%v) after a refused placement, want bob's only", reservations, err)
		}
		consistent(t, e)
	})
}

// TestPlaceKeepsLinesAddedFromAnotherTab: lines added, and quantities
// raised, from a second tab after Place read the cart stay in the cart; only
// what was ordered leaves it.
func TestPlaceKeepsLinesAddedFromAnotherTab(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e, f, _ := faultEnv(t, db)
		fillCart(t, e, map[string]int64{"TEE": 2})
		f.on("lines", func() { fillCart(t, e, map[string]int64{"TEE": 1, "LAMP": 1}) })
		o, err := e.Orders.Place(alice, fromCart)
		if err != nil {
			t.Fatalf("Place: %v", err)
		}
		if n := len(o.SellerOrders); n != 1 || o.SellerOrders[0].Lines[0].Quantity != 2 {
			t.Errorf("order = %+v, want TEE x2 only", o.SellerOrders)
		}
		want := map[string]int64{"TEE": 1, "LAMP": 1}
		if diff := cmp.Diff(want, cartOf(t, e)); diff != "" {
			t.Errorf("cart right after placing (-want +got):\n%s", diff)
		}
		recoverAll(t, e) // the consumer of order.placed.v1 changes nothing more
		if diff := cmp.Diff(want, cartOf(t, e)); diff != "" {
			t.Errorf("cart after redelivery (-want +got):\n%s", diff)
		}
		consistent(t, e)
		f.spent(t)
	})
}
