package review

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Purchases is what reviews need from orders; *order.Service satisfies it.
type Purchases interface {
	// Received reports whether a seller order with the product has been
	// delivered to the customer.
	Received(ctx context.Context, customerID id.User, productID id.Product) (bool, error)
}

// Products is what reviews need from the catalog; *catalog.Service satisfies it.
type Products interface {
	ProductRef(ctx context.Context, id id.Product) (catalog.ProductRef, error)
	ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error)
}

// Accounts is what reviews need from accounts (the author's name, read
// with the author's own credentials); *account.Service satisfies it.
type Accounts interface {
	User(ctx context.Context, id id.User) (account.User, error)
}

// Options tunes a Service. The zero value is usable.
type Options struct {
	Now func() time.Time // clock; time.Now when nil
}

// Service is the review module's use cases.
type Service struct {
	store     Store
	products  Products
	purchases Purchases
	accounts  Accounts
	now       func() time.Time
}

// New returns a Service.
func New(store Store, products Products, purchases Purchases, accounts Accounts, opts Options) *Service {
	s := &Service{store: store, products: products, purchases: purchases, accounts: accounts, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// staff may see and moderate every review.
func staff(p auth.Principal) bool { return p.Is(auth.Admin, auth.Support) }

// list returns a page of the reviews f matches, newest first (never nil),
// and the cursor of the next page ("" on the last).
func (s *Service) list(ctx context.Context, f Filter, cursor string, limit int) ([]Review, string, error) {
	var after *Cursor
	if cursor != "" {
		after = new(Cursor)
		if err := page.DecodeCursor(cursor, after); err != nil {
			return nil, "", err
		}
	}
	limit = min(max(limit, 1), page.MaxLimit)
	items, err := s.store.List(ctx, f, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list reviews: %w", err)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = page.EncodeCursor(Cursor{CreatedAt: sqldb.Micros(last.CreatedAt), ID: last.ID})
	}
	if items == nil {
		items = []Review{}
	}
	return items, next, nil
}

// Reviews returns a page of a product's published reviews, newest first,
// with its summary. Anyone may read them; an unknown product is NotFound.
func (s *Service) Reviews(ctx context.Context, productID id.Product, cursor string, limit int) (Page, error) {
	if _, err := s.products.ProductRef(ctx, productID); err != nil {
		return Page{}, err
	}
	items, next, err := s.list(ctx, Filter{Status: Published, ProductID: productID}, cursor, limit)
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items, NextCursor: next}
	for i := range page.Items {
		page.Items[i].ModerationNote = "" // for the author and staff only
	}
	if page.Summary, err = s.store.Summary(ctx, productID); err != nil {
		return Page{}, fmt.Errorf("summary of %s: %w", productID, err)
	}
	return page, nil
}

// Summary returns a product's rating summary.
func (s *Service) Summary(ctx context.Context, productID id.Product) (Summary, error) {
	return s.store.Summary(ctx, productID)
}

// Summaries returns the aggregates of several products in one store call,
// one for each (zero counts for a product without reviews).
func (s *Service) Summaries(ctx context.Context, productIDs []id.Product) (map[id.Product]Summary, error) {
	if len(productIDs) == 0 {
		return map[id.Product]Summary{}, nil
	}
	return s.store.Summaries(ctx, productIDs)
}

// Mine returns the signed-in customer's review of a product (whatever its
// status); NotFound if they have none.
func (s *Service) Mine(ctx context.Context, productID id.Product) (Review, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Review{}, err
	}
	return s.store.ReviewBy(ctx, productID, p.UserID)
}

// Create publishes the signed-in customer's review of a product. Only
// customers review, once per product (Conflict "already_reviewed"), and
// only what was delivered to them (Forbidden "not_purchased").
func (s *Service) Create(ctx context.Context, productID id.Product, in Input) (Review, error) {
	p, err := auth.Require(ctx, auth.Customer)
	if err != nil {
		return Review{}, err
	}
	if err := in.clean(); err != nil {
		return Review{}, err
	}
	if _, err := s.products.ProductRef(ctx, productID); err != nil {
		return Review{}, err
	}
	got, err := s.purchases.Received(ctx, p.UserID, productID)
	if err != nil {
		return Review{}, fmt.Errorf("purchases of %s: %w", p.UserID, err)
	}
	if !got {
		return Review{}, apperr.New(apperr.KindForbidden, "not_purchased", "only customers who received this product can review it")
	}
	u, err := s.accounts.User(ctx, p.UserID)
	if err != nil {
		return Review{}, fmt.Errorf("author %s: %w", p.UserID, err)
	}
	now := s.clock()
	return s.store.Create(ctx, Review{
		ID: id.Make[id.Review](), ProductID: productID, CustomerID: p.UserID, Author: displayName(u.Name),
		Rating: in.Rating, Title: in.Title, Body: in.Body, VerifiedPurchase: true, Status: Published,
		CreatedAt: now, UpdatedAt: now,
	})
}

// Update changes the author's own review. Another's review is NotFound. A
// review hidden by moderation stays hidden.
func (s *Service) Update(ctx context.Context, reviewID id.Review, in Input) (Review, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Review{}, err
	}
	if err := in.clean(); err != nil {
		return Review{}, err
	}
	now := s.clock()
	return s.store.Update(ctx, reviewID, func(r *Review) error {
		if r.CustomerID != p.UserID {
			return apperr.NotFound("review %s not found", reviewID)
		}
		r.Rating, r.Title, r.Body, r.UpdatedAt = in.Rating, in.Title, in.Body, now
		return nil
	})
}

// Delete removes a review, for its author or staff; NotFound for anyone
// else.
func (s *Service) Delete(ctx context.Context, reviewID id.Review) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	return s.store.Delete(ctx, reviewID, func(r Review) error {
		if r.CustomerID != p.UserID && !staff(p) {
			return apperr.NotFound("review %s not found", reviewID)
		}
		return nil
	})
}

// Moderate hides a review or shows it again, for admins and support, with
// a reason the author sees.
func (s *Service) Moderate(ctx context.Context, reviewID id.Review, in ModerationInput) (Review, error) {
	if _, err := auth.Require(ctx, auth.Admin, auth.Support); err != nil {
		return Review{}, err
	}
	var f apperr.Fields
	f.Check(in.Status.Valid(), "status", "must be published or hidden")
	f.Check(utf8.RuneCountInString(in.Reason) <= 500, "reason", "must be at most 500 characters")
	if err := f.Err(); err != nil {
		return Review{}, err
	}
	// UpdatedAt is when the author last wrote it: moderation leaves it.
	return s.store.Update(ctx, reviewID, func(r *Review) error {
		r.Status, r.ModerationNote = in.Status, in.Reason
		return nil
	})
}

// Moderation lists every review newest first for admins and support (the
// moderation queue), only of a status and of a product when given.
func (s *Service) Moderation(ctx context.Context, f Filter, cursor string, limit int) (page.Page[Moderated], error) {
	if _, err := auth.Require(ctx, auth.Admin, auth.Support); err != nil {
		return page.Page[Moderated]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return page.Page[Moderated]{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "status", Message: "must be published or hidden"})
	}
	rs, next, err := s.list(ctx, f, cursor, limit)
	if err != nil {
		return page.Page[Moderated]{}, err
	}
	out := page.Page[Moderated]{Items: []Moderated{}, NextCursor: next}
	ids := make([]id.Product, len(rs))
	for i, r := range rs {
		ids[i] = r.ProductID
	}
	refs, err := s.products.ProductRefs(ctx, ids)
	if err != nil {
		return page.Page[Moderated]{}, fmt.Errorf("products of reviews: %w", err)
	}
	for _, r := range rs {
		ref := refs[r.ProductID]
		out.Items = append(out.Items, Moderated{Review: r, CustomerID: r.CustomerID, ProductTitle: ref.Title, ProductSlug: ref.Slug})
	}
	return out, nil
}

// Review returns one review: a published one to anyone, a hidden one to
// its author and staff (NotFound to others).
func (s *Service) Review(ctx context.Context, reviewID id.Review) (Review, error) {
	r, err := s.store.Review(ctx, reviewID)
	if err != nil {
		return Review{}, err
	}
	p, ok := auth.From(ctx)
	if ok && (p.UserID == r.CustomerID || staff(p)) {
		return r, nil
	}
	if r.Status != Published {
		return Review{}, apperr.NotFound("review %s not found", reviewID)
	}
	r.ModerationNote = ""
	return r, nil
}

// Seed stores demo reviews as they are (not verified purchases). It checks
// no caller: it is for the composition root's demo seeding and has no route.
func (s *Service) Seed(ctx context.Context, rs []Review) (int, error) {
	return s.store.Seed(ctx, rs, s.clock())
}
