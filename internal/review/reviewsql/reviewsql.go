// Package reviewsql is the review Store on database/sql, for SQLite and
// PostgreSQL. Every change to a review recomputes its product's aggregate
// from the published reviews and publishes review.rated.v1 in the same
// transaction; the product's aggregate row is written first, which
// serialises concurrent changes to one product's reviews.
package reviewsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the review tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "review", sub)
}

// Store is the review store.
type Store struct{ db *sqldb.DB }

var _ review.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

const cols = `id, product_id, customer_id, author, rating, title, body, verified_purchase, status, moderation_note, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (review.Review, error) {
	var r review.Review
	var verified int
	var created, updated int64
	if err := row.Scan(&r.ID, &r.ProductID, &r.CustomerID, &r.Author, &r.Rating, &r.Title, &r.Body, &verified,
		&r.Status, &r.ModerationNote, &created, &updated); err != nil {
		return r, err
	}
	r.VerifiedPurchase = verified == 1
	r.CreatedAt, r.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	return r, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func insert(ctx context.Context, tx *sql.Tx, r review.Review) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO review_reviews (`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.ProductID, r.CustomerID, r.Author, r.Rating, r.Title, r.Body, b2i(r.VerifiedPurchase), r.Status,
		r.ModerationNote, sqldb.Micros(r.CreatedAt), sqldb.Micros(r.UpdatedAt))
	return err
}

// Create implements review.Store.
func (s *Store) Create(ctx context.Context, r review.Review) (review.Review, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockProduct(ctx, tx, r.ProductID, r.UpdatedAt); err != nil {
			return err
		}
		if err := insert(ctx, tx, r); err != nil {
			if sqldb.IsUniqueViolation(err) {
				return apperr.Conflict("already_reviewed", "you have reviewed this product already: edit your review instead")
			}
			return fmt.Errorf("insert review: %w", err)
		}
		return rate(ctx, tx, r.ProductID, r.UpdatedAt, &r)
	})
	return r, err
}

// Update implements review.Store.
func (s *Store) Update(ctx context.Context, id id.Review, fn func(r *review.Review) error) (review.Review, error) {
	var out review.Review
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := lockProduct(ctx, tx, r.ProductID, r.UpdatedAt); err != nil {
			return err
		}
		// Read again under the product's lock: a concurrent change may
		// have committed in between.
		if r, err = get(ctx, tx, id); err != nil {
			return err
		}
		was := r.Status
		if err := fn(&r); err != nil {
			return err
		}
		if was != review.Hidden && r.Status == review.Hidden {
			if err := event.Publish(ctx, tx, review.TopicHidden, string(r.ID), review.HiddenEvent{
				ReviewID: r.ID, ProductID: r.ProductID, CustomerID: r.CustomerID, Title: r.Title, Reason: r.ModerationNote,
			}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE review_reviews SET rating = $1, title = $2, body = $3, status = $4,
			moderation_note = $5, updated_at = $6 WHERE id = $7`,
			r.Rating, r.Title, r.Body, r.Status, r.ModerationNote, sqldb.Micros(r.UpdatedAt), id); err != nil {
			return fmt.Errorf("update review %s: %w", id, err)
		}
		out = r
		var by *review.Review
		if r.Status == review.Published {
			by = &r
		}
		return rate(ctx, tx, r.ProductID, r.UpdatedAt, by)
	})
	return out, err
}

// Delete implements review.Store.
func (s *Store) Delete(ctx context.Context, id id.Review, fn func(r review.Review) error) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		now := time.Now()
		if err := lockProduct(ctx, tx, r.ProductID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM review_reviews WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete review %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.NotFound("review %s not found", id)
		}
		return rate(ctx, tx, r.ProductID, now, nil)
	})
}

// Seed implements review.Store.
func (s *Store) Seed(ctx context.Context, rs []review.Review, now time.Time) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		touched := map[id.Product]bool{}
		var order []id.Product
		for _, r := range rs {
			res, err := tx.ExecContext(ctx, `INSERT INTO review_reviews (`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT DO NOTHING`,
				r.ID, r.ProductID, r.CustomerID, r.Author, r.Rating, r.Title, r.Body, b2i(r.VerifiedPurchase), r.Status,
				r.ModerationNote, sqldb.Micros(r.CreatedAt), sqldb.Micros(r.UpdatedAt))
			if err != nil {
				return fmt.Errorf("seed review %s: %w", r.ID, err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
				if !touched[r.ProductID] {
					touched[r.ProductID] = true
					order = append(order, r.ProductID)
				}
			}
		}
		for _, p := range order {
			if err := lockProduct(ctx, tx, p, now); err != nil {
				return err
			}
			if err := rate(ctx, tx, p, now, nil); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// lockProduct makes sure the product's aggregate row exists and takes its
// row lock (PostgreSQL; SQLite has one writer), so that changes to one
// product's reviews recompute its aggregate one after another.
func lockProduct(ctx context.Context, tx *sql.Tx, productID id.Product, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO review_products (product_id, stars1, stars2, stars3, stars4, stars5, seq, updated_at)
		VALUES ($1, 0, 0, 0, 0, 0, 0, $2)
		ON CONFLICT (product_id) DO UPDATE SET updated_at = excluded.updated_at`, productID, sqldb.Micros(now)); err != nil {
		return fmt.Errorf("lock reviews of %s: %w", productID, err)
	}
	return nil
}

// rate recomputes a product's aggregate from its published reviews and
// its imported ratings, bumps its sequence and publishes it, with the
// author and stars of by, the published review written or edited (nil for
// other changes).
func rate(ctx context.Context, tx *sql.Tx, productID id.Product, now time.Time, by *review.Review) error {
	var stars review.Stars
	rows, err := tx.QueryContext(ctx, `SELECT rating, COUNT(*) FROM review_reviews WHERE product_id = $1 AND status = 'published' GROUP BY rating`, productID)
	if err != nil {
		return fmt.Errorf("count reviews of %s: %w", productID, err)
	}
	defer rows.Close()
	written := 0
	for rows.Next() {
		var rating, n int
		if err := rows.Scan(&rating, &n); err != nil {
			return err
		}
		if rating >= 1 && rating <= 5 {
			stars[rating-1] = n
			written += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE review_products SET stars1 = imported1 + $1, stars2 = imported2 + $2,
		stars3 = imported3 + $3, stars4 = imported4 + $4, stars5 = imported5 + $5, written = $6,
		seq = seq + 1, updated_at = $7 WHERE product_id = $8
		RETURNING stars1, stars2, stars3, stars4, stars5, seq`,
		stars[0], stars[1], stars[2], stars[3], stars[4], written, sqldb.Micros(now), productID).Scan(
		&stars[0], &stars[1], &stars[2], &stars[3], &stars[4], &seq); err != nil {
		return fmt.Errorf("store the rating of %s: %w", productID, err)
	}
	sum := review.SummaryOf(productID, stars, written, seq)
	rated := review.ProductRated{ProductID: productID, Average: sum.Average, Count: sum.Count, Seq: seq}
	if by != nil && by.Status == review.Published {
		rated.CustomerID, rated.Rating = by.CustomerID, by.Rating
	}
	return event.Publish(ctx, tx, review.TopicRated, string(productID), rated)
}

// ImportRatings implements review.Store.
func (s *Store) ImportRatings(ctx context.Context, rs []review.Imported, now time.Time) error {
	rows := make([][]any, len(rs))
	at := sqldb.Micros(now)
	for i, r := range rs {
		st := r.Stars
		rows[i] = []any{r.ProductID, st[0], st[1], st[2], st[3], st[4], st[0], st[1], st[2], st[3], st[4], 0, 1, at}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := s.db.InsertRows(ctx, tx, `INSERT INTO review_products (product_id, stars1, stars2, stars3, stars4, stars5,
			imported1, imported2, imported3, imported4, imported5, written, seq, updated_at) VALUES `, 14, rows,
			` ON CONFLICT (product_id) DO UPDATE SET
			stars1 = review_products.stars1 - review_products.imported1 + excluded.imported1,
			stars2 = review_products.stars2 - review_products.imported2 + excluded.imported2,
			stars3 = review_products.stars3 - review_products.imported3 + excluded.imported3,
			stars4 = review_products.stars4 - review_products.imported4 + excluded.imported4,
			stars5 = review_products.stars5 - review_products.imported5 + excluded.imported5,
			imported1 = excluded.imported1, imported2 = excluded.imported2, imported3 = excluded.imported3,
			imported4 = excluded.imported4, imported5 = excluded.imported5,
			seq = review_products.seq + 1, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("import ratings: %w", err)
		}
		return nil
	})
}

func get(ctx context.Context, q sqldb.Querier, id id.Review) (review.Review, error) {
	r, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM review_reviews WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("review %s not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("read review %s: %w", id, err)
	}
	return r, nil
}

// Review implements review.Store.
func (s *Store) Review(ctx context.Context, id id.Review) (review.Review, error) {
	return get(ctx, s.db.Read(), id)
}

// ReviewBy implements review.Store.
func (s *Store) ReviewBy(ctx context.Context, productID id.Product, customerID id.User) (review.Review, error) {
	r, err := scan(s.db.Read().QueryRowContext(ctx, `SELECT `+cols+` FROM review_reviews WHERE product_id = $1 AND customer_id = $2`,
		productID, customerID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("you have not reviewed product %s", productID)
	}
	if err != nil {
		return r, fmt.Errorf("read review of %s by %s: %w", productID, customerID, err)
	}
	return r, nil
}

// List implements review.Store.
func (s *Store) List(ctx context.Context, f review.Filter, after *review.Cursor, limit int) ([]review.Review, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.ProductID != "" {
		where = append(where, "product_id = "+arg(f.ProductID))
	}
	if after != nil {
		c, i := arg(after.CreatedAt), arg(after.ID)
		where = append(where, "(created_at < "+c+" OR created_at = "+c+" AND id < "+i+")")
	}
	q := `SELECT ` + cols + ` FROM review_reviews`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT %d", limit)
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	var out []review.Review
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Summaries implements review.Store.
func (s *Store) Summaries(ctx context.Context, productIDs []id.Product) (map[id.Product]review.Summary, error) {
	out := make(map[id.Product]review.Summary, len(productIDs))
	for _, pid := range productIDs {
		out[pid] = review.SummaryOf(pid, review.Stars{}, 0, 0)
	}
	const chunk = 500
	for start := 0; start < len(productIDs); start += chunk {
		part := productIDs[start:min(start+chunk, len(productIDs))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, v := range part {
			args[i], marks[i] = string(v), "$"+strconv.Itoa(i+1)
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT product_id, stars1, stars2, stars3, stars4, stars5, written, seq
			FROM review_products WHERE product_id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("ratings: %w", err)
		}
		for rows.Next() {
			var pid id.Product
			var stars review.Stars
			var written int
			var seq int64
			if err := rows.Scan(&pid, &stars[0], &stars[1], &stars[2], &stars[3], &stars[4], &written, &seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("ratings: %w", err)
			}
			out[pid] = review.SummaryOf(pid, stars, written, seq)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("ratings: %w", err)
		}
	}
	return out, nil
}

// Summary implements review.Store.
func (s *Store) Summary(ctx context.Context, productID id.Product) (review.Summary, error) {
	var stars review.Stars
	var written int
	var seq int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT stars1, stars2, stars3, stars4, stars5, written, seq FROM review_products WHERE product_id = $1`,
		productID).Scan(&stars[0], &stars[1], &stars[2], &stars[3], &stars[4], &written, &seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return review.Summary{}, fmt.Errorf("rating of %s: %w", productID, err)
	}
	return review.SummaryOf(productID, stars, written, seq), nil
}
