package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogtest"
)

type failingStock struct{}

func (failingStock) Available(context.Context, []string) (map[string]int64, error) {
	return nil, errors.New("inventory down")
}

func TestFillAvailable(t *testing.T) {
	ctx := context.Background()
	products := func() []catalog.Product {
		return []catalog.Product{
			{ID: "prd_1", Variants: []catalog.Variant{{SKU: "A"}, {SKU: "B"}}},
			{ID: "prd_2", Variants: []catalog.Variant{{SKU: "C"}}},
		}
	}
	stock := catalogtest.NewStock()
	stock.Set("A", 3)
	stock.Set("C", 9)
	ps := products()
	if err := catalog.FillAvailable(ctx, stock, ps); err != nil {
		t.Fatalf("FillAvailable = %v", err)
	}
	if got := [3]int64{ps[0].Variants[0].Available, ps[0].Variants[1].Available, ps[1].Variants[0].Available}; got != [3]int64{3, 0, 9} {
		t.Errorf("FillAvailable: available = %v, want [3 0 9]", got)
	}
	if n := stock.Calls(); n != 1 {
		t.Errorf("FillAvailable called Available %d times, want 1", n)
	}

	ps = products()
	if err := catalog.FillAvailable(ctx, nil, ps); err != nil || ps[0].Variants[0].Available != 0 {
		t.Errorf("FillAvailable(nil stock) = %v, available %d; want nil, 0", err, ps[0].Variants[0].Available)
	}
	if err := catalog.FillAvailable(ctx, failingStock{}, products()); err == nil {
		t.Errorf("FillAvailable(failing stock) = nil, want the error")
	}
	if err := catalog.FillAvailable(ctx, failingStock{}, nil); err != nil {
		t.Errorf("FillAvailable(no products) = %v, want nil without a lookup", err)
	}
}
