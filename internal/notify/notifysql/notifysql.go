// Package notifysql is the notify Store on database/sql, for SQLite and
// PostgreSQL. Applying an event writes its notifications, its mail and the
// record that the consumer applied it in one transaction.
package notifysql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the notify tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "notify", sub)
}

// Store is the notify store.
type Store struct{ db *sqldb.DB }

var _ notify.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate, and event.Migrate for
// the record of applied events).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Apply implements notify.Store.
func (s *Store) Apply(ctx context.Context, consumer string, eventID id.Event, ns []notify.Notification, mails []notify.Mail) (bool, error) {
	return event.ApplyOnceIn(ctx, s.db.Tx, consumer, eventID, func(tx *sql.Tx) error {
		return insert(ctx, tx, ns, mails)
	})
}

// ApplyLevel implements notify.Store.
func (s *Store) ApplyLevel(ctx context.Context, consumer string, eventID id.Event, key string, low bool, ns []notify.Notification, mails []notify.Mail) (bool, error) {
	return event.ApplyOnceIn(ctx, s.db.Tx, consumer, eventID, func(tx *sql.Tx) error {
		was, err := level(ctx, tx, key)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_level (level_key, low) VALUES ($1, $2)
			ON CONFLICT (level_key) DO UPDATE SET low = excluded.low`, key, low); err != nil {
			return fmt.Errorf("record level %s: %w", key, err)
		}
		if !low || was {
			return nil
		}
		return insert(ctx, tx, ns, mails)
	})
}

// Low implements notify.Store.
func (s *Store) Low(ctx context.Context, key string) (bool, error) {
	return level(ctx, s.db.Read(), key)
}

func level(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, key string) (bool, error) {
	var low bool
	err := q.QueryRowContext(ctx, `SELECT low FROM notify_level WHERE level_key = $1`, key).Scan(&low)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read level %s: %w", key, err)
	}
	return low, nil
}

// insert writes notifications and mails, skipping any whose event and
// recipient already have one.
func insert(ctx context.Context, tx *sql.Tx, ns []notify.Notification, mails []notify.Mail) error {
	for _, n := range ns {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_notification
				(id, recipient, event_id, category, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (event_id, recipient) DO NOTHING`,
			string(n.ID), string(n.Recipient), string(n.EventID), string(n.Category), n.Title, n.Body, n.Link,
			sqldb.Micros(n.CreatedAt)); err != nil {
			return fmt.Errorf("insert notification: %w", err)
		}
	}
	for _, m := range mails {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_mail
				(id, event_id, recipient, to_addr, subject, text_body, html_body, category, unsubscribe, status, attempts, last_error, next_at, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
				ON CONFLICT (event_id, recipient) DO NOTHING`,
			string(m.ID), string(m.EventID), string(m.Recipient), m.To, m.Subject, m.Text, m.HTML, string(m.Category),
			m.Unsubscribe, string(m.Status), m.Attempts, m.LastError, sqldb.Micros(m.NextAt), sqldb.Micros(m.CreatedAt)); err != nil {
			return fmt.Errorf("insert mail: %w", err)
		}
	}
	return nil
}

const notificationCols = `id, recipient, event_id, category, title, body, link, read_at, created_at`

func scanNotification(row interface{ Scan(...any) error }) (notify.Notification, error) {
	var n notify.Notification
	var read sql.NullInt64
	var created int64
	err := row.Scan(&n.ID, &n.Recipient, &n.EventID, &n.Category, &n.Title, &n.Body, &n.Link, &read, &created)
	n.CreatedAt, n.ReadAt = sqldb.Time(created), timePtr(read)
	return n, err
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := sqldb.Time(v.Int64)
	return &t
}

// Notifications implements notify.Store.
func (s *Store) Notifications(ctx context.Context, user id.User, before *notify.Cursor, limit int) ([]notify.Notification, error) {
	q := `SELECT ` + notificationCols + ` FROM notify_notification WHERE recipient = $1`
	args := []any{string(user)}
	if before != nil {
		q += ` AND (created_at < $2 OR (created_at = $2 AND id < $3))`
		args = append(args, sqldb.Micros(before.At), string(before.ID))
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, limit)
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	var out []notify.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread implements notify.Store.
func (s *Store) Unread(ctx context.Context, user id.User) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_notification WHERE recipient = $1 AND read_at IS NULL`,
		string(user)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread: %w", err)
	}
	return n, nil
}

// MarkRead implements notify.Store.
func (s *Store) MarkRead(ctx context.Context, user id.User, nid notify.ID, at time.Time) (notify.Notification, error) {
	var n notify.Notification
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notify_notification SET read_at = $1 WHERE id = $2 AND recipient = $3 AND read_at IS NULL`,
			sqldb.Micros(at), string(nid), string(user)); err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		var err error
		n, err = scanNotification(tx.QueryRowContext(ctx, `SELECT `+notificationCols+` FROM notify_notification
			WHERE id = $1 AND recipient = $2`, string(nid), string(user)))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("notification %s not found", nid)
		}
		return err
	})
	return n, err
}

// MarkAllRead implements notify.Store.
func (s *Store) MarkAllRead(ctx context.Context, user id.User, at time.Time) (int, error) {
	res, err := s.db.Exec(ctx, `UPDATE notify_notification SET read_at = $1 WHERE recipient = $2 AND read_at IS NULL`,
		sqldb.Micros(at), string(user))
	if err != nil {
		return 0, fmt.Errorf("mark all read: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Preferences implements notify.Store.
func (s *Store) Preferences(ctx context.Context, user id.User) ([]notify.Preference, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT category, in_app, email FROM notify_preference WHERE user_id = $1 ORDER BY category`,
		string(user))
	if err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	defer rows.Close()
	var out []notify.Preference
	for rows.Next() {
		var p notify.Preference
		if err := rows.Scan(&p.Category, &p.InApp, &p.Email); err != nil {
			return nil, fmt.Errorf("read preferences: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPreferences implements notify.Store.
func (s *Store) SetPreferences(ctx context.Context, user id.User, ps []notify.Preference) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_preference (user_id, category, in_app, email) VALUES ($1, $2, $3, $4)
				ON CONFLICT (user_id, category) DO UPDATE SET in_app = excluded.in_app, email = excluded.email`,
				string(user), string(p.Category), p.InApp, p.Email); err != nil {
				return fmt.Errorf("write preference: %w", err)
			}
		}
		return nil
	})
}

const mailCols = `id, event_id, recipient, to_addr, subject, text_body, html_body, category, unsubscribe, status, attempts, last_error, next_at, sent_at, created_at`

func scanMail(row interface{ Scan(...any) error }) (notify.Mail, error) {
	var m notify.Mail
	var next, created int64
	var sent sql.NullInt64
	err := row.Scan(&m.ID, &m.EventID, &m.Recipient, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Category, &m.Unsubscribe,
		&m.Status, &m.Attempts, &m.LastError, &next, &sent, &created)
	m.NextAt, m.SentAt, m.CreatedAt = sqldb.Time(next), timePtr(sent), sqldb.Time(created)
	return m, err
}

func (s *Store) mails(ctx context.Context, q string, args ...any) ([]notify.Mail, error) {
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	defer rows.Close()
	var out []notify.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("list mail: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMail implements notify.Store.
func (s *Store) AddMail(ctx context.Context, m notify.Mail) error {
	_, err := s.db.Exec(ctx, `INSERT INTO notify_mail
		(id, event_id, recipient, to_addr, subject, text_body, html_body, category, unsubscribe, status, attempts, last_error, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		string(m.ID), string(m.EventID), string(m.Recipient), m.To, m.Subject, m.Text, m.HTML, string(m.Category),
		m.Unsubscribe, string(m.Status), m.Attempts, m.LastError, sqldb.Micros(m.NextAt), sqldb.Micros(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert mail: %w", err)
	}
	return nil
}

// Mails implements notify.Store.
func (s *Store) Mails(ctx context.Context, f notify.MailFilter) ([]notify.Mail, error) {
	q := `SELECT ` + mailCols + ` FROM notify_mail WHERE ($1 = '' OR status = $1) AND ($2 = '' OR id < $2) ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return s.mails(ctx, q, string(f.Status), string(f.Before))
}

// Mail implements notify.Store.
func (s *Store) Mail(ctx context.Context, mid notify.MailID) (notify.Mail, error) {
	m, err := scanMail(s.db.Read().QueryRowContext(ctx, `SELECT `+mailCols+` FROM notify_mail WHERE id = $1`, string(mid)))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFound("mail %s not found", mid)
	}
	if err != nil {
		return m, fmt.Errorf("read mail %s: %w", mid, err)
	}
	return m, nil
}

// DueMails implements notify.Store.
func (s *Store) DueMails(ctx context.Context, now time.Time, limit int) ([]notify.Mail, error) {
	return s.mails(ctx, `SELECT `+mailCols+` FROM notify_mail WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT `+
		fmt.Sprint(limit), sqldb.Micros(now))
}

// UpdateMail implements notify.Store.
func (s *Store) UpdateMail(ctx context.Context, m notify.Mail) error {
	var sent any
	if m.SentAt != nil {
		sent = sqldb.Micros(*m.SentAt)
	}
	res, err := s.db.Exec(ctx, `UPDATE notify_mail SET status = $1, attempts = $2, last_error = $3, next_at = $4, sent_at = $5 WHERE id = $6`,
		string(m.Status), m.Attempts, m.LastError, sqldb.Micros(m.NextAt), sent, string(m.ID))
	if err != nil {
		return fmt.Errorf("update mail %s: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFound("mail %s not found", m.ID)
	}
	return nil
}
