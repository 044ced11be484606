package inventorysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestRestock(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		svc := inventory.New(s, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{Now: func() time.Time { return now }})
		for _, it := range []inventory.Item{{SKU: "A", ProductID: "prd_a", SellerID: "sel_1"}, {SKU: "B", ProductID: "prd_b", SellerID: "sel_2"}} {
			if _, err := s.SetOnHand(ctx, it, "", 10, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Reserve(ctx, "ord_paid", []inventory.Line{{SKU: "A", Quantity: 3}, {SKU: "B", Quantity: 2}}, now.Add(time.Hour), now); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, "ord_paid", now); err != nil {
			t.Fatal(err)
		}
		if err := s.Reserve(ctx, "ord_held", []inventory.Line{{SKU: "A", Quantity: 1}}, now.Add(time.Hour), now); err != nil {
			t.Fatal(err)
		}
		if err := s.Reserve(ctx, "ord_gone", []inventory.Line{{SKU: "B", Quantity: 1}}, now.Add(time.Hour), now); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, "ord_gone", now); err != nil {
			t.Fatal(err)
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
		if diff := cmp.Diff(map[string]level{"A": {7, 1}, "B": {8, 0}}, levels()); diff != "" {
			t.Fatalf("before restock (-want +got):\n%s", diff)
		}
		steps := []struct {
			name     string
			order    string
			skus     []string
			want     int64
			wantCode string
			levels   map[string]level
			events   []string // SKUs with a stock.changed event
		}{
			{"one seller's part", "ord_paid", []string{"B"}, 2, "", map[string]level{"A": {7, 1}, "B": {10, 0}}, []string{"B"}},
			{"the same part again", "ord_paid", []string{"B"}, 0, "", map[string]level{"A": {7, 1}, "B": {10, 0}}, nil},
			{"the whole order", "ord_paid", nil, 3, "", map[string]level{"A": {10, 1}, "B": {10, 0}}, []string{"A"}},
			{"the whole order again", "ord_paid", nil, 0, "", map[string]level{"A": {10, 1}, "B": {10, 0}}, nil},
			{"a SKU the order lacks", "ord_paid", []string{"Z"}, 0, "", map[string]level{"A": {10, 1}, "B": {10, 0}}, nil},
			{"a released reservation", "ord_gone", nil, 0, "", map[string]level{"A": {10, 1}, "B": {10, 0}}, nil},
			{"a held reservation", "ord_held", nil, 0, "reservation_held", map[string]level{"A": {10, 1}, "B": {10, 0}}, nil},
			{"no reservation", "ord_none", nil, 0, "not_found", map[string]level{"A": {10, 1}, "B": {10, 0}}, nil},
		}
		seen := len(outbox(t, db))
		for _, st := range steps {
			n, err := svc.Restock(ctx, id.Order(st.order), st.skus)
			if apperr.CodeOf(err) != st.wantCode || (st.wantCode == "" && err != nil) {
				t.Fatalf("%s: Restock = %v, want code %q", st.name, err, st.wantCode)
			}
			if n != st.want {
				t.Errorf("%s: Restock = %d units, want %d", st.name, n, st.want)
			}
			if diff := cmp.Diff(st.levels, levels()); diff != "" {
				t.Errorf("%s: stock (-want +got):\n%s", st.name, diff)
			}
			all := outbox(t, db)
			var got []string
			for _, e := range all[seen:] {
				got = append(got, e.Aggregate)
				if e.Payload.OnHand != st.levels[e.Aggregate].OnHand {
					t.Errorf("%s: event for %s says on_hand %d, want %d", st.name, e.Aggregate, e.Payload.OnHand, st.levels[e.Aggregate].OnHand)
				}
			}
			if diff := cmp.Diff(st.events, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", st.name, diff)
			}
			seen = len(all)
		}
	})
}
