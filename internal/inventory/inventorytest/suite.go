package inventorytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// StoreSuite runs the inventory Store contract against stores made by open,
// each fresh and empty, with the database they keep their tables and outbox
// in (the event tables included: the suite reads the events published).
func StoreSuite(t *testing.T, open func(t *testing.T) (inventory.Store, *sqldb.DB)) {
	newStore := func(t *testing.T) inventory.Store {
		s, _ := open(t)
		return s
	}
	t.Run("Warehouses", func(t *testing.T) { testWarehouses(t, newStore(t)) })
	t.Run("SetOnHand", func(t *testing.T) { testSetOnHand(t, newStore(t)) })
	t.Run("Reserve", func(t *testing.T) { testReserve(t, newStore(t)) })
	t.Run("CommitRelease", func(t *testing.T) { testCommitRelease(t, newStore(t)) })
	t.Run("ReleaseExpired", func(t *testing.T) { testReleaseExpired(t, newStore(t)) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore(t)) })
	t.Run("ReturnUnits", func(t *testing.T) {
		s, db := open(t)
		testReturnUnits(t, s, db)
	})
	t.Run("ConcurrentReturnUnits", func(t *testing.T) {
		s, db := open(t)
		testConcurrentReturnUnits(t, s, db)
	})
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func item(sku string) inventory.Item {
	return inventory.Item{SKU: sku, ProductID: id.Product("prd_" + sku), SellerID: "sel_a"}
}

func testWarehouses(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	d1, err := s.DefaultWarehouse(ctx, "sel_a", t0)
	if err != nil {
		t.Fatalf("DefaultWarehouse: %v", err)
	}
	d2, err := s.DefaultWarehouse(ctx, "sel_a", t0.Add(time.Second))
	if err != nil {
		t.Fatalf("DefaultWarehouse again: %v", err)
	}
	if diff := cmp.Diff(d1, d2); diff != "" {
		t.Errorf("DefaultWarehouse twice differs (-first +second):\n%s", diff)
	}
	if !d1.Default || d1.Name != inventory.DefaultWarehouseName || d1.SellerID != "sel_a" {
		t.Errorf("DefaultWarehouse = %+v, want a default named %q of sel_a", d1, inventory.DefaultWarehouseName)
	}
	w, err := s.CreateWarehouse(ctx, "sel_a", "Berlin", t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("CreateWarehouse: %v", err)
	}
	if w.Default {
		t.Errorf("second warehouse is the default")
	}
	// A seller whose first warehouse is created explicitly gets it as default.
	first, err := s.CreateWarehouse(ctx, "sel_b", "Main", t0)
	if err != nil {
		t.Fatalf("CreateWarehouse: %v", err)
	}
	if !first.Default {
		t.Errorf("first warehouse of sel_b is not the default")
	}
	if d, err := s.DefaultWarehouse(ctx, "sel_b", t0); err != nil || d.ID != first.ID {
		t.Errorf("DefaultWarehouse(sel_b) = %v, %v, want %s", d.ID, err, first.ID)
	}
	got, err := s.Warehouses(ctx, "sel_a")
	if err != nil {
		t.Fatalf("Warehouses: %v", err)
	}
	if diff := cmp.Diff([]inventory.Warehouse{d1, w}, got); diff != "" {
		t.Errorf("Warehouses(sel_a) (-want +got):\n%s", diff)
	}
	if got, _ := s.Warehouses(ctx, "sel_none"); len(got) != 0 {
		t.Errorf("Warehouses(sel_none) = %v, want none", got)
	}
}

func testSetOnHand(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	st, err := s.SetOnHand(ctx, item("A"), "", 10, t0)
	if err != nil {
		t.Fatalf("SetOnHand: %v", err)
	}
	if st.OnHand != 10 || st.Reserved != 0 || st.Available != 10 || len(st.Warehouses) != 1 || !(st.ProductID == "prd_A" && st.SellerID == "sel_a") {
		t.Errorf("SetOnHand = %+v, want 10 on hand in one warehouse", st)
	}
	def, _ := s.DefaultWarehouse(ctx, "sel_a", t0)
	if st.Warehouses[0].WarehouseID != def.ID {
		t.Errorf("stock went to %s, want the default %s", st.Warehouses[0].WarehouseID, def.ID)
	}
	second, err := s.CreateWarehouse(ctx, "sel_a", "Second", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOnHand(ctx, item("A"), second.ID, 5, t0); err != nil {
		t.Fatalf("SetOnHand in second: %v", err)
	}
	st, err = s.SetOnHand(ctx, item("A"), def.ID, 7, t0) // lower
	if err != nil {
		t.Fatalf("SetOnHand lower: %v", err)
	}
	if st.OnHand != 12 || st.Available != 12 || len(st.Warehouses) != 2 {
		t.Errorf("Stock after two warehouses = %+v, want 12 on hand over 2", st)
	}
	other, _ := s.CreateWarehouse(ctx, "sel_other", "Theirs", t0)
	for _, wid := range []id.Warehouse{other.ID, "whs_missing"} {
		if _, err := s.SetOnHand(ctx, item("A"), wid, 1, t0); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("SetOnHand in %s = %v, want NotFound", wid, err)
		}
	}
	got, err := s.Stock(ctx, "A")
	if err != nil || got.OnHand != 12 {
		t.Errorf("Stock(A) = %+v, %v, want 12 on hand", got, err)
	}
	got, err = s.Stock(ctx, "nope")
	if err != nil || got.OnHand != 0 || len(got.Warehouses) != 0 {
		t.Errorf("Stock(nope) = %+v, %v, want zeros", got, err)
	}
	av, err := s.Available(ctx, []string{"A", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"A": 12, "nope": 0}, av); diff != "" {
		t.Errorf("Available (-want +got):\n%s", diff)
	}

	// on_hand cannot go below what is reserved in that warehouse.
	if err := s.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 7}}, t0.Add(time.Hour), t0); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if _, err := s.SetOnHand(ctx, item("A"), def.ID, 6, t0); apperr.CodeOf(err) != "below_reserved" {
		t.Errorf("SetOnHand below reserved = %v, want below_reserved", err)
	}
	if st, err := s.SetOnHand(ctx, item("A"), def.ID, 7, t0); err != nil || st.Available != 5 {
		t.Errorf("SetOnHand to reserved = %+v, %v, want available 5", st, err)
	}
}

func reserved(t *testing.T, s inventory.Store, sku string) inventory.Stock {
	t.Helper()
	st, err := s.Stock(context.Background(), sku)
	if err != nil {
		t.Fatalf("Stock(%s): %v", sku, err)
	}
	for _, l := range st.Warehouses {
		if l.Reserved < 0 || l.Available < 0 {
			t.Fatalf("Stock(%s) row %+v is negative", sku, l)
		}
	}
	return st
}

func testReserve(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	exp := t0.Add(15 * time.Minute)
	def, _ := s.DefaultWarehouse(ctx, "sel_a", t0)
	w2, _ := s.CreateWarehouse(ctx, "sel_a", "W2", t0)
	mustSet(t, s, "A", string(def.ID), 3)
	mustSet(t, s, "A", string(w2.ID), 4)
	mustSet(t, s, "B", "", 2)

	// Two lines of A summed to 6: more than either warehouse holds, so it spreads.
	if err := s.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 4}, {SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 2}}, exp, t0); err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if st := reserved(t, s, "A"); st.Reserved != 6 || st.Available != 1 {
		t.Errorf("A after reserve = %+v, want 6 reserved", st)
	}
	r, err := s.Reservation(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	var sumA int64
	for _, l := range r.Lines {
		if l.SKU == "A" {
			sumA += l.Quantity
		}
	}
	if r.Status != inventory.Held || sumA != 6 || !r.ExpiresAt.Equal(exp) {
		t.Errorf("Reservation = %+v, want held, 6 of A, expiring %v", r, exp)
	}

	// Same order, same lines: a no-op. Different lines: a conflict.
	if err := s.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 6}}, exp, t0); err != nil {
		t.Errorf("Reserve repeated = %v, want nil", err)
	}
	if err := s.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 1}}, exp, t0); apperr.CodeOf(err) != "already_reserved" {
		t.Errorf("Reserve other lines for same order = %v, want already_reserved", err)
	}
	if st := reserved(t, s, "A"); st.Reserved != 6 {
		t.Errorf("A reserved = %d after repeats, want 6", st.Reserved)
	}

	// All or nothing: B would fit but A is short, so B stays untouched.
	err = s.Reserve(ctx, "ord_2", []inventory.Line{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 2}, {SKU: "C", Quantity: 1}}, exp, t0)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindConflict || e.Code != "insufficient_stock" {
		t.Fatalf("Reserve short = %v, want insufficient_stock conflict", err)
	}
	want := []apperr.FieldError{{Field: "A", Message: "requested 2, available 1"}, {Field: "C", Message: "requested 1, available 0"}}
	if diff := cmp.Diff(want, e.Fields); diff != "" {
		t.Errorf("shortage fields (-want +got):\n%s", diff)
	}
	if st := reserved(t, s, "B"); st.Reserved != 1 {
		t.Errorf("B reserved = %d after failed reserve, want 1", st.Reserved)
	}
	if _, err := s.Reservation(ctx, "ord_2"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("failed reservation left a record: %v", err)
	}

	for _, bad := range [][]inventory.Line{nil, {{SKU: "", Quantity: 1}}, {{SKU: "A", Quantity: 0}}, {{SKU: "A", Quantity: -3}}} {
		if err := s.Reserve(ctx, "ord_3", bad, exp, t0); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("Reserve(%v) = %v, want Invalid", bad, err)
		}
	}
}

func mustSet(t *testing.T, s inventory.Store, sku, warehouse string, n int64) {
	t.Helper()
	if _, err := s.SetOnHand(context.Background(), item(sku), id.Warehouse(warehouse), n, t0); err != nil {
		t.Fatalf("SetOnHand(%s, %d): %v", sku, n, err)
	}
}

func testCommitRelease(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	mustSet(t, s, "A", "", 10)
	for _, o := range []string{"ord_c", "ord_r"} {
		if err := s.Reserve(ctx, id.Order(o), []inventory.Line{{SKU: "A", Quantity: 3}}, exp, t0); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name           string
		do             func() error
		wantErr        string // code; "" for nil
		onHand, reserv int64
	}{
		{"commit", func() error { return s.Commit(ctx, "ord_c", t0) }, "", 7, 3},
		{"commit again", func() error { return s.Commit(ctx, "ord_c", t0) }, "", 7, 3},
		{"release committed", func() error { return s.Release(ctx, "ord_c", t0) }, "", 7, 3},
		{"release", func() error { return s.Release(ctx, "ord_r", t0) }, "", 7, 0},
		{"release again", func() error { return s.Release(ctx, "ord_r", t0) }, "", 7, 0},
		{"commit released", func() error { return s.Commit(ctx, "ord_r", t0) }, "reservation_released", 7, 0},
		{"commit missing", func() error { return s.Commit(ctx, "ord_none", t0) }, "not_found", 7, 0},
		{"release missing", func() error { return s.Release(ctx, "ord_none", t0) }, "", 7, 0},
		{"reserve released order again", func() error {
			return s.Reserve(ctx, "ord_r", []inventory.Line{{SKU: "A", Quantity: 3}}, exp, t0)
		}, "already_reserved", 7, 0},
	}
	for _, st := range steps {
		err := st.do()
		if apperr.CodeOf(err) != st.wantErr || (st.wantErr == "" && err != nil) {
			t.Errorf("%s: err = %v, want code %q", st.name, err, st.wantErr)
		}
		got := reserved(t, s, "A")
		if got.OnHand != st.onHand || got.Reserved != st.reserv {
			t.Errorf("%s: on_hand %d reserved %d, want %d %d", st.name, got.OnHand, got.Reserved, st.onHand, st.reserv)
		}
	}
	if r, _ := s.Reservation(ctx, "ord_c"); r.Status != inventory.Committed {
		t.Errorf("ord_c status = %s, want committed", r.Status)
	}
}

func testReleaseExpired(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	mustSet(t, s, "A", "", 10)
	for i, ttl := range []time.Duration{time.Minute, 2 * time.Minute, time.Hour} {
		if err := s.Reserve(ctx, id.Order(fmt.Sprintf("ord_%d", i)), []inventory.Line{{SKU: "A", Quantity: 2}}, t0.Add(ttl), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx, "ord_1", t0); err != nil { // committed: never released
		t.Fatal(err)
	}
	n, err := s.ReleaseExpired(ctx, t0.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Errorf("ReleaseExpired = %d, %v, want 1", n, err)
	}
	if st := reserved(t, s, "A"); st.OnHand != 8 || st.Reserved != 2 {
		t.Errorf("after sweep: on_hand %d reserved %d, want 8 2", st.OnHand, st.Reserved)
	}
	if n, _ := s.ReleaseExpired(ctx, t0.Add(30*time.Minute)); n != 0 {
		t.Errorf("second sweep released %d, want 0", n)
	}
	for o, want := range map[string]inventory.ReservationStatus{"ord_0": inventory.Released, "ord_1": inventory.Committed, "ord_2": inventory.Held} {
		if r, _ := s.Reservation(ctx, id.Order(o)); r.Status != want {
			t.Errorf("%s status = %s, want %s", o, r.Status, want)
		}
	}
	if n, _ := s.ReleaseExpired(ctx, t0.Add(2*time.Hour)); n != 1 {
		t.Errorf("late sweep released %d, want 1", n)
	}
}

// testConcurrency races many reservations of random baskets against little
// stock and checks that nothing is oversold, nothing goes negative and every
// unit is accounted for, then settles them all concurrently.
func testConcurrency(t *testing.T, s inventory.Store) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 42))
	def, _ := s.DefaultWarehouse(ctx, "sel_a", t0)
	w2, _ := s.CreateWarehouse(ctx, "sel_a", "W2", t0)
	mustSet(t, s, "A", string(def.ID), 30) // A: 50 over two warehouses
	mustSet(t, s, "A", string(w2.ID), 20)
	mustSet(t, s, "B", "", 50)
	mustSet(t, s, "C", "", 50)
	const buyers = 200
	baskets := make([][]inventory.Line, buyers)
	for i := range baskets {
		switch rng.IntN(4) {
		case 0: // the same SKU on two lines
			baskets[i] = []inventory.Line{{SKU: "A", Quantity: 1}, {SKU: "A", Quantity: int64(1 + rng.IntN(2))}}
		case 1: // several SKUs, in an order other than sorted
			baskets[i] = []inventory.Line{{SKU: "C", Quantity: 1}, {SKU: "A", Quantity: 1}, {SKU: "B", Quantity: int64(1 + rng.IntN(3))}}
		case 2:
			baskets[i] = []inventory.Line{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: int64(1 + rng.IntN(3))}}
		default:
			baskets[i] = []inventory.Line{{SKU: "C", Quantity: int64(1 + rng.IntN(2))}}
		}
	}
	ok := make([]bool, buyers)
	errs := make([]error, buyers)
	var wg sync.WaitGroup
	for i := range baskets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Reserve(ctx, id.Order(fmt.Sprintf("ord_%03d", i)), baskets[i], t0.Add(time.Hour), t0)
			ok[i], errs[i] = err == nil, err
		}()
	}
	wg.Wait()
	held := map[string]int64{}
	for i, b := range baskets {
		if errs[i] != nil && apperr.CodeOf(errs[i]) != "insufficient_stock" {
			t.Fatalf("buyer %d: %v", i, errs[i])
		}
		if ok[i] {
			for _, l := range b {
				held[l.SKU] += l.Quantity
			}
		}
	}
	for _, sku := range []string{"A", "B", "C"} {
		st := reserved(t, s, sku)
		if st.OnHand != 50 || st.Reserved != held[sku] || st.Reserved > 50 {
			t.Errorf("%s: on_hand %d reserved %d, want 50 and %d held by successful orders", sku, st.OnHand, st.Reserved, held[sku])
		}
		// Whatever is left can still be reserved, exactly.
		if st.Available > 0 {
			if err := s.Reserve(ctx, id.Order("ord_rest_"+sku), []inventory.Line{{SKU: sku, Quantity: st.Available}}, t0.Add(time.Hour), t0); err != nil {
				t.Errorf("reserve the remaining %d of %s: %v", st.Available, sku, err)
			}
		}
		if err := s.Reserve(ctx, id.Order("ord_more_"+sku), []inventory.Line{{SKU: sku, Quantity: 1}}, t0.Add(time.Hour), t0); apperr.CodeOf(err) != "insufficient_stock" {
			t.Errorf("reserve one more %s = %v, want insufficient_stock", sku, err)
		}
		if st := reserved(t, s, sku); st.Available != 0 {
			t.Errorf("%s available %d, want 0", sku, st.Available)
		}
	}

	// Settle concurrently, each twice: even buyers commit, odd ones release.
	committed := map[string]int64{}
	for i, b := range baskets {
		if ok[i] && i%2 == 0 {
			for _, l := range b {
				committed[l.SKU] += l.Quantity
			}
		}
	}
	for i := range baskets {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := fmt.Sprintf("ord_%03d", i)
				var err error
				if i%2 == 0 {
					err = s.Commit(ctx, id.Order(o), t0)
					if !ok[i] && apperr.Is(err, apperr.KindNotFound) {
						err = nil
					}
				} else {
					err = s.Release(ctx, id.Order(o), t0)
				}
				if err != nil {
					t.Errorf("settle %s: %v", o, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, sku := range []string{"A", "B", "C"} {
		for _, o := range []string{"ord_rest_" + sku} {
			_ = s.Release(ctx, id.Order(o), t0)
		}
		st := reserved(t, s, sku)
		if st.Reserved != 0 || st.OnHand != 50-committed[sku] {
			t.Errorf("%s settled: on_hand %d reserved %d, want %d 0", sku, st.OnHand, st.Reserved, 50-committed[sku])
		}
	}
}
