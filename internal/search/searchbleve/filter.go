package searchbleve

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/bazaar-market/bazaar/internal/search"
)

// Filters from the columns: brand, price, rating and attribute filters are
// checked against the columns as the documents of the rest of the query
// come by, instead of being clauses of the Bleve query, when
//
//   - the results are ranked by relevance: a Bleve filter clause adds to the
//     score (a brand's or a price term's rarity), so filters would change
//     the order of what they let through; and
//   - the filter's own facet is counted disjunctively (without the filter):
//     one pass over the documents counts the facets of those that pass every
//     filter and, for each filter, those that fail only it, instead of one
//     more search per filtered facet.
//
// Other filters stay in the Bleve query, where a selective one (a brand)
// skips through the postings of the others.

type filterKind uint8

const (
	fBrand filterKind = iota
	fPrice
	fRating
	fAttr
)

// colFilter is one filter read from the columns.
type colFilter struct {
	kind   filterKind
	set    []uint32 // brand or attribute ordinals that pass
	lo, hi int64    // prices, inclusive
	rating uint8    // tenths of a star
	cnt    *counter // this filter's facet over the documents failing only this filter and those passing all; nil: not counted
}

func (f *colFilter) pass(sc *segCols, i int) bool {
	switch f.kind {
	case fBrand:
		return slices.Contains(f.set, sc.brand[i])
	case fPrice:
		for _, p := range sc.prices[sc.pStart[i]:sc.pStart[i+1]] {
			if p >= f.lo && p <= f.hi {
				return true
			}
		}
		return false
	case fRating:
		return sc.rating[i] >= f.rating
	}
	for _, o := range sc.attrOrd[sc.attrStart[i]:sc.attrStart[i+1]] {
		if slices.Contains(f.set, o) {
			return true
		}
	}
	return false
}

// filterPlan splits r's filters between the Bleve query and the columns.
type filterPlan struct {
	bleve   search.Request // r without the filters read from the columns
	cols    []*colFilter
	facets  search.FacetRequest   // what the main count counts (facets counted disjunctively elsewhere left out)
	recount []search.Request      // count-only searches for disjunctive facets whose filter stayed in the Bleve query
	merge   []search.FacetRequest // what each recount contributes
}

func (x *Index) planFilters(r search.Request) filterPlan {
	p := filterPlan{bleve: r, facets: r.Facets}
	p.bleve.Attrs = maps.Clone(r.Attrs)
	ranked := !r.Plan.Empty() && r.Sort == search.SortRelevance && r.Limit > 0
	// Without text, a category or a seller, taking the filters out of the
	// Bleve query would leave every document to go through.
	driven := !r.Plan.Empty() || len(r.CategoryIDs) > 0 || r.SellerID != ""
	// place decides where one filter goes; facet is its facet alone, drop
	// removes the filter from a request and the facet from a FacetRequest.
	place := func(f *colFilter, facet search.FacetRequest, counted bool, dropFilter func(*search.Request), dropFacet func(*search.FacetRequest)) {
		disjunctive := r.Disjunctive && counted
		if ranked || disjunctive && driven {
			dropFilter(&p.bleve)
			if disjunctive {
				f.cnt = newCounter(x.cols, facet)
				dropFacet(&p.facets)
			}
			p.cols = append(p.cols, f)
			return
		}
		if disjunctive {
			rc := r
			rc.Attrs = maps.Clone(r.Attrs)
			dropFilter(&rc)
			rc.Limit, rc.After, rc.Facets, rc.Disjunctive = 0, "", facet, false
			p.recount = append(p.recount, rc)
			p.merge = append(p.merge, facet)
			dropFacet(&p.facets)
		}
	}
	if len(r.BrandKeys) > 0 {
		f := &colFilter{kind: fBrand}
		for o, s := range x.cols.brands.snapshot() {
			if o > 0 && slices.Contains(r.BrandKeys, strings.ToLower(s)) {
				f.set = append(f.set, uint32(o))
			}
		}
		place(f, search.FacetRequest{Brands: r.Facets.Brands}, r.Facets.Brands > 0,
			func(q *search.Request) { q.BrandKeys = nil }, func(fr *search.FacetRequest) { fr.Brands = 0 })
	}
	if r.PriceMin != nil || r.PriceMax != nil {
		f := &colFilter{kind: fPrice, lo: math.MinInt64, hi: math.MaxInt64}
		if r.PriceMin != nil {
			f.lo = *r.PriceMin
		}
		if r.PriceMax != nil {
			f.hi = *r.PriceMax
		}
		place(f, search.FacetRequest{Prices: r.Facets.Prices}, len(r.Facets.Prices) > 0,
			func(q *search.Request) { q.PriceMin, q.PriceMax = nil, nil }, func(fr *search.FacetRequest) { fr.Prices = nil })
	}
	if r.RatingMin != nil && *r.RatingMin > 0 {
		f := &colFilter{kind: fRating, rating: uint8(math.Round(min(*r.RatingMin, 5) * 10))}
		place(f, search.FacetRequest{Ratings: r.Facets.Ratings}, len(r.Facets.Ratings) > 0,
			func(q *search.Request) { q.RatingMin = nil }, func(fr *search.FacetRequest) { fr.Ratings = nil })
	}
	for _, name := range slices.Sorted(maps.Keys(r.Attrs)) {
		f := &colFilter{kind: fAttr}
		for _, v := range r.Attrs[name] {
			if o, ok := x.cols.attrs.lookup(AttrTerm(name, v)); ok {
				f.set = append(f.set, o)
			}
		}
		counted := slices.Contains(r.Facets.Attributes, name)
		place(f, search.FacetRequest{Attributes: []string{name}, AttrSize: r.Facets.AttrSize}, counted,
			func(q *search.Request) { delete(q.Attrs, name) },
			func(fr *search.FacetRequest) {
				fr.Attributes = slices.DeleteFunc(slices.Clone(fr.Attributes), func(a string) bool { return a == name })
			})
	}
	return p
}
