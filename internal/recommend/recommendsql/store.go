// Package recommendsql stores the recommend module's signals (views, cart
// and wishlist adds, purchases, ratings, returns) in SQLite or PostgreSQL.
package recommendsql

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or updates the recommend module's tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "recommend", sub)
}

// Store is the signals table.
type Store struct{ db *sqldb.DB }

var _ recommend.Store = (*Store)(nil)

// New returns a store over db (migrated with Migrate, and event.Migrate for
// ApplyOnce).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// batch is how many signals one transaction inserts at most.
const batch = 20000

// Insert implements recommend.Store: it appends signals, in transactions of
// up to 20,000 rows.
func (s *Store) Insert(ctx context.Context, sigs []recommend.Signal) error {
	for start := 0; start < len(sigs); start += batch {
		part := sigs[start:min(start+batch, len(sigs))]
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.insert(ctx, tx, part) }); err != nil {
			return err
		}
	}
	return nil
}

// insert appends sigs in tx.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, sigs []recommend.Signal) error {
	if len(sigs) == 0 {
		return nil
	}
	rows := make([][]any, len(sigs))
	for i, sg := range sigs {
		rows[i] = []any{sg.Subject, sg.ProductID, int(sg.Kind), int(sg.Value), sg.At.Unix()}
	}
	if err := s.db.InsertRows(ctx, tx, `INSERT INTO recommend_signals (subject, product_id, kind, value, at) VALUES `, 5, rows, ""); err != nil {
		return fmt.Errorf("insert signals: %w", err)
	}
	return nil
}

// ApplyOnce implements recommend.Store: it appends sigs in the transaction
// that records that consumer applied eventID, unless it had.
func (s *Store) ApplyOnce(ctx context.Context, consumer string, eventID id.Event, sigs []recommend.Signal) error {
	_, err := event.ApplyOnceIn(ctx, s.db.Tx, consumer, eventID, func(tx *sql.Tx) error {
		return s.insert(ctx, tx, sigs)
	})
	return err
}

// Since implements recommend.Store: up to limit signals after seq, at or
// after notBefore, in seq order.
func (s *Store) Since(ctx context.Context, seq int64, notBefore time.Time, limit int) ([]recommend.Row, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT seq, subject, product_id, kind, value, at FROM recommend_signals
		WHERE seq > $1 AND at >= $2 ORDER BY seq LIMIT $3`, seq, notBefore.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("read signals: %w", err)
	}
	defer rows.Close()
	var out []recommend.Row
	for rows.Next() {
		var r recommend.Row
		var kind, value int
		var at int64
		if err := rows.Scan(&r.Seq, &r.Subject, &r.ProductID, &kind, &value, &at); err != nil {
			return nil, fmt.Errorf("read signals: %w", err)
		}
		r.Kind, r.Value, r.At = recmodel.Kind(kind), int8(value), time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastSeq implements recommend.Store: the highest seq so far (0 if none).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT MAX(seq) FROM recommend_signals`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read the last signal: %w", err)
	}
	return n.Int64, nil
}

// Purge implements recommend.Store: it deletes the signals older than
// before and returns how many.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM recommend_signals WHERE at < $1`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("purge signals: %w", err)
	}
	return res.RowsAffected()
}
