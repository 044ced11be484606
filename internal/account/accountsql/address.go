package accountsql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

const addressCols = `id, user_id, name, line1, line2, city, region, postal_code, country, phone, is_default, created_at, updated_at`

func scanAddress(r scanner) (account.Address, error) {
	var a account.Address
	var def int
	var created, updated int64
	if err := r.Scan(&a.ID, &a.UserID, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country, &a.Phone,
		&def, &created, &updated); err != nil {
		return account.Address{}, err
	}
	a.IsDefault = def == 1
	a.CreatedAt, a.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	return a, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addressConflict maps the one-default index clashing with a concurrent
// change of the same user's addresses.
func addressConflict(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("address_conflict", "your addresses changed at the same time; try again")
	}
	return err
}

// Addresses implements account.Store.
func (s *Store) Addresses(ctx context.Context, f account.AddressFilter) ([]account.Address, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+addressCols+` FROM account_addresses
		WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3`, f.UserID, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	defer rows.Close()
	out := []account.Address{}
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, fmt.Errorf("list addresses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Address implements account.Store.
func (s *Store) Address(ctx context.Context, userID id.User, id id.Address) (account.Address, error) {
	a, err := scanAddress(s.db.Read().QueryRowContext(ctx, `SELECT `+addressCols+` FROM account_addresses
		WHERE id = $1 AND user_id = $2`, id, userID))
	return a, notFound(err, "address %s not found", id)
}

func clearDefault(ctx context.Context, tx *sql.Tx, userID id.User, except id.Address) error {
	_, err := tx.ExecContext(ctx, `UPDATE account_addresses SET is_default = 0 WHERE user_id = $1 AND is_default = 1 AND id <> $2`, userID, except)
	if err != nil {
		return fmt.Errorf("clear default address: %w", err)
	}
	return nil
}

// CreateAddress implements account.Store.
func (s *Store) CreateAddress(ctx context.Context, a account.Address) (account.Address, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_addresses WHERE user_id = $1`, a.UserID).Scan(&n); err != nil {
			return fmt.Errorf("count addresses: %w", err)
		}
		if n >= account.MaxAddresses {
			return apperr.Conflict("address_limit", "you can keep at most %d addresses; delete one first", account.MaxAddresses)
		}
		if n == 0 {
			a.IsDefault = true
		}
		if a.IsDefault {
			if err := clearDefault(ctx, tx, a.UserID, a.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO account_addresses (`+addressCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			a.ID, a.UserID, a.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.Phone,
			boolInt(a.IsDefault), sqldb.Micros(a.CreatedAt), sqldb.Micros(a.UpdatedAt))
		if err != nil {
			return addressConflict(fmt.Errorf("insert address: %w", err))
		}
		return nil
	})
	if err != nil {
		return account.Address{}, err
	}
	return a, nil
}

// UpdateAddress implements account.Store.
func (s *Store) UpdateAddress(ctx context.Context, a account.Address) (account.Address, error) {
	var out account.Address
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if a.IsDefault {
			if err := clearDefault(ctx, tx, a.UserID, a.ID); err != nil {
				return err
			}
		}
		var err error
		out, err = scanAddress(tx.QueryRowContext(ctx, `UPDATE account_addresses SET name = $1, line1 = $2, line2 = $3, city = $4,
			region = $5, postal_code = $6, country = $7, phone = $8, is_default = $9, updated_at = $10
			WHERE id = $11 AND user_id = $12 RETURNING `+addressCols,
			a.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.Phone, boolInt(a.IsDefault),
			sqldb.Micros(a.UpdatedAt), a.ID, a.UserID))
		return addressConflict(notFound(err, "address %s not found", a.ID))
	})
	return out, err
}

// DeleteAddress implements account.Store.
func (s *Store) DeleteAddress(ctx context.Context, userID id.User, id id.Address) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM account_addresses WHERE id = $1 AND user_id = $2`, id, userID)
		if err != nil {
			return fmt.Errorf("delete address: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.NotFound("address %s not found", id)
		}
		return nil
	})
}
