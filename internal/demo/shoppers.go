package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recgen"
)

// RecommendService is what seeding needs from recommendations.
type RecommendService interface {
	ImportOnce(ctx context.Context, key string, signals []recommend.Signal, progress io.Writer) (bool, error)
}

// Listed is a demo product as listed: its stored ID and its store.
type Listed struct {
	Product Product
	ID      id.Product
	Store   string
}

// The demo's past shoppers: enough that every recommendation rail is full
// on a fresh demo, few enough to load in well under a second.
const (
	historyKey      = "evt_demo_shopper_history_v1" // ImportOnce's key: seeding twice does not double it
	historyShoppers = 500
	historyWeeks    = 4
	historySeed     = 14
)

// bundled are the leaf categories that hold several kinds of thing bought
// together (a tent with a stove and a sleeping bag), rather than one kind
// in many styles: their products' kind is their noun.
var bundled = map[string]bool{"Camping": true, "Fitness": true, "Cookware": true, "Bedding": true}

// ShopperHistory makes the demo's past activity over the listed products:
// a few hundred synthetic guest shoppers (recgen) with tastes, viewing,
// carting and buying over the four weeks before end, with bundles (a camp
// stove bought with a tent or a sleeping bag). It is the same for the same
// products and end.
func ShopperHistory(listed []Listed, end time.Time) []recommend.Signal {
	paths := map[string][]string{}
	var walk func(nodes []CategoryNode, above []string)
	walk = func(nodes []CategoryNode, above []string) {
		for _, n := range nodes {
			path := append(append([]string{}, above...), n.Name)
			if len(n.Children) == 0 {
				paths[n.Name] = path
			}
			walk(n.Children, path)
		}
	}
	walk(Categories, nil)
	ps := make([]recgen.Product, len(listed))
	for i, l := range listed {
		p := l.Product
		ps[i] = recgen.Product{ID: string(l.ID), Categories: paths[p.Category], Brand: p.Brand, Seller: l.Store,
			Price: p.Variants[0].Price, Text: p.Title + ". " + p.Description}
		if bundled[p.Category] {
			for _, noun := range kinds[p.Category].nouns {
				if strings.Contains(p.Title, noun) {
					ps[i].Kind = noun
				}
			}
		}
	}
	end = end.UTC().Truncate(24 * time.Hour)
	g := recgen.New(recgen.Config{Products: ps, Shoppers: historyShoppers, Weeks: historyWeeks, Seed: historySeed,
		Start: end.Add(-historyWeeks * 7 * 24 * time.Hour), Sessions: 2.5})
	var out []recommend.Signal
	for e := range g.Events() {
		out = append(out, recommend.Signal{Subject: recommend.SessionSubject(fmt.Sprintf("demo-shopper-%04d", e.User)),
			ProductID: listed[e.Item].ID, Kind: e.Kind, Value: e.Value, At: time.Unix(e.At, 0).UTC()})
	}
	return out
}

// history loads the demo's past shopper activity, once.
func (s Seeder) history(ctx context.Context, listed []Listed, progress io.Writer) error {
	if s.Recommend == nil || len(listed) == 0 {
		return nil
	}
	sigs := ShopperHistory(listed, time.Now())
	added, err := s.Recommend.ImportOnce(ctx, historyKey, sigs, nil)
	if err != nil {
		return fmt.Errorf("demo shopper history: %w", err)
	}
	if !added {
		fmt.Fprintln(progress, "demo: shopper history ready (none new)")
		return nil
	}
	fmt.Fprintf(progress, "demo: shopper history ready (%d signals of %d shoppers)\n", len(sigs), historyShoppers)
	return nil
}
