package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// The index's home holds one folder per index generation and a pointer
// file naming the current one:
//
//	<data>/search/CURRENT      {"dir": "idx-…", "started": "…"}
//	<data>/search/idx-…        the index being served
//	<data>/search/tmp-…        an index being built
//
// A rebuild writes a tmp- folder, renames it to idx- when complete and then
// replaces CURRENT atomically (write and rename). The process serving
// searches swaps the new index in (at once when it rebuilt it itself, within
// Options.WatchEvery when bazaar reindex did), replays onto it the products
// it refreshed since the rebuild started, and deletes the old folder.
const pointerFile = "CURRENT"

type pointer struct {
	Dir     string    `json:"dir"`
	Started time.Time `json:"started"` // when the rebuild began reading the catalog
}

func readPointer(root string) (pointer, error) {
	b, err := os.ReadFile(filepath.Join(root, pointerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return pointer{}, nil
	}
	if err != nil {
		return pointer{}, fmt.Errorf("search: read %s: %w", pointerFile, err)
	}
	var p pointer
	if err := json.Unmarshal(b, &p); err != nil || p.Dir == "" || strings.ContainsAny(p.Dir, `/\`) {
		return pointer{}, fmt.Errorf("search: %s is corrupt", filepath.Join(root, pointerFile))
	}
	return p, nil
}

func writePointer(root string, p pointer) error {
	b, _ := json.Marshal(p)
	tmp := filepath.Join(root, pointerFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return fmt.Errorf("search: write %s: %w", pointerFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(root, pointerFile)); err != nil {
		return fmt.Errorf("search: write %s: %w", pointerFile, err)
	}
	return nil
}

func newDirName(prefix string) string {
	return prefix + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// collectGarbage removes index folders that are neither current nor being
// built (a build's tmp- folder is removed a day after it started).
func (s *Service) collectGarbage(current string) {
	entries, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == current {
			continue
		}
		stale := strings.HasPrefix(name, "idx-")
		if strings.HasPrefix(name, "tmp-") {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				stale = true
			}
		}
		if stale {
			if err := os.RemoveAll(filepath.Join(s.opts.Dir, name)); err != nil {
				s.log.Warn("search: remove old index", "dir", name, "err", err)
			}
		}
	}
}

// ReindexStats describes a rebuild.
type ReindexStats struct {
	Products int           // documents in the new index
	Took     time.Duration // reading the catalog and indexing
	Dir      string        // the new index's folder
}

// Rate is the products indexed per second.
func (r ReindexStats) Rate() float64 {
	if r.Took <= 0 {
		return 0
	}
	return float64(r.Products) / r.Took.Seconds()
}

// pageSize is how many products a rebuild reads at a time.
const pageSize = 1000

// Reindex rebuilds the index from the catalog in a new folder while the old
// index keeps answering, then swaps the new one in. Progress goes to w (a
// bar on a terminal, lines otherwise; nil for none). Changes made during the
// rebuild are replayed onto the new index before and after the swap.
func (s *Service) Reindex(ctx context.Context, w io.Writer) (ReindexStats, error) {
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	stats, started, err := build(ctx, s.docs, s.opts, w)
	if err != nil {
		return stats, err
	}
	if err := s.swapTo(ctx, stats.Dir, started); err != nil {
		return stats, err
	}
	s.refreshSuggestions(ctx)
	return stats, nil
}

// Rebuild builds a new index from the catalog and makes it current, for
// bazaar reindex: a server running on the same data directory swaps it in
// within its Options.WatchEvery, catching up with the changes it applied
// meanwhile. It never opens the index being served.
func Rebuild(ctx context.Context, cat Catalog, stock Stock, sellers Sellers, signals Signals, opts Options, w io.Writer) (ReindexStats, error) {
	if opts.Open == nil {
		return ReindexStats{}, fmt.Errorf("search: no index engine (Options.Open)")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return ReindexStats{}, fmt.Errorf("search: create %s: %w", opts.Dir, err)
	}
	stats, started, err := build(ctx, newBuilder(cat, stock, sellers, signals), opts, w)
	if err != nil {
		return stats, err
	}
	return stats, writePointer(opts.Dir, pointer{Dir: stats.Dir, Started: started})
}

// build writes a complete new index folder and returns its stats and when
// it started reading the catalog.
func build(ctx context.Context, docs *builder, opts Options, w io.Writer) (ReindexStats, time.Time, error) {
	started := time.Now()
	tmp := newDirName("tmp")
	tmpPath := filepath.Join(opts.Dir, tmp)
	idx, err := opts.Open(tmpPath, true)
	if err != nil {
		return ReindexStats{}, started, fmt.Errorf("search: create index: %w", err)
	}
	fail := func(err error) (ReindexStats, time.Time, error) {
		idx.Close()
		os.RemoveAll(tmpPath)
		return ReindexStats{}, started, err
	}
	total := -1
	if c, ok := docs.cat.(Counter); ok {
		if n, err := c.CountProducts(ctx, catalog.Active); err == nil {
			total = n
		}
	}
	docs.forgetTree()
	bar := newProgress(w, total, "indexing products")

	// Two stages on two cores: one reads the catalog and builds documents,
	// the other indexes them.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Doc, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		f := catalog.Filter{Statuses: []catalog.Status{catalog.Active}, Sort: catalog.SortNewest, Limit: pageSize}
		scan, _ := docs.cat.(Scanner)
		after := ""
		for {
			var ps []catalog.Product
			var err error
			if scan != nil {
				ps, err = scan.ProductsAfter(ctx, catalog.Active, id.Product(after), pageSize)
			} else {
				ps, err = docs.cat.Products(ctx, f)
			}
			if err != nil {
				readErr <- fmt.Errorf("read catalog: %w", err)
				return
			}
			if len(ps) > 0 {
				after = string(ps[len(ps)-1].ID)
			}
			put, _, err := docs.docs(ctx, ps)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case batches <- put:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			if len(ps) < f.Limit {
				readErr <- nil
				return
			}
			c := catalog.CursorFor(catalog.SortNewest, ps[len(ps)-1])
			f.After = &c
		}
	}()
	// Two indexers: an engine batch analyses in parallel but builds its
	// segment on one core.
	var n atomic.Int64
	var putErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for batch := range batches {
				if err := idx.Put(ctx, batch); err != nil {
					once.Do(func() { putErr = err })
					cancel()
					continue
				}
				n.Add(int64(len(batch)))
				bar.Add(len(batch))
			}
		})
	}
	wg.Wait()
	if putErr != nil {
		<-readErr
		return fail(fmt.Errorf("search: index: %w", putErr))
	}
	if err := <-readErr; err != nil {
		return fail(err)
	}
	bar.Finish()
	took := time.Since(started)
	if err := idx.Close(); err != nil {
		os.RemoveAll(tmpPath)
		return ReindexStats{}, started, fmt.Errorf("search: close new index: %w", err)
	}
	dir := "idx-" + strings.TrimPrefix(tmp, "tmp-")
	if err := os.Rename(tmpPath, filepath.Join(opts.Dir, dir)); err != nil {
		os.RemoveAll(tmpPath)
		return ReindexStats{}, started, fmt.Errorf("search: finish new index: %w", err)
	}
	return ReindexStats{Products: int(n.Load()), Took: took, Dir: dir}, started, nil
}

// swapTo opens the index in dir, catches it up with the products refreshed
// since started, makes it current and closes the old one. The caller holds
// swapMu.
func (s *Service) swapTo(ctx context.Context, dir string, started time.Time) error {
	idx, err := s.opts.Open(filepath.Join(s.opts.Dir, dir), false)
	if err != nil {
		return fmt.Errorf("search: open new index: %w", err)
	}
	// A second of slack covers clock steps between processes.
	catchUp := time.Now()
	if err := s.replay(ctx, idx, started.Add(-time.Second)); err != nil {
		idx.Close()
		return err
	}
	if err := writePointer(s.opts.Dir, pointer{Dir: dir, Started: started}); err != nil {
		idx.Close()
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		idx.Close()
		return apperr.New(apperr.KindUnavailable, "search_closed", "search is shutting down")
	}
	old := s.cur
	s.cur = &handle{idx: idx, dir: dir}
	s.mu.Unlock()
	if old != nil {
		// Writers that took the old index finish (and log what they did)
		// before the last catch-up.
		old.busy.Wait()
	}
	if err := s.replay(ctx, idx, catchUp); err != nil {
		s.log.Error("search: catch up after swap", "err", err)
	}
	if old != nil {
		if err := old.idx.Close(); err != nil {
			s.log.Warn("search: close old index", "err", err)
		}
		if old.dir != dir {
			if err := os.RemoveAll(filepath.Join(s.opts.Dir, old.dir)); err != nil {
				s.log.Warn("search: remove old index", "dir", old.dir, "err", err)
			}
		}
	}
	return nil
}

// replay re-reads onto idx the products refreshed since t.
func (s *Service) replay(ctx context.Context, idx Index, t time.Time) error {
	ids, complete := s.recent.since(t)
	if !complete {
		s.log.Warn("search: too many changes during the rebuild to replay them all; run reindex again when quieter")
	}
	for start := 0; start < len(ids); start += pageSize {
		var ps []catalog.Product
		var gone []id.Product
		for _, pid := range ids[start:min(start+pageSize, len(ids))] {
			p, err := s.docs.cat.Product(ctx, string(pid))
			if apperr.Is(err, apperr.KindNotFound) {
				gone = append(gone, pid)
				continue
			}
			if err != nil {
				return fmt.Errorf("read product %s: %w", pid, err)
			}
			ps = append(ps, p)
		}
		put, del, err := s.docs.docs(ctx, ps)
		if err != nil {
			return err
		}
		if err := writeDocs(ctx, idx, put, append(del, gone...)); err != nil {
			return err
		}
	}
	return nil
}

// adoptExternal swaps in an index that another process (bazaar reindex)
// built and made current.
func (s *Service) adoptExternal(ctx context.Context) error {
	p, err := readPointer(s.opts.Dir)
	if err != nil || p.Dir == "" {
		return err
	}
	s.mu.RLock()
	same := s.cur == nil || s.cur.dir == p.Dir // not open yet: it opens the current one when needed
	s.mu.RUnlock()
	if same {
		return nil
	}
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	s.mu.RLock()
	same = s.cur == nil || s.cur.dir == p.Dir // swapped meanwhile by Reindex
	s.mu.RUnlock()
	if same {
		return nil
	}
	s.log.Info("search: swapping in the rebuilt index", "dir", p.Dir)
	if err := s.swapTo(ctx, p.Dir, p.Started); err != nil {
		return err
	}
	s.refreshSuggestions(ctx)
	return nil
}
