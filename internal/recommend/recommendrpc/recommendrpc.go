// Package recommendrpc is the recommendation module's gRPC service
// (bazaar.recommend.v1.RecommendService): the lists recommendhttp answers,
// through the same service calls and the same input rules.
package recommendrpc

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	recommendv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/recommend/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/recommend/v1/recommendv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// Server implements RecommendService.
type Server struct{ svc *recommend.Service }

var _ recommendv1connect.RecommendServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *recommend.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return recommendv1connect.NewRecommendServiceHandler(s, opts...)
}

// sessionRE is what a guest session may be, as REST takes it.
var sessionRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func check(f *apperr.Fields, kind string, kinds []string, limit int32, session string) {
	f.Check(slices.Contains(kinds, kind), "kind", "must be one of "+strings.Join(kinds, ", "))
	f.Check(limit >= 0 && limit <= recommend.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(recommend.MaxLimit))
	f.Check(session == "" || sessionRE.MatchString(session), "session", "must be 8 to 64 letters, digits, - or _")
}

func (s *Server) ProductRecommendations(ctx context.Context, req *connect.Request[recommendv1.ProductRecommendationsRequest]) (*connect.Response[recommendv1.ProductRecommendationsResponse], error) {
	m := req.Msg
	var f apperr.Fields
	check(&f, m.GetKind(), recommend.ProductKinds, m.GetLimit(), m.GetSession())
	if err := f.Err(); err != nil {
		return nil, err
	}
	q := recommend.ProductQuery{Product: m.GetProductId(), Kind: m.GetKind(), Limit: int(m.GetLimit()), Session: m.GetSession()}
	if p, ok := auth.From(ctx); ok {
		q.User = p.UserID
	}
	l, err := s.svc.ForProduct(ctx, q)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&recommendv1.ProductRecommendationsResponse{Kind: l.Kind, Items: items(l)}), nil
}

func (s *Server) Recommendations(ctx context.Context, req *connect.Request[recommendv1.RecommendationsRequest]) (*connect.Response[recommendv1.RecommendationsResponse], error) {
	m := req.Msg
	var f apperr.Fields
	check(&f, m.GetKind(), recommend.ShopperKinds, m.GetLimit(), m.GetSession())
	q := recommend.ShopperQuery{Kind: m.GetKind(), Limit: int(m.GetLimit()), Session: m.GetSession(), Category: m.GetCategory()}
	for _, p := range m.GetProductIds() {
		if p = strings.TrimSpace(p); p != "" {
			q.Products = append(q.Products, id.Product(p))
		}
	}
	f.Check(len(q.Products) <= recommend.MaxCart, "product_ids", "at most "+strconv.Itoa(recommend.MaxCart)+" products")
	f.Check(q.Kind != recommend.Cart || len(q.Products) > 0, "product_ids", "is required for the cart list")
	if err := f.Err(); err != nil {
		return nil, err
	}
	if p, ok := auth.From(ctx); ok {
		q.User = p.UserID
	}
	l, err := s.svc.ForShopper(ctx, q)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&recommendv1.RecommendationsResponse{Kind: l.Kind, Items: items(l)}), nil
}

func items(l recommend.List) []*recommendv1.Item {
	out := make([]*recommendv1.Item, 0, len(l.Items))
	for _, it := range l.Items {
		out = append(out, &recommendv1.Item{ProductId: string(it.ProductID), Slug: it.Slug, Title: it.Title, Brand: it.Brand,
			Image: it.Image, PriceMin: rpc.Money(it.PriceMin), PriceMax: rpc.Money(it.PriceMax), SellerId: string(it.SellerID),
			CategoryId: string(it.CategoryID), Score: it.Score, Reason: &recommendv1.Reason{Code: it.Reason.Code, Text: it.Reason.Text,
				ProductId: string(it.Reason.ProductID), CategoryId: string(it.Reason.CategoryID)}})
	}
	return out
}
