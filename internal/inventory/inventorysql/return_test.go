package inventorysql_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestReturn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		svc := inventory.New(s, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{Now: func() time.Time { return now }})
		for _, it := range []inventory.Item{{SKU: "A", ProductID: "prd_a", SellerID: "sel_1"}, {SKU: "B", ProductID: "prd_b", SellerID: "sel_2"}} {
			if _, err := s.SetOnHand(ctx, it, "", 10, now); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range []struct {
			order  string
			lines  []inventory.Line
			commit bool
		}{
			{"ord_held", []inventory.Line{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 1}}, false},
			{"ord_paid", []inventory.Line{{SKU: "A", Quantity: 3}, {SKU: "B", Quantity: 2}}, true},
		} {
			if err := svc.Reserve(ctx, id.Order(r.order), r.lines, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if r.commit {
				if err := svc.Commit(ctx, id.Order(r.order)); err != nil {
					t.Fatal(err)
				}
			}
		}
		type level struct{ OnHand, Reserved int64 }
		levels := func() map[string]level {
			m := map[string]level{}
			for _, sku := range []string{"A", "B"} {
				st, err := s.Stock(ctx, sku)
				if err != nil {
					t.Fatal(err)
				}
				m[sku] = level{st.OnHand, st.Reserved}
			}
			return m
		}
		for _, st := range []struct {
			name     string
			order    string
			skus     []string
			want     int64
			wantCode string
			levels   map[string]level
			status   inventory.ReservationStatus
		}{
			{"nothing cancelled", "ord_held", []string{}, 0, "", map[string]level{"A": {7, 2}, "B": {8, 1}}, inventory.Held},
			{"a held reservation is released whole", "ord_held", []string{"A"}, 3, "", map[string]level{"A": {7, 0}, "B": {8, 0}}, inventory.Released},
			{"a released one again", "ord_held", []string{"A", "B"}, 0, "", map[string]level{"A": {7, 0}, "B": {8, 0}}, inventory.Released},
			{"one part of a committed one", "ord_paid", []string{"B"}, 2, "", map[string]level{"A": {7, 0}, "B": {10, 0}}, inventory.Committed},
			{"the same part again", "ord_paid", []string{"B"}, 0, "", map[string]level{"A": {7, 0}, "B": {10, 0}}, inventory.Committed},
			{"the rest", "ord_paid", []string{"A", "B"}, 3, "", map[string]level{"A": {10, 0}, "B": {10, 0}}, inventory.Committed},
			{"no reservation", "ord_none", []string{"A"}, 0, "not_found", map[string]level{"A": {10, 0}, "B": {10, 0}}, ""},
		} {
			n, err := s.Return(ctx, id.Order(st.order), st.skus, now)
			if apperr.CodeOf(err) != st.wantCode || (st.wantCode == "" && err != nil) {
				t.Fatalf("%s: Return = %v, want code %q", st.name, err, st.wantCode)
			}
			if n != st.want {
				t.Errorf("%s: Return = %d units, want %d", st.name, n, st.want)
			}
			if diff := cmp.Diff(st.levels, levels()); diff != "" {
				t.Errorf("%s: stock (-want +got):\n%s", st.name, diff)
			}
			if st.status != "" {
				if r, err := svc.Reservation(ctx, id.Order(st.order)); err != nil || r.Status != st.status {
					t.Errorf("%s: reservation %s, %v; want %s", st.name, r.Status, err, st.status)
				}
			}
		}
	})
}

// TestReturnRacesCommit runs a payment's Commit against a cancellation's
// Return for many orders at once: whichever comes first, every unit ends up
// back on hand exactly once, and a Commit that lost finds the reservation
// released.
func TestReturnRacesCommit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		svc := inventory.New(s, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{Now: func() time.Time { return now }})
		if _, err := s.SetOnHand(ctx, inventory.Item{SKU: "A", ProductID: "prd_a", SellerID: "sel_1"}, "", 100, now); err != nil {
			t.Fatal(err)
		}
		const orders = 20
		for i := range orders {
			if err := svc.Reserve(ctx, id.Order(fmt.Sprintf("ord_%d", i)), []inventory.Line{{SKU: "A", Quantity: 3}}, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i := range orders {
			oid := id.Order(fmt.Sprintf("ord_%d", i))
			wg.Add(2)
			go func() {
				defer wg.Done()
				if err := svc.Commit(ctx, oid); err != nil && apperr.CodeOf(err) != "reservation_released" {
					t.Errorf("Commit(%s) = %v", oid, err)
				}
			}()
			go func() {
				defer wg.Done()
				if err := svc.Return(ctx, oid, []string{"A"}); err != nil {
					t.Errorf("Return(%s) = %v", oid, err)
				}
			}()
		}
		wg.Wait()
		st, err := s.Stock(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if st.OnHand != 100 || st.Reserved != 0 {
			t.Errorf("after commits racing returns: on_hand %d, reserved %d; want 100, 0", st.OnHand, st.Reserved)
		}
	})
}
