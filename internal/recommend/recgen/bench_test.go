package recgen

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
)

// BenchmarkWeek makes a week of 20,000 shoppers over 20,000 products.
func BenchmarkWeek(b *testing.B) {
	g := New(Config{Products: FromCatalog(cataloggen.New(cataloggen.Config{Products: 20000, Seed: 1}), 20000, 2), Shoppers: 20000, Seed: 1, Workers: 1})
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n += len(g.Week(1))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
