package recommend_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/bazaar-market/bazaar/internal/recommend"
)

func TestImportOnceLoadsAKeyOnce(t *testing.T) {
	w := newWorld(t, camping()...)
	ctx := context.Background()
	var sigs []recommend.Signal
	for i := range 3 {
		sigs = append(sigs, bought(fmt.Sprintf("s:demo-shopper-%04d", i), "prd_tent", "prd_stove")...)
	}
	for i, want := range []bool{true, false} {
		added, err := w.svc.ImportOnce(ctx, "evt_demo_history", sigs, nil)
		if err != nil || added != want {
			t.Fatalf("import %d: %v, %v; want %v", i+1, added, err, want)
		}
	}
	if _, err := w.svc.ImportOnce(ctx, "evt_demo_history", []recommend.Signal{{Subject: "x"}}, nil); err == nil {
		t.Error("a malformed signal was imported")
	}
	if err := w.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l := w.forProduct(recommend.ProductQuery{Product: "prd_stove", Kind: recommend.AlsoBought})
	if got := ids(l); !slices.Equal(got, []string{"prd_tent"}) || l.Items[0].Score <= 0 {
		t.Errorf("also bought with the stove = %v", got)
	}
	// Imported once: trending counts three purchases of the tent, not six.
	w2 := newWorld(t, camping()...)
	w2.load(sigs...)
	trending := recommend.ShopperQuery{Kind: recommend.Trending}
	if a, b := w.forShopper(trending), w2.forShopper(trending); len(a.Items) == 0 || a.Items[0].Score != b.Items[0].Score {
		t.Errorf("trending after importing twice %+v, after once %+v", a.Items, b.Items)
	}
}
