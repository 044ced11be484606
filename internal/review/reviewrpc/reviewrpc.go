// Package reviewrpc is the review module's gRPC service
// (bazaar.review.v1.ReviewService): a product's published reviews and
// writing one, through the same service calls as reviewhttp.
package reviewrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/apperr"
	reviewv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/review/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/review/v1/reviewv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// Server implements ReviewService.
type Server struct{ svc *review.Service }

var _ reviewv1connect.ReviewServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *review.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return reviewv1connect.NewReviewServiceHandler(s, opts...)
}

func (s *Server) ListReviews(ctx context.Context, req *connect.Request[reviewv1.ListReviewsRequest]) (*connect.Response[reviewv1.ListReviewsResponse], error) {
	var f apperr.Fields
	limit := page.Limit(&f, int(req.Msg.GetPageSize()))
	if err := f.Err(); err != nil {
		return nil, err
	}
	pg, err := s.svc.Reviews(ctx, id.Product(req.Msg.GetProductId()), req.Msg.GetPageToken(), limit)
	if err != nil {
		return nil, err
	}
	sum := pg.Summary
	out := &reviewv1.ListReviewsResponse{NextPageToken: pg.NextCursor, Summary: &reviewv1.Summary{ProductId: string(sum.ProductID),
		Average: sum.Average, Count: int32(sum.Count), Reviews: int32(sum.Reviews), Histogram: map[string]int32{}}}
	for k, n := range sum.Histogram {
		out.Summary.Histogram[k] = int32(n)
	}
	for _, rv := range pg.Items {
		out.Reviews = append(out.Reviews, Review(rv))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) CreateReview(ctx context.Context, req *connect.Request[reviewv1.CreateReviewRequest]) (*connect.Response[reviewv1.CreateReviewResponse], error) {
	m := req.Msg
	rv, err := s.svc.Create(ctx, id.Product(m.GetProductId()), review.Input{Rating: int(m.GetRating()), Title: m.GetTitle(), Body: m.GetBody()})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&reviewv1.CreateReviewResponse{Review: Review(rv)}), nil
}

// Review is rv in protobuf.
func Review(rv review.Review) *reviewv1.Review {
	return &reviewv1.Review{Id: string(rv.ID), ProductId: string(rv.ProductID), Author: rv.Author, Rating: int32(rv.Rating),
		Title: rv.Title, Body: rv.Body, VerifiedPurchase: rv.VerifiedPurchase, Status: string(rv.Status),
		ModerationNote: rv.ModerationNote, CreatedAt: rpc.Time(rv.CreatedAt), UpdatedAt: rpc.Time(rv.UpdatedAt)}
}
