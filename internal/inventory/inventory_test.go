package inventory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
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
