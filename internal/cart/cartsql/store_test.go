package cartsql_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/cart/carttest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func open(t *testing.T, db *sqldb.DB) *cartsql.Store {
	t.Helper()
	if err := cartsql.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return cartsql.New(db)
}

func TestStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		carttest.StoreSuite(t, func(t *testing.T) cart.Store {
			if db.Dialect == sqldb.SQLite {
				return open(t, sqldbtest.SQLite(t))
			}
			return open(t, sqldbtest.Postgres(t))
		})
	})
}

func TestClearTx(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		now := time.Now()
		c, _ := s.UserCart(ctx, "usr_1", now)
		if _, err := s.AddLine(ctx, c.ID, "A", 1, 5, now); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return cartsql.ClearTx(ctx, tx, "usr_1") }); err != nil {
			t.Fatal(err)
		}
		if ls, _ := s.Lines(ctx, c.ID); len(ls) != 0 {
			t.Errorf("lines after ClearTx: %+v", ls)
		}
	})
}
