// Package searchrpc is product search's gRPC service (bazaar.search.v1.
// SearchService): the same service calls as searchhttp, in protobuf.
package searchrpc

import (
	"context"
	"math"
	"net/http"
	"strconv"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/apperr"
	searchv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/search/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/search/v1/searchv1connect"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rpc"
	"github.com/bazaar-market/bazaar/internal/search"
)

// Server implements SearchService.
type Server struct{ svc *search.Service }

var _ searchv1connect.SearchServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *search.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return searchv1connect.NewSearchServiceHandler(s, opts...)
}

func (s *Server) Search(ctx context.Context, req *connect.Request[searchv1.SearchRequest]) (*connect.Response[searchv1.SearchResponse], error) {
	m := req.Msg
	var f apperr.Fields
	q := search.Query{Text: m.GetQ(), Category: m.GetCategory(), Brands: m.GetBrands(), Seller: m.GetSeller(),
		PriceMin: m.PriceMin, PriceMax: m.PriceMax, InStock: m.GetInStock(), Sort: search.Sort(m.GetSort()),
		Cursor: m.GetPageToken(), Limit: int(m.GetPageSize())}
	if m.RatingMin != nil {
		r := m.GetRatingMin()
		f.Check(!math.IsNaN(r), "rating_min", "must be a number from 0 to 5")
		q.RatingMin = &r
	}
	f.Check(m.GetPageSize() >= 0 && m.GetPageSize() <= page.MaxLimit, "page_size", "must be an integer from 1 to "+strconv.Itoa(page.MaxLimit))
	for name, vs := range m.GetAttributes() {
		if q.Attrs == nil {
			q.Attrs = map[string][]string{}
		}
		q.Attrs[name] = vs.GetValues()
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	res, err := s.svc.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &searchv1.SearchResponse{NextPageToken: res.NextCursor, Total: res.Total, Relaxed: res.Relaxed, Facets: &searchv1.Facets{
		Category: values(res.Facets.Category), Brand: values(res.Facets.Brand), Price: values(res.Facets.Price), Rating: values(res.Facets.Rating),
	}}
	for _, a := range res.Facets.Attributes {
		out.Facets.Attributes = append(out.Facets.Attributes, &searchv1.AttributeFacet{Name: a.Name, Values: values(a.Values)})
	}
	for _, h := range res.Items {
		out.Hits = append(out.Hits, &searchv1.Hit{Id: string(h.ID), Title: h.Title, Slug: h.Slug, Brand: h.Brand,
			SellerId: string(h.SellerID), SellerName: h.SellerName, CategoryId: string(h.CategoryID),
			Price: &searchv1.PriceRange{Min: rpc.Money(h.Price.Min), Max: rpc.Money(h.Price.Max)}, Image: h.Image,
			Rating: h.Rating, RatingCount: h.RatingCount, Availability: h.Availability})
	}
	return connect.NewResponse(out), nil
}

func values(vs []search.FacetValue) []*searchv1.FacetValue {
	out := make([]*searchv1.FacetValue, 0, len(vs))
	for _, v := range vs {
		out = append(out, &searchv1.FacetValue{Value: v.Value, Label: v.Label, Count: int32(v.Count)})
	}
	return out
}

func (s *Server) Suggest(ctx context.Context, req *connect.Request[searchv1.SuggestRequest]) (*connect.Response[searchv1.SuggestResponse], error) {
	if n := req.Msg.GetLimit(); n < 0 || n > search.MaxSuggestions {
		var f apperr.Fields
		f.Add("limit", "must be an integer from 1 to "+strconv.Itoa(search.MaxSuggestions))
		return nil, f.Err()
	}
	ss, err := s.svc.Suggest(ctx, req.Msg.GetQ(), int(req.Msg.GetLimit()))
	if err != nil {
		return nil, err
	}
	out := &searchv1.SuggestResponse{}
	for _, x := range ss {
		out.Suggestions = append(out.Suggestions, &searchv1.Suggestion{Kind: x.Kind, Text: x.Text, Value: x.Value, Id: string(x.ID)})
	}
	return connect.NewResponse(out), nil
}
