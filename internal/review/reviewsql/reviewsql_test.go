package reviewsql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/review/reviewsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// fakes for the modules reviews ask.
type products map[id.Product]bool

func (p products) ProductRef(_ context.Context, pid id.Product) (catalog.ProductRef, error) {
	if !p[pid] {
		return catalog.ProductRef{}, apperr.NotFound("product %s not found", pid)
	}
	return catalog.ProductRef{ID: pid, Title: "Product " + string(pid), Slug: "slug-" + string(pid), Active: true}, nil
}

func (p products) ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error) {
	out := map[id.Product]catalog.ProductRef{}
	for _, pid := range ids {
		if r, err := p.ProductRef(ctx, pid); err == nil {
			out[pid] = r
		}
	}
	return out, nil
}

type purchases map[[2]string]bool // customer, product

func (p purchases) Received(_ context.Context, customer id.User, product id.Product) (bool, error) {
	return p[[2]string{string(customer), string(product)}], nil
}

type accounts map[string]string // id -> name

func (a accounts) User(ctx context.Context, uid id.User) (account.User, error) {
	if p, ok := auth.From(ctx); !ok || p.UserID != uid {
		return account.User{}, apperr.NotFound("user %s not found", uid)
	}
	return account.User{ID: uid, Name: a[string(uid)]}, nil
}

func as(uid string, role auth.Role) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: id.User(uid), Role: role})
}

func setup(t *testing.T, db *sqldb.DB) (*review.Service, *reviewsql.Store) {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := reviewsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	st := reviewsql.New(db)
	svc := review.New(st,
		products{"prd_a": true, "prd_b": true},
		purchases{{"usr_ada", "prd_a"}: true, {"usr_bob", "prd_a"}: true, {"usr_cy", "prd_a"}: true, {"usr_ada", "prd_b"}: true},
		accounts{"usr_ada": "Ada Lovelace", "usr_bob": "Bob", "usr_cy": ""},
		review.Options{})
	return svc, st
}

// ratedEvents returns the review.rated.v1 events in the outbox, oldest first.
func ratedEvents(t *testing.T, db *sqldb.DB) []review.ProductRated {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT payload FROM event_outbox WHERE topic = $1 ORDER BY seq`, review.TopicRated.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []review.ProductRated
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var e review.ProductRated
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// hiddenEvents returns the review.hidden.v1 events in the outbox, oldest first.
func hiddenEvents(t *testing.T, db *sqldb.DB) []review.HiddenEvent {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT payload FROM event_outbox WHERE topic = $1 ORDER BY seq`, review.TopicHidden.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []review.HiddenEvent
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var e review.HiddenEvent
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestReviewLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc, _ := setup(t, db)
		ada, bob, cy := as("usr_ada", auth.Customer), as("usr_bob", auth.Customer), as("usr_cy", auth.Customer)
		admin := as("usr_admin", auth.Admin)

		// Who may write.
		for _, c := range []struct {
			name string
			ctx  context.Context
			prod string
			in   review.Input
			kind apperr.Kind
			code string
		}{
			{"guest", context.Background(), "prd_a", review.Input{Rating: 5}, apperr.KindUnauthorized, "unauthenticated"},
			{"seller", as("usr_s", auth.Seller), "prd_a", review.Input{Rating: 5}, apperr.KindForbidden, ""},
			{"not delivered", bob, "prd_b", review.Input{Rating: 5}, apperr.KindForbidden, "not_purchased"},
			{"unknown product", ada, "prd_zz", review.Input{Rating: 5}, apperr.KindNotFound, "not_found"},
			{"no stars", ada, "prd_a", review.Input{Rating: 0}, apperr.KindInvalid, "validation_failed"},
			{"six stars", ada, "prd_a", review.Input{Rating: 6}, apperr.KindInvalid, "validation_failed"},
			{"long title", ada, "prd_a", review.Input{Rating: 4, Title: string(make([]byte, 121))}, apperr.KindInvalid, "validation_failed"},
		} {
			_, err := svc.Create(c.ctx, id.Product(c.prod), c.in)
			if apperr.KindOf(err) != c.kind || c.code != "" && apperr.CodeOf(err) != c.code {
				t.Errorf("%s: Create = %v (%s), want kind %v code %q", c.name, err, apperr.CodeOf(err), c.kind, c.code)
			}
		}

		a, err := svc.Create(ada, "prd_a", review.Input{Rating: 5, Title: "  Great  ", Body: "Works."})
		if err != nil {
			t.Fatal(err)
		}
		if a.Author != "Ada L." || a.Title != "Great" || !a.VerifiedPurchase || a.Status != review.Published {
			t.Errorf("Create = %+v, want author Ada L., trimmed title, verified, published", a)
		}
		if _, err := svc.Create(ada, "prd_a", review.Input{Rating: 1}); apperr.CodeOf(err) != "already_reviewed" {
			t.Errorf("second review = %v, want already_reviewed", err)
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times order the list
		b, err := svc.Create(bob, "prd_a", review.Input{Rating: 2})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
		c, err := svc.Create(cy, "prd_a", review.Input{Rating: 4})
		if err != nil {
			t.Fatal(err)
		}
		if b.Author != "Bob" || c.Author != "A customer" {
			t.Errorf("authors %q, %q; want Bob and A customer", b.Author, c.Author)
		}

		page, err := svc.Reviews(context.Background(), "prd_a", "", 2)
		if err != nil {
			t.Fatal(err)
		}
		wantSum := review.Summary{ProductID: "prd_a", Average: 3.67, Count: 3, Histogram: map[string]int{"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}, Reviews: 3, Seq: 3}
		if diff := cmp.Diff(wantSum, page.Summary); diff != "" {
			t.Errorf("Summary (-want +got):\n%s", diff)
		}
		if len(page.Items) != 2 || page.Items[0].ID != c.ID || page.Items[1].ID != b.ID || page.NextCursor == "" {
			t.Fatalf("first page = %v (next %q), want cy's then bob's and a cursor", page.Items, page.NextCursor)
		}
		rest, err := svc.Reviews(context.Background(), "prd_a", page.NextCursor, 2)
		if err != nil || len(rest.Items) != 1 || rest.Items[0].ID != a.ID || rest.NextCursor != "" {
			t.Errorf("second page = %v, %v; want ada's alone, no cursor", rest, err)
		}
		if _, err := svc.Reviews(context.Background(), "prd_zz", "", 10); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("reviews of an unknown product = %v, want NotFound", err)
		}

		// Only the author edits; staff and the author delete.
		if _, err := svc.Update(bob, a.ID, review.Input{Rating: 1}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("bob edits ada's review = %v, want NotFound", err)
		}
		if a, err = svc.Update(ada, a.ID, review.Input{Rating: 3, Body: "Changed my mind."}); err != nil || a.Rating != 3 || a.Title != "" {
			t.Errorf("ada edits = %+v, %v; want 3 stars, no title", a, err)
		}
		if err := svc.Delete(bob, c.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("bob deletes cy's review = %v, want NotFound", err)
		}
		if err := svc.Delete(cy, c.ID); err != nil {
			t.Errorf("cy deletes its review: %v", err)
		}

		// Moderation: hidden reviews count nowhere and show only to the author and staff.
		if _, err := svc.Moderate(ada, b.ID, review.ModerationInput{Status: review.Hidden}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a customer moderates = %v, want Forbidden", err)
		}
		if _, err := svc.Moderate(admin, b.ID, review.ModerationInput{Status: "gone"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("moderate to an unknown status = %v, want Invalid", err)
		}
		if _, err := svc.Moderate(admin, b.ID, review.ModerationInput{Status: review.Hidden, Reason: "off topic"}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]review.HiddenEvent{{ReviewID: b.ID, ProductID: "prd_a", CustomerID: "usr_bob", Title: b.Title, Reason: "off topic"}}, hiddenEvents(t, db)); diff != "" {
			t.Errorf("review.hidden.v1 events (-want +got):\n%s", diff)
		}
		if _, err := svc.Review(ada, b.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("another customer reads a hidden review = %v, want NotFound", err)
		}
		if got, err := svc.Review(bob, b.ID); err != nil || got.ModerationNote != "off topic" {
			t.Errorf("the author reads its hidden review = %+v, %v; want it with the note", got, err)
		}
		if got, err := svc.Mine(bob, "prd_a"); err != nil || got.ID != b.ID {
			t.Errorf("Mine = %+v, %v; want bob's hidden review", got, err)
		}
		page, err = svc.Reviews(context.Background(), "prd_a", "", 10)
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != a.ID || page.Summary.Count != 1 || page.Summary.Average != 3 {
			t.Errorf("after moderation: %+v, %v; want ada's review alone, 1 review of 3 stars", page, err)
		}

		// The moderation queue: staff only, newest first, by status and product.
		if _, err := svc.Moderation(ada, review.Filter{}, "", 10); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("a customer lists the moderation queue = %v, want Forbidden", err)
		}
		if _, err := svc.Moderation(admin, review.Filter{Status: "gone"}, "", 10); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("moderation queue of an unknown status = %v, want Invalid", err)
		}
		support := as("usr_support", auth.Support)
		for _, c := range []struct {
			f    review.Filter
			want []id.Review
		}{
			{review.Filter{}, []id.Review{b.ID, a.ID}},
			{review.Filter{Status: review.Hidden}, []id.Review{b.ID}},
			{review.Filter{Status: review.Published, ProductID: "prd_a"}, []id.Review{a.ID}},
			{review.Filter{ProductID: "prd_b"}, nil},
		} {
			q, err := svc.Moderation(support, c.f, "", 10)
			var got []id.Review
			for _, m := range q.Items {
				got = append(got, m.ID)
				if m.ProductTitle != "Product prd_a" || m.ProductSlug != "slug-prd_a" || m.CustomerID == "" {
					t.Errorf("queue item %+v: want the product's title and slug and the author's ID", m)
				}
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("Moderation(%+v) = %v, %v; want %v", c.f, got, err, c.want)
			}
		}
		first, err := svc.Moderation(admin, review.Filter{}, "", 1)
		if err != nil || len(first.Items) != 1 || first.NextCursor == "" {
			t.Fatalf("queue page of 1 = %+v, %v; want one item and a cursor", first, err)
		}
		if next, err := svc.Moderation(admin, review.Filter{}, first.NextCursor, 1); err != nil || len(next.Items) != 1 || next.Items[0].ID != a.ID || next.NextCursor != "" {
			t.Errorf("queue page 2 = %+v, %v; want ada's review and no cursor", next, err)
		}

		// Every change published the product's aggregate, in sequence.
		evs := ratedEvents(t, db)
		rated := func(avg float64, count int, seq int64) review.ProductRated {
			return review.ProductRated{ProductID: "prd_a", Average: avg, Count: count, Seq: seq}
		}
		by := func(r review.ProductRated, who id.User, stars int) review.ProductRated {
			r.CustomerID, r.Rating = who, stars
			return r
		}
		want := []review.ProductRated{ // a review written or edited names its author and stars
			by(rated(5, 1, 1), "usr_ada", 5), by(rated(3.5, 2, 2), "usr_bob", 2), by(rated(3.67, 3, 3), "usr_cy", 4), // created
			by(rated(3, 3, 4), "usr_ada", 3), // ada edited 5 -> 3
			rated(2.5, 2, 5),                 // cy deleted
			rated(3, 1, 6),                   // bob hidden
		}
		if diff := cmp.Diff(want, evs); diff != "" {
			t.Errorf("review.rated.v1 events (-want +got):\n%s", diff)
		}

		// Hiding a hidden review again (a new reason) tells its author
		// nothing more; shown and hidden again, it tells again.
		if _, err := svc.Moderate(admin, b.ID, review.ModerationInput{Status: review.Hidden, Reason: "off topic, really"}); err != nil {
			t.Fatal(err)
		}
		if n := len(hiddenEvents(t, db)); n != 1 {
			t.Errorf("after hiding a hidden review: %d review.hidden.v1 events, want 1", n)
		}
		if _, err := svc.Moderate(admin, b.ID, review.ModerationInput{Status: review.Published}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Moderate(admin, b.ID, review.ModerationInput{Status: review.Hidden, Reason: "spam"}); err != nil {
			t.Fatal(err)
		}
		if evs := hiddenEvents(t, db); len(evs) != 2 || evs[1].Reason != "spam" {
			t.Errorf("after showing and hiding again: review.hidden.v1 events %+v, want a second with reason spam", evs)
		}
	})
}

// TestConcurrentReviewsKeepTheAggregate: reviews of one product written at
// once all count, and the last event has the final aggregate.
func TestConcurrentReviewsKeepTheAggregate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, st := setup(t, db)
		const n = 12
		var wg sync.WaitGroup
		errs := make(chan error, n)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.Create(context.Background(), review.Review{ID: id.Review(fmt.Sprintf("rev_%02d", i)), ProductID: "prd_a",
					CustomerID: id.User(fmt.Sprintf("usr_%02d", i)), Author: "X", Rating: 1 + i%5, Status: review.Published, CreatedAt: now, UpdatedAt: now})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sum, err := st.Summary(context.Background(), "prd_a")
		if err != nil || sum.Count != n || sum.Seq != n {
			t.Fatalf("Summary = %+v, %v; want %d reviews at sequence %d", sum, err, n, n)
		}
		evs := ratedEvents(t, db)
		if len(evs) != n || evs[n-1].Count != n || evs[n-1].Seq != n {
			t.Errorf("events = %v, want %d, the last with all %d reviews", evs, n, n)
		}
		seen := map[int64]bool{}
		for _, e := range evs {
			if seen[e.Seq] {
				t.Errorf("sequence %d published twice", e.Seq)
			}
			seen[e.Seq] = true
		}
	})
}

func TestSeedIsIdempotent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc, _ := setup(t, db)
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rs := []review.Review{
			{ID: "rev_d1", ProductID: "prd_a", CustomerID: "usr_d1", Author: "D.", Rating: 4, Status: review.Published, CreatedAt: at, UpdatedAt: at},
			{ID: "rev_d2", ProductID: "prd_a", CustomerID: "usr_d2", Author: "E.", Rating: 5, Status: review.Published, CreatedAt: at, UpdatedAt: at},
			{ID: "rev_d3", ProductID: "prd_b", CustomerID: "usr_d1", Author: "D.", Rating: 2, Status: review.Published, CreatedAt: at, UpdatedAt: at},
		}
		for i, want := range []int{3, 0} {
			if n, err := svc.Seed(context.Background(), rs); err != nil || n != want {
				t.Errorf("Seed #%d = %d, %v; want %d", i+1, n, err, want)
			}
		}
		if s, _ := svc.Summary(context.Background(), "prd_a"); s.Count != 2 || s.Average != 4.5 {
			t.Errorf("Summary(prd_a) = %+v, want 2 reviews averaging 4.5", s)
		}
		if len(ratedEvents(t, db)) != 2 {
			t.Errorf("seeding twice published %d rated events, want 2 (one per product, once)", len(ratedEvents(t, db)))
		}
	})
}

// TestImportRatings: ratings loaded without text count in the aggregate
// next to the written reviews, and loading them again replaces them.
func TestImportRatings(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc, st := setup(t, db)
		ctx := context.Background()
		now := time.Now()
		summary := func(want review.Summary) {
			t.Helper()
			got, err := svc.Summary(ctx, "prd_a")
			got.Histogram = nil
			if err != nil || got.Count != want.Count || got.Reviews != want.Reviews || got.Average != want.Average {
				t.Errorf("Summary = %+v, %v; want %d ratings, %d reviews, average %v", got, err, want.Count, want.Reviews, want.Average)
			}
		}
		if err := st.ImportRatings(ctx, []review.Imported{{ProductID: "prd_a", Stars: review.Stars{0, 0, 1, 2, 1}}}, now); err != nil {
			t.Fatal(err)
		}
		summary(review.Summary{Count: 4, Reviews: 0, Average: 4})
		if _, err := svc.Create(as("usr_ada", auth.Customer), "prd_a", review.Input{Rating: 1}); err != nil {
			t.Fatal(err)
		}
		summary(review.Summary{Count: 5, Reviews: 1, Average: 3.4})
		if evs := ratedEvents(t, db); len(evs) != 1 || evs[0].Count != 5 || evs[0].Average != 3.4 || evs[0].Seq != 2 {
			t.Errorf("events = %+v, want one with all 5 ratings at sequence 2", evs)
		}
		if err := st.ImportRatings(ctx, []review.Imported{{ProductID: "prd_a", Stars: review.Stars{0, 0, 0, 0, 2}}}, now); err != nil {
			t.Fatal(err)
		}
		summary(review.Summary{Count: 3, Reviews: 1, Average: 3.67})
		// Summaries gives the same aggregates in one call, zero for a
		// product without ratings.
		one, _ := svc.Summary(ctx, "prd_a")
		all, err := svc.Summaries(ctx, []id.Product{"prd_a", "prd_none"})
		if err != nil || len(all) != 2 || !cmp.Equal(all["prd_a"], one) || all["prd_none"].Count != 0 || all["prd_none"].ProductID != "prd_none" {
			t.Errorf("Summaries = %+v, %v; want prd_a as Summary has it (%+v) and prd_none empty", all, err, one)
		}
		if page, err := svc.Reviews(ctx, "prd_a", "", 10); err != nil || len(page.Items) != 1 {
			t.Errorf("Reviews = %+v, %v; want the one written review", page, err)
		}
	})
}
