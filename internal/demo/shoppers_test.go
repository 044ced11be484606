package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// demoListed is the demo catalog with made-up IDs.
func demoListed() []Listed {
	var out []Listed
	for _, st := range Stores {
		for _, p := range Products(st, 10) {
			out = append(out, Listed{Product: p, ID: id.Product(fmt.Sprintf("prd_%04d", len(out))), Store: st.Name})
		}
	}
	return out
}

func TestShopperHistoryFillsTheRails(t *testing.T) {
	listed := demoListed()
	end := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC)
	t0 := time.Now()
	sigs := ShopperHistory(listed, end)
	took := time.Since(t0)
	if again := ShopperHistory(listed, end); !slices.Equal(sigs, again) {
		t.Fatal("two runs differ")
	}
	t.Logf("%d signals in %v", len(sigs), took)
	if len(sigs) < 10_000 || len(sigs) > 100_000 {
		t.Errorf("%d signals, want tens of thousands", len(sigs))
	}
	index := map[id.Product]uint32{}
	for i, l := range listed {
		index[l.ID] = uint32(i)
	}
	m := recmodel.New(recmodel.Options{})
	users := recmodel.NewInterner()
	for _, s := range sigs {
		if !strings.HasPrefix(s.Subject, "s:demo-shopper-") || s.At.After(end) || s.At.Before(end.AddDate(0, 0, -29)) {
			t.Fatalf("signal %+v", s)
		}
		m.Add(recmodel.Event{User: users.ID(s.Subject), Item: index[s.ProductID], Kind: s.Kind, Value: s.Value, At: s.At.Unix()})
	}
	// Every product has neighbours; most were bought with something.
	var boughtWith int
	for i := range listed {
		if len(m.AlsoViewed(uint32(i), 12)) < 4 {
			t.Errorf("%s: %d also viewed", listed[i].Product.Title, len(m.AlsoViewed(uint32(i), 12)))
		}
		if len(m.AlsoBought(uint32(i), 12)) >= 4 {
			boughtWith++
		}
	}
	t.Logf("%d of %d products were bought with 4 others or more", boughtWith, len(listed))
	if boughtWith < len(listed)*3/4 {
		t.Errorf("only %d of %d products were bought with 4 others or more", boughtWith, len(listed))
	}
	// A camp stove's "also bought" is camping gear.
	for i, l := range listed {
		if !strings.Contains(l.Product.Title, "Camp Stove") {
			continue
		}
		top := m.AlsoBought(uint32(i), 4)
		var camping []string
		for _, s := range top {
			if listed[s.Item].Product.Category == "Camping" {
				camping = append(camping, listed[s.Item].Product.Title)
			}
		}
		t.Logf("%s: bought with %v", l.Product.Title, camping)
		if len(top) == 0 || listed[top[0].Item].Product.Category != "Camping" || len(camping) < 2 {
			t.Errorf("%s: of the top 4 bought with it, %d are camping gear (%v)", l.Product.Title, len(camping), camping)
		}
	}
}
