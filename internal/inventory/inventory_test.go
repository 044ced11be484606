package inventory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      []inventory.Line
		want    []inventory.Line
		wantErr bool
	}{
		{in: []inventory.Line{{"B", 1}, {"A", 2}, {"B", 3}}, want: []inventory.Line{{"A", 2}, {"B", 4}}},
		{in: []inventory.Line{{"A", 1}}, want: []inventory.Line{{"A", 1}}},
		{in: nil, wantErr: true},
		{in: []inventory.Line{{"A", 0}}, wantErr: true},
		{in: []inventory.Line{{"", 1}}, wantErr: true},
		{in: []inventory.Line{{"A", inventory.MaxQuantity}, {"A", 1}}, wantErr: true},
	}
	for _, tc := range tests {
		got, err := inventory.Normalize(tc.in)
		if tc.wantErr {
			if !apperr.Is(err, apperr.KindInvalid) {
				t.Errorf("Normalize(%v) = %v, want Invalid", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Normalize(%v): %v", tc.in, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Normalize(%v) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestSweeper(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := inventorysql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	store := inventorysql.New(db)
	now := time.Now()
	svc := inventory.New(store, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{Now: func() time.Time { return now }})
	if _, err := store.SetOnHand(ctx, inventory.Item{SKU: "A", ProductID: "p", SellerID: "s"}, "", 5, now); err != nil {
		t.Fatal(err)
	}
	if err := svc.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 5}}, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if av, _ := svc.Available(ctx, []string{"A"}); av["A"] != 0 {
		t.Fatalf("available = %d after reserving all, want 0", av["A"])
	}
	go svc.RunSweeper(ctx, 10*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if av, _ := svc.Available(ctx, []string{"A"}); av["A"] == 5 {
			if r, _ := svc.Reservation(ctx, "ord_1"); r.Status != inventory.Released {
				t.Errorf("status = %s, want released", r.Status)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the sweeper did not release the expired reservation")
}

func TestReturnUnits(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := inventorysql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	store := inventorysql.New(db)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc := inventory.New(store, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{Now: func() time.Time { return now }})
	for _, sku := range []string{"A", "B"} {
		if _, err := store.SetOnHand(ctx, inventory.Item{SKU: sku, ProductID: id.Product("prd_" + sku), SellerID: "sel_1"}, "", 10, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 4}, {SKU: "B", Quantity: 2}}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Commit(ctx, "ord_1"); err != nil {
		t.Fatal(err)
	}

	invalid := []struct {
		name       string
		orderID    id.Order
		rma        string
		lines      []inventory.Line
		wantFields []string
	}{
		{"no return ID", "ord_1", "", []inventory.Line{{SKU: "A", Quantity: 1}}, []string{"return_id"}},
		{"no order ID", " ", "rma_1", []inventory.Line{{SKU: "A", Quantity: 1}}, []string{"order_id"}},
		{"no lines", "ord_1", "rma_1", nil, []string{"lines"}},
		{"an empty SKU", "ord_1", "rma_1", []inventory.Line{{SKU: "A", Quantity: 1}, {SKU: "", Quantity: 1}}, []string{"lines[1].sku"}},
		{"a zero quantity", "ord_1", "rma_1", []inventory.Line{{SKU: "A", Quantity: 0}}, []string{"lines[0].quantity"}},
		{"a negative quantity", "ord_1", "rma_1", []inventory.Line{{SKU: "A", Quantity: -2}}, []string{"lines[0].quantity"}},
		{"a SKU twice", "ord_1", "rma_1", []inventory.Line{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 1}}, []string{"lines[2].sku"}},
		{"everything wrong", "", "", []inventory.Line{{SKU: "", Quantity: 0}}, []string{"order_id", "return_id", "lines[0].sku", "lines[0].quantity"}},
	}
	for _, tc := range invalid {
		n, err := svc.ReturnUnits(ctx, tc.orderID, id.Return(tc.rma), tc.lines)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || e.Code != "validation_failed" || n != 0 {
			t.Errorf("%s: ReturnUnits = %d, %v; want 0, validation_failed", tc.name, n, err)
			continue
		}
		var got []string
		for _, f := range e.Fields {
			got = append(got, f.Field)
		}
		if diff := cmp.Diff(tc.wantFields, got); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tc.name, diff)
		}
	}
	if st, _ := store.Stock(ctx, "A"); st.OnHand != 6 {
		t.Fatalf("invalid returns changed stock: on hand of A %d, want 6", st.OnHand)
	}

	// Lines in any order; the total comes back.
	if n, err := svc.ReturnUnits(ctx, "ord_1", "rma_1", []inventory.Line{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 3}}); err != nil || n != 4 {
		t.Errorf("ReturnUnits = %d, %v; want 4", n, err)
	}
	if n, err := svc.ReturnUnits(ctx, "ord_1", "rma_1", []inventory.Line{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 3}}); err != nil || n != 0 {
		t.Errorf("ReturnUnits again = %d, %v; want 0", n, err)
	}
	av, err := svc.Available(ctx, []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"A": 9, "B": 9}, av); diff != "" {
		t.Errorf("Available after the return (-want +got):\n%s", diff)
	}

	// A store that cannot take returns says so.
	bare := inventory.New(struct{ inventory.Store }{store}, inventorytest.NewCatalog(), inventorytest.NewSellers(), inventory.Options{})
	if _, err := bare.ReturnUnits(ctx, "ord_1", "rma_2", []inventory.Line{{SKU: "A", Quantity: 1}}); !apperr.Is(err, apperr.KindUnavailable) {
		t.Errorf("ReturnUnits on a store without returns = %v, want Unavailable", err)
	}
}
