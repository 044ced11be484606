package searchhttp

import (
	"github.com/bazaar-market/bazaar/internal/catalog"
	"strings"

	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"search"}
	sorts := make([]string, len(search.Sorts))
	for i, s := range search.Sorts {
		sorts[i] = string(s)
	}
	limit := func(max int64) rest.Param {
		return rest.Param{Name: "limit", Type: "integer", Min: new(int64(1)), Max: new(max), Description: "how many to return"}
	}
	ops := []rest.Op{
		{
			ID: "search", Method: "GET", Path: "/api/v1/search", Tags: tags, Auth: rest.AuthNone,
			Summary: "Search active products, with facets",
			Description: "Every word (or a synonym) must match title, brand, category path, attributes, description or store name, " +
				"stemmed; words of 5+ letters may be one typo off, 9+ two; the last word also matches as a prefix. When less than a page " +
				"matches every word, products matching all but one follow (relaxed). An empty q browses, best sellers first. Facets count " +
				"the matching products per category (children of the selected one, or the roots), brand, price bucket, rating and the " +
				"selected category's attributes, on the first page only. Unknown parameters are 400.",
			Params: []rest.Param{
				{Name: "q", MaxLength: search.MaxTextLen, Description: "free text"},
				{Name: "category", Description: "a category ID or slug; includes its sub-categories"},
				{Name: "brand", Description: "a brand (any case); repeat for any of several"},
				{Name: "seller", Description: "a seller ID"},
				{Name: "price_min", Type: "integer", Format: "int64", Min: new(int64(0)), Description: "some variant costs at least this, in minor units"},
				{Name: "price_max", Type: "integer", Format: "int64", Min: new(int64(0)), Description: "some variant costs at most this, in minor units"},
				{Name: "rating_min", Description: "average rating at least this, 0 to 5"},
				{Name: "in_stock", Type: "boolean", Description: "only products with units available"},
				{Name: "attr.color", Description: "an attribute filter: attr.NAME=VALUE for any attribute name (any case); repeat for any of several values"},
				{Name: "sort", Enum: sorts, Default: string(search.SortRelevance), Description: "relevance (best sellers first when browsing), " + strings.Join(sorts[1:], ", ") +
					"; rating ranks the average as if it also had three 3-star reviews (4.8 from 40 reviews before 5 from one), products without reviews last"},
				{Name: "cursor", Description: "next_cursor of the previous page (same sort)"},
				limit(page.MaxLimit),
			},
			Response: search.Result{},
		},
		{
			ID: "suggest", Method: "GET", Path: "/api/v1/search/suggest", Tags: tags, Auth: rest.AuthNone,
			Summary: "Completions of what a shopper is typing",
			Description: "Past queries, categories, brands and best-selling products with a word starting with q (several words in a row " +
				"too); a word one typo off a known word is corrected. Answered from memory, fast enough for every keystroke.",
			Params:   []rest.Param{{Name: "q", MaxLength: search.MaxSuggestLen, Description: "what has been typed"}, limit(search.MaxSuggestions)},
			Response: suggestions{},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are the sizes search's queries and answers keep to.
func constraints() []rest.Constraint {
	return []rest.Constraint{
		{Of: search.Result{}, Field: "items", MaxItems: page.MaxLimit},
		{Of: search.Facets{}, Field: "category", MaxItems: catalog.MaxCategories},
		{Of: search.Facets{}, Field: "brand", MaxItems: 20}, // query.go's brandFacet
		{Of: search.Facets{}, Field: "price", MaxItems: len(search.PriceBuckets)},
		{Of: search.Facets{}, Field: "rating", MaxItems: len(search.RatingFloors)},
		{Of: search.Facets{}, Field: "attributes", MaxItems: 8},      // query.go's maxAttrFacets
		{Of: search.AttributeFacet{}, Field: "values", MaxItems: 15}, // query.go's attrFacet
		{Of: search.AttributeFacet{}, Field: "name", MaxLength: 64},
		{Of: suggestions{}, Field: "items", MaxItems: search.MaxSuggestions},
	}
}
