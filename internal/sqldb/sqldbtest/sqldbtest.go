// Package sqldbtest gives tests fresh databases on every engine Bazaar runs on:
// a SQLite file always, and PostgreSQL when BAZAAR_TEST_POSTGRES_URL is set.
// With CI=true a missing or unreachable PostgreSQL fails the test instead of
// skipping it, so CI can never pass on SQLite alone.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "BAZAAR_TEST_POSTGRES_URL"

// Each runs fn once per engine, as subtests "sqlite" and "postgres", each
// with a fresh, empty database.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a new database file in a temporary directory.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"), "")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns a URL for a fresh, empty schema of the test server
// (dropped when the test ends). It skips the test, or fails it under CI, when
// no server is configured or reachable.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		unavailable(t, EnvPostgres+" is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		unavailable(t, "open postgres: "+err.Error())
	}
	defer admin.Close()
	if err := admin.PingContext(context.Background()); err != nil {
		unavailable(t, "postgres unreachable: "+err.Error())
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a fresh, empty schema on the test server.
func Postgres(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), PostgresURL(t), "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is required in CI: %s", why)
	}
	t.Skipf("skipping PostgreSQL: %s (set %s=postgres://... to run)", why, EnvPostgres)
}
