package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/bazaar-market/bazaar/bench/internal/benchkit"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recgen"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Every fourth shopper is signed in (its signals are a user's), the others
// are guests (a session's).
const userEvery = 4

// shopperSubject is generated shopper u's signals' subject.
func shopperSubject(u uint32) string {
	if u%userEvery == 0 {
		return recommend.UserSubject(shopperUser(u))
	}
	return recommend.SessionSubject(shopperSession(u))
}

// shopperUser is signed-in shopper u's user ID (no account row: the bench
// server's token check accepts it).
func shopperUser(u uint32) id.User { return id.User("usr_bench_" + recgen.ShopperKey(u)) }

// shopperSession is guest shopper u's session ID.
func shopperSession(u uint32) string { return "bench-" + recgen.ShopperKey(u) }

// seed writes a cataloggen marketplace (unless -products-done) and then
// synthetic shoppers' signals (recgen) over its products, ending now.
func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var c benchkit.Data
	c.Register(fs, "data directory")
	n := fs.Int("products", 10000, "products to generate")
	done := fs.Bool("products-done", false, "the products are there already (seeded with the same -products and -seed)")
	signals := fs.Int("signals", 10_000_000, "signals to generate and load")
	shoppers := fs.Int("shoppers", 0, "shoppers (0: as many as products, at most 500,000)")
	weeks := fs.Int("weeks", 4, "weeks of activity, ending now (stops early at -signals)")
	s := fs.Uint64("seed", 1, "generator seed")
	_ = fs.Parse(args)
	bulk()
	db, err := c.Open(ctx, recommendsql.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*done {
		st, err := cataloggen.Seed(ctx, benchkit.Accounts(db), catalogsql.New(db), cataloggen.Options{
			Config:   cataloggen.Config{Products: *n, Seed: *s},
			Progress: search.NewProgress(os.Stderr, *n, "seeding products")})
		if err != nil {
			return err
		}
		fmt.Printf("seeded %d products (%d variants), %d sellers, %d categories in %v: %.0f products/s\n",
			st.Products, st.Variants, st.Sellers, st.Categories, st.Took.Round(time.Millisecond), float64(st.Products)/st.Took.Seconds())
	}
	start := time.Now()
	ps := recgen.FromCatalog(cataloggen.New(cataloggen.Config{Products: *n, Seed: *s}), *n, runtime.GOMAXPROCS(0))
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	g := recgen.New(recgen.Config{Products: ps, Shoppers: *shoppers, Weeks: *weeks, Seed: *s,
		Start: end.Add(-time.Duration(*weeks) * 7 * 24 * time.Hour)})
	fmt.Fprintf(os.Stderr, "%d products' shoppers ready in %v\n", *n, time.Since(start).Round(time.Millisecond))
	svc := recommend.New(recommendsql.New(db), nil, nil, nil, recommend.Options{Logger: benchkit.Quiet()})
	var genTook, loadTook time.Duration
	loaded := 0
	for w := 0; w < *weeks && loaded < *signals; w++ {
		t := time.Now()
		evs := g.Week(w)
		evs = evs[:min(len(evs), *signals-loaded)]
		sigs := make([]recommend.Signal, len(evs))
		for i, e := range evs {
			sigs[i] = recommend.Signal{Subject: shopperSubject(e.User), ProductID: id.Product(ps[e.Item].ID), Kind: e.Kind,
				Value: e.Value, At: time.Unix(e.At, 0).UTC()}
		}
		genTook += time.Since(t)
		t = time.Now()
		if err := svc.Import(ctx, sigs, progressEvery{w: os.Stderr, every: 1_000_000, base: loaded}); err != nil {
			return err
		}
		loadTook += time.Since(t)
		loaded += len(sigs)
		fmt.Fprintf(os.Stderr, "week %d: %d signals (%d in all); generated in %v, loaded in %v (%.0f signals/s so far)\n",
			w+1, len(sigs), loaded, genTook.Round(time.Millisecond), loadTook.Round(time.Millisecond), float64(loaded)/loadTook.Seconds())
	}
	fmt.Printf("seeded %d signals of %d shoppers (one in %d signed in) in %v: generated in %v, loaded in %v (%.0f signals/s)\n",
		loaded, g.Config().Shoppers, userEvery, time.Since(start).Round(time.Millisecond), genTook.Round(time.Millisecond),
		loadTook.Round(time.Millisecond), float64(loaded)/loadTook.Seconds())
	return nil
}

// progressEvery passes on Import's progress lines only every so many
// signals.
type progressEvery struct {
	w     *os.File
	every int
	base  int
}

func (p progressEvery) Write(b []byte) (int, error) {
	var got, of int
	if _, err := fmt.Sscanf(string(b), "recommend: imported %d of %d", &got, &of); err == nil &&
		(got == of || (p.base+got)/p.every != (p.base+got-50000)/p.every) {
		fmt.Fprintf(p.w, "signals: %d loaded\n", p.base+got)
	}
	return len(b), nil
}
