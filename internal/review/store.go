package review

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps reviews and the products' aggregates. Every method that
// changes a review recomputes the product's aggregate from its published
// reviews and publishes TopicRated with it, in the same transaction.
type Store interface {
	// Create stores a new review; Conflict "already_reviewed" if the
	// customer has reviewed the product.
	Create(ctx context.Context, r Review) (Review, error)
	// Update applies fn to review id and stores the result; NotFound if
	// there is no such review. fn's error is returned unchanged. A review
	// fn hides (from any other status) also publishes TopicHidden.
	Update(ctx context.Context, id id.Review, fn func(r *Review) error) (Review, error)
	// Delete removes review id after fn approves it; NotFound if none.
	Delete(ctx context.Context, id id.Review, fn func(r Review) error) error
	// Review returns review id, whatever its status; NotFound if none.
	Review(ctx context.Context, id id.Review) (Review, error)
	// ReviewBy returns the customer's review of the product; NotFound if none.
	ReviewBy(ctx context.Context, productID id.Product, customerID id.User) (Review, error)
	// List lists reviews of any product and status newest first, only of
	// f's status and product when set, after the cursor when given.
	List(ctx context.Context, f Filter, after *Cursor, limit int) ([]Review, error)
	// Summary returns a product's aggregate (zero counts if it has no review).
	Summary(ctx context.Context, productID id.Product) (Summary, error)
	// Summaries returns the aggregates of productIDs, one for each (zero
	// counts for a product without reviews).
	Summaries(ctx context.Context, productIDs []id.Product) (map[id.Product]Summary, error)
	// ImportRatings sets the ratings products have without text (loaded in
	// bulk), in their aggregates; it publishes no event (the caller tells
	// search itself, as bulk loads do).
	ImportRatings(ctx context.Context, rs []Imported, now time.Time) error
	// Seed stores reviews as they are (demo data), with their aggregates
	// and events; a review whose customer already reviewed the product is
	// skipped.
	Seed(ctx context.Context, rs []Review, now time.Time) (int, error)
}
