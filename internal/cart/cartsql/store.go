// Package cartsql is the cart Store on database/sql, for SQLite and
// PostgreSQL.
package cartsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the cart tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "cart", sub)
}

// Store is the cart store.
type Store struct{ db *sqldb.DB }

var _ cart.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

const cartCols = `id, COALESCE(user_id, ''), created_at, updated_at`

func scanCart(row *sql.Row) (cart.Cart, error) {
	var c cart.Cart
	var created, updated int64
	err := row.Scan(&c.ID, &c.UserID, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("cart not found")
	}
	c.CreatedAt, c.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	return c, err
}

// CreateGuestCart makes a guest cart.
func (s *Store) CreateGuestCart(ctx context.Context, tokenHash string, now time.Time) (cart.Cart, error) {
	c := cart.Cart{ID: id.Make[id.Cart](), CreatedAt: sqldb.Time(sqldb.Micros(now)), UpdatedAt: sqldb.Time(sqldb.Micros(now))}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cart_carts (id, token_hash, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
			c.ID, tokenHash, sqldb.Micros(now))
		return err
	})
	return c, err
}

// GuestCart returns the active guest cart with tokenHash.
func (s *Store) GuestCart(ctx context.Context, tokenHash string) (cart.Cart, error) {
	return scanCart(s.db.Read().QueryRowContext(ctx, `SELECT `+cartCols+` FROM cart_carts
		WHERE token_hash = $1 AND status = 'active'`, tokenHash))
}

// UserCart returns the user's cart, creating it on first need.
func (s *Store) UserCart(ctx context.Context, userID id.User, now time.Time) (cart.Cart, error) {
	if c, err := s.CartOfUser(ctx, userID); !apperr.Is(err, apperr.KindNotFound) {
		return c, err
	}
	var c cart.Cart
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cart_carts (id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
			ON CONFLICT (user_id) DO NOTHING`, id.Make[id.Cart](), userID, sqldb.Micros(now)); err != nil {
			return err
		}
		var err error
		c, err = scanCart(tx.QueryRowContext(ctx, `SELECT `+cartCols+` FROM cart_carts WHERE user_id = $1`, userID))
		return err
	})
	return c, err
}

// CartOfUser returns the user's cart, NotFound if none.
func (s *Store) CartOfUser(ctx context.Context, userID id.User) (cart.Cart, error) {
	return scanCart(s.db.Read().QueryRowContext(ctx, `SELECT `+cartCols+` FROM cart_carts WHERE user_id = $1`, userID))
}

// Touch marks a cart as used.
func (s *Store) Touch(ctx context.Context, cartID id.Cart, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return touch(ctx, tx, cartID, now) })
}

func touch(ctx context.Context, tx *sql.Tx, cartID id.Cart, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE cart_carts SET updated_at = $1 WHERE id = $2`, sqldb.Micros(now), cartID)
	return err
}

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

// Lines lists a cart's lines, oldest first.
func (s *Store) Lines(ctx context.Context, cartID id.Cart) ([]cart.Line, error) {
	return lines(ctx, s.db.Read(), cartID)
}

func lines(ctx context.Context, q querier, cartID id.Cart) ([]cart.Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, sku, quantity, created_at FROM cart_lines WHERE cart_id = $1 ORDER BY created_at, id`, cartID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cart.Line{}
	for rows.Next() {
		var l cart.Line
		var added int64
		if err := rows.Scan(&l.ID, &l.SKU, &l.Quantity, &added); err != nil {
			return nil, err
		}
		l.AddedAt = sqldb.Time(added)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Line returns one line of a cart.
func (s *Store) Line(ctx context.Context, cartID id.Cart, lineID id.CartLine) (cart.Line, error) {
	var l cart.Line
	var added int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, sku, quantity, created_at FROM cart_lines WHERE id = $1 AND cart_id = $2`,
		lineID, cartID).Scan(&l.ID, &l.SKU, &l.Quantity, &added)
	if errors.Is(err, sql.ErrNoRows) {
		return l, apperr.NotFound("cart line %q not found", lineID)
	}
	l.AddedAt = sqldb.Time(added)
	return l, err
}

// AddLine adds to a SKU's line unless it would exceed limit.
func (s *Store) AddLine(ctx context.Context, cartID id.Cart, sku string, quantity, limit int64, now time.Time, added cart.LineAdded) (bool, error) {
	if quantity > limit {
		return false, nil
	}
	var ok bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO cart_lines (id, cart_id, sku, quantity, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = cart_lines.quantity + excluded.quantity, updated_at = excluded.updated_at
			WHERE cart_lines.quantity + excluded.quantity <= $6`,
			id.Make[id.CartLine](), cartID, sku, quantity, sqldb.Micros(now), limit)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			ok = false
			return err
		}
		ok = true
		if err := event.Publish(ctx, tx, cart.TopicLineAdded, string(cartID), added); err != nil {
			return err
		}
		return touch(ctx, tx, cartID, now)
	})
	return ok, err
}

// SetQuantity sets a line's quantity.
func (s *Store) SetQuantity(ctx context.Context, cartID id.Cart, lineID id.CartLine, quantity int64, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cart_lines SET quantity = $1, updated_at = $2 WHERE id = $3 AND cart_id = $4`,
			quantity, sqldb.Micros(now), lineID, cartID)
		if err := oneRow(res, err, lineID); err != nil {
			return err
		}
		return touch(ctx, tx, cartID, now)
	})
}

// DeleteLine removes a line.
func (s *Store) DeleteLine(ctx context.Context, cartID id.Cart, lineID id.CartLine, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE id = $1 AND cart_id = $2`, lineID, cartID)
		if err := oneRow(res, err, lineID); err != nil {
			return err
		}
		return touch(ctx, tx, cartID, now)
	})
}

func oneRow(res sql.Result, err error, lineID id.CartLine) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.NotFound("cart line %q not found", lineID)
	}
	return nil
}

// ClearUser empties a user's cart.
func (s *Store) ClearUser(ctx context.Context, userID id.User, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE cart_id IN (SELECT id FROM cart_carts WHERE user_id = $1)`, userID)
		if err != nil {
			return fmt.Errorf("clear cart of %s: %w", userID, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE cart_carts SET updated_at = $1 WHERE user_id = $2`, sqldb.Micros(now), userID)
		return err
	})
}

// RemoveOrdered takes an order's quantities out of the user's cart, once.
func (s *Store) RemoveOrdered(ctx context.Context, userID id.User, orderID id.Order, ordered []cart.Ordered, now time.Time) (bool, error) {
	ordered = slices.Clone(ordered)
	slices.SortFunc(ordered, func(a, b cart.Ordered) int { return strings.Compare(a.SKU, b.SKU) })
	var removed bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		removed = false
		// The record is the removal's lock: a concurrent or repeated removal
		// for the same order inserts nothing and changes nothing.
		res, err := tx.ExecContext(ctx, `INSERT INTO cart_order_removals (order_id, user_id, removed_at) VALUES ($1, $2, $3)
			ON CONFLICT (order_id) DO NOTHING`, orderID, userID, sqldb.Micros(now))
		if err != nil {
			return fmt.Errorf("record removal of order %s: %w", orderID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		for _, l := range ordered {
			if l.Quantity <= 0 {
				continue
			}
			// Two conditional statements, one of which applies: what is
			// left after the ordered quantity stays, a line that had no
			// more than it goes.
			if _, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE sku = $1 AND quantity <= $2
				AND cart_id IN (SELECT id FROM cart_carts WHERE user_id = $3)`, l.SKU, l.Quantity, userID); err != nil {
				return fmt.Errorf("remove %s from the cart: %w", l.SKU, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cart_lines SET quantity = quantity - $1, updated_at = $2
				WHERE sku = $3 AND quantity > $1 AND cart_id IN (SELECT id FROM cart_carts WHERE user_id = $4)`,
				l.Quantity, sqldb.Micros(now), l.SKU, userID); err != nil {
				return fmt.Errorf("take %s off the cart: %w", l.SKU, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cart_carts SET updated_at = $1 WHERE user_id = $2`, sqldb.Micros(now), userID); err != nil {
			return err
		}
		removed = true
		return nil
	})
	return removed, err
}

// Merge moves a guest cart's lines into a user cart, once.
func (s *Store) Merge(ctx context.Context, guestCartID, userCartID id.Cart, caps map[string]int64, now time.Time) (bool, error) {
	var merged bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		merged = false
		// The conditional update is the merge's lock: a concurrent or
		// replayed merge of the same guest cart matches no row.
		res, err := tx.ExecContext(ctx, `UPDATE cart_carts SET status = 'merged', merged_into = $1, updated_at = $2
			WHERE id = $3 AND status = 'active' AND user_id IS NULL`, userCartID, sqldb.Micros(now), guestCartID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		guest, err := lines(ctx, tx, guestCartID)
		if err != nil {
			return err
		}
		slices.SortFunc(guest, func(a, b cart.Line) int { return strings.Compare(a.SKU, b.SKU) })
		for _, l := range guest {
			limit, ok := caps[l.SKU]
			if !ok {
				limit = cart.MaxQuantity
			}
			limit = min(max(limit, 1), cart.MaxQuantity)
			// A new line gets min(guest, cap); an existing one the sum,
			// capped, but never less than it already held.
			if _, err := tx.ExecContext(ctx, `INSERT INTO cart_lines (id, cart_id, sku, quantity, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5)
				ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = CASE
					WHEN cart_lines.quantity + excluded.quantity <= $6 THEN cart_lines.quantity + excluded.quantity
					WHEN cart_lines.quantity > $6 THEN cart_lines.quantity
					ELSE $6 END,
					updated_at = excluded.updated_at`,
				id.Make[id.CartLine](), userCartID, l.SKU, min(l.Quantity, limit), sqldb.Micros(now), limit); err != nil {
				return fmt.Errorf("merge line %s: %w", l.SKU, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE cart_id = $1`, guestCartID); err != nil {
			return err
		}
		merged = true
		return touch(ctx, tx, userCartID, now)
	})
	return merged, err
}

// PurgeGuestCarts deletes old guest carts and their lines, and old records
// of orders taken out of carts.
func (s *Store) PurgeGuestCarts(ctx context.Context, olderThan time.Time) (int, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cutoff := sqldb.Micros(olderThan)
		if _, err := tx.ExecContext(ctx, `DELETE FROM cart_order_removals WHERE removed_at < $1`, cutoff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE cart_id IN
			(SELECT id FROM cart_carts WHERE user_id IS NULL AND updated_at < $1)`, cutoff); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cart_carts WHERE user_id IS NULL AND updated_at < $1`, cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// AddWish puts a product on a wishlist.
func (s *Store) AddWish(ctx context.Context, userID id.User, productID id.Product, now time.Time) (cart.Wish, bool, error) {
	w := cart.Wish{ProductID: productID}
	var added bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO cart_wishlist (user_id, product_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, product_id) DO NOTHING`, userID, productID, sqldb.Micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added = n == 1
		if added {
			if err := event.Publish(ctx, tx, cart.TopicWishlistAdded, string(userID), cart.WishlistAdded{
				UserID: userID, ProductID: productID, At: now}); err != nil {
				return err
			}
		}
		var at int64
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM cart_wishlist WHERE user_id = $1 AND product_id = $2`,
			userID, productID).Scan(&at); err != nil {
			return err
		}
		w.AddedAt = sqldb.Time(at)
		return nil
	})
	return w, added, err
}

// RemoveWish takes a product off a wishlist.
func (s *Store) RemoveWish(ctx context.Context, userID id.User, productID id.Product) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM cart_wishlist WHERE user_id = $1 AND product_id = $2`, userID, productID)
		return err
	})
}

// Wishes lists a wishlist newest first.
func (s *Store) Wishes(ctx context.Context, userID id.User, after *cart.WishCursor, limit int) ([]cart.Wish, error) {
	q := `SELECT product_id, created_at FROM cart_wishlist WHERE user_id = $1 ORDER BY created_at DESC, product_id DESC LIMIT $2`
	args := []any{userID, limit}
	if after != nil {
		q = `SELECT product_id, created_at FROM cart_wishlist WHERE user_id = $1
			AND (created_at < $3 OR (created_at = $3 AND product_id < $4))
			ORDER BY created_at DESC, product_id DESC LIMIT $2`
		args = append(args, after.AddedAt, after.ProductID)
	}
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cart.Wish{}
	for rows.Next() {
		var w cart.Wish
		var at int64
		if err := rows.Scan(&w.ProductID, &at); err != nil {
			return nil, err
		}
		w.AddedAt = sqldb.Time(at)
		out = append(out, w)
	}
	return out, rows.Err()
}
