package recommend_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// TestMeasureLoad imports RECOMMEND_MEASURE signals (e.g. 1000000) over
// 20,000 products into SQLite, loads them and times the lists. Skipped
// unless the variable is set.
func TestMeasureLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RECOMMEND_MEASURE"))
	if n == 0 {
		t.Skip("set RECOMMEND_MEASURE=<signals> to measure")
	}
	const products = 20000
	var ps []catalog.Product
	cats := []string{"cat_tents", "cat_stoves", "cat_kitchen"}
	for i := range products {
		ps = append(ps, product(fmt.Sprintf("prd_%06d", i), fmt.Sprintf("Product %d", i), cats[i%3], fmt.Sprintf("sel_%d", i%200),
			fmt.Sprintf("Brand%d", i%500), int64(100+i%5000)))
	}
	w := newWorld(t, ps...)
	r := rand.New(rand.NewPCG(1, 2))
	sigs := make([]recommend.Signal, 0, n)
	for len(sigs) < n {
		u := fmt.Sprintf("u:usr_%d", r.IntN(n/20+1))
		base := r.IntN(products)
		for k := range 20 {
			p := (base + r.IntN(50)) % products
			kind := recmodel.View
			if k%5 == 0 {
				kind = recmodel.Purchase
			}
			sigs = append(sigs, recommend.Signal{Subject: u, ProductID: id.Product(fmt.Sprintf("prd_%06d", p)), Kind: kind,
				At: now.Add(-time.Duration(r.IntN(90*24)) * time.Hour)})
		}
	}
	ctx := context.Background()
	start := time.Now()
	if err := w.svc.Import(ctx, sigs, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("import %d signals: %v", len(sigs), time.Since(start))
	start = time.Now()
	if err := w.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("load %d products and %d signals: %v", products, len(sigs), time.Since(start))
	start = time.Now()
	if err := w.svc.Train(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("train: %v", time.Since(start))
	for _, kind := range []string{recommend.AlsoBought, recommend.AlsoViewed, recommend.Similar, recommend.ForYou, recommend.Trending} {
		var took []time.Duration
		empty := 0
		for i := range 200 {
			start := time.Now()
			var l recommend.List
			if kind == recommend.ForYou || kind == recommend.Trending {
				l = w.forShopper(recommend.ShopperQuery{Kind: kind, User: id.User(fmt.Sprintf("usr_%d", i))})
			} else {
				l = w.forProduct(recommend.ProductQuery{Product: fmt.Sprintf("prd_%06d", i*97%products), Kind: kind})
			}
			took = append(took, time.Since(start))
			if len(l.Items) == 0 {
				empty++
			}
		}
		slices.Sort(took)
		t.Logf("%-12s p50 %v p99 %v (empty %d of 200)", kind, took[100], took[197], empty)
	}
}
