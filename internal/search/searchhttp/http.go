// Package searchhttp serves product search and suggestions over REST.
package searchhttp

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Searcher is what the handlers need; *search.Service satisfies it.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error)
}

// Handler serves the search API.
type Handler struct {
	svc Searcher
}

// New returns the search handlers.
func New(svc Searcher) *Handler { return &Handler{svc: svc} }

// Routes mounts the routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/search", h.search)
	r.Handle("GET /api/v1/search/suggest", h.suggest)
}

var searchParams = []string{"q", "category", "brand", "seller", "price_min", "price_max", "rating_min", "in_stock", "sort", "cursor", "limit"}

// search answers GET /api/v1/search?q=&category=&brand=&seller=&price_min=
// &price_max=&rating_min=&in_stock=&attr.NAME=&sort=&cursor=&limit=.
// brand and attr.NAME may repeat (any of the values). Prices are minor
// units.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.svc.Search(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, res)
	return nil
}

// ParseQuery reads a search query from URL parameters; every bad parameter
// is a field error.
func ParseQuery(v url.Values) (search.Query, error) {
	var f apperr.Fields
	q := search.Query{
		Text: v.Get("q"), Category: v.Get("category"), Brands: v["brand"], Seller: v.Get("seller"),
		Sort: search.Sort(v.Get("sort")), Cursor: v.Get("cursor"),
	}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		vals := v[name]
		if attr, ok := strings.CutPrefix(name, "attr."); ok {
			if q.Attrs == nil {
				q.Attrs = make(map[string][]string)
			}
			q.Attrs[attr] = append(q.Attrs[attr], vals...)
			continue
		}
		if !slices.Contains(searchParams, name) {
			f.Add(name, "is not a search parameter")
			continue
		}
		if len(vals) > 1 && name != "brand" {
			f.Add(name, "must be given once")
		}
	}
	q.PriceMin = intParam(&f, v, "price_min")
	q.PriceMax = intParam(&f, v, "price_max")
	if s := v.Get("rating_min"); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || r != r {
			f.Add("rating_min", "must be a number from 0 to 5")
		} else {
			q.RatingMin = &r
		}
	}
	if s := v.Get("in_stock"); s != "" {
		b, err := strconv.ParseBool(s)
		f.Check(err == nil, "in_stock", "must be true or false")
		q.InStock = b
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > page.MaxLimit {
			f.Add("limit", "must be an integer from 1 to "+strconv.Itoa(page.MaxLimit))
		} else {
			q.Limit = n
		}
	}
	if err := f.Err(); err != nil {
		return search.Query{}, err
	}
	return q, nil
}

func intParam(f *apperr.Fields, v url.Values, name string) *int64 {
	s := v.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(name, "must be an integer number of minor units (cents)")
		return nil
	}
	return &n
}

// suggest answers GET /api/v1/search/suggest?q=&limit=.
func (h *Handler) suggest(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	var f apperr.Fields
	limit := 0
	for _, name := range slices.Sorted(maps.Keys(v)) {
		f.Check(name == "q" || name == "limit", name, "is not a suggest parameter")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > search.MaxSuggestions {
			f.Add("limit", "must be an integer from 1 to "+strconv.Itoa(search.MaxSuggestions))
		}
		limit = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	out, err := h.svc.Suggest(r.Context(), v.Get("q"), limit)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, suggestions{Items: out})
	return nil
}

// suggestions is the body of GET /api/v1/search/suggest.
type suggestions struct {
	Items []search.Suggestion `json:"items"`
}
