package accountsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

const sellerCols = `id, user_id, name, slug, description, status, created_at, updated_at`

func scanSeller(r scanner) (account.Seller, error) {
	var s account.Seller
	var status string
	var created, updated int64
	if err := r.Scan(&s.ID, &s.UserID, &s.Name, &s.Slug, &s.Description, &status, &created, &updated); err != nil {
		return account.Seller{}, err
	}
	s.Status = account.SellerStatus(status)
	s.CreatedAt, s.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	return s, nil
}

// CreateSeller implements account.Store.
func (s *Store) CreateSeller(ctx context.Context, sel account.Seller) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// DO NOTHING rather than a unique violation: PostgreSQL would abort
		// the transaction, and we still want to ask which key clashed.
		var id string
		err := tx.QueryRowContext(ctx, `INSERT INTO account_sellers (`+sellerCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id`,
			sel.ID, sel.UserID, sel.Name, sel.Slug, sel.Description, string(sel.Status),
			sqldb.Micros(sel.CreatedAt), sqldb.Micros(sel.UpdatedAt)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_sellers WHERE user_id = $1`, sel.UserID).Scan(&n); err != nil {
				return fmt.Errorf("insert seller: %w", err)
			}
			if n > 0 {
				return apperr.Conflict("seller_exists", "you already have a store")
			}
			return apperr.Conflict("slug_taken", "the store address %q is taken", sel.Slug)
		}
		if err != nil {
			return fmt.Errorf("insert seller: %w", err)
		}
		return event.Publish(ctx, tx, account.TopicSellerCreated, string(sel.ID), account.SellerCreated{
			SellerID: sel.ID, UserID: sel.UserID, Name: sel.Name, Slug: sel.Slug})
	})
}

// Seller implements account.Store.
func (s *Store) Seller(ctx context.Context, id id.Seller) (account.Seller, error) {
	sel, err := scanSeller(s.db.Read().QueryRowContext(ctx, `SELECT `+sellerCols+` FROM account_sellers WHERE id = $1`, id))
	return sel, notFound(err, "seller %s not found", id)
}

// SellersByID implements account.Store.
func (s *Store) SellersByID(ctx context.Context, ids []id.Seller) ([]account.Seller, error) {
	out := []account.Seller{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, v := range part {
			args[i], marks[i] = string(v), "$"+strconv.Itoa(i+1)
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT `+sellerCols+` FROM account_sellers WHERE id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sellers by id: %w", err)
		}
		for rows.Next() {
			sel, err := scanSeller(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("sellers by id: %w", err)
			}
			out = append(out, sel)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sellers by id: %w", err)
		}
	}
	return out, nil
}

// SellerByUser implements account.Store.
func (s *Store) SellerByUser(ctx context.Context, userID id.User) (account.Seller, error) {
	sel, err := scanSeller(s.db.Read().QueryRowContext(ctx, `SELECT `+sellerCols+` FROM account_sellers WHERE user_id = $1`, userID))
	return sel, notFound(err, "this user has no store")
}

// Sellers implements account.Store.
func (s *Store) Sellers(ctx context.Context, f account.SellerFilter) ([]account.Seller, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+sellerCols+` FROM account_sellers
		WHERE ($1 = '' OR status = $1) AND id > $2 ORDER BY id LIMIT $3`, string(f.Status), f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list sellers: %w", err)
	}
	defer rows.Close()
	out := []account.Seller{}
	for rows.Next() {
		sel, err := scanSeller(rows)
		if err != nil {
			return nil, fmt.Errorf("list sellers: %w", err)
		}
		out = append(out, sel)
	}
	return out, rows.Err()
}

// SetSellerStatus implements account.Store.
func (s *Store) SetSellerStatus(ctx context.Context, id id.Seller, status account.SellerStatus, now time.Time) (account.Seller, error) {
	var sel account.Seller
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		sel, err = scanSeller(tx.QueryRowContext(ctx, `UPDATE account_sellers SET status = $1, updated_at = $2
			WHERE id = $3 AND status <> $1 RETURNING `+sellerCols, string(status), sqldb.Micros(now), id))
		if errors.Is(err, sql.ErrNoRows) {
			sel, err = scanSeller(tx.QueryRowContext(ctx, `SELECT `+sellerCols+` FROM account_sellers WHERE id = $1`, id))
			return notFound(err, "seller %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("set seller status: %w", err)
		}
		topic := account.TopicSellerReinstated
		if status == account.SellerSuspended {
			topic = account.TopicSellerSuspended
		}
		return event.Publish(ctx, tx, topic, string(id), account.SellerStatusChanged{SellerID: id, UserID: sel.UserID, Status: status})
	})
	return sel, err
}
