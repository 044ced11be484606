package searchbleve

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/bazaar-market/bazaar/internal/search"
)

// The result cache is exact: it holds answers computed from one index
// snapshot and is emptied when the index changes (any write makes a new
// snapshot), so a cached answer is the one a search would compute.
//
// It remembers two things:
//   - answers by request: shoppers and crawlers repeat head queries and
//     category pages, and a first page with every facet counted costs a
//     pass over everything that matches;
//   - the first rankWindow results of a ranking (the text, filters and
//     sort, whatever the page): a shopper paging through "shoes" (200,000
//     matches at a million products) gets each next page from it instead
//     of a pass that scores every match again.
//   - the documents of each clause (word) of multi-word queries: the
//     relaxed search that follows a strict one with few results, and other
//     queries sharing a word ("black"), start from them.
type resultCache struct {
	mu         sync.Mutex
	off        bool
	answersOff bool // rankings only
	snap       *scorch.IndexSnapshot
	answers    map[string]search.Response
	rankings   map[string]*ranking
	clauses    map[string]*roaring.Bitmap // documents per clause (read-only once kept)
}

// Bounds: answers and rankings kept per snapshot (a full cache is emptied),
// and the results a ranking keeps.
const (
	cacheAnswers  = 1024
	cacheRankings = 256
	cacheClauses  = 256
	rankWindow    = 1000
)

// ranking is the start of a ranked result list.
type ranking struct {
	hits     []rankHit
	total    uint64
	complete bool // hits holds every match
}

func newResultCache() *resultCache {
	return &resultCache{answers: map[string]search.Response{}, rankings: map[string]*ranking{}, clauses: map[string]*roaring.Bitmap{}}
}

// at makes the cache hold answers for snap, forgetting those of another
// snapshot. The caller holds mu.
func (c *resultCache) at(snap *scorch.IndexSnapshot) {
	if c.snap != snap {
		c.snap = snap
		clear(c.answers)
		clear(c.rankings)
		clear(c.clauses)
	}
}

// lock locks c for reading or keeping key from snap's answers; false
// (unlocked) when the cache is off, or keeps no answers and answer is set.
func (c *resultCache) lock(snap *scorch.IndexSnapshot, key string, answer bool) bool {
	if c == nil || key == "" {
		return false
	}
	c.mu.Lock()
	if c.off || answer && c.answersOff {
		c.mu.Unlock()
		return false
	}
	c.at(snap)
	return true
}

// cacheGet and cachePut read and keep one of c's maps (m points at it);
// a map reaching bound is emptied first.
func cacheGet[V any](c *resultCache, snap *scorch.IndexSnapshot, key string, answer bool, m *map[string]V) (V, bool) {
	var zero V
	if !c.lock(snap, key, answer) {
		return zero, false
	}
	defer c.mu.Unlock()
	v, ok := (*m)[key]
	return v, ok
}

func cachePut[V any](c *resultCache, snap *scorch.IndexSnapshot, key string, answer bool, m *map[string]V, bound int, v V) {
	if !c.lock(snap, key, answer) {
		return
	}
	defer c.mu.Unlock()
	if len(*m) >= bound {
		clear(*m)
	}
	(*m)[key] = v
}

func (c *resultCache) clause(snap *scorch.IndexSnapshot, key string) *roaring.Bitmap {
	if c == nil {
		return nil
	}
	bm, _ := cacheGet(c, snap, key, false, &c.clauses)
	return bm
}

func (c *resultCache) putClause(snap *scorch.IndexSnapshot, key string, bm *roaring.Bitmap) {
	if c != nil {
		cachePut(c, snap, key, false, &c.clauses, cacheClauses, bm)
	}
}

func (c *resultCache) answer(snap *scorch.IndexSnapshot, key string) (search.Response, bool) {
	if c == nil {
		return search.Response{}, false
	}
	r, ok := cacheGet(c, snap, key, true, &c.answers)
	if !ok {
		return search.Response{}, false
	}
	return cloneResponse(r), true
}

func (c *resultCache) putAnswer(snap *scorch.IndexSnapshot, key string, r search.Response) {
	if c != nil {
		cachePut(c, snap, key, true, &c.answers, cacheAnswers, cloneResponse(r))
	}
}

func (c *resultCache) ranking(snap *scorch.IndexSnapshot, key string) *ranking {
	if c == nil {
		return nil
	}
	g, _ := cacheGet(c, snap, key, false, &c.rankings)
	return g
}

func (c *resultCache) putRanking(snap *scorch.IndexSnapshot, key string, g *ranking) {
	if c != nil {
		cachePut(c, snap, key, false, &c.rankings, cacheRankings, g)
	}
}

func (c *resultCache) enabled() bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.off
}

// Cache modes for SetCache.
const (
	CacheAll      = "all"      // answers and rankings (the default)
	CacheRankings = "rankings" // rankings only: paging is cached, repeated requests are not
	CacheOff      = "off"      // nothing: every search computed
)

// SetCache sets what the result cache keeps (CacheAll, CacheRankings or
// CacheOff), for measuring what searches cost without it.
func (x *Index) SetCache(mode string) {
	x.cache.mu.Lock()
	defer x.cache.mu.Unlock()
	x.cache.off = mode == CacheOff
	x.cache.answersOff = mode == CacheRankings
	x.cache.snap = nil
	clear(x.cache.answers)
	clear(x.cache.rankings)
	clear(x.cache.clauses)
}

// page returns the limit results after cur's cursor (from the top without
// one); ok is false when they go past what g holds.
func (g *ranking) page(cur *ranker, limit int) (hits []rankHit, ok bool) {
	start := 0
	if cur.after != nil {
		start = sort.Search(len(g.hits), func(i int) bool { return cur.before(cur.after, &g.hits[i]) })
	}
	if end := start + limit; end <= len(g.hits) {
		return g.hits[start:end], true
	}
	if g.complete {
		return g.hits[start:], true
	}
	return nil, false
}

// answerKey names a request; rankingKey names its ranking (what matches
// and in which order, whatever the page and the facets).
func answerKey(r search.Request) string {
	b, err := json.Marshal(r)
	if err != nil {
		return ""
	}
	return string(b)
}

func rankingKey(r search.Request) string {
	r.After, r.Limit, r.Facets, r.Disjunctive = "", 0, search.FacetRequest{}, false
	return answerKey(r)
}

// cloneResponse copies what a caller might change.
func cloneResponse(r search.Response) search.Response {
	r.Docs = slices.Clone(r.Docs)
	r.Categories = maps.Clone(r.Categories)
	r.Brands = slices.Clone(r.Brands)
	r.Prices = maps.Clone(r.Prices)
	r.Ratings = maps.Clone(r.Ratings)
	if r.Attributes != nil {
		a := make(map[string][]search.TermCount, len(r.Attributes))
		for k, v := range r.Attributes {
			a[k] = slices.Clone(v)
		}
		r.Attributes = a
	}
	return r
}
