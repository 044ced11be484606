package ordersql_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/ordersql"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestStore(t *testing.T) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		t.Run(engine.name, func(t *testing.T) {
			ordertest.StoreSuite(t, func(t *testing.T) order.Store {
				db := engine.open(t)
				ctx := context.Background()
				if err := event.Migrate(ctx, db); err != nil {
					t.Fatal(err)
				}
				for range 2 { // migrations are idempotent
					if err := ordersql.Migrate(ctx, db); err != nil {
						t.Fatalf("Migrate: %v", err)
					}
				}
				return ordersql.New(db)
			})
		})
	}
}
