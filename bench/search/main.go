// Command search is the search module's benchmark and load tool. Every
// target is on this machine (loopback); every loop is bounded.
//
//	go run ./bench/search seed    -db URL -data DIR -products N -seed S
//	go run ./bench/search reindex -db URL -data DIR
//	go run ./bench/search serve   -db URL -data DIR -addr 127.0.0.1:8090
//	go run ./bench/search load    -url http://127.0.0.1:8090 -n 2000 -c 4
//	go run ./bench/search live    -url http://127.0.0.1:8090 -n 20
//
// -db is a postgres:// URL or sqlite:PATH (default: SQLite in -data).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/bazaar-market/bazaar/bench/internal/benchkit"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: search seed|reindex|serve|load|live [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(ctx, os.Args[2:])
	case "reindex":
		err = reindex(ctx, os.Args[2:])
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "load":
		err = load(ctx, os.Args[2:])
	case "live":
		err = live(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
}

func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var c benchkit.Data
	c.Register(fs, "data directory (the index goes to DATA/search)")
	n := fs.Int("products", 10000, "products to generate")
	s := fs.Uint64("seed", 1, "generator seed")
	batch := fs.Int("batch", 0, "products per transaction (0: default)")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
	_ = fs.Parse(args)
	stop, err := bulk(*prof)
	if err != nil {
		return err
	}
	defer stop()
	db, err := c.Open(ctx, searchsql.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	signals := searchsql.New(db)
	st, err := cataloggen.Seed(ctx, benchkit.Accounts(db), catalogsql.New(db), cataloggen.Options{
		Config: cataloggen.Config{Products: *n, Seed: *s}, Batch: *batch,
		Progress: search.NewProgress(os.Stderr, *n, "seeding products"),
		Signals: func(ctx context.Context, sigs []cataloggen.Signal) error {
			out := make([]search.Signal, len(sigs))
			for i, sg := range sigs {
				out[i] = search.Signal(sg)
			}
			return signals.PutSignals(ctx, out)
		}})
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d products (%d variants), %d sellers, %d categories in %v: %.0f products/s\n",
		st.Products, st.Variants, st.Sellers, st.Categories, st.Took.Round(time.Millisecond), float64(st.Products)/st.Took.Seconds())
	return nil
}

// bulk readies the process for a bulk load as bazaar seed --products and
// bazaar reindex do (fewer GCs unless GOGC is set) and starts a CPU profile
// into prof if given; stop ends it.
func bulk(prof string) (stop func(), err error) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if prof == "" {
		return func() {}, nil
	}
	f, err := os.Create(prof)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func reindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	var c benchkit.Data
	c.Register(fs, "data directory (the index goes to DATA/search)")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
	_ = fs.Parse(args)
	stop, err := bulk(*prof)
	if err != nil {
		return err
	}
	defer stop()
	db, err := c.Open(ctx, searchsql.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := search.Rebuild(ctx, catalogsql.New(db), benchkit.GenStock{}, benchkit.Accounts(db), searchsql.New(db),
		search.Options{Dir: filepath.Join(c.Dir, "search"), Open: searchbleve.Open, Logger: benchkit.Quiet()}, os.Stderr)
	if err != nil {
		return err
	}
	size, _ := dirSize(filepath.Join(c.Dir, "search", st.Dir))
	fmt.Printf("indexed %d products in %v: %.0f products/s; index %s on disk\n", st.Products, st.Took.Round(time.Millisecond), st.Rate(), human(size))
	return nil
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return err
	})
	return n, err
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
