package searchbleve

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Field boosts: where a word is found says how much it is about the product.
const (
	boostTitle  = 3.0
	boostText   = 1.0 // brand, category path, attributes, description, store
	boostExact  = 0.3 // the unstemmed word (also how stop words like "t" match)
	boostFuzzy  = 0.25
	boostPrefix = 0.4
	// A synonym counts for less than the word typed, and a phrase of n
	// words as much as one word.
	boostSynonym = 0.3
)

// facetCategories is how many categories the category facet counts; the
// catalog allows at most 5000.
const facetCategories = 5000

var sorts = map[search.Sort][]string{
	search.SortRelevance: {"-_score", "-sales", "tie"},
	search.SortPriceAsc:  {"price_min", "tie"},
	search.SortPriceDesc: {"-price_max", "tie"},
	search.SortNewest:    {"-created", "tie"},
	search.SortRating:    {"-rating_rank", "-rating_count", "tie"},
	search.SortPopular:   {"-sales", "tie"},
}

// Search implements search.Index.
func (x *Index) Search(ctx context.Context, r search.Request) (search.Response, error) {
	if resp, ok, err := x.fastSearch(ctx, r); ok {
		return resp, err
	}
	return x.bleveSearch(ctx, r)
}

// bleveSearch is Search with Bleve's own facets and sorts.
func (x *Index) bleveSearch(ctx context.Context, r search.Request) (search.Response, error) {
	v := vocab{stop: x.isStop}
	if adv, err := x.bi.Advanced(); err == nil {
		if rd, err := adv.Reader(); err == nil {
			defer rd.Close()
			if fd, ok := rd.(index.IndexReaderContains); ok {
				words, err := fd.FieldDictContains("words")
				if err != nil {
					return search.Response{}, err
				}
				v.known = func(w string) bool {
					ok, err := words.Contains([]byte(w))
					return err == nil && ok
				}
			}
		}
	}
	q := x.query(r, v)
	if r.Sort == search.SortRelevance {
		q = x.scoredQuery(r, v)
	}
	req := bleve.NewSearchRequestOptions(q, r.Limit, 0, false)
	req.Fields = []string{"_src"}
	order, ok := sorts[r.Sort]
	if !ok {
		order = sorts[search.SortRelevance]
	}
	req.SortBy(order)
	if r.Sort != search.SortRelevance || r.Plan.Empty() {
		req.Score = "none"
	}
	if r.After != "" {
		after, err := decodeAfter(r.After, len(order))
		if err != nil {
			return search.Response{}, err
		}
		req.SetSearchAfter(after)
	}
	addFacets(req, r.Facets)
	res, err := x.bi.SearchInContext(ctx, req)
	if err != nil {
		return search.Response{}, err
	}
	out := search.Response{Total: res.Total, Docs: make([]search.Doc, 0, len(res.Hits))}
	for _, h := range res.Hits {
		d, err := docOf(h)
		if err != nil {
			return search.Response{}, err
		}
		out.Docs = append(out.Docs, d)
	}
	if len(res.Hits) == r.Limit && len(res.Hits) > 0 {
		last := res.Hits[len(res.Hits)-1]
		vals := append([]string(nil), last.Sort...)
		for i, o := range order {
			if o == "-_score" || o == "_score" {
				vals[i] = strconv.FormatFloat(last.Score, 'g', -1, 64)
			}
		}
		out.After = encodeAfter(vals)
	}
	readFacets(&out, res.Facets, r.Facets)
	return out, nil
}

func docOf(h *bsearch.DocumentMatch) (search.Doc, error) {
	raw, _ := h.Fields["_src"].(string)
	var s source
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return search.Doc{}, fmt.Errorf("read stored document %s: %w", h.ID, err)
	}
	return search.Doc{
		ID: id.Product(h.ID), Slug: s.Slug, Title: s.Title, Description: s.Description, Brand: s.Brand,
		SellerID: s.SellerID, SellerName: s.SellerName, CategoryID: s.CategoryID, CategoryPath: s.Path,
		PriceMin: s.PriceMin, PriceMax: s.PriceMax, Currency: s.Currency, Rating: s.Rating, RatingCount: s.RatingCount,
		Sales: s.Sales, Available: s.Available, Image: s.Image, CreatedAt: time.Unix(s.Created, 0).UTC(),
	}, nil
}

// vocab tells the query builder about words: whether the English analyzer
// drops them (stop words like the "t" of "t-shirt") and whether the index
// has them as they are (then they are not a typo and need no fuzzy
// expansion, the costliest part of a query over a large index).
type vocab struct {
	stop  func(w string) bool
	known func(w string) bool // nil: treat every word as a possible typo
}

// query builds the Bleve query: every clause of the plan (or all but one
// when relaxed) and every filter.
func (x *Index) query(r search.Request, v vocab) query.Query {
	return all(append(textQueries(r, v), filters(r)...))
}

// textQueries are the queries of r's text: one per clause of the plan, or
// one matching all but one clause when relaxed; none for an empty plan.
func textQueries(r search.Request, v vocab) []query.Query {
	if r.Plan.Empty() {
		return nil
	}
	clauses := make([]query.Query, len(r.Plan.Clauses))
	for i, c := range r.Plan.Clauses {
		clauses[i] = clauseQuery(c, v)
	}
	if r.Relax && len(clauses) > 1 {
		d := bleve.NewDisjunctionQuery(clauses...)
		d.SetMin(float64(len(clauses) - 1))
		return []query.Query{d}
	}
	return clauses
}

// scoredQuery is query for a ranked search: the filters say what matches
// but not how well (their terms would otherwise weigh in every score: a
// rare category would lift all of its products), as the query tree
// (tree.go) scores text alone.
func (x *Index) scoredQuery(r search.Request, v vocab) query.Query {
	text, fs := textQueries(r, v), filters(r)
	if len(text) == 0 || len(fs) == 0 {
		return all(append(text, fs...))
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(text...)
	b.AddFilter(all(fs))
	return b
}

// all matches what every query of must matches (everything when none).
func all(must []query.Query) query.Query {
	switch len(must) {
	case 0:
		return bleve.NewMatchAllQuery()
	case 1:
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

func clauseQuery(c search.Clause, v vocab) query.Query {
	alts := make([]query.Query, 0, len(c.Alternatives))
	for ai, a := range c.Alternatives {
		boost := 1.0
		if ai > 0 {
			boost = boostSynonym
		}
		terms := make([]query.Query, len(a))
		for i, t := range a {
			terms[i] = termQuery(t, boost/float64(len(a)), v)
		}
		if len(terms) == 1 {
			alts = append(alts, terms[0])
		} else {
			alts = append(alts, bleve.NewConjunctionQuery(terms...))
		}
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// termQuery matches one word: stemmed in the text fields (with boosts), or
// exactly in the unstemmed words when it is a stop word; when it is not a
// word of the index, within its typo allowance (adjacent transpositions as
// one edit); and as a prefix of unstemmed words.
func termQuery(t search.Term, weight float64, v vocab) query.Query {
	var qs []query.Query
	match := func(field string, boost float64) {
		m := bleve.NewMatchQuery(t.Word)
		m.SetField(field)
		m.SetBoost(boost * weight)
		qs = append(qs, m)
	}
	if v.stop != nil && v.stop(t.Word) {
		exact := bleve.NewTermQuery(t.Word)
		exact.SetField("words")
		exact.SetBoost(boostExact * weight)
		qs = append(qs, exact)
	} else {
		match("title", boostTitle)
		match("text", boostText)
	}
	if t.Fuzziness > 0 && (v.known == nil || !v.known(t.Word)) {
		f := bleve.NewFuzzyQuery(t.Word)
		f.SetField("words")
		f.SetFuzziness(t.Fuzziness)
		f.SetBoost(boostFuzzy * weight)
		qs = append(qs, f)
		for _, v := range transpositions(t.Word) {
			tq := bleve.NewTermQuery(v)
			tq.SetField("words")
			tq.SetBoost(boostFuzzy * weight)
			qs = append(qs, tq)
		}
	}
	// As-you-type: the last word may be unfinished, unless the index has it
	// as such (then its prefix would mostly find the same products again).
	if t.Prefix && (v.known == nil || !v.known(t.Word)) {
		p := bleve.NewPrefixQuery(t.Word)
		p.SetField("words")
		p.SetBoost(boostPrefix * weight)
		qs = append(qs, p)
	}
	// Bleve applies boosts at the leaves only, so weight is multiplied in
	// above.
	return bleve.NewDisjunctionQuery(qs...)
}

// transpositions returns w with each pair of adjacent, different letters
// swapped: the commonest typo, which Levenshtein distance counts as two
// edits.
func transpositions(w string) []string {
	r := []rune(w)
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if r[i] == r[i+1] {
			continue
		}
		r[i], r[i+1] = r[i+1], r[i]
		out = append(out, string(r))
		r[i], r[i+1] = r[i+1], r[i]
	}
	return out
}

func filters(r search.Request) []query.Query {
	var fs []query.Query
	term := func(field, v string) query.Query {
		t := bleve.NewTermQuery(v)
		t.SetField(field)
		return t
	}
	anyOf := func(field string, vals []string) query.Query {
		if len(vals) == 1 {
			return term(field, vals[0])
		}
		qs := make([]query.Query, len(vals))
		for i, v := range vals {
			qs[i] = term(field, v)
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	if len(r.CategoryIDs) > 0 {
		fs = append(fs, anyOf("category_ids", id.Strings(r.CategoryIDs)))
	}
	if len(r.BrandKeys) > 0 {
		fs = append(fs, anyOf("brand_key", r.BrandKeys))
	}
	if r.SellerID != "" {
		fs = append(fs, term("seller_id", string(r.SellerID)))
	}
	if r.PriceMin != nil || r.PriceMax != nil {
		var lo, hi *float64
		if r.PriceMin != nil {
			v := float64(*r.PriceMin)
			lo = &v
		}
		if r.PriceMax != nil {
			v := float64(*r.PriceMax)
			hi = &v
		}
		t := true
		q := bleve.NewNumericRangeInclusiveQuery(lo, hi, &t, &t)
		q.SetField("prices")
		fs = append(fs, q)
	}
	if r.RatingMin != nil && *r.RatingMin > 0 {
		lo, t := ratingTerm(*r.RatingMin), true
		q := bleve.NewTermRangeInclusiveQuery(lo, "", &t, &t)
		q.SetField("rating")
		fs = append(fs, q)
	}
	if r.InStock {
		q := bleve.NewBoolFieldQuery(true)
		q.SetField("in_stock")
		fs = append(fs, q)
	}
	for name, vals := range r.Attrs {
		terms := make([]string, len(vals))
		for i, v := range vals {
			terms[i] = AttrTerm(name, v)
		}
		fs = append(fs, anyOf("attrs", terms))
	}
	return fs
}

func addFacets(req *bleve.SearchRequest, f search.FacetRequest) {
	if f.Categories {
		req.AddFacet("category", bleve.NewFacetRequest("category_id", facetCategories))
	}
	if f.Brands > 0 {
		req.AddFacet("brand", bleve.NewFacetRequest("brand", f.Brands))
	}
	// Prices and ratings are counted per term (a few dozen at most) and
	// added up into buckets afterwards: cheaper than numeric ranges.
	if len(f.Prices) > 0 {
		req.AddFacet("price", bleve.NewFacetRequest("price_bucket", len(search.PriceBuckets)+1))
	}
	if len(f.Ratings) > 0 {
		req.AddFacet("rating", bleve.NewFacetRequest("rating", 51))
	}
	for _, a := range f.Attributes {
		fr := bleve.NewFacetRequest("attrs", max(f.AttrSize, 1))
		fr.SetPrefixFilter(a + "=")
		req.AddFacet("attr."+a, fr)
	}
}

func readFacets(out *search.Response, fr bsearch.FacetResults, want search.FacetRequest) {
	if f := fr["category"]; f != nil && f.Terms != nil {
		out.Categories = make(map[string]int)
		for _, t := range f.Terms.Terms() {
			out.Categories[t.Term] = t.Count
		}
	}
	if f := fr["brand"]; f != nil && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			out.Brands = append(out.Brands, search.TermCount{Term: t.Term, Count: t.Count})
		}
	}
	if f := fr["price"]; f != nil && f.Terms != nil {
		out.Prices = make(map[string]int)
		for _, t := range f.Terms.Terms() {
			out.Prices[t.Term] = t.Count
		}
	}
	if f := fr["rating"]; f != nil && f.Terms != nil {
		out.Ratings = make(map[float64]int)
		for _, t := range f.Terms.Terms() {
			for _, floor := range want.Ratings {
				if floor > 0 && t.Term >= ratingTerm(floor) {
					out.Ratings[floor] += t.Count
				}
			}
		}
	}
	for _, a := range want.Attributes {
		f := fr["attr."+a]
		if f == nil || f.Terms == nil {
			continue
		}
		if out.Attributes == nil {
			out.Attributes = make(map[string][]search.TermCount)
		}
		for _, t := range f.Terms.Terms() {
			out.Attributes[a] = append(out.Attributes[a], search.TermCount{Term: strings.TrimPrefix(t.Term, a+"="), Count: t.Count})
		}
	}
}
