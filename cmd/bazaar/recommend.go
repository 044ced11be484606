package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/recommend/recgen"
)

// recommendEval measures the recommendation models offline on synthetic
// shoppers over a cataloggen marketplace and prints the table as Markdown.
// It needs no database.
func recommendEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recommend eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	products := fs.Int("products", 10_000, "products in the synthetic marketplace (cataloggen, as bazaar seed --products makes)")
	shoppers := fs.Int("shoppers", 0, "synthetic shoppers; 0: as many as products, at least 2,000 and at most 500,000")
	weeks := fs.Int("weeks", 4, "weeks of activity")
	heldOut := fs.Int("held-out", 1, "the last weeks held out of training and measured on")
	genSeed := fs.Uint64("seed", 1, "the seed of the catalog and the shoppers (the same seed gives the same table)")
	users := fs.Int("users", 10_000, "held-out shoppers asked, spread evenly over them; negative for all")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines making events and asking the models")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *products <= 0:
		return usageError{"--products must be positive"}
	case *shoppers < 0:
		return usageError{"--shoppers must not be negative"}
	case *weeks < 2 || *heldOut < 1 || *heldOut >= *weeks:
		return usageError{"--weeks must be at least 2 and --held-out between 1 and weeks-1"}
	}
	t0 := time.Now()
	ps := recgen.FromCatalog(cataloggen.New(cataloggen.Config{Products: *products, Seed: *genSeed}), *products, *workers)
	fmt.Fprintf(stderr, "recommend eval: %d products made in %v\n", len(ps), time.Since(t0).Round(time.Millisecond))
	g := recgen.New(recgen.Config{Products: ps, Shoppers: *shoppers, Weeks: *weeks, HeldOut: *heldOut, Seed: *genSeed, Workers: *workers})
	rep, err := recgen.Evaluate(ctx, g, recgen.EvalOptions{Users: *users, Workers: *workers, Progress: stderr})
	if err != nil {
		return err
	}
	return rep.Markdown(stdout)
}
