// Package searchbleve is the embedded search engine: a Bleve (scorch) index
// on local disk implementing search.Index.
//
// Fields: title and text (brand, category path, attribute values,
// description, store name) are English text (stop words, possessives,
// stemming), the title (with the category's name) weighing three times as
// much; words holds
// the words that name the product (title, brand, category path, attribute
// values, store name) unstemmed, for typo (fuzzy and transposition) and
// prefix matching; brand, brand_key, category_ids (the category and its
// ancestors), category_id (the category alone, for the facet), seller_id and attrs
// ("name=value", lower case) are keywords for filters and facets; prices
// (every variant's price) is the one numeric field, for price filters
// without the columns, and price_values the same prices as fixed-width
// keywords with doc values, for price filters from the columns. What
// is only sorted or bucketed is a fixed-width keyword (one term per
// document instead of the 16 of a Bleve number, and facets count terms):
// price_min, price_max, sales, created, rating_count (12 digits), rating
// (tenths of a star, 3 digits), rating_rank (ratingRank, 12 digits) and
// price_bucket (the name of the
// search.PriceBuckets bucket of the lowest price). in_stock is a boolean;
// _src is the stored document shown in results.
//
// Queries run on Bleve's searchers and top-N collector, but facets and sort
// keys are read from per-segment arrays (columns.go) instead of Bleve's
// doc values, and words the index has as such are not expanded fuzzily:
// together about a tenfold saving on broad queries over a large index.
package searchbleve

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Index is search.Index on Bleve.
type Index struct {
	bi    bleve.Index
	bulk  bool
	stale bool // built with another format: no columns
	cache *resultCache
	cols  *columns
	stop  chan struct{}
	done  chan struct{}

	mu    sync.Mutex
	attrs map[id.Category]map[string]int // category ID -> attribute name -> products
	puts  int                            // documents put since attrs was saved
	dirty bool                           // attrs has a name not saved yet
}

var _ search.Index = (*Index)(nil)

// attrsKey is where the attribute names per category are kept in the
// index's internal storage.
var attrsKey = []byte("bazaar.attrs")

// formatKey holds the version of the mapping an index was built with.
// Format changes when the fields change in a way queries depend on; an index
// of another format is stale: it is searched without the columns (Bleve's
// own matching, facets and sorts, slower but correct) until a rebuild
// replaces it (the server rebuilds stale indexes at start).
var formatKey = []byte("bazaar.format")

// format 2: price_values (every variant price with doc values, for
// filtering prices from the columns). format 3: rating_rank (sort=rating).
const format = "3"

// Open opens the index in dir, creating it if dir does not exist. bulk
// makes batches return before they are synced (for a rebuild, which is
// discarded if it does not finish).
func Open(dir string, bulk bool) (search.Index, error) {
	// Another process holding the index (a running server) makes Open fail
	// after a while instead of waiting forever.
	cfg := map[string]any{"bolt_timeout": "10s"}
	if bulk {
		cfg["unsafe_batch"] = true
	}
	bi, err := bleve.OpenUsing(dir, cfg)
	created := false
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m, merr := Mapping()
		if merr != nil {
			return nil, merr
		}
		bi, err = bleve.NewUsing(dir, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, cfg)
		created = err == nil
	}
	if err != nil {
		return nil, fmt.Errorf("open bleve index %s: %w", dir, err)
	}
	x := &Index{bi: bi, bulk: bulk, cols: newColumns(), cache: newResultCache(), attrs: make(map[id.Category]map[string]int),
		stop: make(chan struct{}), done: make(chan struct{})}
	if created {
		if err := bi.SetInternal(formatKey, []byte(format)); err != nil {
			bi.Close()
			return nil, fmt.Errorf("write format of %s: %w", dir, err)
		}
	} else if f, err := bi.GetInternal(formatKey); err != nil || string(f) != format {
		x.stale = true
	}
	if b, err := bi.GetInternal(attrsKey); err == nil && len(b) > 0 {
		if err := json.Unmarshal(b, &x.attrs); err != nil {
			bi.Close()
			return nil, fmt.Errorf("read attribute names of %s: %w", dir, err)
		}
	}
	if bulk {
		close(x.done)
	} else {
		x.warm()
		go x.warmLoop()
	}
	return x, nil
}

// warmLoop builds the columns of new segments (merges make big ones) before
// a query has to, and forgets those of merged-away segments.
func (x *Index) warmLoop() {
	defer close(x.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-x.stop:
			return
		case <-t.C:
			x.warm()
		}
	}
}

func (x *Index) warm() {
	if x.stale {
		return
	}
	adv, err := x.bi.Advanced()
	if err != nil {
		return
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return
	}
	r, err := sc.Reader()
	if err != nil {
		return
	}
	defer r.Close()
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		_, _, _ = x.cols.forSnapshot(snap)
		x.cols.forget(snap)
	}
}

const wordsAnalyzer = "bazaar_words"

// Mapping is the index mapping.
func Mapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(wordsAnalyzer, map[string]any{
		"type": custom.Name, "tokenizer": whitespace.Name, "token_filters": []string{},
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = en.AnalyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, docValues
		f.SkipFreqNorm = true
		return f
	}
	num := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store, f.IncludeInAll, f.DocValues = false, false, docValues
		return f
	}

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text(en.AnalyzerName))
	dm.AddFieldMappingsAt("text", text(en.AnalyzerName))
	dm.AddFieldMappingsAt("words", text(wordsAnalyzer))
	dm.AddFieldMappingsAt("brand", kw(true))
	dm.AddFieldMappingsAt("brand_key", kw(false))
	dm.AddFieldMappingsAt("category_ids", kw(false))
	dm.AddFieldMappingsAt("category_id", kw(true))
	dm.AddFieldMappingsAt("tie", kw(true))
	dm.AddFieldMappingsAt("seller_id", kw(false))
	dm.AddFieldMappingsAt("prices", num(false))
	dm.AddFieldMappingsAt("price_values", kw(true))
	for _, f := range []string{"price_min", "price_max", "rating", "rating_count", "rating_rank", "sales", "created", "price_bucket"} {
		dm.AddFieldMappingsAt(f, kw(true))
	}
	stock := bleve.NewBooleanFieldMapping()
	stock.Store, stock.IncludeInAll, stock.DocValues = false, false, false
	dm.AddFieldMappingsAt("in_stock", stock)
	src := bleve.NewTextFieldMapping()
	src.Index, src.Store, src.IncludeInAll, src.IncludeTermVectors, src.DocValues = false, true, false, false, false
	dm.AddFieldMappingsAt("_src", src)

	// One keyword field for every attribute, "name=value": dynamic
	// fields per name would cost a composite field and a field per name.
	dm.AddFieldMappingsAt("attrs", kw(true))

	im.DefaultMapping = dm
	return im, nil
}

// source is the stored part of a document: what results show.
type source struct {
	Slug        string      `json:"s"`
	Title       string      `json:"t"`
	Description string      `json:"d,omitempty"`
	Brand       string      `json:"b,omitempty"`
	SellerID    id.Seller   `json:"si"`
	SellerName  string      `json:"sn,omitempty"`
	CategoryID  id.Category `json:"c"`
	Path        []string    `json:"p,omitempty"`
	PriceMin    int64       `json:"pn"`
	PriceMax    int64       `json:"px"`
	Currency    string      `json:"cu"`
	Rating      float64     `json:"r,omitempty"`
	RatingCount int64       `json:"rc,omitempty"`
	Sales       int64       `json:"sa,omitempty"`
	Available   int64       `json:"a,omitempty"`
	Image       string      `json:"i,omitempty"`
	Created     int64       `json:"cr"`
}

// maxStoredDesc bounds the description kept for snippets.
const maxStoredDesc = 600

func body(d search.Doc) map[string]any {
	desc := d.Description
	if len(desc) > maxStoredDesc {
		desc = desc[:maxStoredDesc]
		for len(desc) > 0 && desc[len(desc)-1]&0xC0 == 0x80 {
			desc = desc[:len(desc)-1]
		}
		if len(desc) > 0 && desc[len(desc)-1] >= 0xC0 {
			desc = desc[:len(desc)-1]
		}
	}
	src, _ := json.Marshal(source{
		Slug: d.Slug, Title: d.Title, Description: desc, Brand: d.Brand, SellerID: d.SellerID, SellerName: d.SellerName,
		CategoryID: d.CategoryID, Path: d.CategoryPath, PriceMin: d.PriceMin, PriceMax: d.PriceMax, Currency: d.Currency,
		Rating: d.Rating, RatingCount: d.RatingCount, Sales: d.Sales, Available: d.Available, Image: d.Image,
		Created: d.CreatedAt.Unix(),
	})
	var attrText strings.Builder
	var attrs []string
	for _, k := range slices.Sorted(maps.Keys(d.Attributes)) {
		for _, v := range d.Attributes[k] {
			attrs = append(attrs, AttrTerm(k, v))
			attrText.WriteString(v)
			attrText.WriteString(". ")
		}
	}
	path := strings.Join(d.CategoryPath, ". ")
	// Typos and prefixes are matched on what names a product (not its
	// description): a smaller field, and fewer far-fetched matches.
	all := strings.Join([]string{d.Title, d.Brand, path, attrText.String(), d.SellerName}, " ")
	prices := make([]float64, len(d.Prices))
	priceValues := make([]string, len(d.Prices))
	for i, p := range d.Prices {
		prices[i] = float64(p)
		priceValues[i] = fixed(p)
	}
	m := map[string]any{
		// The category's own name counts as part of the title: a product is
		// most of all what its category says it is.
		"title": d.Title + ". " + leaf(d.CategoryPath),
		"text":  strings.Join([]string{d.Brand, path, attrText.String(), d.Description, d.SellerName}, ". "),
		"words": strings.Join(search.Tokenize(all), " "),
		"brand": d.Brand, "brand_key": strings.ToLower(d.Brand), "category_ids": d.CategoryIDs, "category_id": d.CategoryID, "seller_id": d.SellerID,
		"tie":    hex16(tieHash(d.ID)),
		"prices": prices, "price_values": priceValues, "price_min": fixed(d.PriceMin), "price_max": fixed(d.PriceMax), "price_bucket": priceBucket(d.PriceMin),
		"rating": ratingTerm(d.Rating), "rating_count": fixed(d.RatingCount), "rating_rank": fixed(ratingRank(d.Rating, d.RatingCount)),
		"sales":   fixed(d.Sales),
		"created": fixed(d.CreatedAt.Unix()), "in_stock": d.Available > 0,
		"_src": string(src),
	}
	if len(attrs) > 0 {
		m["attrs"] = attrs
	}
	if d.Brand == "" {
		delete(m, "brand")
		delete(m, "brand_key")
	}
	return m
}

// tieHash orders documents with equal sort keys, the same way in every
// segment and after every merge.
func tieHash(id id.Product) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// fixed is a non-negative number as a keyword that sorts like the number.
func fixed(n int64) string { return fmt.Sprintf("%012d", max(n, 0)) }

// ratingTerm is a rating in tenths of a star, 3 digits ("045").
func ratingTerm(r float64) string { return fmt.Sprintf("%03d", int(math.Round(min(max(r, 0), 5)*10))) }

// Top rated weighs an average by how many reviews it rests on: a product
// is ranked as if it also had ratingPriorN reviews of ratingPrior stars
// (a Bayesian average), so 4.8 stars from 40 reviews comes before 5 stars
// from one. Products without reviews come last.
const (
	ratingPrior  = 3.0
	ratingPriorN = 3.0
)

// ratingRank is the sort=rating key: the weighted average in millionths
// of a star, 0 without reviews.
func ratingRank(r float64, n int64) int64 {
	if n <= 0 {
		return 0
	}
	r = min(max(r, 0), 5)
	w := (ratingPrior*ratingPriorN + r*float64(n)) / (ratingPriorN + float64(n))
	return int64(math.Round(w * 1e6))
}

// priceBucket names the search.PriceBuckets bucket of a price.
func priceBucket(p int64) string {
	for _, b := range search.PriceBuckets {
		if (b.Min == nil || p >= *b.Min) && (b.Max == nil || p < *b.Max) {
			return b.Name
		}
	}
	return ""
}

func leaf(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return path[len(path)-1]
}

// isStop reports whether the English analyzer drops w.
func (x *Index) isStop(w string) bool {
	a := x.bi.Mapping().AnalyzerNamed(en.AnalyzerName)
	return a != nil && len(a.Analyze([]byte(w))) == 0
}

// AttrTerm is how an attribute value is indexed: "name=value", lower case.
func AttrTerm(name, value string) string {
	return name + "=" + strings.ToLower(strings.TrimSpace(value))
}

// Put implements search.Index.
func (x *Index) Put(ctx context.Context, docs []search.Doc) error {
	b := x.bi.NewBatch()
	for _, d := range docs {
		if err := b.Index(string(d.ID), body(d)); err != nil {
			return fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	x.mu.Lock()
	for _, d := range docs {
		for _, c := range d.CategoryIDs {
			m := x.attrs[c]
			if m == nil {
				m = make(map[string]int)
				x.attrs[c] = m
			}
			for k := range d.Attributes {
				if m[k] == 0 {
					x.dirty = true
				}
				m[k]++
			}
		}
	}
	x.puts += len(docs)
	if x.dirty || x.puts >= 10_000 {
		saved, _ := json.Marshal(x.attrs)
		b.SetInternal(attrsKey, saved)
		x.dirty, x.puts = false, 0
	}
	x.mu.Unlock()
	if err := x.bi.Batch(b); err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return nil
}

// Delete implements search.Index.
func (x *Index) Delete(ctx context.Context, ids []id.Product) error {
	b := x.bi.NewBatch()
	for _, id := range ids {
		b.Delete(string(id))
	}
	if err := x.bi.Batch(b); err != nil {
		return fmt.Errorf("delete batch: %w", err)
	}
	return nil
}

// Count implements search.Index.
func (x *Index) Count() (uint64, error) { return x.bi.DocCount() }

// Stale implements search.Staler: the index was built with another format
// and should be rebuilt.
func (x *Index) Stale() bool { return x.stale }

// Close implements search.Index.
func (x *Index) Close() error {
	if !x.bulk {
		close(x.stop)
	}
	<-x.done
	x.mu.Lock()
	saved, _ := json.Marshal(x.attrs)
	x.mu.Unlock()
	err := x.bi.SetInternal(attrsKey, saved)
	if x.bulk {
		err = errors.Join(err, x.flush())
	}
	return errors.Join(err, x.bi.Close())
}

// flush waits until every batch is on disk: with unsafe batches, closing
// drops what the persister has not written yet.
func (x *Index) flush() error {
	adv, err := x.bi.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		m := sc.StatsMap()
		cur, _ := m["CurRootEpoch"].(uint64)
		done, _ := m["LastPersistedEpoch"].(uint64)
		if done >= cur {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the index was not persisted in time")
}

// AttributeNames implements search.Index.
func (x *Index) AttributeNames(categoryIDs []id.Category) []string {
	x.mu.Lock()
	n := make(map[string]int)
	for _, c := range categoryIDs {
		for k, v := range x.attrs[c] {
			n[k] += v
		}
	}
	x.mu.Unlock()
	names := slices.Collect(maps.Keys(n))
	slices.SortFunc(names, func(a, b string) int {
		if n[a] != n[b] {
			return n[b] - n[a]
		}
		return strings.Compare(a, b)
	})
	return names
}

// Terms implements search.Index.
func (x *Index) Terms(field string) ([]search.TermCount, error) {
	d, err := x.bi.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("read terms of %s: %w", field, err)
	}
	defer d.Close()
	var out []search.TermCount
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("read terms of %s: %w", field, err)
		}
		if e == nil {
			return out, nil
		}
		out = append(out, search.TermCount{Term: e.Term, Count: int(e.Count)})
	}
}

// encodeAfter makes the engine cursor from a hit's sort values (which may
// be binary) and decodeAfter reads it back.
func encodeAfter(vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = hex.EncodeToString([]byte(v))
	}
	return strings.Join(parts, ".")
}

func decodeAfter(s string, n int) ([]string, error) {
	parts := strings.Split(s, ".")
	if len(parts) != n {
		return nil, errBadCursor
	}
	out := make([]string, n)
	for i, p := range parts {
		b, err := hex.DecodeString(p)
		if err != nil {
			return nil, errBadCursor
		}
		out[i] = string(b)
	}
	return out, nil
}

var errBadCursor = apperr.Invalid("validation_failed", "the request has invalid fields",
	apperr.FieldError{Field: "cursor", Message: "is not a cursor this API returned"})
