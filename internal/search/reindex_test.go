package search_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchtest"
)

// hookCatalog runs a function once, the first time a rebuild reads a page.
type hookCatalog struct {
	*searchtest.Catalog
	once sync.Once
	hook func()
}

func (h *hookCatalog) Products(ctx context.Context, f catalog.Filter) ([]catalog.Product, error) {
	if f.After != nil && h.hook != nil { // a rebuild's second page: mid-build
		h.once.Do(h.hook)
	}
	return h.Catalog.Products(ctx, f)
}

func bigCatalog(n int) (*searchtest.Catalog, string) {
	c := searchtest.NewCatalog()
	cat := c.AddCategory("Things", "")
	for i := range n {
		c.Put(searchtest.Product{ID: id.Product(fmt.Sprintf("prd_%05d", i)), Title: fmt.Sprintf("Widget number %d", i), Category: string(cat)})
	}
	return c, string(cat)
}

func TestReindexOnline(t *testing.T) {
	base, cat := bigCatalog(2500)
	hc := &hookCatalog{Catalog: base}
	dir := filepath.Join(t.TempDir(), "search")
	svc, err := search.New(hc, nil, nil, nil, search.Options{Dir: dir, Open: searchbleve.Open})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if _, err := svc.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// While the next rebuild runs: a new product, a removed one, and
	// searches that must keep answering from the old index.
	var searches, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			r, err := svc.Search(ctx, search.Query{Text: "widget"})
			searches.Add(1)
			if err != nil || r.Total < 2000 {
				failures.Add(1)
			}
		}
	})
	hc.hook = func() {
		base.Put(searchtest.Product{ID: "prd_new", Title: "Brand new gizmo", Category: cat})
		base.Remove("prd_00000")
		if err := svc.Refresh(ctx, "prd_new", "prd_00000"); err != nil {
			t.Errorf("Refresh during rebuild: %v", err)
		}
	}
	var progress bytes.Buffer
	st, err := svc.Reindex(ctx, &progress)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if searches.Load() == 0 || failures.Load() > 0 {
		t.Errorf("during the rebuild %d searches ran, %d failed or found too little", searches.Load(), failures.Load())
	}
	if !strings.Contains(progress.String(), "indexing products: ") {
		t.Errorf("progress = %q, want plain lines", progress.String())
	}
	if st.Products < 2499 {
		t.Errorf("rebuilt %d products", st.Products)
	}
	if r, _ := svc.Search(ctx, search.Query{Text: "gizmo"}); r.Total != 1 {
		t.Errorf("product added during the rebuild: total %d, want 1", r.Total)
	}
	if r, _ := svc.Search(ctx, search.Query{Text: "widget number 0", Limit: 100}); containsID(r, "prd_00000") {
		t.Error("product removed during the rebuild is still found")
	}
	if n, _ := svc.Count(); n != 2500 {
		t.Errorf("Count = %d, want 2500", n)
	}
	// One index folder is left.
	entries, _ := os.ReadDir(dir)
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
		}
	}
	if len(folders) != 1 || folders[0] != st.Dir {
		t.Errorf("folders = %v, want only %s", folders, st.Dir)
	}
}

// TestRebuildFromAnotherProcess: bazaar reindex builds next to a running
// service, which swaps the new index in and catches up.
func TestRebuildFromAnotherProcess(t *testing.T) {
	base, cat := bigCatalog(1500)
	dir := filepath.Join(t.TempDir(), "search")
	svc, err := search.New(base, nil, nil, nil, search.Options{Dir: dir, Open: searchbleve.Open, WatchEvery: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Run(ctx)

	hc := &hookCatalog{Catalog: base, hook: func() {
		// The server applies an event while the other process builds.
		base.Put(searchtest.Product{ID: "prd_late", Title: "Late arrival", Category: cat})
		if err := svc.Refresh(ctx, "prd_late"); err != nil {
			t.Errorf("Refresh: %v", err)
		}
	}}
	if _, err := search.Rebuild(ctx, hc, nil, nil, nil, search.Options{Dir: dir, Open: searchbleve.Open}, nil); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, _ := svc.Count()
		r, _ := svc.Search(ctx, search.Query{Text: "arrival"})
		if n == 1501 && r.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the external rebuild: %d products, %d late ones; want 1501 and 1", n, r.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsID(r search.Result, id id.Product) bool {
	for _, h := range r.Items {
		if h.ID == id {
			return true
		}
	}
	return false
}

// TestLazyOpen: building the service opens no index (commands that never
// search must not touch the index a running server holds).
func TestLazyOpen(t *testing.T) {
	base, _ := bigCatalog(3)
	dir := filepath.Join(t.TempDir(), "search")
	svc, err := search.New(base, nil, nil, nil, search.Options{Dir: dir, Open: searchbleve.Open})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("New made %d entries in the index folder, want none", len(entries))
	}
	if err := svc.ReindexIfNeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Count(); err != nil || n != 3 {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
	svc.Close()
	if _, err := svc.Search(context.Background(), search.Query{}); err == nil {
		t.Error("Search after Close succeeded")
	}
}

// staleIndex is an index that says it was built by an older version.
type staleIndex struct{ search.Index }

func (staleIndex) Stale() bool { return true }

// TestReindexStale: an index built by an older version is rebuilt at
// start, and answers meanwhile.
func TestReindexStale(t *testing.T) {
	base, _ := bigCatalog(3)
	dir := filepath.Join(t.TempDir(), "search")
	svc, err := search.New(base, nil, nil, nil, search.Options{Dir: dir, Open: searchbleve.Open})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ReindexIfNeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "CURRENT"))

	var opens atomic.Int32
	open := func(path string, bulk bool) (search.Index, error) {
		x, err := searchbleve.Open(path, bulk)
		if err == nil && opens.Add(1) == 1 {
			return staleIndex{x}, nil
		}
		return x, err
	}
	svc, err = search.New(base, nil, nil, nil, search.Options{Dir: dir, Open: open})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if r, err := svc.Search(context.Background(), search.Query{}); err != nil || r.Total != 3 {
		t.Fatalf("stale index answered %d, %v; want 3", r.Total, err)
	}
	if err := svc.ReindexIfNeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if bytes.Equal(before, after) || opens.Load() < 3 {
		t.Errorf("stale index not rebuilt (%d opens; CURRENT %s -> %s)", opens.Load(), before, after)
	}
	if n, err := svc.Count(); err != nil || n != 3 {
		t.Errorf("Count after rebuild = %d, %v; want 3", n, err)
	}
}
