package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/bench/internal/benchkit"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchhttp"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
)

// serve runs the search API as the server mounts it (request IDs, access
// log, problem+json), with the event relay, plus two bench-only routes:
// GET /bench/stats (RSS, index size, documents) and POST /bench/product
// (creates a product through the catalog service, as a seller would).
func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var c benchkit.Data
	c.Register(fs, "data directory (the index goes to DATA/search)")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (loopback)")
	cache := fs.String("cache", searchbleve.CacheAll, "the engine's result cache: all, rankings (paging only) or off")
	seed := fs.Uint64("seed", 1, "the generator seed whose first seller creates products")
	_ = fs.Parse(args)
	db, err := c.Open(ctx, searchsql.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	log := benchkit.Quiet()
	acc := benchkit.Accounts(db)
	dir := filepath.Join(c.Dir, "search")
	svc, err := search.New(catalogsql.New(db), benchkit.GenStock{}, acc, searchsql.New(db), search.Options{Dir: dir, Logger: log,
		Open: func(dir string, bulk bool) (search.Index, error) {
			x, err := searchbleve.Open(dir, bulk)
			if err == nil {
				x.(*searchbleve.Index).SetCache(*cache)
			}
			return x, err
		}})
	if err != nil {
		return err
	}
	defer svc.Close()
	if err := svc.ReindexIfNeeded(ctx); err != nil {
		return err
	}
	bus := event.NewBus(db, log)
	svc.Subscribe(bus)
	go func() { _ = bus.Run(ctx) }()
	go svc.Run(ctx)

	cat := catalog.New(catalogsql.New(db), acc, catalog.Options{ImageDir: filepath.Join(c.Dir, "images")})
	r := rest.NewRouter()
	searchhttp.New(svc).Routes(r)
	r.Mount("GET /bench/stats", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		n, _ := svc.Count()
		size, _ := dirSize(dir)
		rest.JSON(w, 200, map[string]any{"rss_bytes": rss(), "heap_inuse_bytes": ms.HeapInuse, "docs": n, "index_bytes": size})
	}))
	r.Mount("POST /bench/product", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id, err := createProduct(req.Context(), acc, cat, *seed, req.URL.Query().Get("title"))
		if err != nil {
			rest.Error(w, req, err)
			return
		}
		rest.JSON(w, 201, map[string]string{"id": id})
	}))
	r.Mount("GET /debug/pprof/", http.HandlerFunc(pprof.Index))
	r.Mount("GET /debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	h := rest.Chain(r, rest.Observe(log))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	n, _ := svc.Count()
	fmt.Printf("serving %d products on http://%s (pid %d)\n", n, l.Addr(), os.Getpid())
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// createProduct lists a product in the first generated store, as its
// seller would.
func createProduct(ctx context.Context, acc *account.Service, cat *catalog.Service, seed uint64, title string) (string, error) {
	spec := cataloggen.New(cataloggen.Config{Seed: seed}).Sellers()[0]
	u, err := acc.UserByEmail(ctx, spec.Email)
	if err != nil {
		return "", fmt.Errorf("find the generated seller (seed the catalog with -seed %d first): %w", seed, err)
	}
	cats, err := cat.Categories(ctx)
	if err != nil {
		return "", err
	}
	parents := map[id.Category]bool{}
	for _, c := range cats {
		if c.ParentID != nil {
			parents[*c.ParentID] = true
		}
	}
	leaf := ""
	for _, c := range cats {
		if !parents[c.ID] {
			leaf = string(c.ID)
			break
		}
	}
	p, err := cat.CreateProduct(auth.With(ctx, auth.Principal{UserID: u.ID, Role: auth.Seller}), catalog.NewProduct{
		Title: title, Brand: "Bench", CategoryID: id.Category(leaf), Status: catalog.Active,
		Variants: []catalog.NewVariant{{SKU: "BENCH-" + strconv.FormatInt(time.Now().UnixNano(), 36), Price: money.New(1999, "USD")}},
	})
	if err != nil {
		return "", err
	}
	return string(p.ID), nil
}

// rss is the process's resident set size from /proc/self/status.
func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
