package search

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/unit"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
)

// Catalog is what the index is built from: the catalog's Feed
// (catalog.Service.Feed) satisfies it, with Counter and Scanner.
type Catalog interface {
	// Product finds a product by ID, whatever its status. NotFound if absent.
	Product(ctx context.Context, idOrSlug string) (catalog.Product, error)
	// Products lists products with their variants and images.
	Products(ctx context.Context, f catalog.Filter) ([]catalog.Product, error)
	// Categories returns every category.
	Categories(ctx context.Context) ([]catalog.Category, error)
}

// Counter is optionally implemented by a Catalog to give reindexing a total
// for its progress bar.
type Counter interface {
	CountProducts(ctx context.Context, status catalog.Status) (int, error)
}

// Scanner is optionally implemented by a Catalog to let a rebuild read
// every product in primary-key order, which stays cheap on every page
// (keyset pages on the newest sort get slower the deeper they go on
// PostgreSQL).
type Scanner interface {
	ProductsAfter(ctx context.Context, status catalog.Status, afterID id.Product, limit int) ([]catalog.Product, error)
}

// Stock tells how many units of each SKU are available; *inventory.Service
// satisfies it. Missing SKUs count as 0.
type Stock interface {
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}

// Sellers finds a store; *account.Service satisfies it. A suspended or
// missing store answers NotFound, and its products are not shown.
type Sellers interface {
	Seller(ctx context.Context, id id.Seller) (account.Seller, error)
}

// Signals gives the ratings and sales of products; *searchsql.Store
// satisfies it. Products without a signal are unrated and unsold.
type Signals interface {
	Signals(ctx context.Context, productIDs []id.Product) (map[id.Product]Signal, error)
}

// OpenFunc opens the index in dir, creating an empty one if dir does not
// exist. bulk asks for an index tuned for a one-off build (it is closed and
// reopened without bulk before it serves).
type OpenFunc func(dir string, bulk bool) (Index, error)

// Options tunes a Service.
type Options struct {
	Dir      string       // the index's home: <data>/search
	Open     OpenFunc     // the engine, e.g. searchbleve.Open
	Synonyms *Synonyms    // nil for DefaultSynonyms
	Logger   *slog.Logger // nil for slog.Default()
	// WatchEvery is how often Run looks for an index rebuilt by another
	// process (bazaar reindex); 0 for 2 s.
	WatchEvery time.Duration
	// Queue, if set, decouples the index from the event relay: events
	// queue products durably and RunQueue refreshes them in batches. Nil:
	// the event handlers refresh documents themselves.
	Queue Queue
	// Replica names this search replica (its index, queue and consumer);
	// "default" when empty. Every replica of a shared database needs its
	// own name.
	Replica string
}

// Service answers searches and suggestions from an index it keeps in step
// with the catalog, the inventory and the stores.
type Service struct {
	docs *builder
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	cur     *handle // nil until first needed
	closed  bool
	swapMu  sync.Mutex // one rebuild or swap at a time
	recent  recentLog
	sugg    atomic.Pointer[suggester]
	changed atomic.Bool   // the index changed since suggestions were built
	fresh   freshProducts // products indexed since suggestions were built
	kick    chan struct{} // wakes RunQueue
	queries queryLog
}

// handle is an open index with a count of the searches using it, so an
// index swapped out is closed only after they finish.
type handle struct {
	idx  Index
	dir  string
	busy sync.WaitGroup
}

// New returns a service over the index under opts.Dir; the index is opened
// (created empty the first time) when first needed. stock, sellers and
// signals may be nil. An empty index over a non-empty catalog needs Reindex
// (ReindexIfEmpty does it).
func New(cat Catalog, stock Stock, sellers Sellers, signals Signals, opts Options) (*Service, error) {
	if opts.Open == nil {
		return nil, fmt.Errorf("search: no index engine (Options.Open)")
	}
	if opts.Synonyms == nil {
		opts.Synonyms = MustParseSynonyms(DefaultSynonyms)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WatchEvery == 0 {
		opts.WatchEvery = 2 * time.Second
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("search: create %s: %w", opts.Dir, err)
	}
	s := &Service{docs: newBuilder(cat, stock, sellers, signals), opts: opts, log: opts.Logger, kick: make(chan struct{}, 1)}
	s.sugg.Store(newSuggester(nil))
	return s, nil
}

// open opens the current index the first time it is needed, so that
// commands which build the modules but never search (migrate, seed, user)
// do not open an index a running server holds. The caller holds mu.
func (s *Service) open() error {
	if s.closed {
		return apperr.New(apperr.KindUnavailable, "search_closed", "search is shutting down")
	}
	ptr, err := readPointer(s.opts.Dir)
	if err != nil {
		return err
	}
	if ptr.Dir == "" {
		ptr = pointer{Dir: newDirName("idx")}
		if err := writePointer(s.opts.Dir, ptr); err != nil {
			return err
		}
	}
	idx, err := s.opts.Open(filepath.Join(s.opts.Dir, ptr.Dir), false)
	if err != nil {
		return fmt.Errorf("search: open index %s: %w", ptr.Dir, err)
	}
	s.cur = &handle{idx: idx, dir: ptr.Dir}
	s.collectGarbage(ptr.Dir)
	return nil
}

// Close closes the index.
func (s *Service) Close() error {
	s.mu.Lock()
	h := s.cur
	s.cur, s.closed = nil, true
	s.mu.Unlock()
	if h == nil {
		return nil
	}
	h.busy.Wait()
	return h.idx.Close()
}

// acquire returns the current index, opening it the first time; release it
// with h.busy.Done().
func (s *Service) acquire() (*handle, error) {
	s.mu.RLock()
	if h := s.cur; h != nil {
		h.busy.Add(1)
		s.mu.RUnlock()
		return h, nil
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		if err := s.open(); err != nil {
			return nil, err
		}
	}
	s.cur.busy.Add(1)
	return s.cur, nil
}

// Count is the number of products in the index.
func (s *Service) Count() (uint64, error) {
	h, err := s.acquire()
	if err != nil {
		return 0, err
	}
	defer h.busy.Done()
	return h.idx.Count()
}

// Run keeps the service's background work going until ctx ends: it swaps in
// an index rebuilt by another process and refreshes suggestions.
func (s *Service) Run(ctx context.Context) {
	s.refreshSuggestions(ctx)
	t := time.NewTicker(s.opts.WatchEvery)
	defer t.Stop()
	lastSugg := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.adoptExternal(ctx); err != nil {
			s.log.Error("search: adopt rebuilt index", "err", err)
		}
		// Suggestions follow the index: within a minute of a change
		// (new brands, categories, best sellers), and every five minutes
		// for the queries shoppers type.
		if since := time.Since(lastSugg); since > suggestEvery || since > suggestAfterChange && s.changed.Swap(false) {
			s.refreshSuggestions(ctx)
			lastSugg = time.Now()
		}
	}
}

// ReindexIfNeeded rebuilds the index when it is empty (first start, or a
// new replica) or stale (built by an older version: Staler). It is meant
// to run in the background at start; searches keep answering from the
// stale index meanwhile.
func (s *Service) ReindexIfNeeded(ctx context.Context) error {
	h, err := s.acquire()
	if err != nil {
		return err
	}
	n, err := h.idx.Count()
	st, _ := h.idx.(Staler)
	stale := st != nil && st.Stale()
	h.busy.Done()
	if err != nil || n > 0 && !stale {
		return err
	}
	if stale {
		s.log.Info("search: the index was built by an older version; rebuilding it", "products", n)
	}
	_, err = s.Reindex(ctx, nil)
	return err
}

// Jobs are the replica's background jobs, run in every process that hosts
// search: building the index when it is missing or of an older format
// (searches answer meanwhile), swapping in rebuilt indexes (Run) and
// refreshing queued products (RunQueue).
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{
		{Name: "search.build", Run: func(ctx context.Context) {
			if err := s.ReindexIfNeeded(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("search: build the index", "err", err)
			}
		}},
		{Name: "search.run", Run: s.Run},
		{Name: "search.queue", Run: s.RunQueue},
	}
}
