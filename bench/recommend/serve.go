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
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/bench/internal/benchkit"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendhttp"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// serve runs the recommendation API as the server mounts it (request IDs,
// access log, bearer tokens, problem+json) over a service loaded from the
// database and trained once, plus bench-only routes: GET /bench/stats (RSS,
// Go heap, load and training times) and GET /bench/token?user= (a token
// for a generated shopper).
func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var c benchkit.Data
	c.Register(fs, "data directory")
	addr := fs.String("addr", "127.0.0.1:8092", "listen address (loopback)")
	retrain := fs.Bool("retrain", false, "retrain every 10 minutes as the server does (default: once, before serving)")
	_ = fs.Parse(args)
	db, err := c.Open(ctx, recommendsql.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	log := benchkit.Quiet()
	acc := benchkit.Accounts(db)
	cat := catalog.New(catalogsql.New(db), acc, catalog.Options{ImageDir: filepath.Join(c.Dir, "images")})
	// As internal/server/wire.go builds it, with the generator's stock.
	svc := recommend.New(recommendsql.New(db), cat.Feed(), benchkit.GenStock{}, acc, recommend.Options{Refs: cat, Logger: log})

	start := time.Now()
	if err := svc.Load(ctx); err != nil {
		return err
	}
	loadTook := time.Since(start)
	loadHeap := heapAfterGC()
	fmt.Printf("loaded the models from the database in %v (live heap %s)\n", loadTook.Round(time.Millisecond), human(int64(loadHeap)))
	start = time.Now()
	if err := svc.Train(ctx); err != nil {
		return err
	}
	trainTook := time.Since(start)
	trainHeap := heapAfterGC()
	fmt.Printf("trained in %v on %d cores (live heap %s, RSS %s)\n", trainTook.Round(time.Millisecond), runtime.GOMAXPROCS(0),
		human(int64(trainHeap)), human(rss()))
	go svc.Run(ctx) // tails the table, as every process does
	if *retrain {
		for _, j := range svc.Jobs() {
			if j.Name == "recommend.train" {
				go j.Run(ctx)
			}
		}
	}

	key, err := auth.LoadKey("", c.Dir)
	if err != nil {
		return err
	}
	tokens := auth.NewTokens(key, 24*time.Hour)
	r := rest.NewRouter()
	recommendhttp.New(svc, recommendhttp.Options{}).Routes(r)
	r.Mount("GET /bench/stats", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		rest.JSON(w, 200, map[string]any{"rss_bytes": rss(), "heap_inuse_bytes": ms.HeapInuse, "heap_alloc_bytes": ms.HeapAlloc,
			"sys_bytes": ms.Sys, "num_gc": ms.NumGC, "total_alloc_bytes": ms.TotalAlloc, "gc_cpu_fraction": ms.GCCPUFraction,
			"load_seconds": loadTook.Seconds(), "train_seconds": trainTook.Seconds(),
			"live_heap_after_load_bytes": loadHeap, "live_heap_after_train_bytes": trainHeap, "cores": runtime.GOMAXPROCS(0)})
	}))
	r.Mount("GET /bench/token", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user := req.URL.Query().Get("user")
		if !strings.HasPrefix(user, "usr_bench_") {
			rest.JSON(w, 400, map[string]string{"error": "user must be a generated shopper (usr_bench_...)"})
			return
		}
		tok, _, err := tokens.Issue(auth.Principal{UserID: id.User(user), Role: auth.Customer})
		if err != nil {
			rest.Error(w, req, err)
			return
		}
		rest.JSON(w, 200, map[string]string{"token": tok})
	}))
	r.Mount("GET /debug/pprof/", http.HandlerFunc(pprof.Index))
	r.Mount("GET /debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	// The generated shoppers have no account rows: the check accepts every
	// valid token (the server's looks the account up).
	accept := func(_ context.Context, p auth.Principal) (auth.Principal, error) { return p, nil }
	h := rest.Chain(r, rest.Observe(log), tokens.Middleware(accept, rest.Error))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Printf("serving on http://%s (pid %d)\n", l.Addr(), os.Getpid())
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// heapAfterGC is the live heap: the heap in use after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
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

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
