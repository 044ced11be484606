package inventorytest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// StockEvent is one inventory.stock.changed.v1 event in the outbox.
type StockEvent struct {
	Aggregate string
	Payload   inventory.StockChanged
}

// StockEvents returns the inventory.stock.changed.v1 events published in db,
// oldest first.
func StockEvents(t *testing.T, db *sqldb.DB) []StockEvent {
	t.Helper()
	rows, err := db.Read().Query(`SELECT aggregate, payload FROM event_outbox WHERE topic = $1 ORDER BY seq`, inventory.TopicStockChanged.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []StockEvent
	for rows.Next() {
		var e StockEvent
		var p string
		if err := rows.Scan(&e.Aggregate, &p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p), &e.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func unitReturner(t *testing.T, s inventory.Store) inventory.UnitReturner {
	t.Helper()
	r, ok := s.(inventory.UnitReturner)
	if !ok {
		t.Skipf("%T does not implement inventory.UnitReturner: it cannot take returns", s)
	}
	return r
}

func mustReserve(t *testing.T, s inventory.Store, orderID id.Order, lines []inventory.Line, then func(context.Context, id.Order, time.Time) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Reserve(ctx, orderID, lines, t0.Add(time.Hour), t0); err != nil {
		t.Fatalf("Reserve(%s): %v", orderID, err)
	}
	if then != nil {
		if err := then(ctx, orderID, t0); err != nil {
			t.Fatalf("settle %s: %v", orderID, err)
		}
	}
}

// testReturnUnits walks returns of one committed order through partial,
// repeated, spilling, excessive and refused returns, checking the units put
// back, the stock per warehouse and the events after each step.
func testReturnUnits(t *testing.T, s inventory.Store, db *sqldb.DB) {
	ctx := context.Background()
	ret := unitReturner(t, s)
	def, _ := s.DefaultWarehouse(ctx, "sel_a", t0)
	w2, _ := s.CreateWarehouse(ctx, "sel_a", "W2", t0)
	// A is in two warehouses; the reservation takes from the lower ID
	// first, so "lo" gives 4 and "hi" gives 2.
	lo, hi := min(def.ID, w2.ID), max(def.ID, w2.ID)
	mustSet(t, s, "A", string(lo), 4)
	mustSet(t, s, "A", string(hi), 4)
	mustSet(t, s, "B", "", 10)
	mustSet(t, s, "C", "", 5)
	mustReserve(t, s, "ord_1", []inventory.Line{{SKU: "A", Quantity: 6}, {SKU: "B", Quantity: 4}, {SKU: "C", Quantity: 2}}, s.Commit)
	mustReserve(t, s, "ord_2", []inventory.Line{{SKU: "C", Quantity: 1}}, s.Commit)
	mustReserve(t, s, "ord_held", []inventory.Line{{SKU: "B", Quantity: 1}}, nil)
	mustReserve(t, s, "ord_gone", []inventory.Line{{SKU: "C", Quantity: 1}}, s.Release)

	// on hand: A per warehouse, B and C in total.
	levels := func() map[string]int64 {
		m := map[string]int64{}
		for _, sku := range []string{"A", "B", "C"} {
			st, err := s.Stock(ctx, sku)
			if err != nil {
				t.Fatalf("Stock(%s): %v", sku, err)
			}
			if sku != "A" {
				m[sku] = st.OnHand
				continue
			}
			for _, l := range st.Warehouses {
				switch l.WarehouseID {
				case lo:
					m["A@lo"] = l.OnHand
				case hi:
					m["A@hi"] = l.OnHand
				}
			}
		}
		return m
	}
	if diff := cmp.Diff(map[string]int64{"A@lo": 0, "A@hi": 2, "B": 6, "C": 2}, levels()); diff != "" {
		t.Fatalf("before returns (-want +got):\n%s", diff)
	}
	returnUnits := func(order, rma string, lines ...inventory.Line) func() (int64, error) {
		return func() (int64, error) { return ret.ReturnUnits(ctx, id.Order(order), id.Return(rma), lines, t0) }
	}
	restock := func(order string, skus ...string) func() (int64, error) {
		return func() (int64, error) {
			r, ok := s.(inventory.Restocker)
			if !ok {
				t.Skipf("%T does not implement inventory.Restocker", s)
			}
			return r.Restock(ctx, id.Order(order), skus, t0)
		}
	}
	a := func(n int64) inventory.Line { return inventory.Line{SKU: "A", Quantity: n} }
	b := func(n int64) inventory.Line { return inventory.Line{SKU: "B", Quantity: n} }
	c := func(n int64) inventory.Line { return inventory.Line{SKU: "C", Quantity: n} }
	steps := []struct {
		name       string
		do         func() (int64, error)
		want       int64
		wantCode   string   // "" for success
		wantFields []string // fields of the error, for return_exceeds_committed
		levels     map[string]int64
		events     []string // SKUs with a stock.changed event
	}{
		{"part of A goes back to the first warehouse", returnUnits("ord_1", "rma_1", a(3)), 3, "", nil,
			map[string]int64{"A@lo": 3, "A@hi": 2, "B": 6, "C": 2}, []string{"A"}},
		{"the same return again", returnUnits("ord_1", "rma_1", a(3)), 0, "", nil,
			map[string]int64{"A@lo": 3, "A@hi": 2, "B": 6, "C": 2}, nil},
		{"the same return with a new SKU: only the new one", returnUnits("ord_1", "rma_1", b(1), a(1)), 1, "", nil,
			map[string]int64{"A@lo": 3, "A@hi": 2, "B": 7, "C": 2}, []string{"B"}},
		{"a second return fills the first warehouse, then the next", returnUnits("ord_1", "rma_2", a(2)), 2, "", nil,
			map[string]int64{"A@lo": 4, "A@hi": 3, "B": 7, "C": 2}, []string{"A"}},
		{"a third return over what is left refuses every line", returnUnits("ord_1", "rma_3", c(1), a(2)), 0, "return_exceeds_committed", []string{"A"},
			map[string]int64{"A@lo": 4, "A@hi": 3, "B": 7, "C": 2}, nil},
		{"the third return with what is left", returnUnits("ord_1", "rma_3", a(1)), 1, "", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 2}, []string{"A"}},
		{"a SKU the order did not buy", returnUnits("ord_1", "rma_4", inventory.Line{SKU: "Z", Quantity: 1}), 0, "return_exceeds_committed", []string{"Z"},
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 2}, nil},
		{"restock of C (cancelled before shipping)", restock("ord_1", "C"), 2, "", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, []string{"C"}},
		{"a return of restocked units", returnUnits("ord_1", "rma_4", c(1)), 0, "return_exceeds_committed", []string{"C"},
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, nil},
		{"a held reservation", returnUnits("ord_held", "rma_5", b(1)), 0, "reservation_not_committed", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, nil},
		{"a released reservation", returnUnits("ord_gone", "rma_5", c(1)), 0, "reservation_not_committed", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, nil},
		{"an unknown order", returnUnits("ord_none", "rma_5", a(1)), 0, "not_found", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, nil},
		{"a return ID of another order", returnUnits("ord_2", "rma_1", c(1)), 0, "return_id_reused", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 4}, nil},
		{"another order's return", returnUnits("ord_2", "rma_6", c(1)), 1, "", nil,
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 5}, []string{"C"}},
		{"a second return of that order cannot add to the first", returnUnits("ord_2", "rma_7", c(1)), 0, "return_exceeds_committed", []string{"C"},
			map[string]int64{"A@lo": 4, "A@hi": 4, "B": 7, "C": 5}, nil},
	}
	seen := len(StockEvents(t, db))
	for _, st := range steps {
		n, err := st.do()
		if apperr.CodeOf(err) != st.wantCode || (st.wantCode == "" && err != nil) {
			t.Fatalf("%s: ReturnUnits = %v, want code %q", st.name, err, st.wantCode)
		}
		if n != st.want {
			t.Errorf("%s: ReturnUnits = %d units, want %d", st.name, n, st.want)
		}
		if st.wantCode == "return_exceeds_committed" {
			e, _ := apperr.As(err)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if e.Kind != apperr.KindConflict || !slices.Equal(got, st.wantFields) {
				t.Errorf("%s: error %v with fields %v, want a Conflict with fields %v", st.name, err, got, st.wantFields)
			}
		}
		if diff := cmp.Diff(st.levels, levels()); diff != "" {
			t.Errorf("%s: on hand (-want +got):\n%s", st.name, diff)
		}
		all := StockEvents(t, db)
		var got []string
		for _, e := range all[seen:] {
			got = append(got, e.Aggregate)
			onHand := st.levels[e.Aggregate]
			if e.Aggregate == "A" {
				onHand = st.levels["A@lo"] + st.levels["A@hi"]
			}
			if e.Payload.SKU != e.Aggregate || e.Payload.OnHand != onHand || e.Payload.Available != e.Payload.OnHand-e.Payload.Reserved {
				t.Errorf("%s: event %+v, want on_hand %d of %s", st.name, e.Payload, onHand, e.Aggregate)
			}
		}
		if diff := cmp.Diff(st.events, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", st.name, diff)
		}
		seen = len(all)
	}
}

// testConcurrentReturnUnits races 8 different returns of one order that
// together ask for more than it bought, then 8 calls of one return of
// another order: the first put back no more than was sold, the second put
// its units back exactly once.
func testConcurrentReturnUnits(t *testing.T, s inventory.Store, db *sqldb.DB) {
	ctx := context.Background()
	ret := unitReturner(t, s)
	mustSet(t, s, "A", "", 20)
	mustReserve(t, s, "ord_1", []inventory.Line{{SKU: "A", Quantity: 5}}, s.Commit)
	mustReserve(t, s, "ord_2", []inventory.Line{{SKU: "A", Quantity: 5}}, s.Commit)
	onHand := func() int64 {
		t.Helper()
		st, err := s.Stock(ctx, "A")
		if err != nil {
			t.Fatalf("Stock(A): %v", err)
		}
		return st.OnHand
	}
	const callers = 8
	race := func(orderID string, rma func(i int) string, q int64) (units []int64, errs []error) {
		units, errs = make([]int64, callers), make([]error, callers)
		var wg sync.WaitGroup
		start := make(chan struct{}) // all calls start together
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				units[i], errs[i] = ret.ReturnUnits(ctx, id.Order(orderID), id.Return(rma(i)), []inventory.Line{{SKU: "A", Quantity: q}}, t0)
			}()
		}
		close(start)
		wg.Wait()
		return units, errs
	}

	// ord_1 bought 5; 8 returns of 2 each race for them.
	units, errs := race("ord_1", func(i int) string { return fmt.Sprintf("rma_%d", i) }, 2)
	var ok int
	for i := range callers {
		switch {
		case errs[i] == nil && units[i] == 2:
			ok++
		case apperr.CodeOf(errs[i]) != "return_exceeds_committed":
			t.Errorf("return %d = %d, %v; want 2 units or return_exceeds_committed", i, units[i], errs[i])
		}
	}
	if ok != 2 {
		t.Errorf("%d of %d returns of 2 units succeeded with 5 sold, want 2", ok, callers)
	}
	if got := onHand(); got != 14 {
		t.Errorf("on hand after racing returns = %d, want 14 (4 of 10 sold units back, no more)", got)
	}

	// One return of 3 units of ord_2, sent 8 times at once.
	before := len(StockEvents(t, db))
	units, errs = race("ord_2", func(int) string { return "rma_same" }, 3)
	var total int64
	for i := range callers {
		if errs[i] != nil {
			t.Errorf("call %d of one return: %v", i, errs[i])
		}
		total += units[i]
	}
	if total != 3 {
		t.Errorf("%d calls of one return of 3 put back %d units in all (%v), want 3", callers, total, units)
	}
	if got := onHand(); got != 17 {
		t.Errorf("on hand after one return raced %d times = %d, want 17", callers, got)
	}
	if n := len(StockEvents(t, db)) - before; n != 1 {
		t.Errorf("one return raced %d times published %d stock events, want 1", callers, n)
	}
}
