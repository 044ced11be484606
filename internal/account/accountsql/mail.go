package accountsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// SetEmailVerified implements account.Store.
func (s *Store) SetEmailVerified(ctx context.Context, uid id.User, email string, now time.Time) (account.User, error) {
	var u account.User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE account_users SET email_verified = TRUE, updated_at = $1
			WHERE id = $2 AND email = $3 RETURNING `+userCols, sqldb.Micros(now), uid, email))
		return notFound(err, "user %s with this e-mail not found", uid)
	})
	return u, err
}

// CreateToken implements account.Store.
func (s *Store) CreateToken(ctx context.Context, t account.Token) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_mail_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
			t.UserID, string(t.Purpose)); err != nil {
			return fmt.Errorf("supersede tokens: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO account_mail_tokens (hash, user_id, purpose, email, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, t.Hash, t.UserID, string(t.Purpose), t.Email, sqldb.Micros(t.CreatedAt), sqldb.Micros(t.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return nil
	})
}

// Token implements account.Store.
func (s *Store) Token(ctx context.Context, hash string) (account.Token, error) {
	var t account.Token
	var purpose string
	var created, expires int64
	var used sql.NullInt64
	err := s.db.Read().QueryRowContext(ctx, `SELECT hash, user_id, purpose, email, created_at, expires_at, used_at
		FROM account_mail_tokens WHERE hash = $1`, hash).Scan(&t.Hash, &t.UserID, &purpose, &t.Email, &created, &expires, &used)
	if err != nil {
		return t, notFound(err, "no such token")
	}
	t.Purpose, t.CreatedAt, t.ExpiresAt = account.Purpose(purpose), sqldb.Time(created), sqldb.Time(expires)
	if used.Valid {
		at := sqldb.Time(used.Int64)
		t.UsedAt = &at
	}
	return t, nil
}

var errTokenInvalid = apperr.Invalid("token_invalid", "this link is invalid, has expired or was already used",
	apperr.FieldError{Field: "token", Message: "is invalid, expired or already used"})

// UseToken implements account.Store. The token is consumed by a
// conditional update, so of two concurrent uses one wins.
func (s *Store) UseToken(ctx context.Context, hash string, purpose account.Purpose, now time.Time, passwordHash string) (account.User, error) {
	var u account.User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var uid id.User
		var email string
		err := tx.QueryRowContext(ctx, `UPDATE account_mail_tokens SET used_at = $1
			WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
			RETURNING user_id, email`, sqldb.Micros(now), hash, string(purpose)).Scan(&uid, &email)
		if errors.Is(err, sql.ErrNoRows) {
			return errTokenInvalid
		} else if err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		var row *sql.Row
		switch purpose {
		case account.PurposeVerifyEmail:
			row = tx.QueryRowContext(ctx, `UPDATE account_users SET email_verified = TRUE, updated_at = $1
				WHERE id = $2 AND email = $3 RETURNING `+userCols, sqldb.Micros(now), uid, email)
		case account.PurposeResetPassword:
			row = tx.QueryRowContext(ctx, `UPDATE account_users SET password_hash = $1, email_verified = TRUE, updated_at = $2
				WHERE id = $3 AND email = $4 RETURNING `+userCols, passwordHash, sqldb.Micros(now), uid, email)
		case account.PurposeChangeEmail:
			row = tx.QueryRowContext(ctx, `UPDATE account_users SET email = $1, email_verified = TRUE, updated_at = $2
				WHERE id = $3 RETURNING `+userCols, email, sqldb.Micros(now), uid)
		default:
			return errTokenInvalid
		}
		u, err = scanUser(row)
		switch {
		case errors.Is(err, sql.ErrNoRows): // the address changed since the link was sent
			return errTokenInvalid
		case sqldb.IsUniqueViolation(err):
			return apperr.Conflict("email_taken", "an account with this e-mail already exists")
		case err != nil:
			return fmt.Errorf("apply token: %w", err)
		}
		switch purpose {
		case account.PurposeResetPassword:
			if err := revokeUserSessions(ctx, tx, uid, now); err != nil {
				return err
			}
		case account.PurposeChangeEmail:
			// Links sent to the old address die with it.
			if _, err := tx.ExecContext(ctx, `DELETE FROM account_mail_tokens WHERE user_id = $1 AND used_at IS NULL`, uid); err != nil {
				return fmt.Errorf("drop old links: %w", err)
			}
		}
		return nil
	})
	return u, err
}

// DeleteExpiredMailTokens implements account.Store.
func (s *Store) DeleteExpiredMailTokens(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM account_mail_tokens WHERE expires_at < $1`, sqldb.Micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete expired mail tokens: %w", err)
	}
	return res.RowsAffected()
}

// ForgetDevices implements account.Store.
func (s *Store) ForgetDevices(ctx context.Context, before time.Time) (int64, error) {
	// Each user's most recent device stays, so that a user is never taken
	// for one signing in for the first time (whose device is learned
	// silently).
	res, err := s.db.Exec(ctx, `DELETE FROM account_devices WHERE last_seen_at < $1
		AND last_seen_at < (SELECT MAX(o.last_seen_at) FROM account_devices o WHERE o.user_id = account_devices.user_id)`, sqldb.Micros(before))
	if err != nil {
		return 0, fmt.Errorf("forget devices: %w", err)
	}
	return res.RowsAffected()
}

// KnownDevice implements account.Store.
func (s *Store) KnownDevice(ctx context.Context, user id.User, key string) (bool, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_devices WHERE user_id = $1 AND key_hash = $2`, user, key).Scan(&n); err != nil {
		return false, fmt.Errorf("find device: %w", err)
	}
	return n > 0, nil
}

// RememberDevice implements account.Store.
func (s *Store) RememberDevice(ctx context.Context, user id.User, keys []string, now time.Time) (known, first bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		known, first = false, false
		var devices, match int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_devices WHERE user_id = $1`, user).Scan(&devices); err != nil {
			return fmt.Errorf("count devices: %w", err)
		}
		first = devices == 0
		for _, k := range keys {
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_devices WHERE user_id = $1 AND key_hash = $2`, user, k).Scan(&match); err != nil {
				return fmt.Errorf("find device: %w", err)
			}
			known = known || match > 0
			if _, err := tx.ExecContext(ctx, `INSERT INTO account_devices (user_id, key_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $3)
				ON CONFLICT (user_id, key_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at`, user, k, sqldb.Micros(now)); err != nil {
				return fmt.Errorf("remember device: %w", err)
			}
		}
		return nil
	})
	return known, first, err
}
