package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// Limits on a query.
const (
	MaxTextLen    = 200
	MaxBrands     = 20
	MaxAttrs      = 10
	MaxAttrValues = 20
	maxAttrFacets = 8
	brandFacet    = 20
	attrFacet     = 15
)

// PriceBuckets are the price facet's ranges (minor units, on the lowest
// variant price).
var PriceBuckets = []Bucket{
	bucket(0, 1000), bucket(1000, 2500), bucket(2500, 5000), bucket(5000, 10000),
	bucket(10000, 25000), bucket(25000, 50000), bucket(50000, 100000), bucket(100000, -1),
}

func bucket(lo, hi int64) Bucket {
	b := Bucket{Min: &lo}
	b.Name = strconv.FormatInt(lo, 10) + "-"
	if hi >= 0 {
		b.Max = &hi
		b.Name += strconv.FormatInt(hi, 10)
	}
	return b
}

// RatingFloors are the rating facet's values: "at least N stars".
var RatingFloors = []float64{4, 3, 2, 1}

// cursor is the opaque cursor clients get: the engine's position, with the
// sort and relaxation it belongs to.
type cursor struct {
	Sort  Sort   `json:"s"`
	After string `json:"a"`
	Relax bool   `json:"r,omitempty"`
}

// Search finds active products. Anyone may search. Invalid parameters are a
// validation error naming each field.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	req, err := s.request(ctx, q)
	if err != nil {
		return Result{}, err
	}
	h, err := s.acquire()
	if err != nil {
		return Result{}, err
	}
	defer h.busy.Done()
	if q.Cursor == "" {
		req.Facets.Attributes = s.attrFacets(h.idx, req)
		req.Disjunctive = true
	} else {
		// Later pages have the first page's facets: not counting them again
		// makes deep pages much cheaper.
		req.Facets = FacetRequest{}
	}
	resp, err := h.idx.Search(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	// Less than a page matched every word: add what matches all but one
	// (those matching every word score higher and come first).
	if resp.Total < uint64(req.Limit) && !req.Relax && q.Cursor == "" && len(req.Plan.Clauses) > 1 {
		relaxed := req
		relaxed.Relax = true
		more, err := h.idx.Search(ctx, relaxed)
		if err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		if more.Total > resp.Total {
			req, resp = relaxed, more
		}
	}
	// Still nothing: allow one more typo per word.
	if resp.Total == 0 && q.Cursor == "" && !req.Plan.Empty() {
		lenient := req
		lenient.Plan = AnalyzeLenient(q.Text, s.opts.Synonyms)
		lenient.Relax = len(lenient.Plan.Clauses) > 1
		if resp, err = h.idx.Search(ctx, lenient); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		req = lenient
	}
	if q.Text != "" {
		s.queries.add(q.Text, resp.Total)
	}
	if q.Cursor == "" && !resp.Disjunctive {
		if err := disjunctiveFacets(ctx, h.idx, req, &resp); err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
	}
	return s.result(ctx, req, resp, cmp.Or(q.Sort, SortRelevance))
}

// disjunctiveFacets recounts every facet whose own filter is set without
// that filter (for engines that did not: Response.Disjunctive), as shops count them: a shopper who picked one brand (or
// colour, or price range) still sees the other values and how many
// products each would show, all other filters applied. One more count per
// such facet, on the first page only.
func disjunctiveFacets(ctx context.Context, idx Index, req Request, resp *Response) error {
	count := func(edit func(r *Request), f FacetRequest) (Response, error) {
		r := req
		r.Limit, r.After, r.Facets = 0, "", f // counts only
		r.Attrs = maps.Clone(req.Attrs)
		edit(&r)
		return idx.Search(ctx, r)
	}
	if len(req.BrandKeys) > 0 && req.Facets.Brands > 0 {
		other, err := count(func(r *Request) { r.BrandKeys = nil }, FacetRequest{Brands: req.Facets.Brands})
		if err != nil {
			return err
		}
		resp.Brands = other.Brands
	}
	if (req.PriceMin != nil || req.PriceMax != nil) && len(req.Facets.Prices) > 0 {
		other, err := count(func(r *Request) { r.PriceMin, r.PriceMax = nil, nil }, FacetRequest{Prices: req.Facets.Prices})
		if err != nil {
			return err
		}
		resp.Prices = other.Prices
	}
	if req.RatingMin != nil && len(req.Facets.Ratings) > 0 {
		other, err := count(func(r *Request) { r.RatingMin = nil }, FacetRequest{Ratings: req.Facets.Ratings})
		if err != nil {
			return err
		}
		resp.Ratings = other.Ratings
	}
	for _, name := range slices.Sorted(maps.Keys(req.Attrs)) {
		if !slices.Contains(req.Facets.Attributes, name) {
			continue
		}
		other, err := count(func(r *Request) { delete(r.Attrs, name) }, FacetRequest{Attributes: []string{name}, AttrSize: req.Facets.AttrSize})
		if err != nil {
			return err
		}
		if resp.Attributes == nil {
			resp.Attributes = map[string][]TermCount{}
		}
		resp.Attributes[name] = other.Attributes[name]
	}
	return nil
}

// attrFacets returns the attribute names to count: those of the selected
// category.
func (s *Service) attrFacets(idx Index, req Request) []string {
	if len(req.CategoryIDs) == 0 {
		return nil
	}
	names := idx.AttributeNames(req.CategoryIDs)
	return names[:min(len(names), maxAttrFacets)]
}

// request validates q and turns it into an engine request.
func (s *Service) request(ctx context.Context, q Query) (Request, error) {
	var f apperr.Fields
	text := strings.TrimSpace(q.Text)
	f.Check(utf8.RuneCountInString(text) <= MaxTextLen, "q", fmt.Sprintf("must be at most %d characters", MaxTextLen))
	f.Check(utf8.ValidString(q.Text), "q", "must be valid UTF-8")
	r := Request{Sort: q.Sort, Limit: q.Limit, SellerID: id.Seller(strings.TrimSpace(q.Seller)), InStock: q.InStock,
		PriceMin: q.PriceMin, PriceMax: q.PriceMax, RatingMin: q.RatingMin}
	if r.Sort == "" {
		r.Sort = SortRelevance
	}
	f.Check(r.Sort.Valid(), "sort", "must be one of relevance, price_asc, price_desc, newest, rating, popular")
	r.Limit = page.Limit(&f, r.Limit)
	if q.PriceMin != nil {
		f.Check(*q.PriceMin >= 0, "price_min", "must not be negative")
	}
	if q.PriceMax != nil {
		f.Check(*q.PriceMax >= 0, "price_max", "must not be negative")
	}
	if q.PriceMin != nil && q.PriceMax != nil {
		f.Check(*q.PriceMin <= *q.PriceMax, "price_max", "must not be below price_min")
	}
	if q.RatingMin != nil {
		f.Check(*q.RatingMin >= 0 && *q.RatingMin <= 5, "rating_min", "must be a number from 0 to 5")
	}
	f.Check(len(q.Brands) <= MaxBrands, "brand", fmt.Sprintf("may be given at most %d times", MaxBrands))
	for _, b := range q.Brands {
		if k := catalog.BrandKey(b); k != "" && !slices.Contains(r.BrandKeys, k) {
			r.BrandKeys = append(r.BrandKeys, k)
		}
	}
	f.Check(len(q.Attrs) <= MaxAttrs, "attr", fmt.Sprintf("at most %d attributes may be filtered", MaxAttrs))
	for _, name := range slices.Sorted(maps.Keys(q.Attrs)) {
		k := AttrName(name)
		if k == "" || utf8.RuneCountInString(k) > 64 {
			f.Add("attr."+name, "is not an attribute name")
			continue
		}
		vals := q.Attrs[name]
		f.Check(len(vals) <= MaxAttrValues, "attr."+name, fmt.Sprintf("may be given at most %d times", MaxAttrValues))
		for _, v := range vals {
			if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
				if r.Attrs == nil {
					r.Attrs = make(map[string][]string)
				}
				r.Attrs[k] = append(r.Attrs[k], v)
			}
		}
	}
	if q.Cursor != "" {
		var c cursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil || c.Sort != r.Sort || c.After == "" {
			f.Add("cursor", "is not a cursor this API returned for this sort")
		} else {
			r.After, r.Relax = c.After, c.Relax
		}
	}
	if q.Category != "" {
		t, err := s.docs.Tree(ctx)
		if err != nil {
			return Request{}, err
		}
		c, ok := t.Get(strings.TrimSpace(q.Category))
		if !ok {
			s.docs.forgetTree() // it may be new
			if t, err = s.docs.Tree(ctx); err != nil {
				return Request{}, err
			}
			c, ok = t.Get(strings.TrimSpace(q.Category))
		}
		if ok {
			r.CategoryIDs = []id.Category{c.ID}
		} else {
			f.Add("category", "no such category")
		}
	}
	if err := f.Err(); err != nil {
		return Request{}, err
	}
	r.Plan = Analyze(q.Text, s.opts.Synonyms)
	r.Facets = FacetRequest{Categories: true, Brands: brandFacet, Prices: PriceBuckets, Ratings: RatingFloors, AttrSize: attrFacet}
	if r.Plan.Empty() && r.Sort == SortRelevance {
		r.Sort = SortPopular // browsing: best sellers first
	}
	return r, nil
}

// result turns an engine response into the API's shape.
func (s *Service) result(ctx context.Context, req Request, resp Response, asked Sort) (Result, error) {
	out := Result{Items: make([]Hit, 0, len(resp.Docs)), Total: resp.Total, Relaxed: req.Relax}
	words := req.Plan.Words()
	for _, d := range resp.Docs {
		h := Hit{
			ID: d.ID, Title: d.Title, Slug: d.Slug, Brand: d.Brand, SellerID: d.SellerID, SellerName: d.SellerName,
			CategoryID: d.CategoryID, Image: d.Image, Rating: d.Rating, RatingCount: d.RatingCount,
			Price:        PriceRange{Min: money.New(d.PriceMin, d.Currency), Max: money.New(d.PriceMax, d.Currency)},
			Availability: OutOfStock, Available: d.Available,
		}
		if d.Available > 0 {
			h.Availability = InStock
		}
		if len(words) > 0 {
			title, ok1 := Highlight(d.Title, words, 0)
			desc, ok2 := Highlight(d.Description, words, snippetLen)
			if ok1 || ok2 {
				h.Highlights = &Highlights{Title: title, Description: desc}
			}
		}
		out.Items = append(out.Items, h)
	}
	if resp.After != "" {
		out.NextCursor = page.EncodeCursor(cursor{Sort: asked, After: resp.After, Relax: req.Relax})
	}
	f, err := s.facets(ctx, req, resp)
	if err != nil {
		return Result{}, err
	}
	out.Facets = f
	return out, nil
}

func (s *Service) facets(ctx context.Context, req Request, resp Response) (Facets, error) {
	f := Facets{Category: []FacetValue{}, Brand: []FacetValue{}, Price: []FacetValue{}, Rating: []FacetValue{}, Attributes: []AttributeFacet{}}
	t, err := s.docs.Tree(ctx)
	if err != nil {
		return Facets{}, err
	}
	var parent id.Category
	if len(req.CategoryIDs) == 1 {
		parent = req.CategoryIDs[0]
	}
	// Counts per product category, added up the tree.
	counts := make(map[id.Category]int, len(resp.Categories))
	for cid, n := range resp.Categories {
		anc := t.Ancestors(id.Category(cid))
		if len(anc) == 0 {
			anc = []id.Category{id.Category(cid)}
		}
		for _, a := range anc {
			counts[a] += n
		}
	}
	for _, c := range t.List() {
		isChild := parent == "" && c.ParentID == nil || c.ParentID != nil && *c.ParentID == parent
		if n := counts[c.ID]; isChild && n > 0 {
			f.Category = append(f.Category, FacetValue{Value: string(c.ID), Label: c.Name, Count: n})
		}
	}
	slices.SortStableFunc(f.Category, func(a, b FacetValue) int { return cmp.Compare(b.Count, a.Count) })
	for _, b := range resp.Brands {
		f.Brand = append(f.Brand, FacetValue{Value: b.Term, Label: b.Term, Count: b.Count})
	}
	for _, b := range PriceBuckets {
		if n := resp.Prices[b.Name]; n > 0 {
			f.Price = append(f.Price, FacetValue{Value: b.Name, Label: priceLabel(b), Count: n})
		}
	}
	for _, r := range RatingFloors {
		if n := resp.Ratings[r]; n > 0 {
			f.Rating = append(f.Rating, FacetValue{Value: strconv.FormatFloat(r, 'f', -1, 64), Label: starsAndUp(r), Count: n})
		}
	}
	for _, name := range req.Facets.Attributes {
		vals := resp.Attributes[name]
		if len(vals) == 0 {
			continue
		}
		af := AttributeFacet{Name: name}
		for _, v := range vals {
			af.Values = append(af.Values, FacetValue{Value: v.Term, Label: v.Term, Count: v.Count})
		}
		f.Attributes = append(f.Attributes, af)
	}
	return f, nil
}

func priceLabel(b Bucket) string {
	major := func(v int64) string { return strconv.FormatInt(v/100, 10) }
	switch {
	case b.Max == nil:
		return major(*b.Min) + " and over"
	case *b.Min == 0:
		return "under " + major(*b.Max)
	}
	return major(*b.Min) + " to " + major(*b.Max)
}

// starsAndUp labels a rating floor: "4 stars & up", "1 star & up".
func starsAndUp(r float64) string {
	if r == 1 {
		return "1 star & up"
	}
	return fmt.Sprintf("%g stars & up", r)
}
