package cartsql_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/cart/carttest"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func open(t *testing.T, db *sqldb.DB) *cartsql.Store {
	t.Helper()
	if err := cartsql.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := event.Migrate(context.Background(), db); err != nil {
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
