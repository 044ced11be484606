// Package accountsql is the account Store on SQLite and PostgreSQL.
package accountsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or updates the account tables. The event outbox
// (event.Migrate) must exist too: the store publishes into it.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "account", sub)
}

// Store implements account.Store.
type Store struct {
	db *sqldb.DB
}

var _ account.Store = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

type scanner interface{ Scan(dest ...any) error }

const userCols = `id, email, name, role, status, email_verified, created_at, updated_at`

func scanUser(r scanner, extra ...any) (account.User, error) {
	var u account.User
	var role, status string
	var created, updated int64
	dest := append([]any{&u.ID, &u.Email, &u.Name, &role, &status, &u.EmailVerified, &created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return account.User{}, err
	}
	u.Role, u.Status = auth.Role(role), account.UserStatus(status)
	u.CreatedAt, u.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	return u, nil
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound(format, args...)
	}
	return err
}

// CreateUser implements account.Store.
func (s *Store) CreateUser(ctx context.Context, u account.User, passwordHash string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_users (id, email, name, role, status, password_hash, email_verified, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Email, u.Name, string(u.Role), string(u.Status), passwordHash, u.EmailVerified, sqldb.Micros(u.CreatedAt), sqldb.Micros(u.UpdatedAt))
		if sqldb.IsUniqueViolation(err) {
			return apperr.Conflict("email_taken", "an account with this e-mail already exists")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return event.Publish(ctx, tx, account.TopicUserRegistered, string(u.ID), account.UserRegistered{
			UserID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role)})
	})
}

// User implements account.Store.
func (s *Store) User(ctx context.Context, id id.User) (account.User, error) {
	u, err := scanUser(s.db.Read().QueryRowContext(ctx, `SELECT `+userCols+` FROM account_users WHERE id = $1`, id))
	return u, notFound(err, "user %s not found", id)
}

// UserByEmail implements account.Store.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	u, err := scanUser(s.db.Read().QueryRowContext(ctx, `SELECT `+userCols+` FROM account_users WHERE email = $1`, email))
	return u, notFound(err, "no user with this e-mail")
}

// UserCredentials implements account.Store.
func (s *Store) UserCredentials(ctx context.Context, email string) (account.User, string, error) {
	var hash string
	u, err := scanUser(s.db.Read().QueryRowContext(ctx, `SELECT `+userCols+`, password_hash FROM account_users WHERE email = $1`, email), &hash)
	return u, hash, notFound(err, "no user with this e-mail")
}

// PasswordHash implements account.Store.
func (s *Store) PasswordHash(ctx context.Context, id id.User) (string, error) {
	var hash string
	err := s.db.Read().QueryRowContext(ctx, `SELECT password_hash FROM account_users WHERE id = $1`, id).Scan(&hash)
	return hash, notFound(err, "user %s not found", id)
}

// Users implements account.Store.
func (s *Store) Users(ctx context.Context, f account.UserFilter) ([]account.User, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+userCols+` FROM account_users
		WHERE ($1 = '' OR role = $1) AND ($2 = '' OR status = $2) AND id > $3
		ORDER BY id LIMIT $4`, string(f.Role), string(f.Status), f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []account.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserName implements account.Store.
func (s *Store) SetUserName(ctx context.Context, id id.User, name string, now time.Time) (account.User, error) {
	var u account.User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE account_users SET name = $1, updated_at = $2 WHERE id = $3 RETURNING `+userCols,
			name, sqldb.Micros(now), id))
		return notFound(err, "user %s not found", id)
	})
	return u, err
}

func revokeUserSessions(ctx context.Context, tx *sql.Tx, userID id.User, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE account_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
		sqldb.Micros(now), userID)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// SetPassword implements account.Store.
func (s *Store) SetPassword(ctx context.Context, id id.User, passwordHash string, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE account_users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			passwordHash, sqldb.Micros(now), id)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.NotFound("user %s not found", id)
		}
		return revokeUserSessions(ctx, tx, id, now)
	})
}

// SetUserStatus implements account.Store.
func (s *Store) SetUserStatus(ctx context.Context, id id.User, status account.UserStatus, now time.Time) (account.User, error) {
	var u account.User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE account_users SET status = $1, updated_at = $2
			WHERE id = $3 AND status <> $1 RETURNING `+userCols, string(status), sqldb.Micros(now), id))
		if errors.Is(err, sql.ErrNoRows) { // missing, or already in that status
			u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM account_users WHERE id = $1`, id))
			return notFound(err, "user %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("set user status: %w", err)
		}
		topic := account.TopicUserReinstated
		if status == account.UserSuspended {
			topic = account.TopicUserSuspended
			if err := revokeUserSessions(ctx, tx, id, now); err != nil {
				return err
			}
		}
		return event.Publish(ctx, tx, topic, string(id), account.UserStatusChanged{UserID: id, Role: string(u.Role), Status: status})
	})
	return u, err
}

// CreateSession implements account.Store.
func (s *Store) CreateSession(ctx context.Context, t account.RefreshToken) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_sessions (id, user_id, created_at) VALUES ($1, $2, $3)`,
			t.SessionID, t.UserID, sqldb.Micros(t.CreatedAt)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return insertToken(ctx, tx, t)
	})
}

func insertToken(ctx context.Context, tx *sql.Tx, t account.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO account_refresh_tokens (hash, session_id, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.SessionID, t.UserID, sqldb.Micros(t.CreatedAt), sqldb.Micros(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RotateRefreshToken implements account.Store.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, now, expires time.Time) (account.Grant, error) {
	var g account.Grant
	var refused error // committed outcomes that the caller sees as errors
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		g, refused = account.Grant{}, nil
		err := tx.QueryRowContext(ctx, `UPDATE account_refresh_tokens SET used_at = $1
			WHERE hash = $2 AND used_at IS NULL AND expires_at > $1
			  AND EXISTS (SELECT 1 FROM account_sessions s
			              WHERE s.id = account_refresh_tokens.session_id AND s.revoked_at IS NULL)
			RETURNING session_id, user_id`, sqldb.Micros(now), oldHash).Scan(&g.SessionID, &g.UserID)
		if err == nil {
			return insertToken(ctx, tx, account.RefreshToken{Hash: newHash, SessionID: g.SessionID, UserID: g.UserID, CreatedAt: now, ExpiresAt: expires})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("use refresh token: %w", err)
		}
		// Find out why the token was refused.
		var used, revoked sql.NullInt64
		var exp int64
		err = tx.QueryRowContext(ctx, `SELECT t.session_id, t.user_id, t.used_at, t.expires_at, s.revoked_at
			FROM account_refresh_tokens t JOIN account_sessions s ON s.id = t.session_id WHERE t.hash = $1`, oldHash).
			Scan(&g.SessionID, &g.UserID, &used, &exp, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			refused = apperr.Unauthorized("invalid_refresh_token", "the refresh token is not valid")
		case err != nil:
			return fmt.Errorf("read refresh token: %w", err)
		case revoked.Valid:
			refused = apperr.Unauthorized("session_revoked", "this session has ended; sign in again")
		case used.Valid:
			// A used token came back: someone holds a copy. End the session
			// so that neither the thief nor the user can go on with it.
			if _, err := tx.ExecContext(ctx, `UPDATE account_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
				sqldb.Micros(now), g.SessionID); err != nil {
				return fmt.Errorf("revoke session: %w", err)
			}
			refused = apperr.Unauthorized("refresh_token_reused", "this refresh token was already used; the session has been ended for safety, sign in again")
		default:
			refused = apperr.Unauthorized("invalid_refresh_token", "the refresh token has expired; sign in again")
		}
		return nil
	})
	if err != nil {
		return account.Grant{}, err
	}
	return g, refused
}

// RevokeSessionOf implements account.Store.
func (s *Store) RevokeSessionOf(ctx context.Context, hash string, now time.Time) (account.Grant, bool, error) {
	var g account.Grant
	found := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT session_id, user_id FROM account_refresh_tokens WHERE hash = $1`, hash).Scan(&g.SessionID, &g.UserID)
		if errors.Is(err, sql.ErrNoRows) {
			found = false
			return nil
		}
		if err != nil {
			return fmt.Errorf("read refresh token: %w", err)
		}
		found = true
		_, err = tx.ExecContext(ctx, `UPDATE account_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
			sqldb.Micros(now), g.SessionID)
		return err
	})
	return g, found, err
}

// Access implements account.Store.
func (s *Store) Access(ctx context.Context, userID id.User, sessionID id.Session) (account.Access, error) {
	var a account.Access
	var role, status string
	var live int
	err := s.db.Read().QueryRowContext(ctx, `SELECT u.role, u.status,
		(SELECT COUNT(*) FROM account_sessions s WHERE s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL)
		FROM account_users u WHERE u.id = $1`, userID, sessionID).Scan(&role, &status, &live)
	if err != nil {
		return a, notFound(err, "user %s not found", userID)
	}
	a.Role, a.Status, a.SessionActive = auth.Role(role), account.UserStatus(status), live > 0
	return a, nil
}

// DeleteExpiredTokens implements account.Store.
func (s *Store) DeleteExpiredTokens(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM account_refresh_tokens WHERE expires_at < $1`, sqldb.Micros(before))
		if err != nil {
			return fmt.Errorf("delete expired tokens: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
