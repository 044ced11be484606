package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var migrations = fstest.MapFS{
	"00001_things.sql": {Data: []byte(`-- +goose Up
CREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0), at BIGINT NOT NULL);
-- +goose Down
DROP TABLE things;
`)},
}

func TestStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for range 2 { // migrations are idempotent
			if err := db.Migrate(ctx, "things", migrations); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		}
		now := time.Now()
		insert := func(id string, n int) error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO things (id, n, at) VALUES ($1, $2, $3)`, id, n, sqldb.Micros(now))
				return err
			})
		}
		if err := insert("a", 1); err != nil {
			t.Fatalf("insert: %v", err)
		}
		if err := insert("a", 2); !sqldb.IsUniqueViolation(err) {
			t.Errorf("duplicate insert = %v, want a unique violation", err)
		}
		if err := insert("b", -1); !sqldb.IsCheckViolation(err) {
			t.Errorf("negative insert = %v, want a check violation", err)
		}
		// A failed use case leaves nothing behind.
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO things (id, n, at) VALUES ('c', 1, 0)`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Tx = %v, want boom", err)
		}
		var n int
		var at int64
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*), MAX(at) FROM things`).Scan(&n, &at); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("rows after rollback = %d, want 1", n)
		}
		if got := sqldb.Time(at); !got.Equal(now.Truncate(time.Microsecond)) || got.Location() != time.UTC {
			t.Errorf("stored time = %v, want %v in UTC", got, now)
		}
	})
}

func TestSQLiteReadHandleIsReadOnly(t *testing.T) {
	db, err := sqldb.Open(context.Background(), "", filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect != sqldb.SQLite {
		t.Fatalf("Dialect = %s, want sqlite", db.Dialect)
	}
	if _, err := db.Read().Exec(`CREATE TABLE x (a INTEGER)`); err == nil {
		t.Error("write through the read handle succeeded, want an error")
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	if _, err := sqldb.Open(context.Background(), "mysql://user:hunter2@host/db", t.TempDir()); err == nil {
		t.Fatal("Open(mysql://) succeeded, want error")
	} else if got := err.Error(); contains(got, "hunter2") {
		t.Errorf("error %q leaks the password", got)
	}
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
