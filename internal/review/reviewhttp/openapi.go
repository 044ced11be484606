package reviewhttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"review"}
	product := rest.Param{Name: "id", In: "path", Description: "product ID (prd_...)"}
	id := rest.Param{Name: "id", In: "path", Description: "review ID (rev_...)"}
	ops := []rest.Op{
		{
			ID: "productReviews", Method: "GET", Path: "/api/v1/product/{id}/review", Tags: tags, Auth: rest.AuthNone,
			Summary: "A product's published reviews, newest first, with its rating summary",
			Description: "summary has the number of ratings (published reviews and ratings loaded without text, e.g. by a " +
				"synthetic catalog), their average (0 without any), how many gave each number of stars, and how many are " +
				"written reviews (what this list pages through). An unknown product is 404.",
			Params: append([]rest.Param{product}, rest.PageParams()...), Response: review.Page{}, Errors: []int{400, 404},
		},
		{
			ID: "myProductReview", Method: "GET", Path: "/api/v1/product/{id}/review/mine", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "The caller's own review of a product",
			Description: "Whatever its status (a hidden review carries the moderator's note). 404 if the caller has not reviewed it.",
			Params:      []rest.Param{product}, Response: review.Review{}, Errors: []int{404},
		},
		{
			ID: "createReview", Method: "POST", Path: "/api/v1/product/{id}/review", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer},
			Summary: "Review a product delivered to the caller",
			Description: "rating is 1 to 5 stars; title (up to 120 characters) and body (up to 5000) are optional. Only a " +
				"customer with a delivered seller order holding the product may review it (403 not_purchased), once " +
				"(409 already_reviewed: edit that review instead). The product's rating in search follows within a second.",
			Params: []rest.Param{product}, Request: review.Input{}, Response: review.Review{}, Status: 201, Errors: []int{400, 403, 404, 409},
		},
		{
			ID: "moderationQueue", Method: "GET", Path: "/api/v1/review", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Admin, auth.Support},
			Summary: "Every review, newest first, for moderators",
			Description: "With the product's title and slug and the author's account ID; only of one status (published or " +
				"hidden) and of one product when asked.",
			Params: append([]rest.Param{
				{Name: "status", Description: "only reviews with this status", Enum: []string{string(review.Published), string(review.Hidden)}},
				{Name: "product", Description: "only reviews of this product (prd_...)"},
			}, rest.PageParams()...),
			Response: page.Page[review.Moderated]{}, Errors: []int{400},
		},
		{
			ID: "review", Method: "GET", Path: "/api/v1/review/{id}", Tags: tags, Auth: rest.AuthOptional,
			Summary:     "One review",
			Description: "A hidden review is 404 except to its author and staff.",
			Params:      []rest.Param{id}, Response: review.Review{}, Errors: []int{404},
		},
		{
			ID: "updateReview", Method: "PUT", Path: "/api/v1/review/{id}", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "Edit the caller's own review",
			Description: "The same fields as when it was written. Another's review is 404. A review hidden by moderation stays hidden.",
			Params:      []rest.Param{id}, Request: review.Input{}, Response: review.Review{}, Errors: []int{400, 404},
		},
		{
			ID: "deleteReview", Method: "DELETE", Path: "/api/v1/review/{id}", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "Delete a review",
			Description: "For its author, support and admins; 404 for anyone else.",
			Params:      []rest.Param{id}, Errors: []int{404},
		},
		{
			ID: "moderateReview", Method: "PUT", Path: "/api/v1/review/{id}/moderate", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Admin, auth.Support},
			Summary: "Hide a review or show it again",
			Description: "status is hidden or published; reason (up to 500 characters) is shown to the author. A hidden " +
				"review counts in no rating.",
			Params: []rest.Param{id}, Request: review.ModerationInput{}, Response: review.Review{}, Errors: []int{400, 404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are what review's Input.clean enforces.
func constraints() []rest.Constraint {
	var out []rest.Constraint
	for _, v := range []any{review.Input{}, review.Review{}} {
		out = append(out,
			rest.Constraint{Of: v, Field: "rating", Min: new(int64(1)), Max: new(int64(5))},
			rest.Constraint{Of: v, Field: "title", MaxLength: review.MaxTitle},
			rest.Constraint{Of: v, Field: "body", MaxLength: review.MaxBody})
	}
	return append(out, rest.Constraint{Of: review.Page{}, Field: "items", MaxItems: page.MaxLimit})
}
