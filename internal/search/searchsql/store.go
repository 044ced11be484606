// Package searchsql stores the search module's own data (product signals:
// ratings and sales) in SQLite or PostgreSQL.
package searchsql

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the search module's tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "search", sub)
}

// Store keeps product signals (shared by every search replica) and one
// replica's refresh queue and stock states.
type Store struct {
	db      *sqldb.DB
	replica string
}

var _ search.Signals = (*Store)(nil)

// DefaultReplica names the replica of New's store.
const DefaultReplica = "default"

// New returns a store over db (migrated with Migrate), for the replica
// named DefaultReplica.
func New(db *sqldb.DB) *Store { return &Store{db: db, replica: DefaultReplica} }

// ForReplica returns the store for the search replica named replica: its
// own queue and stock states, the shared signals.
func (s *Store) ForReplica(replica string) *Store { return &Store{db: s.db, replica: replica} }

// chunk is how many products go into one statement.
const chunk = 500

// Signals implements search.Signals.
func (s *Store) Signals(ctx context.Context, productIDs []id.Product) (map[id.Product]search.Signal, error) {
	out := make(map[id.Product]search.Signal, len(productIDs))
	for start := 0; start < len(productIDs); start += chunk {
		part := productIDs[start:min(start+chunk, len(productIDs))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT product_id, rating_x100, rating_count, sales FROM search_signals
			WHERE product_id IN (`+placeholders(1, len(part), 1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read signals: %w", err)
		}
		for rows.Next() {
			var sg search.Signal
			var r int64
			if err := rows.Scan(&sg.ProductID, &r, &sg.RatingCount, &sg.Sales); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read signals: %w", err)
			}
			sg.Rating = float64(r) / 100
			out[sg.ProductID] = sg
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read signals: %w", err)
		}
	}
	return out, nil
}

// ratingX100 is a rating as stored: hundredths of a star, 0 to 500.
func ratingX100(r float64) int64 { return min(max(int64(math.Round(r*100)), 0), 500) }

// PutSignals inserts or replaces the signals of products, in one
// transaction. It publishes no events: call the search service's Refresh
// (or Reindex after a bulk load) to show them.
func (s *Store) PutSignals(ctx context.Context, sigs []search.Signal) error {
	now := sqldb.Micros(time.Now())
	rows := make([][]any, len(sigs))
	for i, sg := range sigs {
		rows[i] = []any{sg.ProductID, ratingX100(sg.Rating), max(sg.RatingCount, 0), max(sg.Sales, 0), now}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := s.db.InsertRows(ctx, tx, `INSERT INTO search_signals (product_id, rating_x100, rating_count, sales, updated_at) VALUES `, 5, rows,
			` ON CONFLICT (product_id) DO UPDATE SET rating_x100 = excluded.rating_x100, rating_count = excluded.rating_count,
			sales = excluded.sales, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("write signals: %w", err)
		}
		return nil
	})
}

// placeholders returns n groups of width parameters from $from: "($1,$2),($3,$4)"
// or, for width 1, "$1,$2".
func placeholders(from, n, width int) string {
	var b strings.Builder
	p := from
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if width > 1 {
			b.WriteByte('(')
		}
		for j := range width {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		if width > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}
