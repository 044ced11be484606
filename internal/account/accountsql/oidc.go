package accountsql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// CreateOIDCFlow implements account.Store.
func (s *Store) CreateOIDCFlow(ctx context.Context, f account.OIDCFlow) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_oidc_flows
			(state_hash, provider, nonce, verifier, binding_hash, redirect_url, next, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			f.StateHash, f.Provider, f.Nonce, f.Verifier, f.BindingHash, f.RedirectURL, f.Next, sqldb.Micros(f.CreatedAt), sqldb.Micros(f.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert oidc flow: %w", err)
		}
		return nil
	})
}

// TakeOIDCFlow implements account.Store. The DELETE ... RETURNING makes
// two concurrent callbacks with one state see it once.
func (s *Store) TakeOIDCFlow(ctx context.Context, stateHash string) (account.OIDCFlow, error) {
	var f account.OIDCFlow
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var created, expires int64
		err := tx.QueryRowContext(ctx, `DELETE FROM account_oidc_flows WHERE state_hash = $1
			RETURNING state_hash, provider, nonce, verifier, binding_hash, redirect_url, next, created_at, expires_at`, stateHash).
			Scan(&f.StateHash, &f.Provider, &f.Nonce, &f.Verifier, &f.BindingHash, &f.RedirectURL, &f.Next, &created, &expires)
		if err != nil {
			return notFound(err, "no such sign-in flow")
		}
		f.CreatedAt, f.ExpiresAt = sqldb.Time(created), sqldb.Time(expires)
		return nil
	})
	return f, err
}

// CreateOIDCHandoff implements account.Store.
func (s *Store) CreateOIDCHandoff(ctx context.Context, h account.OIDCHandoff) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_oidc_handoffs (code_hash, user_id, binding_hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, h.CodeHash, h.UserID, h.BindingHash, sqldb.Micros(h.CreatedAt), sqldb.Micros(h.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert oidc hand-off: %w", err)
		}
		return nil
	})
}

// TakeOIDCHandoff implements account.Store.
func (s *Store) TakeOIDCHandoff(ctx context.Context, codeHash string) (account.OIDCHandoff, error) {
	var h account.OIDCHandoff
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var created, expires int64
		err := tx.QueryRowContext(ctx, `DELETE FROM account_oidc_handoffs WHERE code_hash = $1
			RETURNING code_hash, user_id, binding_hash, created_at, expires_at`, codeHash).
			Scan(&h.CodeHash, &h.UserID, &h.BindingHash, &created, &expires)
		if err != nil {
			return notFound(err, "no such sign-in code")
		}
		h.CreatedAt, h.ExpiresAt = sqldb.Time(created), sqldb.Time(expires)
		return nil
	})
	return h, err
}

// IdentityUser implements account.Store.
func (s *Store) IdentityUser(ctx context.Context, provider, subject string) (id.User, error) {
	var u id.User
	err := s.db.Read().QueryRowContext(ctx, `SELECT user_id FROM account_identities WHERE provider = $1 AND subject = $2`,
		provider, subject).Scan(&u)
	return u, notFound(err, "no account is linked to this identity")
}

func insertLink(ctx context.Context, tx *sql.Tx, l account.IdentityLink) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO account_identities (provider, subject, user_id, email, created_at)
		VALUES ($1, $2, $3, $4, $5)`, l.Provider, l.Subject, l.UserID, l.Email, sqldb.Micros(l.CreatedAt))
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("identity_linked", "this identity is already linked to an account")
	}
	if err != nil {
		return fmt.Errorf("insert identity: %w", err)
	}
	return nil
}

// LinkIdentity implements account.Store.
func (s *Store) LinkIdentity(ctx context.Context, l account.IdentityLink) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return insertLink(ctx, tx, l) })
}

// CreateUserWithIdentity implements account.Store. The user's password
// hash is empty: no password verifies against it.
func (s *Store) CreateUserWithIdentity(ctx context.Context, u account.User, l account.IdentityLink) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_users (id, email, name, role, status, password_hash, email_verified, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8)`,
			u.ID, u.Email, u.Name, string(u.Role), string(u.Status), u.EmailVerified, sqldb.Micros(u.CreatedAt), sqldb.Micros(u.UpdatedAt))
		if sqldb.IsUniqueViolation(err) {
			return apperr.Conflict("email_taken", "an account with this e-mail already exists")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if err := insertLink(ctx, tx, l); err != nil {
			return err
		}
		return event.Publish(ctx, tx, account.TopicUserRegistered, string(u.ID), account.UserRegistered{
			UserID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role)})
	})
}

// DeleteExpiredOIDC implements account.Store.
func (s *Store) DeleteExpiredOIDC(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, q := range []string{
			`DELETE FROM account_oidc_flows WHERE expires_at < $1`,
			`DELETE FROM account_oidc_handoffs WHERE expires_at < $1`,
		} {
			res, err := tx.ExecContext(ctx, q, sqldb.Micros(before))
			if err != nil {
				return fmt.Errorf("delete expired oidc rows: %w", err)
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	return n, err
}
