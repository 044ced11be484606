package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/bazaar-market/bazaar/internal/sqldb"
)

func openSQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), "things", migrations); err != nil {
		t.Fatal(err)
	}
	return db
}

// The statement cache runs the same SQL again and again, inside its own
// rows' loop, past its size, and after errors, with the right answers.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	const insert = `INSERT INTO things (id, n, at) VALUES ($1, $2, 0)`
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range 10 {
			if _, err := tx.ExecContext(ctx, insert, fmt.Sprintf("t%02d", i), i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	// The same query inside its own rows' loop, on one transaction (one
	// connection): the inner use cannot share the outer's statement.
	const byMin = `SELECT id, n FROM things WHERE n >= $1 ORDER BY n`
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, byMin, 5)
		if err != nil {
			return err
		}
		defer rows.Close()
		outer := 0
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			inner := 0
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+byMin+`) x`, n).Scan(&inner); err != nil {
				return err
			}
			in, err := tx.QueryContext(ctx, byMin, n)
			if err != nil {
				return err
			}
			for in.Next() {
				inner--
			}
			in.Close()
			if inner != 0 {
				return fmt.Errorf("nested query from %d: %d rows off", n, inner)
			}
			outer++
		}
		if outer != 5 {
			return fmt.Errorf("outer query: %d rows, want 5", outer)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// More distinct statements than the cache holds, then the first again.
	for i := range 300 {
		var n int
		if err := db.Read().QueryRowContext(ctx, fmt.Sprintf(`SELECT n + %d FROM things WHERE id = $1`, i), "t03").Scan(&n); err != nil || n != 3+i {
			t.Fatalf("query %d = %d, %v; want %d", i, n, err, 3+i)
		}
	}
	// A failing statement, then the same statement succeeding.
	if _, err := db.Exec(ctx, insert, "t00", 1); !sqldb.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert = %v, want a unique violation", err)
	}
	if _, err := db.Exec(ctx, insert, "t10", 10); err != nil {
		t.Fatalf("insert after a failure: %v", err)
	}
	// A rolled back write through a cached statement leaves nothing.
	_ = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insert, "t11", 11); err != nil {
			t.Fatal(err)
		}
		return fmt.Errorf("roll back")
	})
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM things`).Scan(&n); err != nil || n != 11 {
		t.Fatalf("count = %d, %v; want 11", n, err)
	}
	// A statement abandoned mid-rows by a closed Rows is usable again.
	rows, err := db.Read().QueryContext(ctx, byMin, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	rows.Close()
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM (`+byMin+`) x`, 0).Scan(&n); err != nil || n != 11 {
		t.Fatalf("count after an abandoned query = %d, %v; want 11", n, err)
	}
}

// BenchmarkStatementCache: a point read and a small write, the shape of a
// store's calls, with the cache on and off (BAZAAR_SQLITE_STMT_CACHE) in
// one run.
func BenchmarkStatementCache(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"on", "off"} {
		b.Run("cache="+mode, func(b *testing.B) {
			b.Setenv("BAZAAR_SQLITE_STMT_CACHE", mode)
			db := openSQLite(b)
			if _, err := db.Exec(ctx, `INSERT INTO things (id, n, at) VALUES ('x', 0, 0)`); err != nil {
				b.Fatal(err)
			}
			b.Run("read", func(b *testing.B) {
				for b.Loop() {
					var n int
					if err := db.Read().QueryRowContext(ctx, `SELECT n FROM things WHERE id = $1 AND at >= $2 AND n >= 0`, "x", 0).Scan(&n); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("write", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.Exec(ctx, `UPDATE things SET n = n + 1, at = $2 WHERE id = $1 AND n >= 0`, "x", 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
