package catalog

import (
	"context"
	"fmt"
)

// Availability tells how many units of each SKU can be sold;
// *inventory.Service satisfies it. Missing SKUs count as 0.
//
// The catalog service never reads stock: inventory depends on the catalog,
// not the other way round. A door that shows products (cataloghttp, a
// GraphQL resolver) is built after both and composes the two with
// FillAvailable.
type Availability interface {
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}

// FillAvailable sets Available on every variant of ps from stock, with one
// lookup for them all. A nil stock leaves them 0.
func FillAvailable(ctx context.Context, stock Availability, ps []Product) error {
	if stock == nil {
		return nil
	}
	var skus []string
	for _, p := range ps {
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
	}
	if len(skus) == 0 {
		return nil
	}
	avail, err := stock.Available(ctx, skus)
	if err != nil {
		return fmt.Errorf("read stock: %w", err)
	}
	for i := range ps {
		for j := range ps[i].Variants {
			ps[i].Variants[j].Available = avail[ps[i].Variants[j].SKU]
		}
	}
	return nil
}
