// Package sqldb opens the relational database every module stores its tables
// in: an embedded SQLite file (pure-Go driver, WAL) by default, or PostgreSQL
// (pgx) when given a postgres:// URL. It runs each module's embedded
// migrations and gives stores one way to run a transaction.
//
// Stores write SQL that both engines accept: $1 parameters, TEXT, INTEGER,
// BIGINT, ON CONFLICT, RETURNING. Times are stored as BIGINT Unix microseconds
// (UTC) so they compare and sort the same on both engines; booleans as INTEGER
// 0/1.
//
// On SQLite, writes go through a pool of one connection (transactions queue in
// Go rather than fail with SQLITE_BUSY) and reads through a read-only pool that
// WAL lets run alongside the writer. On PostgreSQL both are the same pool.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database with separate handles for writing and reading.
type DB struct {
	Dialect Dialect
	w       *sql.DB
	r       *sql.DB

	mu       sync.RWMutex
	onCommit []func()
}

// Open opens the database named by rawURL. An empty URL opens (creating it if
// needed) bazaar.db in dataDir; "sqlite:PATH" or "file:PATH" opens that file;
// "postgres://..." or "postgresql://..." opens PostgreSQL.
func Open(ctx context.Context, rawURL, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	case rawURL == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "bazaar.db"))
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	case strings.HasPrefix(rawURL, "file:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "file:"))
	}
	return nil, fmt.Errorf("database URL: unsupported scheme in %q (want postgres:// or sqlite:PATH)", redact(rawURL))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database dir: %w", err)
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := openCached("file:" + path + "?" + pragmas + "&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil { // creates the file and switches it to WAL
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Readers map the file (up to 1 GiB) and keep a 32 MiB page cache
	// each: bazaar reindex of a million products ran at 2,900 products/s
	// through pread, 3,800 mapped (3,100 with 256 MiB mapped). Mapped
	// pages are the OS's file cache: they count in RSS but are not heap.
	r, err := openCached("file:" + path + "?" + pragmas + "&_pragma=query_only(1)&_pragma=mmap_size(1073741824)&_pragma=cache_size(-32768)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, w: w, r: r}, nil
}

// openCached opens a SQLite database whose connections cache their
// prepared statements (stmtcache.go).
// BAZAAR_SQLITE_STMT_CACHE=off turns the cache off (to measure it, or
// should it ever misbehave).
func openCached(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	if os.Getenv("BAZAAR_SQLITE_STMT_CACHE") == "off" {
		return sql.OpenDB(c), nil
	}
	return sql.OpenDB(cachingConnector{c}), nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(rawURL), err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(rawURL), err)
	}
	return &DB{Dialect: Postgres, w: db, r: db}, nil
}

// redact hides a password in a database URL for logs and errors.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Close closes both handles.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers (for readiness probes).
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Pools returns the connection pools by name, "write" and "read" ("shared"
// on PostgreSQL), for monitoring their statistics only: use Tx and Read to
// reach the database.
func (db *DB) Pools() map[string]*sql.DB {
	if db.r == db.w {
		return map[string]*sql.DB{"shared": db.w}
	}
	return map[string]*sql.DB{"write": db.w, "read": db.r}
}

// Read returns the handle for queries outside a transaction. On SQLite it is
// read-only.
func (db *DB) Read() *sql.DB { return db.r }

// OnCommit registers f to run after every committed transaction (the event
// relay uses it to deliver new outbox rows at once rather than at its next poll).
func (db *DB) OnCommit(f func()) {
	db.mu.Lock()
	db.onCommit = append(db.onCommit, f)
	db.mu.Unlock()
}

// Querier is what *sql.DB and *sql.Tx have in common: stores read through it
// so one query function serves both inside and outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Querier = (*sql.DB)(nil)
	_ Querier = (*sql.Tx)(nil)
)

// Exec runs one statement on the write handle, outside any transaction and
// without the commit hooks.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, query, args...)
}

// Tx runs fn in one transaction and commits it if fn returns nil. On
// PostgreSQL a serialization failure or deadlock is retried a few times, so fn
// must not have effects outside the transaction. Tx must not be called from
// inside fn: on SQLite there is one writer connection and that would wait
// forever.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	const attempts = 5
	var err error
	for i := range attempts {
		err = db.tx(ctx, fn)
		if err == nil || !retryable(err) || i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i+1) * 5 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.mu.RLock()
	hooks := db.onCommit
	db.mu.RUnlock()
	for _, f := range hooks {
		f()
	}
	return nil
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports whether err is a unique or primary key violation.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsCheckViolation reports whether err is a CHECK constraint violation.
func IsCheckViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23514"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK
	}
	return false
}

// Migrate applies the module's migrations found in fsys. If fsys has a
// folder named after the dialect ("sqlite", "postgres") that folder is used;
// otherwise the .sql files at its root are shared by both engines. Each
// module keeps its own version table, <module>_schema_version.
func (db *DB) Migrate(ctx context.Context, module string, fsys fs.FS) error {
	if sub, err := fs.Sub(fsys, string(db.Dialect)); err == nil {
		if entries, err := fs.ReadDir(sub, "."); err == nil && len(entries) > 0 {
			fsys = sub
		}
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithTableName(module + "_schema_version"),
		goose.WithDisableGlobalRegistry(true),
	}
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(module)))
		if err != nil {
			return fmt.Errorf("migrate %s: %w", module, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.w, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", module, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", module, err)
	}
	return nil
}

// lockID gives each module its own advisory lock so that modules migrating
// in separate processes do not wait on each other.
func lockID(module string) int64 {
	var h int64 = 5887940537704921958 // goose's default lock ID
	for _, c := range module {
		h = h*31 + int64(c)
	}
	return h
}

// Micros converts t to the stored form: Unix microseconds, UTC.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// Time converts stored Unix microseconds back to a UTC time.
func Time(us int64) time.Time { return time.UnixMicro(us).UTC() }
