package sqldb

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
)

// A statement cache for SQLite.
//
// database/sql hands ExecContext and QueryContext on a connection straight
// to the driver, and the SQLite driver compiles the SQL anew for each call:
// a CPU profile of checkout spent 17 % of its time in SQLite's parser. Its
// prepared statements (driver.Stmt) keep their compiled program and only
// reset it between runs, so each connection here keeps the statements it
// has run, by SQL text, and runs them again. Stores write a fixed set of
// statements, so the cache stays small; it is bounded (least recently used
// out) for the few that are built at run time (IN lists).
//
// A cached statement is used by one caller at a time: while rows from it
// are open (a query inside another's loop on the same transaction), a
// second use of the same SQL falls through to the driver's uncached path.
// PostgreSQL needs none of this: pgx caches prepared statements itself.

// stmtCacheSize is how many statements a connection keeps.
const stmtCacheSize = 256

// cachingConnector opens connections that cache their statements.
type cachingConnector struct {
	driver.Connector
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn)
}

// sqliteConn is what the SQLite driver's connections implement; the cache
// forwards every part of it, as database/sql falls back to worse paths
// (no context, no options) for the parts a wrapper hides.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // rows from it are open
	dead  bool // evicted while busy: close when its rows close
	elem  *list.Element
}

// cachingConn is a connection with its statement cache. database/sql uses
// a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
	lru   *list.List // front: most recently used
}

func newCachingConn(c driver.Conn) (driver.Conn, error) {
	sc, ok := c.(sqliteConn)
	if !ok {
		c.Close()
		return nil, errors.New("sqlite statement cache: the driver's connection lacks a context method")
	}
	return &cachingConn{sqliteConn: sc, stmts: make(map[string]*cachedStmt), lru: list.New()}, nil
}

// Unwrap returns the driver's connection (the SQLite driver's helpers look
// through wrappers this way).
func (c *cachingConn) Unwrap() driver.Conn { return c.sqliteConn }

// get returns query's cached statement, preparing and caching it if new, or
// nil when it is in use or cannot be prepared (the caller then takes the
// uncached path, which reports any error).
func (c *cachingConn) get(ctx context.Context, query string) *cachedStmt {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil
		}
		c.lru.MoveToFront(s.elem)
		return s
	}
	st, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s := &cachedStmt{query: query, stmt: st}
	s.elem = c.lru.PushFront(s)
	c.stmts[query] = s
	for c.lru.Len() > stmtCacheSize {
		c.evict(c.lru.Back().Value.(*cachedStmt))
	}
	return s
}

func (c *cachingConn) evict(s *cachedStmt) {
	c.lru.Remove(s.elem)
	delete(c.stmts, s.query)
	if s.busy {
		s.dead = true
		return
	}
	s.stmt.Close()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s := c.get(ctx, query)
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.get(ctx, query)
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// Close finalizes every cached statement, then closes the connection.
func (c *cachingConn) Close() error {
	for _, s := range c.stmts {
		if !s.busy {
			s.stmt.Close()
		}
	}
	c.stmts, c.lru = nil, list.New()
	return c.sqliteConn.Close()
}

// cachedRows marks its statement free again when closed.
type cachedRows struct {
	driver.Rows
	s      *cachedStmt
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.s.busy = false
	if r.s.dead {
		err = errors.Join(err, r.s.stmt.Close())
	}
	return err
}

// The SQLite driver's rows describe their columns; database/sql looks for
// these on the rows it is given.
type columnTyper interface {
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

func (r *cachedRows) typer() columnTyper {
	t, _ := r.Rows.(columnTyper)
	return t
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t := r.typer(); t != nil {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t := r.typer(); t != nil {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t := r.typer(); t != nil {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
